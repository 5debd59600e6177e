"""Integration fixtures: vSphere simulators (tests/vcsim) started once per session."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]


def _load_harness():
    """Import tests/vcsim/harness.py as `vcsim_harness` (tests/vcsim is not a package)."""
    name = "vcsim_harness"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, TESTS / "vcsim" / "harness.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


vcsim_harness = _load_harness()


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: long-running test (large simulator fleets); deselect with -m 'not slow'"
    )


@pytest.fixture(scope="session")
def vcsim_factory(tmp_path_factory):
    """Start a simulator: `vcsim_factory("--vm", "3", password="x")`; all stop at session end."""
    started = []

    def start(*args, **kwargs):
        kwargs.setdefault("cert_dir", tmp_path_factory.mktemp("vcsim"))
        sim = vcsim_harness.Vcsim.start(*args, **kwargs)
        started.append(sim)
        return sim

    yield start
    for sim in reversed(started):
        sim.stop()


@pytest.fixture(scope="session")
def vcsim_vpx(vcsim_factory):
    """A vCenter model with the simulator's defaults (1 DC, 1 cluster of 3 hosts, 1 host, 4 VMs)."""
    return vcsim_factory()


@pytest.fixture(scope="session")
def vcsim_esx(vcsim_factory):
    """A standalone ESXi model (ha-datacenter, one host, 2 VMs)."""
    return vcsim_factory("--esx")
