"""The move: resolve the destination, build the RelocateSpec, ask the server, plan, apply, verify.

The pre-migration checks come from the check library in premigration/; a plan is the
snapshot, the checks' report and the one RelocateVM_Task call; apply() is the only step
check mode skips.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..premigration import runner, snapshot
from ..premigration.snapshot import moves, target_host, target_pool
from ..vi.collector import get_one
from ..vi.envelope import MoRef
from ..vi.faults import Fault, TaskFailed, TaskTimeout, is_not_offered
from ..vi.find import find_by_name, in_datacenter
from ..vi.tasks import wait_for_task
from ..vm import facts
from .request import Destination

PRIORITIES = {"default": "defaultPriority", "high": "highPriority", "low": "lowPriority"}
DESTINATION = {
    "host": "HostSystem", "cluster": "ClusterComputeResource",
    "resource_pool": "ResourcePool", "datastore": "Datastore",
}  # fmt: skip


def resolve_destination(
    client, want: Destination, datacenter: MoRef | None = None, datacenter_name: str | None = None
) -> dict:
    """The destination as MoRefs: {host, cluster, pool, datastore, candidates} (None: unset).

    `candidates` lists the hosts to choose from: those of `hosts`, or every host of a
    `cluster` given alone whose DRS is off (with DRS on, DRS picks); else None.
    """
    where = in_datacenter(datacenter_name)
    found = {}
    for option in ("host", "cluster", "datastore"):
        name = getattr(want, option)
        found[option] = (
            find_by_name(client, DESTINATION[option], name, datacenter, where, option)
            if name
            else None
        )
    found["pool"] = _find_pool(client, want, found, datacenter, where)
    found["candidates"] = candidate_hosts(client, want, found, datacenter, where)
    return found


def _find_pool(client, want: Destination, found: dict, datacenter: MoRef | None, where: str):
    """The resource pool by name, looked for in the cluster or host given with it."""
    name = want.resource_pool
    if not name:
        return None
    root = found["cluster"]
    if root is not None:
        where = f"cluster '{want.cluster}'"
    elif found["host"] is not None:
        root, where = (
            get_one(client, found["host"], ["parent"]).get("parent"),
            f"host '{want.host}'",
        )
    return find_by_name(client, "ResourcePool", name, root or datacenter, where, "resource_pool")


def candidate_hosts(
    client, want: Destination, found: dict, datacenter=None, where=""
) -> list | None:
    """The hosts the runner chooses from, or None when the destination names the host."""
    if want.hosts:
        return [
            find_by_name(client, "HostSystem", n, datacenter, where, "hosts") for n in want.hosts
        ]
    if found["cluster"] is None or found["host"] is not None:
        return None
    props = get_one(client, found["cluster"], ["configurationEx", "host"])
    drs = ((props.get("configurationEx") or {}).get("drsConfig") or {}).get("enabled")
    # The type table lacks ClusterConfigInfoEx, so the flag may come as its XML text.
    if drs is True or str(drs).lower() == "true":
        return None
    # Without DRS vCenter refuses a RelocateSpec naming a cluster's pool but no host.
    return list(props.get("host") or [])


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
    # "All virtual machines are assumed to be powered-on for the purposes of this operation"
    # (QueryVMotionCompatibilityEx_Task): a powered-off VM's cold move is not judged by it.
    if m["host"] and host_ref is not None and s["vm"]["power_state"] != "powered_off":
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
            offered = not _not_offered(e.fault, checker)
            status = "failed" if offered else "not offered"
            calls.append({"method": method, "status": status, "message": str(e.fault)})
            if offered:
                errors.append(f"{method}: {e.fault}")
            continue
        except TaskTimeout as e:  # unanswered, the check cannot pass; the other results stand
            calls.append({"method": method, "status": "timed out", "message": str(e)})
            errors.append(f"{method}: the task {e.task} did not finish in {timeout:g}s")
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
    """A plan: what a checked migration would do (the snapshot, the report, the one call)."""

    snapshot: dict
    report: runner.Report
    spec: dict | None
    changed: bool = False
    error: str | None = None
    moved: bool = False  # RelocateVM_Task succeeded: the runner verifies the placement
    choice: object = None  # choice.Choice when the host was chosen among candidates

    @property
    def blocked_by(self) -> tuple:
        """The checks that block a move; none when nothing would move anyway."""
        if self.choice is not None and self.choice.host is None:
            return self.choice.blocked_by
        return self.report.blocked_by if self.spec is not None else ()

    def call(self, priority: str = "default") -> tuple[str, dict]:
        """The call that makes the change: method and arguments."""
        return "RelocateVM_Task", {"spec": self.spec, "priority": PRIORITIES[priority]}


def judge(client, vm: MoRef, s: dict, options: runner.Options, timeout: float) -> Outcome:
    """For one snapshot: build the spec, ask the server, run every check."""
    spec = build_spec(s)
    if spec is not None and options.runs("server_checks"):
        s["server"] = ask_server(client, vm, spec, s, timeout)
    outcome = Outcome(s, runner.run(s, options), spec)
    outcome.changed = spec is not None and not outcome.blocked_by
    return outcome


def plan(client, vm: MoRef, destination: dict, options: runner.Options, timeout: float) -> Outcome:
    """Gather the snapshot and judge the move to `destination`."""
    return judge(client, vm, snapshot.gather(client, vm, destination), options, timeout)


def apply(client, vm: MoRef, outcome: Outcome, timeout: float, priority: str = "default"):
    """Make the planned change (the one step check mode skips); records how it went."""
    if not outcome.changed:
        return outcome
    method, args = outcome.call(priority)
    try:
        wait_for_task(client, client.call(vm, method, **args), timeout)
    except TaskFailed as e:
        outcome.changed, outcome.error = False, f"the server refused the migration: {e.fault}"
        return outcome
    except TaskTimeout as e:
        # The move was accepted and may still complete: report it as a change under way.
        outcome.error = f"the migration did not finish in time ({e}); check the VM before retrying"
        return outcome
    outcome.moved = True
    return outcome


# ---------------------------------------------------------------- verify


# Read after a move (with the VM facts): what verify() needs beyond the facts' own paths.
VERIFY_PATHS = ("config.files.vmPathName",)


def verify(props: dict, s: dict, placed: dict | None = None) -> list[str]:
    """From the VM's properties read after the move: what is not where it was asked to be.

    `placed` (the VM's facts read with them) gives the names the messages use.
    """
    host, pool = props.get("runtime.host"), props.get("resourcePool")
    placed = placed or {}
    on = f"host '{placed['host']}'" if placed.get("host") else str(host)
    dest, wrong = s["destination"], []
    if dest["host"] and getattr(host, "value", None) != dest["host"]["moid"]:
        wrong.append(f"the VM runs on {on} instead of host '{dest['host']['name']}'")
    elif dest["compute"] and getattr(host, "value", None) not in dest["compute"]["hosts"]:
        wrong.append(f"the VM runs on {on}, outside '{dest['compute']['name']}'")
    wanted_pool = target_pool(s)
    if wanted_pool and getattr(pool, "value", None) != wanted_pool:
        wanted = (s["pools"].get(wanted_pool) or {}).get("name") or wanted_pool
        now = f"'{placed['resource_pool']}'" if placed.get("resource_pool") else str(pool)
        wrong.append(f"the VM is in pool {now} ({getattr(pool, 'value', None)}) instead of "
                     f"'{wanted}' ({wanted_pool})")  # fmt: skip
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


def read_back(client, vm: MoRef, outcome) -> tuple[dict, list[str]]:
    """The VM's facts after the run, and what is misplaced if it moved: one read for both."""
    _ref, props, vm_facts = facts.gather(client, [vm], extra_paths=VERIFY_PATHS)[0]
    return vm_facts, (verify(props, outcome.snapshot, vm_facts) if outcome.moved else [])
