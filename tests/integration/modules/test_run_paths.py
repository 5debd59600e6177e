"""The two ways run_module runs a module (tests/integration/ansible_run.py) give one result.

The suite runs most module runs directly, the module's own process without the controller; this
holds that shortcut to what `ansible localhost -m` gives for the same run: a read, a check-mode
change with its diff, a failure, a warning and a deprecation. It is in every matrix session's
smoke set, so the two agree on each ansible-core tested.
"""

from __future__ import annotations

import pytest
from ansible_run import run_module

# Keys only the controller adds: `failed` (the callback's status carries it instead; ansible-core
# 2.19+ leaves it out of the result), `_ansible_no_log`, and 2.19+'s `exception` placeholder
# for a failure without a traceback.
CONTROLLER_ONLY = {"failed", "_ansible_no_log", "exception"}

# case: (module, args, check, diff, the key of the result that makes it that case)
RUNS = {
    "read": ("esx_about_info", {}, False, False, "about"),
    "check-mode change with diff": (
        "esx_vm", {"name": "DC0_H0_VM0", "annotation": "x"}, True, True, "diff"),
    "failure": ("esx_about_info", {"password": "not-the-password"}, False, False, "msg"),
    "warning": (
        "esx_about_info", {"ca_path": None, "validate_certs": False}, False, False, "warnings"),
    "deprecation": (
        "esx_vm", {"name": "DC0_H0_VM0", "cdrom": {"type": "none"}}, True, False, "deprecations"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(RUNS))
def test_direct_run_gives_what_the_controller_gives(vcsim_vpx, case):
    module, args, check, diff, key = RUNS[case]
    direct = run_module(module, args, sim=vcsim_vpx, check=check, diff=diff, cli=False)
    cli = run_module(module, args, sim=vcsim_vpx, check=check, diff=diff, cli=True)
    assert cli.result.get(key), cli.result
    assert direct.failed == cli.failed == (case in ("failure", "deprecation")), cli.result
    assert cli.result["changed"] is (case == "check-mode change with diff"), cli.result
    shown = {k: v for k, v in cli.result.items() if k not in CONTROLLER_ONLY}
    assert {k: v for k, v in direct.result.items() if k not in CONTROLLER_ONLY} == shown
    assert direct.result["failed"] is direct.failed
