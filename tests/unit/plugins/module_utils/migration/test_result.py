"""What the user reads: placements, the message, and the return values."""

from __future__ import annotations

from premigration_facts import snapshot

from ansible_collections.viapi.esx.plugins.module_utils.migration import relocate, result
from ansible_collections.viapi.esx.plugins.module_utils.premigration import runner


def test_placements_and_messages(snap):
    outcome = relocate.Outcome(snap, runner.run(snap), relocate.build_spec(snap), changed=True)
    assert result.source_placement(snap) == {
        "host": "esx01", "cluster": "prod", "resource_pool": "Resources", "datastores": ["ssd-01"]
    }  # fmt: skip
    assert result.target_placement(snap) == {
        "host": "esx02", "cluster": "prod", "resource_pool": "Resources", "datastores": ["ssd-01"]
    }  # fmt: skip
    assert result.message(outcome, check_mode=True) == (
        "VM 'web01' would move to host 'esx02' (checks: 13 passed, 3 skipped)"
    )
    assert result.message(outcome).startswith("VM 'web01' moved to host 'esx02'")
    snap["destination"]["host"]["maintenance_mode"] = True
    blocked = relocate.Outcome(snap, runner.run(snap), relocate.build_spec(snap))
    assert result.message(blocked) == (
        "VM 'web01' cannot move to host 'esx02': blocked by destination_host_state "
        "(host 'esx02' cannot take VMs: it is in maintenance mode)"
    )


def test_result_reports_where_the_vm_is_after_a_move(snap):
    outcome = relocate.Outcome(snap, runner.run(snap), relocate.build_spec(snap), changed=True)
    facts = {
        "host": "esx02",
        "cluster": "prod",
        "resource_pool": "Resources",
        "datastores": ["ssd-01"],
    }
    values = result.result(outcome, facts)
    assert values["changed"] is True and values["blocked_by"] == []
    assert values["destination"] == facts and values["vm"] is facts
    assert [c["name"] for c in values["checks"]][:2] == ["vm_state", "destination_host_state"]


def test_nothing_to_move_never_blocks():
    s = snapshot(dest_host="host-1")
    s["vm"]["running_tasks"] = ["VirtualMachine.createSnapshot"]
    outcome = relocate.Outcome(s, runner.run(s), relocate.build_spec(s))
    assert outcome.report.blocked_by == ("vm_state",)  # the check still reports it
    assert outcome.blocked_by == ()
    values = result.result(outcome, {"host": "esx01"})
    assert values["changed"] is False and values["blocked_by"] == []
    assert result.message(outcome) == "VM 'web01' is already on host 'esx01'; nothing to do"
