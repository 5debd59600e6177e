"""Simulators for the storage tests: iSCSI adapters on some hosts, two datastores."""

from __future__ import annotations

import pytest
from storage_reads import ISCSI_HOSTS


@pytest.fixture(scope="session")
def iscsi_vpx(vcsim_factory):
    """vCenter: 1 DC, 4 hosts (iSCSI on two of them), datastores LocalDS_0 and LocalDS_1. Read only."""
    return vcsim_factory("--iscsi-hosts", ",".join(ISCSI_HOSTS), "--ds", "2")


@pytest.fixture(scope="session")
def iscsi_esx(vcsim_factory):
    """A standalone ESXi host with iSCSI adapters. Read only."""
    return vcsim_factory("--esx", "--iscsi")
