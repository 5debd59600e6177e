"""viapi.esx.esx snapshot variables: esx_snapshot_count and esx_current_snapshot, for groups.

The snapshots are made with the VI client's own calls, and the expectations come from the
server's raw `snapshot` property, not from the facts code the plugin uses.
"""

from __future__ import annotations

import pytest
from inventory_run import call_task, client, endpoint, run_inventory, write_config

from ansible_collections.viapi.esx.plugins.module_utils.vi.collector import collect


@pytest.fixture(scope="module")
def snapshotted(vcsim_factory):
    """A vCenter model whose first VM has two snapshots in a row (its own: this reshapes it)."""
    sim = vcsim_factory()
    with client(sim) as c:
        rows = sorted(collect(c, {"VirtualMachine": ["name"]}), key=lambda r: r[1]["name"])
    ref, props = rows[0]
    for name in ("base", "later"):
        call_task(sim, ref.value, "CreateSnapshot_Task", name=name, description="",
                  memory=False, quiesce=False)  # fmt: skip
    with client(sim) as c:
        info = dict(collect(c, {"VirtualMachine": ["snapshot"]}))[ref]["snapshot"]
    return sim, props["name"], info["currentSnapshot"].value


def test_snapshot_variables_and_groups(snapshotted, tmp_path):
    sim, name, current = snapshotted
    options = endpoint(sim)
    options.update(
        groups={"has_snapshots": "esx_snapshot_count > 0"},
        keyed_groups=[{"key": "esx_current_snapshot.name | default([])", "prefix": "snapshot"}],
    )
    inventory = run_inventory(write_config(tmp_path, options))
    assert inventory.rc == 0, inventory.output
    variables = inventory.hostvars[name]
    assert variables["esx_snapshot_count"] == 2
    assert variables["esx_current_snapshot"] == {
        "name": "later",
        "path": "base/later",
        "id": current,
    }
    assert [n["name"] for n in variables["esx_snapshots"]] == ["base"]
    assert inventory.groups["has_snapshots"] == [name]
    assert inventory.groups["snapshot_later"] == [name]
    others = [h for h in inventory.hosts if h != name]
    assert others and all(inventory.hostvars[h]["esx_snapshot_count"] == 0 for h in others)
    assert all(inventory.hostvars[h]["esx_current_snapshot"] is None for h in others)
