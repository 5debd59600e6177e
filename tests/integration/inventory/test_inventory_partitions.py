"""Partitioned reads of one endpoint (vm/bulk.py), on the simulator: several sessions give the
records one session gives, in the same order; the reference table names what the per-VM name
read names; a part that fails fails the endpoint, naming the part, and nothing is returned; a
server that refuses more sessions is read through those it opened, with a warning; every
session opened is logged out. The fault proxy (tests/integration/faultproxy.py) makes the
failures the simulator never sends: a cut answer, and a Login refused with 503.
"""

from __future__ import annotations

import re

import pytest
from ansible_run import run_module
from faultproxy import PASS, TRUNCATE, UNAVAILABLE, FaultProxy
from inventory_run import endpoint, label, run_inventory, write_config

from ansible_collections.viapi.esx.plugins.module_utils.inventory import source
from ansible_collections.viapi.esx.plugins.module_utils.vi.session import Client
from ansible_collections.viapi.esx.plugins.module_utils.vm import bulk, facts
from ansible_collections.viapi.esx.plugins.module_utils.vm import query as vm_query
from ansible_collections.viapi.esx.plugins.module_utils.vm.request import VmQuery

# 2 datacenters, each with 2 clusters of 2 hosts and 2 standalone hosts: 12 hosts, 8 compute
# resources; parallel reads of 3 or more split it into 3 parts (at least 4 hosts each).
MODEL = ("--dc", "2", "--cluster", "2", "--cluster-host", "2", "--host", "2", "--vm", "2")
PART = re.compile(r"reading the VMs of (datacenter|cluster|compute resource) /DC\d\S*")


@pytest.fixture(scope="module")
def big(vcsim_factory):
    """Read only."""
    return vcsim_factory(*MODEL)


@pytest.fixture(scope="module")
def serial(big):
    result = source.read_endpoint(at(big), ["config.hardware.numCPU"], True, 1)
    assert result.error is None and (result.partitions, result.sessions) == (1, 1)
    assert len(result.records) == big.manifest["counts"]["vms"] >= 16
    return result


def at(sim, proxy=None) -> source.Endpoint:
    if proxy is None:
        return source.Endpoint(
            sim.host, sim.username, sim.password, port=sim.port, ca_path=sim.ca_path
        )
    return source.Endpoint(
        proxy.host, sim.username, sim.password, port=proxy.port, ca_path=proxy.ca_path
    )


def same(records: list) -> list:
    """Records without esx_endpoint, which names the proxy's port when read through it."""
    return [{k: v for k, v in r.items() if k != "esx_endpoint"} for r in records]


@pytest.fixture
def proxy(big, tmp_path):
    with FaultProxy(big.host, big.port, upstream_ca=big.ca_path, cert_dir=tmp_path) as p:
        yield p


@pytest.mark.parametrize(("parallel", "parts"), [(2, 2), (3, 3), (4, 3), (16, 3)])
def test_parts_read_at_once_give_the_serial_records_in_the_serial_order(
    big, serial, parallel, parts
):
    result = source.read_endpoint(at(big), ["config.hardware.numCPU"], True, parallel)
    assert result.error is None and result.warnings == []
    assert (result.partitions, result.sessions) == (parts, parts)
    assert result.records == serial.records  # every variable, in the same order
    assert result.round_trips > serial.round_trips  # the other sessions' requests count too


def test_the_reference_table_names_what_the_name_read_of_the_vms_names(big):
    with Client(big.host, big.username, big.password, port=big.port, ca_path=big.ca_path) as c:
        by_names = {ref.value: f for ref, _props, f in facts.gather(c, paths=facts.PATHS)}
        read = bulk.read(c, lambda ref, _props, f: (ref.value, f), facts.PATHS)
    assert dict(read.items) == by_names
    assert {f["datacenter"] for f in by_names.values()} == {"DC0", "DC1"}
    assert all(f["host"] and f["folder"] and f["datastores"] for f in by_names.values())


def test_each_part_is_one_session_logged_out_afterwards(big, serial, proxy):
    result = source.read_endpoint(at(big, proxy), ["config.hardware.numCPU"], True, 4)
    assert result.error is None and same(result.records) == same(serial.records)
    assert proxy.count("Login") == proxy.count("Logout") == 3
    assert proxy.max_active == 3  # one connection per session


def test_a_part_that_fails_fails_the_endpoint_naming_it_and_returns_nothing(big, proxy):
    proxy.next(PASS, method="RetrievePropertiesEx", times=1)  # the reference table
    proxy.next(TRUNCATE, method="RetrievePropertiesEx", times=1)  # one part's first page
    result = source.read_endpoint(at(big, proxy), (), False, 4)
    assert result.records == []
    assert PART.search(result.error), result.error
    assert "(one of 3 partitions read at once)" in result.error
    assert result.error.endswith("; no VM is returned")
    assert proxy.count("Login") == proxy.count("Logout") == 3


def test_esx_vm_info_fails_naming_the_part(big, proxy):
    proxy.next(PASS, method="RetrievePropertiesEx", times=1)
    proxy.next(TRUNCATE, method="RetrievePropertiesEx", times=1)
    endpoint_ = at(big, proxy)
    with endpoint_.client() as client, pytest.raises(bulk.PartitionFailed) as e:
        vm_query.run(client, VmQuery(parallel_reads=4), endpoint_.client)
    assert PART.search(str(e.value)) and e.value.partition in str(e.value)
    assert proxy.count("Login") == proxy.count("Logout") == 3


@pytest.mark.parametrize("allowed", [1, 2])
def test_a_server_that_refuses_sessions_is_read_through_those_it_opened(
    big, serial, proxy, allowed
):
    proxy.next(PASS, method="Login", times=allowed)
    proxy.next(UNAVAILABLE, method="Login", times=None)  # what a server at its limit answers
    result = source.read_endpoint(at(big, proxy), ["config.hardware.numCPU"], True, 4)
    assert result.error is None and same(result.records) == same(serial.records)
    assert (result.partitions, result.sessions) == (3, allowed)
    (warning,) = result.warnings
    assert warning.startswith(f"the server opened {allowed} of the 3 sessions asked for")
    assert "503" in warning and big.password not in warning
    assert proxy.count("Login") == 3 and proxy.count("Logout") == allowed


def test_the_plugin_option_and_its_report(big, tmp_path):
    config = write_config(tmp_path, dict(endpoint(big), parallel_reads=3))
    inventory = run_inventory(config, "-v")
    assert inventory.rc == 0, inventory.output
    one = run_inventory(
        write_config(tmp_path, dict(endpoint(big), parallel_reads=1), "one.esx.yml")
    )
    assert inventory.hosts == one.hosts and inventory.hostvars == one.hostvars
    assert f"{label(big)}: {len(one.hosts)} VMs in " in inventory.stdout
    assert "), 3 part(s) read by 3 session(s)\n" in inventory.stdout
    bad = run_inventory(write_config(tmp_path, dict(endpoint(big), parallel_reads=0), "b.esx.yml"))
    assert bad.hosts == [] and "parallel_reads must be at least 1, got 0" in bad.stderr


def test_esx_vm_info_option(big):
    one = run_module("esx_vm_info", {"parallel_reads": 1, "devices": False}, sim=big)
    many = run_module("esx_vm_info", {"parallel_reads": 4, "devices": False}, sim=big)
    assert not one.failed and not many.failed, many.get("msg")
    assert many["vms"] == one["vms"] and len(one["vms"]) == big.manifest["counts"]["vms"]
    bad = run_module("esx_vm_info", {"parallel_reads": 0}, sim=big)
    assert bad.failed and bad["msg"] == "parallel_reads: must be at least 1, got 0"
