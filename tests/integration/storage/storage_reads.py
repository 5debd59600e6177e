"""Independent reads of the simulator for the storage tests: the VI client's collector, the
simulator's manifest and the datastores' files on disk - never the code under test."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ansible_collections.viapi.esx.plugins.module_utils.vi.collector import (
    collect,
    retrieve_one_hop,
)
from ansible_collections.viapi.esx.plugins.module_utils.vi.session import Client

# The hosts the iscsi_vpx simulator gives iSCSI adapters (conftest.py).
ISCSI_HOSTS = ("DC0_H0", "DC0_C0_H1")


def client(sim) -> Client:
    return Client(sim.host, sim.username, sim.password, port=sim.port, ca_path=sim.ca_path)


def libvirt_uuid(text: str) -> str:
    """MD5 of the text printed like libvirt's virUUIDFormat (computed here, not with ids.py)."""
    h = hashlib.md5(text.encode()).hexdigest()
    return "-".join((h[:8], h[8:12], h[12:16], h[16:20], h[20:]))


class Recorder:
    """Counts the SOAP methods a client sends (wraps Client.call)."""

    def __init__(self, c: Client):
        self.methods: list[str] = []
        inner = c.call

        def call(obj, method, **args):
            self.methods.append(method)
            return inner(obj, method, **args)

        c.call = call

    def count(self, method: str) -> int:
        return self.methods.count(method)


def datastores(sim) -> dict[str, dict]:
    """name -> summary, info, host mounts, the names of hosts listing it, and its datacenter."""
    with client(sim) as c:
        rows = collect(
            c,
            {
                "Datastore": ["summary", "info", "host"],
                "HostSystem": ["name", "datastore"],
                "Datacenter": ["name", "datastore"],
            },
        )
    hosts = [(ref, p) for ref, p in rows if ref.type == "HostSystem"]
    dcs = [(ref, p) for ref, p in rows if ref.type == "Datacenter"]
    out = {}
    for ref, props in rows:
        if ref.type != "Datastore":
            continue
        listed = {p["name"] for _h, p in hosts if ref in (p.get("datastore") or [])}
        dc = [p["name"] for _d, p in dcs if ref in (p.get("datastore") or [])]
        out[props["summary"]["name"]] = dict(
            props, ref=ref, listed_by=listed, datacenter=dc[0] if dc else None
        )
    return out


def vm_disks(sim) -> dict[str, list[dict]]:
    """'[ds] dir/file.vmdk' -> the VirtualDisk devices using it, with the VM name in 'vm'."""
    with client(sim) as c:
        rows = collect(c, {"VirtualMachine": ["name", "config.hardware.device"]})
    out: dict[str, list[dict]] = {}
    for _ref, props in rows:
        for d in props.get("config.hardware.device") or []:
            if d["_type"] == "VirtualDisk":
                out.setdefault(d["backing"]["fileName"], []).append(dict(d, vm=props["name"]))
    return out


def datastore_dir(sim, name: str) -> Path:
    """The local directory behind a simulator datastore (from the manifest)."""
    return Path(next(d["url"] for d in sim.manifest["datastores"] if d["name"] == name))


def files_on_disk(root: Path) -> dict[str, int]:
    """'dir/file' -> size for every file below root, without disk extents (as the browser shows)."""
    out = {}
    for path in root.rglob("*"):
        if path.is_file() and not path.name.endswith("-flat.vmdk"):
            out[path.relative_to(root).as_posix()] = path.stat().st_size
    return out


def iscsi_targets(manifest: dict) -> dict[str, dict]:
    """iqn -> hosts having it, and the first host's (by name) adapter, address, port and LUNs."""
    out: dict[str, dict] = {}
    for host in sorted(manifest["iscsi"]["hosts"], key=lambda h: h["name"]):
        for adapter in host["adapters"]:
            for t in adapter["targets"]:
                entry = out.setdefault(
                    t["iqn"],
                    {"hosts": [], "adapter": adapter["device"], "adapter_type": adapter["type"],
                     "address": t["address"], "port": t["port"], "luns": t["luns"]},
                )  # fmt: skip
                entry["hosts"].append(host["name"])
    return out


# Tasks that only read (the datastore browser's searches); any other task changes something.
READ_TASKS = (
    "HostDatastoreBrowser.searchDatastore",
    "HostDatastoreBrowser.searchDatastoreSubFolders",
)


def task_ids(sim) -> dict[str, str]:
    """TaskManager.recentTask: task id -> descriptionId (e.g. VirtualDiskManager.createVirtualDisk)."""
    with client(sim) as c:
        rows = retrieve_one_hop(
            c, c.content["taskManager"], "recentTask", "Task", ["info.descriptionId"]
        )
    return {r.value: p.get("info.descriptionId") for r, p in rows}


def changing_tasks(before: dict, after: dict) -> list[str]:
    """The descriptionIds of the tasks that appeared between two task_ids() reads and change
    something (searches left out)."""
    return [d for t, d in after.items() if t not in before and d not in READ_TASKS]


def tree(root: Path) -> dict[str, tuple[int, str]]:
    """'dir/file' -> (size, sha256) of every file below a datastore directory."""
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest = hashlib.sha256()
            with path.open("rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    digest.update(chunk)
            out[path.relative_to(root).as_posix()] = (path.stat().st_size, digest.hexdigest())
    return out


def descriptor(path: Path) -> dict:
    """What a VMDK descriptor on the datastore says: sectors, extent, thin."""
    text = path.read_text()
    extent = re.search(r'^RW (\d+) \w+ "([^"]+)"$', text, re.M)
    return {
        "sectors": int(extent.group(1)),
        "extent": extent.group(2),
        "thin": 'ddb.thinProvisioned = "1"' in text,
    }
