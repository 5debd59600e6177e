"""The inventory's names and `properties` errors: an escaped name reads as the user wrote it, and
a property path the server refuses is an error naming the option, never a silent null."""

from __future__ import annotations

from ansible_run import run_module
from inventory_run import client, endpoint, label, run_inventory, write_config

from ansible_collections.viapi.esx.plugins.module_utils.vi.collector import collect

NAMES = ["pct%2fx", "slash/and\\back"]


def test_hostnames_of_vms_with_escaped_names_read_as_written(vcsim_factory, tmp_path):
    sim = vcsim_factory("--esx")
    for name in NAMES:
        created = run_module("esx_vm", {"name": name, "guest_id": "otherGuest64"}, sim=sim)
        assert not created.failed and created["changed"] is True, created.get("msg")
    with client(sim) as c:
        held = {p["name"] for _r, p in collect(c, {"VirtualMachine": ["name"]})}
    assert {"pct%252fx", "slash%2fand%5cback"} <= held
    inventory = run_inventory(write_config(tmp_path, endpoint(sim)))
    assert inventory.rc == 0, inventory.output
    for name in NAMES:
        assert name in inventory.hosts
        assert inventory.hostvars[name]["esx_name"] == name
    assert "pct/x" not in inventory.hosts


def test_a_property_the_server_refuses_names_the_option(fleet_esx, tmp_path):
    options = dict(endpoint(fleet_esx), properties=["config.nosuch", "config.cpuHotAddEnabled"])
    warned = run_inventory(write_config(tmp_path, options))
    assert warned.rc == 0, warned.output
    assert warned.hosts == [], "the VMs were listed with a null for the refused path"
    message = (
        f"endpoint {label(fleet_esx)} could not be read: properties: the server knows no such "
        "VirtualMachine property (config.nosuch)"
    )
    assert message in warned.stderr.replace("\n", " ")
    strict = run_inventory(
        write_config(tmp_path, dict(options, strict=True)),
        env={"ANSIBLE_INVENTORY_UNPARSED_FAILED": "true"},
    )
    assert strict.rc != 0 and "properties: the server knows no such" in strict.stderr
    assert "Traceback" not in strict.output


def test_a_property_without_a_value_is_null(fleet_esx, tmp_path):
    """A path the type has but the VM leaves unset is null, not an error."""
    options = dict(endpoint(fleet_esx), properties=["config.annotation", "guest.ipStack"])
    inventory = run_inventory(write_config(tmp_path, options))
    assert inventory.rc == 0, inventory.output
    assert len(inventory.hosts) == 2
    for vars_ in inventory.hostvars.values():
        assert "esx_vi_guest_ipStack" in vars_ and "esx_vi_config_annotation" in vars_
