"""vm/config_options.py: what counts as offered, the nearest values, one read per question."""

from __future__ import annotations

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import InvalidArgument
from ansible_collections.viapi.esx.plugins.module_utils.vm.config_options import (
    ConfigOptions,
    not_offered,
    versions,
)

BROWSER = MoRef("EnvironmentBrowser", "envbrowser-20")
HOST, OTHER = MoRef("HostSystem", "host-21"), MoRef("HostSystem", "host-99")


def descriptor(key, create=True, upgrade=True, hosts=None) -> dict:
    d = {"_type": "VirtualMachineConfigOptionDescriptor", "key": key, "description": key,
         "createSupported": create, "upgradeSupported": upgrade, "runSupported": True}  # fmt: skip
    if hosts is not None:
        d["host"] = hosts
    return d


class Browser:
    """Call-level answers of an EnvironmentBrowser, as the client decodes them."""

    GUESTS = ["otherGuest", "otherGuest64", "ubuntu64Guest", "ubuntuGuest", "windows9_64Guest"]

    def __init__(self, descriptors):
        self.descriptors, self.calls = descriptors, []

    def call(self, obj, method, **args):
        assert obj == BROWSER
        self.calls.append((method, args))
        if method == "QueryConfigOptionDescriptor":
            return self.descriptors
        wanted = args["spec"].get("guestId") or []
        # The API: filtered to the ids asked for, or the whole list when none matches.
        ids = [g for g in self.GUESTS if g in wanted] or self.GUESTS
        return {
            "_type": "VirtualMachineConfigOption",
            "guestOSDescriptor": [{"id": i} for i in ids],
        }


def test_versions_follow_the_flags_and_an_absent_flag_allows():
    found = [descriptor("vmx-03", create=False, upgrade=False), descriptor("vmx-13"),
             descriptor("vmx-19", upgrade=None), descriptor("vmx-21", create=False)]  # fmt: skip
    assert versions(found, creating=True) == ["vmx-13", "vmx-19"]
    assert versions(found, creating=False) == ["vmx-13", "vmx-19", "vmx-21"]


def test_the_message_names_the_option_the_value_and_the_nearest():
    msg = not_offered("guest_id", "ubuntu64Gest", Browser.GUESTS, "host 'esx1'")
    assert msg.startswith("guest_id: 'ubuntu64Gest' is not offered by host 'esx1'; ")
    assert msg.split("the nearest offered: ")[1].split(", ")[0] == "ubuntu64Guest"
    # Nothing close: still the three nearest, never an empty list.
    far = not_offered("hardware_version", "zzz", ["vmx-13", "vmx-15", "vmx-17", "vmx-19"], "x")
    assert len(far.split("the nearest offered: ")[1].split(", ")) == 3
    assert "offers none" in not_offered("guest_id", "a", [], "host 'esx1'")


def test_the_nearest_hardware_versions_are_the_nearest_in_number():
    offered = [f"vmx-{n:02d}" if n < 10 else f"vmx-{n}" for n in (4, 7, 8, 9, 10, 11, 13)]
    msg = not_offered("hardware_version", "vmx-99", offered, "cluster 'C0' for a new VM")
    assert msg.endswith("the nearest offered: vmx-13, vmx-11, vmx-10")
    msg = not_offered("hardware_version", "vmx-12", offered, "x")
    assert msg.endswith("the nearest offered: vmx-13, vmx-11, vmx-10")


def test_descriptors_for_other_hosts_are_left_out_and_read_once():
    client = Browser([descriptor("vmx-13", hosts=[HOST, OTHER]), descriptor("vmx-19", hosts=[OTHER]),
                      descriptor("vmx-15")])  # fmt: skip
    options = ConfigOptions(client, BROWSER, HOST, "host 'esx1'")
    options.check_version("vmx-13", creating=True)
    options.check_version("vmx-15", creating=False)
    with pytest.raises(InvalidArgument, match=r"'vmx-19' is not offered by host 'esx1' for a new"):
        options.check_version("vmx-19", creating=True)
    assert [m for m, _a in client.calls] == ["QueryConfigOptionDescriptor"]


def test_guest_ids_are_asked_for_by_id_at_the_version_and_cached():
    client = Browser([])
    options = ConfigOptions(client, BROWSER, HOST, "host 'esx1'")
    options.check_guest("ubuntu64Guest", "vmx-13")
    options.check_guest("ubuntu64Guest", "vmx-13")
    with pytest.raises(InvalidArgument, match=r"^guest_id: 'bogusGuest' .* host 'esx1' at vmx-13;"):
        options.check_guest("bogusGuest", "vmx-13")
    specs = [a["spec"] for m, a in client.calls]
    assert [s["guestId"] for s in specs] == [["ubuntu64Guest"], ["bogusGuest"]]
    assert specs[0] == {"_type": "EnvironmentBrowserConfigOptionQuerySpec", "key": "vmx-13",
                        "host": HOST, "guestId": ["ubuntu64Guest"]}  # fmt: skip


def test_without_a_browser_nothing_is_read_or_refused():
    client = Browser([])
    options = ConfigOptions(client, None, None, "host 'esx1'")
    options.check_version("vmx-99", creating=True)
    options.check_guest("bogusGuest", None)
    assert client.calls == []
