"""Our decoder and pyVmomi's on the simulator's bytes: whole objects of every kind, read with
the transport's recording hook on, each answer decoded both ways (issue 17, item 4). The same
check over the whole suite's traffic is a documented command (docs/reliability.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.vi import collector
from ansible_collections.viapi.esx.plugins.module_utils.vi.session import SERVICE_INSTANCE

pytest.importorskip("pyVmomi")
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "unit"))
import wire_diff  # noqa: E402

# Whole objects: every field of every type they hold goes through both decoders.
READS = {
    "VirtualMachine": None,
    "HostSystem": None,
    "Datastore": None,
    "Network": None,
    "ClusterComputeResource": None,
    "ResourcePool": None,
    "Datacenter": None,
    "Folder": None,
}


@pytest.mark.parametrize("model", ["vcsim_vpx", "vcsim_esx"])
def test_whole_objects_decode_as_pyvmomi_decodes_them(request, connect, tmp_path, model):
    sim = request.getfixturevalue(model)
    client = connect(sim)
    client.transport.record_dir = str(tmp_path)
    rows = collector.collect(client, READS, page_size=50)
    assert any(ref.type == "VirtualMachine" for ref, _props in rows)
    client.call(SERVICE_INSTANCE, "RetrieveServiceContent")
    answers = wire_diff.recorded_dir(tmp_path)
    assert len(answers) >= 3
    failures = [f"{a.source}: {m}" for a in answers for m in wire_diff.check(a)]
    assert not failures, f"{len(failures)} mismatches:\n" + "\n".join(failures[:50])
