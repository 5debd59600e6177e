"""The guarantees at the user's level: modules and the inventory run through the fault proxy."""

from __future__ import annotations

import subprocess

import pytest
import yaml
from ansible_run import ROOT, ansible_env, connection, run_module
from faultproxy import DROP_AFTER, DROP_BEFORE, HOOK, UNAVAILABLE

from ansible_collections.viapi.esx.plugins.module_utils.vi import collector

from .helpers import client_for, vm_names
from .modules import covered
from .test_session import terminate_caller


def via(proxy, sim, **args) -> dict:
    """Module arguments that reach `sim` through `proxy`."""
    return dict(
        connection(sim, hostname=proxy.host, port=proxy.port, ca_path=proxy.ca_path), **args
    )


def new_vm(name: str) -> dict:
    return {
        "name": name,
        "guest_id": "otherGuest",
        "memory_mb": 64,
        "num_cpus": 2,
        "host": "DC0_H0",
    }


def server_vm(sim, name: str) -> dict:
    """The server's numCPU and memoryMB of the one VM called `name`."""
    with client_for(sim) as c:
        rows = collector.collect(c, {"VirtualMachine": ["name", "config.hardware"]})
    found = [p["config.hardware"] for _ref, p in rows if p["name"] == name]
    assert len(found) == 1, f"{len(found)} VMs named {name}"
    return {"num_cpus": found[0]["numCPU"], "memory_mb": found[0]["memoryMB"]}


@pytest.fixture(autouse=True)
def _needs_esx_vm():
    if "esx_vm" not in covered():
        pytest.skip("esx_vm is not there yet")


@pytest.mark.parametrize(
    "fault, method",
    [
        (DROP_AFTER, "CreateVM_Task"),
        (HOOK, "CreateVM_Task"),
        (HOOK, "WaitForUpdatesEx"),
        (DROP_BEFORE, "RetrievePropertiesEx"),
        (UNAVAILABLE, "RetrieveServiceContent"),
    ],
    ids=["answer-lost", "session-ended-at-submit", "session-ended-in-wait", "read-dropped",
         "503-at-start"],
)  # fmt: skip
def test_esx_vm_creates_exactly_one_vm_through_a_fault(sim, proxy, fault, method):
    name = f"mod-{fault}-{method}"
    hook = terminate_caller(sim) if fault == HOOK else None
    proxy.next(fault, method=method, hook=hook)
    res = run_module("esx_vm", via(proxy, sim, **new_vm(name)))
    assert not res.failed, res.get("msg")
    assert res["changed"] and res["vm"]["name"] == name
    assert server_vm(sim, name) == {"num_cpus": 2, "memory_mb": 64}
    assert proxy.count("CreateVM_Task") == (2 if (fault, method) == (HOOK, "CreateVM_Task") else 1)
    assert proxy.count("Login") == (2 if fault == HOOK else 1)
    again = run_module("esx_vm", via(proxy, sim, **new_vm(name)))
    assert not again.failed and not again["changed"]


@pytest.mark.parametrize("method", ["RetrievePropertiesEx", "CreateContainerView"])
def test_esx_vm_info_survives_a_session_ended_mid_run(sim, proxy, method):
    """An administrator ends the module's session just before a read: one relogin, right answer."""
    proxy.next(HOOK, method=method, hook=terminate_caller(sim))
    res = run_module("esx_vm_info", via(proxy, sim))
    assert not res.failed, res.get("msg")
    assert sorted(vm["name"] for vm in res["vms"]) == sorted(vm_names(sim))
    assert proxy.count("Login") == 2


def test_inventory_survives_one_dropped_read(sim, proxy, tmp_path):
    config = tmp_path / "drop.esx.yml"
    options = via(proxy, sim, strict=True)
    config.write_text(yaml.safe_dump({"plugin": "viapi.esx.esx", **options}))
    proxy.next(DROP_BEFORE, method="RetrievePropertiesEx")
    cmd = ["ansible-inventory", "-i", str(config), "--list"]
    proc = subprocess.run(
        cmd, capture_output=True, text=True, env=ansible_env(), cwd=ROOT, check=False
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    for name in vm_names(sim):
        assert f'"{name}"' in proc.stdout
    assert proxy.count("RetrievePropertiesEx") >= 2
