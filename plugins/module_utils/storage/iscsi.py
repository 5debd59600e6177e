"""The iSCSI backend: every configured static target is a pool; the LUNs behind it are volumes.
Every send target (dynamic discovery) is a pool too, of type iscsi_send_target, listing the
static targets it discovered (theirs name it in `send_target`); its LUNs are those targets'.

All of it comes from the hosts' config.storageDevice (one bulk read): the static targets of every
HostInternetScsiHba (software and hardware adapters alike), and through scsiTopology (adapter ->
target whose transport names the target IQN -> LUN) the ScsiLun entries behind each target.
A target configured on several hosts (a shared SAN) is one pool listing all those hosts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..vi.collector import collect
from ..vi.find import unescape
from .backend import (
    CachedPools,
    Pool,
    host_in_scope,
    pool_record,
    volume_record,
)
from .ids import iscsi_key, iscsi_pool_uuid, lun_key, md5_uuid

HOST_PATHS = (
    "name",
    "config.storageDevice.hostBusAdapter",
    "config.storageDevice.scsiLun",
    "config.storageDevice.scsiTopology",
)
# ScsiLun.operationalState values that mean the LUN cannot be reached.
UNREACHABLE = frozenset(("error", "off", "lostCommunication", "timeout", "permanentDeviceLoss"))
SEND_TARGET = "iscsi_send_target"  # the pool type of a send target


@dataclass
class Target:
    """One configured static target as one adapter of one host sees it."""

    iqn: str
    address: str | None
    port: int | None
    adapter: str | None
    adapter_type: str
    luns: list = field(default_factory=list)  # [(LUN number, ScsiLun dict)]
    parent: str | None = None  # the send target that discovered it ("address:port")


def host_targets(device: dict) -> list[Target]:
    """Every static target of every iSCSI adapter in one host's storageDevice, with its LUNs."""
    scsi_luns = {lun.get("key"): lun for lun in device.get("scsiLun") or []}
    topology = {
        i.get("adapter"): i for i in (device.get("scsiTopology") or {}).get("adapter") or []
    }
    out = []
    for hba in device.get("hostBusAdapter") or []:
        if hba.get("_type") != "HostInternetScsiHba":
            continue
        seen = (topology.get(hba.get("key")) or {}).get("target") or []
        for static in hba.get("configuredStaticTarget") or []:
            iqn = static.get("iScsiName")
            if not iqn:
                continue
            luns = [
                (lun.get("lun"), scsi_luns[lun.get("scsiLun")])
                for target in seen
                if _transport_iqn(target) == iqn
                for lun in target.get("lun") or []
                if lun.get("scsiLun") in scsi_luns
            ]
            parent = (
                static.get("parent")
                if static.get("discoveryMethod") == "sendTargetMethod"
                else None
            )
            out.append(Target(iqn, static.get("address"), static.get("port"), hba.get("device"),
                              _kind(hba), luns, parent or None))  # fmt: skip
    return out


def _kind(hba: dict) -> str:
    return "software" if hba.get("isSoftwareBased") else "hardware"


def send_target_name(address: str | None, port) -> str:
    """A send target's pool name, as hosts write a discovered target's parent: address:port."""
    return f"{address}:{int(port or 3260)}"


def host_send_targets(device: dict) -> list[Target]:
    """Every send target of every iSCSI adapter in one host's storageDevice (iqn is its name)."""
    return [
        Target(send_target_name(send.get("address"), send.get("port")), send.get("address"),
               int(send.get("port") or 3260), hba.get("device"), _kind(hba))
        for hba in device.get("hostBusAdapter") or [] if hba.get("_type") == "HostInternetScsiHba"
        for send in hba.get("configuredSendTarget") or [] if send.get("address")
    ]  # fmt: skip


def _transport_iqn(target: dict) -> str | None:
    transport = target.get("transport")
    return transport.get("iScsiName") if isinstance(transport, dict) else None


def lun_capacity(lun: dict) -> int | None:
    """Bytes: blocks x block size (None for a LUN without a capacity, e.g. a CD-ROM)."""
    cap = lun.get("capacity") or {}
    if cap.get("block") is None or cap.get("blockSize") is None:
        return None
    return int(cap["block"]) * int(cap["blockSize"])


def merge_targets(
    per_host: list[tuple[str, list[Target]]], scope_host: str | None = None
) -> list[Pool]:
    """One pool per target IQN over all hosts (an IQN in any case: ids.iscsi_key), named as the
    scoped or first host spells it; per-host fields from that host."""
    merged: dict[str, dict] = {}
    for host, targets in sorted(per_host, key=lambda h: (h[0] != scope_host, h[0])):
        for t in targets:
            entry = merged.setdefault(iscsi_key(t.iqn), {"first": t, "hosts": set(), "luns": {}})
            entry["hosts"].add(host)
            for number, lun in t.luns:
                entry["luns"].setdefault(lun.get("uuid") or lun.get("key"), (number, lun))
    pools = []
    for _iqn, entry in sorted(merged.items()):
        if scope_host is not None and scope_host not in entry["hosts"]:
            continue
        luns = sorted(
            entry["luns"].values(),
            key=lambda nl: (nl[0] if nl[0] is not None else -1, _lun_name(nl[1])),
        )
        pools.append(
            Pool(target_pool(entry["first"], sorted(entry["hosts"]), luns), {"luns": luns})
        )
    return pools


def target_pool(target: Target, hosts: list[str], luns: list) -> dict:
    """The pool fields of one target: capacity is the sum of its LUNs, all of it allocated."""
    capacity = sum(lun_capacity(lun) or 0 for _n, lun in luns)
    reachable = not luns or any(_primary_state(lun) not in UNREACHABLE for _n, lun in luns)
    return pool_record(
        name=target.iqn, uuid=iscsi_pool_uuid(target.iqn), backend=IscsiBackend.name, type="iscsi",
        state="running" if reachable else "inaccessible", capacity_bytes=capacity,
        allocation_bytes=capacity, available_bytes=0, accessible=reachable,
        multiple_host_access=len(hosts) > 1, hosts=hosts, iqn=target.iqn, address=target.address,
        port=target.port, adapter=target.adapter, adapter_type=target.adapter_type,
        send_target=target.parent,
    )  # fmt: skip


def merge_send_targets(
    per_host: list[tuple[str, list[Target]]], targets: list[Pool], scope_host: str | None = None
) -> list[Pool]:
    """One pool per send target over all hosts, with the target pools it discovered."""
    merged: dict[str, dict] = {}
    for host, sends in sorted(per_host, key=lambda h: (h[0] != scope_host, h[0])):
        for send in sends:
            merged.setdefault(send.iqn, {"first": send, "hosts": set()})["hosts"].add(host)
    pools = []
    for name, entry in sorted(merged.items()):
        if scope_host is not None and scope_host not in entry["hosts"]:
            continue
        found = [t for t in targets if t.facts["send_target"] == name]
        luns = {
            lun.get("uuid") or lun.get("key"): (n, lun)
            for t in found
            for n, lun in t.handle["luns"]
        }
        facts = target_pool(entry["first"], sorted(entry["hosts"]), list(luns.values()))
        facts.update(
            uuid=md5_uuid(name), type=SEND_TARGET, iqn=None, targets=[t.name for t in found]
        )
        pools.append(Pool(facts, {"luns": []}))  # its LUNs are volumes of the targets it found
    return pools


def _primary_state(lun: dict) -> str | None:
    states = lun.get("operationalState") or []
    return states[0] if states else None


def _lun_name(lun: dict) -> str:
    return lun.get("canonicalName") or lun.get("deviceName") or ""


def _strip(text: str | None) -> str | None:
    """SCSI inquiry strings are space-padded; show them without the padding."""
    return text.strip() if isinstance(text, str) else text


def lun_volume(pool: dict, number: int | None, lun: dict) -> dict:
    """The volume of one LUN behind a target."""
    capacity = lun_capacity(lun)
    path = lun.get("devicePath") or lun.get("deviceName") or None
    return volume_record(
        name=_lun_name(lun) or None, key=lun_key(lun["uuid"]) if lun.get("uuid") else None,
        path=path, pool=pool["name"], pool_uuid=pool["uuid"], type="block", format="lun",
        capacity_bytes=capacity, allocation_bytes=capacity, device_path=path,
        canonical_name=lun.get("canonicalName") or None, display_name=lun.get("displayName") or None,
        vendor=_strip(lun.get("vendor")), model=_strip(lun.get("model")), lun_number=number,
        operational_state=_primary_state(lun),
    )  # fmt: skip


class IscsiBackend(CachedPools):
    """iSCSI static targets as pools; their LUNs as volumes."""

    name = "iscsi"
    pool_types = frozenset(("iscsi", SEND_TARGET))
    volume_type = "block"

    def _read_pools(self) -> list[Pool]:
        rows = collect(self.client, {"HostSystem": list(HOST_PATHS)}, self.scope.root)
        per_host = [(unescape(p.get("name")), _device(p)) for _ref, p in rows]
        host_in_scope([h for h, _d in per_host], self.scope)
        targets = merge_targets([(h, host_targets(d)) for h, d in per_host], self.scope.host)
        sends = [(h, host_send_targets(d)) for h, d in per_host]
        return targets + merge_send_targets(sends, targets, self.scope.host)

    def volumes(self, pools: list[Pool]) -> list[dict]:
        return [lun_volume(p.facts, number, lun) for p in pools for number, lun in p.handle["luns"]]

    def owns_path(self, path: str) -> bool:
        return path.startswith("/vmfs/devices/")

    def volumes_at(self, path: str) -> list[dict]:
        return [v for v in self.volumes(self.pools()) if v["path"] == path]


def _device(props: dict) -> dict:
    """The parts of config.storageDevice read as separate paths, as one dict."""
    prefix = "config.storageDevice."
    return {k[len(prefix) :]: v for k, v in props.items() if k.startswith(prefix)}
