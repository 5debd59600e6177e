# Copyright: (c) 2026, viapi.esx developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Attributes shared by groups of modules."""

    # The read-only modules (*_info): the same answer in check mode, nothing to diff.
    INFO = r"""
options: {}
attributes:
  check_mode:
    support: full
    description: Reads only; the same answer in check mode.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to diff.
"""
