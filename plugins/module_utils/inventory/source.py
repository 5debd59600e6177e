"""Read the VMs of many vCenter and ESXi endpoints: one bulk read each, endpoints in parallel.

Per endpoint: one read of the names VMs refer to, then the VMs through ContainerViews, paged,
each page made into records as it arrives, over up to `parallel_reads` sessions (vm/bulk.py).
Endpoints are read by a bounded pool of threads, each with its own client; results come back to
the calling thread, which also sees any unexpected error of a worker re-raised. No Ansible here.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field

from ..vi.faults import InvalidArgument, ViError, fault
from ..vi.session import Client
from ..vm import bulk as vm_bulk
from ..vm.query import refused_property
from . import hostvars

# The options an entry of `endpoints` may set; the rest of the config supplies what it leaves out.
CONNECTION_KEYS = (
    "hostname", "port", "username", "password", "validate_certs", "ca_path", "timeout",
    "proxy_host", "proxy_port",
)  # fmt: skip
_INTEGERS = ("port", "timeout", "proxy_port")
# What Ansible's bool options take as words; an entry's values are not converted by Ansible.
_BOOLEANS = {
    "yes": True, "on": True, "true": True, "1": True,
    "no": False, "off": False, "false": False, "0": False,
}  # fmt: skip


@dataclass(frozen=True)
class Endpoint:
    """Where and how to log in to one vCenter or ESXi host (the password is never shown)."""

    hostname: str
    username: str
    password: str = field(repr=False)
    port: int = 443
    validate_certs: bool = True
    ca_path: str | None = None
    timeout: float = 60
    proxy_host: str | None = None
    proxy_port: int | None = None

    @property
    def label(self) -> str:
        """How variables and messages name the endpoint: host, or host:port off 443."""
        return self.hostname if self.port == 443 else f"{self.hostname}:{self.port}"

    def client(self) -> Client:
        """A new, not yet connected client for this endpoint."""
        return Client(
            self.hostname, self.username, self.password, port=self.port,
            validate_certs=self.validate_certs, ca_path=self.ca_path, timeout=self.timeout,
            proxy_host=self.proxy_host, proxy_port=self.proxy_port,
        )  # fmt: skip


@dataclass
class EndpointResult:
    """What one endpoint gave: its VMs' records, or the error that stopped the read."""

    endpoint: str
    is_vcenter: bool = False
    product: str | None = None
    records: list[dict] = field(default_factory=list)
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    round_trips: int = 0
    partitions: int = 1
    sessions: int = 1


def kind(value) -> str:
    """The plain type name of a config value (ansible-core 2.19 hands in tagged subclasses)."""
    for plain_type in (bool, int, float, str, dict, list):
        if isinstance(value, plain_type):
            return plain_type.__name__
    return type(value).__name__


def endpoints_from(top: dict, entries: list | None) -> list[Endpoint]:
    """Endpoints from the top-level connection options and the `endpoints` entries.

    Each entry inherits what it does not set from `top`; without entries, `top` is the one
    endpoint. Raises InvalidArgument naming the option at fault (never a password).
    """
    if not entries:
        return [_endpoint(top, "the connection options")]
    if not isinstance(entries, list):
        raise InvalidArgument(f"endpoints must be a list of dicts, got {kind(entries)}")
    found = []
    for n, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise InvalidArgument(f"endpoints[{n}] must be a dict, got {kind(entry)}")
        unknown = sorted(set(entry) - set(CONNECTION_KEYS))
        if unknown:
            raise InvalidArgument(
                f"endpoints[{n}] has unknown keys {unknown}; known: {', '.join(CONNECTION_KEYS)}"
            )
        merged = dict(top)
        merged.update({k: _typed(k, v, n) for k, v in entry.items() if v is not None})
        found.append(_endpoint(merged, f"endpoints[{n}]"))
    return found


def read_key(top: dict, entries: list | None, properties: list, devices: bool) -> dict:
    """What an inventory read depends on: the endpoints (hostname, port and username of `top`
    or each entry, as templated), properties, devices. A cache entry read for another key is
    not an answer."""
    entries = [e for e in entries or [top] if isinstance(e, dict)]
    return {
        "endpoints": [
            [str(top[k] if entry.get(k) is None else entry[k]) for k in top] for entry in entries
        ],
        "properties": [str(path) for path in properties],
        "device_facts": bool(devices),
    }


def _typed(key: str, value, n: int):
    """An entry's value as the type of its option (Ansible checks only the top-level ones)."""
    if key in _INTEGERS:
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
            return int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise InvalidArgument(f"endpoints[{n}]: {key} must be an integer, got {value!r}")
    if key == "validate_certs":
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower() if isinstance(value, (str, int)) else None
        if word in _BOOLEANS:
            return _BOOLEANS[word]
        raise InvalidArgument(f"endpoints[{n}]: validate_certs must be a boolean, got {value!r}")
    if isinstance(value, str):
        # A path is expanded as Ansible expands the top-level ca_path (~, $VARS, relative to
        # the current directory).
        if key == "ca_path" and value:
            return os.path.normpath(os.path.abspath(os.path.expanduser(os.path.expandvars(value))))
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    shown = "" if key == "password" else f", got {value!r}"
    raise InvalidArgument(f"endpoints[{n}]: {key} must be a string{shown}")


def _endpoint(options: dict, where: str) -> Endpoint:
    hint = " (or set endpoints)" if where == "the connection options" else ""
    for key in ("hostname", "username", "password"):
        if not options.get(key):
            raise InvalidArgument(f"{where}: {key} is required{hint}")
    if options.get("timeout") is not None and options["timeout"] <= 0:
        raise InvalidArgument(f"{where}: timeout must be positive, got {options['timeout']}")
    port = 443 if options.get("port") is None else options["port"]
    if not 0 < port < 65536:
        raise InvalidArgument(f"{where}: port must be 1-65535, got {port}")
    values = {k: options.get(k) for k in CONNECTION_KEYS if options.get(k) is not None}
    values["port"] = port
    return Endpoint(**values)


def read_endpoint(
    endpoint: Endpoint,
    extra_paths: Iterable[str] = (),
    devices: bool = False,
    parallel_reads: int = vm_bulk.DEFAULT_PARALLEL,
) -> EndpointResult:
    """Every VM of one endpoint as host-variable records; a VI error becomes `error`.

    The VMs are read through up to `parallel_reads` sessions at once (vm/bulk.py), each page
    made into records as it arrives.
    """
    extra_paths = list(extra_paths)
    started = time.monotonic()
    result = EndpointResult(endpoint.label)
    label = result.endpoint  # one string for every VM of the endpoint
    client = None

    def convert(_ref, props, facts):
        return hostvars.vm_variables(facts, props, label, extra_paths, devices)

    try:
        client = endpoint.client()
        result.warnings = list(client.warnings)
        with client:
            paths = hostvars.read_paths(devices, extra_paths)
            read = vm_bulk.read(client, convert, paths, None, parallel_reads, endpoint.client)
            result.is_vcenter = client.is_vcenter
            result.product = client.about.get("fullName")
        result.warnings += read.warnings
        result.partitions, result.sessions = read.partitions, read.sessions
        result.round_trips = read.round_trips
        result.records = sorted(read.items, key=hostvars.sort_key)
    except fault("InvalidProperty") as e:
        result.error = str(refused_property(e, extra_paths) or e)
    except ViError as e:
        result.error = str(e) or type(e).__name__
    result.seconds = time.monotonic() - started
    result.round_trips += client.round_trips if client is not None else 0
    return result


def read_all(
    endpoints: list[Endpoint],
    max_workers: int = 4,
    extra_paths: Iterable[str] = (),
    devices: bool = False,
    on_result: Callable[[EndpointResult], None] | None = None,
    parallel_reads: int = vm_bulk.DEFAULT_PARALLEL,
) -> list[EndpointResult]:
    """Read every endpoint with at most `max_workers` at once; results in endpoint order.

    `on_result` is called in the calling thread as each endpoint finishes (progress). An
    unexpected error in a worker is raised here, after the queued reads are cancelled.
    """
    extra_paths = list(extra_paths)
    results: list[EndpointResult | None] = [None] * len(endpoints)
    workers = max(1, min(max_workers, len(endpoints)))
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="esx-inventory")
    try:
        futures = {
            pool.submit(read_endpoint, endpoint, extra_paths, devices, parallel_reads): n
            for n, endpoint in enumerate(endpoints)
        }
        for future in as_completed(futures):
            result = future.result()
            results[futures[future]] = result
            if on_result is not None:
                on_result(result)
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return results
