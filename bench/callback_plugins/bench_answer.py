# Copyright: (c) 2026, viapi.esx developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A notification callback for the benchmarks: the result of each task that ends ok is written,
as JSON, to the file named by $BENCH_ANSWER (the last one wins).

bench/snapshots.py checks each module's answer from this file. A task that writes the answer
instead (copy with the registered result as content) costs two more module runs and a template
of the whole result, several times a small module's own run, and a play of one debug task
would not pay it: the benchmark would time the writing as much as the module.
"""

from __future__ import annotations

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: bench_answer
type: notification
short_description: Write each ok task result to $BENCH_ANSWER (benchmarks only)
description:
  - Each task result that ends ok is written as JSON to the file $BENCH_ANSWER names.
requirements:
  - enabled with ANSIBLE_CALLBACKS_ENABLED=bench_answer
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "bench_answer"
    CALLBACK_NEEDS_ENABLED = True

    def v2_runner_on_ok(self, result) -> None:
        path = os.environ.get("BENCH_ANSWER")
        if path:
            with open(path, "w", encoding="utf-8") as out:
                json.dump(result._result, out, default=str)
