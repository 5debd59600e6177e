"""The EXAMPLES of esx_vm and esx_vm_info run as written against the simulator.

Connection options come from module_defaults for the group/viapi.esx.esx action group, as the
modules' notes say; the tasks themselves are taken verbatim from the modules' EXAMPLES.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml
from ansible_run import ROOT, connection, run_playbook

from ansible_collections.viapi.esx.plugins.module_utils.vi.collector import collect
from ansible_collections.viapi.esx.plugins.module_utils.vi.session import Client


def examples(module: str) -> list[dict]:
    """The EXAMPLES tasks of plugins/modules/<module>.py."""
    tree = ast.parse((ROOT / "plugins" / "modules" / f"{module}.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            getattr(t, "id", "") == "EXAMPLES" for t in node.targets
        ):
            return yaml.safe_load(node.value.value)
    raise AssertionError(f"{module} has no EXAMPLES")


def playbook(tmp_path: Path, sim, tasks: list[dict]) -> Path:
    play = {
        "hosts": "localhost",
        "gather_facts": False,
        "module_defaults": {"group/viapi.esx.esx": connection(sim)},
        "tasks": tasks,
    }
    path = tmp_path / "examples.yml"
    path.write_text(yaml.safe_dump([play], sort_keys=False))
    return path


def vm_names(sim) -> set[str]:
    with Client(sim.host, sim.username, sim.password, port=sim.port, ca_path=sim.ca_path) as c:
        return {p["name"] for _r, p in collect(c, {"VirtualMachine": ["name"]})}


@pytest.mark.parametrize("module", ["esx_vm", "esx_vm_info"])
def test_examples_run_as_written(module, vcsim_factory, tmp_path):
    sim = vcsim_factory()
    before = vm_names(sim)
    result = run_playbook(playbook(tmp_path, sim, examples(module)))
    assert result.rc == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "failed=0" in result.stdout
    # esx_vm's examples create web01, rename it, set its firmware, boot and advanced settings,
    # add disks and CD-ROMs, make it a template, clone web02 from it and delete both at the
    # end (14 of them change something); the info examples change nothing.
    assert vm_names(sim) == before
    if module == "esx_vm":
        assert "changed=14" in result.stdout, result.stdout[-3000:]
