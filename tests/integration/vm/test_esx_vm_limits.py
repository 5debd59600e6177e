"""num_cpus, cores_per_socket and memory_mb against the limits the host's config options give
for the VM's hardware version (EnvironmentBrowser.QueryConfigOptionEx, hardwareOptions), in
check mode and real runs alike: a value out of range fails naming the option, the allowed range
and the nearest valid value, and the server is left as it was (read through vm_server).

The harness answers the documented limits per hardware version (tests/vcsim/limits.go):
vmx-13 up to 128 CPUs, 64 cores per socket and 6128 GB; vmx-8 up to 32 CPUs; vmx-4 one core
per socket.
"""

from __future__ import annotations

import re

import pytest
from test_esx_vm import new_vm
from vm_runs import ok, vm_run

MAX_MB = 6128 * 1024


def refused_in_both_modes(server, sim, args: dict, pattern: str) -> None:
    snapshot, tasks = server.snapshot(), server.tasks()
    for check in (True, False):
        result = vm_run(sim, args, check=check, diff=False)
        assert result.failed, (check, result.result)
        assert result.get("changed") in (None, False)
        assert re.fullmatch(pattern, result["msg"]), (check, result["msg"])
    assert server.snapshot() == snapshot, "a refused run changed the server"
    assert server.tasks() == tasks, "a refused run started a task"


@pytest.mark.parametrize(
    "extra, pattern",
    [
        ({"num_cpus": 200}, r"num_cpus: 200 is not allowed by .+ at vmx-13 \(allowed: 1 to 128\); "
                            r"the nearest valid value is 128"),
        ({"num_cpus": 33, "hardware_version": "8"},
         r"num_cpus: 33 is not allowed by .+ at vmx-0?8 \(allowed: 1 to 32\); the nearest valid value is 32"),
        ({"memory_mb": MAX_MB + 4}, rf"memory_mb: {MAX_MB + 4} is not allowed by .+ at vmx-13 "
                                    rf"\(allowed: 4 to {MAX_MB}\); the nearest valid value is {MAX_MB}"),
        ({"num_cpus": 2, "cores_per_socket": 2, "hardware_version": "4"},
         r"cores_per_socket: 2 is not allowed by .+ at vmx-0?4 \(allowed: 1 to 1\); the nearest valid value is 1"),
        ({"num_cpus": 128, "cores_per_socket": 128},
         r"cores_per_socket: 128 is not allowed by .+ at vmx-13 \(allowed: 1 to 64\); the nearest valid value is 64"),
    ],
)  # fmt: skip
def test_a_new_vm_beyond_the_limits_is_refused(server, sim, model, extra, pattern):
    refused_in_both_modes(server, sim, new_vm(model, "l-new", **extra), pattern)
    assert server.vm("l-new") is None


@pytest.fixture(scope="module")
def existing(server, sim, model):
    """A VM at the host's default hardware version (vmx-13), to change."""
    ok(vm_run(sim, new_vm(model, "l-existing")))
    assert server.props(server.vm("l-existing"), ["config.version"])["config.version"] == "vmx-13"
    return "l-existing"


def test_an_existing_vm_beyond_the_limits_is_refused(server, sim, existing):
    refused_in_both_modes(
        server, sim, {"name": existing, "num_cpus": 129},
        r"num_cpus: 129 is not allowed by host '[^']+' at vmx-13 \(allowed: 1 to 128\); "
        r"the nearest valid value is 128",
    )  # fmt: skip
    refused_in_both_modes(
        server, sim, {"name": existing, "memory_mb": MAX_MB + 1024},
        rf"memory_mb: {MAX_MB + 1024} is not allowed by host '[^']+' at vmx-13 \(allowed: 4 to "
        rf"{MAX_MB}\); the nearest valid value is {MAX_MB}",
    )  # fmt: skip


def test_values_at_the_limits_are_allowed(server, sim, existing):
    ref = server.vm(existing)
    check = ok(vm_run(sim, {"name": existing, "num_cpus": 128}, check=True))
    assert check["changed"] is True and check["changes"] == ["num_cpus"]
    ok(vm_run(sim, {"name": existing, "num_cpus": 128}))
    assert server.props(ref, ["config.hardware.numCPU"])["config.hardware.numCPU"] == 128
    assert ok(vm_run(sim, {"name": existing, "num_cpus": 128}))["changed"] is False
