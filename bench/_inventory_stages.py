"""`ansible-inventory`, reporting the process's memory at each stage of `--list` to a JSON file.

    python bench/_inventory_stages.py REPORT.json [--trace-dump] [ansible-inventory arguments...]

Runs ansible-core's own InventoryCLI unchanged; it only wraps two of its steps to read the
resident set size when parsing has ended (every inventory source read, the hosts and their
variables held), after `json_inventory` has gathered every host's variables, and the peak
reached while `dump` serialises them as JSON. bench/inventory.py uses it to tell the memory the
inventory holds from the memory ansible-inventory's output takes on top of it.

With --trace-dump, `dump` also runs under tracemalloc, which reports the most memory the objects
it allocates take at once: what writing the JSON needs whatever the allocator had free before
(resident sizes hide that: memory freed earlier is reused). Slower; the times mean nothing then.
"""

from __future__ import annotations

import json
import resource
import sys
import tracemalloc


def _rss_mb() -> dict:
    with open("/proc/self/statm", encoding="ascii") as f:
        current = int(f.read().split()[1]) * resource.getpagesize()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
    return {"current_mb": round(current / 2**20, 1), "peak_mb": round(peak / 2**20, 1)}


def main() -> None:
    report_path, args = sys.argv[1], sys.argv[2:]
    trace = args[:1] == ["--trace-dump"]
    args = args[1:] if trace else args
    from ansible.cli import inventory as cli  # pylint: disable=import-outside-toplevel

    report: dict = {}
    json_inventory, dump = cli.InventoryCLI.json_inventory, cli.InventoryCLI.dump

    def staged_json_inventory(self, top):
        report["parsed"] = _rss_mb()
        results = json_inventory(self, top)
        report["host_variables_gathered"] = _rss_mb()
        return results

    def staged_dump(stuff):
        if trace:
            tracemalloc.start()
        results = dump(stuff)
        report["serialised"] = _rss_mb()
        if trace:
            report["serialised"]["allocated_peak_mb"] = round(
                tracemalloc.get_traced_memory()[1] / 2**20, 1
            )
            tracemalloc.stop()
        with open(report_path, "w", encoding="utf-8") as f:
            json.dump(report, f)
        return results

    cli.InventoryCLI.json_inventory = staged_json_inventory
    cli.InventoryCLI.dump = staticmethod(staged_dump)
    sys.argv = ["ansible-inventory", *args]
    cli.main()


# Read by bench/inventory.py from the reports this script writes.


def least_list_memory(result: dict) -> float | None:
    """The least peak any plugin could have for this `--list`: bare hosts plus the JSON output.

    Every plugin's process holds at least what the host names alone hold when parsing ends
    (the names-only run); ansible-core's encoder then allocates, for these variables, what the
    traced run measured, whichever plugin set them.
    """
    traced = (result.get("cache_hit_traced", {}).get("stages") or {}).get("serialised", {})
    names = result.get("names_only", {}).get("stages") or {}
    if "allocated_peak_mb" not in traced or "parsed" not in names:
        return None
    return names["parsed"]["current_mb"] + traced["allocated_peak_mb"]


def show_stages(result: dict) -> None:
    stages = result.get("stages")
    if stages and "serialised" in stages:
        written = stages["serialised"]
        traced = written.get("allocated_peak_mb")
        how = (
            f"writing the JSON allocated up to {traced:.0f} MB (traced)"
            if traced is not None
            else f"peak {written['peak_mb']:.0f} MB while writing the JSON"
        )
        print(
            f"    memory: {stages['parsed']['current_mb']:.0f} MB held when parsing ended, "
            f"{stages['host_variables_gathered']['current_mb']:.0f} MB with every host's "
            f"variables gathered, {how}",
            flush=True,
        )


if __name__ == "__main__":
    main()
