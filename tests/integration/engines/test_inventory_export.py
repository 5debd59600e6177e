"""`ansible-inventory --list --export` of viapi.esx.esx (what AWX's inventory import runs):
every VM with its variables and groups, as the server has them."""

from __future__ import annotations

import pytest
from inventory_run import endpoint, expected_vars, run_inventory, server_vms, write_config


@pytest.fixture(scope="module")
def fleet(vcsim_factory):
    return vcsim_factory("--guest-ips", "2")


def test_export_lists_every_vm_with_its_variables_and_groups(fleet, tmp_path):
    config = write_config(tmp_path, endpoint(fleet))
    exported = run_inventory(config, "--export")
    assert exported.rc == 0, exported.output
    vms = server_vms(fleet)
    assert exported.hosts == sorted(vms) and len(vms) == 4
    for name, vm in vms.items():
        for key, value in expected_vars(vm, fleet).items():
            assert exported.hostvars[name][key] == value, (name, key)
    for name, vm in vms.items():
        power = expected_vars(vm, fleet)["esx_power_state"]
        assert name in exported.groups[f"power_state_{power}"]
    # The groups hang below `all` as children, as AWX imports them.
    assert set(exported.groups) <= set(exported.raw["all"]["children"])
    # --export gives what --list gives (the plugin sets host variables only).
    listed = run_inventory(config)
    assert (listed.hostvars, listed.groups) == (exported.hostvars, exported.groups)
    assert fleet.password not in exported.output
