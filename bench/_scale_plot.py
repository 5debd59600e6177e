"""Draw bench/scale.py's figures as a PNG: seconds and peak RSS against the number of VMs.

    python bench/_scale_plot.py REPORT.json OUT.png

Run with the bench environment's python (bench/setup.sh installs matplotlib there, never in
.venv). Not a benchmark: bench/run.sh skips files starting with `_`.
"""

from __future__ import annotations

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

RUNS = {
    "list": "ansible-inventory --list",
    "names_only": "the names only, --list (floor)",
    "loaded": "inventory loaded (--host)",
    "vm_info": "esx_vm_info, every endpoint",
    "baseline_list": "--list, before",
    "baseline_loaded": "loaded, before",
    "baseline_vm_info": "esx_vm_info, before",
}


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as f:
        report = json.load(f)
    sizes = sorted(int(s) for s in report["sizes"])
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for name, label in RUNS.items():
        points = [
            (n, report["sizes"][str(n)][name])
            for n in sizes
            if name in report["sizes"][str(n)] and "error" not in report["sizes"][str(n)][name]
        ]
        if not points:
            continue
        style = "--" if name.startswith("baseline") else "-"
        xs = [n / 1000 for n, _r in points]
        left.plot(xs, [r["seconds"] for _n, r in points], style, marker="o", label=label)
        right.plot(xs, [r["max_rss_mb"] for _n, r in points], style, marker="o", label=label)
    left.set(xlabel="VMs (thousands)", ylabel="seconds (whole process)", title="Time")
    right.set(xlabel="VMs (thousands)", ylabel="peak RSS, MB", title="Memory")
    for axes in (left, right):
        axes.grid(True, alpha=0.3)
        axes.set_xlim(left=0)
        axes.set_ylim(bottom=0)
    left.legend(fontsize=8)
    core = f"ansible-core {report['core']}; " if report.get("core") else ""
    fig.suptitle(f"viapi.esx at scale (5,000 VMs per simulator; {core}one 2-vCPU machine)")
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=110)


if __name__ == "__main__":
    main()
