"""Version negotiation against the simulator: it publishes /sdk/vimServiceVersions.xml as real
servers do; the client reads it and speaks the newest version both sides know."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.viapi.esx.plugins.module_utils.vi import versions
from ansible_collections.viapi.esx.plugins.module_utils.vi.schema import VERSIONS
from ansible_collections.viapi.esx.plugins.module_utils.vi.session import (
    BOOTSTRAP_VERSION,
    SERVICE_INSTANCE,
)


def listed_by(sim) -> list[str]:
    """The file, read without our client."""
    url = f"https://{sim.host}:{sim.port}/sdk/vimServiceVersions.xml"
    resp = requests.get(url, verify=sim.ca_path, timeout=30)
    resp.raise_for_status()
    return versions.parse_service_versions(resp.content)


@pytest.mark.parametrize("model", ["vcsim_vpx", "vcsim_esx"])
def test_the_client_speaks_the_newest_version_both_know(request, make_client, model):
    sim = request.getfixturevalue(model)
    listed = listed_by(sim)
    assert listed[0] == sim.manifest["api_version"]  # the server's own version comes first
    assert listed[0] in VERSIONS
    client = make_client(sim)
    actions = []
    post = client.transport.post

    def spy(body, soap_action):
        actions.append(soap_action)
        return post(body, soap_action)

    client.transport.post = spy
    with client:
        assert client.api_version == listed[0] == client.about["apiVersion"]
        assert client.call(SERVICE_INSTANCE, "CurrentTime")
    # RetrieveServiceContent, in the bootstrap version every server answers; then the rest
    # (Login, CurrentTime, Logout) in the negotiated one.
    assert actions[0] == f"urn:vim25/{BOOTSTRAP_VERSION}"
    assert actions[1:] == [f"urn:vim25/{listed[0]}"] * 3
