"""What a VM wait waits for: predicates over VM properties, each with its paths and its name.

Every VM wait is `wait_for(client, vm, WAITS[name], deadline)`: one vi.wait.wait_until on the
property collector (no polling), with the absolute deadline the caller shares between its steps.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass

from ..vi.collector import PropertyMap
from ..vi.envelope import MoRef
from ..vi.wait import wait_until


@dataclass(frozen=True)
class VmWait:
    """The property paths a wait reads, when it is over, and what it waits for (in errors)."""

    paths: tuple[str, ...]
    holds: Callable[[PropertyMap], bool]
    what: str


def _is(path: str, value: str) -> Callable[[PropertyMap], bool]:
    return lambda props: props.get(path) == value


def has_ip_address(props: PropertyMap) -> bool:
    """The guest reports a primary address other than a link-local one (169.254/16, fe80::/10:
    what a guest gives itself before DHCP or its configuration has answered)."""
    try:
        return not ipaddress.ip_address(props.get("guest.ipAddress") or "").is_link_local
    except ValueError:
        return False


POWER_STATE = "runtime.powerState"
POWERED_OFF = VmWait((POWER_STATE,), _is(POWER_STATE, "poweredOff"), "the VM to power off")
POWERED_ON = VmWait((POWER_STATE,), _is(POWER_STATE, "poweredOn"), "the VM to power on")
TOOLS_RUNNING = VmWait(
    ("guest.toolsRunningStatus",),
    _is("guest.toolsRunningStatus", "guestToolsRunning"),
    "VMware Tools to run in the guest",
)
IP_ADDRESS = VmWait(("guest.ipAddress",), has_ip_address, "the guest to report an IP address")

WAITS = {
    "powered_off": POWERED_OFF,
    "powered_on": POWERED_ON,
    "tools_running": TOOLS_RUNNING,
    "ip_address": IP_ADDRESS,
}


def wait_for(client, vm: MoRef, wait: VmWait, deadline: float) -> PropertyMap:
    """Wait until `wait` holds for `vm` (deadline: time.monotonic()); WaitTimeout if it does not."""
    return wait_until(client, vm, wait.paths, wait.holds, deadline, what=wait.what)
