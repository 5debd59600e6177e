"""Choose the destination host among candidates: every check against each, then free memory.

The candidates come from `hosts` or from a cluster without DRS. One snapshot per candidate is
built from the same two bulk reads; a candidate is accepted when its checks do not block and,
for a running VM, it has vMotion on. A host of `hosts` outside the `cluster` or the compute
resource of the `resource_pool` given with them is refused by that option, unjudged (the server
takes no host outside the pool's compute resource). The accepted host with the most free memory
wins (the first given on a tie); when none is accepted, each candidate says what refused it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..premigration import snapshot
from ..premigration.snapshot import OutsideDestination, moves
from ..vi.envelope import MoRef
from ..vi.faults import InvalidArgument
from ..vi.find import unescape
from .relocate import Outcome, judge


@dataclass(frozen=True)
class Candidate:
    """One candidate host: its free memory and what, if anything, refused it."""

    name: str
    free_memory_mb: int | None
    blocked_by: tuple = ()
    reasons: tuple = ()

    @property
    def accepted(self) -> bool:
        return not self.blocked_by

    def as_dict(self) -> dict:
        return {
            "host": self.name,
            "accepted": self.accepted,
            "free_memory_mb": self.free_memory_mb,
            "blocked_by": list(self.blocked_by),
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class Choice:
    """The chosen host (None: no candidate accepts the VM), why, and every candidate."""

    host: str | None
    reason: str
    candidates: tuple = ()
    blocked_by: tuple = ()  # when none accepts: every check that refused some candidate

    def as_dict(self) -> dict:
        return {
            "host": self.host,
            "reason": self.reason,
            "candidates": [c.as_dict() for c in self.candidates],
        }


def gather(client, vm: MoRef, destination: dict, hosts: list[MoRef]) -> list:
    """One snapshot per candidate host, all from the same two bulk reads; for a host outside
    the cluster or the resource pool's compute resource, the refused Candidate instead."""
    base = {k: destination.get(k) for k in ("cluster", "pool", "datastore")}
    rows = snapshot.read(client, [vm, *hosts, *(r for r in base.values() if r is not None)])
    source = rows[vm].get("runtime.host")
    if source is not None and source not in rows:
        rows.update(snapshot.read(client, [source]))
    return [_snapshot_or_refusal(rows, vm, dict(base, host=h)) for h in hosts]


def _snapshot_or_refusal(rows: dict, vm: MoRef, destination: dict):
    try:
        return snapshot.build(rows, vm, destination)
    except OutsideDestination as e:
        host = destination["host"]
        name = unescape(rows.get(host, {}).get("name")) or host.value
        return Candidate(name, None, (e.option,), (f"{e.option}: {e}",))


def free_memory_mb(host: dict) -> int | None:
    """The host's memory less what is in use (None when either is unknown)."""
    if host["memory_mb"] is None or host["memory_used_mb"] is None:
        return None
    return host["memory_mb"] - host["memory_used_mb"]


def candidate(outcome: Outcome) -> Candidate:
    """What the checks (and the vMotion rule) say of the snapshot's destination host."""
    s, report = outcome.snapshot, outcome.report
    host = s["destination"]["host"]
    blocked = list(report.blocked_by)
    reasons = [f"{r.name}: {r.message}" for r in report.results if r.name in blocked]
    # A live migration cannot land on a host without vMotion, whatever the checks options say.
    live = s["vm"]["power_state"] == "powered_on"
    if live and not host["vmotion_enabled"] and "vmotion_enabled" not in blocked:
        blocked.append("vmotion_enabled")
        reasons.append(f"vmotion_enabled: vMotion is not enabled on host '{host['name']}'")
    return Candidate(host["name"], free_memory_mb(host), tuple(blocked), tuple(reasons))


def plan(client, vm: MoRef, destination: dict, options, timeout: float) -> Outcome:
    """The plan for the best candidate, or for the closest one when none accepts the VM."""
    hosts = destination["candidates"]
    if not hosts:
        raise InvalidArgument("cluster: it has no host to move the VM to")
    gathered = gather(client, vm, destination, hosts)
    snaps = {i: s for i, s in enumerate(gathered) if not isinstance(s, Candidate)}
    if not snaps:
        raise InvalidArgument(
            "hosts: no candidate host can take the VM there: "
            + "; ".join(f"{c.name}: {c.reasons[0]}" for c in gathered)
        )
    for s in snaps.values():
        if not moves(s)["host"]:  # already on a candidate: stay (what else moves is judged)
            outcome = judge(client, vm, s, options, timeout)
            name = s["destination"]["host"]["name"]
            outcome.choice = Choice(name, f"the VM already runs on host '{name}'")
            return outcome
    outcomes = {i: judge(client, vm, s, options, timeout) for i, s in snaps.items()}
    judged = [candidate(outcomes[i]) if i in outcomes else c for i, c in enumerate(gathered)]
    accepted = [i for i, c in enumerate(judged) if c.accepted]
    if accepted:
        best = max(accepted, key=lambda i: (_memory_key(judged[i]), -i))
        outcome = outcomes[best]
        outcome.choice = Choice(judged[best].name, _why(judged, accepted, best), tuple(judged))
        return outcome
    closest = min(outcomes, key=lambda i: (len(judged[i].blocked_by), i))
    outcome = outcomes[closest]
    refused = {name for c in judged for name in c.blocked_by}
    order = [r.name for r in outcome.report.results]
    outcome.choice = Choice(
        None,
        "no candidate host accepts the VM",
        tuple(judged),
        tuple(n for n in order if n in refused) + tuple(sorted(refused.difference(order))),
    )
    outcome.changed = False
    return outcome


def _memory_key(c: Candidate) -> int:
    return c.free_memory_mb if c.free_memory_mb is not None else -1


def _why(judged: list[Candidate], accepted: list[int], best: int) -> str:
    """Why this host: the only one accepted, or the most free memory among those accepted."""
    others = len(judged) - len(accepted)
    refused = f"; {others} refused" if others else ""
    if len(accepted) == 1:
        return f"the only one of {len(judged)} candidate hosts whose checks pass{refused}"
    memory = judged[best].free_memory_mb
    free = f"{memory} MiB" if memory is not None else "unknown"
    return (
        f"the most free memory ({free}) of the {len(accepted)} candidate hosts whose checks "
        f"pass{refused}"
    )


def refusals(choice: Choice) -> str:
    """'host: check, check; host: check' for every refused candidate."""
    return "; ".join(
        f"{c.name}: {', '.join(c.blocked_by)}" for c in choice.candidates if not c.accepted
    )
