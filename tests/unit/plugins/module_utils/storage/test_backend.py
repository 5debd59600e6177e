"""storage/backend.py: the pool and volume records, the scope, pools read once, host scoping."""

from __future__ import annotations

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.storage import backend
from ansible_collections.viapi.esx.plugins.module_utils.storage.backend import (
    POOL_FIELDS,
    VOLUME_FIELDS,
    CachedPools,
    Pool,
    Scope,
)
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import NotFound


def test_a_pool_record_has_every_field_in_order_and_null_where_not_given():
    pool = backend.pool_record(name="ds1", capacity_bytes=0, hosts=[])
    assert list(pool) == list(POOL_FIELDS)
    assert (pool["name"], pool["capacity_bytes"], pool["hosts"]) == ("ds1", 0, [])
    assert all(pool[f] is None for f in POOL_FIELDS if f not in ("name", "capacity_bytes", "hosts"))


def test_a_volume_record_has_every_field_in_order_and_null_where_not_given():
    vol = backend.volume_record(name="a.vmdk", thin=False, attached_to=[])
    assert list(vol) == list(VOLUME_FIELDS)
    assert (vol["thin"], vol["attached_to"], vol["key"]) == (False, [], None)


def test_the_records_refuse_a_field_they_do_not_have():
    with pytest.raises(ValueError, match="not a field: colour, size"):
        backend.pool_record(name="ds1", size=1, colour="red")
    with pytest.raises(ValueError, match="not a field: iqn"):
        backend.volume_record(iqn="iqn.x")  # a pool field, not a volume field


def test_the_fields_lists_have_no_repeats():
    assert len(set(POOL_FIELDS)) == len(POOL_FIELDS)
    assert len(set(VOLUME_FIELDS)) == len(VOLUME_FIELDS)


@pytest.mark.parametrize(
    "scope, words",
    [
        (Scope(), ""),
        (Scope(datacenter="DC0"), " in datacenter 'DC0'"),
        (Scope(host="esx1"), " on host 'esx1'"),
        (Scope(MoRef("Datacenter", "d-2"), "DC0", "esx1"), " in datacenter 'DC0' on host 'esx1'"),
    ],
)
def test_scope_where_says_what_the_user_narrowed(scope, words):
    assert scope.where() == words


def test_a_pool_reads_its_name_uuid_and_backend_from_its_facts_and_hides_its_handle():
    pool = Pool(
        backend.pool_record(name="ds1", uuid="73c8896d-9e71", backend="datastore"),
        {"ref": MoRef("Datastore", "datastore-31"), "secret": "handle"},
    )
    assert (pool.name, pool.uuid, pool.backend) == ("ds1", "73c8896d-9e71", "datastore")
    assert "handle" not in repr(pool) and "ds1" in repr(pool)


class Counting(CachedPools):
    reads = 0

    def _read_pools(self):
        Counting.reads += 1
        return [Pool(backend.pool_record(name=f"p{Counting.reads}"))]


def test_cached_pools_are_read_once_per_backend_instance():
    Counting.reads = 0
    first = Counting(client="c", scope=Scope(host="esx1"))
    assert [p.name for p in first.pools()] == ["p1"]
    assert [p.name for p in first.pools()] == ["p1"] and Counting.reads == 1
    assert (first.client, first.scope.host) == ("c", "esx1")
    Counting(client="c", scope=Scope()).pools()
    assert Counting.reads == 2  # a new run (a new instance) reads again


def test_a_backend_without_its_own_pool_read_says_so():
    with pytest.raises(NotImplementedError):
        CachedPools(None, Scope()).pools()


def test_host_in_scope_passes_without_a_host_or_when_the_host_is_known():
    backend.host_in_scope([], Scope())
    backend.host_in_scope(iter(["esx1", "esx2"]), Scope(host="esx2"))


@pytest.mark.parametrize(
    "scope, message",
    [
        (Scope(host="esx9"), "^host: host 'esx9' not found in any datacenter$"),
        (Scope(datacenter="DC0", host="esx9"), "^host: host 'esx9' not found in datacenter 'DC0'$"),
    ],
)
def test_host_in_scope_names_the_missing_host_and_where_it_was_looked_for(scope, message):
    with pytest.raises(NotFound, match=message):
        backend.host_in_scope(["esx1"], scope)
