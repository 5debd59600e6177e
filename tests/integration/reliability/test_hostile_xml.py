"""Hostile answers from a fake server: each a clear ViError, no file leaks, bounded memory."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from ansible_run import run_module
from fakeserver import SOAP_HEAD, SOAP_TAIL, Reply, envelope_xml, fault, ok

from ansible_collections.viapi.esx.plugins.module_utils.vi import collector, faults

from .helpers import client_for

ROOT = Path(__file__).resolve().parents[3]
MIB = 1024 * 1024
READ = "RetrievePropertiesEx"
OBJECT = b'<objects><obj type="VirtualMachine">vm-1</obj><propSet><name>name</name><val xsi:type="xsd:string">vm</val></propSet></objects>'  # noqa: E501
RESPONSE_HEAD = (SOAP_HEAD + '<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval>').encode()
RESPONSE_TAIL = ("</returnval></RetrievePropertiesExResponse>" + SOAP_TAIL).encode()
SECRET = "TOP-SECRET-XXE-CONTENT-7731"


def read_answer(body: bytes) -> bytes:
    """A RetrievePropertiesEx answer with `body` inside returnval."""
    return RESPONSE_HEAD + body + RESPONSE_TAIL


def with_doctype(doctype: str, inner: str) -> bytes:
    """An answer that declares `doctype` between the XML declaration and the envelope."""
    head = SOAP_HEAD.replace("?>\n", "?>\n" + doctype + "\n", 1)
    return (head + f'<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval>{inner}'
            "</returnval></RetrievePropertiesExResponse>" + SOAP_TAIL).encode()  # fmt: skip


def huge_body(size: int):
    """`size` bytes of a well-formed-looking answer, streamed in 64 KiB chunks."""
    chunk = OBJECT * (65536 // len(OBJECT))
    yield RESPONSE_HEAD
    for _chunk in range(size // len(chunk)):
        yield chunk
    yield RESPONSE_TAIL


def billion_laughs() -> bytes:
    lol = ['<!ENTITY lol "lol">']
    lol += [
        f'<!ENTITY lol{i} "{("&lol%s;" % ("" if i == 1 else i - 1)) * 10}">' for i in range(1, 10)
    ]
    return with_doctype(f"<!DOCTYPE lolz [{''.join(lol)}]>", "<objects>&lol9;</objects>")


def nested(depth: int) -> bytes:
    """An answer whose one property value nests `depth` elements deep."""
    deep = b"<a>" * depth + b"x" + b"</a>" * depth
    return read_answer(
        OBJECT.replace(b'<val xsi:type="xsd:string">vm</val>', b"<val>" + deep + b"</val>")
    )


def read(client):
    """A bulk read that takes the scripted answer."""
    return collector.walk_vm_tree(client, {"VirtualMachine": ["name"]})


@pytest.fixture
def secret_file(tmp_path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


def test_external_entity_is_refused_without_reading_the_file(fake, secret_file):
    doctype = f'<!DOCTYPE r [<!ENTITY xxe SYSTEM "file://{secret_file}">]>'
    fake.on(READ, Reply(200, with_doctype(doctype, "<objects>&xxe;</objects>")))
    with client_for(fake) as client, pytest.raises(faults.ResponseError, match="DTD") as err:
        read(client)
    assert SECRET not in str(err.value) and str(secret_file) not in str(err.value)


def test_external_entity_in_a_fault_is_refused_without_reading_the_file(fake, secret_file):
    doctype = f'<!DOCTYPE r [<!ENTITY xxe SYSTEM "file://{secret_file}">]>'
    body = fault("SystemError", "&xxe;").body.replace(b"?>\n", f"?>\n{doctype}\n".encode(), 1)
    fake.on(READ, Reply(500, body))
    with client_for(fake) as client, pytest.raises(faults.ResponseError, match="DTD") as err:
        read(client)
    assert SECRET not in str(err.value)


def test_billion_laughs_is_refused(fake):
    fake.on(READ, Reply(200, billion_laughs()))
    with client_for(fake) as client, pytest.raises(faults.ResponseError, match="DTD"):
        read(client)


@pytest.mark.parametrize("announced", [True, False], ids=["content-length", "chunked"])
def test_200_mb_answer_is_refused(fake, announced):
    size = 200 * MIB
    fake.on(READ, Reply(200, huge_body(size), length=size if announced else None))
    with client_for(fake) as client, pytest.raises(faults.ResponseError, match="exceeds 100 MiB"):
        read(client)


def test_deep_nesting_is_refused(fake):
    fake.on(READ, Reply(200, nested(100_000)))
    with client_for(fake) as client, pytest.raises(faults.ResponseError, match="depth"):
        read(client)


def test_nesting_just_below_the_parser_limit_is_no_crash(fake):
    """250 levels parse; decoding them must not blow Python's recursion limit (no traceback)."""
    fake.on(READ, Reply(200, nested(250)))
    # A clear error would be fine too; a RecursionError is not.
    with client_for(fake) as client, contextlib.suppress(faults.ViError):
        read(client)


def test_object_without_reference_is_a_clear_error(fake):
    """Well-formed XML that breaks the schema (an ObjectContent with no obj) is no KeyError."""
    fake.on(
        READ, Reply(200, read_answer(OBJECT.replace(b'<obj type="VirtualMachine">vm-1</obj>', b"")))
    )
    with client_for(fake) as client, pytest.raises(faults.ResponseError):
        read(client)


def test_invalid_utf8_is_a_clear_error(fake):
    fake.on(READ, Reply(200, read_answer(b"<objects>\xff\xfe\xc3\x28</objects>")))
    with client_for(fake) as client, pytest.raises(faults.ResponseError, match="not well-formed"):
        read(client)


def test_fault_without_detail_keeps_code_and_message(fake):
    fake.on(READ, fault(None, "A general system error occurred: vpxd restarting"))
    with client_for(fake) as client, pytest.raises(faults.Fault) as err:
        read(client)
    assert err.value.name == "ServerFaultCode"
    assert "A general system error occurred: vpxd restarting" in str(err.value)


def test_fault_without_anything_is_still_a_fault(fake):
    fake.on(READ, Reply(500, envelope_xml("<soapenv:Fault></soapenv:Fault>")))
    with client_for(fake) as client, pytest.raises(faults.Fault) as err:
        read(client)
    assert err.value.name and str(err.value)


def test_unknown_fault_type_is_named(fake):
    detail = "<reason>quota</reason><limit>3</limit>"
    fake.on(READ, fault("ShinyNewQuotaExceeded", "Too many widgets.", detail))
    with client_for(fake) as client, pytest.raises(faults.fault("ShinyNewQuotaExceeded")) as err:
        read(client)
    assert isinstance(err.value, faults.Fault)
    assert str(err.value) == "ShinyNewQuotaExceeded: Too many widgets."
    assert err.value.detail.get("reason") == "quota"


def test_answer_for_another_method_is_refused(fake):
    fake.on(READ, ok("Login", "<key>k</key>"))
    with client_for(fake) as client, pytest.raises(faults.ResponseError) as err:
        read(client)
    assert "expected RetrievePropertiesExResponse" in str(err.value)
    assert "LoginResponse" in str(err.value)


@pytest.mark.parametrize(
    "reply, expected",
    [
        (Reply(200, b"<html><body>Welcome to nginx</body></html>"), faults.ResponseError),
        (Reply(200, b""), faults.ResponseError),
        (Reply(500, b"Internal Server Error"), faults.ResponseError),
        (Reply(502, b"<html><h1>Bad Gateway</h1></html>", [("Content-Type", "text/html")]),
         faults.TransportError),
    ],
    ids=["html-200", "empty-200", "text-500", "html-502"],
)  # fmt: skip
def test_not_soap_is_a_clear_error(fake, reply, expected):
    fake.on(READ, reply)
    with client_for(fake) as client, pytest.raises(expected) as err:
        read(client)
    assert str(err.value) and "Traceback" not in str(err.value)


# ---------------------------------------------------------------- memory, in a fresh process

PROBE = r"""
import json, resource, sys
sys.path.insert(0, sys.argv[1])
from ansible_collections.viapi.esx.plugins.module_utils.vi import collector, faults
from ansible_collections.viapi.esx.plugins.module_utils.vi.session import Client
c = Client("127.0.0.1", "u", "p", port=int(sys.argv[2]), ca_path=sys.argv[3], timeout=60)
c.connect()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    collector.walk_vm_tree(c, {"VirtualMachine": ["name"]})
    error = None
except faults.ViError as e:
    error = type(e).__name__
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"error": error, "growth_mib": (after - before) / 1024}))
"""


def peak_growth(fake, reply: Reply) -> dict:
    """Run one read against `reply` in a fresh interpreter: its error and peak RSS growth."""
    fake.on(READ, reply)
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(ROOT / ".cache" / "collections"), str(fake.port),
         fake.ca_path],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(proc.stdout)


@pytest.mark.parametrize(
    "make_reply, bound_mib",
    [
        (lambda: Reply(200, huge_body(200 * MIB), length=200 * MIB), 16),
        (lambda: Reply(200, huge_body(200 * MIB)), 160),
        (lambda: Reply(200, billion_laughs()), 16),
        (lambda: Reply(200, nested(100_000)), 16),
    ],
    ids=["200mb-content-length", "200mb-chunked", "billion-laughs", "deep-nesting"],
)
def test_hostile_answers_stay_within_memory_bounds(fake, make_reply, bound_mib):
    """Peak RSS growth while refusing each answer (the chunked 200 MB one is read up to the
    100 MiB cap before it is refused; nothing else is held)."""
    result = peak_growth(fake, make_reply())
    assert result["error"] == "ResponseError"
    assert result["growth_mib"] < bound_mib, result


def test_module_reports_a_hostile_answer_cleanly(fake, secret_file):
    """At the user's level: failed, the client's message, no traceback, no file contents."""
    doctype = f'<!DOCTYPE r [<!ENTITY xxe SYSTEM "file://{secret_file}">]>'
    content = SOAP_HEAD.replace("?>\n", "?>\n" + doctype + "\n", 1) + (
        '<RetrieveServiceContentResponse xmlns="urn:vim25"><returnval><about><name>&xxe;</name>'
        "</about></returnval></RetrieveServiceContentResponse>" + SOAP_TAIL
    )
    fake.on("RetrieveServiceContent", Reply(200, content.encode()))
    args = {"hostname": fake.host, "port": fake.port, "username": "viapi",
            "password": "viapi-secret", "ca_path": fake.ca_path}  # fmt: skip
    res = run_module("esx_about_info", args)
    assert res.failed and res["error_type"] == "ResponseError" and "DTD" in res["msg"]
    assert SECRET not in res.stdout + res.stderr and "Traceback" not in res.stdout + res.stderr
