"""Where a VM is, read through pyVmomi: the migrate tests' reader independent of our client."""

from __future__ import annotations

import ssl

from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim


def placed(sim, vm_name: str) -> tuple[str, str, str]:
    """The VM's host name, resource pool moid and power state."""
    context = ssl.create_default_context(cafile=str(sim.ca_path))
    si = SmartConnect(host=sim.host, port=sim.port, user=sim.username, pwd=sim.password,
                      sslContext=context)  # fmt: skip
    try:
        content = si.RetrieveContent()
        view = content.viewManager.CreateContainerView(
            content.rootFolder, [vim.VirtualMachine], True
        )
        vm = next(v for v in view.view if v.name == vm_name)
        return vm.runtime.host.name, vm.resourcePool._moId, str(vm.runtime.powerState)
    finally:
        Disconnect(si)
