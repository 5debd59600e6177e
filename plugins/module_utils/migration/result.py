"""What esx_migrate tells the user: placements, one readable sentence, the return values."""

from __future__ import annotations

from ..premigration import runner
from ..premigration.snapshot import moves, storage_datastores, target_host, target_pool
from ..vi.faults import PartialFailure
from .choice import refusals
from .relocate import Outcome


class MigrationFailed(PartialFailure):
    """The migration was blocked or went wrong; `result` holds the return values so far."""

    def __init__(self, message: str, result: dict):
        super().__init__(message, None, **result)


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
    s, report, choice = outcome.snapshot, outcome.report, outcome.choice
    vm, where = f"VM '{s['vm']['name']}'", describe_target(s)
    if choice is not None and choice.host is None:
        return f"{vm} cannot move to any of {len(choice.candidates)} hosts: {refusals(choice)}"
    if outcome.spec is None:
        return f"{vm} is already on {where}; nothing to do"
    if outcome.blocked_by:
        why = [f"{r.name} ({r.message})" for r in report.results if r.name in outcome.blocked_by]
        return f"{vm} cannot move to {where}: blocked by {'; '.join(why)}"
    if outcome.error:
        return f"{vm} was not moved to {where} as asked: {outcome.error}"
    verb = "would move" if check_mode else "moved"
    chosen = f"; chosen as {choice.reason}" if choice is not None else ""
    return f"{vm} {verb} to {where} (checks: {_tally(report)}){chosen}"


def result(outcome: Outcome, facts: dict, check_mode: bool = False) -> dict:
    """The module's return values but msg (see message())."""
    s, choice = outcome.snapshot, outcome.choice
    # The task ran (also when it timed out or the VM landed elsewhere): where the VM is now.
    moved = outcome.changed and not check_mode
    placed = {k: facts.get(k) for k in ("host", "cluster", "resource_pool", "datastores")}
    asked = target_placement(s)
    if choice is not None and choice.host is None:
        asked["host"] = None  # no candidate accepts the VM: no host was chosen
    values = {
        "changed": outcome.changed,
        "checks": outcome.report.as_dicts(),
        "blocked_by": list(outcome.blocked_by),
        "source": source_placement(s),
        "destination": placed if moved else asked,
        "vm": facts,
    }
    if choice is not None:
        values["choice"] = choice.as_dict()
    return values
