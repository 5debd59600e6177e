"""No leaked sessions: 100+ module runs and 20 inventory runs leave SessionManager.sessionList as
it was (success, server-side failure and wrong-password paths alike)."""

from __future__ import annotations

import math
import subprocess

import pytest
import yaml
from ansible_run import ROOT, ansible_env, connection, run_playbook

from .helpers import session_keys
from .modules import MODULES, covered, fill

MODULE_RUNS = 100
INVENTORY_RUNS = 20


def leak_tasks(runs_per_task: int) -> list[dict]:
    """Every module's success and failure runs, each in a loop; failures are expected."""
    tasks = []
    for module in covered():
        spec = MODULES[module]
        for i, args in enumerate(spec.success + spec.failure):
            failing = i >= len(spec.success)
            tasks.append({
                "name": f"{module} {'failure' if failing else 'success'} {i}",
                f"viapi.esx.{module}": fill(args, "leak-{{ item }}"),
                "loop": f"{{{{ range({runs_per_task}) | list }}}}",
                "check_mode": spec.check_mode,
                "ignore_errors": failing,
                "register": f"r{len(tasks)}",
            })  # fmt: skip
    tasks.append({
        "name": "wrong password",
        "viapi.esx.esx_about_info": {"password": "not-the-password"},
        "loop": f"{{{{ range({runs_per_task}) | list }}}}",
        "ignore_errors": True,
    })  # fmt: skip
    return tasks


@pytest.mark.slow
def test_module_runs_leave_no_sessions(sim, tmp_path):
    before = session_keys(sim)
    per_task = math.ceil(MODULE_RUNS / len(leak_tasks(1)))
    play = {
        "hosts": "localhost",
        "gather_facts": False,
        "module_defaults": {"group/viapi.esx.esx": connection(sim)},
        "tasks": leak_tasks(per_task),
    }
    playbook = tmp_path / "leaks.yml"
    playbook.write_text(yaml.safe_dump([play], sort_keys=False))
    res = run_playbook(playbook)
    runs = 0
    for record in res.tasks:
        items = record["result"].get("results") or []
        runs += len(items)
        expect_failure = " failure " in record["task"] + " " or record["task"] == "wrong password"
        assert all(bool(i.get("failed")) == expect_failure for i in items), record["task"]
    assert runs >= MODULE_RUNS, res.stdout[-3000:]
    assert session_keys(sim) == before


def inventory_config(tmp_path, sim, n: int):
    """Configs that vary: plain, with a second endpoint refusing the login, with filters."""
    good = connection(sim)
    variants = [
        {**good},
        {"endpoints": [good, dict(good, password="not-the-password")]},
        {**good, "filters": ["esx_power_state == 'powered_on'"], "device_facts": True},
    ]
    path = tmp_path / f"leak{n}.esx.yml"
    path.write_text(yaml.safe_dump({"plugin": "viapi.esx.esx", **variants[n % len(variants)]}))
    return path


@pytest.mark.slow
def test_inventory_runs_leave_no_sessions(sim, tmp_path):
    before = session_keys(sim)
    for n in range(INVENTORY_RUNS):
        cmd = ["ansible-inventory", "-i", str(inventory_config(tmp_path, sim, n)), "--list"]
        proc = subprocess.run(
            cmd, capture_output=True, text=True, env=ansible_env(), cwd=ROOT, check=False
        )
        assert proc.returncode == 0 and "DC0_H0_VM0" in proc.stdout, proc.stderr[-2000:]
        if n % 3 == 1:
            assert "InvalidLogin" in proc.stderr
    assert session_keys(sim) == before
