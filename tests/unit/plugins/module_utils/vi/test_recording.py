"""The transport's recording hook (docs/reliability.md): only a registered simulator is recorded.

VIAPI_ESX_RECORD_DIR alone records nothing; the simulator harness (tests/vcsim/harness.py)
registers each simulator it starts as <dir>/endpoints/<host>-<port>, and only a Transport for
such an endpoint writes its answers there. A fake server or a fault proxy, on a port no
simulator registered, is never recorded.
"""

from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.vi import transport
from ansible_collections.viapi.esx.plugins.module_utils.vi.transport import Transport


def register(directory, host: str, port: int) -> None:
    (directory / "endpoints").mkdir(exist_ok=True)
    (directory / "endpoints" / f"{host}-{port}").write_text("vcsim\n")


def test_the_variable_alone_records_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv(transport.RECORD_ENV, str(tmp_path))
    assert Transport("127.0.0.1", 40127).record_dir is None
    monkeypatch.delenv(transport.RECORD_ENV)
    register(tmp_path, "127.0.0.1", 40127)
    assert Transport("127.0.0.1", 40127).record_dir is None


def test_only_a_registered_endpoint_is_recorded(tmp_path, monkeypatch):
    monkeypatch.setenv(transport.RECORD_ENV, str(tmp_path))
    register(tmp_path, "127.0.0.1", 40127)
    register(tmp_path, "::1", 40128)
    assert Transport("127.0.0.1", 40127).record_dir == str(tmp_path)
    assert Transport("[::1]", 40128).record_dir == str(tmp_path)
    # Another port of the same host (a fault proxy in front of the simulator, a fake server).
    assert Transport("127.0.0.1", 40129).record_dir is None
    assert Transport("localhost", 40127).record_dir is None


def test_a_registration_made_by_another_user_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv(transport.RECORD_ENV, str(tmp_path))
    register(tmp_path, "127.0.0.1", 40127)
    real_stat = os.stat

    def foreign(path, *args, **kwargs):
        st = real_stat(path, *args, **kwargs)
        if str(path).endswith("127.0.0.1-40127"):
            return os.stat_result((st.st_mode, 0, 0, 1, os.getuid() + 1, 0, 0, 0, 0, 0))
        return st

    monkeypatch.setattr(transport.os, "stat", foreign)
    assert Transport("127.0.0.1", 40127).record_dir is None


@pytest.mark.parametrize(
    "request_body, method",
    [
        (b'<soapenv:Body><RetrievePropertiesEx xmlns="urn:vim25">', "RetrievePropertiesEx"),
        (b"<Envelope><Body><Login>", "Login"),
        (b"not soap", "unknown"),
    ],
)
def test_an_answer_is_written_owner_only_and_named_by_method_and_status(
    tmp_path, request_body, method
):
    transport.record(str(tmp_path), request_body, 500, b"<answer/>")
    (path,) = tmp_path.glob("*.xml")
    pid, _n, _random, name, status = path.stem.split("-")
    assert (int(pid), name, status) == (os.getpid(), method, "500")
    assert path.read_bytes() == b"<answer/>"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
