"""Datastore files over HTTPS: the server's /folder file access, streamed in both directions.

A file is at https://<server>/folder/<path>?dcPath=<datacenter>&dsName=<datastore> (vSphere's
"datastore HTTP access"). The requests go through the client's transport: its requests.Session
carries the session cookie, the TLS settings and the proxy of the SOAP calls. A file is never
held in memory: uploads stream from the open file, downloads are written chunk by chunk. A
request the server did not answer, or answered 502/503/504, is tried again with the client's
backoff (a PUT of the whole file is safe to repeat); a refused session (401) logs in once more.
"""

from __future__ import annotations

import hashlib
import os
import time
import warnings
from urllib.parse import quote, urlsplit, urlunsplit

try:
    from requests import exceptions as rex
except ImportError:  # module.py reports the missing library
    rex = None

from .faults import CertificateError, NotFound, TransportError, ViError, WaitTimeout
from .retry import TRANSIENT_STATUSES
from .transport import _short, _tls_cause

CHUNK = 1 << 20  # bytes per read and write: memory stays flat whatever the file size


class Deadline:
    """The wait_timeout of one run: every transfer checks it between chunks."""

    def __init__(self, seconds: float, what: str = "the file transfer"):
        self.seconds, self.what = seconds, what
        self.end = time.monotonic() + seconds

    def check(self, done: int) -> None:
        if time.monotonic() > self.end:
            raise WaitTimeout(self.what, {"bytes_done": done}, self.seconds)


def folder_url(client, datacenter: str, datastore: str, rel: str) -> str:
    """The /folder URL of a file at `rel` (a/b.iso) in a datastore of a datacenter."""
    base = urlsplit(client.transport.url)
    query = f"dcPath={quote(datacenter, safe='')}&dsName={quote(datastore, safe='')}"
    return urlunsplit((base.scheme, base.netloc, "/folder/" + quote(rel, safe="/"), query, ""))


def remote_size(client, url: str) -> int | None:
    """The size of the file at `url`, None when there is none (no body is read)."""
    resp = _request(client, "GET", url, stream=True)
    try:
        if resp.status_code == 404:
            return None
        _raise_for(resp, url)
        length = resp.headers.get("Content-Length")
        return int(length) if length is not None else None
    finally:
        resp.close()


def remote_sha256(client, url: str, deadline: Deadline) -> str:
    """The SHA-256 of the file at `url`, read as a stream."""
    digest = hashlib.sha256()
    _download_to(client, url, deadline, digest.update)
    return digest.hexdigest()


def local_sha256(path: str, deadline: Deadline) -> str:
    """The SHA-256 of a local file, read in chunks."""
    digest, done = hashlib.sha256(), 0
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            digest.update(chunk)
            done += len(chunk)
            deadline.check(done)
    return digest.hexdigest()


def local_file(path: str, remote_size, deadline: Deadline) -> dict:
    """A local file as a download compares it: dest, size_bytes, and sha256 when its size is
    the remote one (None for a file that is not there)."""
    if not os.path.isfile(path):
        return {"dest": path, "size_bytes": None, "sha256": None}
    size = os.path.getsize(path)
    digest = local_sha256(path, deadline) if size == remote_size else None
    return {"dest": path, "size_bytes": size, "sha256": digest}


def upload(client, path: str, url: str, deadline: Deadline) -> int:
    """PUT a local file to `url`, streaming it; the number of bytes sent."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        body = _Reader(f, size, deadline)
        headers = {"Content-Type": "application/octet-stream"}
        resp = _request(client, "PUT", url, data=body, headers=headers, rewind=body.rewind)
        try:
            _raise_for(resp, url)
        finally:
            resp.close()
    return size


def download(client, url: str, path: str, deadline: Deadline) -> tuple[int, str]:
    """GET `url` into `path` (through a temporary file beside it, renamed when complete);
    the bytes written and their SHA-256. A short body is an error and leaves `path` as it was."""
    tmp, size, digest = download_part(client, url, path, deadline)
    try:
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return size, digest


def download_part(client, url: str, path: str, deadline: Deadline) -> tuple[str, int, str]:
    """GET `url` into a temporary file beside `path`, for the caller to rename: (its name, the
    bytes written, their SHA-256). On any failure the temporary file is gone again."""
    digest = hashlib.sha256()
    tmp = f"{path}.part-{os.getpid()}"
    try:
        with open(tmp, "wb") as out:

            def write(chunk: bytes) -> None:
                out.write(chunk)
                digest.update(chunk)

            size = _download_to(client, url, deadline, write)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return tmp, size, digest.hexdigest()


def head(client, url: str, limit: int, deadline: Deadline) -> bytes:
    """The first `limit` bytes of the file at `url` (all of a smaller file); the rest of the
    body is not read."""
    resp = _request(client, "GET", url, stream=True)
    data = bytearray()
    try:
        if resp.status_code == 404:
            raise NotFound(f"file {_shown(url)} not found on the server")
        _raise_for(resp, url)
        expected = resp.headers.get("Content-Length")
        try:
            for chunk in resp.iter_content(chunk_size=min(CHUNK, limit)):
                data += chunk
                deadline.check(len(data))
                if len(data) >= limit:
                    break
        except (rex.ConnectionError, rex.ChunkedEncodingError) as e:
            raise TransportError(f"download of {_shown(url)} broke off: {_short(e)}") from None
    finally:
        resp.close()
    if len(data) < limit and expected is not None and len(data) != int(expected):
        raise TransportError(f"download of {_shown(url)} got {len(data)} of {expected} bytes")
    return bytes(data[:limit])


def _download_to(client, url: str, deadline: Deadline, sink) -> int:
    """Stream the body of `url` into sink(chunk); the byte count, checked against its length."""
    resp = _request(client, "GET", url, stream=True)
    try:
        if resp.status_code == 404:
            raise NotFound(f"file {_shown(url)} not found on the server")
        _raise_for(resp, url)
        expected = resp.headers.get("Content-Length")
        done = 0
        try:
            for chunk in resp.iter_content(chunk_size=CHUNK):
                sink(chunk)
                done += len(chunk)
                deadline.check(done)
        except (rex.ConnectionError, rex.ChunkedEncodingError) as e:
            raise TransportError(f"download of {_shown(url)} broke off: {_short(e)}") from None
    finally:
        resp.close()
    if expected is not None and done != int(expected):
        raise TransportError(f"download of {_shown(url)} got {done} of {expected} bytes")
    return done


class _Reader:
    """A file object for requests' streamed body that checks the deadline as it is read."""

    def __init__(self, f, size: int, deadline: Deadline):
        self.f, self.size, self.deadline, self.done = f, size, deadline, 0

    def __len__(self) -> int:
        return self.size  # requests sends it as Content-Length (not chunked)

    def read(self, size: int = -1) -> bytes:
        chunk = self.f.read(CHUNK if size is None or size < 0 else min(size, CHUNK))
        self.done += len(chunk)
        self.deadline.check(self.done)
        return chunk

    def rewind(self) -> None:
        self.f.seek(0)
        self.done = 0

    def __iter__(self):
        return iter(lambda: self.read(CHUNK), b"")


def _request(client, method: str, url: str, rewind=None, **kwargs):
    """One HTTP request on the client's session: retried after transient failures, and once
    after a fresh login when the server refuses the session."""
    delays, relogged = client.backoff.delays(), False
    while True:
        try:
            resp = _send(client, method, url, **kwargs)
        except TransportError as e:
            delay = next(delays, None) if e.retryable else None
            if delay is None:
                raise
            client.backoff.sleep(delay)
        else:
            if resp.status_code == 401 and not relogged:
                resp.close()
                client.login()
                relogged = True
            elif resp.status_code in TRANSIENT_STATUSES and (delay := next(delays, None)):
                resp.close()
                client.backoff.sleep(delay)
            else:
                return resp
        if rewind is not None:
            rewind()


def _send(client, method: str, url: str, **kwargs):
    http, timeout = client.transport.http, client.transport.timeout
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # InsecureRequestWarning: the client warned once
            return http.request(method, url, timeout=timeout, **kwargs)
    except rex.SSLError as e:
        if not _is_certificate_error(e):  # the server closed the TLS connection mid-request
            raise TransportError(
                f"{method} {_shown(url)} failed: the TLS connection broke off ({_short(e)})",
                retryable=True,
            ) from None
        raise CertificateError(
            f"TLS certificate of {_shown(url)} refused: {_tls_cause(e)}"
        ) from None
    except (rex.ConnectTimeout, rex.ReadTimeout) as e:
        raise TransportError(
            f"{method} {_shown(url)} timed out: {_short(e)}", retryable=True
        ) from None
    except (rex.ConnectionError, rex.ChunkedEncodingError) as e:
        raise TransportError(
            f"{method} {_shown(url)} failed: {_short(e)}", retryable=True
        ) from None
    except rex.RequestException as e:
        raise TransportError(f"{method} {_shown(url)} failed: {_short(e)}") from None


def _is_certificate_error(error: Exception) -> bool:
    """Whether a TLS failure is about the certificate (not a connection the server closed)."""
    text = str(error).lower()
    return "certificate" in text or _tls_cause(error) != "verification failed"


def _raise_for(resp, url: str) -> None:
    if resp.status_code in (200, 201, 204):
        return
    if resp.status_code in (401, 403):
        raise ViError(f"the server refused access to {_shown(url)} (HTTP {resp.status_code})")
    raise TransportError(
        f"HTTP {resp.status_code} from {_shown(url)}", status=resp.status_code,
        retryable=resp.status_code in TRANSIENT_STATUSES,
    )  # fmt: skip


def _shown(url: str) -> str:
    """The URL's path and query as a message shows it (the host is the connection's)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path
