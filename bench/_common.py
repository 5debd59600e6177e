"""What the benchmarks share: paths, the simulator model, the harness, the peers' environment.

Imported by bench/*.py (bench/run.sh skips files starting with `_`: this is not a benchmark).
Importing it also puts .cache/collections first on sys.path, so `ansible_collections.viapi.esx`
is this checkout, as in the tests (or $VIAPI_BENCH_COLLECTIONS when set).
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
# VIAPI_BENCH_COLLECTIONS: another version's collections directory (bench/endpoint_read.py
# --baseline runs its workers with the collection as it was at a git ref).
sys.path.insert(
    0, os.environ.get("VIAPI_BENCH_COLLECTIONS") or str(ROOT / ".cache" / "collections")
)

# One simulator of 4,800 VMs: 2 datacenters, 4 clusters of 4 hosts and 20 standalone hosts each.
MODEL = ["--dc", "2", "--cluster", "4", "--cluster-host", "4", "--host", "20", "--vm", "100"]
# The `ansible` packages whose peers are measured (bench/setup.sh STACK makes the environment).
STACKS = {
    "12": "ansible 12.3.0 (ansible-core 2.19, community.vmware 5.10.0, vmware.vmware 2.6.0)",
    "14": "ansible 14.5.0 (ansible-core 2.21, community.vmware 6.5.0, vmware.vmware 2.11.0)",
}
# The default `properties` of community.vmware.vmware_vm_inventory and vmware.vmware.vms.
PEER_PROPERTIES = [
    "name", "config.cpuHotAddEnabled", "config.cpuHotRemoveEnabled", "config.instanceUuid",
    "config.hardware.numCPU", "config.template", "config.name", "config.uuid", "guest.hostName",
    "guest.ipAddress", "guest.guestId", "guest.guestState", "runtime.maxMemoryUsage",
    "customValue", "summary.runtime.powerState", "config.guestId",
]  # fmt: skip


def load_harness():
    """tests/vcsim/harness.py (Vcsim.start), loaded from its path."""
    spec = importlib.util.spec_from_file_location("vcsim_harness", ROOT / "tests/vcsim/harness.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bench_venv(stack: str = "12") -> tuple[Path | None, str]:
    """The peers' environment of `stack` (bench/setup.sh creates it once), or None and why.

    An environment that exists with the stack's ansible-core is used as it is: a bench never
    remakes one (setup.sh would, when its stamp file differs, even for a linked environment).
    """
    venv = ROOT / ".cache" / ("bench-venv" if stack == "12" else f"bench-venv-{stack}")
    core = re.search(r"ansible-core ([\d.]+)", STACKS.get(stack, ""))
    found = core_version(venv / "bin") if (venv / "bin" / "ansible").exists() else ""
    if core and found.startswith(core.group(1)):
        return venv, ""
    proc = subprocess.run(
        ["bash", str(ROOT / "bench/setup.sh"), stack], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        return None, f"bench/setup.sh failed: {(proc.stdout + proc.stderr)[-1500:]}"
    return Path(proc.stdout.strip().splitlines()[-1]), ""


@dataclass
class Stack:
    """One `ansible` package: ours runs on its ansible-core, the peers are its collections.

    `ours_bin` runs viapi.esx (this checkout, through ANSIBLE_COLLECTIONS_PATH); `peer_bin` the
    peers (None when its environment could not be made: `why`). Stack 12 runs ours from .venv,
    whose ansible-core is the release `ansible` 12.3 pins; stack 14 from its bench environment.
    """

    name: str
    label: str
    ours_bin: Path | None
    peer_bin: Path | None
    why: str = ""
    core: str = ""


def stacks(names: list[str], peers: bool = True) -> list[Stack]:
    """The stacks to measure (bench/setup.sh makes their environments), their core versions."""
    out = []
    for name in names:
        if name not in STACKS:
            raise SystemExit(f"unknown stack {name!r}: one of {', '.join(STACKS)}")
        venv, why = bench_venv(name) if peers or name != "12" else (None, "not run (--skip-peers)")
        bin_dir = venv / "bin" if venv else None
        ours_bin = VENV_BIN if name == "12" else bin_dir
        stack = Stack(name, STACKS[name], ours_bin, bin_dir if peers else None, why)
        if not peers:
            stack.why = "not run (--skip-peers)"
        stack.core = core_version(ours_bin) if ours_bin else ""
        out.append(stack)
    return out


def core_version(bin_dir: Path) -> str:
    """ansible-core's version in `bin_dir` (`ansible --version`), e.g. "2.21.5"."""
    proc = subprocess.run(
        [str(bin_dir / "ansible"), "--version"], capture_output=True, text=True, check=False
    )
    found = re.search(r"core ([\d.]+)", proc.stdout)
    return found.group(1) if found else "unknown"


def env_for(bin_dir: Path) -> dict:
    """The environment to run Ansible from `bin_dir` with, free of the caller's VMWARE_/ANSIBLE_."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VMWARE_", "ANSIBLE_"))}
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".cache" / "collections"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
        ANSIBLE_PYTHON_INTERPRETER=str(bin_dir / "python"),
    )
    return env
