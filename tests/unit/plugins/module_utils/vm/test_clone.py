"""vm/clone.py and vm/clone_place.py: the clone's placement request, its pool, and the
VirtualMachineCloneSpec, from hand-built catalog rows and VM properties (vm_fixtures)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from test_vm_facts import VM, names
from vm_fixtures import Refs, props

from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import InvalidArgument, NotFound
from ansible_collections.viapi.esx.plugins.module_utils.vm import clone, clone_place, facts, spec
from ansible_collections.viapi.esx.plugins.module_utils.vm.placement import Catalog, Placement
from ansible_collections.viapi.esx.plugins.module_utils.vm.request import (
    CloneRequest,
    PlacementRequest,
    VmConfig,
    VmIdentity,
    VmRequest,
)

C1 = MoRef("ClusterComputeResource", "domain-c7")
SOLO = MoRef("ComputeResource", "domain-s30")
ROOT, WEB, SOLO_ROOT = (MoRef("ResourcePool", f"resgroup-{n}") for n in (8, 9, 31))
DS = {n: MoRef("Datastore", f"datastore-{n}") for n in (1, 2, 3, 4)}
HOSTS = {n: MoRef("HostSystem", f"host-{n}") for n in (21, 22, 23, 32)}
FOLDER = MoRef("Folder", "group-v1")


def host(name, parent, datastores, maintenance=False) -> dict:
    return {"name": name, "parent": parent, "datastore": [DS[d] for d in datastores],
            "runtime.connectionState": "connected", "runtime.inMaintenanceMode": maintenance}  # fmt: skip


def catalog() -> Catalog:
    """DC0: cluster C1 (esx1: ds1 ds2, esx2: ds2, esx3 in maintenance: ds3) with pools
    Resources and web; standalone host aaa-esx (ds1 ds4), first of all by name."""
    cat = Catalog(client=None, datacenter=MoRef("Datacenter", "datacenter-2"), name="DC0")
    rows = {
        C1: {"name": "C1", "resourcePool": ROOT, "host": [HOSTS[21], HOSTS[22], HOSTS[23]],
             "datastore": [DS[1], DS[2], DS[3], DS[4]], "configurationEx.drsConfig.enabled": True},
        SOLO: {"name": "aaa-esx", "resourcePool": SOLO_ROOT, "host": [HOSTS[32]], "datastore": [DS[1], DS[4]]},
        ROOT: {"name": "Resources", "owner": C1}, WEB: {"name": "web", "owner": C1},
        SOLO_ROOT: {"name": "Resources", "owner": SOLO},
        HOSTS[21]: host("esx1", C1, (1, 2)), HOSTS[22]: host("esx2", C1, (2,)),
        HOSTS[23]: host("esx3", C1, (3,), maintenance=True), HOSTS[32]: host("aaa-esx", SOLO, (1, 4)),
        **{ref: {"name": f"ds{n}"} for n, ref in DS.items()},
    }  # fmt: skip
    cat._rows = rows
    return cat


def source(host_name="esx1", cluster="C1") -> dict:
    """The facts of the source that the rule reads."""
    return {"datacenter": "DC0", "host": host_name, "cluster": cluster}


def target(want: PlacementRequest, src=None) -> PlacementRequest:
    return clone_place.target(want, src or source(), catalog)


# ---------------------------------------------------------------- the placement request


def test_nothing_given_is_the_source_host_in_its_datacenter():
    assert target(PlacementRequest()) == PlacementRequest(datacenter="DC0", host="esx1")


def test_a_datastore_the_source_host_mounts_keeps_the_host():
    assert target(PlacementRequest(datastore="ds2")).host == "esx1"


def test_a_datastore_the_source_host_lacks_goes_to_a_host_of_its_cluster_first():
    # ds1 is mounted by esx1 (the source's cluster) and aaa-esx (first by name)
    assert target(PlacementRequest(datastore="ds1"), source("esx2")).host == "esx1"
    # ds4: only the standalone host mounts it
    assert target(PlacementRequest(datastore="ds4"), source("esx2")).host == "aaa-esx"


def test_a_datastore_only_a_host_in_maintenance_mounts_is_an_error():
    with pytest.raises(InvalidArgument) as e:
        target(PlacementRequest(datastore="ds3"))
    assert str(e.value) == (
        "datastore: datastore 'ds3' is mounted by no connected host outside maintenance mode "
        "in datacenter 'DC0'; set host or cluster"
    )


def test_an_unknown_datastore_names_the_option():
    with pytest.raises(NotFound, match="datastore: datastore 'nope' not found in datacenter 'DC0'"):
        target(PlacementRequest(datastore="nope"))


def test_a_folder_alone_is_a_new_vms_placement():
    want = PlacementRequest(folder="/DC0/vm/web")
    assert target(want) == want  # no host: place() applies a new VM's default


@pytest.mark.parametrize(
    "want, expected",
    [
        (PlacementRequest(host="esx2"), PlacementRequest(datacenter="DC0", host="esx2")),
        (PlacementRequest(cluster="C1", datastore="ds3"),
         PlacementRequest(datacenter="DC0", cluster="C1", datastore="ds3")),
        (PlacementRequest(resource_pool="web", folder="/DC0/vm"),
         PlacementRequest(resource_pool="web", folder="/DC0/vm")),
    ],
)  # fmt: skip
def test_compute_options_are_taken_as_given(want, expected):
    assert target(want) == expected


def test_a_given_datacenter_is_kept():
    assert target(PlacementRequest(datacenter="DC9")).datacenter == "DC9"


# ---------------------------------------------------------------- the pool and the cluster check


def where(pool=ROOT, host_ref=HOSTS[21], compute=C1, datastore="ds1") -> Placement:
    return Placement("DC0", FOLDER, "/DC0/vm", pool, host_ref, datastore, catalog(), compute)


def test_a_source_vms_pool_is_kept_when_the_rule_placed_it():
    vm = {"resourcePool": WEB, "config.template": False}
    assert clone_place.finish(where(), PlacementRequest(), vm, derived=True).pool == WEB
    # an option placed it: the root pool, as for a new VM
    assert clone_place.finish(where(), PlacementRequest(), vm, derived=False).pool == ROOT
    # a template has no pool of its own
    template = {"resourcePool": WEB, "config.template": True}
    assert clone_place.finish(where(), PlacementRequest(), template, derived=True).pool == ROOT
    # the source's pool is of another compute resource
    other = where(pool=SOLO_ROOT, host_ref=HOSTS[32], compute=SOLO)
    assert clone_place.finish(other, PlacementRequest(), vm, derived=True).pool == SOLO_ROOT


def test_a_datastore_no_host_of_the_drs_cluster_mounts_is_an_error():
    drs = where(host_ref=None, datastore="ds3")
    assert clone_place.finish(drs, PlacementRequest(datastore="ds3"), {}, False) is drs
    with pytest.raises(InvalidArgument) as e:
        clone_place.finish(where(host_ref=None), PlacementRequest(datastore="ds4"), {}, False)
    assert str(e.value) == "datastore: datastore 'ds4' is mounted by no host of cluster 'C1'"


# ---------------------------------------------------------------- the clone spec

SNAPSHOTS = {
    "_type": "VirtualMachineSnapshotInfo",
    "currentSnapshot": MoRef("VirtualMachineSnapshot", "snapshot-5"),
    "rootSnapshotList": [{"snapshot": MoRef("VirtualMachineSnapshot", "snapshot-5"),
                          "name": "base", "id": 1, "state": "poweredOff", "quiesced": False}],
}  # fmt: skip


def request(state="present", config=None, **clone_args) -> VmRequest:
    return VmRequest(VmIdentity(name="new"), config=config or VmConfig(), state=state,
                     clone=CloneRequest(template="web", **clone_args))  # fmt: skip


def clone_spec(req: VmRequest, placed=None, vm=None) -> dict:
    """The CloneSpec clone.plan builds for `req` from the source VM 'web' of vm_fixtures."""
    vm = vm or props(snapshot=SNAPSHOTS)
    src = facts.vm_facts(VM, vm, names())
    want = spec.desired(req.config)
    config = spec.plan(want, dict(src, template=False), vm, Refs(), powered_on=False)
    nics = max(len(src["nics"]), len(want["networks"] or []))
    return clone._clone_spec(None, req, want, config, vm, placed or where(), src, nics)


def test_the_location_is_the_placement():
    made = clone_spec(request(), where(pool=WEB, host_ref=HOSTS[22], datastore="ds2"))
    assert made["location"] == {"_type": "VirtualMachineRelocateSpec", "datastore": DS[2],
                                "diskMoveType": None, "pool": WEB, "host": HOSTS[22]}  # fmt: skip
    assert made["snapshot"] is None and made["template"] is False
    assert made["customization"] is None and made["powerOn"] is False
    assert made["config"] is None  # no option asks for a change of the source's configuration


def test_drs_places_the_clone_without_a_host():
    assert clone_spec(request(), where(host_ref=None))["location"]["host"] is None


def test_a_linked_clone_from_a_snapshot():
    made = clone_spec(request(snapshot_src="base", linked_clone=True))
    assert made["snapshot"] == MoRef("VirtualMachineSnapshot", "snapshot-5")
    assert made["location"]["diskMoveType"] == "createNewChildDiskBacking"
    full = clone_spec(request(snapshot_src="base"))  # a full clone of the snapshot
    assert full["snapshot"] == made["snapshot"] and full["location"]["diskMoveType"] is None


def test_an_unknown_snapshot_names_the_option_and_the_source():
    with pytest.raises(NotFound, match="snapshot_src: snapshot 'nope' not found in VM 'web'"):
        clone_spec(request(snapshot_src="nope"))


def test_an_ambiguous_snapshot_src_says_what_esx_vm_takes_instead():
    node = {"name": "a", "id": 2, "state": "poweredOff", "quiesced": False}
    twins = dict(SNAPSHOTS, rootSnapshotList=[
        {**node, "snapshot": MoRef("VirtualMachineSnapshot", "snapshot-6"), "name": "p",
         "childSnapshotList": [{**node, "snapshot": MoRef("VirtualMachineSnapshot", "snapshot-7")},
                               {**node, "snapshot": MoRef("VirtualMachineSnapshot", "snapshot-8")}]}])  # fmt: skip
    with pytest.raises(InvalidArgument, match=r"^snapshot_src: 'a' names 2 snapshots .*; give its "
                       r"path \(like base/patched; where two have one path, rename one of them with "
                       r"esx_vm_snapshot\) instead$"):  # fmt: skip
        clone_spec(request(snapshot_src="a"), vm=props(snapshot=twins))
    with pytest.raises(InvalidArgument, match=r"^snapshot_src: 'p/a' names 2 snapshots .*; give a "
                       r"path no other has \(where two have one path, rename one of them with "
                       r"esx_vm_snapshot\)"):  # fmt: skip
        clone_spec(request(snapshot_src="p/a"), vm=props(snapshot=twins))


def test_a_linked_clone_without_a_snapshot_is_refused_before_any_call():
    client = SimpleNamespace(about={"apiType": "VirtualCenter"})  # no call() at all
    with pytest.raises(InvalidArgument, match="linked_clone: .* set snapshot_src"):
        clone.plan(client, request(linked_clone=True), {})


def test_the_options_are_the_config_of_the_clone():
    made = clone_spec(request(config=VmConfig(num_cpus=4, memory_mb=4096, annotation="new one")))
    config = made["config"]
    assert config["_type"] == "VirtualMachineConfigSpec"
    assert (config["numCPUs"], config["memoryMB"], config["annotation"]) == (4, 4096, "new one")


def test_power_on_and_template():
    assert clone_spec(request(state="powered_on"))["powerOn"] is True
    assert clone_spec(request(state="powered_off"))["powerOn"] is False
    assert clone_spec(request(is_template=True))["template"] is True


def test_an_inline_customization_is_attached_with_one_adapter_per_nic():
    nics = [
        {"name": "prod-pg", "ip": "10.0.0.9", "netmask": "255.255.255.0"},
        {"name": "VM Network"},
    ]
    req = request(state="powered_on", config=VmConfig(networks=nics),
                  customization={"hostname": "web01", "domain": "example.test"})  # fmt: skip
    made = clone_spec(req)
    custom = made["customization"]
    assert custom["identity"]["_type"] == "CustomizationLinuxPrep"
    assert custom["identity"]["hostName"] == {"_type": "CustomizationFixedName", "name": "web01"}
    adapters = [m["adapter"]["ip"] for m in custom["nicSettingMap"]]
    assert adapters == [{"_type": "CustomizationFixedIp", "ipAddress": "10.0.0.9"},
                        {"_type": "CustomizationDhcpIpGenerator"}]  # fmt: skip
    assert made["powerOn"] is True  # attached in the same spec, so the first boot customizes


def test_refusals_before_any_change():
    esx = SimpleNamespace(about={"apiType": "HostAgent"}, hostname="esx01")
    with pytest.raises(
        InvalidArgument, match="template: cloning needs vCenter; esx01 is a standalone"
    ):
        clone.plan(esx, request(), {})
    vc = SimpleNamespace(about={"apiType": "VirtualCenter"})
    with pytest.raises(InvalidArgument, match="is_template: a template cannot be powered on"):
        clone.plan(vc, request(state="powered_on", is_template=True), {})
    with pytest.raises(NotFound, match="VM 'new' not found; state restarted needs an existing VM"):
        clone.plan(vc, request(state="restarted"), {})
