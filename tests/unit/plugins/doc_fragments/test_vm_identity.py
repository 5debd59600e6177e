"""plugins/doc_fragments/vm_identity.py: documents IDENTITY_ARGS exactly, once for all modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

from ansible_collections.viapi.esx.plugins.doc_fragments.vm_identity import ModuleDocFragment
from ansible_collections.viapi.esx.plugins.module_utils.vm import identify
from ansible_collections.viapi.esx.plugins.module_utils.vm.identify import IDENTITY_ARGS

MODULES = Path(identify.__file__).resolve().parents[2] / "modules"
# Every module whose argument spec takes the identity options (esx_vm's comes whole from
# vm/options.py, which holds IDENTITY_ARGS).
TAKES = ("IDENTITY_ARGS", "vm.options import ARGS,")
USERS = sorted(p.stem for p in MODULES.glob("*.py") if any(t in p.read_text() for t in TAKES))
OPTIONS = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]


def documentation(module: str) -> dict:
    tree = ast.parse((MODULES / f"{module}.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "DOCUMENTATION":
            return yaml.safe_load(node.value.value)
    raise AssertionError(f"{module} has no DOCUMENTATION")


def test_the_fragment_documents_every_identity_option_with_its_type_and_default():
    assert list(OPTIONS) == list(IDENTITY_ARGS)
    for name, spec in IDENTITY_ARGS.items():
        assert OPTIONS[name]["type"] == spec["type"], name
        assert OPTIONS[name].get("default") == spec.get("default"), name
        assert OPTIONS[name]["description"], name


def test_the_vm_modules_take_the_identity_options():
    assert {"esx_vm", "esx_vm_info", "esx_migrate"} <= set(USERS)


@pytest.mark.parametrize("module", USERS)
def test_each_module_takes_the_options_from_the_fragment_and_does_not_redefine_them(module):
    doc = documentation(module)
    assert "viapi.esx.vm_identity" in doc["extends_documentation_fragment"]
    assert not set(doc["options"]) & set(IDENTITY_ARGS), "documented twice: wording drifts"
