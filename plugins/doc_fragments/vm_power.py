# Copyright: (c) 2026, viapi.esx developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """esx_vm's options for how power changes are made and waited for: the hard fallback, the
    power cycle for changes that need the VM off, the timeouts, the answers to power-on
    questions (fields of vm/request.py's VmRequest, run by vm/lifecycle.py)."""

    DOCUMENTATION = r"""
options:
  force:
    description:
      - Let V(shutdown_guest) and V(reboot_guest) fall back to a hard power off or reset when
        the guest cannot be asked (no VMware Tools, suspended VM, O(guest_timeout) passed).
      - Let V(absent) power off a running VM before deleting it.
    type: bool
    default: false
  allow_power_cycle:
    description:
      - Changes that need the VM powered off (for example O(cores_per_socket), O(guest_id),
        O(hardware_version), CPU or memory without hot add) are refused on a running VM, with a
        message naming the options. With V(true), the VM is powered off (hard), reconfigured,
        and powered on again.
    type: bool
    default: false
  guest_timeout:
    description: Seconds to wait for a guest shutdown (V(shutdown_guest)) to power the VM off.
    type: int
    default: 300
  wait_timeout:
    description:
      - Seconds each server task (create, reconfigure, power, delete) may take.
      - On timeout the module fails with the task's state; the server may still finish it.
    type: int
    default: 3600
  answers:
    description:
      - Answers to the questions a VM asks when it powers on (C(runtime.question)), for
        example the one of a VM whose files were moved or copied (message id
        C(msg.uuid.altered)). A dict of the question's id or one of its message ids to the
        choice - its key (C("2")) or its label (C(I Copied It)).
      - A power on that a question blocks is answered from this dict (VirtualMachine.AnswerVM);
        without an answer it fails at once with the question's text, ids and choices, instead of
        waiting until O(wait_timeout). The question stays on the VM, and a later run with
        O(answers) answers it. Questions are never answered otherwise.
    type: dict
"""
