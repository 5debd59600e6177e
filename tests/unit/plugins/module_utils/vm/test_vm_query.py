"""esx_vm_info's runner: the properties option is checked before anything is sent."""

from __future__ import annotations

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import InvalidArgument, make_fault
from ansible_collections.viapi.esx.plugins.module_utils.vm.query import (
    check_properties,
    refused_property,
    run,
    snapshots_selected,
)
from ansible_collections.viapi.esx.plugins.module_utils.vm.request import VmQuery


@pytest.mark.parametrize(
    "path",
    ["name", "config.hardware.numCPU", "summary.quickStats.overallCpuUsage",
     'config.extraConfig["guestinfo.ip"]', "config.hardware.device[4000]"],
)  # fmt: skip
def test_property_paths_accepted(path):
    assert check_properties([path]) == [path]


@pytest.mark.parametrize(
    "path", ["config bad", "", ".name", "config..uuid", "9lives", "a.b[", "x;y"]
)
def test_property_paths_refused_naming_the_option(path):
    with pytest.raises(InvalidArgument, match=r"^properties: '.*' is not a VI property path"):
        check_properties([path])


class RefusingClient:
    """A client whose server answers every read with InvalidProperty (as vCenter does)."""

    content = {"propertyCollector": None, "rootFolder": None, "viewManager": None}
    is_vcenter = True

    def call(self, obj, method, **args):
        raise make_fault("InvalidProperty", "config.nope", {"name": "config.nope"})


def test_a_property_the_server_does_not_know_names_the_option():
    with pytest.raises(
        InvalidArgument, match=r"^properties: the server knows no such VirtualMachine property"
    ):
        run(RefusingClient(), VmQuery(properties=("config.nope",)))


def test_a_refused_path_names_the_option_and_the_path():
    error = make_fault("InvalidProperty", "config.nosuch", {"name": "config.nosuch"})
    assert str(refused_property(error, ["config.nosuch", "runtime.host"])) == (
        "properties: the server knows no such VirtualMachine property (config.nosuch); "
        "asked for config.nosuch, runtime.host"
    )
    assert refused_property(error, []) is None


def test_without_properties_a_refusal_is_the_servers_fault():
    with pytest.raises(type(make_fault("InvalidProperty", ""))):
        run(RefusingClient(), VmQuery(properties=()))


def _snapshotted(created: str | None) -> dict:
    nodes = [] if created is None else [{"name": "s", "created": created, "children": []}]
    return {"snapshots": nodes, "snapshot_count": len(nodes)}


# Server clock 2026-12-04T00:00:00Z: three days after the snapshot below.
SERVER_NOW = 1796342400.0


@pytest.mark.parametrize(
    "query, created, selected",
    [
        (VmQuery(has_snapshots=True), "2026-12-01T00:00:00+00:00", True),
        (VmQuery(has_snapshots=True), None, False),
        (VmQuery(has_snapshots=False), None, True),
        (VmQuery(has_snapshots=False), "2026-12-01T00:00:00+00:00", False),
        (VmQuery(snapshot_older_than_days=2), "2026-12-01T00:00:00+00:00", True),
        (VmQuery(snapshot_older_than_days=3), "2026-12-01T00:00:00+00:00", False),
        (VmQuery(snapshot_older_than_days=0), None, False),
        (VmQuery(), None, True),
    ],
)  # fmt: skip
def test_snapshot_filters_use_the_time_given(query, created, selected):
    assert snapshots_selected(_snapshotted(created), query, SERVER_NOW) is selected


def test_a_negative_age_names_the_option():
    with pytest.raises(InvalidArgument, match="^snapshot_older_than_days: -1 is negative$"):
        run(RefusingClient(), VmQuery(snapshot_older_than_days=-1))


def test_an_age_with_has_snapshots_false_names_both_options():
    with pytest.raises(InvalidArgument, match="^snapshot_older_than_days: 3 keeps VMs that have "
                       "snapshots, and has_snapshots is false$"):  # fmt: skip
        run(RefusingClient(), VmQuery(has_snapshots=False, snapshot_older_than_days=3))
