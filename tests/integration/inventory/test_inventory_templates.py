"""viapi.esx.esx after esx_vm's is_template: esx_template follows the server both ways."""

from __future__ import annotations

from ansible_run import run_module
from inventory_run import endpoint, run_inventory, write_config


def esx_vm(sim, **args) -> None:
    result = run_module("esx_vm", args, sim=sim)
    assert not result.failed, result.get("msg") or result.stdout[-2000:]


def test_esx_template_follows_is_template(vcsim_factory, tmp_path):
    sim = vcsim_factory()
    name = "DC0_H0_VM0"
    esx_vm(sim, name=name, state="powered_off")
    config = write_config(tmp_path, dict(endpoint(sim), include_templates=True))
    esx_vm(sim, name=name, is_template=True)
    inventory = run_inventory(config)
    assert inventory.rc == 0, inventory.output
    assert inventory.hostvars[name]["esx_template"] is True
    without = run_inventory(write_config(tmp_path, endpoint(sim), name="plain.esx.yml"))
    assert name not in without.hostvars  # templates are listed only with include_templates
    esx_vm(sim, name=name, is_template=False)
    inventory = run_inventory(config)
    assert inventory.hostvars[name]["esx_template"] is False
    assert (
        name in run_inventory(write_config(tmp_path, endpoint(sim), name="plain.esx.yml")).hostvars
    )
