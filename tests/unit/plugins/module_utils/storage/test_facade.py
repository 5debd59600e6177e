"""The facade: backend choice, routing of paths, lookups and their errors, the registry."""

from __future__ import annotations

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.storage import backend, facade
from ansible_collections.viapi.esx.plugins.module_utils.storage.backend import (
    Pool,
    pool_record,
    volume_record,
)
from ansible_collections.viapi.esx.plugins.module_utils.storage.datastore import DatastoreBackend
from ansible_collections.viapi.esx.plugins.module_utils.storage.iscsi import IscsiBackend
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import (
    InvalidArgument,
    MultipleFound,
    NotFound,
)


class Fake:
    """A backend answering from tables, recording what it was asked."""

    log: list = []
    pool_names: tuple = ()
    volume_type = "file"

    def __init__(self, client, scope):
        self.scope = scope
        self.warnings = []

    def pools(self):
        Fake.log.append((self.name, "pools"))
        return [
            Pool(
                pool_record(
                    name=n, uuid=f"{self.name}-{i}", backend=self.name, type=t, datacenter=dc
                )
            )
            for i, (n, t, dc) in enumerate(self.pool_names)
        ]

    def volumes(self, pools):
        Fake.log.append((self.name, "volumes", tuple(p.name for p in pools)))
        return [
            volume_record(name=f"v{i}", key=f"K-{p.name}-{i}", path=self.path_of(p, i), pool=p.name,
                          pool_uuid=p.uuid, type=self.volume_type)
            for p in pools for i in range(2)
        ]  # fmt: skip

    def owns_path(self, path):
        return path.startswith(self.prefix)

    def volumes_at(self, path):
        Fake.log.append((self.name, "at", path))
        return [v for v in self.volumes(self.pools()) if v["path"] == path]


class FakeDatastores(Fake):
    name = "datastore"
    pool_types = frozenset(("vmfs", "nfs", "local"))
    pool_names = (
        ("ds1", "vmfs", "DC1"),
        ("ds2", "nfs", "DC1"),
        ("twin", "vmfs", "DC1"),
        ("twin", "vmfs", "DC2"),
    )
    prefix = "["

    def path_of(self, pool, i):
        return f"[{pool.name}] dir/v{i}"


class FakeTargets(Fake):
    name = "iscsi"
    pool_types = frozenset(("iscsi",))
    pool_names = (("iqn.a", "iscsi", None),)
    volume_type = "block"
    prefix = "/vmfs/devices/"

    def path_of(self, pool, i):
        return f"/vmfs/devices/disks/naa.{i}"


@pytest.fixture
def storage():
    Fake.log = []
    return facade.Storage(client=None, backends=[FakeDatastores, FakeTargets])


def test_backends_are_both_in_listing_order():
    assert (DatastoreBackend, IscsiBackend) == facade.BACKENDS
    assert facade.pool_types() == sorted(DatastoreBackend.pool_types | IscsiBackend.pool_types)


def test_every_backend_has_its_own_name_and_says_what_it_holds():
    names = [cls.name for cls in facade.BACKENDS]
    assert all(names) and len(set(names)) == len(names)  # Storage keys its backends by name
    for cls in facade.BACKENDS:
        assert cls.pool_types and cls.volume_type in facade.VOLUME_TYPES, cls
        assert issubclass(cls, backend.CachedPools), cls


def test_the_default_backends_are_the_tuple_in_its_order():
    storage = facade.Storage(client=None)
    assert [type(b) for b in storage.backends()] == list(facade.BACKENDS)


def test_module_type_choices_are_the_backends_types():
    from ansible_collections.viapi.esx.plugins.modules import esx_storage_pool_info

    assert sorted(esx_storage_pool_info.POOL_TYPES) == facade.pool_types()


def test_all_pools_datastores_first(storage):
    assert [p.name for p in storage.pools()] == ["ds1", "ds2", "twin", "twin", "iqn.a"]


def test_type_filter_reads_only_backends_that_can_match(storage):
    assert [p.name for p in storage.pools(types=["iscsi"])] == ["iqn.a"]
    assert Fake.log == [("iscsi", "pools")]


def test_type_filter_matching_nothing_is_an_empty_list(storage):
    assert storage.pools(types=["local"]) == []


def test_unknown_type_names_the_option(storage):
    with pytest.raises(InvalidArgument, match="type must be one of .*; got bogus"):
        storage.pools(types=["bogus"])


def test_lookup_by_name_and_uuid(storage):
    assert [p.uuid for p in storage.pools(name="ds2")] == ["datastore-1"]
    assert [p.name for p in storage.pools(uuid="ISCSI-0")] == ["iqn.a"]


def test_lookup_matching_nothing_says_what_was_looked_for(storage):
    with pytest.raises(NotFound, match=r"^name: storage pool 'nope' not found in any datacenter$"):
        storage.pools(name="nope")
    with pytest.raises(
        NotFound,
        match=r"^name, uuid: storage pool with name 'ds1' and uuid 'x' not found in any datacenter \(type nfs\)$",
    ):
        storage.pools(name="ds1", uuid="x", types=["nfs"])
    storage.scope.host = "esx9"
    with pytest.raises(
        NotFound,
        match=r"^uuid: storage pool 'u' not found in any datacenter \(seen by host 'esx9'\)$",
    ):
        storage.pools(uuid="u")


def test_pool_by_name_or_uuid(storage):
    assert storage.pool("datastore-1").name == "ds2"
    assert storage.pool("iqn.a").uuid == "iscsi-0"
    with pytest.raises(MultipleFound, match="2 storage pools are named 'twin'.*DC1.*DC2"):
        storage.pool("twin")
    with pytest.raises(
        NotFound,
        match=r"^pool: storage pool 'none' not found in any datacenter \(looked up by name and uuid\)$",
    ):
        storage.pool("none")


def test_volumes_of_a_pool(storage):
    vols = storage.volumes(pool="ds1")
    assert [v["path"] for v in vols] == ["[ds1] dir/v0", "[ds1] dir/v1"]
    assert ("datastore", "volumes", ("ds1",)) in Fake.log
    assert storage.volumes(pool="ds1", name="v1")[0]["key"] == "K-ds1-1"


def test_volume_type_filter_skips_the_search(storage):
    assert storage.volumes(pool="ds1", volume_type="block") == []
    assert not [e for e in Fake.log if e[1] == "volumes"]


def test_path_routing(storage):
    assert storage.volumes(path="[ds2] dir/v1")[0]["pool"] == "ds2"
    assert storage.volumes(path="/vmfs/devices/disks/naa.0")[0]["pool"] == "iqn.a"
    assert [e[0] for e in Fake.log if e[1] == "at"] == ["datastore", "iscsi"]


def test_path_of_no_backend_is_refused(storage):
    with pytest.raises(InvalidArgument, match="path 'dir/file.vmdk' is neither a datastore path"):
        storage.volumes(path="dir/file.vmdk")


def test_path_matching_nothing(storage):
    with pytest.raises(
        NotFound, match=r"^path: volume '\[ds1\] dir/zz' not found in any datacenter$"
    ):
        storage.volumes(path="[ds1] dir/zz")


def test_lookup_names_the_callers_option(storage):
    with pytest.raises(
        NotFound, match=r"^source: volume '\[ds1\] dir/zz' not found in any datacenter$"
    ):
        storage.volumes(path="[ds1] dir/zz", option="source")


def test_path_and_pool_must_agree(storage):
    with pytest.raises(
        NotFound, match=r"^path: volume '\[ds1\] dir/v0' not found in storage pool 'ds2'$"
    ):
        storage.volumes(pool="ds2", path="[ds1] dir/v0")


def test_key_lookup_looks_at_luns_first_and_stops(storage):
    assert storage.volumes(key="k-iqn.a-1")[0]["path"] == "/vmfs/devices/disks/naa.1"
    assert [e[0] for e in Fake.log if e[1] == "volumes"] == ["iscsi"]
    assert storage.volumes(key="K-ds2-0")[0]["pool"] == "ds2"


def test_key_matching_nothing(storage):
    with pytest.raises(NotFound, match=r"^key: volume 'nokey' not found in any datacenter$"):
        storage.volumes(key="nokey")


def test_name_matching_nothing_in_a_pool(storage):
    with pytest.raises(NotFound, match=r"^name: volume 'v9' not found in storage pool 'ds1'$"):
        storage.volumes(pool="ds1", name="v9")


def test_pool_path_or_key_is_required(storage):
    with pytest.raises(InvalidArgument, match="pool is required unless path or key is given"):
        storage.volumes(name="v0")


def test_bad_volume_type(storage):
    with pytest.raises(InvalidArgument, match="type must be one of file, block; got tape"):
        storage.volumes(pool="ds1", volume_type="tape")


def test_warnings_are_every_backends_in_backend_order(storage):
    assert storage.warnings == []
    targets, datastores = storage.backends(["iscsi"])[0], storage.backends(["vmfs"])[0]
    targets.warnings.append("from the targets")
    datastores.warnings.append("from the datastores")
    assert storage.warnings == ["from the datastores", "from the targets"]
