"""vi/transport.py against a real HTTPS server in this process (loopback only).

Each test starts a small TLS server (http.server + ssl) with certificates minted here, so the
TLS errors, statuses, limits and timeouts are the real ones requests and OpenSSL produce.
"""

from __future__ import annotations

import datetime
import gzip
import http.server
import ipaddress
import re
import socket
import ssl
import threading
import warnings
from dataclasses import dataclass, field

import pytest
from vi_wire import response

from ansible_collections.viapi.esx.plugins.module_utils.vi import faults
from ansible_collections.viapi.esx.plugins.module_utils.vi.transport import Transport

x509 = pytest.importorskip("cryptography.x509")
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

BODY = response("CurrentTime", "2024-01-02T03:04:05Z")
NOW = datetime.datetime.now(datetime.timezone.utc)
DAY = datetime.timedelta(days=1)


# ------------------------------------------------------------------ certificates


CA_KEY_USAGE = x509.KeyUsage(
    digital_signature=False, content_commitment=False, key_encipherment=False,
    data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
    encipher_only=False, decipher_only=False,
)  # fmt: skip


def _name(cn: str):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject, issuer, key, signer, sans=None, ca=False, start=NOW - DAY, end=NOW + DAY):
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        # Key identifiers and a CA's key usage: Python 3.13 verifies with VERIFY_X509_STRICT.
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
    )
    if signer is not key:
        aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key())
        builder = builder.add_extension(aki, critical=False)
    if ca:
        builder = builder.add_extension(CA_KEY_USAGE, critical=True)
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return builder.sign(signer, hashes.SHA256())


def _pem(cert) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


@dataclass
class Pki:
    """A CA and server certificates (good, expired, wrong host, self-signed), as PEM files."""

    ca_path: str
    chains: dict = field(default_factory=dict)  # variant -> (cert file, key file)


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> Pki:
    d = tmp_path_factory.mktemp("pki")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _cert("test CA", "test CA", ca_key, ca_key, ca=True, end=NOW + 10 * DAY)
    (d / "ca.pem").write_bytes(_pem(ca))
    key = ec.generate_private_key(ec.SECP256R1())
    key_file = d / "key.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    local = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    variants = {
        "good": _cert("localhost", "test CA", key, ca_key, local),
        "expired": _cert(
            "localhost", "test CA", key, ca_key, local, start=NOW - 3 * DAY, end=NOW - DAY
        ),
        "wrong-host": _cert(
            "other.example", "test CA", key, ca_key, [x509.DNSName("other.example")]
        ),
        "self-signed": _cert("localhost", "localhost", key, key, local),
    }
    pki = Pki(str(d / "ca.pem"))
    for variant, cert in variants.items():
        path = d / f"{variant}.pem"
        path.write_bytes(_pem(cert))
        pki.chains[variant] = (str(path), str(key_file))
    return pki


# ------------------------------------------------------------------ the server


class Handler(http.server.BaseHTTPRequestHandler):
    """Answers every POST with whatever the test's `reply` function says."""

    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        self.server.seen.append((self.path, dict(self.headers), body))
        self.server.reply(self, body)

    def do_GET(self):  # noqa: N802 - http.server's naming
        self.server.seen.append((self.path, dict(self.headers), b""))
        self.server.reply(self, b"")

    def log_message(self, *args):
        pass

    def answer(
        self, status: int, body: bytes, headers: dict | None = None, length: int | None = None
    ):
        self.send_response(status)
        self.send_header("Content-Type", "text/xml; charset=utf-8")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def chunked(self, chunks):
        self.send_response(200)
        self.send_header("Content-Type", "text/xml; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for chunk in chunks:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        self.wfile.write(b"0\r\n\r\n")


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, cert_file: str, key_file: str):
        super().__init__(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        self.socket = context.wrap_socket(self.socket, server_side=True)
        self.seen: list = []
        self.reply = lambda handler, body: handler.answer(200, BODY)
        self.release = threading.Event()  # lets a handler that waits finish at teardown
        self.thread = threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.server_address[1]

    def close(self):
        self.release.set()
        self.shutdown()
        self.server_close()


@pytest.fixture
def serve(pki):
    """Start a TLS server with a certificate variant: `serve("expired")`."""
    servers = []

    def start(variant: str = "good") -> Server:
        server = Server(*pki.chains[variant])
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def transport(
    server: Server, pki: Pki | None = None, host: str = "127.0.0.1", **kwargs
) -> Transport:
    kwargs.setdefault("ca_path", pki.ca_path if pki else None)
    return Transport(host, server.port, **kwargs)


# ------------------------------------------------------------------ statuses and bodies


def test_get_reads_a_file_beside_the_endpoint(serve, pki):
    server = serve()
    t = transport(server, pki)
    assert t.get("vimServiceVersions.xml") == BODY
    assert server.seen[0][0] == "/sdk/vimServiceVersions.xml"
    server.reply = lambda h, b: h.answer(404, b"<html><body>Not Found</body></html>")
    with pytest.raises(faults.TransportError, match="HTTP 404 .*Not Found") as e:
        t.get("vimServiceVersions.xml")
    assert e.value.status == 404
    t.close()


def test_200_returns_the_body_and_sends_soap_headers(serve, pki):
    server = serve()
    t = transport(server, pki)
    assert t.post(b"<x/>", "urn:vim25/8.0.2.0") == (200, BODY)
    path, headers, body = server.seen[0]
    assert path == "/sdk" and body == b"<x/>"
    assert headers["SOAPAction"] == "urn:vim25/8.0.2.0"
    assert headers["Content-Type"] == "text/xml; charset=utf-8"
    assert t.last_date  # the server's clock, from its Date header
    t.close()


def test_500_is_returned_for_the_fault_decoder(serve, pki):
    server = serve()
    server.reply = lambda h, b: h.answer(500, b"<fault/>")
    assert transport(server, pki).post(b"<x/>", "a") == (500, b"<fault/>")


@pytest.mark.parametrize(
    "status, retryable", [(404, False), (401, False), (502, True), (503, True), (504, True)]
)
def test_other_statuses_are_transport_errors_with_an_excerpt(serve, pki, status, retryable):
    server = serve()
    page = (
        b"<html><head><title>Oops</title></head><body><h1>Service   Unavailable</h1>" + b"x" * 5000
    )
    server.reply = lambda h, b: h.answer(status, page)
    t = transport(server, pki)
    with pytest.raises(faults.TransportError) as info:
        t.post(b"<x/>", "a")
    e = info.value
    assert e.status == status and e.retryable is retryable
    assert str(e).startswith(
        f"HTTP {status} from https://127.0.0.1:{server.port}/sdk: Oops Service Unavailable"
    )
    assert "<" not in str(e) and len(str(e)) < 300


def test_the_session_cookie_is_kept(serve, pki):
    server = serve()
    cookie = {"Set-Cookie": 'vmware_soap_session="52a6"; Path=/; HttpOnly; Secure;'}
    server.reply = lambda h, b: h.answer(200, BODY, cookie if len(server.seen) == 1 else None)
    t = transport(server, pki)
    t.post(b"<a/>", "a")
    t.post(b"<b/>", "a")
    assert "Cookie" not in server.seen[0][1]
    assert server.seen[1][1]["Cookie"] == 'vmware_soap_session="52a6"'


def test_ipv6_hosts_are_bracketed_and_proxies_configured():
    t = Transport("fe80::1", 8443, proxy_host="proxy.example", proxy_port=8080)
    assert t.url == "https://[fe80::1]:8443/sdk"
    assert t.http.proxies == {
        "https": "http://proxy.example:8080",
        "http": "http://proxy.example:8080",
    }
    assert t.http.trust_env is False
    assert Transport("vc.example", proxy_host="p").http.proxies["https"] == "http://p:3128"


# ------------------------------------------------------------------ limits


def test_a_body_over_the_limit_is_refused_by_content_length(serve, pki):
    server = serve()
    server.reply = lambda h, b: h.answer(200, b"x" * 4096)
    with pytest.raises(faults.ResponseError, match="exceeds 0 MiB; refused"):
        transport(server, pki, max_response_bytes=1000).post(b"<x/>", "a")
    assert transport(server, pki, max_response_bytes=4096).post(b"<x/>", "a") == (200, b"x" * 4096)


def test_a_chunked_body_over_the_limit_is_refused_while_reading(serve, pki):
    server = serve()
    server.reply = lambda h, b: h.chunked([b"y" * 1000] * 50)
    with pytest.raises(faults.ResponseError, match="refused"):
        transport(server, pki, max_response_bytes=20_000).post(b"<x/>", "a")
    status, body = transport(server, pki, max_response_bytes=50_000).post(b"<x/>", "a")
    assert (status, len(body)) == (200, 50_000)


def test_a_compressed_body_is_limited_by_its_decompressed_size(serve, pki):
    server = serve()
    bomb = gzip.compress(b"\0" * 5_000_000)
    assert len(bomb) < 10_000
    server.reply = lambda h, b: h.answer(200, bomb, {"Content-Encoding": "gzip"})
    with pytest.raises(faults.ResponseError, match="refused"):
        transport(server, pki, max_response_bytes=1_000_000).post(b"<x/>", "a")
    small = gzip.compress(BODY)
    server.reply = lambda h, b: h.answer(200, small, {"Content-Encoding": "gzip"})
    assert transport(server, pki).post(b"<x/>", "a") == (200, BODY)


# ------------------------------------------------------------------ connection failures


def _cut(handler, body):
    handler.close_connection = True  # the server goes away mid-body
    handler.answer(200, BODY[:50], length=len(BODY))


def test_a_cut_connection_is_a_retryable_transport_error(serve, pki):
    server = serve()
    server.reply = _cut
    with pytest.raises(faults.TransportError, match="connection to .* failed") as info:
        transport(server, pki).post(b"<x/>", "a")
    assert info.value.retryable is True
    assert " object at 0x" not in str(info.value)


def test_a_body_that_stalls_after_the_headers_is_a_read_timeout(serve, pki):
    server = serve()

    def stall(handler, body):
        handler.answer(200, BODY[:50], length=len(BODY))
        handler.wfile.flush()
        server.release.wait()

    server.reply = stall
    with pytest.raises(faults.ReadTimeout, match="did not answer within 0.5s"):
        transport(server, pki, timeout=0.5).post(b"<x/>", "a")


def test_a_refused_connection_is_a_retryable_transport_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(faults.TransportError) as info:
        Transport("127.0.0.1", port, timeout=5).post(b"<x/>", "a")
    e = info.value
    assert not isinstance(e, faults.CertificateError)
    assert str(e).startswith(f"connection to https://127.0.0.1:{port}/sdk failed: ")
    assert "refused" in str(e).lower() and e.retryable is True
    assert " object at 0x" not in str(e)


def test_no_answer_within_the_timeout_is_a_read_timeout(serve, pki):
    server = serve()
    server.reply = lambda h, b: server.release.wait()
    with pytest.raises(faults.ReadTimeout) as info:
        transport(server, pki, timeout=0.5).post(b"<x/>", "a")
    assert str(info.value) == f"https://127.0.0.1:{server.port}/sdk did not answer within 0.5s"
    assert info.value.retryable is True


def test_a_read_timeout_for_one_request_replaces_the_transports(serve, pki):
    server = serve()
    server.reply = lambda h, b: server.release.wait()
    with pytest.raises(faults.ReadTimeout) as info:
        transport(server, pki, timeout=30).post(b"<x/>", "a", read_timeout=0.5)
    assert str(info.value) == f"https://127.0.0.1:{server.port}/sdk did not answer within 0.5s"


def test_no_connection_within_the_timeout_is_a_connect_timeout():
    # A listener that never accepts, its backlog already full: the kernel drops further SYNs.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    try:
        for _filler in range(8):
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", port))
            fillers.append(s)
        with pytest.raises((faults.ConnectTimeout, faults.ReadTimeout)) as info:
            Transport("127.0.0.1", port, timeout=0.5, connect_timeout=0.5).post(b"<x/>", "a")
        if isinstance(info.value, faults.ReadTimeout):
            pytest.skip("this kernel completed the handshake despite the full backlog")
        assert str(info.value) == f"no connection to https://127.0.0.1:{port}/sdk within 0.5s"
        assert info.value.retryable is True
    finally:
        for s in fillers:
            s.close()
        listener.close()


# ------------------------------------------------------------------ TLS


def test_tls_with_the_ca_works_by_ip_and_by_name(serve, pki):
    server = serve()
    assert transport(server, pki).post(b"<x/>", "a")[0] == 200
    assert transport(server, pki, host="localhost").post(b"<x/>", "a")[0] == 200


def _refusal(server, **kwargs) -> str:
    with pytest.raises(faults.CertificateError) as info:
        transport(server, **kwargs).post(b"<x/>", "a")
    e = info.value
    assert e.retryable is False
    assert str(e).startswith(
        f"TLS certificate of https://{kwargs.get('host', '127.0.0.1')}:{server.port}/sdk refused: "
    )
    assert "ca_path" in str(e) and "validate_certs" in str(e)
    return str(e)


@pytest.mark.parametrize(
    "variant, host, use_ca, cause",
    [
        ("good", "127.0.0.1", False, "the certificate's issuer (CA) is not trusted"),
        ("expired", "127.0.0.1", True, "the certificate has expired"),
        (
            "wrong-host",
            "127.0.0.1",
            True,
            "the certificate does not name this address (IP address mismatch)",
        ),
        (
            "wrong-host",
            "localhost",
            True,
            "the certificate does not name this host (hostname mismatch)",
        ),
        ("self-signed", "127.0.0.1", True, "the certificate is self-signed and not trusted"),
    ],
)
def test_a_refused_certificate_says_why_and_how_to_fix_it(serve, pki, variant, host, use_ca, cause):
    server = serve(variant)
    ca = pki.ca_path if use_ca else None
    message = _refusal(server, host=host, ca_path=ca)
    assert f"refused: {cause}. Give the CA" in message


def test_validate_certs_false_accepts_any_certificate_without_urllib3_warnings(serve, pki):
    for variant in ("good", "expired", "wrong-host", "self-signed"):
        server = serve(variant)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert transport(server, validate_certs=False).post(b"<x/>", "a")[0] == 200
        assert not [w for w in caught if "Unverified HTTPS" in str(w.message)]


def test_a_missing_ca_file_is_an_invalid_argument_naming_it(tmp_path):
    missing = str(tmp_path / "nope.pem")
    with pytest.raises(faults.InvalidArgument, match=f"ca_path '{missing}' does not exist"):
        Transport("127.0.0.1", 443, ca_path=missing)
    Transport("127.0.0.1", 443, ca_path=missing, validate_certs=False)  # not used, not checked


def test_a_ca_file_without_a_certificate_is_a_certificate_error(serve, tmp_path):
    server = serve()
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("this is not a certificate\n")
    message = _refusal(server, ca_path=str(garbage))
    assert "refused: the ca_path file holds no PEM certificate" in message


@pytest.mark.parametrize(
    ("hostname", "port", "needle"),
    [
        ("https://vc.example.com", 443, "hostname: 'https://vc.example.com' must be a host name"),
        ("vc example", 443, "hostname: 'vc example'"),
        ("root@vc", 443, "hostname: 'root@vc'"),
        ("", 443, "hostname: ''"),
        ("vc.example.com", 0, "port: 0 is not a TCP port"),
        ("vc.example.com", 65536, "port: 65536 is not a TCP port"),
        ("vc.example.com:443", 443, "port: 443"),
        ("vc.example.com:8443", 443, "'vc.example.com:8443' includes a port; give the host"),
        ("10.0.0.1:443", 443, "hostname: 10.0.0.1, port: 443"),
        ("[fe80::1]:443", 443, "hostname: fe80::1, port: 443"),
    ],
)
def test_an_endpoint_requests_cannot_address_is_refused_naming_the_option(hostname, port, needle):
    with pytest.raises(faults.InvalidArgument, match=re.escape(needle)):
        Transport(hostname, port)


def test_a_proxy_port_without_a_proxy_host_is_refused():
    with pytest.raises(
        faults.InvalidArgument, match=re.escape("proxy_port: 8080 is set but proxy_host is not")
    ):
        Transport("vc.example.com", 443, proxy_port=8080)
    proxied = Transport("vc.example.com", 443, proxy_host="proxy", proxy_port=8080)
    assert proxied.http.proxies["https"] == "http://proxy:8080"


def test_ipv6_addresses_are_bracketed():
    assert Transport("fe80::1", 443).url == "https://[fe80::1]:443/sdk"


@pytest.mark.parametrize("hostname", ["fe80::1", "::1", "2001:db8::443"])
def test_an_ipv6_address_is_not_taken_for_a_host_and_port(hostname):
    assert Transport(hostname, 443).url == f"https://[{hostname}]:443/sdk"
