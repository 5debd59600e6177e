"""plugins/inventory/esx.py without a server: file names, the expression fast path, hostnames
and filters (templated with ansible-core's own templar)."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleError
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.inventory import Constructable
from ansible.template import Templar

try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core < 2.19 templates every string: there is no trust to mark

    def trust_as_template(value):
        return value


from ansible_collections.viapi.esx.plugins.inventory.esx import InventoryModule

VM0 = {"esx_name": "web0", "esx_cluster": None, "esx_guest_hostname": None, "esx_moid": "vm-1",
       "esx_instance_uuid": "u0", "esx_num_cpus": 2}  # fmt: skip
VM1 = {"esx_name": "db1", "esx_cluster": "C0", "esx_guest_hostname": "db1.lab", "esx_moid": "vm-2",
       "esx_instance_uuid": "u1", "esx_num_cpus": 8}  # fmt: skip


class Display:
    def __init__(self):
        self.warnings = []

    def warning(self, msg):
        self.warnings.append(msg)

    def v(self, msg):
        pass


def plugin(**options) -> InventoryModule:
    """The plugin with options set as the config file would (expressions trusted)."""
    p = InventoryModule()
    p.loader = DataLoader()
    p.display = Display()
    if not hasattr(p, "templar"):  # ansible-core < 2.19 makes it in parse()
        p.templar = Templar(loader=p.loader)
    base = {"use_extra_vars": False, "strict": False, "hostnames": ["name"], "filters": []}
    base.update(options)
    for key in ("hostnames", "filters"):
        base[key] = [trust_as_template(e) for e in base[key]]
    p._options = base
    p._strict = base["strict"]
    return p


@pytest.mark.parametrize(
    "path, wanted",
    [("inv.esx.yml", True), ("esx.yaml", True), ("x/esx.yml", True), ("inv.vmware.yml", False),
     ("esx.yml.bak", False), ("esx.json", False)],
)  # fmt: skip
def test_verify_file_takes_esx_yml_and_esx_yaml(tmp_path, path, wanted):
    target = tmp_path / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("plugin: viapi.esx.esx\n")
    assert plugin().verify_file(str(target)) is wanted


@pytest.mark.parametrize(
    "expression",
    ["esx_cluster", "esx_cluster or []", "esx_name", "esx_num_cpus", "esx_name or []",
     "esx_num_cpus * 2", "esx_cluster | default('none', true)"],
)  # fmt: skip
@pytest.mark.parametrize(
    "variables", [VM0, VM1, {"esx_cluster": "", "esx_name": "", "esx_num_cpus": 0}]
)
def test_the_fast_path_gives_what_jinja2_gives(expression, variables):
    p = plugin()
    template = trust_as_template(expression)
    assert p._compose(template, variables) == Constructable._compose(p, template, variables)


def test_the_fast_path_stays_off_with_extra_vars():
    p = plugin(use_extra_vars=True)
    p._vars = {"esx_cluster": "from-extra-vars"}
    assert p._compose(trust_as_template("esx_cluster"), VM1) == "from-extra-vars"


def test_hostnames_first_non_empty_entry_wins():
    p = plugin(hostnames=["guest_hostname", "esx_moid + '-' + esx_name"])
    assert p._hostnames([VM1, VM0]) == ["db1.lab", "vm-1-web0"]
    assert p.display.warnings == []  # an empty value is no failure


def test_hostnames_fall_back_to_the_vm_name_and_skip_failing_entries():
    p = plugin(hostnames=["guest_hostname", "esx_nothing.upper()"])
    assert p._hostnames([VM0]) == ["web0"]


def test_a_failing_hostnames_entry_is_one_warning_naming_the_first_vm():
    p = plugin(hostnames=["esx_nothing.upper()", "esx_moid"])
    assert p._hostnames([VM0, VM1, dict(VM0, esx_name="web2")]) == ["vm-1", "vm-2", "vm-1"]
    (warning,) = p.display.warnings
    assert "hostnames: 'esx_nothing.upper()' could not be evaluated for 3 VM(s)" in warning
    assert "named by the next entry (first: web0: " in warning


def test_hostnames_failure_is_fatal_with_strict():
    p = plugin(hostnames=["esx_nothing.upper()"], strict=True)
    with pytest.raises(
        AnsibleError, match="hostnames: 'esx_nothing.upper\\(\\)' failed for VM web0"
    ):
        p._hostnames([VM0])


def test_filters_keep_a_vm_only_when_all_are_true():
    p = plugin(filters=["esx_num_cpus > 1", "esx_cluster is not none"])
    assert p._filtered([VM0, VM1]) == [VM1]
    p = plugin(filters=["esx_num_cpus > 1", "esx_name.startswith('web')"])
    assert p._filtered([VM0, VM1]) == [VM0]
    assert p.display.warnings == []


def test_a_failing_filter_leaves_the_vm_out_with_one_warning():
    p = plugin(filters=["esx_cluster.startswith('C')"])
    assert p._filtered([VM0, VM1, dict(VM0, esx_name="web2")]) == [VM1]
    (warning,) = p.display.warnings
    assert "could not be evaluated for 2 VM(s)" in warning and "first: web0" in warning


def test_a_failing_filter_is_fatal_with_strict():
    p = plugin(filters=["esx_cluster.startswith('C')"], strict=True)
    with pytest.raises(AnsibleError, match="failed for VM web0"):
        p._filtered([VM0, VM1])
