#!/usr/bin/env bash
# Create the benchmark environment .cache/bench-venv: our runtime (requests, lxml) plus the
# peers measured side by side: pyVmomi, and the `ansible` package, which ships
# community.vmware and vmware.vmware. Kept apart from .venv so the peers never leak into tests.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.cache/bench-venv"
stamp="$venv/.installed"
exec 9>"$root/.cache/bench-venv.lock"
flock 9
if [[ ! -f $stamp ]]; then
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip
    "$venv/bin/python" -m pip install --quiet -r "$root/requirements.txt" pyvmomi ansible psutil
    touch "$stamp"
fi
# bench/scale.py draws its plot with matplotlib (also into an environment made before it).
if ! "$venv/bin/python" -c "import matplotlib" 2>/dev/null; then
    "$venv/bin/python" -m pip install --quiet matplotlib
fi
echo "$venv"
