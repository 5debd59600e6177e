"""meta/runtime.yml: both action groups hold every module of the collection."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_every_module_is_in_both_action_groups():
    modules = sorted(p.stem for p in (ROOT / "plugins" / "modules").glob("esx_*.py"))
    groups = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())["action_groups"]
    assert sorted(groups) == ["esx", "role_connection"]
    for name, members in groups.items():
        assert sorted(members) == modules, name
