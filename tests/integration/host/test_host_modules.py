"""esx_host_info and esx_host_maintenance against the simulator."""

from __future__ import annotations

import pytest
from ansible_run import run_module
from return_docs import assert_matches_return

from ansible_collections.viapi.esx.plugins.module_utils.vi.collector import collect
from ansible_collections.viapi.esx.plugins.module_utils.vi.session import Client


def server_hosts(sim) -> dict:
    """name -> maintenance flag, read independently of the modules."""
    with Client(sim.host, sim.username, sim.password, port=sim.port, ca_path=str(sim.ca_path)) as c:
        rows = collect(c, {"HostSystem": ["name", "runtime.inMaintenanceMode"]})
    return {p["name"]: bool(p.get("runtime.inMaintenanceMode")) for _ref, p in rows}


@pytest.fixture(scope="module")
def sim(vcsim_factory):
    """A private vCenter model: these tests change maintenance modes."""
    return vcsim_factory()


def test_host_info_lists_every_host(sim):
    res = run_module("esx_host_info", {}, sim)
    assert not res.failed, res.stdout
    assert_matches_return("esx_host_info", res.result)
    names = [h["name"] for h in res["hosts"]]
    assert sorted(names) == sorted(h["name"] for h in sim.manifest["hosts"])
    by_name = {h["name"]: h for h in sim.manifest["hosts"]}
    for host in res["hosts"]:
        assert host["moid"] == by_name[host["name"]]["moid"]
        assert host["cluster"] == (by_name[host["name"]].get("cluster") or None)
        assert host["datacenter"] == by_name[host["name"]]["datacenter"]
        assert host["connection_state"] == "connected"
        assert isinstance(host["vm_count"], int)


def test_host_info_filters(sim):
    cluster = sim.manifest["clusters"][0]
    res = run_module("esx_host_info", {"cluster": cluster["name"]}, sim)
    assert sorted(h["name"] for h in res["hosts"]) == sorted(
        h["name"] for h in sim.manifest["hosts"] if h.get("cluster") == cluster["name"]
    )
    one = sim.manifest["hosts"][0]["name"]
    assert [h["name"] for h in run_module("esx_host_info", {"name": one}, sim)["hosts"]] == [one]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        ({"name": "no-such-host"}, "host 'no-such-host' not found"),
        ({"cluster": "no-such-cluster"}, "cluster 'no-such-cluster' not found"),
        ({"datacenter": "no-such-dc"}, "datacenter 'no-such-dc' not found"),
    ],
)
def test_host_info_not_found(sim, args, needle):
    res = run_module("esx_host_info", args, sim)
    assert res.failed and needle in res["msg"]
    assert "Traceback" not in res.stdout + res.stderr


@pytest.mark.parametrize("option", ["name", "cluster", "datacenter"])
def test_host_info_refuses_an_empty_filter(sim, option):
    """An empty name (a variable that came out empty) once listed every host, as if unset."""
    res = run_module("esx_host_info", {option: ""}, sim)
    assert res.failed, res.result
    assert res["msg"] == f"{option}: '' is empty; leave {option} out for every host"


def test_maintenance_matrix(sim):
    name = sim.manifest["hosts"][-1]["name"]
    before = server_hosts(sim)
    assert before[name] is False
    for state, wanted in (("present", True), ("absent", False)):
        check = run_module(
            "esx_host_maintenance", {"name": name, "state": state}, sim, check=True, diff=True
        )
        assert check["changed"] is True
        assert check["diff"] == {
            "before": {"maintenance_mode": not wanted},
            "after": {"maintenance_mode": wanted},
        }
        assert server_hosts(sim)[name] is (not wanted), "check mode changed the server"
        real = run_module("esx_host_maintenance", {"name": name, "state": state}, sim)
        assert real["changed"] is True and real["host"]["maintenance_mode"] is wanted
        assert_matches_return("esx_host_maintenance", real.result)
        assert server_hosts(sim)[name] is wanted
        again = run_module("esx_host_maintenance", {"name": name, "state": state}, sim)
        assert again["changed"] is False


def test_maintenance_bad_input(sim):
    res = run_module("esx_host_maintenance", {"name": "x", "wait_timeout": 0}, sim)
    assert res.failed and "wait_timeout" in res["msg"]
    res = run_module("esx_host_maintenance", {"name": "x", "state": "sideways"}, sim)
    assert res.failed and "state" in res["msg"] and "sideways" in res["msg"]


def test_esxi_warns_that_evacuate_powered_off_vms_is_ignored(vcsim_esx, sim):
    """ESXi without vCenter is not sent the argument; true was dropped without a word."""
    name = vcsim_esx.manifest["hosts"][0]["name"]
    args = {"name": name, "evacuate_powered_off_vms": True}
    res = run_module("esx_host_maintenance", args, vcsim_esx, check=True)
    assert not res.failed and res["changed"] is True, res.result
    assert any(
        w.startswith("evacuate_powered_off_vms: true applies to vCenter")
        for w in res.get("warnings") or []
    ), res.result
    assert server_hosts(vcsim_esx)[name] is False, "check mode changed the server"
    # vCenter takes it: no warning there.
    vcenter = run_module("esx_host_maintenance", dict(args, name=sim.manifest["hosts"][0]["name"]),
                         sim, check=True)  # fmt: skip
    assert not vcenter.failed and not vcenter.get("warnings"), vcenter.result


@pytest.mark.parametrize(
    ("module", "args", "message"),
    [
        ("esx_host_info", {"name": "nohost"}, "name: host 'nohost' not found in any datacenter"),
        ("esx_host_info", {"name": "nohost", "datacenter": "DC0"},
         "name: host 'nohost' not found in datacenter 'DC0'"),
        ("esx_host_info", {"name": "nohost", "cluster": "DC0_C0"},
         "name: host 'nohost' not found in cluster 'DC0_C0'"),
        ("esx_host_info", {"cluster": "nope"}, "cluster: cluster 'nope' not found in any datacenter"),
        ("esx_host_info", {"datacenter": "nope"}, "datacenter: datacenter 'nope' not found (known: DC0)"),
        ("esx_host_maintenance", {"name": "nohost"}, "name: host 'nohost' not found in any datacenter"),
    ],
)  # fmt: skip
def test_lookup_errors_name_the_option_and_where(sim, module, args, message):
    before = server_hosts(sim)
    res = run_module(module, args, sim)
    assert res.failed and res["msg"] == message, res.get("msg")
    assert server_hosts(sim) == before
