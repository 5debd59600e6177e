"""esx_storage_pool's calls: one call on one host, and apply(), the only code check mode skips.

The calls are synchronous methods (rescans, mounts, target changes), not tasks: the run's
wait_timeout bounds each one's answer (Client.deadline). A call the deadline cut short is
reported with what it was doing and what was done before it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..vi.envelope import MoRef
from ..vi.faults import PartialFailure, ViError, WaitTimeout


@dataclass
class Call:
    """One call on one host: what it does, for the result, and how."""

    host: str
    action: str
    obj: MoRef
    method: str
    args: dict = field(default_factory=dict)

    def resolved(self, client) -> dict:
        """The arguments, with any value known only at apply time read now."""
        return {
            k: (v.resolve(client) if hasattr(v, "resolve") else v) for k, v in self.args.items()
        }


def apply(client, calls: list[Call]) -> None:
    """Make each call; a failure after one succeeded says which hosts were done."""
    done: list[str] = []
    for call in calls:
        try:
            client.call(call.obj, call.method, **call.resolved(client))
        except WaitTimeout as e:
            raise timed_out(call, e, done) from None
        except ViError as e:
            if not done:
                raise
            raise PartialFailure(
                f"{call.method} on host '{call.host}' failed after {', '.join(done)}: {e}",
                e, changed=True, actions=done,
            ) from None  # fmt: skip
        done.append(f"{call.action} on {call.host}")


def timed_out(call: Call, error: WaitTimeout, done: list[str]) -> ViError:
    """The run's wait_timeout ran out at this call: what it was doing, and what was done."""
    sent = (error.last_seen or {}).get("sent", True)
    doing = f"{call.action} on host '{call.host}' ({call.method})"
    if not sent:
        message = f"wait_timeout: {error.timeout:g}s ran out before {doing} was sent"
    elif call.action == "rescan":
        message = (
            f"wait_timeout: {doing} did not answer within {error.timeout:g}s; the host goes on "
            "with the rescan and finishes it on its own"
        )
    else:
        message = (
            f"wait_timeout: {doing} did not answer within {error.timeout:g}s; the host may "
            "still complete it (run again to see where it stands)"
        )
    if not done:
        return WaitTimeout(error.what, error.last_seen, error.timeout, message)
    return PartialFailure(f"{message}; done before: {', '.join(done)}", error, changed=True,
                          actions=done)  # fmt: skip
