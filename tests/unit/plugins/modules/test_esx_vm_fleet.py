"""plugins/modules/esx_vm_fleet.py: an entry of `vms` is esx_vm's options, in the argument spec
and in the documentation (type, elements, choices, default, required, at every depth)."""

from __future__ import annotations

import ast
from pathlib import Path

import yaml

from ansible_collections.viapi.esx.plugins.module_utils.module import CONNECTION_ARGS
from ansible_collections.viapi.esx.plugins.modules import esx_vm, esx_vm_fleet

KEYS = ("type", "elements", "choices", "default", "required")


def documentation() -> dict:
    tree = ast.parse(Path(esx_vm_fleet.__file__).read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "DOCUMENTATION":
            return yaml.safe_load(node.value.value)
    raise AssertionError("esx_vm_fleet has no DOCUMENTATION")


def documented_as(spec: dict) -> dict:
    """What the documentation must say of each option of an argument spec."""
    out = {}
    for name, option in spec.items():
        doc = {k: list(v) if isinstance(v, tuple) else v for k, v in option.items() if k in KEYS}
        if "options" in option:
            doc["suboptions"] = documented_as(option["options"])
        out[name] = doc
    return out


def stripped(doc: dict) -> dict:
    """The documented options without their descriptions."""
    out = {}
    for name, option in doc.items():
        kept = {k: v for k, v in option.items() if k in KEYS}
        if "suboptions" in option:
            kept["suboptions"] = stripped(option["suboptions"])
        out[name] = kept
    return out


def test_an_entry_takes_exactly_esx_vm_s_options():
    entry = esx_vm_fleet.ARGS["vms"]
    assert entry["options"] is esx_vm.ARGS  # one spec: they cannot drift
    assert not set(entry["options"]) & set(CONNECTION_ARGS)
    assert entry["required_one_of"] and entry["mutually_exclusive"]


def test_the_entry_documentation_says_what_the_spec_takes():
    options = documentation()["options"]
    assert stripped(options["vms"]["suboptions"]) == documented_as(esx_vm.ARGS)
    assert all(o["description"] for o in options["vms"]["suboptions"].values())
    assert options["parallel"]["default"] == esx_vm_fleet.ARGS["parallel"]["default"]


def test_the_secrets_of_an_entry_are_no_log():
    windows = esx_vm_fleet.ARGS["vms"]["options"]["customization"]["options"]["windows"]["options"]
    assert {k for k, v in windows.items() if v.get("no_log")} == {
        "password", "product_key", "domain_admin_password"
    }  # fmt: skip


def entry(**options) -> dict:
    """An entry of `vms` as Ansible hands it over: every option, unset ones None."""
    return {**dict.fromkeys(esx_vm.ARGS), "use_instance_uuid": False, **options}


def test_a_vm_named_by_two_entries_is_refused_naming_both():
    vms = [entry(name="web-1"), entry(name="web-2"), entry(name="web-1", memory_mb=2048)]
    assert esx_vm_fleet.bad_input({"parallel": 5, "vms": vms}) == (
        "vms[2].name: VM 'web-1' is also vms[0].name; a VM appears once in the list"
    )
    vms = [entry(moid="vm-42"), entry(moid="vm-42", state="absent")]
    assert esx_vm_fleet.bad_input({"parallel": 5, "vms": vms}) == (
        "vms[1].moid: VM 'vm-42' is also vms[0].moid; a VM appears once in the list"
    )
    vms = [entry(uuid="4211AA"), entry(uuid="4211aa")]
    assert esx_vm_fleet.bad_input({"parallel": 1, "vms": vms}).startswith("vms[1].uuid: ")
    # A rename to the name another entry names: which VM that entry finds depends on timing.
    vms = [entry(name="web-1", new_name="web-2"), entry(name="web-2", state="absent")]
    assert esx_vm_fleet.bad_input({"parallel": 5, "vms": vms}) == (
        "vms[1].name: VM 'web-2' is also vms[0].new_name; a VM appears once in the list"
    )
    vms = [entry(name="web-3"), entry(name="web-1", new_name="web-3")]
    assert esx_vm_fleet.bad_input({"parallel": 5, "vms": vms}).startswith(
        "vms[1].new_name: VM 'web-3' is also vms[0].name; "
    )


def test_the_same_name_in_other_folders_or_datacenters_is_other_vms():
    vms = [entry(name="web-1"), entry(name="web-1", folder="prod"),
           entry(name="web-1", datacenter="DC1"), entry(uuid="4211aa", use_instance_uuid=True),
           entry(uuid="4211aa")]  # fmt: skip
    assert esx_vm_fleet.bad_input({"parallel": 5, "vms": vms}) is None
