"""A fault-injecting HTTPS proxy for reliability tests: the client talks to it, it talks to vcsim.

The proxy terminates TLS with its own certificate (signed by a CA it mints, `proxy.ca_path`),
reads each HTTP request, names it by its SOAP method, and forwards it to the upstream server
over one upstream connection per client connection (so the session cookie and keep-alive behave
as they would without it). On command it misbehaves instead::

    with FaultProxy("127.0.0.1", sim.port, upstream_ca=sim.ca_path) as proxy:
        proxy.next(DROP_AFTER, method="CreateVM_Task")   # the server acts, the client never hears
        client = Client(proxy.host, ..., port=proxy.port, ca_path=proxy.ca_path)
        ...
        assert proxy.count("CreateVM_Task") == 1

Rules are consumed in the order they were added; a rule matches one SOAP method (or any, when
`method` is None) and applies `times` times (None: for ever). Every request is recorded in
`proxy.seen` (method names, in order) before a rule is applied: these are the client's attempts.

Standard library plus `cryptography` (an ansible-core dependency) to mint the certificates.
"""

from __future__ import annotations

import contextlib
import datetime
import http.client
import ipaddress
import re
import socket
import socketserver
import ssl
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

# What a rule can make the proxy do with one request.
PASS = "pass"  # forward and answer normally
DROP_BEFORE = "drop_before"  # read the request, close the connection; the server never sees it
DROP_AFTER = "drop_after"  # forward, let the server act, close without answering
DELAY = "delay"  # wait `seconds`, then forward and answer
TRUNCATE = "truncate"  # answer with the first half of the body (a consistent Content-Length)
CLOSE_MIDSTREAM = "close_midstream"  # announce the full length, send half, close
UNAVAILABLE = "503"  # answer 503 with an HTML body, without forwarding
HANG = "hang"  # read the request and never answer (until the proxy stops)
HOOK = "hook"  # call `hook(request)` in the proxy thread, then forward and answer
ACTIONS = (PASS, DROP_BEFORE, DROP_AFTER, DELAY, TRUNCATE, CLOSE_MIDSTREAM, UNAVAILABLE, HANG, HOOK)

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "te", "trailer"}
_SOAP_METHOD = re.compile(rb"<(?:[\w.-]+:)?Body\b[^>]*>\s*<(?:[\w.-]+:)?([A-Za-z_][\w.-]*)")
UNAVAILABLE_HTML = (
    b"<html><head><title>503 Service Unavailable</title></head><body><h1>Service Unavailable"
    b"</h1><p>The vSphere Web Services endpoint is restarting.</p></body></html>"
)


# ------------------------------------------------------------------ certificates


@dataclass(frozen=True)
class Identity:
    """A minted CA and a server certificate signed by it, as PEM files."""

    ca_path: str
    cert_path: str
    key_path: str


def mint_identity(directory: str | Path, hosts=("127.0.0.1", "localhost")) -> Identity:
    """Write a fresh 2048-bit CA and a server certificate for `hosts` into `directory`."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "viapi.esx test proxy CA")])
    ca_cert = (
        _builder(ca_name, ca_name, ca_key, now)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_CA_KEY_USAGE, critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    names = [_san(h) for h in hosts]
    cert = (
        _builder(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]), ca_name, key, now)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    identity = Identity(
        str(directory / "proxy-ca.pem"),
        str(directory / "proxy.pem"),
        str(directory / "proxy-key.pem"),
    )
    Path(identity.ca_path).write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    Path(identity.cert_path).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    Path(identity.key_path).write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return identity


def _builder(subject, issuer, key, now) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=7))
        # Key identifiers (and the CA's key usage): Python 3.13 verifies with VERIFY_X509_STRICT.
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
    )


_CA_KEY_USAGE = x509.KeyUsage(
    digital_signature=False, content_commitment=False, key_encipherment=False,
    data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
    encipher_only=False, decipher_only=False,
)  # fmt: skip


def _san(host: str):
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


# ------------------------------------------------------------------ HTTP on a socket


@dataclass
class Request:
    """One HTTP request as read from the client."""

    verb: str
    target: str
    headers: list
    body: bytes
    method: str = ""  # the SOAP method named in the body ("" if none)

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)


def soap_method(body: bytes) -> str:
    """The SOAP method a request body calls ("RetrievePropertiesEx"), or ""."""
    m = _SOAP_METHOD.search(body[:4096])
    return m.group(1).decode("ascii", "replace") if m else ""


def read_request(rfile) -> Request | None:
    """Read one request (Content-Length bodies only, which is what requests sends); None at EOF."""
    line = rfile.readline(65537)
    while line in (b"\r\n", b"\n"):
        line = rfile.readline(65537)
    if not line:
        return None
    verb, target, _version = line.decode("latin-1").split(" ", 2)
    headers = []
    while True:
        raw = rfile.readline(65537)
        if raw in (b"\r\n", b"\n", b""):
            break
        name, _colon, value = raw.decode("latin-1").partition(":")
        headers.append((name.strip(), value.strip()))
    req = Request(verb, target, headers, b"")
    length = int(req.header("Content-Length") or 0)
    req.body = rfile.read(length) if length else b""
    req.method = soap_method(req.body)
    return req


def write_response(
    wfile, status: int, reason: str, headers, body: bytes, length=None, close=False
) -> None:
    """Write one response; `length` overrides the Content-Length (to announce more than sent),
    `close` announces that the connection ends after it."""
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{k}: {v}" for k, v in headers if k.lower() not in _HOP_BY_HOP]
    lines.append(f"Content-Length: {len(body) if length is None else length}")
    if close:
        lines.append("Connection: close")
    wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
    wfile.flush()


class TlsServer(socketserver.ThreadingTCPServer):
    """A threaded TCP server whose handlers speak TLS with a minted identity."""

    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, handler, identity: Identity):
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(identity.cert_path, identity.key_path)
        self.stopping = threading.Event()
        self._open: set = set()
        self._open_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), handler)

    def track(self, sock, add: bool) -> None:
        with self._open_lock:
            (self._open.add if add else self._open.discard)(sock)

    def stop(self) -> None:
        """Stop accepting, wake hanging handlers, and close every open connection."""
        self.stopping.set()
        self.shutdown()
        self.server_close()
        with self._open_lock:
            socks = list(self._open)
        for sock in socks:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class TlsHandler(socketserver.StreamRequestHandler):
    """Wraps the accepted socket in TLS (the handshake runs in the handler's thread)."""

    def setup(self) -> None:
        self.server.track(self.request, True)
        self.request = self.server.tls.wrap_socket(self.request, server_side=True)
        super().setup()

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()
        self.server.track(self.connection, False)

    def handle(self) -> None:
        # The client went away, or refused our certificate: nothing to answer.
        with contextlib.suppress(OSError, ssl.SSLError, ValueError):
            self.serve()

    def serve(self) -> None:
        raise NotImplementedError

    def wait_until_stopped(self) -> None:
        """Hold the connection open without answering until the server stops."""
        self.server.stopping.wait()


# ------------------------------------------------------------------ the proxy


class TlsService:
    """A local TLS server on a free port, served by a thread: the lifecycle the fault proxy and
    the fake VI server share. Subclasses set `identity`, `_server = None` and `handler`."""

    identity: Identity
    _server: TlsServer | None
    handler: type

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def ca_path(self) -> str:
        return self.identity.ca_path

    def start(self):
        self._server = TlsServer(self.handler, self.identity)
        self._server.owner = self
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@dataclass
class Rule:
    """Misbehave `times` times (None: always) on requests for `method` (None: any)."""

    action: str
    method: str | None = None
    times: int | None = 1
    seconds: float = 0.0
    hook: Callable[[Request], None] | None = None
    applied: int = field(default=0)


class FaultProxy(TlsService):
    """A TLS-terminating HTTP proxy to one upstream server that injects faults on command."""

    def __init__(self, upstream_host: str, upstream_port: int, upstream_ca: str | None = None,
                 cert_dir: str | Path | None = None):  # fmt: skip
        import tempfile

        self.upstream = (upstream_host, upstream_port)
        self._upstream_tls = ssl.create_default_context(cafile=upstream_ca)
        self._cert_dir = Path(cert_dir or tempfile.mkdtemp(prefix="faultproxy-"))
        self.identity = mint_identity(self._cert_dir)
        self._lock = threading.Lock()
        self._rules: list[Rule] = []
        self.seen: list[str] = []
        self.connections = 0  # client connections accepted in all
        self.active = 0  # client connections open now
        self.max_active = 0  # the most client connections open at once (shows parallel runs)
        self._server: TlsServer | None = None

    @property
    def handler(self) -> type:
        return _ProxyHandler  # defined below

    # -------------------------------------------------------- control (thread-safe)

    def next(self, action: str, method: str | None = None, times: int | None = 1,
             seconds: float = 0.0, hook: Callable[[Request], None] | None = None) -> Rule:  # fmt: skip
        """Add a rule: the next `times` requests for `method` get `action`."""
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}; one of {ACTIONS}")
        rule = Rule(action, method, times, seconds, hook)
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        """Forget every pending rule."""
        with self._lock:
            self._rules.clear()

    def count(self, method: str | None = None) -> int:
        """How many requests (for `method`, or in all) reached the proxy."""
        with self._lock:
            return len(self.seen) if method is None else self.seen.count(method)

    def reset_counts(self) -> None:
        with self._lock:
            self.seen.clear()

    def _take(self, method: str) -> Rule:
        """Record one attempt and return the rule that applies to it."""
        with self._lock:
            self.seen.append(method)
            for rule in self._rules:
                if rule.method is None or rule.method == method:
                    rule.applied += 1
                    if rule.times is not None and rule.applied >= rule.times:
                        self._rules.remove(rule)
                    return rule
            return Rule(PASS)

    def _opened(self, delta: int = 1) -> None:
        with self._lock:
            self.connections += max(delta, 0)
            self.active += delta
            self.max_active = max(self.max_active, self.active)

    def upstream_connection(self) -> http.client.HTTPSConnection:
        host, port = self.upstream
        return http.client.HTTPSConnection(host, port, context=self._upstream_tls)


class _ProxyHandler(TlsHandler):
    """One client connection: read requests, apply rules, forward over one upstream connection."""

    def serve(self) -> None:
        proxy: FaultProxy = self.server.owner
        proxy._opened()
        upstream = proxy.upstream_connection()
        try:
            while True:
                req = read_request(self.rfile)
                if req is None or not self._one(proxy, upstream, req):
                    return
        finally:
            upstream.close()
            proxy._opened(-1)

    def _one(self, proxy: FaultProxy, upstream, req: Request) -> bool:
        """Handle one request; False when the connection must end."""
        rule = proxy._take(req.method)
        action = rule.action
        if action == DROP_BEFORE:
            return False
        if action == HANG:
            self.wait_until_stopped()
            return False
        if action == UNAVAILABLE:
            headers = [("Content-Type", "text/html; charset=utf-8")]
            write_response(
                self.wfile, 503, "Service Unavailable", headers, UNAVAILABLE_HTML, close=True
            )
            return False
        if action == DELAY:
            time.sleep(rule.seconds)
        if action == HOOK and rule.hook is not None:
            rule.hook(req)
        status, reason, headers, body = _forward(upstream, req)
        if action == DROP_AFTER:
            return False
        if action == TRUNCATE:
            write_response(self.wfile, status, reason, headers, body[: len(body) // 2])
            return True
        if action == CLOSE_MIDSTREAM:
            cut = body[: len(body) // 2]
            write_response(self.wfile, status, reason, headers, cut, len(body), close=True)
            return False
        write_response(self.wfile, status, reason, headers, body)
        return True


def _forward(upstream: http.client.HTTPSConnection, req: Request):
    """Send `req` upstream and read the whole answer: (status, reason, headers, body)."""
    upstream.putrequest(req.verb, req.target, skip_host=True, skip_accept_encoding=True)
    host, port = upstream.host, upstream.port
    for name, value in req.headers:
        if name.lower() == "host":
            value = f"{host}:{port}"
        if name.lower() not in ("connection", "keep-alive"):
            upstream.putheader(name, value)
    upstream.endheaders(req.body)
    resp = upstream.getresponse()
    body = resp.read()
    return resp.status, resp.reason, resp.getheaders(), body
