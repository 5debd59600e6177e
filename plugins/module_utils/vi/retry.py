"""The retry policy of call(): which calls may be sent again, after which errors, and when.

- Transient errors are transport failures a later try may not meet: a connection refused,
  reset or cut, a timeout, or HTTP 502/503/504 (a proxy or a service restarting). The
  transport marks them `retryable` (TRANSIENT_STATUSES for the statuses); TLS and proxy
  refusals, other statuses and SOAP faults never are.
- A request that never left (ConnectTimeout) may be sent again, whatever it does.
- A request whose answer was lost is sent again only if it just reads (IDEMPOTENT), and never
  after a ReadTimeout: a server silent for `timeout` gets no second `timeout` to wait out.
- A *_Task submit whose answer was lost is never sent again blindly: call() looks for the
  task it started (lost_task_submit).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .faults import ConnectTimeout, ReadTimeout, TransportError

# Calls that read only: repeating them after a lost answer changes nothing on the server.
IDEMPOTENT = frozenset(
    (
        "RetrieveServiceContent", "RetrievePropertiesEx", "RetrieveProperties", "CurrentTime",
        "FindByUuid", "FindByInventoryPath", "FindChild", "FindAllByUuid", "SessionIsActive",
        "QueryVirtualDiskUuid", "QueryConfigOptionDescriptor", "QueryConfigOptionEx",
        "WaitForUpdatesEx", "ValidateMigration", "QueryTargetCapabilities",
    )
)  # fmt: skip
TRANSIENT_STATUSES = frozenset((502, 503, 504))


def transient(error: Exception) -> bool:
    """Whether the exchange failed in a way a later try may not (see the module's docstring)."""
    return isinstance(error, TransportError) and error.retryable


def is_task_submit(method: str) -> bool:
    return method.endswith("_Task")


def should_retry(method: str, error: Exception) -> bool:
    """Whether `method` may be sent again after `error`."""
    if not transient(error):
        return False
    if isinstance(error, ConnectTimeout):
        return True  # it never reached the server
    if isinstance(error, ReadTimeout) or is_task_submit(method):
        return False
    return method in IDEMPOTENT


def lost_task_submit(method: str, error: Exception) -> bool:
    """A task submit that may have reached the server but whose answer was lost."""
    return is_task_submit(method) and transient(error) and not isinstance(error, ConnectTimeout)


def sleep(seconds: float) -> None:
    """Sleep, skipping zero delays (tests use NO_DELAY)."""
    if seconds > 0:
        time.sleep(seconds)


@dataclass(frozen=True)
class Backoff:
    """Full-jitter exponential backoff: at most `attempts` tries within `total` seconds.

    `sleep` waits between tries and `uniform(low, high)` draws each delay; tests pass their
    own (a recorder, a seeded random.Random().uniform) instead of patching modules.
    """

    attempts: int = 3
    base: float = 0.5
    cap: float = 5.0
    total: float = 30.0
    sleep: Callable[[float], None] = field(default=sleep, repr=False, compare=False)
    uniform: Callable[[float, float], float] = field(
        default=random.uniform, repr=False, compare=False
    )

    def delays(self):
        """Yield the sleep before each retry; stops when attempts or the total budget run out."""
        spent = 0.0
        for n in range(self.attempts - 1):
            delay = self.uniform(0, min(self.cap, self.base * 2**n))
            if spent + delay > self.total:
                return
            spent += delay
            yield delay


NO_DELAY = Backoff(base=0.0, cap=0.0)
