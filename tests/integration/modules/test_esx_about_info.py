"""esx_about_info through the real ansible CLIs against the simulator (vCenter and ESXi)."""

from __future__ import annotations

import json
import textwrap

import pytest
from ansible_run import connection, module_defaults_play, run_module, run_playbook
from return_docs import assert_matches_return

from ansible_collections.viapi.esx.plugins.module_utils.vi.session import Client

WRONG_PASSWORD = "Wr0ng-pa55word-xyzzy"


def read_about(sim) -> dict:
    """The server's about data, read independently with the VI client."""
    with Client(sim.host, sim.username, sim.password, port=sim.port, ca_path=sim.ca_path) as client:
        return dict(client.about)


def everything(result) -> str:
    return result.stdout + result.stderr + json.dumps(result.result)


@pytest.mark.parametrize(
    "model, api_type", [("vcsim_vpx", "VirtualCenter"), ("vcsim_esx", "HostAgent")]
)
def test_about_is_typed_and_matches_the_server(request, model, api_type):
    sim = request.getfixturevalue(model)
    result = run_module("esx_about_info", {}, sim=sim)
    assert result.rc == 0, result.stdout + result.stderr
    assert result["changed"] is False
    about = result["about"]
    server = read_about(sim)
    assert about["api_type"] == api_type == server["apiType"] == sim.manifest["api_type"]
    assert about["api_version"] == server["apiVersion"] == sim.manifest["api_version"]
    assert about["full_name"] == server["fullName"] == sim.manifest["product"]
    assert about["name"] == server["name"]
    assert about["version"] == server["version"] and about["build"] == server["build"]
    assert about["product_line_id"] == server["productLineId"]
    assert about["vendor"] == "VMware, Inc."
    assert about["instance_uuid"] == (server.get("instanceUuid") or None)
    assert all(v is None or isinstance(v, str) for v in about.values())
    assert "None" not in about.values()
    assert_matches_return("esx_about_info", result.result)


def test_check_mode_gives_the_same_answer(vcsim_vpx):
    real = run_module("esx_about_info", {}, sim=vcsim_vpx)
    check = run_module("esx_about_info", {}, sim=vcsim_vpx, check=True)
    assert check.rc == 0 and check["about"] == real["about"] and check["changed"] is False


def test_a_wrong_password_fails_with_invalid_login_and_never_shows_it(vcsim_vpx):
    result = run_module(
        "esx_about_info", {"password": WRONG_PASSWORD}, sim=vcsim_vpx, verbosity=3, cli=True
    )
    assert result.failed and result.rc != 0
    assert "InvalidLogin" in result["msg"]
    assert result["error_type"] == "InvalidLogin" and result["fault"] == "InvalidLogin"
    assert "Traceback" not in everything(result)
    assert WRONG_PASSWORD not in everything(result)
    assert vcsim_vpx.password not in everything(result)


def test_the_right_password_never_shows_either(vcsim_vpx):
    result = run_module("esx_about_info", {}, sim=vcsim_vpx, verbosity=3, cli=True)
    assert result.rc == 0
    assert vcsim_vpx.password not in everything(result)


def test_without_the_ca_the_certificate_is_named(vcsim_vpx):
    result = run_module("esx_about_info", {"ca_path": None}, sim=vcsim_vpx)
    assert result.failed
    msg = result["msg"]
    assert msg.startswith(
        f"TLS certificate of https://{vcsim_vpx.host}:{vcsim_vpx.port}/sdk refused"
    )
    assert "the certificate's issuer (CA) is not trusted" in msg and "ca_path" in msg
    assert result["error_type"] == "CertificateError"
    assert "Traceback" not in everything(result)


def test_a_missing_ca_file_is_named(vcsim_vpx, tmp_path):
    missing = str(tmp_path / "no-ca.pem")
    result = run_module("esx_about_info", {"ca_path": missing}, sim=vcsim_vpx)
    assert result.failed
    assert result["msg"] == f"ca_path '{missing}' does not exist (give the CA's PEM file)"
    assert "Traceback" not in everything(result)


def test_validate_certs_false_works_and_warns(vcsim_vpx):
    result = run_module("esx_about_info", {"ca_path": None, "validate_certs": False}, sim=vcsim_vpx)
    assert result.rc == 0, result.stdout + result.stderr
    assert result["about"]["api_type"] == "VirtualCenter"
    warnings = result.get("warnings") or []
    assert any("validate_certs is false" in w for w in warnings), warnings


def test_connection_options_from_the_environment(vcsim_vpx):
    env = {
        "VMWARE_HOST": vcsim_vpx.host, "VMWARE_PORT": str(vcsim_vpx.port),
        "VMWARE_USER": vcsim_vpx.username, "VMWARE_PASSWORD": vcsim_vpx.password,
        "VMWARE_CA_PATH": vcsim_vpx.ca_path,
    }  # fmt: skip
    # (one explicit option: ansible reads `-a '{}'` as free-form text, which the module refuses)
    result = run_module("esx_about_info", {"timeout": 30}, env=env)
    assert result.rc == 0, result.stdout + result.stderr
    assert result["about"]["api_type"] == "VirtualCenter"


def test_a_port_in_hostname_is_named_with_the_fix(vcsim_vpx):
    """A port written into hostname (or VMWARE_HOST) says it belongs in port."""
    wanted = (
        f"hostname: '{vcsim_vpx.host}:{vcsim_vpx.port}' includes a port; give the host alone in "
        f"hostname (or VMWARE_HOST) and the port in port (or VMWARE_PORT): hostname: "
        f"{vcsim_vpx.host}, port: {vcsim_vpx.port}"
    )
    given = {"hostname": f"{vcsim_vpx.host}:{vcsim_vpx.port}"}
    result = run_module("esx_about_info", given, sim=vcsim_vpx)
    assert result.failed and result["msg"] == wanted, result.get("msg")
    env = {
        "VMWARE_HOST": f"{vcsim_vpx.host}:{vcsim_vpx.port}", "VMWARE_USER": vcsim_vpx.username,
        "VMWARE_PASSWORD": vcsim_vpx.password, "VMWARE_CA_PATH": vcsim_vpx.ca_path,
    }  # fmt: skip
    result = run_module("esx_about_info", {"timeout": 30}, env=env)
    assert result.failed and result["msg"] == wanted, result.get("msg")
    assert "Traceback" not in everything(result) and vcsim_vpx.password not in everything(result)


PLAYBOOK = module_defaults_play(
    "Connection options once, for every viapi.esx module",
    """\
  tasks:
    - name: Ask the server what it is
      viapi.esx.esx_about_info:
      register: about

    - name: The answer is typed
      ansible.builtin.assert:
        that:
          - about is not changed
          - about.about.api_type == expected_api_type
          - about.about.api_version == expected_api_version
          - about.about.version is string
""",
)


@pytest.mark.parametrize("model", ["vcsim_vpx", "vcsim_esx"])
def test_module_defaults_through_the_action_group(request, tmp_path, model):
    sim = request.getfixturevalue(model)
    playbook = tmp_path / "about.yml"
    playbook.write_text(textwrap.dedent(PLAYBOOK))
    extra = {
        "esx": connection(sim),
        "expected_api_type": sim.manifest["api_type"],
        "expected_api_version": sim.manifest["api_version"],
    }
    result = run_playbook(playbook, extra)
    assert result.rc == 0, result.stdout + result.stderr
    assert "ok=2" in result.stdout and "failed=0" in result.stdout
