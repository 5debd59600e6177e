"""vi/versions.py and Client.connect: the newest vim25 version both sides know (issue 17, item 3)."""

from __future__ import annotations

import pytest
import vi_wire
from vi_wire import FakeTransport, service_versions

from ansible_collections.viapi.esx.plugins.module_utils.vi import faults, versions
from ansible_collections.viapi.esx.plugins.module_utils.vi.schema import VERSIONS

NEWEST = VERSIONS[-1]  # 9.0.0.0


def test_parse_reads_the_vim25_namespace_current_first():
    body = service_versions("8.0.3.0", "8.0.2.0", "8.0.1.0", "7.0.3.0")
    assert versions.parse_service_versions(body) == ["8.0.3.0", "8.0.2.0", "8.0.1.0", "7.0.3.0"]


@pytest.mark.parametrize("body", [b"", b"<html>404</html>", b"not xml", b"<namespaces/>",
                                  b'<!DOCTYPE x [<!ENTITY a "b">]><namespaces/>'])  # fmt: skip
def test_parse_of_something_else_lists_nothing(body):
    assert versions.parse_service_versions(body) == []


@pytest.mark.parametrize(
    "listed, spoken",
    [
        (["8.0.3.0", "8.0.2.0", "7.0.3.0"], "8.0.3.0"),  # vCenter 8.0U3: its own
        (["8.0.2.0", "8.0.1.0"], "8.0.2.0"),  # ESXi 8.0U2
        (["7.0.3.2", "7.0.3.1"], "7.0.3.2"),
        (["9.1.0.0", "9.0.0.0", "8.0.3.0"], NEWEST),  # newer than the table: the table's newest
        (["10.0.0.0", "6.0", "5.5"], NEWEST),  # newer, listing few priors (as vcsim does)
        (["8.0.3.7"], "8.0.3.1"),  # unknown patch version: the newest of ours below it
        # vCenter 8.0U2 lists an internal build id as its current version (recorded: see
        # test_a_recorded_vcenter_versions_file), about.apiVersion last.
        (["uA046D008", "8.0.2.0", "8.0.1.0", "8.0.2.0"], "8.0.2.0"),
        (["m5CA1EF4D"], None),
        (["1.0"], None),
        ([], None),
    ],
)
def test_choose(listed, spoken):
    assert versions.choose(listed) == spoken


def test_a_recorded_vcenter_versions_file(real_vsphere_cassettes):
    recorded = [i for c in real_vsphere_cassettes.values() for i in c
                if i.uri.endswith("/sdk/vimServiceVersions.xml")]  # fmt: skip
    assert recorded
    for interaction in recorded:
        listed = versions.parse_service_versions(interaction.body)
        assert listed[0] == "uA046D008" and "8.0.2.0" in listed and "4.0" in listed
        assert versions.choose([*listed, "8.0.2.0"]) == "8.0.2.0"


def calls(t: FakeTransport) -> list[tuple[str, str]]:
    return [(r.method, r.soap_action) for r in t.requests]


def test_connect_speaks_the_listed_version_after_service_content():
    t = FakeTransport()
    t.service_versions = service_versions("8.0.3.0", "8.0.2.0", "6.0")
    client = vi_wire.client(t)
    assert t.gets == ["vimServiceVersions.xml"]
    # RetrieveServiceContent in the bootstrap version, every call after it in the listed one
    # (about.apiVersion says 8.0.2.0 here: the file wins).
    assert calls(t) == [("RetrieveServiceContent", "urn:vim25/6.0"),
                        ("Login", "urn:vim25/8.0.3.0")]  # fmt: skip
    assert client.api_version == "8.0.3.0"
    assert client.round_trips == 2  # the GET is not a VI call


def test_a_newer_server_is_spoken_to_at_the_tables_newest():
    t = FakeTransport()
    t.service_versions = service_versions("9.1.0.0", "9.0.0.0", "8.0.3.0")
    client = vi_wire.client(t)
    assert client.api_version == NEWEST
    assert calls(t)[1:] == [("Login", f"urn:vim25/{NEWEST}")]


def test_without_the_file_about_api_version_decides():
    t = FakeTransport()  # answers 404 for the file
    client = vi_wire.client(t)
    assert calls(t) == [("RetrieveServiceContent", "urn:vim25/6.0"),
                        ("Login", "urn:vim25/8.0.2.0")]  # fmt: skip
    assert client.api_version == "8.0.2.0"


def test_without_the_file_a_newer_about_api_version_is_capped():
    content = vi_wire.SERVICE_CONTENT.replace(">8.0.2.0<", ">9.5.0.0<")
    t = FakeTransport()
    t.on("RetrieveServiceContent", vi_wire.response("RetrieveServiceContent", content))
    client = vi_wire.client(t)
    assert client.api_version == NEWEST
    assert calls(t)[-1] == ("Login", f"urn:vim25/{NEWEST}")


def test_a_file_that_is_not_the_versions_list_falls_back():
    t = FakeTransport()
    t.service_versions = b"<html><body>Welcome</body></html>"
    assert vi_wire.client(t).api_version == "8.0.2.0"


def test_a_transport_error_on_the_file_falls_back():
    t = FakeTransport()

    def refuse(name):
        raise faults.ReadTimeout("https://vc:443/sdk did not answer within 60s", retryable=True)

    t.get = refuse
    assert vi_wire.client(t).api_version == "8.0.2.0"
