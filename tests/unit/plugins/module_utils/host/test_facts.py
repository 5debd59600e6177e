"""host/facts.py: host properties and their names, read as vCenter writes them, into host facts."""

from __future__ import annotations

import ast
from pathlib import Path

import vi_wire
import yaml
from vi_wire import FakeTransport, object_content, response, response_ref

from ansible_collections.viapi.esx.plugins.module_utils.host import facts
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vi.find import Tree

ROOT = MoRef("Folder", "group-d1")
DC = MoRef("Datacenter", "datacenter-2")
HOSTS = MoRef("Folder", "group-h4")
CLUSTER = MoRef("ClusterComputeResource", "domain-c7")
STANDALONE = MoRef("ComputeResource", "domain-s30")
HOST = MoRef("HostSystem", "host-21")
LONE = MoRef("HostSystem", "host-31")
DS1, DS2 = MoRef("Datastore", "datastore-11"), MoRef("Datastore", "datastore-12")
NET, DVPG = MoRef("Network", "network-7"), MoRef("DistributedVirtualPortgroup", "dvportgroup-13")
VIEW = ("ContainerView", "session[52bb85b0]5286fa88")


def _s(text: str) -> str:
    return f'<val xsi:type="xsd:string">{text}</val>'


def _ref(ref: MoRef) -> str:
    return f'<val type="{ref.type}" xsi:type="ManagedObjectReference">{ref.value}</val>'


def _refs(*refs: MoRef) -> str:
    items = "".join(
        f'<ManagedObjectReference type="{r.type}" xsi:type="ManagedObjectReference">{r.value}'
        "</ManagedObjectReference>"
        for r in refs
    )
    return f'<val xsi:type="ArrayOfManagedObjectReference">{items}</val>'


def host_props(**over: str) -> dict[str, str]:
    """esx01's properties (facts.PATHS) as raw <val> XML: ESXi 8.0.2 on two Intel sockets."""
    props = {
        "name": _s("esx%2f01.lab"),
        "parent": _ref(CLUSTER),
        "datastore": _refs(DS2, DS1),
        "network": _refs(NET, DVPG),
        "vm": _refs(*(MoRef("VirtualMachine", f"vm-{n}") for n in range(3))),
        "runtime.connectionState": '<val xsi:type="HostSystemConnectionState">connected</val>',
        "runtime.powerState": '<val xsi:type="HostSystemPowerState">poweredOn</val>',
        "runtime.inMaintenanceMode": '<val xsi:type="xsd:boolean">false</val>',
        "runtime.inQuarantineMode": '<val xsi:type="xsd:boolean">true</val>',
        "summary.config.product": (
            '<val xsi:type="AboutInfo"><name>VMware ESXi</name>'
            "<fullName>VMware ESXi 8.0.2 build-22380479</fullName><vendor>VMware, Inc.</vendor>"
            "<version>8.0.2</version><build>22380479</build><localeVersion>INTL</localeVersion>"
            "<localeBuild>000</localeBuild><osType>vmnix-x86</osType>"
            "<productLineId>embeddedEsx</productLineId><apiType>HostAgent</apiType>"
            "<apiVersion>8.0.2.0</apiVersion></val>"
        ),
        "summary.config.vmotionEnabled": '<val xsi:type="xsd:boolean">true</val>',
        "summary.currentEVCModeKey": _s("intel-cascadelake"),
        "summary.hardware": (
            '<val xsi:type="HostHardwareSummary"><vendor>Dell Inc.</vendor>'
            "<model>PowerEdge R640</model><uuid>4c4c4544-0048-3510-8052-b7c04f4e3732</uuid>"
            "<memorySize>412316860416</memorySize><cpuModel>Intel(R) Xeon(R) Gold 6248 CPU @ "
            "2.50GHz</cpuModel><cpuMhz>2494</cpuMhz><numCpuPkgs>2</numCpuPkgs>"
            "<numCpuCores>40</numCpuCores><numCpuThreads>80</numCpuThreads>"
            "<numNics>4</numNics><numHBAs>3</numHBAs></val>"
        ),
        "hardware.cpuPkg": (
            '<val xsi:type="ArrayOfHostCpuPackage">'
            + "".join(
                f'<HostCpuPackage xsi:type="HostCpuPackage"><index>{i}</index>'
                "<vendor>intel</vendor><hz>2494000000</hz><busHz>100000000</busHz>"
                "<description>Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz</description>"
                "<threadId>0</threadId></HostCpuPackage>"
                for i in range(2)
            )
            + "</val>"
        ),
    }
    props.update(over)
    return props


# Names and parents up to the root folder, as with_ancestors reads them.
NAMES = [
    (ROOT, "Datacenters", None), (DC, "DC0", ROOT), (HOSTS, "host", DC), (CLUSTER, "prod", HOSTS),
    (STANDALONE, "esx99.lab", HOSTS), (HOST, "esx%2f01.lab", CLUSTER), (LONE, "esx99.lab", STANDALONE),
    (DS1, "ssd-01", DC), (DS2, "nfs%2502", DC), (NET, "VM Network", DC), (DVPG, "prod-net", DC),
]  # fmt: skip


def names_body(rows=tuple(NAMES)) -> str:
    objects = []
    for ref, name, parent in rows:
        props = {"name": _s(name)}
        if parent is not None:
            props["parent"] = _ref(parent)
        objects.append(object_content((ref.type, ref.value), props))
    return "".join(objects)


def transport(*hosts: tuple[MoRef, dict]) -> FakeTransport:
    """Answers the host read, then the names read."""
    body = "".join(object_content((r.type, r.value), props) for r, props in hosts)
    return FakeTransport().on(
        "RetrievePropertiesEx",
        response("RetrievePropertiesEx", body),
        response("RetrievePropertiesEx", names_body()),
    )


EXPECTED = {
    "name": "esx/01.lab", "moid": "host-21", "datacenter": "DC0", "cluster": "prod",
    "connection_state": "connected", "power_state": "powered_on", "maintenance_mode": False,
    "quarantine_mode": True, "product": "VMware ESXi", "version": "8.0.2", "build": "22380479",
    "api_version": "8.0.2.0", "cpu_vendor": "intel",
    "cpu_model": "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz", "cpu_cores": 40, "cpu_threads": 80,
    "memory_bytes": 412316860416, "vmotion_enabled": True, "evc_mode": "intel-cascadelake",
    "vm_count": 3, "datastores": ["nfs%02", "ssd-01"], "networks": ["VM Network", "prod-net"],
}  # fmt: skip


def test_gather_known_hosts_reads_their_paths_then_every_name_once():
    t = transport((HOST, host_props()))
    (got,) = facts.gather(vi_wire.client(t), [HOST])
    assert {k: got[k] for k in EXPECTED} == EXPECTED
    reads = [r for r in t.requests if r.method == "RetrievePropertiesEx"]
    assert len(reads) == 2  # the hosts, then the names: never a call per host or datastore
    spec = reads[0].arg("specSet")[0]
    assert spec["propSet"] == [
        {"_type": "PropertySpec", "type": "HostSystem", "all": False, "pathSet": list(facts.PATHS)}
    ]
    assert [o["obj"] for o in spec["objectSet"]] == [HOST]
    named = [o["obj"] for o in reads[1].arg("specSet")[0]["objectSet"]]
    assert named == [HOST, DS2, DS1, NET, DVPG]


def test_gather_below_a_root_reads_through_one_view_and_destroys_it():
    lone = host_props(
        name=_s("esx99.lab"), parent=_ref(STANDALONE), datastore=_refs(DS1), network=_refs(NET)
    )
    t = transport((HOST, host_props()), (LONE, lone))
    t.on("CreateContainerView", response_ref("CreateContainerView", *VIEW))
    t.on("DestroyView", response("DestroyView"))
    hosts = facts.gather(vi_wire.client(t), root=DC)
    assert [(h["name"], h["cluster"], h["datacenter"]) for h in hosts] == [
        ("esx/01.lab", "prod", "DC0"),
        ("esx99.lab", None, "DC0"),  # a standalone host's compute resource is no cluster
    ]
    assert hosts[1]["datastores"] == ["ssd-01"] and hosts[1]["networks"] == ["VM Network"]
    assert t.methods[2:] == [
        "CreateContainerView", "RetrievePropertiesEx", "DestroyView", "RetrievePropertiesEx",
    ]  # fmt: skip
    assert t.requests[2].arg("container") == DC
    assert t.requests[2].arg("type") == ["HostSystem"]


def tree() -> Tree:
    return Tree([(ref, {"name": n, "parent": p}) for ref, n, p in NAMES])


def test_what_the_server_leaves_unset_is_null_or_false():
    props = {"name": "esx-new", "runtime.connectionState": "disconnected"}
    got = facts.host_facts(MoRef("HostSystem", "host-99"), props, tree())
    assert got["name"] == "esx-new" and got["connection_state"] == "disconnected"
    assert got["datacenter"] is None and got["cluster"] is None  # not in the names read
    assert (got["maintenance_mode"], got["quarantine_mode"]) == (False, False)
    assert got["cpu_vendor"] is None and got["evc_mode"] is None and got["power_state"] is None
    assert (got["vm_count"], got["datastores"], got["networks"]) == (0, [], [])
    assert got["memory_bytes"] is None and got["version"] is None


def test_power_states_are_snake_case_and_an_unknown_one_is_kept():
    def state(value):
        return facts.host_facts(HOST, {"runtime.powerState": value}, tree())["power_state"]

    assert [state(s) for s in ("poweredOn", "poweredOff", "standBy", "unknown")] == [
        "powered_on",
        "powered_off",
        "standby",
        "unknown",
    ]


def test_an_empty_evc_key_or_vendor_is_null_and_unnamed_references_are_left_out():
    props = {
        "summary.currentEVCModeKey": "",
        "hardware.cpuPkg": [{"_type": "HostCpuPackage", "vendor": ""}],
        "datastore": [DS1, MoRef("Datastore", "datastore-404")],  # gone since the host read
    }
    got = facts.host_facts(HOST, props, tree())
    assert got["evc_mode"] is None and got["cpu_vendor"] is None
    assert got["datastores"] == ["ssd-01"]


def _documented_keys(module: str) -> set[str]:
    source = Path(facts.__file__).resolve().parents[2] / "modules" / f"{module}.py"
    for node in ast.parse(source.read_text()).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "RETURN":
            return set(yaml.safe_load(node.value.value)["hosts"]["contains"])
    raise AssertionError(f"{module} has no RETURN")


def test_every_fact_is_documented_by_esx_host_info_and_every_documented_key_is_a_fact():
    got = facts.host_facts(HOST, {}, tree())
    assert set(got) == _documented_keys("esx_host_info")
