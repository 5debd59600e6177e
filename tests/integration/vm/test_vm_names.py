"""Names with '%', '/' and '\\' on vCenter and ESXi: what the user writes is what they read back.

vSphere keeps those characters of an entity name escaped (%25, %2f, %5c; ManagedEntity.name):
esx_vm sends the name escaped, so the server holds the escaped form (read here through the
independent reader), and every lookup and every returned name is the name as written.
"""

from __future__ import annotations

import pytest
from ansible_run import run_module
from vm_runs import MODELS, ok, vm_run


def new_vm(model: str, name: str) -> dict:
    return {"name": name, "guest_id": "otherGuest64", "memory_mb": 128, **MODELS[model]["place"]}


def info_names(sim, name: str) -> list[str]:
    result = run_module("esx_vm_info", {"name": name}, sim=sim)
    assert not result.failed, result.get("msg")
    return [vm["name"] for vm in result["vms"]]


def held(server, name: str) -> list[str]:
    """The moids of the VMs whose name, as the server holds it, is `name`."""
    return [ref.value for ref, p in server.vms().items() if p.get("name") == name]


def test_a_percent_name_is_created_once(server, sim, model):
    args = new_vm(model, "pct%2fx")
    first = ok(vm_run(sim, args))
    assert first["changed"] is True and first["vm"]["name"] == "pct%2fx"
    again = ok(vm_run(sim, args))
    assert again["changed"] is False, again.get("changes")
    assert held(server, "pct%252fx") == [first["vm"]["moid"]]
    assert held(server, "pct%2fx") == []
    assert info_names(sim, "pct%2fx") == ["pct%2fx"]
    assert info_names(sim, "pct/x") == []
    ok(vm_run(sim, {"name": "pct%2fx", "state": "absent"}))
    assert held(server, "pct%252fx") == []


@pytest.mark.parametrize("name", ["slash/in-name", "back\\slash", "all/of\\them%"])
def test_a_slash_or_backslash_round_trips(server, sim, model, name):
    escaped = name.replace("%", "%25").replace("/", "%2f").replace("\\", "%5c")
    created = ok(vm_run(sim, new_vm(model, name)))
    assert created["changed"] is True
    assert held(server, escaped) == [created["vm"]["moid"]]
    assert created["vm"]["name"] == name
    assert ok(vm_run(sim, new_vm(model, name)))["changed"] is False
    assert info_names(sim, name) == [name]
    removed = ok(vm_run(sim, {"name": name, "state": "absent"}))
    assert removed["changed"] is True
    assert held(server, escaped) == []


def test_new_name_is_sent_escaped(server, sim, model):
    created = ok(vm_run(sim, new_vm(model, "ren-old")))
    moid = created["vm"]["moid"]
    renamed = ok(vm_run(sim, {"moid": moid, "new_name": "ren/new%2f"}))
    assert renamed["changed"] is True and renamed["vm"]["name"] == "ren/new%2f"
    assert held(server, "ren%2fnew%252f") == [moid]
    again = ok(vm_run(sim, {"moid": moid, "new_name": "ren/new%2f"}))
    assert again["changed"] is False, again.get("changes")
    assert info_names(sim, "ren/new%2f") == ["ren/new%2f"]
    ok(vm_run(sim, {"moid": moid, "state": "absent"}))
