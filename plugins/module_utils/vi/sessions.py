"""Work spread over the caller's session and a few more, one thread each.

A Client is not shared between threads (vi/session.py): the caller's session works in the
caller's thread, and each extra worker opens its own session, works, and always logs out. A
Login the server refuses (a session limit) leaves that worker's share to the others; the
caller says so. vm/bulk.py (partitioned reads) and vm/fleet.py (VMs converged at once) share it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from .faults import ViError


@dataclass
class Spread:
    """How the work went: the refused Logins, and the extra sessions' round trips."""

    asked: int
    refused: list[ViError] = field(default_factory=list)
    round_trips: int = 0

    @property
    def sessions(self) -> int:
        """The sessions that worked, the caller's included."""
        return self.asked - len(self.refused)

    def refusal(self, doing: str) -> str | None:
        """The warning for refused sessions (None when every one opened); `doing` says what the
        sessions did at a time, e.g. "the VMs were read {n} at a time"."""
        if not self.refused:
            return None
        return (
            f"the server opened {self.sessions} of the {self.asked} sessions asked for, so "
            f"{doing.format(n=self.sessions)} (refused: {self.refused[0]})"
        )


def spread(client, open_client: Callable, workers: int, work: Callable, name: str) -> Spread:
    """work(session, own) on `client` (own=True) in this thread and on workers - 1 new sessions
    (own=False), each from open_client() in its own thread; returns once every one is done.

    Anything but a refused Login raised in a worker's thread is raised here after all ended
    (the first of them), so nothing runs on behind the caller's back.
    """
    done = Spread(asked=max(workers, 1))
    bugs: list[BaseException] = []
    lock = threading.Lock()

    def extra() -> None:
        try:
            session = open_client()
            try:
                session.connect()
            except ViError as e:
                session.logout()  # no session: closes the connection only
                with lock:
                    done.refused.append(e)
                return
            try:
                work(session, False)
            finally:
                session.logout()
                with lock:
                    done.round_trips += session.round_trips
        except BaseException as e:  # re-raised in the caller's thread below
            bugs.append(e)

    threads = [threading.Thread(target=extra, name=f"{name}-{n}") for n in range(1, workers)]
    for thread in threads:
        thread.start()
    try:
        work(client, True)
    finally:
        for thread in threads:
            thread.join()
    if bugs:
        raise bugs[0]
    return done
