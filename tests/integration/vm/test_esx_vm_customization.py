"""esx_vm's customization, customization_spec and wait_for on the simulator's vCenter model.

The harness (tests/vcsim/customize.go) runs an attached customization when the VM powers on:
CustomizationStartedEvent, then after a delay the guest's host name and addresses (a DHCP
NIC's lease from the harness's DHCP server, 198.51.100.0/24) and CustomizationSucceeded
(CustomizationFailed for a host name starting with fail-). What the guest got and which
events were posted is read from the server (vm_server), not from the module's result.
"""

from __future__ import annotations

import ipaddress

import pytest
from ansible_run import run_module
from test_esx_vm import three_runs
from vm_runs import ok, vm_run

from ansible_collections.viapi.esx.plugins.module_utils.vi.collector import get_one

PLACE = {"cluster": "DC0_C0", "datastore": "LocalDS_0"}
LINUX_NIC = {"name": "VM Network", "ip": "10.0.0.21", "netmask": "255.255.255.0",
             "gateway": "10.0.0.1"}  # fmt: skip
SECRETS = ("S3cret-Admin-Pw", "ABCDE-12345-SECRET", "Dom-Adm-Secret-9")


@pytest.fixture(scope="module")
def sim(vcsim_factory):
    return vcsim_factory()


@pytest.fixture(scope="module")
def template(sim):
    ok(vm_run(sim, {"name": "tpl-cust", "guest_id": "otherLinux64Guest", "memory_mb": 128,
                    "disks": [{"size_mb": 16}], "networks": [{"name": "VM Network"}],
                    "is_template": True, **PLACE}))  # fmt: skip
    return "tpl-cust"


def guest(server, name: str) -> dict:
    paths = ("guest.hostName", "guest.ipAddress", "runtime.powerState")
    props = server.props(server.vm(name), paths)
    return {p: props.get(p) for p in paths}


def events(server, name: str) -> list[str]:
    """The customization event types the server holds for the VM, oldest first (an event
    collector's latestPage, read with the test session's own collector read)."""
    spec = {"_type": "EventFilterSpec",
            "entity": {"_type": "EventFilterSpecByEntity", "entity": server.vm(name), "recursion": "self"},
            "eventTypeId": ["CustomizationStartedEvent", "CustomizationSucceeded",
                            "CustomizationLinuxIdentityFailed", "CustomizationUnknownFailure"]}  # fmt: skip
    manager = server.client.content["eventManager"]
    collector = server.setup_call(manager, "CreateCollectorForEvents", filter=spec)
    try:  # the collector is the client's session's: read through that session
        page = get_one(server.client, collector, ["latestPage"]).get("latestPage") or []
    finally:
        server.setup_call(collector, "DestroyCollector")
    page = page if isinstance(page, list) else [page]
    return [e["_type"] for e in sorted(page, key=lambda e: int(e["key"]))]


def test_linux_static_ip_and_waits(sim, server, template):
    args = {"name": "cu-linux", "template": template, **PLACE, "state": "powered_on",
            "customization": {"hostname": "web01", "domain": "example.test",
                              "dns_servers": ["10.0.0.2"], "timezone": "Europe/Berlin"},
            "networks": [LINUX_NIC], "wait_for": ["customization", "tools", "ip"]}  # fmt: skip
    check, real, _tasks = three_runs(server, sim, args)
    assert check["diff"]["after"]["customization"] == {
        "hostname": "web01", "domain": "example.test", "dns_servers": ["10.0.0.2"],
        "timezone": "Europe/Berlin", "existing_vm": False,
        "networks": [{"ip": "10.0.0.21", "netmask": "255.255.255.0", "gateway": "10.0.0.1"}],
    }  # fmt: skip
    # The facts are read after the waits: the guest had reported its customized state.
    assert real["vm"]["guest_hostname"] == "web01" and real["vm"]["ip_address"] == "10.0.0.21"
    assert real["vm"]["tools_status"] == "ok"
    assert guest(server, "cu-linux") == {"guest.hostName": "web01", "guest.ipAddress": "10.0.0.21",
                                         "runtime.powerState": "poweredOn"}  # fmt: skip
    assert events(server, "cu-linux") == ["CustomizationStartedEvent", "CustomizationSucceeded"]


def test_named_spec(sim, server, template):
    args = {"name": "cu-named", "template": template, **PLACE, "state": "powered_on",
            "customization_spec": "vcsim-linux", "wait_for": ["customization"]}  # fmt: skip
    check, _real, _tasks = three_runs(server, sim, args)
    assert check["diff"]["after"]["customization_spec"] == "vcsim-linux"
    # vcsim-linux names the guest after the VM (CustomizationVirtualMachineName)
    assert guest(server, "cu-named")["guest.hostName"] == "cu-named"
    assert events(server, "cu-named")[-1] == "CustomizationSucceeded"


def test_unknown_spec_names_it(sim, server, template):
    before = server.snapshot(), server.tasks()
    result = vm_run(
        sim, {"name": "cu-nospec", "template": template, "customization_spec": "no-such-spec"}
    )
    assert result.failed
    assert (
        "customization_spec: customization specification 'no-such-spec' not found" in result["msg"]
    )
    assert (server.snapshot(), server.tasks()) == before


def test_failed_customization(sim, server, template):
    args = {"name": "cu-fail", "template": template, **PLACE, "state": "powered_on",
            "customization": {"hostname": "fail-web"}, "wait_for": ["customization"]}  # fmt: skip
    result = vm_run(sim, args)
    assert result.failed and result["changed"] is True
    assert "An error occurred while setting up Linux identity" in result["msg"]
    assert "the VM is left as it is" in result["msg"]
    assert events(server, "cu-fail") == [
        "CustomizationStartedEvent",
        "CustomizationLinuxIdentityFailed",
    ]
    assert guest(server, "cu-fail")["runtime.powerState"] == "poweredOn"
    assert result["vm"]["name"] == "cu-fail"


def test_existing_vm(sim, server, template):
    ok(vm_run(sim, {"name": "cu-exist", "template": template, **PLACE}))
    args = {"name": "cu-exist", "customization": {"hostname": "renamed"}, "state": "powered_on",
            "wait_for": ["customization"]}  # fmt: skip
    before = server.tasks()
    ignored = vm_run(
        sim, {k: v for k, v in args.items() if k != "wait_for"} | {"state": "powered_off"}
    )
    assert ok(ignored)["changed"] is False and server.tasks() == before
    args["customization"]["existing_vm"] = True
    check = ok(vm_run(sim, args, check=True))
    assert check["changes"] == ["power_state", "customization"] and server.tasks() == before
    real = ok(vm_run(sim, args))
    assert real["changes"] == ["power_state", "customization"]
    assert guest(server, "cu-exist")["guest.hostName"] == "renamed"
    assert events(server, "cu-exist") == ["CustomizationStartedEvent", "CustomizationSucceeded"]
    refused = vm_run(sim, args)
    assert refused.failed and "CustomizeVM_Task needs it powered off" in refused["msg"]


def guest_net(server, name: str) -> list[tuple]:
    """(MAC address, connected, addresses) of each NIC VMware Tools report, in device order."""
    net = server.props(server.vm(name), ["guest.net"]).get("guest.net") or []
    return [(n.get("macAddress"), n.get("connected"), n.get("ipAddress", [])) for n in net]


def macs(server, name: str) -> list[str]:
    devices = server.props(server.vm(name), ["config.hardware.device"])["config.hardware.device"]
    return [d["macAddress"] for d in devices if "macAddress" in d]


def test_dhcp_nic_waits_for_its_lease(sim, server, template):
    """A NIC without ip uses DHCP: the guest reports the lease the network's DHCP server gave
    (the harness leases 198.51.100.0/24, tests/vcsim/README.md), and wait_for: ip waits for it."""
    args = {"name": "cu-lease", "template": template, **PLACE, "state": "powered_on",
            "customization": {"hostname": "lease01"}, "networks": [{"name": "VM Network"}],
            "wait_for": ["ip"]}  # fmt: skip
    check, real, _tasks = three_runs(server, sim, args)
    assert "networks" not in check["diff"]["after"]["customization"]  # no static address
    address = guest(server, "cu-lease")["guest.ipAddress"]
    assert ipaddress.ip_address(address) in ipaddress.ip_network("198.51.100.0/24")
    assert real["vm"]["ip_address"] == address  # the facts are read after the wait
    assert guest_net(server, "cu-lease") == [(macs(server, "cu-lease")[0], True, [address])]


def test_static_and_dhcp_nics(sim, server, template):
    """The first NIC static, a second one added by the clone on DHCP."""
    args = {"name": "cu-mix", "template": template, **PLACE, "state": "powered_on",
            "customization": {"hostname": "mix01"},
            "networks": [LINUX_NIC | {"ip": "10.0.0.31"}, {"name": "VM Network"}],
            "wait_for": ["customization", "ip"]}  # fmt: skip
    check, real, _tasks = three_runs(server, sim, args)
    assert check["diff"]["after"]["customization"]["networks"] == [
        {"ip": "10.0.0.31", "netmask": "255.255.255.0", "gateway": "10.0.0.1"},
        {"ip": None, "netmask": None, "gateway": None},
    ]
    first, second = guest_net(server, "cu-mix")
    assert first == (macs(server, "cu-mix")[0], True, ["10.0.0.31"])
    assert second[:2] == (macs(server, "cu-mix")[1], True) and len(second[2]) == 1
    assert ipaddress.ip_address(second[2][0]) in ipaddress.ip_network("198.51.100.0/24")
    # guest.ipAddress is the first NIC's address
    assert guest(server, "cu-mix")["guest.ipAddress"] == real["vm"]["ip_address"] == "10.0.0.31"


def test_wait_timeout_says_what_and_last_seen(sim, server, template):
    """A DHCP NIC that is not connected at power-on gets no lease: the ip wait times out."""
    args = {"name": "cu-dhcp", "template": template, **PLACE, "state": "powered_on",
            "customization": {"hostname": "dhcp01"}, "wait_for": ["customization", "ip"],
            "networks": [{"name": "VM Network", "start_connected": False}],
            "wait_timeout": 3}  # fmt: skip
    result = vm_run(sim, args)
    assert result.failed and result["changed"] is True
    assert "gave up waiting for the guest to report an IP address after 3s" in result["msg"]
    assert "last seen: guest.ipAddress=None" in result["msg"]
    assert guest(server, "cu-dhcp")["guest.hostName"] == "dhcp01"
    assert guest_net(server, "cu-dhcp") == [(macs(server, "cu-dhcp")[0], False, [])]
    plain = {"name": "cu-plain", "template": template, **PLACE, "state": "powered_on",
             "wait_for": ["customization"], "wait_timeout": 2}  # fmt: skip
    result = vm_run(sim, plain)
    assert result.failed
    assert "gave up waiting for the customization of VM 'cu-plain' to end" in result["msg"]
    assert "last seen: no customization event" in result["msg"]


def test_wait_needs_a_running_vm(sim, server, template):
    before = server.snapshot()
    result = vm_run(sim, {"name": "cu-off", "template": template, "wait_for": ["tools"]})
    assert result.failed and "set state: powered_on" in result["msg"]
    assert server.snapshot() == before


def test_windows_secrets_never_shown(sim, server, template):
    windows = {"password": SECRETS[0], "product_key": SECRETS[1], "join_domain": "corp.test",
               "domain_admin": "joiner", "domain_admin_password": SECRETS[2], "org": "Example"}  # fmt: skip
    args = {"name": "cu-win", "template": template, **PLACE, "state": "powered_on",
            "customization": {"hostname": "win01", "timezone": "85", "windows": windows},
            "wait_for": ["customization"]}  # fmt: skip
    runs = [
        run_module("esx_vm", args, sim=sim, check=True, diff=True, verbosity=4, cli=True),
        run_module("esx_vm", args, sim=sim, diff=True, verbosity=4, cli=True),
        run_module("esx_vm", args, sim=sim, diff=True, verbosity=4, cli=True),
        # failures: one before any change, one reported by the guest
        run_module("esx_vm", dict(args, name="cu-win2", template="no-such"), sim=sim, verbosity=4, cli=True),
        run_module("esx_vm", dict(args, name="cu-win3", customization=dict(
            args["customization"], hostname="fail-win")), sim=sim, diff=True, verbosity=4, cli=True),
    ]  # fmt: skip
    assert [r.failed for r in runs] == [False, False, False, True, True]
    assert "CustomizationUnknownFailure" not in runs[4]["msg"]
    assert "An error occurred while customizing VM cu-win3" in runs[4]["msg"]
    assert guest(server, "cu-win")["guest.hostName"] == "win01"
    for run in runs:
        text = run.stdout + run.stderr + repr(run.tasks)
        for secret in SECRETS:
            assert secret not in text, f"{secret} shown"
    shown = runs[0]["diff"]["after"]["customization"]["windows"]
    assert shown == {"join_domain": "corp.test", "domain_admin": "joiner", "org": "Example"}
