"""`make demo` keeps working: the README's first command, run as the README says."""

from __future__ import annotations

import subprocess

from ansible_run import ROOT, ansible_env


def test_demo_tells_the_whole_story():
    env = ansible_env()
    for name in (
        "ANSIBLE_CALLBACK_PLUGINS",
        "ANSIBLE_CALLBACKS_ENABLED",
        "ANSIBLE_LOAD_CALLBACK_PLUGINS",
    ):
        env.pop(name, None)
    proc = subprocess.run(
        ["bash", "tests/vcsim/demo.sh"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    assert "VMware vCenter Server" in out  # about
    assert "demo-web" in out and "demo-db" in out  # created, listed, in the inventory graph
    assert "iqn." in out and "naa." in out  # iSCSI pools and LUNs
    assert "blocked by host_devices" in out  # one migration blocked, with the reason
    assert "moved from" in out  # one moved
    assert "@cluster_" in out  # the inventory graph
    assert "failed=0" in out
