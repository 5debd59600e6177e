"""Datastore capacities agree with community.vmware.vmware_datastore_info on the same simulator.

community.vmware (and pyVmomi) live only in the benchmark environment made by bench/setup.sh
(.cache/bench-venv); the test skips when it is not there, and never installs it.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

import pytest
from ansible_run import ROOT, ansible_env
from test_pools import pool_info

BENCH = ROOT / ".cache" / "bench-venv"
BENCH_ANSIBLE = BENCH / "bin" / "ansible"


def _community_vmware() -> bool:
    return BENCH_ANSIBLE.is_file() and any(
        BENCH.glob(
            "lib/python3*/site-packages/ansible_collections/community/vmware/plugins/modules"
        )
    )


pytestmark = pytest.mark.skipif(
    not _community_vmware(),
    reason="no bench environment with community.vmware (run bench/setup.sh)",
)


def community_datastores(sim) -> list[dict]:
    args = {
        "hostname": sim.host, "port": sim.port, "username": sim.username,
        "password": sim.password, "validate_certs": False, "datacenter": "DC0",
    }  # fmt: skip
    env = ansible_env(
        {
            "PATH": f"{BENCH / 'bin'}:/usr/bin:/bin",
            "ANSIBLE_PYTHON_INTERPRETER": str(BENCH / "bin" / "python"),
            "VIRTUAL_ENV": str(BENCH),
        }
    )
    with tempfile.TemporaryDirectory(prefix="community-") as tree:
        cmd = [str(BENCH_ANSIBLE), "localhost", "-m", "community.vmware.vmware_datastore_info"]
        cmd += ["-a", json.dumps(args), "-t", tree]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tree, check=False)
        out = Path(tree) / "localhost"
        result = json.loads(out.read_text()) if out.exists() else {}
    assert proc.returncode == 0 and not result.get("failed"), (
        proc.stdout[-3000:] + proc.stderr[-2000:]
    )
    return result["datastores"]


def test_capacities_match_community_vmware(iscsi_vpx):
    theirs = {d["name"]: d for d in community_datastores(iscsi_vpx)}
    ours = {
        p["name"]: p
        for p in pool_info(
            iscsi_vpx, type=["vmfs", "nfs", "nfs41", "vsan", "vvol", "local", "other"]
        )
    }
    assert sorted(ours) == sorted(theirs) == ["LocalDS_0", "LocalDS_1"]
    for name, pool in ours.items():
        assert pool["capacity_bytes"] == theirs[name]["capacity"]
        assert pool["available_bytes"] == theirs[name]["freeSpace"]
        assert pool["url"] == theirs[name]["url"]
        assert pool["accessible"] == theirs[name]["accessible"]
