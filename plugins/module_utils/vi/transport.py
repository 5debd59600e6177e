"""HTTP(S) transport: one requests.Session POSTing SOAP to /sdk, with TLS, timeouts and limits.

Statuses: 200 and 500 carry SOAP (a 500 is a fault, decoded by the envelope layer); any other
status is a TransportError with the status and a short excerpt of the body.
"""

from __future__ import annotations

import ipaddress
import itertools
import logging
import os
import re
import warnings

try:
    import requests
    from requests import exceptions as rex
    from urllib3.exceptions import ReadTimeoutError

    REQUESTS_IMPORT_ERROR = None
except ImportError as e:  # module.py reports it as a missing library
    requests = rex = ReadTimeoutError = None
    REQUESTS_IMPORT_ERROR = e

from .faults import (
    CertificateError,
    ConnectTimeout,
    InvalidArgument,
    ReadTimeout,
    ResponseError,
    TransportError,
)
from .retry import TRANSIENT_STATUSES

log = logging.getLogger("viapi.esx.vi")
MAX_RESPONSE_BYTES = 100 * 1024 * 1024
# For the test suite only (docs/reliability.md): a directory where the SOAP answers of the test
# simulator are written, for the differential test against pyVmomi. Only an endpoint the
# simulator harness registered in it (RECORD_ENDPOINTS/<host>-<port>, made by this user) is
# recorded, so the variable alone records nothing: not a production server's answers, nor a
# test's fake server or fault proxy.
RECORD_ENV = "VIAPI_ESX_RECORD_DIR"
RECORD_ENDPOINTS = "endpoints"
_SOAP_METHOD = re.compile(rb"<(?:[\w.-]+:)?Body\b[^>]*>\s*<(?:[\w.-]+:)?([A-Za-z_][\w.-]*)")
_recorded = itertools.count()
_TAGS = re.compile(r"<[^>]*>")

# What OpenSSL says, and what a person should read instead.
_TLS_CAUSES = (
    ("hostname mismatch", "the certificate does not name this host (hostname mismatch)"),
    ("doesn't match", "the certificate does not name this host (hostname mismatch)"),
    ("ip address mismatch", "the certificate does not name this address (IP address mismatch)"),
    ("certificate has expired", "the certificate has expired"),
    ("not yet valid", "the certificate is not yet valid"),
    ("self-signed certificate", "the certificate is self-signed and not trusted"),
    ("self signed certificate", "the certificate is self-signed and not trusted"),
    ("unable to get local issuer", "the certificate's issuer (CA) is not trusted"),
    ("key too small", "the certificate's key is too weak (too few bits) for this OpenSSL"),
    ("ee_key_too_small", "the certificate's key is too weak (too few bits) for this OpenSSL"),
    ("key too weak", "the certificate's key is too weak (too few bits) for this OpenSSL"),
    (
        "digest algorithm too weak",
        "the certificate is signed with a digest too weak for this OpenSSL",
    ),
    ("ca_md_too_weak", "the certificate is signed with a digest too weak for this OpenSSL"),
    ("no certificate or crl found", "the ca_path file holds no PEM certificate"),
)


def _tls_cause(error: Exception) -> str:
    text = str(error).lower()
    for needle, cause in _TLS_CAUSES:
        if needle in text:
            return cause
    return "verification failed"


class Transport:
    """POSTs SOAP envelopes to one endpoint; not shared between threads."""

    def __init__(
        self,
        hostname: str,
        port: int = 443,
        validate_certs: bool = True,
        ca_path: str | None = None,
        timeout: float = 60.0,
        connect_timeout: float | None = None,
        proxy_host: str | None = None,
        proxy_port: int | None = None,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ):
        _check_endpoint(hostname, port, proxy_port, proxy_host)
        host = f"[{hostname}]" if ":" in hostname and not hostname.startswith("[") else hostname
        self.url = f"https://{host}:{port}/sdk"
        self.timeout = (connect_timeout or min(timeout, 30.0), timeout)
        self.max_response_bytes = max_response_bytes
        if validate_certs and ca_path and not os.path.exists(ca_path):
            raise InvalidArgument(f"ca_path '{ca_path}' does not exist (give the CA's PEM file)")
        self.http = requests.Session()
        self.http.verify = (ca_path or True) if validate_certs else False
        self.http.trust_env = False
        self.last_date: str | None = None  # the HTTP Date of the last answer: the server's clock
        self.record_dir = recording_dir(hostname, port)
        if proxy_host:
            proxy = f"http://{proxy_host}:{proxy_port or 3128}"
            self.http.proxies = {"https": proxy, "http": proxy}

    def post(
        self, body: bytes, soap_action: str, read_timeout: float | None = None
    ) -> tuple[int, bytes]:
        """Send one envelope; return (status, body) for 200/500, raise TransportError otherwise.
        `read_timeout` replaces the read timeout for this one request."""
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": soap_action}
        status, content = self._request(
            "POST", self.url, read_timeout=read_timeout, data=body, headers=headers
        )
        if self.record_dir:
            record(self.record_dir, body, status, content)
        if status not in (200, 500):
            raise self._status_error(status, content)
        return status, content

    def get(self, name: str) -> bytes:
        """GET a file the server publishes beside the endpoint (/sdk/<name>); its body on HTTP
        200, TransportError otherwise."""
        status, content = self._request("GET", f"{self.url}/{name}")
        if status != 200:
            raise self._status_error(status, content)
        return content

    def _status_error(self, status: int, content: bytes) -> TransportError:
        excerpt = _TAGS.sub(" ", content[:2000].decode("utf-8", "replace"))
        excerpt = " ".join(excerpt.split())[:200]
        return TransportError(
            f"HTTP {status} from {self.url}: {excerpt}",
            status=status,
            retryable=status in TRANSIENT_STATUSES,
        )

    def _request(
        self, verb: str, url: str, read_timeout: float | None = None, **kwargs
    ) -> tuple[int, bytes]:
        """One HTTP request: (status, body), every failure of the connection a ViError."""
        timeout = self.timeout
        if read_timeout is not None:
            timeout = (min(self.timeout[0], read_timeout), read_timeout)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # urllib3's InsecureRequestWarning: we warn once
                resp = self.http.request(verb, url, timeout=timeout, stream=True, **kwargs)
                self.last_date = resp.headers.get("Date")
                content = self._read(resp)
        except rex.SSLError as e:
            raise CertificateError(
                f"TLS certificate of {self.url} refused: {_tls_cause(e)}. Give the CA that signed "
                "it with ca_path (a PEM file), or set validate_certs: false (not recommended)"
            ) from None
        except rex.ConnectTimeout:
            raise ConnectTimeout(
                f"no connection to {self.url} within {timeout[0]:g}s", retryable=True
            ) from None
        except rex.ReadTimeout:
            raise self._read_timeout(timeout[1]) from None
        except rex.ProxyError as e:
            raise TransportError(
                f"proxy refused the connection to {self.url}: {_short(e)}"
            ) from None
        except (rex.ConnectionError, rex.ChunkedEncodingError) as e:
            if e.args and isinstance(e.args[0], ReadTimeoutError):
                raise self._read_timeout(timeout[1]) from None  # the body stalled after the headers
            raise TransportError(
                f"connection to {self.url} failed: {_short(e)}", retryable=True
            ) from None
        except rex.InvalidURL as e:
            raise InvalidArgument(
                f"hostname/port: {self.url} is not a valid address ({e})"
            ) from None
        except rex.RequestException as e:  # anything else requests refuses, never a traceback
            raise TransportError(f"request to {self.url} failed: {_short(e)}") from None
        return resp.status_code, content

    def _read(self, resp) -> bytes:
        """The body, refusing more than max_response_bytes without holding it all first."""
        try:
            length = int(resp.headers.get("Content-Length") or 0)
            if length > self.max_response_bytes:
                raise self._too_large()
            chunks, size = [], 0
            for chunk in resp.iter_content(chunk_size=1 << 16):
                size += len(chunk)
                if size > self.max_response_bytes:
                    raise self._too_large()
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            resp.close()

    def _read_timeout(self, seconds: float) -> ReadTimeout:
        return ReadTimeout(f"{self.url} did not answer within {seconds:g}s", retryable=True)

    def _too_large(self) -> ResponseError:
        return ResponseError(
            f"the answer from {self.url} exceeds {self.max_response_bytes // (1024 * 1024)} MiB; "
            "refused (ask for fewer objects per page)"
        )

    def close(self) -> None:
        self.http.close()


def recording_dir(hostname: str, port) -> str | None:
    """The directory RECORD_ENV names when it registers this endpoint, else None."""
    directory = os.environ.get(RECORD_ENV)
    if not directory:
        return None
    name = f"{hostname.strip('[]')}-{port}"
    try:
        registered = os.stat(os.path.join(directory, RECORD_ENDPOINTS, name))
    except (OSError, ValueError):
        return None
    return directory if registered.st_uid == os.getuid() else None


def record(directory: str, request: bytes, status: int, content: bytes) -> None:
    """Write one answer as <directory>/<pid>-<n>-<random>-<method>-<status>.xml (owner-only)."""
    m = _SOAP_METHOD.search(request[:4096])
    method = m.group(1).decode("ascii", "replace") if m else "unknown"
    # The pid and a counter order one process's answers; the random part keeps two processes
    # that got the same pid over a long run (a whole test suite) from colliding.
    name = f"{os.getpid()}-{next(_recorded):06d}-{os.urandom(3).hex()}-{method}-{status}.xml"
    os.makedirs(directory, exist_ok=True)
    fd = os.open(os.path.join(directory, name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(content)


def _check_endpoint(hostname: str, port, proxy_port, proxy_host=None) -> None:
    """Refuse, naming the option, what would make requests fail to build a URL, and a proxy
    port without a proxy (the requests would go direct, the port unused)."""
    if not hostname or re.search(r"\s|/|@", hostname):
        raise InvalidArgument(
            f"hostname: '{hostname}' must be a host name or address only, without scheme, "
            "user or path (for example vcenter.example.com)"
        )
    host_port = _HOST_PORT.match(hostname)
    if host_port and not _is_ipv6(hostname):
        raise InvalidArgument(
            f"hostname: '{hostname}' includes a port; give the host alone in hostname (or "
            f"VMWARE_HOST) and the port in port (or VMWARE_PORT): hostname: "
            f"{host_port.group(1)}, port: {host_port.group(2)}"
        )
    for option, value in (("port", port), ("proxy_port", proxy_port)):
        if value is not None and not 0 < int(value) < 65536:
            raise InvalidArgument(f"{option}: {value} is not a TCP port (1-65535)")
    if proxy_port is not None and not proxy_host:
        raise InvalidArgument(
            f"proxy_port: {proxy_port} is set but proxy_host is not; set proxy_host (or "
            "VMWARE_PROXY_HOST) to go through a proxy, or unset proxy_port (or VMWARE_PROXY_PORT)"
        )


# "vc.example.com:443", "10.0.0.1:443" or "[fe80::1]:443": a host followed by a port.
_HOST_PORT = re.compile(r"^\[?([^\[\]]*?)\]?:(\d+)$")


def _is_ipv6(hostname: str) -> bool:
    """Whether hostname is an IPv6 address (whose colons are not a port separator)."""
    try:
        return ipaddress.ip_address(hostname.strip("[]")).version == 6 and ":" in hostname
    except ValueError:
        return False


def _short(error: Exception) -> str:
    """The innermost reason of a requests/urllib3 error, without object reprs."""
    text = str(error)
    m = re.search(r"\(Caused by \w+\((?:<[^>]*>: )?'?(.*?)'?\)\)?$", text)
    return (m.group(1) if m else text)[:200]
