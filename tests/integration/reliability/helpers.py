"""Shared helpers of the reliability tests: clients on an endpoint, independent server reads."""

from __future__ import annotations

from ansible_collections.viapi.esx.plugins.module_utils.vi import collector
from ansible_collections.viapi.esx.plugins.module_utils.vi.retry import NO_DELAY, Backoff
from ansible_collections.viapi.esx.plugins.module_utils.vi.session import Client

# What the client uses by default; tests that count attempts read the bound from here.
DEFAULT_BACKOFF = Backoff()


def client_for(
    endpoint, sim=None, backoff: Backoff = NO_DELAY, password: str | None = None, **kwargs
) -> Client:
    """A client on `endpoint` (a proxy, fake server or simulator) with `sim`'s credentials."""
    creds = sim or endpoint
    kwargs.setdefault("ca_path", endpoint.ca_path)
    kwargs.setdefault("timeout", 30)
    return Client(
        endpoint.host,
        getattr(creds, "username", "viapi"),
        password or getattr(creds, "password", "viapi-secret"),
        port=endpoint.port,
        backoff=backoff,
        **kwargs,
    )


def connect_and_close(client: Client) -> None:
    """Log in and out (raises what connecting raises)."""
    with client:
        pass


def session_keys(sim) -> set[str]:
    """Keys of every session on `sim` except the reader's own (read directly, not via a proxy)."""
    with client_for(sim) as c:
        sm = c.content["sessionManager"]
        props = collector.get_one(c, sm, ["sessionList", "currentSession"])
        own = (props.get("currentSession") or {}).get("key")
        return {s["key"] for s in props.get("sessionList") or () if s["key"] != own}


def vm_names(sim) -> list[str]:
    """Names of every VM on `sim`, read directly."""
    with client_for(sim) as c:
        return [p["name"] for _ref, p in collector.collect(c, {"VirtualMachine": ["name"]})]


def terminate_other_sessions(sim) -> list[str]:
    """End every session on `sim` but the caller's (what an administrator's tool does)."""
    keys = sorted(session_keys(sim))
    if keys:
        with client_for(sim) as c:
            c.call(c.content["sessionManager"], "TerminateSession", sessionId=keys)
    return keys
