#!/usr/bin/env bash
# Create a benchmark environment: our runtime (requests, lxml) plus the peers measured side by
# side: pyVmomi, and the `ansible` package, which ships community.vmware and vmware.vmware.
# Kept apart from .venv so the peers never leak into tests. Prints the environment's path.
#
#   bench/setup.sh [STACK]
#
# STACK 12 (the default): .cache/bench-venv, `ansible` 12.3.0 = ansible-core 2.19 with
#   community.vmware 5.10.0 and vmware.vmware 2.6.0, on python3.
# STACK 14: .cache/bench-venv-14, `ansible` 14.5.0 = ansible-core 2.21 with
#   community.vmware 6.5.0 and vmware.vmware 2.11.0 (what `pip install ansible` gives today),
#   on Python 3.12 (pyenv's, or python3.12 on PATH): ansible 13 and later need Python 3.12.
# Every package is pinned, so a rebuild measures the same peers; an environment made with other
# pins (its stamp file differs) is made again.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
stack=${1:-12}
common="lxml==6.1.3 requests==2.34.2 pyvmomi==9.1.1.0 psutil==7.2.2"
case "$stack" in
12)
    venv="$root/.cache/bench-venv"
    python=python3
    pins="ansible==12.3.0 ansible-core==2.19.14 $common"
    ;;
14)
    venv="$root/.cache/bench-venv-14"
    python=$(find "$(pyenv root 2>/dev/null || echo /nonexistent)"/versions -maxdepth 3 \
        -path '*/versions/3.12.*/bin/python3.12' 2>/dev/null | sort -V | tail -n 1 || true)
    [[ -n $python ]] || python=python3.12
    pins="ansible==14.5.0 ansible-core==2.21.5 $common"
    ;;
*)
    echo "unknown stack '$stack' (12 or 14)" >&2
    exit 2
    ;;
esac
stamp="$venv/.installed"
mkdir -p "$root/.cache"
exec 9>"$venv.lock"
flock 9
if [[ ! -f $stamp || $(cat "$stamp") != "$pins" ]]; then
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip
    # shellcheck disable=SC2086 # one word per pin
    "$venv/bin/python" -m pip install --quiet -r "$root/requirements.txt" $pins
    echo "$pins" >"$stamp"
fi
# bench/scale.py draws its plot with matplotlib (also into an environment made before it).
if ! "$venv/bin/python" -c "import matplotlib" 2>/dev/null; then
    "$venv/bin/python" -m pip install --quiet matplotlib
fi
echo "$venv"
