"""A server newer than the type table (vSphere after 9.0, which the simulator cannot be): the
client speaks the table's newest version to it, and reads its answers."""

from __future__ import annotations

from fakeserver import Reply

from ansible_collections.viapi.esx.plugins.module_utils.vi.schema import VERSIONS

from .helpers import client_for

NEWER = ("9.5.0.0", "9.1.0.0", "9.0.0.0", "8.0.3.0", "8.0.2.0")


def versions_file(*versions: str) -> bytes:
    """/sdk/vimServiceVersions.xml in the layout vCenter publishes."""
    prior = "".join(f"<version>{v}</version>" for v in versions[1:])
    return (
        '<?xml version="1.0" encoding="UTF-8" ?><namespaces version="1.0"><namespace>'
        f"<name>urn:vim25</name><version>{versions[0]}</version>"
        f"<priorVersions>{prior}</priorVersions></namespace></namespaces>"
    ).encode()


def test_a_newer_server_is_spoken_to_at_the_tables_newest_version(fake):
    fake.on("", Reply(200, versions_file(*NEWER)))  # the GET: no SOAP method
    with client_for(fake) as client:
        assert client.api_version == VERSIONS[-1] == "9.0.0.0"
    soap = [(m, a) for m, a in fake.actions if not m.startswith("/")]
    assert soap[0] == ("RetrieveServiceContent", '"urn:vim25/6.0"') or soap[0] == (
        "RetrieveServiceContent",
        "urn:vim25/6.0",
    )
    assert [m for m, _a in soap[1:]] == ["Login", "Logout"]
    assert {a.strip('"') for _m, a in soap[1:]} == {"urn:vim25/9.0.0.0"}
    assert ("/sdk/vimServiceVersions.xml", None) in fake.actions
