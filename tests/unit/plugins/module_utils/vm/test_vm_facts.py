"""vm/facts.py: decoding hand-built properties into the facts schema, and gather_one's read."""

from __future__ import annotations

from vm_fixtures import INVENTORY, props

from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vm import device_facts, facts

VM = MoRef("VirtualMachine", "vm-42")
MANAGER = MoRef("CustomFieldsManager", "CustomFieldsManager")


def names(custom=None) -> facts.Names:
    return facts.Names(dict(INVENTORY), custom)


def test_every_field_of_the_schema_decodes():
    f = facts.vm_facts(VM, props(customValue=[{"_type": "CustomFieldStringValue", "key": 101, "value": "ops"}]),
                       names({101: "owner"}))  # fmt: skip
    assert tuple(f) == (*facts.FIELDS, *facts.CONFIG_FIELDS)
    assert f["name"] == "web" and f["moid"] == "vm-42"
    assert (f["datacenter"], f["folder"], f["host"], f["cluster"], f["resource_pool"]) == (
        "DC0",
        "/DC0/vm/web/apps",
        "esx1",
        "C1",
        "Resources",
    )
    assert f["power_state"] == "powered_on" and f["tools_status"] == "ok" and f["template"] is False
    assert (f["num_cpus"], f["cores_per_socket"], f["memory_mb"]) == (2, 1, 2048)
    assert f["hardware_version"] == "vmx-15" and f["annotation"] == ""
    assert f["ip_addresses"] == ["10.0.0.5", "fe80::1", "10.1.0.5"]
    assert f["datastores"] == ["ds1"]
    assert f["custom_attributes"] == {"owner": "ops"}


def test_devices_decode():
    f = facts.vm_facts(VM, props(), names())
    assert len(f["disks"]) == 1
    disk = f["disks"][0]
    assert disk == {
        "label": "Hard disk 1", "key": 2000, "capacity_bytes": 10 * 2**30, "datastore": "ds1",
        "file": "[ds1] web/web.vmdk", "thin": True, "disk_type": "thin", "mode": "persistent",
        "controller": "SCSI controller 0", "unit_number": 0,
        "uuid": "6000C29a-0000-0000-0000-000000000001",
        "controller_kind": "lsilogic_sas", "controller_number": 0, "shares": None,
        "iops_limit": None,
    }  # fmt: skip
    assert [(n["network"], n["device_type"], n["connected"]) for n in f["nics"]] == [
        ("prod-pg", "vmxnet3", True),
        ("VM Network", "e1000", False),
    ]
    assert len(f["cdroms"]) == 1
    cdrom = f["cdroms"][0]
    assert (cdrom["type"], cdrom["iso_path"], cdrom["controller"]) == (
        "iso",
        "[ds1] iso/a.iso",
        "IDE 0",
    )


def test_missing_values_are_null_not_strings():
    bare = {"name": "x", "parent": None, "runtime.powerState": "poweredOff",
            "config.hardware.device": [], "config.annotation": None}  # fmt: skip
    f = facts.vm_facts(VM, bare, facts.Names({}, None))
    for field in ("uuid", "host", "cluster", "folder", "guest_id", "ip_address", "tools_status",
                  "hardware_version", "annotation", "custom_attributes"):  # fmt: skip
        assert f[field] is None, field
    assert f["disks"] == [] and f["ip_addresses"] == [] and f["power_state"] == "powered_off"


def test_cores_per_socket_defaults_to_one_when_the_server_leaves_it_unset():
    # Old hardware versions leave numCoresPerSocket unset: one core per socket. The device list
    # plays no part (the inventory and devices=false do not read it).
    summary = {"name": "x", "config.hardware.numCPU": 4}
    assert facts.vm_facts(VM, summary, facts.Names({}, None))["cores_per_socket"] == 1
    with_devices = dict(summary, **{"config.hardware.device": []})
    assert facts.vm_facts(VM, with_devices, facts.Names({}, None))["cores_per_socket"] == 1
    set_ = dict(summary, **{"config.hardware.numCoresPerSocket": 2})
    assert facts.own_facts(VM, set_)["cores_per_socket"] == 2
    no_config = {"name": "x"}  # no config readable (an inaccessible VM): unknown, not 1
    assert facts.vm_facts(VM, no_config, facts.Names({}, None))["cores_per_socket"] is None


def test_own_facts_need_only_the_vms_own_paths():
    own = facts.own_facts(VM, {p: v for p, v in props().items() if p in facts.OWN_PATHS})
    assert own == {k: v for k, v in facts.vm_facts(VM, props(), names()).items() if k in own}
    assert set(facts.OWN_PATHS) <= set(facts.PATHS) and set(own) < set(facts.FIELDS)


def test_disk_types():
    flat = {"_type": "VirtualDiskFlatVer2BackingInfo"}
    assert device_facts.disk_type(dict(flat, thinProvisioned=True)) == "thin"
    assert (
        device_facts.disk_type(dict(flat, thinProvisioned=False, eagerlyScrub=True))
        == "eager_zeroed"
    )
    assert device_facts.disk_type(dict(flat, thinProvisioned=False)) == "thick"
    assert device_facts.disk_type({"_type": "VirtualDiskRawDiskMappingVer1BackingInfo"}) == "rdm"
    assert device_facts.disk_type({"_type": "VirtualDiskSparseVer2BackingInfo"}) == "sparse"


class FakeClient:
    """Answers RetrievePropertiesEx from a table of objects; records every call."""

    def __init__(self, objects: dict, vcenter: bool = True):
        self.objects, self.calls, self.is_vcenter = objects, [], vcenter
        self.content = {"propertyCollector": MoRef("PropertyCollector", "pc"),
                        "customFieldsManager": MANAGER}  # fmt: skip

    def call(self, obj, method, **args):
        self.calls.append((method, args))
        spec = args["specSet"][0]
        wanted = [o["obj"] for o in spec["objectSet"]]
        if len(self.calls) == 1:  # the traversal read: the VM, what it reaches, the manager
            wanted = list(self.objects)
        rows = [{"obj": r, "propSet": [{"name": k, "val": v} for k, v in self.objects[r].items()]}
                for r in dict.fromkeys(wanted) if r in self.objects]  # fmt: skip
        return {"_type": "RetrieveResult", "objects": rows}


def test_gather_one_reads_a_vm_and_its_names_in_one_call():
    objects = {VM: props(), MANAGER: {"field": [{"key": 1, "name": "owner"}]}}
    objects.update(INVENTORY)
    client = FakeClient(objects)
    raw, f = facts.gather_one(client, VM, ["config.cpuHotAddEnabled"])
    assert len(client.calls) == 1
    spec = client.calls[0][1]["specSet"][0]
    paths = {p["type"]: p["pathSet"] for p in spec["propSet"]}
    assert "config.cpuHotAddEnabled" in paths["VirtualMachine"] and paths["ManagedEntity"] == [
        "name",
        "parent",
    ]
    assert paths["CustomFieldsManager"] == ["field"]
    hops = {s.get("path") for s in spec["objectSet"][0]["selectSet"]}
    assert hops == {"parent", "resourcePool", "datastore", "network"}
    assert raw["config.cpuHotAddEnabled"] is False
    assert (f["host"], f["cluster"], f["folder"], f["datastores"]) == (
        "esx1",
        "C1",
        "/DC0/vm/web/apps",
        ["ds1"],
    )
    assert f["custom_attributes"] == {}


def test_gather_one_reads_names_the_traversal_missed():
    host = MoRef("HostSystem", "host-21")
    objects = {VM: props(resourcePool=None)}  # a template: no pool, so no path to its host
    objects.update({r: p for r, p in INVENTORY.items() if r != host})
    client = FakeClient(objects, vcenter=False)
    first = client.call

    def call(obj, method, **args):
        if client.calls:  # the second read (the missing host and its ancestors) finds it
            client.objects[host] = INVENTORY[host]
        return first(obj, method, **args)

    client.call = call
    _raw, f = facts.gather_one(client, VM)
    assert len(client.calls) == 2
    assert [o["obj"] for o in client.calls[1][1]["specSet"][0]["objectSet"]] == [host]
    assert f["host"] == "esx1" and f["custom_attributes"] is None
