"""The runner: selection, grading, ignore, fail_on, order, and no early stop."""

from __future__ import annotations

import pytest
from premigration_facts import snapshot

from ansible_collections.viapi.esx.plugins.module_utils.premigration import checks, runner
from ansible_collections.viapi.esx.plugins.module_utils.premigration.check import (
    Check,
    Result,
    grade,
    not_applicable,
    notice,
    passed,
    problem,
)
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import InvalidArgument

CALLS: list = []


def _recording(name, finding):
    def function(s):
        CALLS.append(name)
        return finding

    return function


def _boom(s):
    CALLS.append("boom")
    raise KeyError("vm")


REGISTRY = (
    Check("first", "critical", "fails", _recording("first", problem("first is wrong"))),
    Check("boom", "critical", "raises", _boom),
    Check("minor", "warning", "warns", _recording("minor", problem("minor is off"))),
    Check("note", "critical", "server warning", _recording("note", notice("the server warns"))),
    Check("na", "critical", "does not apply", _recording("na", not_applicable("nothing to see"))),
    Check("ok", "info", "passes", _recording("ok", passed("fine"))),
)


@pytest.fixture(autouse=True)
def _clear_calls():
    CALLS.clear()


def validated(options, registry):
    """The options, once validate() accepted them against the registry."""
    options.validate(registry)
    return options


def statuses(report):
    return {r.name: r.status for r in report.results}


def test_every_check_runs_in_order_even_after_failures():
    report = runner.run({}, registry=REGISTRY)
    assert CALLS == ["first", "boom", "minor", "note", "na", "ok"]
    assert [r.name for r in report.results] == ["first", "boom", "minor", "note", "na", "ok"]
    assert statuses(report) == {
        "first": "failed", "boom": "failed", "minor": "warning", "note": "warning",
        "na": "skipped", "ok": "passed",
    }  # fmt: skip
    assert report.blocked_by == ("first", "boom")
    assert report.verdict == "blocked"


def test_a_check_that_raises_says_so():
    result = runner.run({}, registry=REGISTRY).results[1]
    assert result.message == "the check could not run: KeyError: 'vm'"


def test_skip_runs_nothing_for_that_check():
    options = validated(runner.Options(skip=("first", "boom")), REGISTRY)
    report = runner.run({}, options, REGISTRY)
    assert CALLS == ["minor", "note", "na", "ok"]
    first = report.results[0]
    assert (first.status, first.severity, first.message) == (
        "skipped",
        "critical",
        "skipped by request",
    )
    assert report.blocked_by == () and report.verdict == "ready"


def test_regrading_changes_status_and_what_blocks():
    options = validated(
        runner.Options(
            severity={"first": "warning", "boom": "info", "minor": "critical", "note": "info"}
        ),
        REGISTRY,
    )
    report = runner.run({}, options, REGISTRY)
    assert statuses(report)["first"] == "warning"
    assert statuses(report)["boom"] == "passed"  # info: reported, message kept, never blocks
    assert report.results[1].severity == "info" and "could not run" in report.results[1].message
    assert statuses(report)["minor"] == "failed"
    assert statuses(report)["note"] == "passed"
    assert report.blocked_by == ("minor",)


def test_ignore_runs_the_check_but_never_counts_it():
    options = validated(runner.Options(severity={"first": "ignore", "boom": "ignore"}), REGISTRY)
    report = runner.run({}, options, REGISTRY)
    assert "first" in CALLS
    first = report.results[0]
    assert first.status == "skipped" and first.severity == "info"
    assert first.message == "ignored by request; it found: first is wrong"
    assert first.details == {"found": "failed"}
    assert report.blocked_by == ()


def test_fail_on_warning_blocks_on_warnings_too():
    options = validated(runner.Options(fail_on="warning"), REGISTRY)
    report = runner.run({}, options, REGISTRY)
    assert report.blocked_by == ("first", "boom", "minor", "note")


def test_grade_table():
    assert [grade(problem("x"), s) for s in ("critical", "warning", "info")] == [
        "failed",
        "warning",
        "passed",
    ]
    assert [grade(notice("x"), s) for s in ("critical", "warning", "info")] == [
        "warning",
        "warning",
        "passed",
    ]
    assert grade(not_applicable("x"), "critical") == "skipped"
    assert grade(passed("x"), "critical") == "passed"


@pytest.mark.parametrize(
    "params, words",
    [
        ({"skip": ["vmotion"]}, "checks.skip: unknown check 'vmotion'"),
        ({"severity": {"nope": "info"}}, "checks.severity: unknown check 'nope'"),
        ({"severity": {"networks": "fatal"}}, "checks.severity.networks: 'fatal' is not one of"),
        ({"fail_on": "info"}, "checks.fail_on: 'info' is not one of critical, warning"),
        (
            {"skip": ["networks"], "severity": {"networks": "info"}},
            "checks.severity.networks: check 'networks' is also in checks.skip; skip it or regrade it, not both",
        ),
        ({"snapshot_depth": -1}, "checks.snapshot_depth must be 0 or more snapshots, got -1"),
        ({"snapshot_depth": True}, "checks.snapshot_depth must be 0 or more snapshots, got True"),
    ],
)
def test_bad_options_name_the_option_and_the_value(params, words):
    with pytest.raises(InvalidArgument, match=words.replace(".", r"\.").replace("(", r"\(")):
        runner.Options(**params).validate()


def test_the_real_registry_on_a_snapshot_gives_one_result_per_check():
    s = snapshot()
    s["destination"]["host"]["maintenance_mode"] = True
    s["destination"]["host"]["version"] = "7.0.2"
    report = runner.run(s)
    assert [r.name for r in report.results] == list(checks.NAMES)
    assert all(isinstance(r, Result) for r in report.results)
    assert statuses(report)["destination_host_state"] == "failed"
    assert statuses(report)["product_version"] == "warning"
    assert report.blocked_by == ("destination_host_state",)
    options = validated(runner.Options(fail_on="warning"), checks.REGISTRY)
    assert runner.run(s, options).blocked_by == ("destination_host_state", "product_version")
    assert report.as_dicts()[0] == {
        "name": "vm_state", "severity": "critical", "status": "passed",
        "message": "VM 'web01' is connected and idle", "details": {},
    }  # fmt: skip


def test_snapshot_depth_is_the_limit_the_snapshots_check_gets():
    s = snapshot(dest_host="host-1", datastore_moid="ds-2")  # a storage move
    nodes = [{"name": "a", "children": [{"name": "b", "children": []}]}]
    s["vm"].update(snapshots=nodes, snapshot_count=2)

    def found(**options):
        (result,) = [r for r in runner.run(s, runner.Options(**options)).results
                     if r.name == "snapshots"]  # fmt: skip
        return result.status, result.details["limit"]

    assert found() == ("passed", 8)
    assert found(snapshot_depth=2) == ("passed", 2)
    assert found(snapshot_depth=1) == ("warning", 1)
    assert "limits" not in s  # the caller's snapshot is not changed
