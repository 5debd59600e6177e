"""A VMDK's download on a stand-in for the /folder file access: every file or none lands."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace
from urllib.parse import unquote, urlsplit

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.storage import vmdk_download
from ansible_collections.viapi.esx.plugins.module_utils.storage.volume import Target
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import TransportError
from ansible_collections.viapi.esx.plugins.module_utils.vi.files import Deadline
from ansible_collections.viapi.esx.plugins.module_utils.vi.retry import Backoff

DESCRIPTOR = b'# Disk DescriptorFile\nversion=1\ncreateType="vmfs"\nRW 16 VMFS "disk-flat.vmdk"\n'
FLAT = bytes(range(256)) * 32  # 16 sectors


class _Answer:
    def __init__(self, data: bytes | None, short: bool):
        self.status_code = 404 if data is None else 200
        self.data, self.short = data or b"", short
        self.headers = {} if data is None else {"Content-Length": str(len(self.data))}

    def iter_content(self, chunk_size):
        data = self.data[: len(self.data) // 2] if self.short else self.data
        for i in range(0, len(data), chunk_size):
            yield data[i : i + chunk_size]

    def close(self):
        pass


class _Folder:
    """The server's files by datastore path; GETs of a name in `short` stop halfway."""

    def __init__(self, files: dict[str, bytes]):
        self.files, self.short, self.gets = dict(files), set(), []

    def request(self, method, url, **kwargs):
        assert method == "GET"
        path = unquote(urlsplit(url).path).removeprefix("/folder/")
        self.gets.append(path)
        return _Answer(self.files.get(path), path in self.short)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def client(folder: _Folder):
    transport = SimpleNamespace(url="https://esx:443/sdk", http=folder, timeout=(30, 60))
    return SimpleNamespace(transport=transport, backoff=Backoff())


TARGET = Target(SimpleNamespace(name="ds1", facts={"datacenter": "DC0"}, handle={}), "d/disk.vmdk")


def download(folder: _Folder, dest: str):
    planned = vmdk_download.plan(
        client(folder), TARGET, dest, {"name": "d/disk.vmdk"}, Deadline(60)
    )
    for step in planned.steps:
        step.run(client(folder), Deadline(60))
    return planned


def test_the_descriptor_and_its_flat_file_land_and_the_second_run_sends_nothing(tmp_path):
    folder = _Folder({"d/disk.vmdk": DESCRIPTOR, "d/disk-flat.vmdk": FLAT})
    dest = str(tmp_path / "disk.vmdk")
    planned = download(folder, dest)
    assert [s.action for s in planned.steps] == ["download"]
    assert (tmp_path / "disk.vmdk").read_bytes() == DESCRIPTOR
    assert (tmp_path / "disk-flat.vmdk").read_bytes() == FLAT
    assert planned.transfer == {
        "dest": dest, "size_bytes": len(DESCRIPTOR),
        "sha256": hashlib.sha256(DESCRIPTOR).hexdigest(),
        "extents": [{"name": "disk-flat.vmdk", "type": "VMFS",
                     "dest": str(tmp_path / "disk-flat.vmdk"), "size_bytes": len(FLAT),
                     "sha256": hashlib.sha256(FLAT).hexdigest()}],
        "parent": None,
    }  # fmt: skip
    again = download(folder, dest)
    assert again.steps == [] and again.transfer == planned.transfer
    assert sorted(p.name for p in tmp_path.iterdir()) == ["disk-flat.vmdk", "disk.vmdk"]


def test_a_flat_file_cut_short_leaves_dest_as_it_was(tmp_path):
    (tmp_path / "disk.vmdk").write_bytes(b"an older descriptor")
    folder = _Folder({"d/disk.vmdk": DESCRIPTOR, "d/disk-flat.vmdk": FLAT})
    folder.short.add("d/disk-flat.vmdk")
    with pytest.raises(TransportError, match=f"got {len(FLAT) // 2} of {len(FLAT)} bytes"):
        download(folder, str(tmp_path / "disk.vmdk"))
    assert [p.name for p in tmp_path.iterdir()] == ["disk.vmdk"]
    assert (tmp_path / "disk.vmdk").read_bytes() == b"an older descriptor"


def test_the_descriptor_cut_short_leaves_no_flat_file_either(tmp_path):
    folder = _Folder({"d/disk.vmdk": DESCRIPTOR, "d/disk-flat.vmdk": FLAT})
    planned = vmdk_download.plan(
        client(folder), TARGET, str(tmp_path / "disk.vmdk"), {}, Deadline(60)
    )
    folder.short.add("d/disk.vmdk")  # it changes on the server between the plan and the run
    with pytest.raises(TransportError):
        planned.steps[0].run(client(folder), Deadline(60))
    assert list(tmp_path.iterdir()) == []


def test_only_the_file_that_differs_is_fetched(tmp_path):
    folder = _Folder({"d/disk.vmdk": DESCRIPTOR, "d/disk-flat.vmdk": FLAT})
    download(folder, str(tmp_path / "disk.vmdk"))
    folder.files["d/disk-flat.vmdk"] = bytes(reversed(FLAT))
    folder.gets.clear()
    planned = download(folder, str(tmp_path / "disk.vmdk"))
    assert planned.steps[0].detail == (
        f"download 'disk-flat.vmdk' of VMDK '[ds1] d/disk.vmdk' to '{tmp_path}'"
    )
    assert (tmp_path / "disk-flat.vmdk").read_bytes() == bytes(reversed(FLAT))
    # The descriptor is read once: parsed, and its size and SHA-256 taken from those bytes (not
    # asked for again, nor fetched again to be written); the flat file: size, hash, download.
    assert folder.gets.count("d/disk.vmdk") == 1 and folder.gets.count("d/disk-flat.vmdk") == 3


def test_a_hosted_sparse_disk_is_one_file(tmp_path):
    sparse = b"KDMV\x01\x00\x00\x00" + bytes(range(256)) * 8192  # 2 MiB and a header
    folder = _Folder({"d/disk.vmdk": sparse})
    planned = download(folder, str(tmp_path / "disk.vmdk"))
    assert (tmp_path / "disk.vmdk").read_bytes() == sparse
    assert planned.transfer["extents"] == [] and planned.transfer["sha256"] == sha(sparse)
    assert list(tmp_path.iterdir()) == [tmp_path / "disk.vmdk"]
