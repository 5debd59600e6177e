"""Guest customization: the CustomizationSpec of esx_vm's `customization` option or of a spec
saved in vCenter, what a diff may show of it (never a secret), and the wait for its end.

The spec is built in WSDL order (vim.vm.customization.Specification): options, identity,
globalIPSettings, nicSettingMap. The wait reads customization events through an
EventHistoryCollector filtered on the VM, watched with wait_until on its `latestPage`.
"""

from __future__ import annotations

import ipaddress
import re

from ..vi.collector import call_quietly, get_one
from ..vi.envelope import MoRef
from ..vi.faults import InvalidArgument, NotFound, ViError, WaitTimeout, fault
from ..vi.wait import wait_until

SECRETS = ("password", "product_key", "domain_admin_password")
# CustomizationFailed and its subtypes (vim.event): the guest reported the customization failed.
FAILED = ("CustomizationFailed", "CustomizationLinuxIdentityFailed",
          "CustomizationNetworkSetupFailed", "CustomizationSysprepFailed",
          "CustomizationUnknownFailure")  # fmt: skip
EVENTS = ("CustomizationStartedEvent", "CustomizationSucceeded", *FAILED)
_HOSTNAME = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


class CustomizationFailed(ViError):
    """The guest reported that customization failed; the message is the server's event."""


def is_windows(custom: dict, guest_id: str | None) -> bool:
    """Windows (Sysprep) when `windows` is given or the guest is Windows; else Linux."""
    if custom.get("windows") and custom.get("linux"):
        raise InvalidArgument("customization: set linux or windows, not both")
    if custom.get("windows"):
        return True
    return not custom.get("linux") and (guest_id or "").lower().startswith("win")


def inline_spec(custom: dict, nics: list, guest_id: str | None) -> dict:
    """The CustomizationSpec of the customization option; `nics` holds, for each NIC the VM
    will have, its networks[] entry (None for a NIC the list leaves out: DHCP)."""
    windows = is_windows(custom, guest_id)
    hostname = custom.get("hostname")
    if hostname is not None and not _HOSTNAME.match(hostname):
        raise InvalidArgument(
            "customization.hostname must be 1-63 letters, digits or hyphens (not first or "
            f"last), got '{hostname}'"
        )
    name = ({"_type": "CustomizationFixedName", "name": hostname} if hostname
            else {"_type": "CustomizationVirtualMachineName"})  # fmt: skip
    dns = list(custom.get("dns_servers") or [])
    identity = _sysprep(custom, name) if windows else _linux_prep(custom, name)
    options = ({"_type": "CustomizationWinOptions", "changeSID": True, "deleteAccounts": False}
               if windows else {"_type": "CustomizationLinuxOptions"})  # fmt: skip
    return {
        "_type": "CustomizationSpec",
        "options": options,
        "identity": identity,
        "globalIPSettings": {
            "_type": "CustomizationGlobalIPSettings",
            "dnsSuffixList": list(custom.get("dns_suffix") or []) or None,
            "dnsServerList": dns or None,
        },
        "nicSettingMap": [_adapter(i, nic, dns if windows else None, custom.get("domain"))
                          for i, nic in enumerate(nics)],
    }  # fmt: skip


def _linux_prep(custom: dict, name: dict) -> dict:
    linux = custom.get("linux") or {}
    return {
        "_type": "CustomizationLinuxPrep",
        "hostName": name,
        "domain": custom.get("domain") or "",
        "timeZone": custom.get("timezone"),
        "hwClockUTC": linux.get("hw_clock_utc"),
        "scriptText": linux.get("script_text"),
    }


def _sysprep(custom: dict, name: dict) -> dict:
    win = custom.get("windows") or {}
    zone = custom.get("timezone")
    if zone is not None and not str(zone).isdigit():
        raise InvalidArgument(
            "customization.timezone: Windows takes a time zone index (for example 85 for "
            f"GMT), got '{zone}'"
        )
    domain, workgroup = win.get("join_domain"), win.get("workgroup")
    if domain and workgroup:
        raise InvalidArgument("customization.windows: set join_domain or workgroup, not both")
    if domain and not (win.get("domain_admin") and win.get("domain_admin_password")):
        raise InvalidArgument(
            f"customization.windows.join_domain '{domain}' needs domain_admin and "
            "domain_admin_password"
        )
    identification = {"_type": "CustomizationIdentification"}
    if domain:
        identification.update(joinDomain=domain, domainAdmin=win["domain_admin"],
                              domainAdminPassword=_password(win["domain_admin_password"]))  # fmt: skip
    else:
        identification["joinWorkgroup"] = workgroup or "WORKGROUP"
    run_once = win.get("run_once")
    return {
        "_type": "CustomizationSysprep",
        "guiUnattended": {
            "_type": "CustomizationGuiUnattended",
            "password": _password(win["password"]) if win.get("password") else None,
            "timeZone": int(zone) if zone is not None else 85,
            "autoLogon": bool(win.get("auto_logon")),
            "autoLogonCount": win.get("auto_logon_count") or 1,
        },
        "userData": {
            "_type": "CustomizationUserData",
            "fullName": win.get("full_name") or "Administrator",
            "orgName": win.get("org") or "Organization",
            "computerName": name,
            "productId": win.get("product_key") or "",
        },
        "guiRunOnce": {"_type": "CustomizationGuiRunOnce", "commandList": list(run_once)}
        if run_once
        else None,
        "identification": identification,
    }


def _password(value: str) -> dict:
    return {"_type": "CustomizationPassword", "value": value, "plainText": True}


def _adapter(i: int, nic: dict | None, dns: list | None, domain: str | None) -> dict:
    """One CustomizationAdapterMapping: a fixed address from networks[i], else DHCP."""
    nic = nic or {}
    ip, netmask, gateway = nic.get("ip"), nic.get("netmask"), nic.get("gateway")
    option = f"networks[{i}]"
    if ip is None:
        if netmask or gateway:
            raise InvalidArgument(f"{option}: netmask and gateway need ip (else the NIC uses DHCP)")
        settings = {"_type": "CustomizationIPSettings",
                    "ip": {"_type": "CustomizationDhcpIpGenerator"}}  # fmt: skip
    else:
        _check_ip(f"{option}.ip", ip)
        if not netmask:
            raise InvalidArgument(f"{option}.netmask is required with {option}.ip ({ip})")
        _check_ip(f"{option}.netmask", netmask)
        if gateway:
            _check_ip(f"{option}.gateway", gateway)
        settings = {
            "_type": "CustomizationIPSettings",
            "ip": {"_type": "CustomizationFixedIp", "ipAddress": ip},
            "subnetMask": netmask,
            "gateway": [gateway] if gateway else None,
        }
    if dns:
        settings["dnsServerList"] = dns
    if dns is not None and domain:
        settings["dnsDomain"] = domain
    return {"_type": "CustomizationAdapterMapping", "adapter": settings}


def _check_ip(option: str, value: str) -> None:
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        raise InvalidArgument(f"{option} must be an IPv4 address, got '{value}'") from None


def check_named(custom: dict | None, named: str | None) -> None:
    """Beside customization_spec, customization may only say existing_vm."""
    if named and custom and any(v for k, v in custom.items() if k != "existing_vm"):
        raise InvalidArgument(
            f"customization_spec '{named}' is the whole customization; beside it, "
            "customization may only set existing_vm"
        )


def named_spec(client, name: str) -> dict:
    """The spec saved in vCenter under `name` (CustomizationSpecManager.GetCustomizationSpec)."""
    manager = client.content.get("customizationSpecManager")
    if manager is None:
        raise InvalidArgument(
            f"customization_spec '{name}': this server keeps no customization specifications "
            "(they live in vCenter)"
        )
    try:
        item = client.call(manager, "GetCustomizationSpec", name=name)
    except fault("NotFound"):
        raise NotFound(
            f"customization_spec: customization specification '{name}' not found"
        ) from None
    return item["spec"]


def shown(custom: dict | None, networks: list | None) -> dict | None:
    """What a diff shows of an inline customization: everything but the secrets."""
    if custom is None:
        return None
    out = {k: v for k, v in custom.items() if v is not None and k not in ("windows", "linux")}
    for kind in ("linux", "windows"):
        if custom.get(kind):
            out[kind] = {
                k: v for k, v in custom[kind].items() if v is not None and k not in SECRETS
            }
    addresses = [{k: n.get(k) for k in ("ip", "netmask", "gateway")} for n in networks or []]
    if any(a["ip"] for a in addresses):
        out["networks"] = addresses
    return out


# ---------------------------------------------------------------- the wait


def wait_customized(client, vm: MoRef, name: str, deadline: float, after: int = 0) -> dict:
    """Wait until the VM's customization (its events newer than key `after`) succeeded; the
    CustomizationSucceeded event. A CustomizationFailed raises CustomizationFailed with the
    event's message; running out of time raises WaitTimeout with the last event seen."""
    collector = _collector(client, vm)
    what = (
        f"the customization of VM '{name}' to end (CustomizationSucceeded or CustomizationFailed)"
    )
    try:
        props = wait_until(
            client, collector, ["latestPage"], lambda p: _ended(p, after) is not None,
            deadline, what=what,
        )  # fmt: skip
    except WaitTimeout as e:
        last = latest(e.last_seen, after)
        seen = "no customization event"
        if last:
            seen = f"{last['_type']}: {last.get('fullFormattedMessage') or ''}"
        message = f"gave up waiting for {what} after {e.timeout:g}s; last seen: {seen}"
        raise WaitTimeout(what, seen, e.timeout, message) from None
    finally:
        call_quietly(client, collector, "DestroyCollector")
    event = _ended(props, after)
    if event["_type"] in FAILED:
        raise CustomizationFailed(
            f"customization of VM '{name}' failed: {event.get('fullFormattedMessage') or event['_type']}"
            "; the VM is left as it is"
        )
    return event


def events(props, after: int = 0) -> list[dict]:
    """The customization events of a latestPage newer than key `after`, newest first."""
    page = (props or {}).get("latestPage") or []
    page = page if isinstance(page, list) else [page]
    found = [e for e in page if isinstance(e, dict) and int(e.get("key") or 0) > after]
    return sorted(found, key=lambda e: int(e.get("key") or 0), reverse=True)


def latest(props, after: int = 0) -> dict | None:
    found = events(props, after)
    return found[0] if found else None


def _ended(props, after: int) -> dict | None:
    last = latest(props, after)
    return last if last and last["_type"] != "CustomizationStartedEvent" else None


def newest_key(client, vm: MoRef) -> int:
    """The key of the VM's newest customization event (0: none), read once through a
    collector's latestPage: a customization started later has newer events."""
    collector = _collector(client, vm)
    try:
        page = get_one(client, collector, ["latestPage"])
    finally:
        call_quietly(client, collector, "DestroyCollector")
    return max((int(e.get("key") or 0) for e in events(page)), default=0)


def _collector(client, vm: MoRef) -> MoRef:
    """An EventHistoryCollector of the VM's customization events (the caller destroys it)."""
    spec = {
        "_type": "EventFilterSpec",
        "entity": {"_type": "EventFilterSpecByEntity", "entity": vm, "recursion": "self"},
        "eventTypeId": list(EVENTS),
    }
    return client.call(client.content["eventManager"], "CreateCollectorForEvents", filter=spec)
