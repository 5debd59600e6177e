"""Fixtures for the migration unit tests: the hand-built snapshots of the check library's tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# premigration_facts lives beside the check library's tests; migrations reuse its snapshots.
FACTS = Path(__file__).resolve().parent.parent / "premigration"
if str(FACTS) not in sys.path:
    sys.path.insert(0, str(FACTS))

from premigration_facts import snapshot  # noqa: E402


@pytest.fixture
def snap() -> dict:
    """A fresh snapshot of web01 moving from esx01 to esx02."""
    return snapshot()
