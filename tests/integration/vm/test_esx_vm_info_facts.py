"""esx_vm_info's `facts` option: the keys named plus the identity keys, with the values of a
full read, read from fewer property paths (the VirtualMachine paths of every property read are
recorded and compared), through the partitioned bulk read, one VM, several VMs by name and the
snapshot report alike; the filters and `devices` with a selection; bad names.
"""

from __future__ import annotations

import pytest
from ansible_run import run_module
from return_docs import assert_matches_return
from vm_server import Server

from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vi.session import Client
from ansible_collections.viapi.esx.plugins.module_utils.vi.tasks import wait_for_task
from ansible_collections.viapi.esx.plugins.module_utils.vm import facts as vm_facts
from ansible_collections.viapi.esx.plugins.module_utils.vm import query as vm_query
from ansible_collections.viapi.esx.plugins.module_utils.vm.request import VmIdentity, VmQuery

# The snapshot tests' model: 2 datacenters, each with a cluster (of 2 hosts) and 2 standalone
# hosts, 3 VMs on each: 18 VMs, every third by path (6) with a chain of 1, 2 or 3 snapshots.
# Its 8 hosts make two partitions, read through two sessions at once.
MODEL = ("--dc", "2", "--cluster", "1", "--cluster-host", "2", "--host", "2", "--vm", "3",
         "--snapshots", "3")  # fmt: skip
IDENTITY = {"name", "moid", "uuid", "instance_uuid", "datacenter", "folder"}
# The VirtualMachine paths the identity keys and the template filter are read from.
IDENTITY_PATHS = {"name", "config.uuid", "config.instanceUuid", "parent", "runtime.host"}
BASE_PATHS = IDENTITY_PATHS | {"config.template"}
DEVICE_LISTS = ("disks", "nics", "cdroms", "controllers")


class Recording(Client):
    """A client that notes the VirtualMachine paths of every property read it sends."""

    def __init__(self, sim, reads: list):
        super().__init__(sim.host, sim.username, sim.password, port=sim.port, ca_path=sim.ca_path)
        self.reads = reads

    def call(self, obj, method, **args):
        if method == "RetrievePropertiesEx":
            for spec in args["specSet"]:
                for prop in spec["propSet"]:
                    if prop["type"] == "VirtualMachine":
                        self.reads.append(set(prop["pathSet"]))
        return super().call(obj, method, **args)


def run(sim, query: VmQuery) -> tuple[list, list, int]:
    """The VMs of one runner call, the VM path sets of its reads, and the sessions it opened."""
    reads, opened = [], []

    def open_client():
        opened.append(Recording(sim, reads))
        return opened[-1]

    with Recording(sim, reads) as client:
        vms = vm_query.run(client, query, open_client)["vms"]
    return vms, reads, len(opened)


def names(tree: list) -> list[str]:
    out = []
    for node in tree:
        out += [node["name"], *names(node["children"])]
    return out


def cut(vms: list, keys) -> list:
    return [{k: v for k, v in vm.items() if k in keys} for vm in vms]


@pytest.fixture(scope="module")
def fleet(vcsim_factory):
    """The model, with two of its VMs powered off (for the power_state filter)."""
    sim = vcsim_factory(*MODEL)
    server = Server(sim)
    try:
        for ref in sorted(server.vms(), key=lambda r: r.value)[:2]:
            server.task(ref, "PowerOffVM_Task")
    finally:
        server.close()
    return sim


@pytest.fixture(scope="module")
def full(fleet):
    """Every VM's every fact, read without a selection (the values a selection must equal)."""
    vms, reads, _opened = run(fleet, VmQuery())
    assert len(vms) == 18 and reads and all(r == set(vm_facts.PATHS) for r in reads)
    return vms


def test_bulk_read_returns_the_facts_named_with_a_full_reads_values(fleet, full):
    vms, reads, opened = run(fleet, VmQuery(facts=("power_state", "num_cpus", "snapshots")))
    assert opened == 1, "the partitioned read: two sessions, the caller's and one more"
    assert [set(vm) for vm in vms] == [IDENTITY | {"power_state", "num_cpus", "snapshots"}] * 18
    assert vms == cut(full, IDENTITY | {"power_state", "num_cpus", "snapshots"})
    assert len(reads) == 2, "one read per partition"
    assert all(
        r == BASE_PATHS | {"runtime.powerState", "config.hardware.numCPU", "snapshot"}
        for r in reads
    )


@pytest.mark.parametrize(
    "selected, paths",
    [
        ((), set()),
        (("cores_per_socket",), {"config.hardware.numCPU", "config.hardware.numCoresPerSocket"}),
        (("cpu_hot_add",), {"config.hardware.numCPU", "config.cpuHotAddEnabled"}),
        (("disks",), {"config.hardware.device", "datastore"}),
        (("nics", "host", "cluster"), {"config.hardware.device", "network"}),
        (("custom_attributes", "resource_pool"), {"customValue", "resourcePool"}),
        (("extra_config", "boot_order"), {"config.extraConfig", "config.bootOptions"}),
        (("current_snapshot", "linked_clone"), {"snapshot", "config.hardware.device"}),
    ],
)
def test_one_vm_and_every_vm_read_only_the_paths_of_the_facts_named(fleet, full, selected, paths):
    keys = IDENTITY | set(selected)
    one = full[4]
    got, reads, _opened = run(fleet, VmQuery(VmIdentity(moid=one["moid"]), facts=selected))
    assert got == cut([one], keys)
    assert reads == [{"name"}, BASE_PATHS | paths], "the lookup, then the VM's facts"
    everything, reads, _opened = run(fleet, VmQuery(facts=selected, parallel_reads=1))
    assert everything == cut(full, keys)
    assert reads == [BASE_PATHS | paths]


def test_several_vms_by_name(vcsim_factory):
    """Two VMs of one name in two folders: the list read (not the one-VM read) with a selection."""
    sim = vcsim_factory()
    with Client(sim.host, sim.username, sim.password, port=sim.port, ca_path=sim.ca_path) as c:
        first, second = vm_query.run(c, VmQuery())["vms"][:2]
        vm_folder = c.call(c.content["searchIndex"], "FindByInventoryPath", inventoryPath="DC0/vm")
        folder = c.call(vm_folder, "CreateFolder", name="copies")
        ref = MoRef("VirtualMachine", second["moid"])
        wait_for_task(c, c.call(folder, "MoveIntoFolder_Task", list=[ref]), 60)
        wait_for_task(c, c.call(ref, "Rename_Task", newName=first["name"]), 60)
        before = vm_query.run(c, VmQuery(VmIdentity(name=first["name"])))["vms"]
    assert len(before) == 2
    got, reads, _opened = run(
        sim, VmQuery(VmIdentity(name=first["name"]), facts=("memory_mb", "datastores"))
    )
    assert got == cut(before, IDENTITY | {"memory_mb", "datastores"})
    # The lookup of the name (the VM tree), then the two VMs' facts.
    assert reads == [{"name", "parent"}, BASE_PATHS | {"config.hardware.memoryMB", "datastore"}]


def test_the_snapshot_report_with_a_selection_equals_the_manifest(fleet, full):
    want = {moid: list(given) for moid, given in fleet.manifest["snapshots"].items()}
    selected = ("snapshots", "snapshot_count")
    vms, reads, opened = run(fleet, VmQuery(has_snapshots=True, facts=selected))
    assert {v["moid"]: names(v["snapshots"]) for v in vms} == want
    assert vms == cut([v for v in full if v["snapshot_count"]], IDENTITY | set(selected))
    assert opened == 0
    # The pre-read of every VM's tree, then the picked VMs' other paths (their trees are those
    # the pre-read judged).
    assert reads == [{"snapshot"}, BASE_PATHS]


def test_filters_read_what_they_judge_without_returning_it(fleet, full):
    on = [v for v in full if v["power_state"] == "powered_on"]
    assert 0 < len(on) < len(full)
    vms, reads, _opened = run(
        fleet, VmQuery(power_state="powered_on", facts=("memory_mb",), parallel_reads=1)
    )
    assert vms == cut(on, IDENTITY | {"memory_mb"})
    assert reads == [BASE_PATHS | {"runtime.powerState", "config.hardware.memoryMB"}]
    without, reads, _opened = run(fleet, VmQuery(has_snapshots=False, facts=(), parallel_reads=1))
    assert without == cut([v for v in full if not v["snapshot_count"]], IDENTITY)
    assert reads == [BASE_PATHS | {"snapshot"}]
    old, reads, _opened = run(fleet, VmQuery(snapshot_older_than_days=0, facts=("host",)))
    assert old == cut([v for v in full if v["snapshot_count"]], IDENTITY | {"host"})
    assert reads == [{"snapshot"}, BASE_PATHS]
    cluster = next(v["cluster"] for v in full if v["cluster"])
    hosted, reads, _opened = run(fleet, VmQuery(cluster=cluster, facts=("guest_id",)))
    assert hosted == cut([v for v in full if v["cluster"] == cluster], IDENTITY | {"guest_id"})
    assert reads == [BASE_PATHS | {"config.guestId"}]
    templates, reads, _opened = run(
        fleet, VmQuery(include_templates=True, facts=("annotation",), parallel_reads=1)
    )
    assert templates == cut(full, IDENTITY | {"annotation"})
    assert reads == [IDENTITY_PATHS | {"config.annotation"}], "no template filter, no template"


def test_devices_false_with_a_selection(fleet, full):
    vms, reads, _opened = run(
        fleet, VmQuery(devices=False, facts=("linked_clone", "datastores"), parallel_reads=1)
    )
    assert vms == cut(full, IDENTITY | {"linked_clone", "datastores"})
    assert all(v["linked_clone"] is None for v in vms)
    assert reads == [BASE_PATHS | {"datastore"}], "devices: false reads no device list"


def test_the_module_returns_the_selection_as_documented(fleet, full):
    result = run_module("esx_vm_info", {"facts": ["snapshots", "ip_addresses"]}, sim=fleet)
    assert not result.failed, result.get("msg") or result.stdout[-3000:]
    assert_matches_return("esx_vm_info", result.result)
    assert result["vms"] == cut(full, IDENTITY | {"snapshots", "ip_addresses"})
    result = run_module(
        "esx_vm_info",
        {"facts": ["snapshot_count"], "moid": full[0]["moid"], "properties": ["config.version"]},
        sim=fleet,
    )
    assert not result.failed, result.get("msg")
    (vm,) = result["vms"]
    assert set(vm) == IDENTITY | {"snapshot_count", "vi_properties"}
    assert vm["vi_properties"] == {"config.version": full[0]["hardware_version"]}


@pytest.mark.parametrize(
    "args, message",
    [
        ({"facts": ["disk", "power_state", "vi_properties"]},
         "facts: no such fact: 'disk', 'vi_properties'; the facts are: name, moid, uuid, "),
        ({"facts": ["disks", "nics"], "devices": False},
         "facts: disks, nics are device lists, which devices: false leaves out (set devices: "
         "true, or leave them out of facts)"),
    ],
)  # fmt: skip
def test_bad_names_are_errors_naming_the_option_and_the_value(fleet, args, message):
    result = run_module("esx_vm_info", args, sim=fleet)
    assert result.failed and result["msg"].startswith(message), result.get("msg")
    if "no such fact" in message:
        assert result["msg"].endswith(", controllers, snapshots, current_snapshot, snapshot_count, "
                                      "linked_clone, firmware, secure_boot, boot_order, "
                                      "boot_delay_ms, enter_bios_setup, boot_retry_delay_ms, "
                                      "cpu_hot_add, cpu_hot_remove, memory_hot_add, "
                                      "nested_virtualization, memory_reservation_locked, "
                                      "cpu_reservation_mhz, cpu_limit_mhz, cpu_shares, "
                                      "cpu_shares_level, memory_reservation_mb, memory_limit_mb, "
                                      "memory_shares, memory_shares_level, extra_config, "
                                      "vapp_properties")  # fmt: skip


@pytest.mark.parametrize(
    "selected", [("custom_attributes", "host"), ("disks", "nics", "boot_order")]
)
def test_a_standalone_host_gives_the_same_values(vcsim_esx, selected):
    everything, _reads, _opened = run(vcsim_esx, VmQuery())
    assert everything and all(v["custom_attributes"] is None for v in everything)
    keys = IDENTITY | set(selected)
    vms, _reads, _opened = run(vcsim_esx, VmQuery(facts=selected))
    assert vms == cut(everything, keys)
    one, reads, _opened = run(
        vcsim_esx, VmQuery(VmIdentity(moid=everything[-1]["moid"]), facts=selected)
    )
    assert one == cut(everything[-1:], keys)
    assert ("customValue" in reads[-1]) == ("custom_attributes" in selected)
