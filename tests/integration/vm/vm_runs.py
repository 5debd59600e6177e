"""Running esx_vm in the VM tests, and the simulator models they run against."""

from __future__ import annotations

from ansible_run import run_module
from return_docs import assert_matches_return

# Placement and networks that exist in each simulator model.
MODELS = {
    "vpx": {"args": (), "place": {"cluster": "DC0_C0", "datastore": "LocalDS_0"},
            "networks": ["VM Network", "DC0_DVPG0"]},
    "esx": {"args": ("--esx",), "place": {}, "networks": ["VM Network"]},
}  # fmt: skip


def vm_run(sim, args: dict, check: bool = False, diff: bool = True, cli: bool | None = None):
    """esx_vm with the simulator's connection (`cli`: through the controller, see ansible_run);
    verbosity 3 keeps `diff` in the result the controller hands on."""
    verbosity = 3 if diff else 0
    result = run_module(
        "esx_vm", args, sim=sim, check=check, diff=diff, verbosity=verbosity, cli=cli
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stdout[-3000:]
    if not result.failed:
        assert_matches_return("esx_vm", result.result)
    return result


def ok(result):
    """The result, asserted successful (with the module's message when it is not)."""
    assert not result.failed, result.get("msg") or (result.stdout[-3000:] + result.stderr[-2000:])
    return result
