"""viapi.esx.esx golden output: the whole inventory of a small fixed model (vCenter + ESXi).

What varies between runs is normalised: the simulators' ports, and which host of the
cluster the simulator placed each cluster VM on (it picks at random). Everything else (names,
moids, uuids derived from file paths, IPs given by --guest-ips) is fixed by the model.
Regenerate after an intended change with VIAPI_UPDATE_GOLDEN=1.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from inventory_run import endpoint, label, run_inventory, write_config

GOLDEN = Path(__file__).with_name("golden") / "vpx_and_esx.json"
CLUSTER_HOST = re.compile(r"DC0_C0_H\d+")


def normalise(inventory, sims: dict) -> dict:
    """Hostvars and groups with ports and cluster-host placement replaced by stable names."""

    def stable(text: str) -> str:
        for name, sim in sims.items():
            text = text.replace(label(sim), f"{name}:PORT")
        return CLUSTER_HOST.sub("DC0_C0_H*", text)

    groups: dict[str, set] = {}
    for group, hosts in inventory.groups.items():  # host_DC0_C0_H1 and _H2 become one group
        groups.setdefault(stable(group), set()).update(hosts)
    hostvars = json.loads(stable(json.dumps(inventory.hostvars)))
    return {"hostvars": hostvars, "groups": {g: sorted(h) for g, h in groups.items()}}


def test_golden_inventory_of_a_small_fixed_model(vcsim_factory, tmp_path):
    sims = {"vcenter": vcsim_factory("--guest-ips", "1"), "esxi": vcsim_factory("--esx")}
    config = write_config(
        tmp_path, {"endpoints": [endpoint(sims["vcenter"]), endpoint(sims["esxi"])]}
    )
    inventory = run_inventory(config)
    assert inventory.rc == 0, inventory.output
    got = normalise(inventory, sims)
    if os.environ.get("VIAPI_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(got, indent=2, sort_keys=True) + "\n")
    assert got == json.loads(GOLDEN.read_text())
