"""inventory/source.py without a server: endpoints from options, the bounded pool, errors."""

from __future__ import annotations

import threading
import time

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.inventory import source
from ansible_collections.viapi.esx.plugins.module_utils.vi import faults

TOP = {
    "hostname": None, "port": 443, "username": "admin", "password": "s3cret-pw",
    "validate_certs": True, "ca_path": "/ca.pem", "timeout": 60, "proxy_host": None,
    "proxy_port": None,
}  # fmt: skip


def test_without_entries_the_top_level_options_are_the_one_endpoint():
    (endpoint,) = source.endpoints_from(dict(TOP, hostname="vc1"), [])
    assert endpoint == source.Endpoint("vc1", "admin", "s3cret-pw", ca_path="/ca.pem")
    assert endpoint.label == "vc1"
    assert "s3cret-pw" not in repr(endpoint)


def test_entries_inherit_what_they_leave_out():
    entries = [
        {"hostname": "vc1"},
        {"hostname": "esx1", "username": "root", "password": "other", "port": 8443},
        {"hostname": "vc2", "validate_certs": False, "ca_path": None},
    ]
    found = source.endpoints_from(dict(TOP), entries)
    assert [(e.hostname, e.username, e.port, e.label) for e in found] == [
        ("vc1", "admin", 443, "vc1"),
        ("esx1", "root", 8443, "esx1:8443"),
        ("vc2", "admin", 443, "vc2"),
    ]
    assert found[1].password == "other" and found[0].password == "s3cret-pw"
    assert found[2].validate_certs is False
    assert found[2].ca_path == "/ca.pem"  # None in an entry means "not set here"


@pytest.mark.parametrize(
    "top, entries, message",
    [
        (TOP, [], "the connection options: hostname is required"),
        (dict(TOP, password=None), [{"hostname": "vc1"}], "endpoints[1]: password is required"),
        (TOP, [{"hostname": "vc1"}, {"host": "vc2"}], "endpoints[2] has unknown keys ['host']"),
        (TOP, [{"hostname": "vc1"}, "vc2"], "endpoints[2] must be a dict, got str"),
        (TOP, {"hostname": "vc1"}, "endpoints must be a list of dicts, got dict"),
        (
            TOP,
            [{"hostname": "vc1", "port": 70000}],
            "endpoints[1]: port must be 1-65535, got 70000",
        ),
        (TOP, [{"hostname": "vc1", "timeout": 0}], "endpoints[1]: timeout must be positive, got 0"),
        (TOP, [{"hostname": "vc1", "port": 0}], "endpoints[1]: port must be 1-65535, got 0"),
        (
            dict(TOP, hostname="vc1", port=0),
            [],
            "the connection options: port must be 1-65535, got 0",
        ),
    ],
)
def test_bad_endpoints_name_the_option_and_never_the_password(top, entries, message):
    with pytest.raises(faults.InvalidArgument) as e:
        source.endpoints_from(dict(top), entries)
    assert message in str(e.value)
    assert "s3cret-pw" not in str(e.value)


def test_entry_values_take_the_forms_of_their_options():
    """Ansible converts the top-level options only; an entry's are converted here."""
    entries = [{"hostname": "vc1", "port": " 8443", "validate_certs": "no", "timeout": "30"},
               {"hostname": "vc2", "validate_certs": "True", "password": 1234, "proxy_port": 3128}]  # fmt: skip
    first, second = source.endpoints_from(dict(TOP), entries)
    assert (first.port, first.validate_certs, first.timeout) == (8443, False, 30)
    assert (second.validate_certs, second.password, second.proxy_port) == (True, "1234", 3128)


def test_an_entry_ca_path_is_expanded_as_the_top_level_one(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("PKI", "/etc/pki")
    monkeypatch.chdir(tmp_path)
    entries = [{"hostname": "vc1", "ca_path": "~/ca.pem"}, {"hostname": "vc2", "ca_path": "$PKI/ca.pem"},
               {"hostname": "vc3", "ca_path": "certs/../ca.pem"}]  # fmt: skip
    found = source.endpoints_from(dict(TOP), entries)
    assert [e.ca_path for e in found] == [
        str(tmp_path / "ca.pem"),
        "/etc/pki/ca.pem",
        str(tmp_path / "ca.pem"),
    ]


@pytest.mark.parametrize(
    "entry, message",
    [
        ({"port": "44x"}, "endpoints[1]: port must be an integer, got '44x'"),
        ({"port": True}, "endpoints[1]: port must be an integer, got True"),
        ({"timeout": 1.5}, "endpoints[1]: timeout must be an integer, got 1.5"),
        (
            {"validate_certs": "maybe"},
            "endpoints[1]: validate_certs must be a boolean, got 'maybe'",
        ),
        ({"hostname": ["vc1"]}, "endpoints[1]: hostname must be a string, got ['vc1']"),
        ({"password": {"s3cret-pw": 1}}, "endpoints[1]: password must be a string"),
        ({"password": ""}, "endpoints[1]: password is required"),
    ],
)
def test_entry_values_of_the_wrong_type_name_the_option(entry, message):
    with pytest.raises(faults.InvalidArgument) as e:
        source.endpoints_from(dict(TOP), [dict({"hostname": "vc1"}, **entry)])
    assert str(e.value).startswith(message) and "s3cret-pw" not in str(e.value)
    assert "or set endpoints" not in str(e.value)


class FakeClient:
    """Stands in for vi.session.Client: fails to connect with the given error."""

    def __init__(self, error):
        self.error, self.warnings, self.round_trips = error, ["a warning"], 1

    def __enter__(self):
        raise self.error

    def __exit__(self, *exc):
        return None


def test_a_vi_error_becomes_the_endpoint_result_error(monkeypatch):
    error = faults.TransportError("cannot connect to https://vc1:443/sdk: refused")
    monkeypatch.setattr(source.Endpoint, "client", lambda self: FakeClient(error))
    result = source.read_endpoint(source.Endpoint("vc1", "u", "p"))
    assert result.error == "cannot connect to https://vc1:443/sdk: refused"
    assert result.records == [] and result.warnings == ["a warning"]
    assert result.round_trips == 1 and result.endpoint == "vc1"


def test_read_all_keeps_endpoint_order_bounds_the_pool_and_reports_in_the_caller(monkeypatch):
    running, peak, lock = [0], [0], threading.Lock()

    def fake_read(endpoint, extra_paths, devices, parallel_reads):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.05 * (5 - int(endpoint.hostname[1:])))  # later endpoints finish first
        with lock:
            running[0] -= 1
        return source.EndpointResult(endpoint.label, records=[{"extra": list(extra_paths)}])

    monkeypatch.setattr(source, "read_endpoint", fake_read)
    endpoints = [source.Endpoint(f"e{n}", "u", "p") for n in range(5)]
    reported = []
    results = source.read_all(
        endpoints,
        2,
        ["name"],
        on_result=lambda r: reported.append((r.endpoint, threading.current_thread())),
    )
    assert [r.endpoint for r in results] == ["e0", "e1", "e2", "e3", "e4"]
    assert results[0].records == [{"extra": ["name"]}]
    assert peak[0] == 2
    assert sorted(e for e, _t in reported) == ["e0", "e1", "e2", "e3", "e4"]
    assert {t for _e, t in reported} == {threading.main_thread()}


def test_read_all_reraises_a_worker_bug_in_the_caller(monkeypatch):
    def broken(endpoint, extra_paths, devices, parallel_reads):
        if endpoint.hostname == "e1":
            raise KeyError("a bug")
        return source.EndpointResult(endpoint.label)

    monkeypatch.setattr(source, "read_endpoint", broken)
    with pytest.raises(KeyError, match="a bug"):
        source.read_all([source.Endpoint(f"e{n}", "u", "p") for n in range(3)], 1)


def test_an_error_raised_by_the_progress_callback_stops_the_read(monkeypatch):
    monkeypatch.setattr(
        source, "read_endpoint", lambda e, x, d, p: source.EndpointResult(e.label, error="down")
    )

    def strict(result):
        raise RuntimeError(f"{result.endpoint} failed")

    with pytest.raises(RuntimeError, match="failed"):
        source.read_all(
            [source.Endpoint("e0", "u", "p"), source.Endpoint("e1", "u", "p")], 1, on_result=strict
        )


def test_a_refused_property_path_is_an_endpoint_error_naming_the_option(monkeypatch):
    error = faults.make_fault("InvalidProperty", "config.nosuch", {"name": "config.nosuch"})
    monkeypatch.setattr(source.Endpoint, "client", lambda self: FakeClient(error))
    result = source.read_endpoint(source.Endpoint("vc1", "u", "p"), ["config.nosuch"])
    assert result.error == (
        "properties: the server knows no such VirtualMachine property (config.nosuch); "
        "asked for config.nosuch"
    )
    assert result.records == []


def test_the_read_key_names_what_the_records_depend_on_never_the_password():
    top = {"hostname": "vc0", "port": 443, "username": "admin"}
    key = source.read_key(top, [{"hostname": "vc1", "password": "s3cret-pw"}, {"port": 8443}],
                          ["config.name"], 1)  # fmt: skip
    assert key == {"endpoints": [["vc1", "443", "admin"], ["vc0", "8443", "admin"]],
                   "properties": ["config.name"], "device_facts": True}  # fmt: skip
    assert source.read_key(top, [], [], False)["endpoints"] == [["vc0", "443", "admin"]]
    assert "s3cret-pw" not in repr(key)
