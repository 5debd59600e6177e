"""The environment browser the harness serves (tests/vcsim/envbrowser.go), through the VI client.

The bare simulator offers one config option descriptor, vmx-13, marked not default, and
answers every QueryConfigOption(Ex) with vmx-13 whatever key is asked for.
"""

from __future__ import annotations

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.vi import collector, faults
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vi.session import Client

ESXI_65 = ["vmx-13", "vmx-11", "vmx-10", "vmx-9", "vmx-8", "vmx-7", "vmx-4"]


@pytest.fixture
def connect():
    clients = []

    def _connect(sim):
        c = Client(sim.host, sim.username, sim.password, port=sim.port, ca_path=sim.ca_path)
        clients.append(c.connect())
        return c

    yield _connect
    for c in clients:
        c.logout()


def browser_of(client, compute_resource: MoRef) -> MoRef:
    return collector.get_one(client, compute_resource, ["environmentBrowser"])["environmentBrowser"]


def cluster_browser(sim, client):
    cluster = sim.manifest["clusters"][0]
    return browser_of(client, MoRef("ClusterComputeResource", cluster["moid"])), cluster


def descriptors(client, browser):
    return client.call(browser, "QueryConfigOptionDescriptor") or []


def test_a_cluster_offers_every_version_its_hosts_run(vcsim_vpx, connect):
    client = connect(vcsim_vpx)
    browser, cluster = cluster_browser(vcsim_vpx, client)
    found = descriptors(client, browser)
    assert [d["key"] for d in found] == ESXI_65
    assert [d["key"] for d in found if d["defaultConfigOption"]] == ["vmx-13"]
    hosts = sorted(MoRef("HostSystem", h) for h in cluster["hosts"])
    for d in found:
        assert sorted(d["host"]) == hosts and d["description"] == d["key"]
        assert d["createSupported"] and d["runSupported"] and d["upgradeSupported"]


def test_a_standalone_esxi_offers_the_same(vcsim_esx, connect):
    client = connect(vcsim_esx)
    host = vcsim_esx.manifest["hosts"][0]
    browser = browser_of(client, MoRef("ComputeResource", host["compute_resource"]))
    assert [d["key"] for d in descriptors(client, browser)] == ESXI_65


def test_an_older_host_is_left_out_of_the_newer_versions(vcsim_factory, connect):
    sim = vcsim_factory("--scenario", "premigration")
    client = connect(sim)
    browser, _cluster = cluster_browser(sim, client)
    old = next(h["moid"] for h in sim.manifest["hosts"]
               if h["name"] == sim.manifest["premigration"]["hosts"]["incompatible"])  # fmt: skip
    by_key = {d["key"]: d["host"] for d in descriptors(client, browser)}
    assert MoRef("HostSystem", old) not in by_key["vmx-13"]
    assert MoRef("HostSystem", old) in by_key["vmx-11"]
    spec = {"_type": "EnvironmentBrowserConfigOptionQuerySpec", "host": MoRef("HostSystem", old)}
    assert client.call(browser, "QueryConfigOptionEx", spec=spec)["version"] == "vmx-11"
    spec["key"] = "vmx-13"
    assert client.call(browser, "QueryConfigOptionEx", spec=spec) is None


def test_config_option_answers_the_key_asked_for(vcsim_vpx, connect):
    client = connect(vcsim_vpx)
    browser, _cluster = cluster_browser(vcsim_vpx, client)
    assert client.call(browser, "QueryConfigOptionEx")["version"] == "vmx-13"
    spec = {"_type": "EnvironmentBrowserConfigOptionQuerySpec", "key": "vmx-11"}
    option = client.call(browser, "QueryConfigOptionEx", spec=spec)
    assert option["version"] == "vmx-11" and option["guestOSDescriptor"]
    assert client.call(browser, "QueryConfigOption", key="vmx-9")["version"] == "vmx-9"
    with pytest.raises(faults.Fault) as refused:
        client.call(browser, "QueryConfigOptionEx", spec=dict(spec, key="vmx-99"))
    assert refused.value.name == "InvalidArgument"
    assert refused.value.detail["invalidProperty"] == "key"
