"""esx_vm_info against vCenter and ESXi models: counts and values equal an independent read of
the server, every filter, templates, raw `properties`, and the round trips of a single lookup.
"""

from __future__ import annotations

import pytest
from ansible_run import run_module
from pyVim.task import WaitForTask
from pyVmomi import vim
from return_docs import assert_matches_return
from vm_server import Server

from ansible_collections.viapi.esx.plugins.module_utils.vi.session import Client
from ansible_collections.viapi.esx.plugins.module_utils.vm import query as vm_query
from ansible_collections.viapi.esx.plugins.module_utils.vm.request import VmIdentity, VmQuery

POWER = {"poweredOn": "powered_on", "poweredOff": "powered_off", "suspended": "suspended"}
RAW = ["name", "config.uuid", "config.instanceUuid", "config.hardware.numCPU",
       "config.hardware.memoryMB", "config.guestId", "config.template", "runtime.powerState",
       "runtime.host", "config.hardware.device"]  # fmt: skip


@pytest.fixture(scope="module", params=["vpx", "esx"])
def shared(request):
    """The session's shared simulators (only read here)."""
    return request.getfixturevalue(f"vcsim_{request.param}")


@pytest.fixture(scope="module")
def truth(shared):
    """What the server holds, read through pyVmomi (vm_server): moid -> expected facts subset."""
    server = Server(shared)
    try:
        hosts = server.collect({"HostSystem": ["name", "parent"]})
        clusters = server.names("ClusterComputeResource")
        expected = {}
        for ref, p in server.vms(RAW).items():
            host = hosts[p["runtime.host"]]
            disks = [d for d in p["config.hardware.device"] if d["_type"] == "VirtualDisk"]
            expected[ref.value] = {
                "name": p["name"], "uuid": p["config.uuid"], "instance_uuid": p["config.instanceUuid"],
                "num_cpus": p["config.hardware.numCPU"], "memory_mb": p["config.hardware.memoryMB"],
                "guest_id": p["config.guestId"], "template": p["config.template"],
                "power_state": POWER[p["runtime.powerState"]], "host": host["name"],
                "cluster": clusters.get(host["parent"]),
                "disks": len(disks),
            }  # fmt: skip
        return expected
    finally:
        server.close()


def info(sim, **args):
    result = run_module("esx_vm_info", args, sim=sim)
    assert not result.failed, result.get("msg") or result.stdout[-3000:]
    assert result["changed"] is False
    assert_matches_return("esx_vm_info", result.result)
    return result["vms"]


def subset(facts: dict, like: dict) -> dict:
    return {k: (len(facts[k]) if k == "disks" else facts[k]) for k in like}


def test_every_vm_equals_an_independent_read(shared, truth):
    vms = info(shared)
    assert len(vms) == len(truth) > 0
    for facts in vms:
        assert subset(facts, truth[facts["moid"]]) == truth[facts["moid"]]
        assert set(facts) >= {
            "datacenter",
            "folder",
            "resource_pool",
            "nics",
            "cdroms",
            "datastores",
        }


def test_filters(shared, truth):
    some = sorted(truth.items())[0]
    moid, want = some
    assert [v["moid"] for v in info(shared, name=want["name"])] == [moid]
    assert [v["moid"] for v in info(shared, moid=moid)] == [moid]
    assert [v["moid"] for v in info(shared, uuid=want["uuid"])] == [moid]
    assert [v["moid"] for v in info(shared, uuid=want["uuid"].upper())] == [moid]  # RFC 4122
    assert [
        v["moid"] for v in info(shared, uuid=want["instance_uuid"], use_instance_uuid=True)
    ] == [moid]
    assert info(shared, name="no-such-vm") == [] and info(shared, moid="vm-999999") == []
    # use_instance_uuid without uuid changes nothing, and says so.
    named = run_module("esx_vm_info", {"name": want["name"], "use_instance_uuid": True}, sim=shared)
    assert [v["moid"] for v in named["vms"]] == [moid]
    assert named.get("warnings") == [
        "use_instance_uuid: true applies to uuid, which is not given; ignored"
    ]
    assert not run_module("esx_vm_info", {"name": want["name"]}, sim=shared).get("warnings")
    on = {m for m, t in truth.items() if t["power_state"] == "powered_on"}
    assert {v["moid"] for v in info(shared, power_state="powered_on")} == on
    assert {v["moid"] for v in info(shared, power_state="powered_off")} == set(truth) - on
    for host in {t["host"] for t in truth.values()}:
        assert {v["moid"] for v in info(shared, host=host)} == {
            m for m, t in truth.items() if t["host"] == host
        }
    for cluster in {t["cluster"] for t in truth.values()} - {None}:
        got = {v["moid"] for v in info(shared, cluster=cluster)}
        assert got == {m for m, t in truth.items() if t["cluster"] == cluster}
    dc = info(shared, moid=moid)[0]["datacenter"]
    assert len(info(shared, datacenter=dc)) == len(truth)
    assert len(info(shared, folder=f"/{dc}/vm")) == len(truth)
    assert len(info(shared, folder="vm")) == len(truth)
    missing = run_module("esx_vm_info", {"folder": f"/{dc}/vm/nothing-here"}, sim=shared)
    assert missing.failed and missing["msg"].startswith(
        "folder: VM folder '/" + dc + "/vm/nothing-here' not found"
    )


def test_without_devices(shared, truth):
    full = {v["moid"]: v for v in info(shared)}
    light = info(shared, devices=False)
    assert len(light) == len(truth)
    for facts in light:
        assert not {"disks", "nics", "cdroms", "controllers"} & set(facts)
        same = {
            k: v
            for k, v in full[facts["moid"]].items()
            if k not in ("disks", "nics", "cdroms", "controllers")
        }
        assert facts == same


def test_unknown_filters_fail_naming_them(shared):
    for option, fragment in (("host", "host 'nope' not found"), ("cluster", "cluster 'nope' not found"),
                             ("datacenter", "datacenter 'nope' not found")):  # fmt: skip
        result = run_module("esx_vm_info", {option: "nope"}, sim=shared)
        assert result.failed and fragment in result["msg"], result.get("msg")


def test_raw_properties(shared, truth):
    moid, want = sorted(truth.items())[0]
    paths = ["config.hardware.numCPU", "runtime.host", "summary.config.name", "config.annotation"]
    (vm,) = info(shared, moid=moid, properties=paths)
    raw = vm["vi_properties"]
    assert set(raw) == set(paths)
    assert raw["config.hardware.numCPU"] == want["num_cpus"] and isinstance(
        raw["config.hardware.numCPU"], int
    )
    assert (
        raw["runtime.host"]["_type"] == "ManagedObjectReference"
        and raw["runtime.host"]["type"] == "HostSystem"
    )
    assert raw["summary.config.name"] == want["name"]
    assert raw["config.annotation"] is None
    assert all(len(v.get("vi_properties", {})) == 4 for v in info(shared, properties=paths))


def test_templates(vcsim_factory):
    sim = vcsim_factory()
    server = Server(sim)
    try:
        ref, props = sorted(server.vms(["name", "runtime.powerState"]).items())[0]
        if props["runtime.powerState"] != "poweredOff":
            server.task(ref, "PowerOffVM_Task")
        server.call(ref, "MarkAsTemplate")
        total = len(server.vms())
    finally:
        server.close()
    plain = info(sim)
    assert ref.value not in {v["moid"] for v in plain} and len(plain) == total - 1
    everything = info(sim, include_templates=True)
    assert len(everything) == total
    (template,) = [v for v in everything if v["moid"] == ref.value]
    assert template["template"] is True and template["name"] == props["name"]
    assert template["host"] is not None, "a template's host name resolves (it has no pool)"
    assert info(sim, name=props["name"]) == []
    assert [v["moid"] for v in info(sim, name=props["name"], include_templates=True)] == [ref.value]


def test_raw_properties_hide_a_password_property_s_value_as_the_facts_do(vcsim_factory):
    """config.vAppConfig through `properties` showed a password property's value and default,
    which the vapp_properties fact hides; not at -vvvv either."""
    sim = vcsim_factory()
    server = Server(sim)
    try:
        ref = sorted(server.vms().items())[0][0]
        secret = vim.vApp.PropertyInfo(
            key=7, id="app.token", type="password", value="T0ken-Value", defaultValue="T0ken-Dflt"
        )
        plain_one = vim.vApp.PropertyInfo(key=8, id="app.host", type="string", value="h1")
        spec = vim.vApp.VmConfigSpec(property=[
            vim.vApp.PropertySpec(operation="add", info=info) for info in (secret, plain_one)
        ])  # fmt: skip
        server.task(ref, "ReconfigVM_Task", spec=vim.vm.ConfigSpec(vAppConfig=spec))
    finally:
        server.close()
    paths = ["config.vAppConfig", "config.vAppConfig.property"]
    result = run_module(
        "esx_vm_info", {"moid": ref.value, "properties": paths}, sim=sim, verbosity=4, cli=True
    )
    assert not result.failed, result.get("msg")
    text = result.stdout + result.stderr + repr(result.tasks)
    assert "T0ken-Value" not in text and "T0ken-Dflt" not in text, "a password was shown"
    (vm,) = result["vms"]
    raw = vm["vi_properties"]
    hidden = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    for props in (raw["config.vAppConfig"]["property"], raw["config.vAppConfig.property"]):
        by_id = {p["id"]: p for p in props}
        assert (by_id["app.token"]["value"], by_id["app.token"]["defaultValue"]) == (hidden,) * 2
        assert by_id["app.host"]["value"] == "h1"  # other properties as the server has them
    token = {p["id"]: p for p in vm["vapp_properties"]}["app.token"]
    assert (token["value"], token["default"]) == (hidden, hidden)


@pytest.mark.parametrize("args", [(), ("--esx",)], ids=["vpx", "esx"])
def test_a_bios_uuid_two_vms_share_gives_both(vcsim_factory, args):
    """A copied VM keeps its BIOS uuid: a uuid filter gives every VM that has it (it gave one
    of them, as FindByUuid does), and an instance uuid, unique, its one VM."""
    sim = vcsim_factory(*args)
    server = Server(sim)
    try:
        vms = server.vms(["name", "config.uuid", "config.instanceUuid"])
        (first, one), (second, _other) = sorted(vms.items(), key=lambda kv: kv[1]["name"])[:2]
        server.task(second, "ReconfigVM_Task", spec=vim.vm.ConfigSpec(uuid=one["config.uuid"]))
        assert server.props(second, ["config.uuid"])["config.uuid"] == one["config.uuid"]
    finally:
        server.close()
    both = sorted([first.value, second.value])
    assert sorted(v["moid"] for v in info(sim, uuid=one["config.uuid"])) == both
    dc = info(sim, moid=first.value)[0]["datacenter"]
    assert sorted(v["moid"] for v in info(sim, uuid=one["config.uuid"], datacenter=dc)) == both
    assert [v["uuid"] for v in info(sim, uuid=one["config.uuid"])] == [one["config.uuid"]] * 2
    by_instance = info(sim, uuid=one["config.instanceUuid"], use_instance_uuid=True)
    assert [v["moid"] for v in by_instance] == [first.value]
    assert info(sim, uuid="00000000-0000-0000-0000-000000000000") == []
    # esx_vm acts on one VM: given that uuid it refuses, naming both (FindByUuid picked one).
    gone = {"uuid": one["config.uuid"].upper(), "state": "absent", "force": True}
    for check in (True, False):
        refused = run_module("esx_vm", gone, sim=sim, check=check)
        message, _sep, listed = refused["msg"].rpartition(": ")
        assert refused.failed and message == (
            f"uuid: 2 VMs have BIOS uuid '{gone['uuid']}' (a copied VM keeps its source's); "
            "name the VM by moid"
        ), refused.get("msg")
        assert sorted(listed.split(", ")) == both
    assert sorted(v["moid"] for v in info(sim, uuid=one["config.uuid"])) == both, "none deleted"


@pytest.mark.parametrize("how", ["name", "moid", "uuid"])
def test_one_vm_costs_five_round_trips(shared, truth, how):
    """RetrieveServiceContent, Login, the lookup, one read of the VM and its names, Logout."""
    moid, want = sorted(truth.items())[0]
    query = VmQuery(VmIdentity(**{how: moid if how == "moid" else want[how]}))
    client = Client(
        shared.host, shared.username, shared.password, port=shared.port, ca_path=shared.ca_path
    )
    with client:
        result = vm_query.run(client, query)
    assert [v["moid"] for v in result["vms"]] == [moid]
    assert client.round_trips <= 5, client.round_trips


def test_a_folder_in_several_datacenters_is_ambiguous(vcsim_factory):
    sim = vcsim_factory("--dc", "2")
    res = run_module("esx_vm_info", {"folder": "vm"}, sim=sim)
    assert res.failed
    assert res["msg"].startswith("folder: 2 VM folders match 'vm'; set datacenter")
    assert "/DC0/vm" in res["msg"] and "/DC1/vm" in res["msg"]
    assert len(info(sim, folder="vm", datacenter="DC1")) == len(
        [v for v in sim.manifest["vms"] if v["datacenter"] == "DC1"]
    )


def test_relative_folders_below_a_datacenter_in_a_folder(vcsim_factory):
    """A datacenter in a folder of its own ('/Region/DC0'): the relative folder forms, 'vm' and
    'vm/sub' below the datacenter, 'sub' below its VM folder, find the folder and its VMs (they
    were not found: the forms were counted from the path's first part)."""
    sim = vcsim_factory()
    server = Server(sim)
    try:
        root = server.content.rootFolder
        (dc,) = root.childEntity
        WaitForTask(root.CreateFolder("Region").MoveIntoFolder_Task([dc]))
        sub = dc.vmFolder.CreateFolder("sub")
        first = sorted(dc.vmFolder.childEntity, key=lambda e: e.name)[0]
        WaitForTask(sub.MoveIntoFolder_Task([first]))
        moved = first.name
        top = {e.name for e in dc.vmFolder.childEntity if isinstance(e, vim.VirtualMachine)}
    finally:
        server.close()
    assert {v["folder"] for v in info(sim)} == {"/Region/DC0/vm", "/Region/DC0/vm/sub"}
    for folder in ("vm", "DC0/vm", "/Region/DC0/vm"):
        assert {v["name"] for v in info(sim, folder=folder)} == top, folder
    for folder in ("sub", "vm/sub", "/Region/DC0/vm/sub"):
        assert [v["name"] for v in info(sim, folder=folder)] == [moved], folder
        assert [v["name"] for v in info(sim, folder=folder, name=moved)] == [moved]
    # esx_vm finds it by the same forms (it took the VM for a new one: "guest_id is required")
    for folder in ("sub", "vm/sub"):
        found = run_module("esx_vm", {"name": moved, "folder": folder}, sim=sim, check=True)
        assert not found.failed and found["changed"] is False, found.get("msg")
        assert found["vm"]["folder"] == "/Region/DC0/vm/sub"


def test_lookup_errors_name_the_option_and_where(shared):
    dc = "DC0" if shared.manifest["vms"][0]["datacenter"] == "DC0" else "ha-datacenter"
    for args, message in (
        ({"host": "nohost"}, "host: host 'nohost' not found in any datacenter"),
        ({"host": "nohost", "datacenter": dc}, f"host: host 'nohost' not found in datacenter '{dc}'"),
        ({"cluster": "nope"}, "cluster: cluster 'nope' not found in any datacenter"),
        ({"datacenter": "nope"}, f"datacenter: datacenter 'nope' not found (known: {dc})"),
        ({"folder": "nothing-here"}, "folder: VM folder 'nothing-here' not found in any datacenter"),
        ({"folder": "nothing-here", "datacenter": dc},
         f"folder: VM folder 'nothing-here' not found in datacenter '{dc}'"),
        ({"name": "x", "folder": "nothing-here", "datacenter": dc},
         f"folder: VM folder 'nothing-here' not found in datacenter '{dc}'"),
    ):  # fmt: skip
        result = run_module("esx_vm_info", args, sim=shared)
        assert result.failed and result["msg"] == message, result.get("msg")


def test_each_place_filter_is_looked_up_beside_a_lookup_or_another_filter(shared, truth):
    """A typo'd host, cluster or folder is an error with a name, moid or uuid too, and beside
    another place filter (they once gave an empty list: only the first was looked up)."""
    moid, want = sorted(truth.items())[0]
    for args, message in (
        ({"name": want["name"], "host": "nohost"}, "host: host 'nohost' not found in any datacenter"),
        ({"moid": moid, "cluster": "nope"}, "cluster: cluster 'nope' not found in any datacenter"),
        ({"uuid": want["uuid"], "host": "nohost"}, "host: host 'nohost' not found in any datacenter"),
        ({"moid": moid, "folder": "nothing-here"},
         "folder: VM folder 'nothing-here' not found in any datacenter"),
        ({"host": want["host"], "cluster": "nope"}, "cluster: cluster 'nope' not found in any datacenter"),
        ({"host": want["host"], "folder": "nothing-here"},
         "folder: VM folder 'nothing-here' not found in any datacenter"),
    ):  # fmt: skip
        result = run_module("esx_vm_info", args, sim=shared)
        assert result.failed and result["msg"] == message, (args, result.get("msg"))
    # Those that exist still filter: the VM is on its host, in its folder.
    (vm,) = info(shared, moid=moid, host=want["host"], folder="vm")
    assert vm["moid"] == moid
    assert [v["moid"] for v in info(shared, name=want["name"], host=want["host"])] == [moid]


def test_a_uuid_beside_a_moid_must_be_the_vms(shared, truth):
    """The moid picks the VM and the uuid filters it, as the other filters do (it was ignored)."""
    (moid, want), (_other, theirs) = sorted(truth.items())[:2]
    assert info(shared, moid=moid, uuid=theirs["uuid"]) == []
    assert info(shared, moid=moid, uuid=want["instance_uuid"]) == []  # not its BIOS uuid
    assert info(shared, moid=moid, uuid=want["uuid"], use_instance_uuid=True) == []
    assert [v["moid"] for v in info(shared, moid=moid, uuid=want["uuid"])] == [moid]
    assert [v["moid"] for v in info(shared, moid=moid, uuid=want["uuid"].upper())] == [moid]
    by_instance = info(shared, moid=moid, uuid=want["instance_uuid"], use_instance_uuid=True)
    assert [v["moid"] for v in by_instance] == [moid]


@pytest.mark.parametrize(
    "option", ["name", "uuid", "moid", "folder", "datacenter", "host", "cluster"]
)
def test_an_empty_filter_is_an_error_naming_it(shared, option):
    """An empty name (a variable that came out empty) once read every VM, as if unset."""
    result = run_module("esx_vm_info", {option: ""}, sim=shared)
    assert result.failed, result.result
    assert result["msg"] == f"{option}: '' is empty; leave {option} out for every VM"


@pytest.mark.parametrize("how", ["moid", "all"])
def test_a_property_the_server_refuses_is_an_error_naming_the_option(shared, truth, how):
    """The simulator answers an unknown path in missingSet (InvalidProperty), vCenter with a
    fault: either way the option is named, never a silent null."""
    args = {"properties": ["config.nosuch", "config.hardware.numCPU"]}
    if how == "moid":
        args["moid"] = sorted(truth)[0]
    result = run_module("esx_vm_info", args, sim=shared)
    assert result.failed, result.result
    assert result["msg"] == (
        "properties: the server knows no such VirtualMachine property (config.nosuch); "
        "asked for config.nosuch, config.hardware.numCPU"
    )
