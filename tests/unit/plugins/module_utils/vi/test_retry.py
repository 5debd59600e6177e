"""vi/retry.py: which calls are sent again after which errors, and the jittered backoff."""

from __future__ import annotations

import random

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.vi import faults, retry
from ansible_collections.viapi.esx.plugins.module_utils.vi.retry import NO_DELAY, Backoff

CUT = faults.TransportError("connection to x failed: reset by peer", retryable=True)
BUSY = faults.TransportError("HTTP 503 from x: busy", status=503, retryable=True)
NOT_FOUND = faults.TransportError("HTTP 404 from x", status=404)
NEVER_SENT = faults.ConnectTimeout("no connection to x within 30s", retryable=True)
SILENT = faults.ReadTimeout("x did not answer within 60s", retryable=True)
TLS = faults.CertificateError("TLS certificate of x refused")
FAULT = faults.make_fault("InvalidProperty", "name2")


@pytest.mark.parametrize(
    "method, error, again, find_task",
    [
        ("RetrievePropertiesEx", CUT, True, False),
        ("RetrievePropertiesEx", BUSY, True, False),
        ("WaitForUpdatesEx", CUT, True, False),
        ("RetrievePropertiesEx", NEVER_SENT, True, False),
        ("RetrievePropertiesEx", SILENT, False, False),  # no second `timeout` to wait out
        ("RetrievePropertiesEx", NOT_FOUND, False, False),
        ("RetrievePropertiesEx", TLS, False, False),
        ("RetrievePropertiesEx", FAULT, False, False),
        ("MarkAsTemplate", CUT, False, False),  # it may have acted: never twice
        ("MarkAsTemplate", SILENT, False, False),
        ("MarkAsTemplate", NEVER_SENT, True, False),  # it never left
        ("Login", CUT, False, False),
        ("CreateContainerView", BUSY, False, False),
        ("PowerOnVM_Task", CUT, False, True),  # look for the task it started instead
        ("PowerOnVM_Task", BUSY, False, True),
        ("PowerOnVM_Task", SILENT, False, True),
        ("PowerOnVM_Task", NEVER_SENT, True, False),
        ("PowerOnVM_Task", NOT_FOUND, False, False),
        ("PowerOnVM_Task", FAULT, False, False),
    ],
)  # fmt: skip
def test_the_policy(method, error, again, find_task):
    assert retry.should_retry(method, error) is again
    assert retry.lost_task_submit(method, error) is find_task


def test_only_reads_are_idempotent():
    assert {
        "RetrievePropertiesEx",
        "WaitForUpdatesEx",
        "RetrieveServiceContent",
    } <= retry.IDEMPOTENT
    assert not any(retry.is_task_submit(m) for m in retry.IDEMPOTENT)
    assert retry.IDEMPOTENT.isdisjoint({"Login", "Logout", "CreateContainerView", "MarkAsTemplate",
                                        "CreatePropertyCollector", "CreateFilter"})  # fmt: skip


def test_gateway_statuses_are_the_transient_ones():
    assert frozenset((502, 503, 504)) == retry.TRANSIENT_STATUSES


# ---------------------------------------------------------------- backoff


def test_each_delay_is_drawn_from_zero_to_its_exponential_bound():
    asked = []

    def uniform(low, high):
        asked.append((low, high))
        return high

    delays = list(Backoff(attempts=6, base=0.5, cap=2.0, total=100, uniform=uniform).delays())
    assert asked == [(0, 0.5), (0, 1.0), (0, 2.0), (0, 2.0), (0, 2.0)]  # capped at 2 s
    assert delays == [0.5, 1.0, 2.0, 2.0, 2.0]


def test_delays_are_jittered_within_their_bounds():
    """Full jitter: seeded runs give different delays, each within its bound, and a seed
    repeats its run exactly (so the variation is the random source, nothing else)."""

    def run(seed: int) -> list[float]:
        backoff = Backoff(
            attempts=6, base=0.5, cap=2.0, total=100, uniform=random.Random(seed).uniform
        )
        return list(backoff.delays())

    runs = [run(seed) for seed in range(50)]
    for delays in runs:
        assert len(delays) == 5
        for n, delay in enumerate(delays):
            assert 0 <= delay <= min(2.0, 0.5 * 2**n)
    assert len({tuple(d) for d in runs}) == len(runs)  # no two runs alike
    assert len({round(d[0], 6) for d in runs}) > 40  # the first delay itself varies
    assert max(d[4] for d in runs) > 1.5 and min(d[4] for d in runs) < 0.5  # spread over [0, 2]
    assert run(7) == run(7)


def test_the_total_budget_and_the_attempts_bound_the_delays():
    half = Backoff(attempts=50, base=1.0, cap=5.0, total=4.0, uniform=lambda lo, hi: hi / 2)
    assert list(half.delays()) == [0.5, 1.0, 2.0]  # the next (2.5) would pass 4 s in all
    for seed in range(20):
        drawn = Backoff(attempts=50, base=1.0, cap=5.0, total=4.0,
                        uniform=random.Random(seed).uniform)  # fmt: skip
        assert sum(drawn.delays()) <= 4.0
    assert list(Backoff(attempts=1).delays()) == []
    assert list(NO_DELAY.delays()) == [0.0, 0.0]


def test_the_sleep_is_the_backoffs_own():
    slept = []
    backoff = Backoff(sleep=slept.append)
    backoff.sleep(0.25)
    assert slept == [0.25]
    assert Backoff().sleep is retry.sleep and NO_DELAY.sleep is retry.sleep


def test_the_default_sleep_skips_zero_delays(monkeypatch):
    slept = []
    monkeypatch.setattr(retry.time, "sleep", slept.append)
    retry.sleep(0.0)
    retry.sleep(0.01)
    assert slept == [0.01]
