# Copyright: (c) 2026, viapi.esx developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test helper: write each task's whole result (diff included) as JSON lines to a file.

Enabled by tests/integration/ansible_run.py; the file is named by VIAPI_RESULT_FILE.

A loop's items carry `failed: true` where the item failed: ansible-core 2.21 no longer keeps
that key in the items of a loop's final result, so the item callbacks record it here.
"""

from __future__ import annotations

import copy
import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "result_file"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._failed_items: dict[tuple, list[bool]] = {}  # (host, task uuid) -> item failed?

    def _item(self, result, failed: bool) -> None:
        key = (result._host.get_name(), result._task._uuid)
        self._failed_items.setdefault(key, []).append(failed)

    def v2_runner_item_on_ok(self, result):
        self._item(result, False)

    def v2_runner_item_on_skipped(self, result):
        self._item(result, False)

    def v2_runner_item_on_failed(self, result):
        self._item(result, True)

    def _write(self, result, status: str) -> None:
        path = os.environ.get("VIAPI_RESULT_FILE")
        if not path:
            return
        record = {
            "host": result._host.get_name(),
            "task": result._task.get_name(),
            "status": status,
        }
        record["result"] = copy.deepcopy(dict(result._result))
        failed = self._failed_items.pop((record["host"], result._task._uuid), [])
        for item, item_failed in zip(record["result"].get("results") or [], failed):
            if item_failed and isinstance(item, dict):
                item["failed"] = True
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(record, default=str) + "\n")

    def v2_runner_on_ok(self, result):
        self._write(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._write(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._write(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._write(result, "unreachable")
