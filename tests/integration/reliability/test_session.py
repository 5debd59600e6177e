"""A session terminated mid-run: one relogin and the work completes; twice in a row: a clear error."""

from __future__ import annotations

import re

import pytest
from fakeserver import fault, moref, ok
from faultproxy import HOOK, Request

from ansible_collections.viapi.esx.plugins.module_utils.vi import collector, faults
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vi.tasks import wait_for_task

from .helpers import client_for, vm_names
from .test_task_submit import create_vm_args

NOT_AUTHENTICATED = fault(
    "NotAuthenticated",
    "The session is not authenticated.",
    '<object type="Folder">group-d1</object><privilegeId>System.View</privilegeId>',
)


def session_key(req: Request) -> str:
    """The session key in a request's vmware_soap_session cookie."""
    m = re.search(r'vmware_soap_session="?([^";]+)', req.header("Cookie") or "")
    assert m, f"no session cookie in {req.method}"
    return m.group(1)


def terminate_caller(sim):
    """A proxy hook: an administrator ends the caller's session before its request goes on."""

    def hook(req: Request) -> None:
        with client_for(sim) as admin:
            sm = admin.content["sessionManager"]
            admin.call(sm, "TerminateSession", sessionId=[session_key(req)])

    return hook


def test_session_terminated_before_a_task_submit(sim, proxy):
    """The submit is refused (NotAuthenticated), the client logs in once more, the VM is created."""
    with client_for(proxy, sim) as client:
        folder, args = create_vm_args(client, "after-relogin")
        proxy.next(HOOK, method="CreateVM_Task", hook=terminate_caller(sim))
        vm = wait_for_task(client, client.call(folder, "CreateVM_Task", **args), timeout=120)
    assert proxy.count("Login") == 2 and proxy.count("CreateVM_Task") == 2
    assert vm_names(sim).count("after-relogin") == 1
    with client_for(sim) as direct:
        assert collector.get_one(direct, vm, ["name"])["name"] == "after-relogin"


def test_session_terminated_before_a_read(sim, proxy):
    """A read without a session is answered again after one relogin, with the server's data."""
    with client_for(proxy, sim) as client:
        proxy.next(HOOK, method="RetrievePropertiesEx", hook=terminate_caller(sim))
        rows = collector.walk_vm_tree(client, {"VirtualMachine": ["name"]})
        names = [p["name"] for ref, p in rows if ref.type == "VirtualMachine"]
    assert sorted(names) == sorted(vm_names(sim)) and names
    assert proxy.count("Login") == 2


def test_session_terminated_between_view_and_read(sim, proxy):
    """The ContainerView died with the session: collect() makes a new one, once."""
    with client_for(proxy, sim) as client:
        proxy.next(HOOK, method="RetrievePropertiesEx", hook=terminate_caller(sim))
        names = [p["name"] for _ref, p in collector.collect(client, {"VirtualMachine": ["name"]})]
    assert sorted(names) == sorted(vm_names(sim)) and names
    assert proxy.count("Login") == 2 and proxy.count("CreateContainerView") == 2


def test_session_terminated_while_waiting_for_a_task(sim, proxy):
    """The wait's private collector died with the session: the wait goes on in the new one."""
    with client_for(proxy, sim) as client:
        folder, args = create_vm_args(client, "wait-relogin")
        task = client.call(folder, "CreateVM_Task", **args)
        proxy.next(HOOK, method="WaitForUpdatesEx", hook=terminate_caller(sim))
        vm = wait_for_task(client, task, timeout=120)
    assert proxy.count("Login") == 2
    with client_for(sim) as direct:
        assert collector.get_one(direct, vm, ["name"])["name"] == "wait-relogin"


def test_second_not_authenticated_in_a_row_is_a_clear_failure(fake):
    """Refused again right after a fresh login: one relogin, then an error that says so."""
    fake.on("RetrievePropertiesEx", NOT_AUTHENTICATED)
    with client_for(fake) as client, pytest.raises(faults.NotAuthenticated) as err:
        collector.walk_vm_tree(client, {"VirtualMachine": ["name"]})
    assert "refused again right after a fresh login" in str(err.value)
    assert fake.count("Login") == 2 and fake.count("RetrievePropertiesEx") == 2


def test_relogin_refused_is_a_clear_failure(fake):
    """The password changed while we ran: the relogin's InvalidLogin is the error, once."""
    fake.on("CreateContainerView", NOT_AUTHENTICATED)
    ok_login = fake._script["Login"][0]
    fake.on("Login", ok_login, fault("InvalidLogin", "Cannot complete login due to an incorrect "
                                     "user name or password."))  # fmt: skip
    with client_for(fake) as client, pytest.raises(faults.InvalidLogin, match="incorrect user"):
        collector.collect(client, {"VirtualMachine": ["name"]})
    assert fake.count("Login") == 2 and fake.count("CreateContainerView") == 1


def test_task_wait_renews_its_collector_a_bounded_number_of_times(fake):
    """A collector that is gone every time: two renewals, then the error (never a loop)."""
    fake.on("CreatePropertyCollector", moref("CreatePropertyCollector", "PropertyCollector", "pc"))
    fake.on("CreateFilter", moref("CreateFilter", "PropertyFilter", "filter"))
    fake.on("WaitForUpdatesEx", fault("ManagedObjectNotFound", "The object has already been "
                                      "deleted", '<obj type="PropertyCollector">pc</obj>'))  # fmt: skip
    fake.on("DestroyPropertyCollector", ok("DestroyPropertyCollector"))
    with client_for(fake) as client, pytest.raises(faults.ManagedObjectNotFound):
        wait_for_task(client, MoRef("Task", "task-1"), timeout=60)
    assert fake.count("CreatePropertyCollector") == 3 and fake.count("WaitForUpdatesEx") == 3
