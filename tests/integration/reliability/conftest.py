"""Fixtures for the reliability tests: a private simulator, the fault proxy, the fake server."""

from __future__ import annotations

import pytest
from fakeserver import FakeViServer
from faultproxy import FaultProxy


@pytest.fixture(scope="module")
def sim(vcsim_factory):
    """A private vCenter model per test module (these tests create VMs and count sessions)."""
    return vcsim_factory()


@pytest.fixture
def proxy(sim, tmp_path):
    """A fault proxy in front of the module's simulator."""
    with FaultProxy(sim.host, sim.port, upstream_ca=sim.ca_path, cert_dir=tmp_path) as p:
        yield p


@pytest.fixture
def fake(tmp_path):
    """A fake VI server answering from a script (hostile XML, broken faults)."""
    with FakeViServer(tmp_path) as server:
        yield server
