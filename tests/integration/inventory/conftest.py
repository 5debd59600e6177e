"""Simulators for the inventory tests (private ones: some tests reshape their model)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def fleet_vpx(vcsim_factory):
    """vCenter, the default model (4 VMs), two VMs with guest IPs. Read only."""
    return vcsim_factory("--guest-ips", "2")


@pytest.fixture(scope="module")
def fleet_esx(vcsim_factory):
    """A standalone ESXi host (2 VMs), one with a guest IP. Read only."""
    return vcsim_factory("--esx", "--guest-ips", "1")
