"""Concurrency: 8 parallel esx_vm runs (forks) on one simulator, and the inventory with 8 workers
over 4 endpoints, complete with correct results and leave no sessions."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

import pytest
import yaml
from ansible_run import ROOT, ansible_env, connection, run_playbook

from ansible_collections.viapi.esx.plugins.module_utils.vi import collector
from ansible_collections.viapi.esx.plugins.module_utils.vi.tasks import wait_for_task

from .helpers import client_for, session_keys
from .modules import covered

WORKERS = [f"w{i}" for i in range(8)]


def expected(worker: str) -> dict:
    """What each worker's VM must look like: sizes that differ per worker."""
    i = int(worker[1:])
    return {"num_cpus": 1 + i % 4, "memory_mb": 64 * (i + 1), "power_state": "poweredOn"}


def parallel_play(tmp_path, endpoint: dict, state: str) -> tuple:
    """An inventory of 8 local aliases and a play where each manages its own VM."""
    inventory = tmp_path / "workers.ini"
    line = f"ansible_connection=local ansible_python_interpreter={sys.executable}"
    inventory.write_text("[workers]\n" + "".join(f"{w} {line}\n" for w in WORKERS))
    vm = {
        "name": "par-{{ inventory_hostname }}",
        "state": state,
        "force": True,
        "guest_id": "otherGuest",
        "host": "DC0_H0",
        "num_cpus": "{{ 1 + (inventory_hostname[1:] | int) % 4 }}",
        "memory_mb": "{{ 64 * ((inventory_hostname[1:] | int) + 1) }}",
    }
    play = {
        "hosts": "workers",
        "gather_facts": False,
        "module_defaults": {"group/viapi.esx.esx": endpoint},
        "tasks": [{"name": "vm", "viapi.esx.esx_vm": vm}],
    }
    playbook = tmp_path / f"parallel-{state}.yml"
    playbook.write_text(yaml.safe_dump([play], sort_keys=False))
    return playbook, ("-i", str(inventory), "-f", str(len(WORKERS)))


def server_vms(sim) -> dict:
    """name -> numCPU, memoryMB and power state of the par-* VMs, read directly."""
    with client_for(sim) as c:
        rows = collector.collect(c, {"VirtualMachine": ["name", "config.hardware", "runtime"]})
    return {
        p["name"]: {
            "num_cpus": p["config.hardware"]["numCPU"],
            "memory_mb": p["config.hardware"]["memoryMB"],
            "power_state": p["runtime"]["powerState"],
        }
        for _ref, p in rows
        if p["name"].startswith("par-")
    }


def by_host(res) -> dict:
    records = {r["host"]: r for r in res.tasks if r["task"] == "vm"}
    assert sorted(records) == WORKERS, res.stdout[-3000:]
    return records


@pytest.mark.slow
def test_eight_parallel_esx_vm_runs(sim, proxy, tmp_path):
    if "esx_vm" not in covered():
        pytest.skip("esx_vm is not there yet")
    before = session_keys(sim)
    endpoint = connection(sim, hostname=proxy.host, port=proxy.port, ca_path=proxy.ca_path)
    runs = [("powered_on", True), ("powered_on", False), ("absent", True)]
    for state, changed in runs:
        playbook, args = parallel_play(tmp_path, endpoint, state)
        res = run_playbook(playbook, args=args)
        for worker, record in by_host(res).items():
            assert record["status"] == "ok", (worker, record["result"].get("msg"))
            assert record["result"]["changed"] is changed, (worker, state)
        if state != "absent":
            assert server_vms(sim) == {f"par-{w}": expected(w) for w in WORKERS}
    assert server_vms(sim) == {}
    assert proxy.max_active > 1, "the runs did not overlap: this proved nothing about concurrency"
    assert proxy.count("CreateVM_Task") == len(WORKERS)
    assert session_keys(sim) == before


@pytest.fixture(scope="module")
def four_endpoints(vcsim_factory):
    """Four simulators of different shapes, every VM with its own instance uuid.

    The simulator derives instance uuids from the VM's path, so same-named VMs of two
    simulators would share one, and the plugin lists such a pair once (as the same VM seen by a
    vCenter and its host); fresh uuids keep this test about concurrency only.
    """
    sims = [
        vcsim_factory("--vm", "3"),
        vcsim_factory("--esx"),
        vcsim_factory("--dc", "2", "--cluster", "1", "--host", "1"),
        vcsim_factory("--esx", "--vm", "5"),
    ]
    for sim in sims:
        with client_for(sim) as c:
            for ref, _props in collector.collect(c, {"VirtualMachine": ["name"]}):
                spec = {"_type": "VirtualMachineConfigSpec", "instanceUuid": str(uuid.uuid4())}
                wait_for_task(c, c.call(ref, "ReconfigVM_Task", spec=spec), 60)
    return sims


def server_inventory(sims) -> set:
    """(esx_endpoint, moid, name) of every VM of every simulator, read directly."""
    found = set()
    for sim in sims:
        with client_for(sim) as c:
            for ref, props in collector.collect(c, {"VirtualMachine": ["name"]}):
                found.add((f"{sim.host}:{sim.port}", ref.value, props["name"]))
    return found


def unwrap(value):
    """ansible-core 2.19 marks strings {"__ansible_unsafe": ...} in inventory JSON."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {k: unwrap(v) for k, v in value.items()}
    return value


@pytest.mark.slow
def test_inventory_with_eight_workers_over_four_endpoints(four_endpoints, tmp_path):
    config = tmp_path / "four.esx.yml"
    options = {"endpoints": [connection(s) for s in four_endpoints], "max_workers": 8}
    config.write_text(yaml.safe_dump({"plugin": "viapi.esx.esx", "strict": True, **options}))
    before = [session_keys(s) for s in four_endpoints]
    truth = server_inventory(four_endpoints)
    assert len({entry[0] for entry in truth}) == 4 and len(truth) > 10
    for _run in range(3):
        out = tmp_path / "four.json"
        cmd = ["ansible-inventory", "-i", str(config), "--list", "--output", str(out)]
        proc = subprocess.run(
            cmd, capture_output=True, text=True, env=ansible_env(), cwd=ROOT, check=False
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        hostvars = unwrap(json.loads(out.read_text())["_meta"]["hostvars"])
        listed = {(v["esx_endpoint"], v["esx_moid"], v["esx_name"]) for v in hostvars.values()}
        assert listed == truth
        assert len(hostvars) == len(truth)  # duplicate names across endpoints stay apart
    assert [session_keys(s) for s in four_endpoints] == before
