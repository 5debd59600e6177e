"""vm/waits.py: the VM wait table (what each wait reads and when it is over)."""

from __future__ import annotations

import pytest
import vi_wire
from vi_wire import FakeTransport, response, response_ref

from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vm import waits

VM = MoRef("VirtualMachine", "vm-42")


@pytest.mark.parametrize(
    "name, props, holds",
    [
        ("powered_off", {"runtime.powerState": "poweredOff"}, True),
        ("powered_off", {"runtime.powerState": "poweredOn"}, False),
        ("powered_off", {"runtime.powerState": "suspended"}, False),
        ("powered_on", {"runtime.powerState": "poweredOn"}, True),
        ("powered_on", {}, False),
        ("tools_running", {"guest.toolsRunningStatus": "guestToolsRunning"}, True),
        ("tools_running", {"guest.toolsRunningStatus": "guestToolsExecutingScripts"}, False),
        ("tools_running", {"guest.toolsRunningStatus": None}, False),
        ("ip_address", {"guest.ipAddress": "192.0.2.10"}, True),
        ("ip_address", {"guest.ipAddress": "2001:db8::10"}, True),
        ("ip_address", {"guest.ipAddress": "169.254.7.1"}, False),  # no DHCP answer yet
        ("ip_address", {"guest.ipAddress": "fe80::250:56ff:fe9a:1"}, False),
        ("ip_address", {"guest.ipAddress": None}, False),
        ("ip_address", {"guest.ipAddress": "not an address"}, False),
    ],
)  # fmt: skip
def test_each_wait_holds_only_for_what_it_names(name, props, holds):
    wait = waits.WAITS[name]
    assert wait.holds(props) is holds
    assert set(props) <= set(wait.paths)


def test_every_wait_names_what_it_waits_for():
    assert {name: w.what for name, w in waits.WAITS.items()} == {
        "powered_off": "the VM to power off",
        "powered_on": "the VM to power on",
        "tools_running": "VMware Tools to run in the guest",
        "ip_address": "the guest to report an IP address",
    }


def test_wait_for_watches_the_waits_paths_of_the_vm():
    t = FakeTransport()
    t.on(
        "CreatePropertyCollector",
        response_ref("CreatePropertyCollector", "PropertyCollector", "pc-1"),
    )
    t.on("CreateFilter", response_ref("CreateFilter", "PropertyFilter", "f-1"))
    t.on("DestroyPropertyCollector", response("DestroyPropertyCollector"))
    t.on("WaitForUpdatesEx", response("WaitForUpdatesEx", (
        '<version>1</version><filterSet><filter type="PropertyFilter">f-1</filter><objectSet>'
        '<kind>enter</kind><obj type="VirtualMachine">vm-42</obj><changeSet><name>guest.ipAddress'
        '</name><op>assign</op><val xsi:type="xsd:string">192.0.2.10</val></changeSet></objectSet>'
        "</filterSet>")))  # fmt: skip
    props = waits.wait_for(vi_wire.client(t), VM, waits.IP_ADDRESS, deadline=10**9)
    assert props == {"guest.ipAddress": "192.0.2.10"}
    spec = t.requests[3].arg("spec")
    assert spec["propSet"][0]["pathSet"] == ["guest.ipAddress"]
    assert spec["objectSet"][0]["obj"] == VM
    assert t.methods[-1] == "DestroyPropertyCollector"
