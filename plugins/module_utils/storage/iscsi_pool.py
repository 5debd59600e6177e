"""iSCSI pools for esx_storage_pool: a static target or a send target on an iSCSI adapter of
each host, with CHAP, then a rescan so the target's LUNs show as volumes.

The calls go on each host's HostStorageSystem. A target whose LUNs back a datastore that is
mounted is never removed: the refusal names the datastores and the LUNs.

A static target is the one configured whatever the case of its IQN (iSCSI names compare as
RFC 3722 maps them, ids.iscsi_key) or of its address's host name (RFC 4343). Calls name it as the
server stores it: a host that lacks it gets the spelling the other hosts have, as
nfs_pool.mounted_as does for NFS exports, so every host shows one target, one pool.
"""

from __future__ import annotations

from ..vi.collector import get_one
from ..vi.faults import InvalidArgument, NotFound
from ..vi.find import unescape
from .calls import Call
from .facade import Storage
from .ids import iscsi_key
from .pool import Inventory, PoolRequest, read, target_hosts


def adapters(props: dict) -> list[dict]:
    return [a for a in props.get("config.storageDevice.hostBusAdapter") or []
            if a.get("_type") == "HostInternetScsiHba"]  # fmt: skip


def pick_adapter(host: str, props: dict, request: PoolRequest) -> dict | None:
    """The adapter asked for (by device), or the host's software adapter; None when the software
    adapter is to be enabled first."""
    found = adapters(props)
    if request.adapter:
        for a in found:
            if a.get("device") == request.adapter:
                return a
        raise NotFound(f"adapter: iSCSI adapter '{request.adapter}' not found on host '{host}'")
    for a in found:
        if a.get("isSoftwareBased"):
            return a
    if request.enable_software_adapter:
        return None
    raise InvalidArgument(
        f"host '{host}' has no software iSCSI adapter; set enable_software_adapter: true or "
        "give adapter"
    )


def _port(value) -> int:
    return int(value or 3260)


def _portal(address, port) -> tuple:
    return ((address or "").lower(), _port(port))


def has_static(adapter: dict | None, request: PoolRequest) -> dict | None:
    wanted = (iscsi_key(request.name), *_portal(request.address, request.port))
    for t in (adapter or {}).get("configuredStaticTarget") or []:
        if (iscsi_key(t.get("iScsiName")), *_portal(t.get("address"), t.get("port"))) == wanted:
            return t
    return None


def has_send(adapter: dict | None, request: PoolRequest) -> dict | None:
    for t in (adapter or {}).get("configuredSendTarget") or []:
        if _portal(t.get("address"), t.get("port")) == _portal(request.address, request.port):
            return t
    return None


def _finder(request: PoolRequest):
    """has_send or has_static: how the request's target is looked for on an adapter."""
    return has_send if request.discovery == "send_targets" else has_static


def target_spec(request: PoolRequest, stored: dict | None = None) -> dict:
    """The target to name in a call: as `stored` (the server's own entry) spells it, else as
    asked."""
    address = (stored or {}).get("address") or request.address
    if request.discovery == "send_targets":
        return {"_type": "HostInternetScsiHbaSendTarget", "address": address, "port": request.port}
    name = (stored or {}).get("iScsiName") or request.name
    return {"_type": "HostInternetScsiHbaStaticTarget", "address": address,
            "port": request.port, "iScsiName": name}  # fmt: skip


def _stored(inv: Inventory, request: PoolRequest) -> dict | None:
    """The target as the first host (by name) that has it stores it; None when none has it."""
    find = _finder(request)
    for host in sorted(inv.hosts):
        for adapter in adapters(inv.hosts[host][1]):
            found = find(adapter, request)
            if found is not None:
                return found
    return None


def auth_spec(request: PoolRequest) -> dict:
    """CHAP required (and mutual CHAP when a mutual name is given), with the secrets."""
    auth = {"_type": "HostInternetScsiHbaAuthenticationProperties", "chapAuthEnabled": True,
            "chapName": request.chap_name, "chapSecret": request.chap_secret,
            "chapAuthenticationType": "chapRequired", "chapInherited": False}  # fmt: skip
    if request.mutual_chap_name:
        auth.update(mutualChapName=request.mutual_chap_name, mutualChapSecret=request.mutual_chap_secret,
                    mutualChapAuthenticationType="chapRequired", mutualChapInherited=False)  # fmt: skip
    return auth


def chap_differs(found: dict | None, request: PoolRequest) -> bool:
    """Whether the target's CHAP names differ from the request (secrets are never readable)."""
    if not request.chap_name:
        return False
    auth = (found or {}).get("authenticationProperties") or {}
    return (auth.get("chapAuthEnabled"), auth.get("chapName"), auth.get("mutualChapName") or None) != (
        True, request.chap_name, request.mutual_chap_name)  # fmt: skip


def plan_present(inv: Inventory, request: PoolRequest) -> list[Call]:
    """Per host: enable the software adapter, add the target, set CHAP, rescan the adapter."""
    calls, elsewhere = [], _stored(inv, request)
    for host in target_hosts(inv, request, []):
        ref, props = inv.hosts[host]
        system = props["configManager.storageSystem"]
        adapter = pick_adapter(host, props, request)
        found = (
            has_send(adapter, request)
            if request.discovery == "send_targets"
            else has_static(adapter, request)
        )
        steps = []
        if adapter is None:
            steps.append(Call(host, "enable software adapter", system, "UpdateSoftwareInternetScsiEnabled",
                              {"enabled": True}))  # fmt: skip
        device = _device(adapter, ref)
        kind = "SendTargets" if request.discovery == "send_targets" else "StaticTargets"
        if found is None:
            steps.append(Call(host, "add target", system, f"AddInternetScsi{kind}",
                              {"iScsiHbaDevice": device, "targets": [target_spec(request, elsewhere)]}))  # fmt: skip
        if chap_differs(found, request):
            key = "sendTargets" if request.discovery == "send_targets" else "staticTargets"
            steps.append(Call(host, "set CHAP", system, "UpdateInternetScsiAuthenticationProperties", {
                "iScsiHbaDevice": device, "authenticationProperties": auth_spec(request),
                "targetSet": {"_type": "HostInternetScsiHbaTargetSet",
                              key: [target_spec(request, found or elsewhere)]}}))  # fmt: skip
        if steps:
            steps.append(Call(host, "rescan", system, "RescanHba", {"hbaDevice": device}))
        calls += steps
    return calls


class _SoftwareDevice:
    """The software adapter's device name, read at apply time (it exists once enabled)."""

    def __init__(self, host: object):
        self.host = host

    def resolve(self, client) -> str:
        props = get_one(client, self.host, ["config.storageDevice.hostBusAdapter"])
        for a in adapters(props):
            if a.get("isSoftwareBased"):
                return a["device"]
        raise NotFound("the software iSCSI adapter did not appear after it was enabled")


def _device(adapter: dict | None, host_ref):
    return adapter["device"] if adapter else _SoftwareDevice(host_ref)


def plan_absent(inv: Inventory, request: PoolRequest) -> list[Call]:
    """Per host that has it: remove the target and rescan; refused while its LUNs back a datastore."""
    having = sorted(
        h for h, (_r, p) in inv.hosts.items()
        if any(request.adapter in (None, a.get("device")) for a in _holding(p, request))
    )  # fmt: skip
    devices = {a.get("device") for _r, p in inv.hosts.values() for a in adapters(p)}
    if (
        request.adapter
        and not (request.hosts or request.cluster)
        and request.adapter not in devices
    ):
        raise NotFound(f"adapter: iSCSI adapter '{request.adapter}' not found on any host")
    calls = []
    for host in target_hosts(inv, request, having):
        props = inv.hosts[host][1]
        for adapter in _removing_from(host, props, request):
            _refuse_backing(inv, host, props, adapter, request)
            find = _finder(request)
            spec = target_spec(request, find(adapter, request))
            kind = "SendTargets" if request.discovery == "send_targets" else "StaticTargets"
            system = props["configManager.storageSystem"]
            calls.append(Call(host, "remove target", system, f"RemoveInternetScsi{kind}",
                              {"iScsiHbaDevice": adapter["device"], "targets": [spec]}))  # fmt: skip
            calls.append(
                Call(host, "rescan", system, "RescanHba", {"hbaDevice": adapter["device"]})
            )
    return calls


def _removing_from(host: str, props: dict, request: PoolRequest) -> list[dict]:
    """The adapters of a host the target is removed from: the one `adapter` names (an error
    when the host has no such adapter), else every adapter that has it."""
    holding = _holding(props, request)
    if not request.adapter:
        return holding
    if not any(a.get("device") == request.adapter for a in adapters(props)):
        raise NotFound(f"adapter: iSCSI adapter '{request.adapter}' not found on host '{host}'")
    return [a for a in holding if a.get("device") == request.adapter]


def _holding(props: dict, request: PoolRequest) -> list[dict]:
    find = _finder(request)
    return [a for a in adapters(props) if find(a, request)]


def _refuse_backing(
    inv: Inventory, host: str, props: dict, adapter: dict, request: PoolRequest
) -> None:
    """The datastores on the LUNs behind the target (a send target's: all it discovered)."""
    iqns = {request.name} if request.discovery == "static" else {
        t.get("iScsiName") for t in adapter.get("configuredStaticTarget") or []
        if _same_parent(t.get("parent"), request)}  # fmt: skip
    luns = target_luns(props, adapter, iqns)
    backed = []
    for ds in props.get("datastore") or []:
        info = inv.datastores.get(ds, {}).get("info") or {}
        disks = {e.get("diskName") for e in (info.get("vmfs") or {}).get("extent") or []}
        if disks & luns:
            backed.append(
                f"{unescape(inv.datastores[ds].get('summary.name'))} ({', '.join(sorted(disks & luns))})"
            )
    if backed:
        raise InvalidArgument(
            f"the LUNs of iSCSI target '{request.name}' on host '{host}' back mounted datastore(s) "
            f"{'; '.join(backed)}; not removed (force does not override this)"
        )


def _same_parent(parent: str | None, request: PoolRequest) -> bool:
    """Whether a discovered target's parent ("<address>:<port>") is the requested send target."""
    address, _colon, port = (parent or "").rpartition(":")
    return port.isdigit() and _portal(address, port) == _portal(request.address, request.port)


def target_luns(props: dict, adapter: dict, iqns: set) -> set:
    """Canonical names of the LUNs the adapter reaches through targets with these IQNs (in any
    case)."""
    iqns = {iscsi_key(i) for i in iqns}
    keys = {
        lun.get("key"): lun.get("canonicalName")
        for lun in props.get("config.storageDevice.scsiLun") or []
    }
    topology = props.get("config.storageDevice.scsiTopology") or {}
    out = set()
    for iface in topology.get("adapter") or []:
        if iface.get("adapter") != adapter.get("key"):
            continue
        for target in iface.get("target") or []:
            if iscsi_key((target.get("transport") or {}).get("iScsiName")) in iqns:
                out |= {keys.get(lun.get("scsiLun")) for lun in target.get("lun") or []}
    return out - {None}


def discovered(client, request: PoolRequest) -> list[dict]:
    """The iSCSI pools a send target found (static targets whose parent is its address)."""
    iqns = set()
    for _ref, props in read(client, None).hosts.values():
        for adapter in adapters(props):
            iqns |= {iscsi_key(t.get("iScsiName")) for t in adapter.get("configuredStaticTarget") or []
                     if _same_parent(t.get("parent"), request)}  # fmt: skip
    return [p.facts for p in Storage(client, datacenter=request.datacenter).pools(types=["iscsi"])
            if iscsi_key(p.name) in iqns]  # fmt: skip
