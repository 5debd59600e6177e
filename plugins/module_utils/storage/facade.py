"""The storage facade: one set of operations over every storage backend.

List pools, describe a pool, list a pool's volumes, look a volume up by name, key or path. The
facade picks the backends (by pool type, by the form of a path) and turns an empty lookup into
NotFound naming what was looked for; the backends only read and map.
"""

from __future__ import annotations

from ..vi.faults import InvalidArgument, MultipleFound, NotFound
from ..vi.find import find_datacenter, not_found
from .backend import Pool, Scope
from .datastore import DatastoreBackend
from .iscsi import IscsiBackend

# Every backend, in the order their pools are listed; a new backend is one more entry here.
BACKENDS = (DatastoreBackend, IscsiBackend)
VOLUME_TYPES = ("file", "block")


def pool_types() -> list[str]:
    """Every pool type some backend can report."""
    return sorted({t for cls in BACKENDS for t in cls.pool_types})


class Storage:
    """Pools and volumes as one client sees them, optionally below a datacenter / from one host."""

    def __init__(
        self, client, datacenter: str | None = None, host: str | None = None, backends=None
    ):
        self.client = client
        root = find_datacenter(client, datacenter, option="datacenter") if datacenter else None
        self.scope = Scope(root=root, datacenter=datacenter, host=host)
        self._backends = {cls.name: cls(client, self.scope) for cls in backends or BACKENDS}

    @property
    def warnings(self) -> list[str]:
        """What the backends' reads found that the user should be told (for module.warn)."""
        return [w for b in self._backends.values() for w in b.warnings]

    def backends(self, pool_types=None, volume_type: str | None = None) -> list:
        """The backends that can have pools of these types / volumes of this type."""
        wanted = set(pool_types or ())
        return [
            b
            for b in self._backends.values()
            if (not wanted or wanted & b.pool_types) and volume_type in (None, b.volume_type)
        ]

    # ------------------------------------------------------------------ pools

    def pools(self, name: str | None = None, uuid: str | None = None, types=None) -> list[Pool]:
        """Pools, filtered; a name or uuid that matches nothing is NotFound, a type filter is not."""
        _check_choices("type", types, pool_types())
        found = [p for b in self.backends(types) for p in b.pools()]
        if types:
            found = [p for p in found if p.facts["type"] in types]
        if name is not None:
            found = [p for p in found if p.named(name)]
        if uuid is not None:
            found = [p for p in found if p.uuid == uuid.strip().lower()]
        if not found and (name is not None or uuid is not None):
            kinds = f"type {', '.join(types)}" if types else ""
            raise _not_found("storage pool", self.scope.place(kinds), None, name=name, uuid=uuid)
        return found

    def pool(self, ref: str, option: str = "pool") -> Pool:
        """The one pool whose name or uuid is `ref` (given by `option`)."""
        matches = [p for p in self.pools() if p.named(ref) or p.uuid == ref.strip().lower()]
        if not matches:
            raise not_found(
                "storage pool", ref, self.scope.place("looked up by name and uuid"), option
            )
        if len(matches) > 1:
            raise MultipleFound(
                f"{len(matches)} storage pools are named '{ref}'; set datacenter or use the uuid",
                [f"{p.uuid} ({p.facts['datacenter'] or p.backend})" for p in matches],
            )
        return matches[0]

    # ---------------------------------------------------------------- volumes

    def volumes(
        self, pool=None, name=None, key=None, path=None, volume_type=None, option=None
    ) -> list[dict]:
        """Volumes of a pool, or found by path or key; filtered by name, key, path and type.
        `option` names the user's option in a NotFound when one criterion was given."""
        _check_choices("type", [volume_type] if volume_type else None, VOLUME_TYPES)
        in_pool = pool
        if path is not None:
            found = self._backend_of(path).volumes_at(path)
        elif pool is not None:
            chosen = self.pool(pool)
            found, in_pool = self._of_pool(chosen, volume_type), chosen.uuid  # as it matched
        elif key is not None:
            found = self._by_key(key, volume_type)
        else:
            raise InvalidArgument("pool is required unless path or key is given")
        found = _filter(found, pool=in_pool, name=name, key=key, volume_type=volume_type)
        if not found and (name is not None or key is not None or path is not None):
            where = self.scope.place(within=f"storage pool '{pool}'" if pool is not None else "")
            raise _not_found("volume", where, option, name=name, key=key, path=path)
        return found

    def _of_pool(self, pool: Pool, volume_type: str | None) -> list[dict]:
        backend = self._backends[pool.backend]
        if volume_type not in (None, backend.volume_type):
            return []
        return backend.volumes([pool])

    def _by_key(self, key: str, volume_type: str | None) -> list[dict]:
        """Look in each backend in turn (the cheapest reads first); stop at the first match."""
        wanted = key.strip().lower()
        for backend in sorted(
            self.backends(volume_type=volume_type), key=lambda b: b.volume_type != "block"
        ):
            found = [
                v for v in backend.volumes(backend.pools()) if (v["key"] or "").lower() == wanted
            ]
            if found:
                return found
        return []

    def _backend_of(self, path: str):
        for backend in self._backends.values():
            if backend.owns_path(path):
                return backend
        raise InvalidArgument(
            f"path '{path}' is neither a datastore path ('[datastore] dir/file') nor a device "
            "path ('/vmfs/devices/disks/...')"
        )

    def _where(self, types=None) -> str:
        kinds = f" of type {', '.join(types)}" if types else ""
        return f"{kinds}{self.scope.where()}"


def _filter(volumes: list[dict], pool=None, name=None, key=None, volume_type=None) -> list[dict]:
    out = volumes
    if pool is not None:
        out = [
            v for v in out if pool in (v["pool"], v["pool_uuid"]) or pool.lower() == v["pool_uuid"]
        ]
    if name is not None:
        out = [v for v in out if v["name"] == name]
    if key is not None:
        out = [v for v in out if (v["key"] or "").lower() == key.strip().lower()]
    if volume_type is not None:
        out = [v for v in out if v["type"] == volume_type]
    return out


def _not_found(kind: str, where: str, option: str | None = None, **criteria) -> NotFound:
    """not_found() for the criteria given: "name: storage pool 'a' not found in ..." (the
    criterion, or `option` when the caller names the user's option), or with several
    "name, uuid: storage pool with name 'a' and uuid 'b' not found in ..."."""
    given = {k: v for k, v in criteria.items() if v is not None}
    if len(given) == 1:
        ((criterion, value),) = given.items()
        return not_found(kind, value, where, option or criterion)
    return NotFound(f"{', '.join(given)}: {kind} {_what(**given)} not found in {where}")


def _what(**criteria) -> str:
    """The criteria given, for messages: with name 'a' and uuid 'b'."""
    given = [f"{k} '{v}'" for k, v in criteria.items() if v is not None]
    return "with " + " and ".join(given)


def _check_choices(option: str, values, choices) -> None:
    bad = [v for v in values or () if v not in choices]
    if bad:
        raise InvalidArgument(
            f"{option} must be one of {', '.join(choices)}; got {', '.join(map(str, bad))}"
        )
