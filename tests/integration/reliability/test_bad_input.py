"""Bad module input, per module: `failed` with the option named, never a traceback."""

from __future__ import annotations

import json

import pytest
from ansible_run import run_module

from .helpers import vm_names
from .modules import CONNECTION_BAD, MODULES, Case, covered, fill, present

CASES = [
    pytest.param(module, case, id=f"{module}-{case.id}")
    for module in covered()
    for case in MODULES[module].bad + CONNECTION_BAD
]


def no_traceback(res) -> None:
    """Nothing of a crash reaches the user: no traceback, no MODULE FAILURE, a message."""
    out = res.stdout + res.stderr
    assert "Traceback" not in out and "MODULE FAILURE" not in out, out[-3000:]
    # ansible-core 2.19 puts "exception": "(traceback unavailable)" in every failed result.
    assert "Traceback" not in json.dumps(res.result) and "module_stderr" not in res.result


def test_every_module_has_a_table():
    """A new module gets its bad-input table, secrets runs and leak runs in modules.py."""
    assert present() == covered(), f"add {sorted(set(present()) - set(covered()))} to modules.py"


@pytest.mark.slow
@pytest.mark.parametrize("module, case", CASES)
def test_bad_input_fails_naming_the_option(sim, module: str, case: Case):
    spec = MODULES[module]
    args = fill(case.args, f"bad-{case.id}")
    if case in CONNECTION_BAD:
        args = dict(fill(spec.success[0], "bad-conn"), **args)
    res = run_module(module, args, sim=sim, check=spec.check_mode)
    no_traceback(res)
    if case.option is None:
        assert not res.failed, res.get("msg")
        return
    assert res.failed and res.rc != 0
    msg = res["msg"]
    # A lookup that finds nothing may name the kind of object and quote the value instead.
    quoted = res.get("error_type") == "NotFound" and any(
        f"'{v}'" in msg for v in args.values() if isinstance(v, str)
    )
    assert case.option in msg or quoted, msg


@pytest.mark.slow
def test_failed_creations_left_no_vm(sim):
    """Every esx_vm case above failed before creating anything: no partial VM is left over."""
    if "esx_vm" not in covered():
        pytest.skip("esx_vm is not there yet")
    assert [n for n in vm_names(sim) if n.startswith("rel-")] == []
