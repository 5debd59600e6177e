"""Fixtures for the pre-migration unit tests (the snapshot builders are in premigration_facts)."""

from __future__ import annotations

import pytest
from premigration_facts import snapshot


@pytest.fixture
def snap() -> dict:
    """A fresh snapshot of web01 moving from esx01 to esx02."""
    return snapshot()
