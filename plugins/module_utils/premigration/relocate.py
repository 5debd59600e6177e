"""A checked migration: resolve the destination, check, build the RelocateSpec, run, verify."""

from __future__ import annotations

from dataclasses import dataclass

from ..vi.collector import get_one
from ..vi.envelope import MoRef
from ..vi.faults import Fault, InvalidArgument, TaskFailed, TaskTimeout, is_not_offered
from ..vi.find import find_by_name
from ..vi.tasks import wait_for_task
from . import runner, snapshot
from .snapshot import moves, storage_datastores, target_host, target_pool

PRIORITIES = {"default": "defaultPriority", "high": "highPriority", "low": "lowPriority"}
DESTINATION = {
    "host": "HostSystem", "cluster": "ClusterComputeResource",
    "resource_pool": "ResourcePool", "datastore": "Datastore",
}  # fmt: skip


def resolve_destination(client, params: dict, datacenter: MoRef | None = None) -> dict:
    """The destination options as MoRefs: {host, cluster, pool, datastore} (None when unset)."""
    if not any(params.get(k) for k in DESTINATION):
        raise InvalidArgument("one of host, cluster, resource_pool or datastore is required")
    where = f"datacenter '{params['datacenter']}'" if params.get("datacenter") else ""
    found = {}
    for option in ("host", "cluster", "datastore"):
        name = params.get(option)
        found[option] = (
            find_by_name(client, DESTINATION[option], name, datacenter, where) if name else None
        )
    found["pool"] = _find_pool(client, params, found, datacenter, where)
    return found


def _find_pool(client, params: dict, found: dict, datacenter: MoRef | None, where: str):
    """The resource pool by name, looked for in the cluster or host given with it."""
    name = params.get("resource_pool")
    if not name:
        return None
    root = found["cluster"]
    if root is not None:
        where = f"cluster '{params['cluster']}'"
    elif found["host"] is not None:
        root, where = (
            get_one(client, found["host"], ["parent"]).get("parent"),
            f"host '{params['host']}'",
        )
    return find_by_name(client, "ResourcePool", name, root or datacenter, where)


def build_spec(s: dict) -> dict | None:
    """The VirtualMachineRelocateSpec for what changes; None when nothing does."""
    m = moves(s)
    if not any(m.values()):
        return None
    dest = s["destination"]
    spec = {"_type": "VirtualMachineRelocateSpec"}
    if m["storage"]:
        spec["datastore"] = MoRef("Datastore", dest["datastore"])
    pool = target_pool(s)
    if pool and (m["pool"] or m["compute"]):
        spec["pool"] = MoRef((s["pools"].get(pool) or {}).get("type") or "ResourcePool", pool)
    if dest["host"] and m["host"]:
        spec["host"] = MoRef("HostSystem", dest["host"]["moid"])
    return spec


# ---------------------------------------------------------------- the server's own checks


def _server_calls(vm: MoRef, spec: dict, s: dict) -> list[tuple[str, dict]]:
    """Which provisioning-checker calls apply to this move, with their arguments."""
    m, host = moves(s), target_host(s)
    host_ref = MoRef("HostSystem", host["moid"]) if host else None
    calls = []
    if m["host"] or m["compute"] or m["pool"]:
        calls.append(("CheckMigrate_Task", {"vm": vm, "host": host_ref, "pool": spec.get("pool")}))
    calls.append(("CheckRelocate_Task", {"vm": vm, "spec": spec}))
    if m["host"] and host_ref is not None:
        calls.append(("QueryVMotionCompatibilityEx_Task", {"vm": [vm], "host": [host_ref]}))
    return calls


def _not_offered(fault: Fault, checker: MoRef) -> bool:
    if is_not_offered(fault):
        return True
    return fault.name == "ManagedObjectNotFound" and fault.detail.get("obj") == checker


def _messages(results, kind: str, hosts: dict) -> list[str]:
    """The localized messages of the CheckResult list's `error` or `warning` faults."""
    out = []
    for result in results or []:
        host = hosts.get(getattr(result.get("host"), "value", None))
        for fault in result.get(kind) or []:
            text = fault.get("localizedMessage") or (fault.get("fault") or {}).get("_type") or "?"
            out.append(f"{host}: {text}" if host else text)
    return out


def ask_server(client, vm: MoRef, spec: dict, s: dict, timeout: float) -> dict:
    """Run vCenter's checks on `spec`; where the server lacks them, say so (never an error)."""
    checker = (client.content or {}).get("vmProvisioningChecker")
    if checker is None:
        reason = "the server has no VirtualMachineProvisioningChecker (ESXi): vCenter only"
        return {"available": False, "reason": reason, "calls": []}
    hosts = {h["moid"]: h["name"] for h in (s["source"]["host"], target_host(s)) if h}
    errors, warnings, calls = [], [], []
    for method, args in _server_calls(vm, spec, s):
        try:
            results = wait_for_task(client, client.call(checker, method, **args), timeout)
        except Fault as e:
            offered = not _not_offered(e, checker)
            calls.append(
                {
                    "method": method,
                    "status": "failed" if offered else "not offered",
                    "message": str(e),
                }
            )
            if offered:
                errors.append(f"{method}: {e}")
            continue
        except TaskFailed as e:
            calls.append({"method": method, "status": "failed", "message": str(e.fault)})
            errors.append(f"{method}: {e.fault}")
            continue
        calls.append({"method": method, "status": "ran", "message": ""})
        errors += _messages(results, "error", hosts)
        warnings += _messages(results, "warning", hosts)
    if all(c["status"] == "not offered" for c in calls):
        reason = f"the server does not offer its migration checks ({calls[0]['message']})"
        return {"available": False, "reason": reason, "calls": calls}
    return {"available": True, "errors": errors, "warnings": warnings, "calls": calls}


# ---------------------------------------------------------------- plan, run, verify


@dataclass
class Outcome:
    """What a checked migration did or would do."""

    snapshot: dict
    report: runner.Report
    spec: dict | None
    changed: bool = False
    error: str | None = None
    moved: bool = False  # RelocateVM_Task succeeded: the module verifies the placement

    @property
    def blocked_by(self) -> tuple:
        """The checks that block a move; none when nothing would move anyway."""
        return self.report.blocked_by if self.spec is not None else ()


def plan(client, vm: MoRef, destination: dict, options: runner.Options, timeout: float) -> Outcome:
    """Gather the snapshot, build the spec, ask the server, run every check."""
    s = snapshot.gather(client, vm, destination)
    spec = build_spec(s)
    if spec is not None and options.runs("server_checks"):
        s["server"] = ask_server(client, vm, spec, s, timeout)
    return Outcome(s, runner.run(s, options), spec)


def migrate(client, vm, destination, options, check_mode=False, timeout=3600.0, priority="default"):
    """Check, then relocate unless nothing moves, something blocks, or it is check mode."""
    outcome = plan(client, vm, destination, options, timeout)
    if outcome.spec is None or outcome.blocked_by:
        return outcome
    outcome.changed = True
    if check_mode:
        return outcome
    try:
        task = client.call(vm, "RelocateVM_Task", spec=outcome.spec, priority=PRIORITIES[priority])
        wait_for_task(client, task, timeout)
    except TaskFailed as e:
        outcome.changed, outcome.error = False, f"the server refused the migration: {e.fault}"
        return outcome
    except TaskTimeout as e:
        # The move was accepted and may still complete: report it as a change under way.
        outcome.error = f"the migration did not finish in time ({e}); check the VM before retrying"
        return outcome
    outcome.moved = True
    return outcome


# Read after a move (with the VM facts): what verify() needs beyond the facts' own paths.
VERIFY_PATHS = ("config.files.vmPathName",)


def verify(props: dict, s: dict) -> list[str]:
    """From the VM's properties read after the move: what is not where it was asked to be."""
    host, pool = props.get("runtime.host"), props.get("resourcePool")
    dest, wrong = s["destination"], []
    if dest["host"] and getattr(host, "value", None) != dest["host"]["moid"]:
        wrong.append(f"the VM runs on {host} instead of host '{dest['host']['name']}'")
    elif dest["compute"] and getattr(host, "value", None) not in dest["compute"]["hosts"]:
        wrong.append(f"the VM runs on {host}, outside '{dest['compute']['name']}'")
    wanted_pool = target_pool(s)
    if wanted_pool and getattr(pool, "value", None) != wanted_pool:
        wrong.append(f"the VM is in pool {pool} instead of {wanted_pool}")
    if dest["datastore"]:
        wrong += _storage_mismatch(props, s)
    return wrong


def _storage_mismatch(props: dict, s: dict) -> list[str]:
    target = s["destination"]["datastore"]
    name = (s["datastores"].get(target) or {}).get("name") or target
    vmx = props.get("config.files.vmPathName") or ""
    wrong = [] if vmx.startswith(f"[{name}]") else [f"its configuration is at {vmx}"]
    for device in props.get("config.hardware.device") or []:
        ds = (
            ((device.get("backing") or {}).get("datastore"))
            if device.get("_type") == "VirtualDisk"
            else None
        )
        if ds is not None and ds.value != target:
            where = (s["datastores"].get(ds.value) or {}).get("name") or ds.value
            wrong.append(f"{(device.get('deviceInfo') or {}).get('label')} is on {where}")
    return wrong


# ---------------------------------------------------------------- what to tell the user


def source_placement(s: dict) -> dict:
    """Where the VM is: host, cluster, resource pool and datastore names."""
    src, vm = s["source"], s["vm"]
    compute = src["compute"] or {}
    return {
        "host": (src["host"] or {}).get("name"),
        "cluster": compute.get("name") if compute.get("type") == "cluster" else None,
        "resource_pool": (src["pool"] or {}).get("name"),
        "datastores": _ds_names(s, vm["datastores"]),
    }


def target_placement(s: dict) -> dict:
    """Where the VM is asked to be (host null when DRS chooses)."""
    m, vm = moves(s), s["vm"]
    host = target_host(s)
    compute = s["destination"]["compute"] if m["compute"] else s["source"]["compute"]
    pool = target_pool(s) if m["pool"] else vm["pool"]
    datastores = vm["datastores"]
    if m["storage"]:
        kept = [d for d in vm["datastores"] if d not in storage_datastores(vm)]
        datastores = [s["destination"]["datastore"], *kept]
    return {
        "host": host["name"] if host else None,
        "cluster": compute["name"] if compute and compute["type"] == "cluster" else None,
        "resource_pool": (s["pools"].get(pool) or {}).get("name"),
        "datastores": _ds_names(s, datastores),
    }


def _ds_names(s: dict, moids) -> list[str]:
    return [(s["datastores"].get(m) or {}).get("name") or m for m in moids]


def describe_target(s: dict) -> str:
    """'host 'B', datastore 'D'' for messages: what the user asked for."""
    dest, parts = s["destination"], []
    if dest["host"]:
        parts.append(f"host '{dest['host']['name']}'")
    elif dest["compute"]:
        parts.append(
            f"{dest['compute']['type'].replace('standalone', 'host')} '{dest['compute']['name']}'"
        )
    if dest["pool"]:
        parts.append(f"resource pool '{dest['pool']['name']}'")
    if dest["datastore"]:
        parts.append(f"datastore '{_ds_names(s, [dest['datastore']])[0]}'")
    return ", ".join(parts)


def _tally(report: runner.Report) -> str:
    counts: dict = {}
    for r in report.results:
        counts[r.status] = counts.get(r.status, 0) + 1
    return ", ".join(f"{n} {status}" for status, n in counts.items())


def message(outcome: Outcome, check_mode: bool = False) -> str:
    """A sentence a person can read: what moved, would move, or what blocked."""
    s, report = outcome.snapshot, outcome.report
    vm, where = f"VM '{s['vm']['name']}'", describe_target(s)
    if outcome.spec is None:
        return f"{vm} is already on {where}; nothing to do"
    if outcome.blocked_by:
        why = [f"{r.name} ({r.message})" for r in report.results if r.name in outcome.blocked_by]
        return f"{vm} cannot move to {where}: blocked by {'; '.join(why)}"
    if outcome.error:
        return f"{vm} was not moved to {where} as asked: {outcome.error}"
    verb = "would move" if check_mode else "moved"
    return f"{vm} {verb} to {where} (checks: {_tally(report)})"


def result(outcome: Outcome, facts: dict, check_mode: bool = False) -> dict:
    """The module's return values but msg (see message())."""
    s = outcome.snapshot
    moved = outcome.changed and not check_mode and not outcome.error
    placed = {k: facts.get(k) for k in ("host", "cluster", "resource_pool", "datastores")}
    return {
        "changed": outcome.changed,
        "checks": outcome.report.as_dicts(),
        "blocked_by": list(outcome.blocked_by),
        "source": source_placement(s),
        "destination": placed if moved else target_placement(s),
        "vm": facts,
    }
