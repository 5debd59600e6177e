"""esx_volume's file transfers: what is refused before the server is asked anything."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.storage import transfer
from ansible_collections.viapi.esx.plugins.module_utils.storage.volume import Target
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import InvalidArgument
from ansible_collections.viapi.esx.plugins.module_utils.vi.files import Deadline

TARGET = Target(SimpleNamespace(name="ds1", facts={"datacenter": "DC0"}, handle={}), "d/disk.vmdk")


@pytest.mark.parametrize("slash", ["/", "/sub/"])
def test_a_dest_directory_that_is_not_there_is_an_error(tmp_path, slash):
    dest = f"{tmp_path}/missing{slash}"
    with pytest.raises(InvalidArgument) as e:
        transfer._download(None, TARGET, dest, {"name": "d/disk.vmdk"}, Deadline(60))
    assert str(e.value) == f"dest: the directory '{dest}' does not exist"
    assert list(tmp_path.iterdir()) == []
