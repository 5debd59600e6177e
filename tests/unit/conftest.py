"""Unit test setup: this directory's helper modules (vi_wire, real_vsphere) are importable."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import real_vsphere  # noqa: E402


@pytest.fixture(scope="session")
def real_vsphere_cassettes():
    """Every recorded vCenter cassette by name; skips when ../shared is absent."""
    if not real_vsphere.available():
        pytest.skip(f"recorded vSphere traffic not found at {real_vsphere.FIXTURES}")
    return real_vsphere.cassettes()
