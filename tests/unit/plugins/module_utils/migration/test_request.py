"""MigrationRequest: built once from the options by esx_migrate, each bad value named by its option."""

from __future__ import annotations

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.migration.request import (
    Destination,
    MigrationRequest,
)
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import InvalidArgument
from ansible_collections.viapi.esx.plugins.module_utils.vm.request import VmIdentity
from ansible_collections.viapi.esx.plugins.modules import esx_migrate

PARAMS = {"name": "web01", "uuid": None, "use_instance_uuid": False, "moid": None,
          "folder": None, "host": None, "hosts": None, "cluster": None, "resource_pool": None,
          "datastore": None, "checks": {}, "datacenter": None, "wait_timeout": 3600,
          "priority": "default"}  # fmt: skip


def request(**changes) -> MigrationRequest:
    return esx_migrate.request(dict(PARAMS, **changes), check_mode=False)


def test_the_options_become_typed_values():
    got = request(hosts=["esx02", "esx03", "esx02"], cluster="prod", priority="high")
    assert got.destination == Destination(hosts=("esx02", "esx03"), cluster="prod")
    assert got.identity == VmIdentity(name="web01") and got.priority == "high"
    assert got.check_mode is False and got.checks.fail_on == "critical"


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"host": "esx02", "hosts": ["esx03"]}, "host and hosts are mutually exclusive"),
        ({"hosts": []}, "one of host, hosts, cluster, resource_pool or datastore is required"),
        ({"host": "esx02", "priority": "urgent"}, "priority: 'urgent'"),
        ({"host": "esx02", "checks": {"skip": ["nosuch"]}}, "checks.skip: unknown check 'nosuch'"),
    ],
)  # fmt: skip
def test_bad_values_name_the_option(changes, words):
    with pytest.raises(InvalidArgument, match=words):
        request(**changes)
