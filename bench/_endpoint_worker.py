"""One read of an endpoint for bench/endpoint_read.py, in a process with no other thread.

    python bench/_endpoint_worker.py serial|parallel|bare|bare_ours|table|pickle < conn.json

Prints JSON: wall and CPU seconds of the read (this process's and its children's), the VMs
read, the parts; for `table`, the reference table's read alone (vm/bulk.reference_table, login
not counted) and its objects; for `pickle`, what pickling the serial read's records costs.
"""

from __future__ import annotations

import json
import pickle
import resource
import sys
import time
from types import SimpleNamespace

from collect import PATHS, run_floor  # collect imports _common: this checkout's collection

from ansible_collections.viapi.esx.plugins.module_utils.inventory import hostvars, source
from ansible_collections.viapi.esx.plugins.module_utils.vm import bulk


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    mode = sys.argv[1]
    where = SimpleNamespace(**json.load(sys.stdin))
    endpoint = source.Endpoint(
        where.host, where.username, where.password, port=where.port, ca_path=where.ca_path
    )
    if mode == "table":
        with endpoint.client() as client:
            started, cpu, children = time.perf_counter(), time.process_time(), children_cpu()
            names = bulk.reference_table(client)
            out = {
                "vms": None,
                "objects": len(names.props),
                "seconds": time.perf_counter() - started,
            }
            out.update(cpu_seconds=time.process_time() - cpu,
                       children_cpu_seconds=children_cpu() - children)  # fmt: skip
        print(json.dumps(out))
        return
    started, cpu, children = time.perf_counter(), time.process_time(), children_cpu()
    if mode in ("bare", "bare_ours"):
        paths = hostvars.read_paths(False) if mode == "bare_ours" else PATHS
        seconds, count = run_floor(where, 1000, paths)  # from the first request: no login
        out = {"vms": count}
    else:
        result = source.read_endpoint(endpoint, (), False, 1 if mode in ("serial", "pickle") else 4)
        if result.error:
            raise SystemExit(result.error)
        out = {"vms": len(result.records), "parts": result.partitions}
    out.update(
        seconds=seconds if mode.startswith("bare") else time.perf_counter() - started,
        cpu_seconds=time.process_time() - cpu,
        children_cpu_seconds=children_cpu() - children,
    )
    if mode == "pickle":
        begun = time.process_time()
        data = pickle.dumps(result.records, protocol=pickle.HIGHEST_PROTOCOL)
        out["dumps_seconds"] = time.process_time() - begun
        begun = time.process_time()
        pickle.loads(data)
        out["loads_seconds"] = time.process_time() - begun
        out["bytes"] = len(data)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
