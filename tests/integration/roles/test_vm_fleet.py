"""The vm_fleet role against the simulator: converge, idempotence, removal, check mode."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from ansible_run import connection, module_defaults_play, run_playbook

from ansible_collections.viapi.esx.plugins.module_utils.module import CONNECTION_ARGS
from ansible_collections.viapi.esx.plugins.module_utils.vi.collector import collect
from ansible_collections.viapi.esx.plugins.module_utils.vi.session import Client
from ansible_collections.viapi.esx.plugins.modules import esx_vm, esx_vm_fleet

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


def test_the_list_of_vms_is_required(sim):
    """A default of [] satisfied `required`: without the variable (here misspelled) the role
    succeeded having converged nothing."""
    res = run_playbook(
        PLAYBOOK, {"vm_fleet_vm": [{"name": "fleet-req"}], "vm_fleet_connection": connection(sim)}
    )
    assert res.rc != 0
    assert "missing required arguments: vm_fleet_vms" in res.stdout, res.stdout[-3000:]
    assert "fleet-req" not in vms(sim)
    res = run_playbook(PLAYBOOK, {"vm_fleet_vms": [], "vm_fleet_connection": connection(sim)})
    assert res.rc == 0 and "fleet-changed=[]" in res.stdout, res.stdout[-3000:]


def failed_message(res) -> str:
    """The message of the task that failed the play."""
    failed = [t for t in res.tasks if t["status"] == "failed"]
    assert failed, res.stdout[-3000:]
    result = failed[-1]["result"]
    items = [r["msg"] for r in result.get("results") or () if r.get("failed")]
    return items[0] if items else result["msg"]


def test_an_entry_without_a_name_fails_naming_the_entry(sim):
    fleet = [{"name": "fleet-ok", "num_cpus": 1}, {"num_cpus": 2, "memory_mb": 128}]
    res = run_playbook(PLAYBOOK, {"vm_fleet_vms": fleet, "vm_fleet_connection": connection(sim)})
    assert res.rc != 0
    assert (
        failed_message(res) == "vm_fleet_vms[1]: set name (or uuid or moid) to say which VM it is"
    )
    assert "fleet-ok" not in vms(sim), "a bad entry must stop the run before any change"


def test_misspelled_options_fail_naming_the_entry_and_the_keys(sim):
    fleet = [{"name": "fleet-typo", "cpus": 2, "memory": 256}]
    res = run_playbook(PLAYBOOK, {"vm_fleet_vms": fleet, "vm_fleet_connection": connection(sim)})
    assert res.rc != 0
    message = failed_message(res)
    assert message.startswith(
        "vm_fleet_vms[0]: unknown option(s) cpus, memory; an entry may set "
    ), message
    res = run_playbook(
        PLAYBOOK,
        {"vm_fleet_vms": [{"name": "fleet-typo"}], "vm_fleet_defaults": {"memroy_mb": 1},
         "vm_fleet_connection": connection(sim)},
    )  # fmt: skip
    assert failed_message(res).startswith("vm_fleet_defaults: unknown option(s) memroy_mb;")
    assert "fleet-typo" not in vms(sim)


def test_an_entry_may_name_its_vm_by_uuid_or_moid(sim):
    run(sim, [{"name": "fleet-id", "num_cpus": 1, "memory_mb": 128}])
    with Client(sim.host, sim.username, sim.password, port=sim.port, ca_path=str(sim.ca_path)) as c:
        rows = collect(c, {"VirtualMachine": ["name", "config.uuid"]})
    ref, props = next((r, p) for r, p in rows if p["name"] == "fleet-id")
    changed = run(sim, [{"uuid": props["config.uuid"], "memory_mb": 256}])[0]
    assert changed == [props["config.uuid"]] and vms(sim)["fleet-id"] == (1, 256)
    changed = run(sim, [{"moid": ref.value, "num_cpus": 2}])[0]
    assert changed == [ref.value] and vms(sim)["fleet-id"] == (2, 256)


def test_the_task_passes_exactly_the_options_the_role_accepts():
    role = Path(__file__).parents[3] / "roles" / "vm_fleet"
    accepted = yaml.safe_load((role / "vars" / "main.yml").read_text())
    task = next(
        t for t in yaml.safe_load((role / "tasks" / "converge.yml").read_text())
        if "viapi.esx.esx_vm_fleet" in t
    )  # fmt: skip
    # one module run for the whole list: its entries, and the fan-out
    assert set(task["viapi.esx.esx_vm_fleet"]) == {"vms", "parallel"}
    connection_options = set(accepted["vm_fleet_connection_options"])
    assert connection_options == set(CONNECTION_ARGS)
    # every esx_vm option but the connection's: a new esx_vm option is a fleet option too
    assert set(accepted["vm_fleet_options"]) == set(esx_vm.ARGS) - set(CONNECTION_ARGS)
    # and exactly what an entry of the module the role calls takes
    assert set(esx_vm_fleet.ARGS["vms"]["options"]) == set(accepted["vm_fleet_options"])


MODULE_DEFAULTS_PLAY = module_defaults_play(
    "The connection only through module_defaults",
    """\
  roles:
    - role: viapi.esx.vm_fleet
  post_tasks:
    - name: Show what changed
      ansible.builtin.debug:
        msg: "fleet-changed={{ vm_fleet_changed | to_json }}"
""",
)


def test_the_play_module_defaults_give_the_connection(sim, tmp_path):
    playbook = tmp_path / "defaults.yml"
    playbook.write_text(MODULE_DEFAULTS_PLAY)
    fleet = [{"name": "fleet-md", "num_cpus": 1, "memory_mb": 128, "cluster": "DC0_C0",
              "datastore": "LocalDS_0", "guest_id": "otherGuest"}]  # fmt: skip
    res = run_playbook(playbook, {"esx": connection(sim), "vm_fleet_vms": fleet})
    assert res.rc == 0, res.stdout[-3000:] + res.stderr[-2000:]
    assert vms(sim)["fleet-md"] == (1, 128)


def server_guests(sim) -> dict:
    """name -> (guest.hostName, guest.ipAddress, powerState), read independently of the role."""
    paths = ["name", "guest.hostName", "guest.ipAddress", "runtime.powerState"]
    with Client(sim.host, sim.username, sim.password, port=sim.port, ca_path=str(sim.ca_path)) as c:
        rows = collect(c, {"VirtualMachine": paths})
    return {p["name"]: (p.get("guest.hostName"), p.get("guest.ipAddress"), p["runtime.powerState"])
            for _r, p in rows}  # fmt: skip


def test_fleet_from_a_template_in_parallel_reports_each_failure(sim):
    run(sim, [{"name": "fleet-tpl", "memory_mb": 128, "networks": [{"name": "VM Network"}],
               "is_template": True}])  # fmt: skip
    fleet = [
        {"name": f"fleet-c{i}", "template": "fleet-tpl", "state": "powered_on",
         "customization": {"hostname": f"host{i}"}, "wait_for": ["customization", "ip"],
         "networks": [{"name": "VM Network", "ip": f"10.0.1.{i}", "netmask": "255.255.255.0"}]}
        for i in range(1, 6)
    ]  # fmt: skip
    fleet[1]["customization"] = {"hostname": "fail-two"}
    vars_ = {"vm_fleet_connection": connection(sim), "vm_fleet_vms": fleet, "vm_fleet_parallel": 3,
             "vm_fleet_defaults": {"cluster": "DC0_C0", "datastore": "LocalDS_0"}}  # fmt: skip
    res = run_playbook(PLAYBOOK, vars_)
    assert res.rc != 0
    message = failed_message(res)
    assert message.startswith("1 of 5 VMs failed: fleet-c2: VM 'fleet-c2' was created"), message
    assert "An error occurred while setting up Linux identity" in message
    guests = server_guests(sim)
    for i in (1, 3, 4, 5):
        assert guests[f"fleet-c{i}"] == (f"host{i}", f"10.0.1.{i}", "poweredOn")
    assert guests["fleet-c2"][2] == "poweredOn"  # created, its customization failed: left as is
    fleet[1]["customization"] = {"hostname": "host2"}
    again = run_playbook(
        PLAYBOOK,
        dict(vars_, vm_fleet_vms=[{k: v for k, v in f.items() if k != "wait_for"} for f in fleet]),
    )
    assert again.rc == 0, again.stdout[-3000:]
    assert re.search(r"localhost\s*:\s*ok=\d+\s+changed=0", again.stdout), again.stdout[-2000:]


def test_customization_secrets_appear_in_no_output(sim):
    """The role loops over positions: no entry (with its passwords) reaches a result."""
    secrets = ("Fleet-Secret-Pw1", "FLEET-KEY-12345", "Fleet-Domain-Pw2")
    windows = {"password": secrets[0], "product_key": secrets[1], "join_domain": "ad.example",
               "domain_admin": "admin", "domain_admin_password": secrets[2]}  # fmt: skip
    fleet = [
        {"name": "fleet-w1", "template": "no-such-template", "customization": {
            "hostname": "w1", "windows": windows}},
        {"name": "fleet-w2", "memory_mb": 128, "customization": {
            "hostname": "w2", "windows": windows}},
    ]  # fmt: skip
    vars_ = {"vm_fleet_connection": connection(sim), "vm_fleet_vms": fleet,
             "vm_fleet_defaults": {"cluster": "DC0_C0", "datastore": "LocalDS_0",
                                   "guest_id": "otherGuest"}}  # fmt: skip
    for args in ((), ("-vvv",)):
        res = run_playbook(PLAYBOOK, vars_, args=args)
        assert res.rc != 0  # fleet-w1's template does not exist
        assert "fleet-w1" in failed_message(res)
        shown = res.stdout + res.stderr + json.dumps(res.tasks)
        for secret in secrets:
            at = shown.find(secret)
            assert at < 0, (args, secret, shown[max(0, at - 1500) : at - 700])


def test_the_fan_out_must_be_positive(sim):
    fleet = [{"name": "fleet-p0", "num_cpus": 1}]
    vars_ = {"vm_fleet_vms": fleet, "vm_fleet_parallel": 0, "vm_fleet_connection": connection(sim)}
    res = run_playbook(PLAYBOOK, vars_)
    assert res.rc != 0
    assert failed_message(res) == "parallel must be a positive number of VMs, got 0"
    assert "fleet-p0" not in vms(sim)
