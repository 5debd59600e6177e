"""The EXAMPLES of the storage modules run as written against the simulator: the info modules'
on a read-only one, esx_volume's and esx_storage_pool's each on a fresh one, whose state after
them is read with storage_reads.

Connection options come from module_defaults for the group/viapi.esx.esx action group, as the
examples say; the tasks are taken verbatim from the modules' EXAMPLES (esx_volume's upload
reads files/tools.iso beside the playbook, made here; esx_storage_pool's CHAP secret is the
variable its example names).
"""

from __future__ import annotations

import ast

import pytest
import storage_reads as reads
import yaml
from ansible_run import ROOT, connection, run_playbook


def examples(module: str) -> list[dict]:
    """The EXAMPLES tasks of plugins/modules/<module>.py."""
    tree = ast.parse((ROOT / "plugins" / "modules" / f"{module}.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            getattr(t, "id", "") == "EXAMPLES" for t in node.targets
        ):
            return yaml.safe_load(node.value.value)
    raise AssertionError(f"{module} has no EXAMPLES")


@pytest.mark.parametrize("module", ["esx_storage_pool_info", "esx_volume_info"])
def test_examples_run_as_written(module, iscsi_vpx, tmp_path):
    play = {
        "hosts": "localhost",
        "gather_facts": False,
        "module_defaults": {"group/viapi.esx.esx": connection(iscsi_vpx)},
        "tasks": examples(module),
    }
    path = tmp_path / "examples.yml"
    path.write_text(yaml.safe_dump([play], sort_keys=False))
    result = run_playbook(path)
    assert result.rc == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "failed=0" in result.stdout and "changed=0" in result.stdout


def playbook(tmp_path, sim, module: str):
    play = {
        "hosts": "localhost",
        "gather_facts": False,
        "module_defaults": {"group/viapi.esx.esx": connection(sim)},
        "tasks": examples(module),
    }
    path = tmp_path / "examples.yml"
    path.write_text(yaml.safe_dump([play], sort_keys=False))
    return path


def test_volume_examples_run_as_written(vcsim_factory, tmp_path):
    sim = vcsim_factory()
    iso = tmp_path / "files" / "tools.iso"
    iso.parent.mkdir()
    iso.write_bytes(b"CD001" * 4096)
    result = run_playbook(playbook(tmp_path, sim, "esx_volume"))
    assert result.rc == 0, result.stdout[-4000:] + result.stderr[-2000:]
    # create, download, grow + inflate, copy, wipe, upload, download, delete: each task changes
    assert "failed=0" in result.stdout and "changed=8" in result.stdout, result.stdout[-3000:]
    root = reads.datastore_dir(sim, "LocalDS_0")
    assert reads.descriptor(root / "disks" / "data.vmdk") == {
        "sectors": 512 << 11, "extent": "data-flat.vmdk", "thin": False}  # fmt: skip
    left = reads.files_on_disk(root)
    assert "disks/data-copy.vmdk" not in left and "iso/tools.iso" not in left
    assert (tmp_path / "tools-downloaded.iso").read_bytes() == iso.read_bytes()
    # The disk as it was downloaded, before it grew: its descriptor and its 256 MiB flat file.
    assert reads.descriptor(tmp_path / "data.vmdk") == {
        "sectors": 256 << 11, "extent": "data-flat.vmdk", "thin": True}  # fmt: skip
    assert (tmp_path / "data-flat.vmdk").stat().st_size == 256 << 20


SECRET = "examples-chap-secret"


def test_pool_examples_run_as_written(vcsim_factory, tmp_path):
    sim = vcsim_factory()
    result = run_playbook(
        playbook(tmp_path, sim, "esx_storage_pool"), extra_vars={"iscsi_chap_secret": SECRET}
    )
    assert result.rc == 0, result.stdout[-4000:] + result.stderr[-2000:]
    # mount, (refresh: nothing new), iSCSI target, VMFS datastore, unmount
    assert "failed=0" in result.stdout and "changed=4" in result.stdout, result.stdout[-3000:]
    assert SECRET not in result.stdout + result.stderr
    datastores = reads.datastores(sim)
    assert "nfs-iso" not in datastores
    vmfs = datastores["vmfs-data"]
    assert vmfs["listed_by"] == {"DC0_H0"}
    assert [e["diskName"] for e in vmfs["info"]["vmfs"]["extent"]] == [
        "naa.600140500a0348a022e8ca87e6be41bc"
    ]
