"""What the benchmarks share: paths, the simulator model, the harness, the peers' environment.

Imported by bench/*.py (bench/run.sh skips files starting with `_`: this is not a benchmark).
Importing it also puts .cache/collections first on sys.path, so `ansible_collections.viapi.esx`
is this checkout, as in the tests.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
sys.path.insert(0, str(ROOT / ".cache" / "collections"))

# One simulator of 4,800 VMs: 2 datacenters, 4 clusters of 4 hosts and 20 standalone hosts each.
MODEL = ["--dc", "2", "--cluster", "4", "--cluster-host", "4", "--host", "20", "--vm", "100"]
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


def bench_venv() -> tuple[Path | None, str]:
    """The peers' environment (bench/setup.sh creates it once), or None and why."""
    proc = subprocess.run(
        ["bash", str(ROOT / "bench/setup.sh")], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        return None, f"bench/setup.sh failed: {(proc.stdout + proc.stderr)[-1500:]}"
    return Path(proc.stdout.strip().splitlines()[-1]), ""


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
