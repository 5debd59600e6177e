"""vm/power.py: the power steps from each state to the one `state` asks for."""

from __future__ import annotations

import pytest
from test_spec import plan

from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import InvalidArgument
from ansible_collections.viapi.esx.plugins.module_utils.vm import power
from ansible_collections.viapi.esx.plugins.module_utils.vm.request import VmIdentity, VmRequest

NOTHING = plan()  # no configuration change
COLD = plan(num_cpus=4)  # a change that needs the VM off


def steps(current, state, p=NOTHING, tools="ok", template=False, **options):
    facts = {"name": "web", "power_state": current, "tools_status": tools, "template": template}
    return power.power_steps(facts, p, VmRequest(VmIdentity(name="web"), state=state, **options))


@pytest.mark.parametrize(
    "power, state, expected",
    [
        ("powered_on", "present", ([], [])),
        ("powered_off", "powered_on", ([], ["power_on"])),
        ("suspended", "powered_on", ([], ["power_on"])),
        ("powered_on", "powered_off", (["power_off"], [])),
        ("suspended", "powered_off", (["power_off"], [])),
        ("powered_off", "powered_off", ([], [])),
        ("powered_on", "suspended", ([], ["suspend"])),
        ("suspended", "suspended", ([], [])),
        ("powered_on", "restarted", ([], ["reset"])),
        ("powered_off", "restarted", ([], ["power_on"])),
        ("powered_on", "shutdown_guest", (["shutdown_guest"], [])),
        ("powered_off", "shutdown_guest", ([], [])),
        ("powered_on", "reboot_guest", ([], ["reboot_guest"])),
        ("powered_off", "reboot_guest", ([], ["power_on"])),
    ],
)  # fmt: skip
def test_power_steps(power, state, expected):
    assert steps(power, state) == expected


def test_guest_operations_without_tools_fail_or_force():
    for state in ("shutdown_guest", "reboot_guest"):
        with pytest.raises(InvalidArgument, match="VMware Tools are not running.*set force: true"):
            steps("powered_on", state, tools="not_running")
    assert steps("powered_on", "shutdown_guest", tools="not_installed", force=True) == (
        ["power_off"],
        [],
    )
    assert steps("powered_on", "reboot_guest", tools=None, force=True) == ([], ["reset"])
    assert steps("suspended", "shutdown_guest", force=True) == (["power_off"], [])
    with pytest.raises(InvalidArgument, match="it is suspended"):
        steps("suspended", "shutdown_guest")


def test_cold_changes_need_allow_power_cycle_and_restore_the_state():
    with pytest.raises(InvalidArgument) as e:
        steps("powered_on", "present", COLD)
    assert "changing num_cpus needs VM 'web' powered off (it is powered_on)" in str(e.value)
    assert "allow_power_cycle: true" in str(e.value)
    assert steps("powered_on", "present", COLD, allow_power_cycle=True) == (
        ["power_off"],
        ["power_on"],
    )
    assert steps("powered_on", "powered_on", COLD, allow_power_cycle=True) == (
        ["power_off"],
        ["power_on"],
    )
    assert steps("powered_on", "suspended", COLD, allow_power_cycle=True) == (
        ["power_off"], ["power_on", "suspend"])  # fmt: skip
    assert steps("powered_on", "restarted", COLD) == (["power_off"], ["power_on"])
    assert steps("powered_on", "reboot_guest", COLD) == (["shutdown_guest"], ["power_on"])
    assert steps("powered_off", "present", COLD) == ([], [])
    assert steps("powered_on", "powered_off", COLD) == (["power_off"], [])


def test_suspended_vms_and_templates():
    with pytest.raises(
        InvalidArgument, match="VM 'web' is suspended; changing memory_mb needs it powered off"
    ):
        steps("suspended", "present", plan(memory_mb=4096), allow_power_cycle=True)
    assert steps("suspended", "present", plan(annotation="ok")) == ([], [])
    with pytest.raises(InvalidArgument, match="powered off; it cannot be suspended"):
        steps("powered_off", "suspended")
    with pytest.raises(InvalidArgument, match="is a template; state powered_on needs a VM"):
        steps("powered_off", "powered_on", template=True)
