"""A fake VI server for what the simulator cannot produce: hostile XML, broken faults, loops.

It speaks HTTPS (a minted CA, `server.ca_path`) and answers RetrieveServiceContent, Login and
Logout the way a vCenter does (XML shaped like recorded vCenter traffic); every other method
gets what the test scripted::

    with FakeViServer() as server:
        server.on("RetrievePropertiesEx", Reply(200, response_xml(...)))
        server.on("Login", Reply(200, ...), Reply(500, fault_xml("InvalidLogin", ...)))

Replies for a method are used in order; the last one repeats. A reply may also be a function of
the request body that returns a Reply. A Reply's body may be bytes or an iterable of byte chunks
(streamed; chunked transfer encoding unless `length` is given); `delay` waits before answering;
`hang=True` reads the request and never answers. `server.calls` lists the methods asked for.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Union

from faultproxy import TlsHandler, TlsServer, TlsService, mint_identity, read_request

SOAP_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/"\n'
    ' xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"\n'
    ' xmlns:xsd="http://www.w3.org/2001/XMLSchema"\n'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n<soapenv:Body>\n'
)
SOAP_TAIL = "\n</soapenv:Body>\n</soapenv:Envelope>"

SERVICE_CONTENT = (
    '<rootFolder type="Folder">group-d1</rootFolder>'
    '<propertyCollector type="PropertyCollector">propertyCollector</propertyCollector>'
    '<viewManager type="ViewManager">ViewManager</viewManager>'
    "<about><name>VMware vCenter Server</name><fullName>VMware vCenter Server 8.0.3 build-24022515"
    "</fullName><vendor>VMware, Inc.</vendor><version>8.0.3</version><build>24022515</build>"
    "<osType>linux-x64</osType><productLineId>vpx</productLineId><apiType>VirtualCenter</apiType>"
    "<apiVersion>8.0.3.0</apiVersion></about>"
    '<sessionManager type="SessionManager">SessionManager</sessionManager>'
    '<taskManager type="TaskManager">TaskManager</taskManager>'
    '<searchIndex type="SearchIndex">SearchIndex</searchIndex>'
)
USER_SESSION = (
    "<key>52b4b6a1-2c7d-4f3e-9a0b-3f6c1e2d4a5b</key><userName>VSPHERE.LOCAL\\viapi</userName>"
    "<fullName>viapi</fullName><loginTime>2026-01-01T00:00:00.000Z</loginTime>"
    "<lastActiveTime>2026-01-01T00:00:00.000Z</lastActiveTime><locale>en</locale>"
    "<messageLocale>en</messageLocale><extensionSession>false</extensionSession>"
)


def envelope_xml(inner: str) -> bytes:
    """A SOAP envelope around `inner`, as a vCenter writes it."""
    return (SOAP_HEAD + inner + SOAP_TAIL).encode("utf-8")


def response_xml(method: str, returnval: str | None = None) -> bytes:
    """The answer to `method` with one returnval (raw XML inside it), or none."""
    ret = "" if returnval is None else f"<returnval>{returnval}</returnval>"
    return envelope_xml(f'<{method}Response xmlns="urn:vim25">{ret}</{method}Response>')


def moref_xml(method: str, type_name: str, value: str) -> bytes:
    """The answer to `method` returning one managed object reference."""
    ret = f'<returnval type="{type_name}">{value}</returnval>'
    return envelope_xml(f'<{method}Response xmlns="urn:vim25">{ret}</{method}Response>')


def fault_xml(name: str | None, message: str, detail: str = "", code="ServerFaultCode") -> bytes:
    """A SOAP fault; `name` None leaves out the detail element entirely."""
    detail_el = ""
    if name is not None:
        detail_el = (
            f'<detail><{name}Fault xmlns="urn:vim25" xsi:type="{name}">{detail}</{name}Fault>'
            "</detail>"
        )
    return envelope_xml(
        f"<soapenv:Fault><faultcode>{code}</faultcode><faultstring>{message}</faultstring>"
        f"{detail_el}</soapenv:Fault>"
    )


Body = Union[bytes, Iterable[bytes]]


@dataclass
class Reply:
    """One scripted answer."""

    status: int = 200
    body: Body = b""
    length: int | None = None  # Content-Length to announce for a streamed body
    headers: list = field(default_factory=lambda: [("Content-Type", "text/xml; charset=utf-8")])
    hang: bool = False
    delay: float = 0.0


def ok(method: str, returnval: str | None = None) -> Reply:
    return Reply(200, response_xml(method, returnval))


def moref(method: str, type_name: str, value: str) -> Reply:
    return Reply(200, moref_xml(method, type_name, value))


def fault(name: str | None, message: str, detail: str = "") -> Reply:
    return Reply(500, fault_xml(name, message, detail))


DEFAULTS = {
    "RetrieveServiceContent": [ok("RetrieveServiceContent", SERVICE_CONTENT)],
    "Login": [ok("Login", USER_SESSION)],
    "Logout": [ok("Logout")],
}


class FakeViServer(TlsService):
    """An HTTPS server answering SOAP requests from a script of Replies per method."""

    def __init__(self, cert_dir: str | Path | None = None):
        self._cert_dir = Path(cert_dir or tempfile.mkdtemp(prefix="fakevi-"))
        self.identity = mint_identity(self._cert_dir)
        self._lock = threading.Lock()
        self._script: dict[str, list[Reply]] = {k: list(v) for k, v in DEFAULTS.items()}
        self.calls: list[str] = []
        self.bodies: list[bytes] = []
        self.actions: list[tuple[str, str | None]] = []  # (method, SOAPAction) of each request
        self._server: TlsServer | None = None

    @property
    def handler(self) -> type:
        return _FakeHandler  # defined below

    def on(self, method: str, *replies: Reply | Callable[[bytes], Reply]) -> None:
        """Answer `method` with `replies`, in order, the last one repeating."""
        with self._lock:
            self._script[method] = list(replies)

    def count(self, method: str) -> int:
        with self._lock:
            return self.calls.count(method)

    def _reply(self, method: str, body: bytes) -> Reply:
        with self._lock:
            self.calls.append(method)
            self.bodies.append(body)
            replies = self._script.get(method)
            if not replies:
                return fault("MethodNotFound", f"fake server: no reply scripted for {method}")
            reply = replies.pop(0) if len(replies) > 1 else replies[0]
        return reply(body) if callable(reply) else reply


class _FakeHandler(TlsHandler):
    def serve(self) -> None:
        fake: FakeViServer = self.server.owner
        while True:
            req = read_request(self.rfile)
            if req is None:
                return
            fake.actions.append((req.method or req.target, req.header("SOAPAction")))
            reply = fake._reply(req.method, req.body)
            if reply.hang:
                self.wait_until_stopped()
                return
            if reply.delay and self.server.stopping.wait(reply.delay):
                return
            self._send(reply)

    def _send(self, reply: Reply) -> None:
        head = [f"HTTP/1.1 {reply.status} {'OK' if reply.status == 200 else 'Error'}"]
        head += [f"{k}: {v}" for k, v in reply.headers]
        if isinstance(reply.body, bytes):
            head.append(f"Content-Length: {len(reply.body)}")
            self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + reply.body)
            self.wfile.flush()
            return
        chunked = reply.length is None
        head.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {reply.length}")
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        for chunk in reply.body:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
