#!/usr/bin/env bash
# `make demo`: start the embedded simulator, tell the viapi.esx story against it, stop it.
# Run through make (it provides .venv and ANSIBLE_COLLECTIONS_PATH).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
pid=""
cleanup() {
    if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

echo "== starting the vSphere simulator (pre-migration scenario, iSCSI targets)"
"$root/tests/vcsim/vcsim" serve --cert-dir "$work" --manifest "$work/manifest.json" \
    --scenario premigration --iscsi >"$work/url" 2>"$work/vcsim.log" &
pid=$!
until [[ -s $work/url ]]; do
    if ! kill -0 "$pid" 2>/dev/null; then cat "$work/vcsim.log" >&2; exit 1; fi
    sleep 0.2
done
url=$(head -n 1 "$work/url")
port=${url##*:}; port=${port%%/*}
echo "   $url (its CA: $work/ca.pem)"

export VMWARE_HOST=127.0.0.1 VMWARE_PORT=$port VMWARE_USER=viapi VMWARE_PASSWORD=viapi-secret
export VMWARE_CA_PATH=$work/ca.pem
export ANSIBLE_CALLBACK_RESULT_FORMAT=yaml ANSIBLE_DISPLAY_SKIPPED_HOSTS=false
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
export ANSIBLE_PYTHON_INTERPRETER=${ANSIBLE_PYTHON_INTERPRETER:-$(command -v python)}

ansible-playbook "$root/playbooks/examples/demo.yml" -e "demo_manifest_file=$work/manifest.json"

echo
echo "== 7. The inventory plugin: every VM, grouped (ansible-inventory --graph)"
cat >"$work/demo.esx.yml" <<YAML
plugin: viapi.esx.esx
YAML
ansible-inventory -i "$work/demo.esx.yml" --graph

echo
echo "== stopping the simulator"
