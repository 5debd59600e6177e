"""viapi.esx.esx_volume's upload and download against community.vmware.vsphere_copy (upload), on
one simulator, in one run: seconds and the module process's peak RSS.

Each module runs as Ansible runs it on the target, one Python process per module with its
arguments in a JSON file (`python <module>.py args.json`), so the peak RSS is the module's own
(os.wait4's ru_maxrss of that process), not ansible-playbook's:
- ours:      esx_volume with src (upload) and with dest (download), .venv's Python, TLS on with
             the simulator's CA; the upload includes the SHA-256 of the local file ours computes
- community: vsphere_copy (upload only: it has no download), the bench environment's Python
             (bench/setup.sh), validate_certs false
Files of --small-mb and --size-mb (default 64 and 1024 MiB) are uploaded to and downloaded from a
fresh path each time; ours must keep its peak RSS flat in the file size (the two sizes' peaks
within --flat-mb of each other). A peer that fails is reported with why, never timed.

    python bench/storage.py [--size-mb 1024] [--small-mb 64] [--skip-peer] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, VENV_BIN, bench_venv, load_harness

OURS = ROOT / "plugins" / "modules" / "esx_volume.py"
PEER = "ansible_collections/community/vmware/plugins/modules/vsphere_copy.py"


def run_module(python: Path, module: Path, args: dict, workdir: Path) -> dict:
    """One module process: seconds, peak RSS (MiB) and its JSON result (or an error)."""
    args_file = workdir / "args.json"
    args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VMWARE_", "ANSIBLE_"))}
    env["PYTHONPATH"] = str(ROOT / ".cache" / "collections")
    started = time.monotonic()
    proc = subprocess.Popen(
        [str(python), str(module), str(args_file)], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, env=env, cwd=workdir,
    )  # fmt: skip
    out, err = proc.stdout.read(), proc.stderr.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    result = {"seconds": seconds, "peak_rss_mib": usage.ru_maxrss / 1024}
    try:
        answer = json.loads(out.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        answer = {"failed": True, "msg": (out + err).decode(errors="replace")[-1500:]}
    if proc.returncode != 0 or answer.get("failed"):
        result["error"] = answer.get("msg") or f"exit {proc.returncode}"
    return result


def make_file(path: Path, mib: int) -> None:
    """A file of `mib` MiB of non-repeating bytes, written in 1 MiB chunks."""
    with path.open("wb") as f:
        for _chunk in range(mib):
            f.write(os.urandom(1 << 20))


def ours(sim, src: Path, workdir: Path, tag: str) -> dict:
    conn = {"hostname": sim.host, "port": sim.port, "username": sim.username,
            "password": sim.password, "ca_path": str(sim.ca_path)}  # fmt: skip
    name = f"[LocalDS_0] bench/{tag}-{src.name}"
    up = run_module(VENV_BIN / "python", OURS, dict(conn, name=name, src=str(src)), workdir)
    dest = workdir / f"{tag}-down.bin"
    down = run_module(VENV_BIN / "python", OURS, dict(conn, name=name, dest=str(dest)), workdir)
    if "error" not in down and dest.stat().st_size != src.stat().st_size:
        down["error"] = f"downloaded {dest.stat().st_size} bytes of {src.stat().st_size}"
    dest.unlink(missing_ok=True)
    return {"upload": up, "download": down}


def peer(sim, venv: Path | None, why: str, src: Path, workdir: Path) -> dict:
    if venv is None:
        return {"upload": {"error": why}}
    module = next((venv / "lib").glob(f"python3*/site-packages/{PEER}"), None)
    if module is None:
        return {"upload": {"error": f"{PEER} is not in {venv}"}}
    # vsphere_copy builds https://<hostname><path>: the simulator's port goes into hostname.
    args = {"hostname": f"{sim.host}:{sim.port}", "username": sim.username,
            "password": sim.password, "validate_certs": False, "src": str(src),
            "datacenter": "DC0", "datastore": "LocalDS_0", "path": f"bench/peer-{src.name}",
            "timeout": 600}  # fmt: skip
    return {"upload": run_module(venv / "bin" / "python", module, args, workdir)}


def show(name: str, result: dict) -> None:
    if "error" in result:
        print(f"  {name:<28} FAILED (not timed): {result['error']}", flush=True)
        return
    print(
        f"  {name:<28} {result['seconds']:8.2f} s  peak RSS {result['peak_rss_mib']:7.1f} MiB",
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--small-mb", type=int, default=64)
    parser.add_argument("--flat-mb", type=float, default=16.0)
    parser.add_argument("--skip-peer", action="store_true")
    parser.add_argument("--json", type=Path)
    opts = parser.parse_args()
    harness = load_harness()
    venv, why = (None, "not run (--skip-peer)") if opts.skip_peer else bench_venv()
    with tempfile.TemporaryDirectory(prefix="storage-bench-") as tmp:
        workdir = Path(tmp)
        small, large = workdir / f"{opts.small_mb}m.bin", workdir / f"{opts.size_mb}m.bin"
        make_file(small, opts.small_mb)
        make_file(large, opts.size_mb)
        sim = harness.Vcsim.start(cert_dir=workdir / "sim")
        try:
            results = {"size_mib": opts.size_mb, "small_mib": opts.small_mb}
            for label, src in ((f"{opts.small_mb} MiB", small), (f"{opts.size_mb} MiB", large)):
                print(f"{label}:", flush=True)
                mine = ours(sim, src, workdir, f"ours-{src.stem}")
                results[f"ours_{src.stem}"] = mine
                show("ours upload (esx_volume)", mine["upload"])
                show("ours download (esx_volume)", mine["download"])
            results["community"] = peer(sim, venv, why, large, workdir)
            print(f"{opts.size_mb} MiB, community.vmware:", flush=True)
            show("vsphere_copy upload", results["community"]["upload"])
        finally:
            sim.stop()
    met = report(results, opts)
    if opts.json:
        opts.json.write_text(json.dumps(results, indent=2))
    return 0 if met else 1


def report(results: dict, opts) -> bool:
    """RSS flat in the file size (ours), and the upload ratio against the peer."""
    small, large = results[f"ours_{opts.small_mb}m"], results[f"ours_{opts.size_mb}m"]
    runs = [small["upload"], small["download"], large["upload"], large["download"]]
    if any("error" in r for r in runs):
        print("ours failed: no figures", file=sys.stderr)
        return False
    growth = max(large["upload"]["peak_rss_mib"] - small["upload"]["peak_rss_mib"],
                 large["download"]["peak_rss_mib"] - small["download"]["peak_rss_mib"])  # fmt: skip
    results["rss_growth_mib"] = growth
    flat = growth <= opts.flat_mb
    print(f"peak RSS growth from {opts.small_mb} to {opts.size_mb} MiB: {growth:.1f} MiB "
          f"({'flat' if flat else 'NOT flat'}, goal <= {opts.flat_mb:g} MiB)")  # fmt: skip
    peer_up = results["community"]["upload"]
    if "error" not in peer_up:
        results["upload_ratio"] = peer_up["seconds"] / large["upload"]["seconds"]
        results["rss_ratio"] = peer_up["peak_rss_mib"] / large["upload"]["peak_rss_mib"]
        print(f"upload: vsphere_copy takes {results['upload_ratio']:.2f}x our time and "
              f"{results['rss_ratio']:.1f}x our peak RSS")  # fmt: skip
    return flat


if __name__ == "__main__":
    sys.exit(main())
