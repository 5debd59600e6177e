"""The vm_fleet role against the simulator: converge, idempotence, removal, check mode."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from ansible_run import connection, run_playbook

from ansible_collections.viapi.esx.plugins.module_utils.vi.collector import collect
from ansible_collections.viapi.esx.plugins.module_utils.vi.session import Client

PLAYBOOK = Path(__file__).with_name("vm_fleet.yml")


def vms(sim) -> dict:
    """name -> (numCPU, memoryMB), read independently of the role."""
    with Client(sim.host, sim.username, sim.password, port=sim.port, ca_path=str(sim.ca_path)) as c:
        rows = collect(
            c, {"VirtualMachine": ["name", "config.hardware.numCPU", "config.hardware.memoryMB"]}
        )
    return {
        p["name"]: (p["config.hardware.numCPU"], p["config.hardware.memoryMB"]) for _r, p in rows
    }


def run(sim, fleet, check=False):
    res = run_playbook(
        PLAYBOOK,
        {
            "vm_fleet_connection": connection(sim),
            "vm_fleet_defaults": {
                "cluster": "DC0_C0",
                "datastore": "LocalDS_0",
                "guest_id": "otherGuest",
            },
            "vm_fleet_vms": fleet,
        },
        check=check,
    )
    assert res.rc == 0, res.stdout + res.stderr
    shown = [t["result"]["msg"] for t in res.tasks if t["task"] == "Show what changed"]
    changed = json.loads(shown[0].split("=", 1)[1])
    recap = re.search(r"localhost\s*:\s*ok=\d+\s+changed=(\d+)", res.stdout)
    return changed, int(recap.group(1))


@pytest.fixture(scope="module")
def sim(vcsim_factory):
    return vcsim_factory()


def test_fleet_converges_and_is_idempotent(sim):
    fleet = [
        {"name": "fleet-a", "num_cpus": 2, "memory_mb": 256},
        {"name": "fleet-b", "num_cpus": 1, "memory_mb": 128},
    ]
    before = vms(sim)
    changed = run(sim, fleet, check=True)[0]
    assert sorted(changed) == ["fleet-a", "fleet-b"]
    assert vms(sim) == before, "check mode changed the server"

    changed = run(sim, fleet)[0]
    assert sorted(changed) == ["fleet-a", "fleet-b"]
    after = vms(sim)
    assert after["fleet-a"] == (2, 256) and after["fleet-b"] == (1, 128)

    changed, recap_changed = run(sim, fleet)
    assert changed == [] and recap_changed == 0

    fleet[0]["memory_mb"] = 512
    fleet[1] = {"name": "fleet-b", "state": "absent"}
    changed = run(sim, fleet)[0]
    assert sorted(changed) == ["fleet-a", "fleet-b"]
    after = vms(sim)
    assert after["fleet-a"] == (2, 512) and "fleet-b" not in after
    assert run(sim, fleet)[0] == []


def test_fleet_argument_spec_refuses_bad_input(sim):
    res = run_playbook(
        PLAYBOOK, {"vm_fleet_vms": "not-a-list", "vm_fleet_connection": connection(sim)}
    )
    assert res.rc != 0
    assert "vm_fleet_vms" in res.stdout
