"""The decoder on real vCenter answers (../shared/fixtures/real-vsphere, vcrpy cassettes).

Every SOAP answer recorded there must decode; the values below are the ones the servers sent.
The module is skipped when the shared fixtures are absent (a clone of the collection alone).
"""

from __future__ import annotations

import re

import pytest
import real_vsphere
import vi_wire
from vi_wire import FakeTransport

from ansible_collections.viapi.esx.plugins.module_utils.vi import envelope, faults, session
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vi.retry import NO_DELAY

pytestmark = pytest.mark.skipif(
    not real_vsphere.available(), reason=f"no recorded vSphere traffic at {real_vsphere.FIXTURES}"
)
SOAP_CALLS = real_vsphere.soap_interactions()
_PROP = re.compile(r"<prop[^>]*>([^<]+)</prop>")


def decoded(interaction):
    return envelope.parse_response(interaction.soap_method, interaction.status, interaction.body)


def fetched(cassette: str) -> list[tuple[str, str, object]]:
    """(object, property, value) of each pyVmomi property Fetch in a cassette."""
    out = []
    for i in real_vsphere.cassettes()[cassette]:
        if i.soap_method == "Fetch":
            this = re.search(r"<_this[^>]*>([^<]+)</_this>", i.request).group(1)
            out.append((this, _PROP.search(i.request).group(1), decoded(i)))
    return out


def test_the_fixtures_hold_what_this_module_expects():
    cassettes = real_vsphere.cassettes()
    assert set(cassettes) >= {"basic_connection", "basic_connection_bad_password", "basic_container_view",
                              "smart_connection", "test_json_datastore_explode", "vm_nic_data"}  # fmt: skip
    everything = [i for c in cassettes.values() for i in c]
    others = [i for i in everything if not i.soap_method]
    # Only the version negotiation GETs are not SOAP calls; nothing is left out silently.
    assert {i.uri.rsplit("/", 1)[1] for i in others} == {"vimServiceVersions.xml"}
    assert all(i.http_method == "GET" for i in others)
    assert len(SOAP_CALLS) == len(everything) - len(others) >= 50


@pytest.mark.parametrize("interaction", SOAP_CALLS, ids=[i.id for i in SOAP_CALLS])
def test_every_recorded_answer_decodes(interaction):
    if interaction.status == 500:
        with pytest.raises(faults.Fault):
            decoded(interaction)
    else:
        decoded(interaction)  # no exception: that is the test


def test_service_content_and_about():
    content = decoded(real_vsphere.find("basic_connection", "RetrieveServiceContent"))
    assert content["_type"] == "ServiceContent"
    about = content["about"]
    assert about["apiType"] == "VirtualCenter"
    assert about["apiVersion"] == "8.0.2.0"
    assert about["version"] == "8.0.3" and about["build"] == "69507950"
    assert about["fullName"] == "VMware vCenter Server 8.0.3 build-69507950"
    assert about["instanceUuid"] == "61f12cb6-9de0-40cb-9c47-61d494229f4f"
    assert (
        about["name"] == "VMware vCenter Server"
    )  # the line break in the YAML is not in the value
    assert content["rootFolder"] == MoRef("Folder", "group-d1")
    assert content["propertyCollector"] == MoRef("PropertyCollector", "propertyCollector")
    assert content["sessionManager"] == MoRef("SessionManager", "SessionManager")
    assert content["searchIndex"] == MoRef("SearchIndex", "SearchIndex")
    old = decoded(real_vsphere.find("basic_connection_bad_password", "RetrieveServiceContent"))[
        "about"
    ]
    assert (old["version"], old["apiVersion"], old["build"]) == ("6.0.0", "6.0", "2798252")
    newer = decoded(real_vsphere.find("basic_container_view", "RetrieveServiceContent"))["about"]
    assert newer["patchLevel"] == "00000"  # a field newer than the table still decodes


def test_login_returns_a_typed_user_session():
    s = decoded(real_vsphere.find("basic_connection", "Login"))
    assert s["_type"] == "UserSession"
    assert s["key"] == "5220f274-9ba1-a663-b51f-9b16fca182f1"
    assert s["userName"] == "my_user" and s["locale"] == "en"
    assert s["callCount"] == 0 and not isinstance(s["callCount"], bool)
    assert s["extensionSession"] is False
    assert s["loginTime"] == "2023-12-14T06:53:33.763524Z"
    assert envelope.to_timestamp(s["loginTime"]) == pytest.approx(1702536813.763524)


def test_the_bad_password_is_the_real_invalid_login_fault():
    login = real_vsphere.find("basic_connection_bad_password", "Login")
    assert login.status == 500
    with pytest.raises(faults.InvalidLogin) as info:
        decoded(login)
    assert info.value.name == "InvalidLogin"
    assert info.value.message == "Cannot complete login due to an incorrect user name or password."
    assert info.value.detail == {"_type": "InvalidLogin"}


def test_a_recorded_session_through_the_client():
    """The client itself, fed the recorded answers: connect, then a wrong password."""

    def replay(cassette):
        t = FakeTransport()
        for i in real_vsphere.cassettes()[cassette]:
            if i.soap_method in ("RetrieveServiceContent", "Login"):
                t.on(i.soap_method, (i.status, i.body))
        return t.on("Logout", vi_wire.response("Logout"), always=True)

    with session.Client(
        "vcsa", "my_user", "pw", backoff=NO_DELAY, transport=replay("basic_connection")
    ) as c:
        assert c.is_vcenter and c.api_version == "8.0.2.0"
        assert c.session["userName"] == "my_user"
    client = session.Client(
        "vcsa",
        "my_user",
        "bad_password",
        backoff=NO_DELAY,
        transport=replay("basic_connection_bad_password"),
    )
    with pytest.raises(faults.InvalidLogin, match="incorrect user name or password"), client:
        pass


def test_container_view_answers():
    view = decoded(real_vsphere.find("basic_container_view", "CreateContainerView"))
    assert view == MoRef(
        "ContainerView",
        "session[52bb85b0-adbe-7f20-156d-6130b6dc066e]5286fa88-7318-63fc-4917-f258ec859d33",
    )
    values = {prop: v for _this, prop, v in fetched("basic_container_view")}
    assert values["view"] == [MoRef("Datacenter", "datacenter-3")]  # one element, still a list
    assert values["datastore"] == [MoRef("Datastore", "datastore-17")]
    assert decoded(real_vsphere.find("basic_container_view", "DestroyView")) is None


def test_vm_names_and_guest_data():
    values = fetched("vm_nic_data")
    vms = next(v for _this, prop, v in values if prop == "view")
    assert vms == [MoRef("VirtualMachine", v) for v in ("vm-19", "vm-18", "vm-20")]
    names = {this: v for this, prop, v in values if prop == "name"}
    assert names == {
        "vm-19": "vCLS-8f66678f-3d69-4b58-a4c7-bae62203b573",
        "vm-18": "vCLS-fc35c4f3-c84c-4232-9446-e64ff2c9388c",
        "vm-20": "vCLS-32d7e67b-f3b4-485b-9685-b4b43c7f9c75",
    }
    guest = next(v for this, prop, v in values if this == "vm-19" and prop == "guest")
    assert guest["_type"] == "GuestInfo"
    assert guest["guestId"] == "vmwarePhoton64Guest" and guest["guestState"] == "running"
    assert guest["toolsRunningStatus"] == "guestToolsRunning"
    assert (
        guest["guestOperationsReady"] is True and guest["interactiveGuestOperationsReady"] is False
    )
    assert guest["hostName"] == "None"  # what this server sent, as a string
    assert [(d["diskPath"], d["capacity"], d["freeSpace"]) for d in guest["disk"]] == [
        ("/", 2058399744, 1299390464), ("/boot/efi", 10446848, 9050112),
    ]  # fmt: skip
    assert guest["disk"][0]["mappings"] == [{"_type": "GuestInfoVirtualDiskMapping", "key": 2000}]
    assert guest["screen"] == {"_type": "GuestScreenInfo", "width": 800, "height": 600}
    dns = guest["ipStack"][0]["dnsConfig"]
    assert (
        dns["dhcp"] is False
        and dns["ipAddress"][:2] == ["1.1.1.1", "8.8.8.8"]
        and len(dns["ipAddress"]) == 8
    )
    assert dns["searchDomain"] == ["."]  # one element, still a list
    assert "net" not in guest  # these vCLS VMs report no NICs


def test_datastore_properties_are_typed():
    values = {prop: v for _this, prop, v in fetched("test_json_datastore_explode")}
    summary = values["summary"]
    assert summary["_type"] == "DatastoreSummary"
    assert summary["capacity"] == 386479947776 and isinstance(summary["capacity"], int)
    assert summary["freeSpace"] == 362348271376 and summary["uncommitted"] == 9797894144
    assert summary["accessible"] is True and summary["multipleHostAccess"] is True
    assert (summary["type"], summary["maintenanceMode"]) == ("vsan", "normal")
    assert summary["datastore"] == MoRef("Datastore", "datastore-17")
    info = values["info"]
    assert info["_type"] == "VsanDatastoreInfo"
    assert info["maxMemoryFileSize"] == 9223372036854775807 and info["freeSpace"] == 362348271376
    assert info["timestamp"] == "2023-12-14T10:30:18.831152Z"
    hosts = values["host"]
    assert {h["key"] for h in hosts} >= {
        MoRef("HostSystem", "host-15"),
        MoRef("HostSystem", "host-16"),
    }
    assert all(
        h["_type"] == "DatastoreHostMount" and h["mountInfo"]["mounted"] is True for h in hosts
    )
    assert values["vm"] == [MoRef("VirtualMachine", v) for v in ("vm-20", "vm-19", "vm-18")]
    assert values["capability"]["perFileThinProvisioningSupported"] is True
    assert values["capability"]["storageIORMSupported"] is False
    assert values["effectiveRole"] == [-1]
    assert values["disabledMethod"] == ["DatastoreExitMaintenanceMode_Task"]
    assert values["alarmActionsEnabled"] is True
    assert values["overallStatus"] == "green"
    assert values["name"] == "vsanDatastore"
    assert values["parent"] == MoRef("Folder", "group-s6")
    assert values["value"] == [] and values["customValue"] == []
