#!/usr/bin/env python
"""Install the built collection tarball into a temporary path and run a module from it.

Proves the artifact users get is complete: only the temporary path is on the collection path,
so the checkout cannot stand in for a missing file. The module runs against a fresh simulator.

Usage: python tools/install_check.py .cache/dist/viapi-esx-*.tar.gz
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def harness():
    """tests/vcsim/harness.py, which starts and stops the simulator."""
    spec = importlib.util.spec_from_file_location("vcsim_harness", ROOT / "tests/vcsim/harness.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(tarball: str) -> int:
    with tempfile.TemporaryDirectory(prefix="esx-install-") as tmp:
        env = dict(
            os.environ, ANSIBLE_COLLECTIONS_PATH=tmp, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false"
        )
        env["ANSIBLE_PYTHON_INTERPRETER"] = sys.executable
        subprocess.run(
            ["ansible-galaxy", "collection", "install", "--offline", "--force", "-p", tmp, tarball],
            check=True, env=env,
        )  # fmt: skip
        with harness().Vcsim.start() as sim:
            args = {
                "hostname": sim.host, "port": sim.port, "username": sim.username,
                "password": sim.password, "ca_path": str(sim.ca_path),
            }  # fmt: skip
            tree = Path(tmp) / "tree"
            proc = subprocess.run(
                ["ansible", "localhost", "-m", "viapi.esx.esx_about_info", "-a", json.dumps(args),
                 "-t", str(tree)],
                env=env, capture_output=True, text=True, check=False,
            )  # fmt: skip
        result = (
            json.loads((tree / "localhost").read_text()) if (tree / "localhost").exists() else {}
        )
        api_type = (result.get("about") or {}).get("api_type")
        if proc.returncode != 0 or api_type != "VirtualCenter":
            print(proc.stdout, proc.stderr, sep="\n", file=sys.stderr)
            print(
                "install-check: esx_about_info from the installed collection failed",
                file=sys.stderr,
            )
            return 1
        print(f"install-check: esx_about_info from the installed tarball answered ({api_type})")
        return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
