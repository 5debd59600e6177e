"""esx_volume's runner: one volume of a pool made as asked - a VMDK, a file, or a LUN checked.

run() reads the pool and the volume, computes a Plan (its steps and the volume before and
after) with vmdk.py or transfer.py, and hands it to apply(), the only code check mode skips.
Every call, step and wait shares one deadline, the request's wait_timeout (Client.deadline
bounds each call's answer by what is left of it, never beyond the connection's timeout).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from ..vi.faults import InvalidArgument, NotFound, PartialFailure, ViError, WaitTimeout
from ..vi.files import Deadline
from ..vi.values import join_datastore_path, split_datastore_path
from . import datastore_files
from .facade import Storage

FORMATS = {"thin": "thin", "thick": "preallocated", "eager_zeroed": "eagerZeroedThick"}
ADAPTERS = ("lsiLogic", "busLogic", "ide")  # VirtualDiskAdapterType
STATES = ("present", "absent")
_DISK_ONLY = ("size_gb", "size_mb", "format", "source", "wipe")


@dataclass(frozen=True)
class VolumeRequest:
    """One esx_volume run, built once from the module's options (validate() checks it)."""

    name: str
    pool: str
    state: str = "present"
    size_kb: int | None = None
    size_option: str | None = None  # size_gb or size_mb, for messages
    format: str | None = None
    adapter_type: str = "lsiLogic"
    source: str | None = None
    wipe: bool = False
    src: str | None = None
    dest: str | None = None
    datacenter: str | None = None
    wait_timeout: float = 3600.0
    check_mode: bool = False
    datastore: str | None = None  # the datastore a '[ds] dir/file' name gave, when pool is too

    def validate(self) -> None:
        """Refuse values not among the choices, then options that do not go together."""
        check_choice("state", self.state, STATES)
        check_choice("format", self.format, tuple(FORMATS))
        check_choice("adapter_type", self.adapter_type, ADAPTERS)
        self.check_combinations()

    @property
    def path(self) -> str:
        return join_datastore_path(self.datastore or self.pool, self.name)

    @property
    def is_disk(self) -> bool:
        """A VMDK handled as a disk (not an upload, a download or a disk extent)."""
        return is_vmdk(self.name) and not (self.src or self.dest)

    def disk_only_given(self) -> list[str]:
        """The options given that apply to a VMDK only, in the order of _DISK_ONLY."""
        values = {self.size_option: self.size_kb, "format": self.format,
                  "source": self.source, "wipe": self.wipe}  # fmt: skip
        return [o for o in _DISK_ONLY if values.get(o) not in (None, False)]

    def check_combinations(self) -> None:
        """Refuse options that do not go together, naming them."""
        given = self.disk_only_given()
        if self.src and self.dest:
            raise InvalidArgument(f"src '{self.src}' and dest '{self.dest}' exclude each other")
        for option in ("src", "dest"):
            value = getattr(self, option)
            if value and self.state == "absent":
                raise InvalidArgument(f"{option}: '{value}' needs state present, not absent")
            if value and given:
                raise InvalidArgument(f"{given[0]} does not apply with {option} '{value}'")
        if given and not is_vmdk(self.name):
            raise InvalidArgument(
                f"{given[0]} applies to VMDKs only; name '{self.name}' is not one"
            )
        if given and self.state == "absent":
            raise InvalidArgument(f"{given[0]} does not apply with state absent")
        if self.src and not (os.path.isfile(self.src) and os.access(self.src, os.R_OK)):
            raise InvalidArgument(f"src: '{self.src}' is not a readable file")


def is_vmdk(name: str) -> bool:
    """A disk descriptor name (dir/disk.vmdk), not one of a disk's data files."""
    lower = name.lower()
    return lower.endswith(".vmdk") and not datastore_files._EXTENTS.search(lower)


def local_error(doing: str, path: str, error: OSError) -> ViError:
    """A local file's failure (a name too long, a full disk, no permission) as an error naming
    dest: esx_volume's downloads read and write only that."""
    return ViError(f"dest: cannot {doing} '{path}': {error.strerror or error}")


@contextmanager
def local_errors(doing: str, path: str):
    """OSError of the local file at `path` raised as local_error (no traceback)."""
    try:
        yield
    except OSError as e:
        raise local_error(doing, path, e) from None


def pool_and_name(pool: str | None, name: str) -> tuple[str, str]:
    """(pool, path in the pool) from `name`, which may be a datastore path '[ds] dir/file'.
    A pool given with such a name stays as given (a uuid, maybe): run() checks they agree."""
    if name.startswith("["):
        ds, rel = split_datastore_path(name)
        if ds is None or not rel:
            raise InvalidArgument(f"name: '{name}' is not a datastore path like '[ds] dir/file'")
        return pool if pool is not None else ds, rel.strip("/")
    if not pool:
        raise InvalidArgument(
            f"pool is required unless name is a '[datastore] path' (name: '{name}')"
        )
    if not name.strip("/"):
        raise InvalidArgument(f"name: '{name}' names no file")
    return pool, name if name.startswith("/") else name.strip("/")


def named_datastore(pool: str | None, name: str) -> str | None:
    """The datastore of a '[ds] dir/file' name given along with pool, which must be that one."""
    if pool is None or not name.startswith("["):
        return None
    return split_datastore_path(name)[0]


def requested_size(size_gb: int | None, size_mb: int | None) -> tuple[int | None, str | None]:
    """The size in KiB and the option that gave it."""
    given = [(o, v) for o, v in (("size_gb", size_gb), ("size_mb", size_mb)) if v is not None]
    if len(given) > 1:
        raise InvalidArgument("size_gb and size_mb exclude each other; give one")
    if not given:
        return None, None
    option, value = given[0]
    if value <= 0:
        raise InvalidArgument(f"{option}: {value} is not a positive size")
    return value * (1024 * 1024 if option == "size_gb" else 1024), option


def check_choice(option: str, value, choices) -> None:
    if value is not None and value not in choices:
        raise InvalidArgument(f"{option}: '{value}' is not one of {', '.join(choices)}")


@dataclass
class Step:
    """One change: what it does (an action name and a sentence) and the calls that make it."""

    action: str
    detail: str
    run: Callable  # run(client, deadline) -> None


@dataclass
class Plan:
    """The volume before and after, the steps between them, and facts for the result."""

    before: dict | None
    after: dict | None
    steps: list[Step] = field(default_factory=list)
    transfer: dict | None = None  # src / dest, size_bytes, sha256 of a file transfer
    reread: bool = True  # read the volume back after the steps (not after a download)
    volume: dict | None = None  # the volume to return when the diff shows something else


@dataclass
class Target:
    """The pool and the volume's path in it, with what the calls need."""

    pool: object  # backend.Pool
    rel: str
    # What the read of the volume (current) saw beside it: its folder there, the path a folder.
    folder_there: bool = False
    is_folder: bool = False

    @property
    def path(self) -> str:
        return join_datastore_path(self.pool.name, self.rel)

    @property
    def datacenter(self):
        return self.pool.handle.get("datacenter")

    @property
    def datacenter_name(self) -> str:
        return self.pool.facts["datacenter"] or "ha-datacenter"


def remaining(deadline: Deadline) -> float:
    """Seconds left of the run's deadline, for a task wait (never zero)."""
    return max(deadline.end - time.monotonic(), 0.001)


def current(client, target: Target) -> dict | None:
    """The volume at the target's path now (None when there is none)."""
    found, target.folder_there, target.is_folder = datastore_files.look(
        client, [target.pool], target.path, []
    )
    return found[0] if found else None


def run(client, request: VolumeRequest) -> dict:
    """The module's result: changed, actions, diff, and the volume (predicted in check mode).
    Every server call, task wait and transfer of the run shares the one wait_timeout."""
    with client.deadline(request.wait_timeout, f"volume '{request.path}'"):
        return _run(client, request)


def _run(client, request: VolumeRequest) -> dict:
    from . import transfer, vmdk  # they build on this module's Step and Plan

    deadline = Deadline(request.wait_timeout, f"volume '{request.path}'")
    storage = Storage(client, datacenter=request.datacenter)
    pool = storage.pool(request.pool)
    if request.datastore is not None and pool.name != request.datastore:
        raise InvalidArgument(
            f"name '{join_datastore_path(request.datastore, request.name)}' is in datastore "
            f"'{request.datastore}', but pool is '{request.pool}'"
        )
    if pool.backend != "datastore":
        return lun_result(storage, pool, request)
    # A path in a datastore is relative to its top ('/iso/a.iso' is 'iso/a.iso'); the leading
    # slash stays in the request only for a LUN's device path.
    request = replace(request, name=request.name.strip("/"))
    target = Target(pool, request.name)
    before = current(client, target)
    if request.is_disk:
        planned = vmdk.plan(client, storage, target, request, before)
    else:
        planned = transfer.plan(client, target, request, before, deadline)
    volume = planned.volume if planned.volume is not None else planned.after
    actions = [s.action for s in planned.steps]
    if planned.steps and not request.check_mode:
        apply(client, planned, deadline)
        if planned.reread:
            try:
                volume = current(client, target)
            except WaitTimeout as e:
                raise PartialFailure(
                    f"{', '.join(actions)} done; reading the volume back ran out of "
                    f"wait_timeout: {e}", e, changed=True, actions=actions,
                ) from None  # fmt: skip
    result = {
        "changed": bool(planned.steps),
        "actions": actions,
        "volume": volume,
        "diff": {"before": planned.before or {}, "after": planned.after or {}},
    }
    if planned.transfer is not None:
        result["transfer"] = planned.transfer
    return result


def apply(client, planned: Plan, deadline: Deadline) -> None:
    """Run the steps in order; a failure after a step made a change says what was done."""
    done: list[str] = []
    for step in planned.steps:
        try:
            step.run(client, deadline)
        except ViError as e:
            if not done:
                raise
            raise PartialFailure(
                f"{step.detail} failed after {', '.join(done)}: {e}", e, changed=True, actions=done
            ) from None
        done.append(step.action)


def lun_result(storage: Storage, pool, request: VolumeRequest) -> dict:
    """An iSCSI LUN is present or not: this module neither makes nor removes one."""
    if request.state == "absent":
        raise InvalidArgument(
            f"state: absent on LUN '{request.name}' of iSCSI target '{pool.name}': LUNs are "
            "removed on the storage array, not by esx_volume"
        )
    if request.src or request.dest or request.size_kb or request.format or request.source:
        raise InvalidArgument(
            f"name '{request.name}' is a LUN of iSCSI target '{pool.name}': only state present "
            "(it exists) applies to LUNs"
        )
    found = [v for v in storage.volumes(pool=pool.name) if request.name in (v["name"], v["path"])]
    if not found:
        raise NotFound(
            f"LUN '{request.name}' not found behind iSCSI target '{pool.name}'; LUNs are made on "
            "the storage array (then rescan the adapter)"
        )
    return {"changed": False, "actions": [], "volume": found[0],
            "diff": {"before": found[0], "after": found[0]}}  # fmt: skip
