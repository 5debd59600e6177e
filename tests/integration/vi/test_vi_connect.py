"""The VI client against the simulator: login, about, TLS, wrong password, sessions."""

from __future__ import annotations

import re
import warnings

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.vi import collector, faults
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef


def session_keys(client) -> set[str]:
    """Keys of every session the server holds, read through `client`'s own session."""
    manager = client.content["sessionManager"]
    sessions = collector.get_one(client, manager, ["sessionList"])["sessionList"]
    return {s["key"] for s in sessions}


@pytest.mark.parametrize("model", ["vcsim_vpx", "vcsim_esx"])
def test_login_and_about_match_the_server(request, connect, model):
    sim = request.getfixturevalue(model)
    client = connect(sim)
    about = client.about
    assert about["_type"] == "AboutInfo"
    assert about["apiType"] == sim.manifest["api_type"]
    assert about["apiVersion"] == sim.manifest["api_version"] == client.api_version
    assert about["fullName"] == sim.manifest["product"]
    assert client.is_vcenter is (model == "vcsim_vpx")
    assert about["apiType"] == ("VirtualCenter" if model == "vcsim_vpx" else "HostAgent")
    assert client.session["userName"] == sim.username
    assert isinstance(client.session["callCount"], int)
    assert isinstance(client.session["extensionSession"], bool)
    content = client.content
    for key in ("rootFolder", "propertyCollector", "viewManager", "sessionManager", "searchIndex"):
        assert isinstance(content[key], MoRef), key
    # An independent read of the same object through the property collector.
    root = collector.get_one(client, content["rootFolder"], ["name", "childEntity"])
    datacenters = {dc["moid"] for dc in sim.manifest["datacenters"]}
    assert {ref.value for ref in root["childEntity"] if ref.type == "Datacenter"} == datacenters


def test_a_wrong_password_is_invalid_login(vcsim_vpx, make_client):
    password = "not-the-Secret-42"
    client = make_client(vcsim_vpx, password=password)
    with pytest.raises(faults.InvalidLogin) as info:
        client.__enter__()  # what `with client:` runs first
    assert info.value.name == "InvalidLogin"
    assert "InvalidLogin: " in str(info.value)
    assert password not in str(info.value) and password not in repr(info.value.detail)
    assert client.session is None


def test_tls_with_the_ca_works_by_address_and_by_name(vcsim_vpx, connect):
    assert connect(vcsim_vpx).about["apiType"] == "VirtualCenter"
    assert connect(vcsim_vpx, hostname="localhost").about["apiType"] == "VirtualCenter"


def test_tls_without_the_ca_is_refused_with_the_cause(vcsim_vpx, make_client):
    client = make_client(vcsim_vpx, ca_path=None)
    with pytest.raises(faults.CertificateError) as info:
        client.__enter__()  # what `with client:` runs first
    message = str(info.value)
    assert message.startswith(
        f"TLS certificate of https://{vcsim_vpx.host}:{vcsim_vpx.port}/sdk refused: "
    )
    assert "the certificate's issuer (CA) is not trusted" in message
    assert "ca_path" in message and "validate_certs" in message
    assert client.round_trips == 1 and client.session is None


@pytest.mark.parametrize(
    "mode, cause",
    [
        ("expired", "the certificate has expired"),
        ("wrong-host", "the certificate does not name this address (IP address mismatch)"),
        ("self-signed", "the certificate is self-signed and not trusted"),
        ("weak-rsa1024", "the certificate's key is too weak (too few bits) for this OpenSSL"),
    ],
)
def test_a_bad_server_certificate_is_named(vcsim_factory, make_client, mode, cause):
    sim = vcsim_factory("--cert-mode", mode)
    with (
        pytest.raises(faults.CertificateError, match=re.escape(f"refused: {cause}. Give the CA")),
        make_client(sim),
    ):
        pytest.fail("connected to a bad certificate")


def test_validate_certs_false_works_and_warns(vcsim_vpx, make_client):
    client = make_client(vcsim_vpx, ca_path=None, validate_certs=False)
    assert len(client.warnings) == 1
    assert client.warnings[0].startswith(
        f"validate_certs is false: the TLS certificate of {vcsim_vpx.host} is not checked"
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with client:
            assert client.about["apiType"] == "VirtualCenter"
    assert not [w for w in caught if "Unverified HTTPS" in str(w.message)]


def test_no_session_is_left_after_logout(vcsim_vpx, connect, make_client):
    observer = connect(vcsim_vpx)
    client = make_client(vcsim_vpx)
    with client:
        key = client.session["key"]
        assert key in session_keys(observer)
    assert key not in session_keys(observer)
    assert observer.session["key"] in session_keys(observer)


def test_no_session_is_left_when_the_work_fails(vcsim_vpx, connect, make_client):
    observer = connect(vcsim_vpx)
    client = make_client(vcsim_vpx)
    with pytest.raises(faults.ManagedObjectNotFound), client:
        key = client.session["key"]
        client.call(MoRef("VirtualMachine", "vm-404"), "PowerOnVM_Task")
    assert key not in session_keys(observer)


def test_a_terminated_session_relogs_in_once(vcsim_factory, connect):
    sim = vcsim_factory()
    first, second = connect(sim), connect(sim)
    old_key = first.session["key"]
    manager = second.content["sessionManager"]
    second.call(manager, "TerminateSession", sessionId=[old_key])
    assert old_key not in session_keys(second)
    before = first.round_trips
    root = collector.get_one(first, first.content["rootFolder"], ["name"])
    assert root == {"name": "Datacenters"}
    assert first.round_trips - before == 3  # refused, Login, the same read again
    assert first.session["key"] != old_key
    assert first.session["key"] in session_keys(second)
    # and the session keeps working without further logins
    before = first.round_trips
    collector.get_one(first, first.content["rootFolder"], ["name"])
    assert first.round_trips - before == 1
