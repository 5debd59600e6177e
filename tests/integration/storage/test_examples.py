"""The EXAMPLES of esx_storage_pool_info and esx_volume_info run as written against the simulator.

Connection options come from module_defaults for the group/viapi.esx.esx action group, as the
examples say; the tasks are taken verbatim from the modules' EXAMPLES.
"""

from __future__ import annotations

import ast

import pytest
import yaml
from ansible_run import ROOT, connection, run_playbook


def examples(module: str) -> list[dict]:
    """The EXAMPLES tasks of plugins/modules/<module>.py."""
    tree = ast.parse((ROOT / "plugins" / "modules" / f"{module}.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            getattr(t, "id", "") == "EXAMPLES" for t in node.targets
        ):
            return yaml.safe_load(node.value.value)
    raise AssertionError(f"{module} has no EXAMPLES")


@pytest.mark.parametrize("module", ["esx_storage_pool_info", "esx_volume_info"])
def test_examples_run_as_written(module, iscsi_vpx, tmp_path):
    play = {
        "hosts": "localhost",
        "gather_facts": False,
        "module_defaults": {"group/viapi.esx.esx": connection(iscsi_vpx)},
        "tasks": examples(module),
    }
    path = tmp_path / "examples.yml"
    path.write_text(yaml.safe_dump([play], sort_keys=False))
    result = run_playbook(path)
    assert result.rc == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "failed=0" in result.stdout and "changed=0" in result.stdout
