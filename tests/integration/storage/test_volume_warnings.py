"""esx_volume_info tells the user, in a warning naming the file, when the server cannot give the
uuid of a VMDK no VM uses (here: the file goes away between the search and the uuid query)."""

from __future__ import annotations

import pytest
import storage_reads as reads
from ansible_run import connection, run_module
from faultproxy import HOOK, FaultProxy


@pytest.fixture(scope="module")
def sim(vcsim_factory):
    """A simulator of its own: this test removes a file from its datastore."""
    return vcsim_factory("--ds", "1")


def test_a_vmdk_gone_before_its_uuid_query_keeps_a_null_key_and_is_a_warning(sim, tmp_path):
    folder = reads.datastore_dir(sim, "LocalDS_0") / "leftovers"
    folder.mkdir()
    kept, doomed = folder / "kept.vmdk", folder / "doomed.vmdk"
    for disk in (kept, doomed):
        disk.write_text('# Disk DescriptorFile\ncreateType="vmfs"\n')
    with FaultProxy(sim.host, sim.port, upstream_ca=sim.ca_path, cert_dir=tmp_path) as proxy:
        # The first uuid query reaches the server after doomed.vmdk is gone.
        proxy.next(HOOK, method="QueryVirtualDiskUuid", hook=lambda _request: doomed.unlink())
        args = connection(sim, hostname=proxy.host, port=proxy.port, ca_path=proxy.ca_path)
        result = run_module("esx_volume_info", dict(args, pool="LocalDS_0"))
        asked = proxy.count("QueryVirtualDiskUuid")
    assert result.rc == 0 and not result.failed, result.stdout[-3000:] + result.stderr[-2000:]
    assert not doomed.exists() and asked == 2  # the server was asked for both files
    volumes = {v["name"]: v for v in result["volumes"]}
    assert volumes["leftovers/doomed.vmdk"]["key"] is None
    assert volumes["leftovers/kept.vmdk"]["key"] is not None  # the other file still has its key
    (warning,) = [w for w in result.get("warnings") or [] if "virtual disk uuid" in w]
    assert "1 VMDK(s) no VM uses could not be read" in warning
    assert "[LocalDS_0] leftovers/doomed.vmdk (FileNotFound" in warning
    assert "kept.vmdk" not in warning
    assert "could not be read" in result.stdout + result.stderr  # shown to the user
