"""The inventory's host selection and naming, with a plain evaluate() in place of Jinja2."""

from __future__ import annotations

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.inventory import hosts
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import InvalidArgument

VM0 = {"esx_name": "web0", "esx_cluster": None, "esx_moid": "vm-1", "esx_instance_uuid": "u0"}
VM1 = {"esx_name": "db1", "esx_cluster": "C0", "esx_moid": "vm-2", "esx_instance_uuid": "u1"}
EXPRESSIONS = {
    "has cluster": lambda r: r["esx_cluster"] is not None,
    "is web": lambda r: r["esx_name"].startswith("web"),
    "cluster starts with C": lambda r: r["esx_cluster"].startswith("C"),  # fails without one
    "moid": lambda r: r["esx_moid"],
    "nothing": lambda r: r["esx_nothing"],
    "empty": lambda r: "",
}


def evaluate(expression, record):
    return EXPRESSIONS[expression](record)


def test_selected_keeps_a_record_only_when_every_filter_is_true():
    assert hosts.selected([VM0, VM1], ["has cluster"], evaluate, False) == ([VM1], [])
    assert hosts.selected([VM0, VM1], ["is web", "has cluster"], evaluate, False) == ([], [])


def test_a_failing_filter_leaves_the_records_out_with_one_warning_naming_the_first():
    records = [VM0, VM1, dict(VM0, esx_name="web2")]
    kept, warnings = hosts.selected(records, ["cluster starts with C"], evaluate, False)
    assert kept == [VM1]
    assert warnings == [
        "viapi.esx.esx: filters: 'cluster starts with C' could not be evaluated for 2 VM(s), "
        "which were left out (first: web0: 'NoneType' object has no attribute 'startswith')"
    ]


def test_with_strict_a_failing_expression_raises_with_its_error_as_the_cause():
    with pytest.raises(hosts.ExpressionFailed) as raised:
        hosts.selected([VM1, VM0], ["cluster starts with C"], evaluate, True)
    assert str(raised.value).startswith("filters: 'cluster starts with C' failed for VM web0: ")
    assert isinstance(raised.value.__cause__, AttributeError)
    with pytest.raises(hosts.ExpressionFailed, match="hostnames: 'nothing' failed for VM web0"):
        hosts.hostnames([VM0], ["nothing"], evaluate, True)


def test_hostnames_take_the_first_non_empty_entry_and_bare_names_need_no_evaluation():
    def refuse(_expression, _record):
        raise AssertionError("a bare fact name is looked up, not templated")

    assert hosts.hostnames([VM1, VM0], ["cluster", "name"], refuse, False) == (["C0", "web0"], [])
    assert hosts.hostnames([VM0], ["empty", "moid"], evaluate, False) == (["vm-1"], [])


def test_a_failing_hostnames_entry_passes_to_the_next_with_one_warning():
    names, warnings = hosts.hostnames([VM0, VM1], ["nothing", "moid"], evaluate, False)
    assert names == ["vm-1", "vm-2"]
    assert warnings == [
        "viapi.esx.esx: hostnames: 'nothing' could not be evaluated for 2 VM(s), which were "
        "named by the next entry (first: web0: 'esx_nothing')"
    ]


def test_without_a_value_the_vm_name_then_its_identity_names_it():
    nameless = {"esx_name": "", "esx_instance_uuid": "u9"}
    assert hosts.hostnames([VM0, nameless], ["empty"], evaluate, False) == (["web0", "u9"], [])


def test_unique_appends_the_identity_to_a_taken_name_with_one_warning():
    names, warnings = hosts.unique(["web", "web", "db"], [VM0, VM1, VM1])
    assert names == ["web", "web_u1", "db"]
    assert warnings == [
        "viapi.esx.esx: 1 VM(s) got a hostname already taken (web); "
        "they are listed with their instance uuid appended (their BIOS uuid, or endpoint and "
        "moid, where the server gives none)"
    ]
    assert hosts.unique(["a", "b"], [VM0, VM1]) == (["a", "b"], [])


@pytest.mark.parametrize(
    "template, value",
    [("esx_cluster", None), ("esx_cluster or []", []), ("esx_name or  []", "web0"),
     ("esx_name", "web0")],
)  # fmt: skip
def test_bare_value_answers_a_bare_variable_name(template, value):
    assert hosts.bare_value(template, VM0) == value


@pytest.mark.parametrize("template", ["esx_unknown", "esx_name | upper", "esx_name or 'x'", 5])
def test_bare_value_leaves_everything_else_to_templating(template):
    assert hosts.bare_value(template, VM0) is hosts.NOT_BARE


def test_list_options_take_strings_only():
    hosts.strings("filters", ["esx_name", "esx_template"])
    hosts.strings("filters", None)
    for entries, message in (([5], "hostnames[1] must be a string, got 5 (int)"),
                             (["a", False], "hostnames[2] must be a string, got False (bool)")):  # fmt: skip
        with pytest.raises(InvalidArgument) as e:
            hosts.strings("hostnames", entries)
        assert str(e.value) == message
