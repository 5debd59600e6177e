"""Over the wire: reads survive one dropped connection; retries are bounded and capped in total;
calls that change state are sent once. (The backoff itself: tests/unit/.../vi/test_retry.py.)"""

from __future__ import annotations

from dataclasses import replace

import pytest
from faultproxy import (
    CLOSE_MIDSTREAM,
    DELAY,
    DROP_AFTER,
    DROP_BEFORE,
    TRUNCATE,
    UNAVAILABLE,
)

from ansible_collections.viapi.esx.plugins.module_utils.vi import collector, faults
from ansible_collections.viapi.esx.plugins.module_utils.vi.retry import Backoff

from .helpers import DEFAULT_BACKOFF, client_for, vm_names

READ = "RetrievePropertiesEx"


@pytest.fixture
def slept() -> list[float]:
    """The backoff sleeps of a client made with recorded(backoff, slept), not slept."""
    return []


def recorded(backoff: Backoff, slept: list[float]) -> Backoff:
    """`backoff` recording its sleeps in `slept` instead of sleeping."""
    return replace(backoff, sleep=slept.append)


def read_vm_names(client) -> list[str]:
    return sorted(p["name"] for _ref, p in collector.collect(client, {"VirtualMachine": ["name"]}))


@pytest.mark.parametrize("fault", [DROP_BEFORE, DROP_AFTER, CLOSE_MIDSTREAM, UNAVAILABLE])
def test_read_survives_one_dropped_connection(sim, proxy, fault, slept):
    """One lost read is sent again after a backoff delay; the answer is the server's truth."""
    with client_for(proxy, sim, backoff=recorded(DEFAULT_BACKOFF, slept)) as client:
        proxy.next(fault, method=READ)
        names = read_vm_names(client)
    assert names == sorted(vm_names(sim)) and len(names) == 4
    assert proxy.count(READ) == 2
    assert len(slept) == 1 and 0 <= slept[0] <= DEFAULT_BACKOFF.base


def test_read_gives_up_after_the_bounded_attempts(sim, proxy, slept):
    """A read that keeps failing is tried `attempts` times in all, then fails clearly."""
    with client_for(proxy, sim, backoff=recorded(DEFAULT_BACKOFF, slept)) as client:
        proxy.next(DROP_BEFORE, method=READ, times=None)
        with pytest.raises(faults.TransportError, match="connection to .* failed") as err:
            read_vm_names(client)
        proxy.clear()
    assert err.value.retryable
    assert proxy.count(READ) == DEFAULT_BACKOFF.attempts == 3
    assert len(slept) == DEFAULT_BACKOFF.attempts - 1
    for n, delay in enumerate(slept):
        assert 0 <= delay <= min(DEFAULT_BACKOFF.cap, DEFAULT_BACKOFF.base * 2**n)


def test_total_backoff_budget_caps_the_retries(sim, proxy, slept):
    """With a total budget, the sleeps never add up to more than it, whatever `attempts` says."""
    backoff = Backoff(attempts=50, base=0.2, cap=0.2, total=0.5)
    with client_for(proxy, sim, backoff=recorded(backoff, slept)) as client:
        proxy.next(DROP_BEFORE, method=READ, times=None)
        with pytest.raises(faults.TransportError):
            read_vm_names(client)
        proxy.clear()
    assert sum(slept) <= backoff.total
    assert proxy.count(READ) == len(slept) + 1 < backoff.attempts


@pytest.mark.parametrize("method", ["CreateContainerView", "Login"])
def test_non_idempotent_calls_are_not_repeated(sim, proxy, method, slept):
    """A call that changes server state is never sent twice after a lost connection."""
    client = client_for(proxy, sim, backoff=recorded(DEFAULT_BACKOFF, slept))
    proxy.next(DROP_AFTER, method=method)
    with pytest.raises(faults.TransportError, match="connection to .* failed"), client:
        read_vm_names(client)
    assert proxy.count(method) == 1 and slept == []


def test_truncated_answer_is_a_clear_error(sim, proxy):
    """A body cut short (with a consistent length) is reported as truncated, not half-decoded."""
    with client_for(proxy, sim) as client:
        proxy.next(TRUNCATE, method=READ)
        with pytest.raises(faults.ResponseError, match="truncated"):
            read_vm_names(client)


def test_slow_answer_within_timeout_is_waited_for(sim, proxy):
    """A delay shorter than `timeout` is not a failure and causes no retry."""
    with client_for(proxy, sim, timeout=10) as client:
        proxy.next(DELAY, method=READ, seconds=1.5)
        assert len(read_vm_names(client)) == 4
    assert proxy.count(READ) == 1
