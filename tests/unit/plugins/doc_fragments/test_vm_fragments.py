"""plugins/doc_fragments/vm_{placement,config,devices,power}.py: esx_vm's options, documented
once each, in the fragment of the request field they fill, with the argument spec's type."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

from ansible_collections.viapi.esx.plugins.doc_fragments import (
    vm_config,
    vm_devices,
    vm_placement,
    vm_power,
)
from ansible_collections.viapi.esx.plugins.module_utils.vm.identify import IDENTITY_ARGS
from ansible_collections.viapi.esx.plugins.module_utils.vm.request import (
    PlacementRequest,
    VmConfig,
    VmRequest,
    field_names,
)
from ansible_collections.viapi.esx.plugins.modules import esx_vm

DEVICES = ("disks", "networks", "cdrom", "cdroms")
FRAGMENTS = {
    "viapi.esx.vm_placement": (vm_placement, set(field_names(PlacementRequest)) - set(IDENTITY_ARGS)),
    "viapi.esx.vm_config": (vm_config, set(field_names(VmConfig)) - set(DEVICES)),
    "viapi.esx.vm_devices": (vm_devices, set(DEVICES)),
    "viapi.esx.vm_power": (vm_power, set(field_names(VmRequest)) - {
        "identity", "config", "placement", "clone", "check_mode", "state", "new_name"}),
}  # fmt: skip


def options(fragment) -> dict:
    return yaml.safe_load(fragment.ModuleDocFragment.DOCUMENTATION)["options"]


def module_doc() -> dict:
    tree = ast.parse(Path(esx_vm.__file__).read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "DOCUMENTATION":
            return yaml.safe_load(node.value.value)
    raise AssertionError("esx_vm has no DOCUMENTATION")


@pytest.mark.parametrize("name", sorted(FRAGMENTS))
def test_each_fragment_documents_its_request_fields_with_the_argspec_type(name):
    fragment, fields = FRAGMENTS[name]
    documented = options(fragment)
    assert set(documented) == fields
    for option, doc in documented.items():
        spec = esx_vm.ARGS[option]
        assert doc["type"] == spec["type"], option
        assert doc.get("default") == spec.get("default"), option
        assert set(doc.get("suboptions", {})) == set(spec.get("options", {})), option


def test_esx_vm_takes_the_fragments_and_documents_none_of_their_options_itself():
    doc = module_doc()
    assert set(FRAGMENTS) <= set(doc["extends_documentation_fragment"])
    own = set(doc["options"])
    for fragment, _fields in FRAGMENTS.values():
        assert not own & set(options(fragment)), "documented twice: wording drifts"
    assert own == {"state", "new_name"}
