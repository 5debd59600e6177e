"""What a host offers a VM: hardware versions and guest ids, read from its EnvironmentBrowser.

esx_vm checks guest_id and hardware_version here in check mode and real runs alike, so a value
the server would refuse (or a simulator would take) fails before anything is sent. Each read is
made only when an option asks for a change, and at most once per run.
"""

from __future__ import annotations

import difflib

from ..vi.envelope import MoRef
from ..vi.faults import InvalidArgument

# VM properties that say which browser and host answer for an existing VM.
VM_PATHS = ("environmentBrowser", "runtime.host")


class ConfigOptions:
    """The config options of one EnvironmentBrowser (for one host, when known), read lazily."""

    def __init__(self, client, browser: MoRef | None, host: MoRef | None, where: str):
        self.client, self.browser, self.host, self.where = client, browser, host, where
        self._descriptors: list | None = None
        self._guests: dict = {}
        self._answers: dict = {}  # hardware version (None: the default) -> a QueryConfigOptionEx answer

    def descriptors(self) -> list[dict]:
        """QueryConfigOptionDescriptor: one entry per hardware version (key 'vmx-19'), those
        that list hosts narrowed to ours."""
        if self._descriptors is None:
            found = self.client.call(self.browser, "QueryConfigOptionDescriptor") or []
            self._descriptors = [
                d for d in found
                if self.host is None or not d.get("host") or self.host in d["host"]
            ]  # fmt: skip
        return self._descriptors

    def guest_ids(self, guest_id: str, version: str | None) -> list[str]:
        """QueryConfigOptionEx filtered on `guest_id`: the server answers just that guest when it
        offers it, else every guest id of the version."""
        cached = (guest_id, version)
        if cached not in self._guests:
            spec = {"_type": "EnvironmentBrowserConfigOptionQuerySpec", "key": version,
                    "host": self.host, "guestId": [guest_id]}  # fmt: skip
            spec = {k: v for k, v in spec.items() if v is not None}
            option = self.client.call(self.browser, "QueryConfigOptionEx", spec=spec) or {}
            self._answers.setdefault(version, option)  # its hardwareOptions serve limits too
            guests = option.get("guestOSDescriptor") or []
            self._guests[cached] = [g.get("id") for g in guests if g.get("id")]
        return self._guests[cached]

    def option(self, version: str | None) -> dict:
        """The VirtualMachineConfigOption of `version` (None: the default) for our host; one
        QueryConfigOptionEx, shared with guest_ids() when it asked for the same version."""
        if version not in self._answers:
            spec = {"_type": "EnvironmentBrowserConfigOptionQuerySpec", "key": version,
                    "host": self.host}  # fmt: skip
            spec = {k: v for k, v in spec.items() if v is not None}
            self._answers[version] = (
                self.client.call(self.browser, "QueryConfigOptionEx", spec=spec) or {}
            )
        return self._answers[version]

    def check_version(self, version: str, creating: bool) -> None:
        """An InvalidArgument unless the host creates (or upgrades to) `version`."""
        if self.browser is None:
            return
        offered = versions(self.descriptors(), creating)
        if version not in offered:
            purpose = "for a new VM" if creating else "to upgrade to"
            raise InvalidArgument(
                not_offered("hardware_version", version, offered, f"{self.where} {purpose}")
            )

    def latest(self, creating: bool) -> str:
        """hardware_version: latest - the newest version the host creates (or upgrades to)."""
        offered = versions(self.descriptors(), creating) if self.browser is not None else []
        numbered = [v for v in offered if v.startswith("vmx-") and v[4:].isdigit()]
        if not numbered:
            raise InvalidArgument(
                f"hardware_version: latest - {self.where} offers no hardware version"
            )
        return max(numbered, key=lambda v: int(v[4:]))

    def check_guest(self, guest_id: str, version: str | None) -> None:
        """An InvalidArgument unless the host offers guest `guest_id` (at `version`)."""
        if self.browser is None:
            return
        offered = self.guest_ids(guest_id, version)
        if guest_id not in offered:
            at = f" at {version}" if version else ""
            raise InvalidArgument(not_offered("guest_id", guest_id, offered, self.where + at))


def versions(descriptors: list[dict], creating: bool) -> list[str]:
    """The hardware versions the descriptors allow to create (or upgrade to); a server that
    leaves the flag out is taken to allow it."""
    flag = "createSupported" if creating else "upgradeSupported"
    return [d["key"] for d in descriptors if d.get("key") and d.get(flag) is not False]


def not_offered(option: str, value: str, offered: list[str], where: str) -> str:
    """The error for a value the host does not offer, with the nearest values it does."""
    if not offered:
        return f"{option}: '{value}' is not offered by {where}, which offers none"
    number = _number(value)
    numbered = {v: n for v, n in ((v, _number(v)) for v in offered) if n is not None}
    if number is not None and numbered:  # vmx-99: the versions nearest in number, not in spelling
        nearest = sorted(numbered, key=lambda v: (abs(numbered[v] - number), -numbered[v]))[:3]
    else:
        nearest = difflib.get_close_matches(value, offered, n=3) or difflib.get_close_matches(
            value, offered, n=3, cutoff=0
        )
    return (
        f"{option}: '{value}' is not offered by {where}; the nearest offered: {', '.join(nearest)}"
    )


def _number(version: str) -> int | None:
    """The number of a hardware version key ('vmx-19': 19); None for other values."""
    if version.startswith("vmx-") and version[4:].isdigit():
        return int(version[4:])
    return None
