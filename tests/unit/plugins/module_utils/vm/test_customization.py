"""vm/customization.py: the CustomizationSpec of the customization option, what a diff shows
of it, and how customization events are read (no network)."""

from __future__ import annotations

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import InvalidArgument
from ansible_collections.viapi.esx.plugins.module_utils.vm import customization as cust
from ansible_collections.viapi.esx.plugins.module_utils.vm.device_facts import linked_clone
from ansible_collections.viapi.esx.plugins.module_utils.vm.provision import check_waits
from ansible_collections.viapi.esx.plugins.module_utils.vm.request import (
    CloneRequest,
    VmIdentity,
    VmRequest,
)

STATIC = {"ip": "10.0.0.5", "netmask": "255.255.255.0", "gateway": "10.0.0.1"}
WINDOWS = {"password": "pw-1", "product_key": "KEY-2", "join_domain": "corp.test",
           "domain_admin": "joiner", "domain_admin_password": "pw-3", "org": "Example"}  # fmt: skip


def test_linux_spec_static_and_dhcp_nics():
    spec = cust.inline_spec({"hostname": "web01", "domain": "example.test",
                             "dns_servers": ["10.0.0.2"], "timezone": "Europe/Berlin"},
                            [STATIC, None], "rhel9_64Guest")  # fmt: skip
    assert list(spec) == ["_type", "options", "identity", "globalIPSettings", "nicSettingMap"]
    assert spec["identity"]["_type"] == "CustomizationLinuxPrep"
    assert spec["identity"]["hostName"] == {"_type": "CustomizationFixedName", "name": "web01"}
    assert spec["identity"]["domain"] == "example.test"
    assert spec["globalIPSettings"]["dnsServerList"] == ["10.0.0.2"]
    first, second = (m["adapter"] for m in spec["nicSettingMap"])
    assert first["ip"] == {"_type": "CustomizationFixedIp", "ipAddress": "10.0.0.5"}
    assert first["subnetMask"] == "255.255.255.0" and first["gateway"] == ["10.0.0.1"]
    assert second["ip"] == {"_type": "CustomizationDhcpIpGenerator"}


def test_no_hostname_names_the_guest_after_the_vm():
    spec = cust.inline_spec({}, [], None)
    assert spec["identity"]["hostName"] == {"_type": "CustomizationVirtualMachineName"}


def test_windows_spec_by_option_or_guest_id():
    spec = cust.inline_spec(
        {"hostname": "app01", "timezone": "85", "windows": WINDOWS}, [None], None
    )
    identity = spec["identity"]
    assert identity["_type"] == "CustomizationSysprep"
    assert identity["guiUnattended"]["password"] == {"_type": "CustomizationPassword",
                                                     "value": "pw-1", "plainText": True}  # fmt: skip
    assert identity["guiUnattended"]["timeZone"] == 85
    assert identity["userData"]["productId"] == "KEY-2"
    assert identity["identification"]["joinDomain"] == "corp.test"
    assert identity["identification"]["domainAdminPassword"]["value"] == "pw-3"
    by_guest = cust.inline_spec({}, [], "windows2019srv_64Guest")["identity"]
    assert by_guest["_type"] == "CustomizationSysprep"
    assert by_guest["identification"] == {"_type": "CustomizationIdentification",
                                          "joinWorkgroup": "WORKGROUP"}  # fmt: skip


@pytest.mark.parametrize(
    ("custom", "nics", "message"),
    [
        ({"hostname": "bad_name"}, [], "customization.hostname must be 1-63 letters"),
        ({}, [{"ip": "10.0.0.5"}], "networks[0].netmask is required with networks[0].ip (10.0.0.5)"),
        ({}, [{"ip": "10.0.0.300", "netmask": "255.0.0.0"}], "networks[0].ip must be an IPv4 address"),
        ({}, [None, {"gateway": "10.0.0.1"}], "networks[1]: netmask and gateway need ip"),
        ({"windows": {"join_domain": "x"}}, [], "join_domain 'x' needs domain_admin and domain_admin_password"),
        ({"windows": {"org": "o"}, "timezone": "Europe/Berlin"}, [], "Windows takes a time zone index"),
        ({"windows": {"org": "o"}, "linux": {"hw_clock_utc": True}}, [], "set linux or windows, not both"),
    ],
)  # fmt: skip
def test_bad_input_names_the_option(custom, nics, message):
    with pytest.raises(InvalidArgument) as e:
        cust.inline_spec(custom, nics, None)
    assert message in str(e.value)


def test_the_diff_shows_no_secret():
    shown = cust.shown({"hostname": "app01", "windows": dict(WINDOWS, run_once=None)}, [STATIC])
    assert shown == {"hostname": "app01", "networks": [STATIC],
                     "windows": {"join_domain": "corp.test", "domain_admin": "joiner", "org": "Example"}}  # fmt: skip
    assert not any(s in repr(shown) for s in ("pw-1", "KEY-2", "pw-3"))


def test_a_named_spec_takes_only_existing_vm_beside_it():
    cust.check_named({"existing_vm": True, "hostname": None}, "saved")
    with pytest.raises(InvalidArgument, match="customization may only set existing_vm"):
        cust.check_named({"hostname": "x"}, "saved")


def event(kind: str, key: int) -> dict:
    return {"_type": kind, "key": str(key), "fullFormattedMessage": f"{kind} {key}"}


def test_events_newest_first_and_the_end_of_a_customization():
    page = {"latestPage": [event("CustomizationStartedEvent", 7), event("CustomizationSucceeded", 9),
                           event("CustomizationStartedEvent", 3)]}  # fmt: skip
    assert [e["key"] for e in cust.events(page)] == ["9", "7", "3"]
    assert cust._ended(page, 0)["_type"] == "CustomizationSucceeded"
    assert cust._ended(page, 9) is None  # only events newer than key 9 count
    started = {"latestPage": event("CustomizationStartedEvent", 12)}  # one event: not a list
    assert cust._ended(started, 9) is None and cust.latest(started, 9)["key"] == "12"
    failed = {"latestPage": [event("CustomizationLinuxIdentityFailed", 13)]}
    assert cust._ended(failed, 9)["_type"] in cust.FAILED


def test_linked_clone_facts_tell_a_clone_from_a_snapshot_delta():
    def disk(key, file, parent=None):
        backing = {"_type": "VirtualDiskFlatVer2BackingInfo", "fileName": file}
        if parent:
            backing["parent"] = parent
        return {"_type": "VirtualDisk", "key": key, "controllerKey": 1000, "unitNumber": key - 2000,
                "deviceInfo": {"label": f"Hard disk {key - 1999}"}, "backing": backing}  # fmt: skip

    base = {"fileName": "[ds] src/src.vmdk"}
    own = {"fileName": "[ds] clone/clone.vmdk", "parent": base}
    devices = [disk(2000, "[ds] clone/clone-000001.vmdk", own), disk(2001, "[ds] clone/data.vmdk")]
    assert linked_clone(devices) == [{"label": "Hard disk 1", "file": "[ds] clone/clone-000001.vmdk",
                                      "parent": "[ds] src/src.vmdk"}]  # fmt: skip
    snapshot_only = [disk(2000, "[ds] vm/vm-000001.vmdk", {"fileName": "[ds] vm/vm.vmdk"})]
    assert linked_clone(snapshot_only) is None


def test_waits_need_a_running_vm():
    request = VmRequest(VmIdentity(name="x"), clone=CloneRequest(wait_for=("ip",)))
    check_waits(request, "powered_on", "x")
    with pytest.raises(InvalidArgument, match="wait_for ip: VM 'x' will be powered_off"):
        check_waits(request, "powered_off", "x")
