"""esx_vm's bad-input table and failure reports: every error names the option and the value,
says where a name was looked for, never shows a traceback, and leaves the server unchanged.
"""

from __future__ import annotations

import re

import pytest
from faultproxy import HOOK, UNAVAILABLE, FaultProxy
from vm_runs import MODELS, ok, vm_run
from vm_server import task_names

NEW = {"name": "e-new", "guest_id": "otherGuest64", "memory_mb": 128}


def where(model: str) -> str:
    return "datacenter 'DC0'" if model == "vpx" else "datacenter 'ha-datacenter'"


def bad_inputs(model: str) -> list[tuple[dict, str]]:
    """(args, a fragment the message must contain) for every bad input."""
    dc = where(model)
    place = MODELS[model]["place"]
    return [
        (dict(NEW, host="no-such-host"), f"host: host 'no-such-host' not found in {dc}"),
        (dict(NEW, cluster="no-such-cluster"), f"cluster: cluster 'no-such-cluster' not found in {dc}"),
        (dict(NEW, **dict(place, datastore="no-such-ds")), f"datastore: datastore 'no-such-ds' not found in {dc}"),
        (dict(NEW, **place, networks=[{"name": "no-such-net"}]),
         f"networks[0].name: network 'no-such-net' not found in {dc}"),
        (dict(NEW, **place, folder="nope/deeper"), "folder: VM folder 'nope/deeper' not found"),
        (dict(NEW, **place, resource_pool="no-such-pool"), "resource_pool: resource pool 'no-such-pool' not found"),
        (dict(NEW, datacenter="no-such-dc"), "datacenter 'no-such-dc' not found"),
        (dict(NEW, memory_mb=1023), "memory_mb must be a positive multiple of 4, got 1023"),
        (dict(NEW, num_cpus=3, cores_per_socket=2), "num_cpus (3) must be a multiple of cores_per_socket (2)"),
        (dict(NEW, uuid="4211aaaa-0000-0000-0000-000000000000"), "mutually exclusive: name|uuid|moid"),
        (dict(NEW, name=None, moid="vm-999999"),
         "moid: VM 'vm-999999' not found in any datacenter; a new VM is created only from name"),
        ({"name": "e-new", **place}, "guest_id is required to create VM 'e-new'"),
        (dict(NEW, hardware_version="v19"), "hardware_version must look like vmx-19 or 19, got 'v19'"),
        (dict(NEW, cdroms=[{"type": "client", "iso_path": "[LocalDS_0] a.iso"}]),
         "cdroms[0].iso_path is for type iso; cdroms[0].type is client, got iso_path '[LocalDS_0] a.iso'"),
        (dict(NEW, cdroms=[{"type": "none", "connected": True}]),
         "cdroms[0].connected: an empty drive (type none) is disconnected; got connected true"),
        (dict(NEW, **place, hardware_version="vmx-99"), "the nearest offered: vmx-13, vmx-11, vmx-10"),
        (dict(NEW, disks=[{"size_gb": 1, "size_mb": 10}]), "mutually exclusive: size_gb|size_mb found in disks"),
        (dict(NEW, cdrom={"iso_path": "boot.iso"}),
         "cdrom.iso_path must look like '[datastore] dir/file.iso', got 'boot.iso'"),
        (dict(NEW, **place, cdrom={"iso_path": "[no-such-ds] boot.iso"}),
         f"cdrom.iso_path: datastore 'no-such-ds' not found in {dc}"),
        (dict(NEW, networks=[{"name": "VM Network", "mac_address": "zz"}]), "networks[0].mac_address must look like"),
        (dict(NEW, state="restarted"),
         "name: VM 'e-new' not found in any datacenter; state restarted needs an existing VM"),
        (dict(NEW, state="bogus"), "value of state must be one of"),
        # Text where suboptions belong: ansible-core's own message names no option.
        (dict(NEW, disks="20"), "disks: expected a list of dictionaries of suboptions ("),
        (dict(NEW, disks=["20"]), "disks[0]: expected a dictionary of suboptions"),
        (dict(NEW, disks=[{"size_gb": 1}, "20"]), "), got the text '20'"),
        (dict(NEW, networks="VM Network"),
         "networks: expected a list of dictionaries of suboptions ("),
        (dict(NEW, cdrom="yes"), "cdrom: expected a dictionary of suboptions ("),
    ]  # fmt: skip


def test_bad_input_table(server, sim, model):
    snapshot, tasks = server.snapshot(), server.tasks()
    for args, fragment in bad_inputs(model):
        args = {k: v for k, v in args.items() if v is not None}
        for check in (True, False):
            result = vm_run(sim, args, check=check, diff=False)
            assert result.failed, (args, result.result)
            assert fragment in result["msg"], (args, result["msg"])
            assert result.get("changed") in (None, False)
    assert server.snapshot() == snapshot and server.tasks() == tasks


def test_vm_lookup_errors_name_the_option_and_where(server, sim, model):
    """A VM that is not there: `<option>: VM '<value>' not found in <where>`, in both modes."""
    dc = where(model)
    uuid = "4211aaaa-0000-0000-0000-000000000000"
    cases = [
        ({"name": "e-gone", "state": "restarted", "datacenter": dc.split("'")[1]},
         f"name: VM 'e-gone' not found in {dc}; state restarted needs an existing VM"),
        ({"name": "e-gone", "state": "suspended", "folder": "vm/nope"},
         "name: VM 'e-gone' not found in folder 'vm/nope'; state suspended needs an existing VM"),
        ({"uuid": uuid, "state": "powered_on"},
         f"uuid: VM '{uuid}' not found in any datacenter; a new VM is created only from name"),
        ({"uuid": uuid, "use_instance_uuid": True, "state": "powered_on"},
         f"uuid: VM with instance uuid '{uuid}' not found in any datacenter; a new VM is created only from name"),
    ]  # fmt: skip
    snapshot, tasks = server.snapshot(), server.tasks()
    for args, message in cases:
        for check in (True, False):
            result = vm_run(sim, args, check=check, diff=False)
            assert result.failed and result["msg"] == message, (args, result.get("msg"))
    assert server.snapshot() == snapshot and server.tasks() == tasks


def test_cluster_host_mismatch_and_invisible_datastore(server, sim, model):
    if model == "esx":
        pytest.skip("a standalone ESXi host has one host and no cluster")
    result = vm_run(sim, dict(NEW, cluster="DC0_C0", host="DC0_H0"), diff=False)
    assert result.failed and "host: host 'DC0_H0' is not in cluster 'DC0_C0'" in result["msg"]
    result = vm_run(sim, dict(NEW), diff=False)
    assert result.failed and "set host, cluster or resource_pool" in result["msg"]
    assert "DC0_C0, DC0_H0" in result["msg"]


def test_shrinking_a_disk_names_it(server, sim, model):
    ok(vm_run(sim, dict(NEW, name="e-shrink", **MODELS[model]["place"], disks=[{"size_gb": 1}])))
    result = vm_run(sim, {"name": "e-shrink", "disks": [{"size_mb": 512}]})
    assert result.failed
    assert re.search(
        r"disks\[0\]\.size_mb: \S+ is 1 GiB; shrinking it to 512 MiB is not possible", result["msg"]
    )
    result = vm_run(sim, {"name": "e-shrink", "disks": [{"size_gb": 1, "type": "eager_zeroed"}]})
    assert result.failed and "disks[0].type:" in result["msg"] and "is thin" in result["msg"]


def test_ambiguous_name_lists_the_folders(server, sim, model):
    if model == "esx":
        pytest.skip("ESXi has no VM subfolders (CreateFolder: NotSupported), so no same-name VMs")
    dc_ref = next(iter(server.names("Datacenter")))
    vm_folder = server.props(dc_ref, ["vmFolder"])["vmFolder"]
    server.call(vm_folder, "CreateFolder", name="team-a")
    dc = "DC0" if model == "vpx" else "ha-datacenter"
    place = MODELS[model]["place"]
    ok(vm_run(sim, dict(NEW, name="e-twin", **place)))
    ok(vm_run(sim, dict(NEW, name="e-twin", folder="team-a", **place)))
    assert len([n for n in server.vms().values() if n["name"] == "e-twin"]) == 2
    result = vm_run(sim, {"name": "e-twin", "annotation": "which one?"})
    assert result.failed
    assert "2 VMs are named 'e-twin'" in result["msg"]
    folders = result["msg"].split("Their folders: ", 1)[1].split(", ")
    assert sorted(folders) == [f"/{dc}/vm", f"/{dc}/vm/team-a"]
    # The folder tells them apart.
    assert ok(
        vm_run(sim, {"name": "e-twin", "folder": f"/{dc}/vm/team-a", "annotation": "this one"})
    )["changed"]


def test_failed_creation_leaves_nothing(server, sim, model, tmp_path):
    """The server refuses CreateVM_Task: its fault reaches the user, and no VM is left."""

    def drop_unit_number(req):
        # A disk without a unit number, which the server refuses with InvalidDeviceSpec.
        req.body = re.sub(rb"<unitNumber>0</unitNumber>(?=<capacityInKB>)", b"", req.body, count=1)
        req.headers = [
            (k, str(len(req.body)) if k.lower() == "content-length" else v) for k, v in req.headers
        ]

    args = dict(NEW, name="e-broken", **MODELS[model]["place"], disks=[{"size_mb": 8}])
    tasks = server.tasks()
    with FaultProxy(sim.host, sim.port, upstream_ca=sim.ca_path, cert_dir=tmp_path) as proxy:
        proxy.next(HOOK, method="CreateVM_Task", hook=drop_unit_number)
        through = {"hostname": proxy.host, "port": proxy.port, "ca_path": proxy.ca_path}
        result = vm_run(sim, dict(args, **through), diff=False)
    assert result.failed
    assert "creating VM 'e-broken' failed" in result["msg"] and "InvalidDeviceSpec" in result["msg"]
    assert "nothing was left behind" in result["msg"]
    assert server.vm("e-broken") is None
    assert task_names(tasks, server.tasks()) == ["CreateVM_Task"]


def test_power_on_failure_after_creation_is_reported(server, sim, model, tmp_path):
    """The VM is made but the power-on answer is lost: the result says so, with the VM's facts."""
    args = dict(NEW, name="e-half", **MODELS[model]["place"], state="powered_on")
    with FaultProxy(sim.host, sim.port, upstream_ca=sim.ca_path, cert_dir=tmp_path) as proxy:
        proxy.next(UNAVAILABLE, method="PowerOnVM_Task")
        through = {"hostname": proxy.host, "port": proxy.port, "ca_path": proxy.ca_path}
        result = vm_run(sim, dict(args, **through), diff=False)
    ref = server.vm("e-half")
    assert result.failed and result["changed"] is True
    assert f"VM 'e-half' was created ({ref.value}) but powering it on failed" in result["msg"]
    assert result["vm"]["moid"] == ref.value and result["vm"]["power_state"] == "powered_off"
    assert server.power(ref) == "poweredOff"
    # Running it again finishes the job.
    assert ok(vm_run(sim, args))["changes"] == ["power_state"]


def test_two_datacenters(vcsim_factory):
    """With two datacenters a new VM needs one named; lookups by name search both."""
    sim = vcsim_factory("--dc", "2", "--cluster", "0", "--host", "1", "--vm", "1")
    args = dict(NEW, name="e-dc", host="DC1_H0")
    result = vm_run(sim, args, diff=False)
    assert (
        result.failed
        and "2 datacenters exist, set datacenter to one of them: DC0, DC1" in result["msg"]
    )
    made = ok(vm_run(sim, dict(args, datacenter="DC1"), diff=False))
    assert made["vm"]["datacenter"] == "DC1" and made["vm"]["host"] == "DC1_H0"
    found = ok(vm_run(sim, {"name": "e-dc", "annotation": "found"}, diff=False))
    assert found["changed"] and found["vm"]["moid"] == made["vm"]["moid"]
    wrong = vm_run(sim, dict(args, datacenter="DC0"), diff=False)
    assert wrong.failed and "host: host 'DC1_H0' not found in datacenter 'DC0'" in wrong["msg"]
