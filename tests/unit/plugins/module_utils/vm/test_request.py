"""vm/request.py: the request types line up with the options the modules copy into them."""

from __future__ import annotations

from ansible_collections.viapi.esx.plugins.module_utils.vm import hardware, spec
from ansible_collections.viapi.esx.plugins.module_utils.vm.identify import IDENTITY_ARGS
from ansible_collections.viapi.esx.plugins.module_utils.vm.request import (
    VmConfig,
    VmIdentity,
    VmRequest,
    field_names,
)


def test_the_identity_is_exactly_the_identity_options():
    # esx_vm, esx_vm_info and esx_migrate build a VmIdentity from these options by name.
    assert set(field_names(VmIdentity)) == set(IDENTITY_ARGS)
    assert VmIdentity().use_instance_uuid is IDENTITY_ARGS["use_instance_uuid"]["default"]


def test_the_config_holds_every_option_spec_manages():
    managed = (
        *spec.SCALARS,
        "disks",
        "networks",
        "cdroms",
        *hardware.OPTIONS,
        "extra_config",
        "vapp_properties",
        "custom_attributes",
        "create_custom_attributes",
    )
    assert set(field_names(VmConfig)) == {*managed, "cdrom"}
    # cdrom is the one-entry form of cdroms: the runner sees one list.
    assert spec.desired(VmConfig()) == dict.fromkeys(managed)


def test_a_request_defaults_to_present_and_a_real_run():
    request = VmRequest(VmIdentity(name="web"))
    assert (request.state, request.check_mode, request.new_name) == ("present", False, None)
    assert (request.guest_timeout, request.wait_timeout) == (300, 3600)
