"""esx_vm_fleet on the simulator's vCenter model: several VMs converged in one module run.

Clones from a template customized and waited for at once, a second run that changes nothing,
existing and new VMs mixed, one bad entry that fails by name while the others converge, check
mode compared on the server, secrets at -vvvv, and a server that refuses more sessions (the
fault proxy answers Login with 503, as a server at its session limit does). What the VMs became
is read from the server (vm_server, through pyVmomi), not from the module's result.
"""

from __future__ import annotations

import ast
import re

import pytest
import yaml
from ansible_run import ROOT, connection, run_module, run_playbook
from faultproxy import PASS, UNAVAILABLE, FaultProxy
from return_docs import assert_matches_return
from vm_runs import ok, vm_run

PLACE = {"cluster": "DC0_C0", "datastore": "LocalDS_0"}
SECRETS = ("Fl33t-Admin-Pw", "FLEET-99999-KEY", "Fl33t-Domain-Pw")


@pytest.fixture(scope="module")
def sim(vcsim_factory):
    return vcsim_factory()


@pytest.fixture(scope="module")
def template(sim):
    ok(vm_run(sim, {"name": "tpl-fleet", "guest_id": "otherLinux64Guest", "memory_mb": 128,
                    "networks": [{"name": "VM Network"}], "is_template": True, **PLACE}))  # fmt: skip
    return "tpl-fleet"


def fleet_run(sim, args: dict, check: bool = False, diff: bool = True, verbosity: int = 0):
    """esx_vm_fleet with the simulator's connection; its result matches its RETURN. A run
    with a verbosity is a test of what the controller shows, so it goes through it."""
    result = run_module(
        "esx_vm_fleet", args, sim=sim, check=check, diff=diff, verbosity=verbosity or 3 * diff,
        cli=True if verbosity else None,
    )  # fmt: skip
    assert "Traceback" not in result.stdout + result.stderr, result.stdout[-3000:]
    assert_matches_return("esx_vm_fleet", result.result)
    return result


def clone(name: str, i: int, template: str, **extra) -> dict:
    return {"name": name, "template": template, **PLACE, "state": "powered_on",
            "customization": {"hostname": name, "domain": "fleet.test"},
            "networks": [{"name": "VM Network", "ip": f"10.0.7.{i}", "netmask": "255.255.255.0",
                          "gateway": "10.0.7.254"}],
            "wait_for": ["customization", "ip"], **extra}  # fmt: skip


def unwaited(entry: dict) -> dict:
    """The entry without its waits, for a run over VMs that exist already."""
    return {k: v for k, v in entry.items() if k != "wait_for"}


def guest(server, name: str) -> tuple:
    props = server.props(
        server.vm(name), ("guest.hostName", "guest.ipAddress", "runtime.powerState")
    )
    return props.get("guest.hostName"), props.get("guest.ipAddress"), props["runtime.powerState"]


def test_clones_customized_and_waited_for_at_once(sim, server, template):
    vms = [clone(f"fl-{i}", i, template) for i in range(1, 5)]
    before = (server.snapshot(), server.tasks())
    check = ok(fleet_run(sim, {"vms": vms, "parallel": 4}, check=True))
    assert (server.snapshot(), server.tasks()) == before, "check mode changed the server"
    assert check["changed"] is True
    assert [(v["name"], v["changed"], v["failed"]) for v in check["vms"]] == [
        (f"fl-{i}", True, False) for i in range(1, 5)
    ]
    assert [d["before_header"] for d in check["diff"]] == [f"fl-{i}" for i in range(1, 5)]

    with FaultProxy(sim.host, sim.port, upstream_ca=sim.ca_path) as proxy:
        at_proxy = {"hostname": proxy.host, "port": proxy.port, "ca_path": proxy.ca_path}
        real = ok(fleet_run(sim, {"vms": vms, "parallel": 4, **at_proxy}))
        # four sessions at once, each logged out
        assert proxy.count("Login") == proxy.count("Logout") == 4
        assert proxy.max_active == 4
    assert real["changed"] is True and not real.get("warnings")
    for i, vm in enumerate(real["vms"], 1):
        assert (vm["name"], vm["changed"], vm["failed"], vm["msg"]) == (f"fl-{i}", True, False, "")
        assert vm["changes"] == check["vms"][i - 1]["changes"]
        assert vm["vm"]["name"] == f"fl-{i}"
    for i in range(1, 5):
        assert guest(server, f"fl-{i}") == (f"fl-{i}", f"10.0.7.{i}", "poweredOn")

    tasks = server.tasks()
    again = ok(fleet_run(sim, {"vms": [unwaited(v) for v in vms], "parallel": 4}))
    assert again["changed"] is False and not any(v["changed"] for v in again["vms"])
    assert server.tasks() == tasks and again["diff"] == []


def test_existing_and_new_vms_mixed(sim, server, template):
    ok(vm_run(sim, {"name": "fl-old", "memory_mb": 128, "guest_id": "otherGuest", **PLACE}))
    ok(vm_run(sim, {"name": "fl-same", "memory_mb": 128, "guest_id": "otherGuest", **PLACE}))
    vms = [
        {"name": "fl-old", "memory_mb": 256},
        clone("fl-new", 21, template),
        {"name": "fl-same", "memory_mb": 128},
        {"name": "fl-gone", "state": "absent"},
    ]
    result = ok(fleet_run(sim, {"vms": vms, "parallel": 3}))
    assert [(v["name"], v["changed"]) for v in result["vms"]] == [
        ("fl-old", True), ("fl-new", True), ("fl-same", False), ("fl-gone", False)
    ]  # fmt: skip
    assert result["vms"][0]["changes"] == ["memory_mb"]
    assert server.props(server.vm("fl-old"), ["config.hardware.memoryMB"]) == {
        "config.hardware.memoryMB": 256
    }
    assert guest(server, "fl-new") == ("fl-new", "10.0.7.21", "poweredOn")
    tasks = server.tasks()
    again = ok(fleet_run(sim, {"vms": [unwaited(v) for v in vms], "parallel": 3}))
    assert again["changed"] is False and server.tasks() == tasks


def test_a_bad_entry_fails_by_name_and_the_others_converge(sim, server, template):
    vms = [
        clone("fl-b1", 31, template),
        clone("fl-b2", 32, "no-such-template"),
        clone("fl-b3", 33, template, customization={"hostname": "fail-b3"}),
        clone("fl-b4", 34, template),
    ]
    result = fleet_run(sim, {"vms": vms, "parallel": 2})
    assert result.failed and result["changed"] is True
    names = [(v["name"], v["failed"]) for v in result["vms"]]
    assert names == [("fl-b1", False), ("fl-b2", True), ("fl-b3", True), ("fl-b4", False)]
    two, three = result["vms"][1], result["vms"][2]
    assert result["msg"] == f"2 of 4 VMs failed: fl-b2: {two['msg']}; fl-b3: {three['msg']}"
    assert "template" in two["msg"] and "no-such-template" in two["msg"]
    assert two["changed"] is False and two["error_type"] == "NotFound"
    # the partial result of a run that failed after a change, as esx_vm gives it
    assert three["changed"] is True and three["changes"] == ["created"]
    assert "An error occurred while setting up Linux identity" in three["msg"]
    alone = vm_run(sim, clone("fl-b2", 32, "no-such-template"))
    assert alone.failed and alone["msg"] == two["msg"]
    assert server.vm("fl-b2") is None
    for name, i in (("fl-b1", 31), ("fl-b4", 34)):
        assert guest(server, name) == (name, f"10.0.7.{i}", "poweredOn")


def test_bad_input_fails_before_any_change_naming_the_option(sim, server):
    before = (server.snapshot(), server.tasks())
    vms = [{"name": "fl-x1", **PLACE}, {"name": "fl-x2", **PLACE, "wait_timeout": 0}]
    bad = run_module("esx_vm_fleet", {"vms": vms}, sim=sim)
    assert (
        bad.failed
        and bad["msg"] == "vms[1].wait_timeout must be a positive number of seconds, got 0"
    )
    bad = run_module("esx_vm_fleet", {"vms": vms[:1], "parallel": 0}, sim=sim)
    assert bad.failed and bad["msg"] == "parallel must be a positive number of VMs, got 0"
    bad = run_module("esx_vm_fleet", {"vms": [{"name": "fl-x3", "uuid": "4201"}]}, sim=sim)
    assert bad.failed and "mutually exclusive: name|uuid|moid found in vms" in bad["msg"]
    bad = run_module("esx_vm_fleet", {"vms": [{"name": "fl-x4", "cpus": 2}]}, sim=sim)
    assert bad.failed and "cpus" in bad["msg"]
    # What esx_vm refuses before it reads the server fails every VM's run, not just its own.
    new = {"guest_id": "otherGuest64", "memory_mb": 128, **PLACE}
    bad = run_module("esx_vm_fleet", {"vms": [{"name": "fl-x6", **new},
                                              {"name": "fl-x7", **new, "memory_mb": 1023}]},
                     sim=sim)  # fmt: skip
    assert bad.failed and bad["msg"] == (
        "vms[1] (fl-x7): memory_mb must be a positive multiple of 4, got 1023"
    )
    # Two entries for one VM would race (two creates make two VMs of one name).
    twice = [{"name": "fl-x5", "guest_id": "otherGuest64", "memory_mb": 128, **PLACE},
             {"name": "fl-x5", "guest_id": "otherGuest64", "memory_mb": 256, **PLACE}]  # fmt: skip
    for check in (True, False):
        bad = run_module("esx_vm_fleet", {"vms": twice}, sim=sim, check=check)
        assert bad.failed and bad["msg"] == (
            "vms[1].name: VM 'fl-x5' is also vms[0].name; a VM appears once in the list"
        )
    assert (server.snapshot(), server.tasks()) == before


def test_secrets_appear_in_no_output(sim, server, template):
    windows = {"password": SECRETS[0], "product_key": SECRETS[1], "join_domain": "corp.test",
               "domain_admin": "joiner", "domain_admin_password": SECRETS[2]}  # fmt: skip
    vms = [
        clone("fl-w1", 41, template, customization={"hostname": "w1", "windows": windows}),
        clone("fl-w2", 42, "no-such-template",
              customization={"hostname": "w2", "windows": windows}),
        clone("fl-w3", 43, template, customization={"hostname": "fail-w3", "windows": windows}),
    ]  # fmt: skip
    runs = [
        fleet_run(sim, {"vms": vms}, check=True, verbosity=4),
        fleet_run(sim, {"vms": vms}, verbosity=4),
        fleet_run(sim, {"vms": [unwaited(vms[0])]}, verbosity=4),
    ]
    assert [r.failed for r in runs] == [True, True, False]  # fl-w2's template is missing
    assert [v["failed"] for v in runs[0]["vms"]] == [False, True, False]
    assert [v["failed"] for v in runs[1]["vms"]] == [False, True, True]
    assert guest(server, "fl-w1")[0] == "w1"
    for run in runs:
        text = run.stdout + run.stderr + repr(run.tasks)
        for secret in SECRETS:
            assert secret not in text, f"{secret} shown"
    shown = runs[0]["vms"][0]["diff"]["after"]["customization"]["windows"]
    assert shown == {"join_domain": "corp.test", "domain_admin": "joiner"}


def test_a_password_property_s_value_appears_in_no_output(sim, server):
    ok(vm_run(sim, {"name": "fl-vapp", "guest_id": "otherGuest64", "memory_mb": 128, **PLACE}))
    entry = {"name": "fl-vapp", "vapp_properties": [
        {"id": "app.token", "type": "password", "value": "Fl33t-T0ken"}]}  # fmt: skip
    runs = [fleet_run(sim, {"vms": [entry]}, check=check, verbosity=4) for check in (True, False)]
    assert [r["changed"] for r in runs] == [True, True]
    for run in runs:
        assert "Fl33t-T0ken" not in run.stdout + run.stderr + repr(run.tasks), "a password shown"


@pytest.mark.parametrize("allowed", [1, 2])
def test_a_server_that_refuses_sessions_gets_the_work_done_by_those_it_opened(
    sim, server, template, allowed
):
    vms = [clone(f"fl-s{allowed}{i}", 50 + 10 * allowed + i, template) for i in range(4)]
    with FaultProxy(sim.host, sim.port, upstream_ca=sim.ca_path) as proxy:
        proxy.next(PASS, method="Login", times=allowed)
        proxy.next(UNAVAILABLE, method="Login", times=None)  # what a server at its limit answers
        at_proxy = {"hostname": proxy.host, "port": proxy.port, "ca_path": proxy.ca_path}
        result = ok(fleet_run(sim, {"vms": vms, "parallel": 4, **at_proxy}))
        assert proxy.count("Login") == 4 and proxy.count("Logout") == allowed
    (warning,) = result["warnings"]
    assert warning.startswith(f"the server opened {allowed} of the 4 sessions asked for")
    assert "503" in warning and sim.password not in warning
    for i, vm in enumerate(vms):
        assert guest(server, vm["name"]) == (
            vm["name"],
            f"10.0.7.{50 + 10 * allowed + i}",
            "poweredOn",
        )


def test_the_examples_run_as_written(sim, server, tmp_path):
    """The module's EXAMPLES, verbatim, with the connection from module_defaults."""
    ok(vm_run(sim, {"name": "tpl-rhel9", "guest_id": "otherLinux64Guest", "memory_mb": 128,
                    "networks": [{"name": "VM Network"}], "is_template": True, **PLACE}))  # fmt: skip
    before = set(server.names("VirtualMachine").values())
    tree = ast.parse((ROOT / "plugins" / "modules" / "esx_vm_fleet.py").read_text())
    node = next(n for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == "EXAMPLES")
    play = {"hosts": "localhost", "gather_facts": False,
            "module_defaults": {"group/viapi.esx.esx": connection(sim)},
            "tasks": yaml.safe_load(node.value.value)}  # fmt: skip
    path = tmp_path / "examples.yml"
    path.write_text(yaml.safe_dump([play], sort_keys=False))
    result = run_playbook(path)
    assert result.rc == 0, result.stdout[-4000:] + result.stderr[-2000:]
    # deployed, resized, removed: three tasks change something (old-app is not there)
    assert re.search(r"ok=\d+\s+changed=3\s", result.stdout), result.stdout[-3000:]
    shown = next(t for t in result.tasks if t["task"] == "The names of the VMs that changed")
    assert shown["result"]["msg"] == ["web-1", "web-2"]
    assert set(server.names("VirtualMachine").values()) == before
