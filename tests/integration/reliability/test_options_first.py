"""Options wrong by themselves fail before the module connects: the message names the option,
whether or not the server can be reached (here it cannot: nothing listens on the port)."""

from __future__ import annotations

import socket

import pytest
from ansible_run import run_module

from .modules import present

# module: (options wrong by themselves, what the message says)
WRONG = {
    "esx_vm": ({"name": "web01", "state": "absent", "new_name": "web02"},
               "new_name: a VM is renamed or deleted, not both"),
    "esx_vm_fleet": ({"vms": [{"name": "web01", "new_name": " "}]},
                     "vms[0] (web01): new_name must not be empty"),
    "esx_vm_info": ({"snapshot_older_than_days": -1}, "snapshot_older_than_days: -1 is negative"),
    "esx_vm_snapshot": ({"name": "web01", "snapshot_id": " 7 "},
                        "snapshot_id: ' 7 ' has spaces around it"),
    "esx_migrate": ({"name": "web01", "host": "esx1",
                     "checks": {"severity": {"cpu_compatibility": "loud"}}},
                    "checks.severity.cpu_compatibility: 'loud' is not one of"),
    "esx_storage_pool": ({"name": "nfs1", "type": "nfs", "server": "filer", "path": "exports",
                          "hosts": ["esx1"]}, "path: 'exports' is not an absolute export path"),
    "esx_volume": ({"name": "disks/a.txt", "pool": "ds1", "state": "absent", "src": "/etc/hosts"},
                   "src: '/etc/hosts' needs state present, not absent"),
    "esx_host_maintenance": ({"name": "esx1", "state": "absent", "evacuate_powered_off_vms": True},
                             "evacuate_powered_off_vms applies to state present"),
}  # fmt: skip


@pytest.fixture(scope="module")
def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_every_module_with_a_request_is_here():
    """Each module that builds a typed request from its options (EsxModule.run's `request`)."""
    with_request = {m for m in present() if "run(run, " in _main(m) or ", request\n" in _main(m)}
    assert with_request == set(WRONG), sorted(with_request ^ set(WRONG))


@pytest.mark.parametrize("module", sorted(WRONG))
def test_wrong_options_fail_before_connecting(closed_port, module):
    args, message = WRONG[module]
    endpoint = {"hostname": "127.0.0.1", "port": closed_port, "username": "u",
                "password": "never-sent-0xd1", "validate_certs": False}  # fmt: skip
    res = run_module(module, dict(endpoint, **args))
    assert res.failed and message in res["msg"], res.result
    assert res["error_type"] == "InvalidArgument", res.result


def _main(module: str) -> str:
    from .modules import MODULES_DIR

    text = (MODULES_DIR / f"{module}.py").read_text()
    return text[text.index("\ndef main") :]
