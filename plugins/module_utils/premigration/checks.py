"""The built-in pre-migration checks: one pure function each over a snapshot, one table.

A check reads the snapshot (see snapshot.py) and returns a Finding: passed, a problem, a
notice, or not applicable with the reason. The runner grades it with the check's severity.
Adding a check is one function here and one line in REGISTRY; its name is part of the API.
"""

from __future__ import annotations

from ..vm.snapshot_tree import depth
from .check import Check, Finding, Severity, not_applicable, notice, passed, problem
from .compat import (
    HARDWARE_VERSIONS,
    evc_issue,
    max_hardware_version,
    parse_version,
    unmet_features,
)
from .snapshot import moves, storage_datastores, target_host

SNAPSHOT_CHAIN = 8  # snapshots in a row beyond which a storage move is flagged, by default


# ---------------------------------------------------------------- helpers


def _vm(s: dict) -> str:
    return f"VM '{s['vm']['name']}'"


def _host_move(
    s: dict, powered_on_only: bool = False, resumes: bool = False
) -> tuple[dict | None, Finding | None]:
    """The destination host when the VM leaves its host, else why the check does not apply."""
    skip = _leaves_host(s, powered_on_only, resumes)
    if skip:
        return None, skip
    host = target_host(s)
    if host is None:
        cluster = s["destination"]["compute"]["name"]
        return None, not_applicable(f"no destination host given: DRS in '{cluster}' picks one")
    return host, None


def _leaves_host(s: dict, powered_on_only: bool = False, resumes: bool = False) -> Finding | None:
    """Why a check of the VM and its current host does not apply; None when the VM leaves
    its host, also when DRS picks the new one. `resumes`: a suspended VM counts as running
    (it resumes its instructions on the new host)."""
    if not moves(s)["host"]:
        return not_applicable(f"{_vm(s)} stays on its host")
    power = s["vm"]["power_state"]
    if resumes and power == "suspended":
        return None
    if (powered_on_only or resumes) and power != "powered_on":
        return not_applicable(f"{_vm(s)} is not powered on: a cold migration")
    return None


def _names(s: dict, moids) -> list[str]:
    return [(s["datastores"].get(m) or {}).get("name") or m for m in moids]


# ---------------------------------------------------------------- the checks


def vm_state(s: dict) -> Finding:
    """The VM is connected, not a template, runs no task and waits for no answer."""
    vm, issues = s["vm"], []
    if vm["connection_state"] != "connected":
        issues.append(f"its connection state is {vm['connection_state'] or 'unknown'}")
    if vm["template"]:
        issues.append("it is a template")
    if vm["running_tasks"]:
        issues.append(f"a task is running on it ({', '.join(vm['running_tasks'])})")
    if vm["question"]:
        issues.append(f"it waits for an answer to a question: {vm['question']}")
    if issues:
        return problem(f"{_vm(s)} cannot be migrated now: {'; '.join(issues)}", issues=issues)
    return passed(f"{_vm(s)} is connected and idle")


def destination_host_state(s: dict) -> Finding:
    """The destination host is connected, powered on, not in maintenance or quarantine."""
    host, skip = _host_move(s)
    if skip:
        return skip
    issues = []
    if host["connection_state"] != "connected":
        issues.append(f"it is {host['connection_state'] or 'not connected'}")
    if host["power_state"] not in (None, "powered_on"):
        issues.append(f"its power state is {host['power_state']}")
    if host["maintenance_mode"]:
        issues.append("it is in maintenance mode")
    if host["quarantine_mode"]:
        issues.append("it is in quarantine mode")
    if issues:
        return problem(f"host '{host['name']}' cannot take VMs: {'; '.join(issues)}", issues=issues)
    return passed(f"host '{host['name']}' is connected and not in maintenance mode")


def same_placement(s: dict) -> Finding:
    """Whether anything moves at all (already there: nothing to do)."""
    changes = [k for k, v in moves(s).items() if v]
    if not changes:
        return passed(f"{_vm(s)} is already where it was asked to be; nothing to do", changes=[])
    return passed(f"{_vm(s)} moves: {', '.join(changes)}", changes=changes)


def vmotion_enabled(s: dict) -> Finding:
    """vMotion is enabled on the source and destination hosts of a powered-on VM (the source
    alone when DRS picks the destination)."""
    skip = _leaves_host(s, powered_on_only=True)
    if skip:
        return skip
    source, host = s["source"]["host"], target_host(s)
    off = [h["name"] for h in (source, host) if h and not h["vmotion_enabled"]]
    if off:
        return problem(
            f"vMotion is not enabled on host {', '.join(repr(n) for n in off)}", hosts=off
        )
    if host is None:
        cluster = s["destination"]["compute"]["name"]
        where = f"host '{source['name']}'" if source else "the source host"
        return passed(f"vMotion is enabled on {where}; DRS in '{cluster}' picks the destination")
    return passed("vMotion is enabled on both hosts")


def cpu_compatibility(s: dict) -> Finding:
    """Same CPU vendor; the VM's EVC baseline and CPU feature needs met by the destination,
    for a running or suspended VM: vCenter checks both ("migration of running or suspended
    virtual machines"), as either goes on executing its instructions on the new host."""
    host, skip = _host_move(s, resumes=True)
    if skip:
        return skip
    source, vm, issues = s["source"]["host"] or {}, s["vm"], []
    vendors = (source.get("cpu_vendor"), host["cpu_vendor"])
    if all(vendors) and vendors[0].lower() != vendors[1].lower():
        issues.append(f"the CPU vendor differs ({vendors[0]} on the source, {vendors[1]} there)")
    evc = evc_issue(vm["min_evc"], host["evc_mode"] or host["max_evc"])
    if evc:
        issues.append(evc)
    unmet = unmet_features(vm["feature_requirements"], host["features"]) if host["features"] else []
    if unmet:
        issues.append(f"the host lacks CPU features the VM uses: {', '.join(unmet[:10])}")
    details = {"source_vendor": vendors[0], "destination_vendor": vendors[1], "unmet": unmet}
    if issues:
        return problem(f"host '{host['name']}': {'; '.join(issues)}", **details)
    return passed(f"host '{host['name']}' runs the VM's CPU features", **details)


def hardware_version(s: dict) -> Finding:
    """The destination's ESXi version runs the VM's virtual hardware version."""
    host, skip = _host_move(s)
    if skip:
        return skip
    wanted = parse_version(s["vm"]["hardware_version"])
    limit = max_hardware_version(host["version"], host["build"])
    details = {"vm": s["vm"]["hardware_version"], "host_version": host["version"], "max": limit}
    if wanted is None or limit is None:
        return not_applicable("the hardware or ESXi version is unknown", **details)
    newer = (parse_version(host["version"]) or ())[:2] > HARDWARE_VERSIONS[-1][0][:2]
    if newer and wanted[0] > limit:
        return not_applicable(f"ESXi {host['version']} is newer than this check knows", **details)
    if wanted[0] > limit:
        return problem(
            f"host '{host['name']}' (ESXi {host['version']}) runs up to vmx-{limit}; "
            f"{_vm(s)} is {s['vm']['hardware_version']}",
            **details,
        )
    return passed(f"ESXi {host['version']} runs {s['vm']['hardware_version']}", **details)


def product_version(s: dict) -> Finding:
    """The source and destination hosts run the same ESXi version."""
    host, skip = _host_move(s)
    if skip:
        return skip
    source = s["source"]["host"] or {}
    details = {"source": source.get("version"), "destination": host["version"]}
    if source.get("version") and host["version"] and source["version"] != host["version"]:
        return problem(
            f"ESXi versions differ: {source['version']} on '{source['name']}', "
            f"{host['version']} on '{host['name']}'",
            **details,
        )
    return passed(f"both hosts run ESXi {host['version'] or 'of an unknown version'}", **details)


def _reachable(s: dict, host: dict, moid: str) -> bool:
    ds = s["datastores"].get(moid) or {}
    mount = (ds.get("mounts") or {}).get(host["moid"], {"mounted": True, "accessible": True})
    return (
        moid in host["datastores"] and ds.get("accessible", True)
        and mount["mounted"] and mount["accessible"]
    )  # fmt: skip


def shared_storage(s: dict) -> Finding:
    """Every datastore the VM will use is mounted and accessible on the host it runs on."""
    m, vm = moves(s), s["vm"]
    if not (m["host"] or m["storage"]):
        return not_applicable(f"{_vm(s)} stays on its host and its datastores")
    host = target_host(s)
    if host is None:
        return not_applicable("no destination host given: DRS picks one")
    needed = set(vm["datastores"])
    if m["storage"]:
        needed = (needed - storage_datastores(vm)) | {s["destination"]["datastore"]}
    missing = _names(s, sorted(d for d in needed if not _reachable(s, host, d)))
    if missing:
        return problem(
            f"host '{host['name']}' cannot reach datastore {', '.join(repr(n) for n in missing)}",
            datastores=missing,
        )
    return passed(f"host '{host['name']}' reaches {', '.join(_names(s, sorted(needed)))}")


def networks(s: dict) -> Finding:
    """Every NIC's network exists on the destination host. As the server grades it
    (CannotAccessNetwork): missing, a distributed portgroup or the standard network of a
    connected NIC is an error; the standard network of a NIC not connected, a warning."""
    host, skip = _host_move(s)
    if skip:
        return skip
    missing, idle, unchecked = [], [], []
    for nic in s["vm"]["nics"]:
        if nic["opaque"]:
            unchecked.append(nic["label"])
        elif nic["network"] is None or nic["network"] not in host["networks"]:
            blocks = nic["distributed"] or nic["connected"]
            (missing if blocks else idle).append(f"{nic['label']} on '{nic['network_name']}'")
    details = {"missing": missing + idle, "unchecked": unchecked}
    if missing:
        return problem(
            f"host '{host['name']}' lacks the network of {', '.join(missing + idle)}", **details
        )
    if idle:
        return notice(
            f"host '{host['name']}' lacks the network of {', '.join(idle)} (not connected)",
            **details,
        )
    return passed(f"host '{host['name']}' has every NIC's network", unchecked=unchecked)


def host_devices(s: dict) -> Finding:
    """No connected CD-ROM, floppy, serial or parallel port is backed by a device of the host,
    nor (vMotion of a running VM) by a device of the client computer."""
    skip = _leaves_host(s)
    if skip:
        return skip
    running = s["vm"]["power_state"] == "powered_on"
    found = [
        f"{d['label']} ({d['kind']} on {d['device'] or 'a host device'})"
        if d["host_backed"]
        else f"{d['label']} ({d['kind']} on the client computer)"
        for d in s["vm"]["devices"]
        if d["connected"] and (d["host_backed"] or (running and d.get("client_backed")))
    ]
    if found:
        return problem(
            f"{_vm(s)} has host devices connected: {', '.join(found)}; disconnect them first",
            devices=found,
        )
    return passed(f"{_vm(s)} has no host device connected")


def passthrough(s: dict) -> Finding:
    """When hosts change: no PCI passthrough / SR-IOV device and no SCSI controller sharing its
    bus on a running VM (SharedBusControllerNotSupported: "an error when migrating a powered-on
    virtual machine"); a physical-mode RDM is a notice, since its LUN must be presented to the
    new host, which the server's own checks see and this one cannot."""
    skip = _leaves_host(s)
    if skip:
        return skip
    vm = s["vm"]
    running = vm["power_state"] == "powered_on"
    found = [*vm["passthrough"], *vm["shared_buses"]] if running else []
    if found:
        return problem(f"{_vm(s)} is tied to its host: {', '.join(found)}", devices=found)
    rdms = [f"{d['label']} (physical-mode RDM)" for d in vm["disks"] if d["rdm"] == "physical"]
    if rdms:
        return notice(
            f"{_vm(s)} has {', '.join(rdms)}: the LUN must be presented to the new host too",
            devices=rdms,
        )
    return passed(f"{_vm(s)} uses no passthrough device and no shared SCSI bus")


# Disk modes Storage vMotion moves ("Virtual machine disks must be in persistent mode or be raw
# device mappings", vSphere "Storage vMotion Requirements and Limitations").
_PERSISTENT = ("persistent", "independent_persistent")


def independent_disks(s: dict) -> Finding:
    """Independent disks (not in snapshots; nonpersistent ones lose changes) are flagged; a
    disk not in persistent mode blocks the storage move of a running VM (Storage vMotion)."""
    if not any(moves(s).values()):
        return not_applicable("nothing moves")
    disks = s["vm"]["disks"]
    live = moves(s)["storage"] and s["vm"]["power_state"] == "powered_on"
    refused = [
        f"{d['label']} ({d['mode']})"
        for d in disks
        if live and d["mode"] and d["mode"] not in _PERSISTENT and not d["rdm"]
    ]
    if refused:
        return problem(
            f"{_vm(s)} is running and Storage vMotion moves only disks in persistent mode: "
            f"{', '.join(refused)}; power it off or change the disk mode",
            disks=refused,
        )
    found = [
        f"{d['label']} ({d['mode']})" for d in disks if (d["mode"] or "").startswith("independent")
    ]
    if found:
        return notice(f"{_vm(s)} has independent disks: {', '.join(found)}", disks=found)
    return passed(f"{_vm(s)} has no independent disk")


def snapshots(s: dict) -> Finding:
    """A storage move of a VM with a deep snapshot chain (every delta disk is copied) is flagged;
    the limit is checks.snapshot_depth (the runner puts it in the snapshot's `limits`)."""
    if not moves(s)["storage"]:
        return not_applicable(f"{_vm(s)} stays on its datastores")
    limit = s.get("limits", {}).get("snapshot_depth", SNAPSHOT_CHAIN)
    chain = depth(s["vm"]["snapshots"])
    details = {"depth": chain, "limit": limit, "count": s["vm"]["snapshot_count"]}
    if chain > limit:
        return problem(
            f"{_vm(s)} has a snapshot chain {chain} deep (more than {limit}): "
            "remove or consolidate snapshots before the storage move", **details,
        )  # fmt: skip
    return passed(f"{_vm(s)} has a snapshot chain {chain} deep (at most {limit})", **details)


def destination_memory(s: dict) -> Finding:
    """The destination host has free memory for a running VM."""
    host, skip = _host_move(s, powered_on_only=True)
    if skip:
        return skip
    need, total, used = s["vm"]["memory_mb"], host["memory_mb"], host["memory_used_mb"]
    if need is None or total is None or used is None:
        return not_applicable(f"the memory of host '{host['name']}' or the VM is unknown")
    free = total - used
    details = {"vm_mb": need, "free_mb": free}
    if need > free:
        return problem(
            f"host '{host['name']}' has {free} MiB free, {_vm(s)} uses {need} MiB", **details
        )
    return passed(f"host '{host['name']}' has {free} MiB free for {need} MiB", **details)


def datastore_space(s: dict) -> Finding:
    """The destination datastore is usable and has room for what a storage move copies."""
    if not moves(s)["storage"]:
        return not_applicable(f"{_vm(s)} stays on its datastores")
    ds = s["datastores"].get(s["destination"]["datastore"]) or {}
    vm, name = s["vm"], ds.get("name") or s["destination"]["datastore"]
    target = s["destination"]["datastore"]
    # What the VM already keeps on the target is not copied: count the other datastores' share.
    usage = vm.get("committed_by_datastore") or {}
    committed = sum(n or 0 for d, n in usage.items() if d != target) if usage else None
    need = (vm["committed_bytes"] if committed is None else committed) or sum(
        d["capacity_bytes"] or 0 for d in vm["disks"] if d["datastore"] != target
    )
    details = {"needed_bytes": need, "free_bytes": ds.get("free_bytes")}
    if not ds.get("accessible", True) or ds.get("maintenance_mode", "normal") != "normal":
        return problem(f"datastore '{name}' is not accessible or in maintenance", **details)
    if ds.get("free_bytes") is not None and need > ds["free_bytes"]:
        return problem(
            f"datastore '{name}' has {ds['free_bytes']} bytes free, {need} needed", **details
        )
    return passed(f"datastore '{name}' has room for {need} bytes", **details)


def server_checks(s: dict) -> Finding:
    """vCenter's own CheckMigrate/CheckRelocate/QueryVMotionCompatibilityEx on the same spec."""
    server = s.get("server")
    if server is None:
        return not_applicable("nothing to move: the server was not asked")
    if not server["available"]:
        return not_applicable(server["reason"], calls=server.get("calls", []))
    details = {"errors": server["errors"], "warnings": server["warnings"], "calls": server["calls"]}
    if server["errors"]:
        return problem(f"the server refuses: {'; '.join(server['errors'])}", **details)
    if server["warnings"]:
        return notice(f"the server warns: {'; '.join(server['warnings'])}", **details)
    return passed("the server's own checks found nothing", **details)


CRITICAL, WARNING, INFO = Severity.CRITICAL, Severity.WARNING, Severity.INFO
# The registry: name (API), default severity, one-line description, function. Order = report order.
REGISTRY = (
    Check("vm_state", CRITICAL, "VM connected, idle, not a template, no question", vm_state),
    Check("destination_host_state", CRITICAL, "host connected, not in maintenance", destination_host_state),
    Check("same_placement", INFO, "already there: nothing to do", same_placement),
    Check("vmotion_enabled", CRITICAL, "vMotion on both hosts (powered-on VM)", vmotion_enabled),
    Check("cpu_compatibility", CRITICAL, "CPU vendor, EVC mode, CPU features", cpu_compatibility),
    Check("hardware_version", CRITICAL, "destination ESXi runs the VM's vmx-N", hardware_version),
    Check("product_version", WARNING, "source and destination ESXi versions differ", product_version),
    Check("shared_storage", CRITICAL, "datastores reachable from the destination", shared_storage),
    Check("networks", CRITICAL, "every NIC's network on the destination", networks),
    Check("host_devices", CRITICAL, "no connected host-backed CD-ROM/floppy/serial/parallel", host_devices),
    Check("passthrough", CRITICAL, "no PCI passthrough / SR-IOV / SCSI bus sharing", passthrough),
    Check("independent_disks", CRITICAL, "independent disks; live storage move: persistent only", independent_disks),
    Check("snapshots", WARNING, "snapshot chain at most checks.snapshot_depth deep (storage move)", snapshots),
    Check("destination_memory", WARNING, "free memory on the destination host", destination_memory),
    Check("datastore_space", CRITICAL, "free space for a storage move", datastore_space),
    Check("server_checks", CRITICAL, "vCenter's own migration checks", server_checks),
)  # fmt: skip
NAMES = tuple(c.name for c in REGISTRY)
