"""The password never appears in output, logs, errors or returned values, even at -vvvv / debug."""

from __future__ import annotations

import json
import logging
import subprocess

import pytest
import yaml
from ansible_run import ROOT, ansible_env, connection, run_module
from fakeserver import Reply, fault

from ansible_collections.viapi.esx.plugins.module_utils.vi import faults

from .helpers import client_for, connect_and_close, session_keys
from .modules import MODULES, covered, fill

SECRET = "Zq7-distinct-PW-91x"  # the simulator's password
WRONG = "Wr0ng-distinct-PW-55y"  # a wrong one, which must not show either
DEBUG_ECHO = "_execute_module ("  # ansible-core's own ANSIBLE_DEBUG line with the module args


@pytest.fixture(scope="module")
def secret_sim(vcsim_factory):
    return vcsim_factory(password=SECRET)


def assert_clean(*texts: str) -> None:
    for text in texts:
        for secret in (SECRET, WRONG):
            assert secret not in text, text[
                max(0, text.find(secret) - 400) : text.find(secret) + 100
            ]


def module_runs(module: str):
    """(path, args, password, should fail) for a module's success, failure and wrong password."""
    spec = MODULES[module]
    for i, args in enumerate(spec.success[:1] + spec.failure[:1]):
        yield ("success" if i == 0 else "failure"), args, SECRET, i > 0
    yield "wrong-password", spec.success[0], WRONG, True


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["vvvv-args", "debug-env"])
@pytest.mark.parametrize("module", covered())
def test_module_never_shows_the_password(secret_sim, module, mode, tmp_path):
    """-vvvv with the password as an argument; -vvvv plus ANSIBLE_DEBUG with it in VMWARE_PASSWORD
    (ANSIBLE_DEBUG prints module arguments itself: see the test below)."""
    for path, args, password, should_fail in module_runs(module):
        log = tmp_path / f"{path}.log"
        env = {"ANSIBLE_LOG_PATH": str(log)}
        conn = connection(secret_sim, password=password)
        if mode == "debug-env":
            env.update(ANSIBLE_DEBUG="1", VMWARE_PASSWORD=conn.pop("password"))
        full = dict(conn, **fill(args, f"secret-{mode}"))
        res = run_module(
            module, full, check=MODULES[module].check_mode, env=env, verbosity=4, cli=True
        )
        assert res.failed == should_fail, (path, res.get("msg"))
        if path == "wrong-password":
            assert res["error_type"] == "InvalidLogin", res.get("msg")
        assert log.exists() and log.stat().st_size > 0
        assert_clean(res.stdout, res.stderr, log.read_text(), json.dumps(res.tasks))


def test_ansible_debug_shows_module_args_only_in_its_own_echo(secret_sim, tmp_path):
    """With ANSIBLE_DEBUG, ansible-core itself prints the module arguments (documented: debug
    output may include secrets despite no_log). That echo is the only place the password is."""
    log = tmp_path / "debug.log"
    res = run_module("esx_about_info", {}, sim=secret_sim, verbosity=4, cli=True,
                     env={"ANSIBLE_DEBUG": "1", "ANSIBLE_LOG_PATH": str(log)})  # fmt: skip
    assert not res.failed
    lines = [line for line in (res.stdout + res.stderr).splitlines() if SECRET in line]
    assert all(DEBUG_ECHO in line for line in lines), lines
    assert_clean(log.read_text(), json.dumps(res.tasks))


def inventory(config_dir, options: dict, env: dict) -> subprocess.CompletedProcess:
    config = config_dir / "secret.esx.yml"
    config.write_text(yaml.safe_dump({"plugin": "viapi.esx.esx", **options}))
    cmd = ["ansible-inventory", "-i", str(config), "--list", "-vvvv"]
    return subprocess.run(
        cmd, capture_output=True, text=True, env=ansible_env(env), cwd=ROOT, check=False
    )


@pytest.mark.slow
@pytest.mark.parametrize("password", [SECRET, WRONG], ids=["success", "wrong-password"])
@pytest.mark.parametrize("where", ["config", "environment"])
def test_inventory_never_shows_the_password(secret_sim, tmp_path, password, where):
    log = tmp_path / "inventory.log"
    env = {"ANSIBLE_DEBUG": "1", "ANSIBLE_LOG_PATH": str(log)}
    options = connection(secret_sim, password=password)
    if where == "environment":
        env["VMWARE_PASSWORD"] = options.pop("password")
    proc = inventory(tmp_path, dict(options, strict=password == SECRET), env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    if password == SECRET:
        assert "DC0_H0_VM0" in proc.stdout
    else:
        assert "InvalidLogin" in proc.stdout + proc.stderr
    assert_clean(proc.stdout, proc.stderr, log.read_text())


def test_client_logs_and_errors_hold_no_password(secret_sim, caplog):
    """The client's own debug log and its errors, on success and on a wrong password."""
    caplog.set_level(logging.DEBUG, logger="viapi.esx.vi")
    with client_for(secret_sim) as client:
        assert client.about
    bad = client_for(secret_sim, password=WRONG)
    with pytest.raises(faults.InvalidLogin) as err:
        connect_and_close(bad)
    assert caplog.records, "the client logged nothing at DEBUG: this test would prove nothing"
    assert_clean(caplog.text, str(err.value), repr(err.value), repr(vars(err.value)))
    assert session_keys(secret_sim) == set()


def echo_body(body: bytes) -> Reply:
    """A proxy's 400 that quotes the refused request (the Login, password and all)."""
    return Reply(400, body, [("Content-Type", "text/xml")])


def echo_fault(body: bytes) -> Reply:
    """An InvalidLogin whose message quotes the request."""
    return fault("InvalidLogin", body.decode().replace("<", " ").replace(">", " "))


@pytest.mark.parametrize("reply", [echo_body, echo_fault], ids=["http-400", "fault"])
def test_password_echoed_by_the_server_is_redacted(fake, tmp_path, reply):
    """Client error, module result and inventory warning: the echo shows asterisks instead."""
    fake.on("Login", reply)
    bad = client_for(fake, password=SECRET)
    with pytest.raises(faults.ViError) as err:
        connect_and_close(bad)
    assert "********" in str(err.value)
    assert_clean(str(err.value), repr(err.value), getattr(err.value, "message", ""))
    endpoint = {"hostname": fake.host, "port": fake.port, "username": "viapi",
                "password": SECRET, "ca_path": fake.ca_path}  # fmt: skip
    res = run_module("esx_about_info", endpoint, cli=True)
    assert res.failed
    assert_clean(res.stdout, res.stderr, json.dumps(res.tasks))
    proc = inventory(tmp_path, endpoint, {})
    assert proc.returncode == 0 and "could not be read" in proc.stderr
    assert_clean(proc.stdout, proc.stderr)
