#!/usr/bin/env bash
# Run every benchmark in bench/ (each bench/*.py, with its own arguments), one after the other,
# and keep going when one fails. Figures go to stdout and to bench/results/<name>.json.
# `make bench` runs this with .venv first on PATH; the peers' environments (ansible 12.3 and
# ansible 14.5, each with its own ansible-core) come from bench/setup.sh, which each script
# calls itself when it needs them.
# Exit status: 0 when every benchmark ran and met its goals, 1 otherwise.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
results="$root/bench/results"
mkdir -p "$results"
python="$root/.venv/bin/python" # requests, lxml and this checkout's viapi.esx (make venv)
[[ -x $python ]] || python=python3

# Arguments per script; a script not listed runs without any.
args_for() {
	case "$1" in
	collect) echo "--rounds 5 --json $results/collect.json" ;;
	inventory) echo "--rounds 3 --json $results/inventory.json" ;;
	vm_info) echo "--rounds 3 --json $results/vm_info.json" ;;
	provision) echo "--json $results/provision.json" ;;
	storage) echo "--json $results/storage.json" ;;
	vm_info_split) echo "--rounds 3 --json $results/vm_info_split.json" ;;
	scale) echo "--json $results/scale.json" ;;
	snapshots) echo "--rounds 3 --json $results/snapshots.json" ;;
	endpoint_read) echo "--rounds 5 --json $results/endpoint_read.json" ;;
	*) echo "" ;;
	esac
}

failed=()
for script in bench/*.py; do
	name=$(basename "$script" .py)
	[[ $name == _* ]] && continue # helpers, not benchmarks
	read -r -a args <<<"$(args_for "$name")"
	echo "=== $name: $script ${args[*]}"
	started=$SECONDS
	if "$python" "$script" "${args[@]}"; then
		echo "=== $name: done in $((SECONDS - started))s"
	else
		echo "=== $name: FAILED (exit $?) after $((SECONDS - started))s" >&2
		failed+=("$name")
	fi
done

if ((${#failed[@]})); then
	echo "benchmarks that failed or missed their goals: ${failed[*]}" >&2
	exit 1
fi
echo "all benchmarks ran; figures in bench/results/"
