"""TLS: verification on by default, ca_path trusted, bad certificates refused with their cause."""

from __future__ import annotations

import pytest
from ansible_run import connection, run_module

from ansible_collections.viapi.esx.plugins.module_utils.vi import faults
from ansible_collections.viapi.esx.plugins.module_utils.vi.session import Client

# --cert-mode of the simulator -> what the refusal must say.
BAD_CERTIFICATES = {
    "expired": "the certificate has expired",
    "wrong-host": "the certificate does not name this address (IP address mismatch)",
    "self-signed": "self-signed and not trusted",
    "weak-rsa1024": "key is too weak",
}


@pytest.fixture(scope="module")
def bad_sims(vcsim_factory):
    """One simulator per bad certificate mode."""
    return {mode: vcsim_factory("--esx", "--cert-mode", mode) for mode in BAD_CERTIFICATES}


def client(sim, **kwargs) -> Client:
    return Client(sim.host, sim.username, sim.password, port=sim.port, timeout=30, **kwargs)


def test_verification_is_on_by_default(sim):
    """Without ca_path the harness CA is not trusted: refused, and the message says why."""
    with pytest.raises(faults.CertificateError) as err, client(sim):
        pass
    message = str(err.value)
    assert "issuer (CA) is not trusted" in message and "ca_path" in message


def test_ca_path_is_accepted(sim):
    with client(sim, ca_path=sim.ca_path) as c:
        assert c.about["apiType"] == "VirtualCenter"
        assert c.warnings == []


@pytest.mark.parametrize("mode", sorted(BAD_CERTIFICATES))
def test_bad_certificate_is_refused_with_its_cause(bad_sims, mode):
    """Even with the harness CA trusted, each bad certificate is refused, naming the cause."""
    sim = bad_sims[mode]
    with pytest.raises(faults.CertificateError) as err, client(sim, ca_path=sim.ca_path):
        pass
    assert BAD_CERTIFICATES[mode] in str(err.value)
    assert sim.password not in str(err.value)


def test_wrong_host_name_is_refused_as_a_hostname_mismatch(bad_sims):
    """Connecting by a DNS name the certificate does not carry is refused as such."""
    sim = bad_sims["wrong-host"]
    c = Client("localhost", sim.username, sim.password, port=sim.port, ca_path=sim.ca_path)
    with (
        pytest.raises(
            faults.CertificateError, match=r"does not name this host \(hostname mismatch\)"
        ),
        c,
    ):
        pass


@pytest.mark.parametrize("mode", sorted(BAD_CERTIFICATES))
def test_module_refuses_bad_certificate(bad_sims, mode):
    """The module fails (no traceback) with the cause and the way out in its message."""
    res = run_module("esx_about_info", {}, sim=bad_sims[mode])
    assert res.failed and res["error_type"] == "CertificateError"
    assert BAD_CERTIFICATES[mode] in res["msg"] and "ca_path" in res["msg"]
    assert "Traceback" not in res.stdout + res.stderr


def test_validate_certs_false_connects_and_warns(bad_sims):
    """validate_certs: false accepts even a self-signed certificate, and says what that costs."""
    sim = bad_sims["self-signed"]
    with client(sim, validate_certs=False) as c:
        assert c.about["apiType"] == "HostAgent"
        assert any("validate_certs is false" in w for w in c.warnings)
    res = run_module(
        "esx_about_info", connection(sim, validate_certs=False, ca_path=None), cli=True
    )
    assert not res.failed and res["about"]["api_type"] == "HostAgent"
    warning = "validate_certs is false: the TLS certificate of 127.0.0.1 is not checked"
    assert warning in " ".join(res.stderr.split())  # Ansible shows module warnings on stderr
