"""Bounded, jittered backoff for calls that are safe to repeat."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """Full-jitter exponential backoff: at most `attempts` tries within `total` seconds."""

    attempts: int = 3
    base: float = 0.5
    cap: float = 5.0
    total: float = 30.0

    def delays(self):
        """Yield the sleep before each retry; stops when attempts or the total budget run out."""
        spent = 0.0
        for n in range(self.attempts - 1):
            delay = random.uniform(0, min(self.cap, self.base * 2**n))
            if spent + delay > self.total:
                return
            spent += delay
            yield delay


NO_DELAY = Backoff(base=0.0, cap=0.0)


def sleep(seconds: float) -> None:
    """Sleep, skipping zero delays (tests use NO_DELAY)."""
    if seconds > 0:
        time.sleep(seconds)
