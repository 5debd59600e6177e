"""Fixtures for the VM module tests: private simulators (these tests create and delete VMs)."""

from __future__ import annotations

import pytest
from vm_runs import MODELS
from vm_server import Server


@pytest.fixture(scope="module", params=sorted(MODELS))
def model(request):
    """The model name: every test using it runs against vCenter and standalone ESXi."""
    return request.param


@pytest.fixture(scope="module")
def sim(model, vcsim_factory):
    """A private simulator of the model, shared by one test module."""
    return vcsim_factory(*MODELS[model]["args"])


@pytest.fixture(scope="module")
def server(sim):
    """An independent VI session on the simulator."""
    s = Server(sim)
    yield s
    s.close()
