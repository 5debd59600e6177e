"""guest_id and hardware_version against what the host offers (its EnvironmentBrowser), in check
mode and real runs alike: an unknown value fails naming the option and the nearest valid values,
and the server is left exactly as it was (read through vm_server, not through esx_vm).
"""

from __future__ import annotations

import pytest
from test_esx_vm import new_vm
from vm_runs import ok, vm_run


def refused_in_both_modes(server, sim, args: dict, fragments: tuple) -> None:
    snapshot, tasks = server.snapshot(), server.tasks()
    for check in (True, False):
        result = vm_run(sim, args, check=check, diff=False)
        assert result.failed, (check, result.result)
        assert result.get("changed") in (None, False)
        for fragment in fragments:
            assert fragment in result["msg"], (check, result["msg"])
    assert server.snapshot() == snapshot, "a refused run changed the server"
    assert server.tasks() == tasks, "a refused run started a task"


@pytest.fixture(scope="module")
def existing(server, sim, model):
    """One VM the tests try to change."""
    ok(vm_run(sim, new_vm(model, "o-existing")))
    return "o-existing"


def test_an_unknown_guest_id_for_an_existing_vm(server, sim, existing):
    refused_in_both_modes(
        server, sim, {"name": existing, "guest_id": "bogusGuest"},
        ("guest_id: 'bogusGuest' is not offered by host '", "the nearest offered: "),
    )  # fmt: skip


def test_a_guest_id_one_letter_off_names_the_right_one(server, sim, existing):
    result = vm_run(sim, {"name": existing, "guest_id": "ubuntu64Gest"}, check=True)
    assert result.failed
    nearest = result["msg"].split("the nearest offered: ", 1)[1].split(", ")
    assert nearest[0] == "ubuntu64Guest", result["msg"]


def test_an_unknown_hardware_version_for_an_existing_vm(server, sim, existing):
    refused_in_both_modes(
        server, sim, {"name": existing, "hardware_version": "vmx-99"},
        ("hardware_version: 'vmx-99' is not offered by host '", "to upgrade to", "nearest offered"),
    )  # fmt: skip


def test_an_unknown_guest_id_or_version_for_a_new_vm(server, sim, model):
    for extra, fragment in (
        ({"guest_id": "bogusGuest"}, "guest_id: 'bogusGuest' is not offered by "),
        ({"hardware_version": "vmx-99"}, "hardware_version: 'vmx-99' is not offered by "),
    ):
        refused_in_both_modes(server, sim, new_vm(model, "o-new", **extra), (fragment,))
    assert server.vm("o-new") is None


def test_what_the_host_offers_is_accepted(server, sim, model, existing):
    """The values the host lists pass: a guest id change and a version it creates."""
    result = ok(vm_run(sim, {"name": existing, "guest_id": "ubuntu64Guest"}))
    assert result["changes"] == ["guest_id"]
    assert server.props(server.vm(existing), ["config.guestId"]) == {
        "config.guestId": "ubuntu64Guest"
    }
    made = ok(vm_run(sim, new_vm(model, "o-offered", hardware_version="vmx-13")))
    assert made["vm"]["hardware_version"] == "vmx-13"
