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
