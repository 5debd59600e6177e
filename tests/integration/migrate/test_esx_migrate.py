"""esx_migrate against the simulator's pre-migration model (vcsim serve --scenario premigration).

Every placement is cross-checked by an independent read of the server (a VI session of its
own), never only by the module's word. Tests that move VMs get a simulator of their own;
the others share one and assert that it did not change.
"""

from __future__ import annotations

import ast

import pytest
import yaml
from ansible_run import ROOT, connection, run_module, run_playbook
from return_docs import assert_matches_return

from ansible_collections.viapi.esx.plugins.module_utils.migration import relocate
from ansible_collections.viapi.esx.plugins.module_utils.migration.request import Destination
from ansible_collections.viapi.esx.plugins.module_utils.premigration import (
    checks,
    runner,
    snapshot,
)
from ansible_collections.viapi.esx.plugins.module_utils.vi.collector import collect
from ansible_collections.viapi.esx.plugins.module_utils.vi.session import Client
from ansible_collections.viapi.esx.plugins.module_utils.vm import identify
from ansible_collections.viapi.esx.plugins.module_utils.vm.request import VmIdentity

SCENARIO = ("--scenario", "premigration")


def client(sim) -> Client:
    return Client(sim.host, sim.username, sim.password, port=sim.port, ca_path=str(sim.ca_path))


def where(sim, vm_name: str) -> dict:
    """The VM's host, pool, datastores and file paths, read independently of the module."""
    with client(sim) as c:
        names = {r: p["name"] for r, p in collect(c, {"ManagedEntity": ["name"]})}
        rows = collect(c, {"VirtualMachine": ["name", "runtime.host", "resourcePool", "datastore",
                                              "config.files.vmPathName", "config.hardware.device"]})  # fmt: skip
    props = next(p for _r, p in rows if p["name"] == vm_name)
    disks = [d for d in props["config.hardware.device"] if d["_type"] == "VirtualDisk"]
    return {
        "host": names[props["runtime.host"]],
        "pool": props["resourcePool"].value,
        "datastores": sorted(names[d] for d in props["datastore"]),
        "vmx": props["config.files.vmPathName"],
        "disk_datastores": sorted(names[d["backing"]["datastore"]] for d in disks),
        "disk_files": [d["backing"]["fileName"] for d in disks],
    }


def migrate(sim, vm: str, check: bool = False, **args):
    """Run esx_migrate on the role VM `vm`; every result is checked against RETURN."""
    result = run_module("esx_migrate", {"name": role(sim, "vms", vm), **args}, sim=sim, check=check)
    assert "Traceback" not in result.stdout + result.stderr, result.stdout[-3000:]
    assert_matches_return("esx_migrate", result.result)
    return result


def role(sim, kind: str, name: str) -> str:
    return sim.manifest["premigration"][kind][name]


def status(result) -> dict:
    return {c["name"]: c["status"] for c in result["checks"]}


def blocked(result, *names):
    assert result.failed and result.rc != 0, result.result
    assert result.get("changed") is False
    assert result["blocked_by"] == list(names), result["msg"]
    for name in names:
        assert name in result["msg"]
    assert [c["name"] for c in result["checks"]] == list(checks.NAMES)


@pytest.fixture(scope="module")
def shared(vcsim_factory):
    """A scenario simulator that the tests using it must leave as they found it."""
    return vcsim_factory(*SCENARIO)


@pytest.fixture
def fresh(vcsim_factory):
    """A scenario simulator of the test's own (the test moves VMs)."""
    return vcsim_factory(*SCENARIO)


@pytest.fixture(autouse=True)
def unchanged(request):
    """Tests on the shared simulator must not move any role VM."""
    if "shared" not in request.fixturenames:
        yield
        return
    sim = request.getfixturevalue("shared")
    before = {vm: where(sim, name) for vm, name in sim.manifest["premigration"]["vms"].items()}
    yield
    assert {
        vm: where(sim, name) for vm, name in sim.manifest["premigration"]["vms"].items()
    } == before


# ---------------------------------------------------------------- the model


def test_the_scenario_places_every_role_vm_on_source(shared):
    roles = shared.manifest["premigration"]
    assert set(roles["hosts"]) == {"source", "ok", "maintenance", "incompatible", "no_vmotion"}
    assert set(roles["vms"]) >= {"clean", "host_cdrom", "missing_network"}
    for vm in roles["vms"].values():
        assert where(shared, vm)["host"] == roles["hosts"]["source"]


# ---------------------------------------------------------------- moves


def test_clean_vm_moves_to_ok_and_a_second_run_changes_nothing(fresh):
    ok_host = role(fresh, "hosts", "ok")
    result = migrate(fresh, "clean", host=ok_host)
    assert not result.failed and result["changed"] is True, result.get("msg")
    assert result["blocked_by"] == []
    assert set(status(result).values()) <= {"passed", "skipped"}
    assert status(result)["server_checks"] == "skipped"
    assert result["source"]["host"] == role(fresh, "hosts", "source")
    assert result["destination"]["host"] == ok_host and result["vm"]["host"] == ok_host
    assert where(fresh, role(fresh, "vms", "clean"))["host"] == ok_host
    again = migrate(fresh, "clean", host=ok_host)
    assert not again.failed and again["changed"] is False
    assert "nothing to do" in again["msg"]


def test_storage_move_puts_files_and_disks_on_the_new_datastore(fresh):
    target = role(fresh, "datastores", "target")
    result = migrate(fresh, "clean", datastore=target)
    assert not result.failed and result["changed"] is True, result.get("msg")
    assert status(result)["datastore_space"] == "passed"
    assert status(result)["shared_storage"] == "passed"
    placed = where(fresh, role(fresh, "vms", "clean"))
    assert placed["datastores"] == [target] and placed["disk_datastores"] == [target]
    assert placed["vmx"].startswith(f"[{target}] ")
    assert all(f.startswith(f"[{target}] ") for f in placed["disk_files"])
    assert placed["host"] == role(fresh, "hosts", "source")
    assert result["vm"]["datastores"] == [target]
    assert migrate(fresh, "clean", datastore=target)["changed"] is False


def test_move_to_a_standalone_host_takes_its_root_pool(fresh):
    with client(fresh) as c:
        standalone = next(h for h in fresh.manifest["hosts"] if not h["cluster"])
        pool = next(p for r, p in collect(c, {"ComputeResource": ["name", "resourcePool"]})
                    if p["name"] == standalone["name"])["resourcePool"]  # fmt: skip
    result = migrate(fresh, "clean", host=standalone["name"])
    assert not result.failed, result.get("msg")
    placed = where(fresh, role(fresh, "vms", "clean"))
    assert placed["host"] == standalone["name"] and placed["pool"] == pool.value
    assert result["destination"]["cluster"] is None and result["source"]["cluster"] == "DC0_C0"


def test_host_cdrom_moves_when_host_devices_is_skipped(fresh):
    ok_host = role(fresh, "hosts", "ok")
    result = migrate(fresh, "host_cdrom", host=ok_host, checks={"skip": ["host_devices"]})
    assert not result.failed, result.get("msg")
    hd = next(c for c in result["checks"] if c["name"] == "host_devices")
    assert (hd["status"], hd["message"]) == ("skipped", "skipped by request")
    assert where(fresh, role(fresh, "vms", "host_cdrom"))["host"] == ok_host


def test_host_cdrom_moves_when_host_devices_is_regraded(fresh):
    ok_host = role(fresh, "hosts", "ok")
    result = migrate(
        fresh, "host_cdrom", host=ok_host, checks={"severity": {"host_devices": "warning"}}
    )
    assert not result.failed, result.get("msg")
    hd = next(c for c in result["checks"] if c["name"] == "host_devices")
    assert (hd["severity"], hd["status"]) == ("warning", "warning")
    assert "/vmfs/devices/cdrom/" in hd["message"]
    assert where(fresh, role(fresh, "vms", "host_cdrom"))["host"] == ok_host


# ---------------------------------------------------------------- blocked: nothing moves


def test_maintenance_host_blocks(shared):
    result = migrate(shared, "clean", host=role(shared, "hosts", "maintenance"))
    blocked(result, "destination_host_state")
    assert status(result)["destination_host_state"] == "failed"
    assert "maintenance mode" in result["msg"]
    assert result["vm"]["host"] == role(shared, "hosts", "source")


def test_incompatible_host_fails_cpu_and_hardware_and_warns_on_version(shared):
    result = migrate(shared, "clean", host=role(shared, "hosts", "incompatible"))
    blocked(result, "cpu_compatibility", "hardware_version")
    assert status(result)["product_version"] == "warning"
    cpu = next(c for c in result["checks"] if c["name"] == "cpu_compatibility")
    assert (
        cpu["details"]["destination_vendor"] == "amd" and cpu["details"]["source_vendor"] == "intel"
    )
    hw = next(c for c in result["checks"] if c["name"] == "hardware_version")
    assert hw["details"] == {"vm": "vmx-13", "host_version": "6.0.0", "max": 11}


def test_no_vmotion_host_blocks_a_running_vm(shared):
    result = migrate(shared, "clean", host=role(shared, "hosts", "no_vmotion"))
    blocked(result, "vmotion_enabled")


def test_host_cdrom_is_blocked_by_host_devices(shared):
    result = migrate(shared, "host_cdrom", host=role(shared, "hosts", "ok"))
    blocked(result, "host_devices")


def test_missing_network_is_blocked_by_networks(shared):
    result = migrate(shared, "missing_network", host=role(shared, "hosts", "ok"))
    blocked(result, "networks")
    assert role(shared, "networks", "source_only") in result["msg"]


def test_local_storage_is_blocked_by_shared_storage(shared):
    result = migrate(shared, "local_storage", host=role(shared, "hosts", "ok"))
    blocked(result, "shared_storage")
    assert role(shared, "datastores", "source_only") in result["msg"]


def test_a_running_vm_with_a_nonpersistent_disk_is_blocked_on_a_storage_move(fresh):
    """Storage vMotion moves disks in persistent mode (or RDMs) only; the check warned and the
    move went on to the server."""
    from ansible_collections.viapi.esx.plugins.module_utils.vi.tasks import wait_for_task

    name, target = role(fresh, "vms", "clean"), role(fresh, "datastores", "target")
    with client(fresh) as c:
        rows = collect(c, {"VirtualMachine": ["name", "config.hardware.device"]})
        ref, props = next((r, p) for r, p in rows if p["name"] == name)
        disk = next(d for d in props["config.hardware.device"] if d["_type"] == "VirtualDisk")
        disk["backing"]["diskMode"] = "independent_nonpersistent"
        spec = {"_type": "VirtualMachineConfigSpec", "deviceChange": [
            {"_type": "VirtualDeviceConfigSpec", "operation": "edit", "device": disk}]}  # fmt: skip
        wait_for_task(c, c.call(ref, "ReconfigVM_Task", spec=spec), 60)
    before = where(fresh, name)
    result = migrate(fresh, "clean", datastore=target)
    blocked(result, "independent_disks")
    assert "Storage vMotion moves only disks in persistent mode" in result["msg"]
    assert where(fresh, name) == before
    # A host move is no Storage vMotion: the disk is only flagged.
    moved = migrate(fresh, "clean", host=role(fresh, "hosts", "ok"), check=True)
    assert not moved.failed and status(moved)["independent_disks"] == "warning", moved.get("msg")


def test_a_full_datastore_blocks_a_storage_move(shared):
    result = migrate(shared, "clean", datastore=role(shared, "datastores", "full"))
    blocked(result, "datastore_space")


def test_fail_on_warning_blocks_on_warnings(shared):
    args = {
        "host": role(shared, "hosts", "ok"),
        "checks": {"severity": {"host_devices": "warning"}},
    }
    passes = migrate(shared, "host_cdrom", check=True, **args)
    assert not passes.failed and passes["changed"] is True
    args["checks"]["fail_on"] = "warning"
    result = migrate(shared, "host_cdrom", check=True, **args)
    blocked(result, "host_devices")


def test_several_problems_are_all_reported(shared):
    result = migrate(shared, "host_cdrom", host=role(shared, "hosts", "incompatible"))
    blocked(result, "cpu_compatibility", "hardware_version", "host_devices")


def test_a_host_cdrom_blocks_a_move_into_a_drs_cluster(shared):
    """DRS picks the host, but the VM leaves its own: its host devices still matter."""
    standalone = next(h["moid"] for h in shared.manifest["hosts"] if not h["cluster"])
    vm = next(v["name"] for v in shared.manifest["vms"] if v["host"] == standalone)
    before = where(shared, vm)
    args = {"name": vm, "cluster": shared.manifest["premigration"]["cluster"]}
    result = run_module("esx_migrate", args, sim=shared, check=True)
    blocked(result, "host_devices")
    assert status(result)["destination_host_state"] == "skipped"
    assert status(result)["vmotion_enabled"] == "passed", result["checks"]
    skipped = run_module("esx_migrate", dict(args, checks={"skip": ["host_devices"]}), sim=shared,
                         check=True)  # fmt: skip
    assert not skipped.failed and skipped["changed"] is True, skipped.get("msg")
    assert where(shared, vm) == before


def test_a_move_into_a_drs_cluster_lands_on_a_host_drs_picks(fresh):
    standalone = next(h["moid"] for h in fresh.manifest["hosts"] if not h["cluster"])
    vm = next(v["name"] for v in fresh.manifest["vms"] if v["host"] == standalone)
    name = fresh.manifest["premigration"]["cluster"]
    cluster = next(c for c in fresh.manifest["clusters"] if c["name"] == name)
    args = {"name": vm, "cluster": cluster["name"], "checks": {"skip": ["host_devices"]}}
    result = run_module("esx_migrate", args, sim=fresh)
    assert not result.failed and result["changed"] is True, result.get("msg")
    assert_matches_return("esx_migrate", result.result)
    placed = where(fresh, vm)
    hosts = {h["moid"]: h["name"] for h in fresh.manifest["hosts"]}
    assert placed["host"] in [hosts[h] for h in cluster["hosts"]]
    assert placed["pool"] == cluster["resource_pool"]
    assert result["destination"]["host"] == placed["host"] == result["vm"]["host"]
    assert result["destination"]["cluster"] == cluster["name"]
    again = run_module("esx_migrate", args, sim=fresh)
    assert not again.failed and again["changed"] is False, again.get("msg")


# ---------------------------------------------------------------- check mode, ESXi


def test_check_mode_runs_every_check_and_moves_nothing(shared):
    result = migrate(shared, "clean", check=True, host=role(shared, "hosts", "ok"))
    assert not result.failed and result["changed"] is True
    assert "would move" in result["msg"]
    assert len(result["checks"]) == len(checks.NAMES)
    assert result["destination"]["host"] == role(shared, "hosts", "ok")
    assert result["vm"]["host"] == role(shared, "hosts", "source")


def test_esxi_runs_the_checks_and_skips_the_server_checks(vcsim_factory):
    sim = vcsim_factory("--esx", "--ds", "2")
    vm = sim.manifest["vms"][0]["name"]
    result = run_module("esx_migrate", {"name": vm, "datastore": "LocalDS_1"}, sim=sim, check=True)
    assert not result.failed and result["changed"] is True, result.get("msg")
    assert_matches_return("esx_migrate", result.result)
    server = next(c for c in result["checks"] if c["name"] == "server_checks")
    assert server["status"] == "skipped" and "ESXi" in server["message"]
    assert status(result)["datastore_space"] == "passed"
    assert status(result)["vm_state"] == "passed"
    with client(sim) as c:
        names = {r: p["name"] for r, p in collect(c, {"Datastore": ["name"]})}
        rows = collect(c, {"VirtualMachine": ["name", "datastore"]})
    on = [names[d] for d in next(p for _r, p in rows if p["name"] == vm)["datastore"]]
    assert on == ["LocalDS_0"] and result["vm"]["datastores"] == ["LocalDS_0"]


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "args, words",
    [
        ({"host": "nope"}, "host 'nope' not found"),
        ({"host": "DC0_C0_H1", "checks": {"severity": {"networks": "fatal"}}},
         "checks.severity.networks: 'fatal' is not one of"),
        ({"host": "DC0_C0_H1", "checks": {"severity": {"vmotion": "info"}}},
         "checks.severity: unknown check 'vmotion'"),
        ({"host": "DC0_C0_H1", "checks": {"snapshot_depth": -1}},
         "checks.snapshot_depth must be 0 or more snapshots, got -1"),
        ({"host": "DC0_C0_H1", "cluster": "nope"}, "cluster 'nope' not found"),
        ({"host": "DC0_H0", "cluster": "DC0_C0"}, "host 'DC0_H0' is not in cluster 'DC0_C0'"),
        ({"host": "DC0_C0_H1", "wait_timeout": 0}, "wait_timeout must be a positive number"),
        ({}, "one of the following is required: host, cluster, resource_pool, datastore"),
    ],
)  # fmt: skip
def test_bad_input_names_the_option(shared, args, words):
    result = run_module("esx_migrate", {"name": role(shared, "vms", "clean"), **args}, sim=shared)
    assert result.failed and words in result.get("msg", result.stdout), result.get("msg")
    assert "Traceback" not in result.stdout + result.stderr


# ---------------------------------------------------------------- performance


def test_client_side_checks_need_at_most_two_bulk_reads(shared):
    with client(shared) as c:
        vm = identify.find_vm(c, VmIdentity(name=role(shared, "vms", "clean")))
        destination = relocate.resolve_destination(
            c, Destination(host=role(shared, "hosts", "incompatible"))
        )
        before = c.round_trips
        snap = snapshot.gather(c, vm, destination)
        reads = c.round_trips - before
        options = runner.Options(skip=("server_checks",))
        options.validate()
        report = runner.run(snap, options)
        assert c.round_trips - before == reads, "a check made a call of its own"
    assert reads <= 2
    assert snap["source"]["host"]["name"] == role(shared, "hosts", "source")
    assert snap["destination"]["host"]["cpu_vendor"] == "amd"
    found = {r.name: r.status for r in report.results}
    assert found["cpu_compatibility"] == "failed" and found["product_version"] == "warning"
    assert sum(s != "skipped" for s in found.values()) >= 12


# ---------------------------------------------------------------- EXAMPLES


def examples() -> list[dict]:
    tree = ast.parse((ROOT / "plugins" / "modules" / "esx_migrate.py").read_text())
    node = next(
        n for n in tree.body
        if isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "EXAMPLES" for t in n.targets)
    )  # fmt: skip
    return yaml.safe_load(node.value.value)


def test_examples_run_as_written(fresh, tmp_path):
    play = {
        "hosts": "localhost",
        "gather_facts": False,
        "module_defaults": {"group/viapi.esx.esx": connection(fresh)},
        "tasks": examples(),
    }
    path = tmp_path / "examples.yml"
    path.write_text(yaml.safe_dump([play], sort_keys=False))
    result = run_playbook(path)
    assert result.rc == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "failed=0" in result.stdout
    assert "blocked by destination_host_state" in result.stdout
    ok_host, target = role(fresh, "hosts", "ok"), role(fresh, "datastores", "target")
    assert where(fresh, role(fresh, "vms", "host_cdrom"))["host"] == ok_host
    clean = where(fresh, role(fresh, "vms", "clean"))
    assert clean["host"] == ok_host and clean["disk_datastores"] == [target]


# ---------------------------------------------------------------- choosing among hosts


def test_hosts_skips_the_ones_refused_and_moves_to_one_that_passes(fresh):
    hosts = [role(fresh, "hosts", r) for r in ("incompatible", "no_vmotion", "ok")]
    result = migrate(fresh, "clean", hosts=hosts)
    assert not result.failed and result["changed"] is True, result.get("msg")
    ok_host = role(fresh, "hosts", "ok")
    assert where(fresh, role(fresh, "vms", "clean"))["host"] == ok_host
    assert result["choice"]["host"] == ok_host and result["destination"]["host"] == ok_host
    refused = {c["host"]: c["blocked_by"] for c in result["choice"]["candidates"]}
    assert refused == {
        hosts[0]: ["cpu_compatibility", "hardware_version"],
        hosts[1]: ["vmotion_enabled"],
        ok_host: [],
    }
    assert "chosen as the only one of 3 candidate hosts whose checks pass" in result["msg"]
    again = migrate(fresh, "clean", hosts=hosts)
    assert not again.failed and again["changed"] is False, again.get("msg")
    assert again["choice"]["host"] == ok_host


def test_hosts_none_accepts_fails_naming_each_hosts_checks(shared):
    names = [role(shared, "hosts", r) for r in ("incompatible", "no_vmotion", "maintenance")]
    result = migrate(shared, "clean", hosts=names)
    blocked(result, "destination_host_state", "vmotion_enabled", "cpu_compatibility",
            "hardware_version")  # fmt: skip
    assert result["msg"] == (
        f"VM '{role(shared, 'vms', 'clean')}' cannot move to any of 3 hosts: "
        f"{names[0]}: cpu_compatibility, hardware_version; {names[1]}: vmotion_enabled; "
        f"{names[2]}: destination_host_state"
    )
    assert result["choice"]["host"] is None and result["destination"]["host"] is None
    assert all(not c["accepted"] and c["reasons"] for c in result["choice"]["candidates"])


def test_hosts_prefers_the_most_free_memory(shared):
    standalone = next(h["name"] for h in shared.manifest["hosts"] if not h["cluster"])
    ok_host = role(shared, "hosts", "ok")
    result = migrate(shared, "clean", check=True, hosts=[standalone, ok_host])
    assert not result.failed and result["changed"] is True, result.get("msg")
    assert result["choice"]["host"] == ok_host and result["destination"]["host"] == ok_host
    free = {c["host"]: c["free_memory_mb"] for c in result["choice"]["candidates"]}
    assert free[ok_host] > free[standalone]
    assert result["choice"]["reason"].startswith(f"the most free memory ({free[ok_host]} MiB)")


def test_a_cluster_without_drs_gets_a_host_chosen_among_its_own(vcsim_factory):
    """vCenter needs a host named for a cluster without DRS: the module picks one of the
    cluster's hosts as for `hosts` (the source's is a candidate too, the ok host has the
    most free memory)."""
    sim = vcsim_factory(*SCENARIO, "--no-drs")
    standalone = next(h["moid"] for h in sim.manifest["hosts"] if not h["cluster"])
    vm = next(v["name"] for v in sim.manifest["vms"] if v["host"] == standalone)
    cluster, ok_host = sim.manifest["premigration"]["cluster"], role(sim, "hosts", "ok")
    args = {"name": vm, "cluster": cluster, "checks": {"skip": ["host_devices"]}}
    result = run_module("esx_migrate", args, sim=sim)
    assert not result.failed and result["changed"] is True, result.get("msg")
    assert_matches_return("esx_migrate", result.result)
    assert result["choice"]["host"] == ok_host and result["destination"]["host"] == ok_host
    refused = {c["host"]: c["blocked_by"] for c in result["choice"]["candidates"]}
    assert refused == {
        role(sim, "hosts", "source"): [],
        ok_host: [],
        role(sim, "hosts", "maintenance"): ["destination_host_state"],
        role(sim, "hosts", "incompatible"): ["cpu_compatibility", "hardware_version"],
        role(sim, "hosts", "no_vmotion"): ["vmotion_enabled"],
    }
    placed = where(sim, vm)
    assert placed["host"] == ok_host and placed["pool"] == next(
        c["resource_pool"] for c in sim.manifest["clusters"] if c["name"] == cluster
    )
    again = run_module("esx_migrate", args, sim=sim)
    assert not again.failed and again["changed"] is False, again.get("msg")


def test_host_and_hosts_are_mutually_exclusive(shared):
    args = {"host": role(shared, "hosts", "ok"), "hosts": [role(shared, "hosts", "ok")]}
    result = run_module("esx_migrate", {"name": role(shared, "vms", "clean"), **args}, sim=shared)
    assert result.failed and "mutually exclusive: host|hosts" in result.get("msg", ""), result.get(
        "msg"
    )


@pytest.mark.parametrize(
    "args, message",
    [
        ({"host": "nohost"}, "host: host 'nohost' not found in any datacenter"),
        ({"host": "nohost", "datacenter": "DC0"}, "host: host 'nohost' not found in datacenter 'DC0'"),
        ({"cluster": "nope"}, "cluster: cluster 'nope' not found in any datacenter"),
        ({"datastore": "nods"}, "datastore: datastore 'nods' not found in any datacenter"),
        ({"cluster": "DC0_C0", "resource_pool": "nopool"},
         "resource_pool: resource pool 'nopool' not found in cluster 'DC0_C0'"),
        ({"host": "DC0_C0_H1", "datacenter": "nope"}, "datacenter: datacenter 'nope' not found (known: DC0)"),
    ],
)  # fmt: skip
def test_lookup_errors_name_the_option_and_where(shared, args, message):
    result = run_module("esx_migrate", {"name": role(shared, "vms", "clean"), **args}, sim=shared)
    assert result.failed and result["msg"] == message, result.get("msg")


@pytest.mark.parametrize(
    "args, message",
    [
        ({"name": "no-vm"}, "name: VM 'no-vm' not found in any datacenter"),
        ({"name": "no-vm", "datacenter": "DC0"}, "name: VM 'no-vm' not found in datacenter 'DC0'"),
        ({"name": "no-vm", "folder": "/DC0/vm"}, "name: VM 'no-vm' not found in folder '/DC0/vm'"),
        ({"uuid": "4211aaaa-0000-0000-0000-000000000000"},
         "uuid: VM '4211aaaa-0000-0000-0000-000000000000' not found in any datacenter"),
        ({"moid": "vm-999999"}, "moid: VM 'vm-999999' not found in any datacenter"),
    ],
)  # fmt: skip
def test_vm_lookup_errors_name_the_option_and_where(shared, args, message):
    host = role(shared, "hosts", "ok")
    result = run_module("esx_migrate", {**args, "host": host}, sim=shared)
    assert result.failed and result["msg"] == message, result.get("msg")
