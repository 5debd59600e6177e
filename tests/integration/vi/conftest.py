"""Fixtures for the VI client's integration tests: clients connected to a simulator."""

from __future__ import annotations

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.vi.session import Client


def client_for(sim, **overrides) -> Client:
    """A (not yet connected) client for a started simulator, verified with its CA."""
    args = {"port": sim.port, "ca_path": sim.ca_path}
    args.update(overrides)
    return Client(
        args.pop("hostname", sim.host),
        args.pop("username", sim.username),
        args.pop("password", sim.password),
        **args,
    )


@pytest.fixture
def connect():
    """connect(sim, **overrides) -> a logged-in Client; logged out after the test."""
    clients = []

    def _connect(sim, **overrides) -> Client:
        client = client_for(sim, **overrides).connect()
        clients.append(client)
        return client

    yield _connect
    for client in clients:
        client.logout()


@pytest.fixture
def make_client():
    """make_client(sim, **overrides) -> a Client not yet connected (for `with` and errors)."""
    return client_for


def _spy(client) -> list:
    """Record (method, obj, result) of every call the client makes (the server still answers)."""
    calls, call = [], client.call

    def recording(obj, method, **args):
        result = call(obj, method, **args)
        calls.append((method, obj, result))
        return result

    client.call = recording
    return calls


@pytest.fixture
def spy():
    """spy(client) -> the list of (method, obj, result) the client calls from now on."""
    return _spy
