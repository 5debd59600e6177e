"""The /folder file access: URLs, the streamed upload body, the deadline."""

from __future__ import annotations

import io
import os
from types import SimpleNamespace

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.vi import files
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import (
    CertificateError,
    TransportError,
    WaitTimeout,
)


def client(url="https://vc.example.com:443/sdk"):
    return SimpleNamespace(transport=SimpleNamespace(url=url))


def test_folder_url_quotes_path_datacenter_and_datastore():
    url = files.folder_url(client(), "DC 1", "data store#1", "iso/my tools.iso")
    assert url == (
        "https://vc.example.com:443/folder/iso/my%20tools.iso?dcPath=DC%201&dsName=data%20store%231"
    )
    ipv6 = files.folder_url(client("https://[fe80::1]:8989/sdk"), "ha-datacenter", "ds", "a")
    assert ipv6 == "https://[fe80::1]:8989/folder/a?dcPath=ha-datacenter&dsName=ds"


def test_the_upload_body_is_read_in_bounded_chunks():
    data = b"x" * (files.CHUNK * 3 + 5)
    body = files._Reader(io.BytesIO(data), len(data), files.Deadline(60))
    assert len(body) == len(data)  # requests sends Content-Length, not chunks
    sizes = [len(c) for c in body]
    assert max(sizes) == files.CHUNK and sum(sizes) == len(data)
    body.rewind()
    assert body.read(10) == b"x" * 10 and body.done == 10


def test_the_deadline_stops_a_transfer():
    deadline = files.Deadline(0.000001, "upload of a.iso")
    deadline.end -= 1
    body = files._Reader(io.BytesIO(b"abc"), 3, deadline)
    with pytest.raises(WaitTimeout, match="gave up waiting for upload of a.iso"):
        body.read()


class _Refusing:
    """An HTTP session whose every request fails with this requests exception."""

    def __init__(self, error: Exception):
        self.error = error

    def request(self, *args, **kwargs):
        raise self.error


def _send_failing(error: Exception):
    c = SimpleNamespace(transport=SimpleNamespace(http=_Refusing(error), timeout=(30, 60)))
    return files._send(c, "PUT", "https://vc:443/folder/iso/a.iso?dcPath=DC0&dsName=ds")


def test_a_tls_connection_closed_mid_request_is_no_certificate_error():
    from requests import exceptions as rex

    # What requests raises when the server answers early and closes while the body is sent.
    eof = rex.SSLError("EOF occurred in violation of protocol (_ssl.c:2427)")
    with pytest.raises(TransportError) as e:
        _send_failing(eof)
    assert not isinstance(e.value, CertificateError) and e.value.retryable
    assert str(e.value).startswith(
        "PUT /folder/iso/a.iso?dcPath=DC0&dsName=ds failed: the TLS connection broke off"
    )
    refused = rex.SSLError(
        "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer"
    )
    with pytest.raises(CertificateError, match="certificate's issuer \\(CA\\) is not trusted"):
        _send_failing(refused)


class _Body:
    """A streamed answer of `size` bytes in 1 KiB chunks, counting what was read of it."""

    def __init__(self, size: int, status: int = 200, broken: bool = False):
        self.size, self.status_code, self.read, self.closed = size, status, 0, False
        self.headers = {"Content-Length": str(size)}
        self.broken = broken

    def iter_content(self, chunk_size):
        while self.read < self.size:
            if self.broken and self.read >= 1024:
                return  # the server stopped short of its Content-Length
            n = min(1024, self.size - self.read)
            self.read += n
            yield b"d" * n

    def close(self):
        self.closed = True


def _answering(body: _Body):
    from ansible_collections.viapi.esx.plugins.module_utils.vi.retry import Backoff

    http = SimpleNamespace(request=lambda *a, **k: body)
    return SimpleNamespace(
        transport=SimpleNamespace(http=http, timeout=(30, 60)), backoff=Backoff()
    )


def test_head_reads_no_more_of_the_body_than_asked():
    body = _Body(1 << 20)
    assert files.head(_answering(body), "https://vc/folder/a.vmdk", 2048, files.Deadline(60)) == (
        b"d" * 2048
    )
    assert body.read == 2048 and body.closed
    small = _Body(100)
    assert (
        len(files.head(_answering(small), "https://vc/folder/a", 2048, files.Deadline(60))) == 100
    )
    with pytest.raises(TransportError, match="got 1024 of 5000 bytes"):
        files.head(_answering(_Body(5000, broken=True)), "https://vc/f/a", 8192, files.Deadline(60))
    with pytest.raises(files.NotFound, match="file /folder/a not found"):
        files.head(_answering(_Body(0, status=404)), "https://vc/folder/a", 10, files.Deadline(60))


def test_a_part_cut_short_leaves_no_file_behind(tmp_path):
    target = tmp_path / "disk-flat.vmdk"
    client = _answering(_Body(5000, broken=True))
    with pytest.raises(TransportError, match="got 1024 of 5000 bytes"):
        files.download_part(
            client, "https://vc/folder/d-flat.vmdk", str(target), files.Deadline(60)
        )
    assert list(tmp_path.iterdir()) == []
    tmp, size, digest = files.download_part(
        _answering(_Body(3000)), "https://vc/folder/d-flat.vmdk", str(target), files.Deadline(60)
    )
    assert size == 3000 and not target.exists()
    with open(tmp, "rb") as part:
        assert part.read() == b"d" * 3000 and os.path.dirname(tmp) == str(tmp_path)
