# sim.outcome: how the firmware's run ended, read from its console as it passes through.
# SPDX-License-Identifier: MIT
"""The firmware shows a config error on the panel until the run time is up and then
returns normally, as it must on a board; the simulator's caller (a script, CI) needs a
non-zero exit for it, so the console is watched for the line the firmware prints then.
"""

import sys
import threading

#: printed by netrain.start once a config fails to load (tests/test_sim_e2e.py pins it)
CONFIG_ERROR_MARK = "netrain: fix config.json"
#: the simulator's summary line, whose "state" is where the run ended
SUMMARY_PREFIX = "netrain-summary "


class ConsoleWatch:
    def __init__(self, out=None):
        self._out = out
        self.config_error = False

    def _see(self, text):
        summary = text.startswith(SUMMARY_PREFIX)
        if CONFIG_ERROR_MARK in text or (summary and '"state": "config_error"' in text):
            self.config_error = True

    # CPython runtime: stands in for sys.stdout while the firmware runs in-process
    def write(self, text):
        self._see(text)
        return (self._out or sys.__stdout__).write(text)

    def flush(self):
        (self._out or sys.__stdout__).flush()

    def pump(self, stream):
        """Unix port: copy the child's stdout (bytes, line by line) through to ours."""
        for raw in iter(stream.readline, b""):
            text = raw.decode("utf-8", "replace")
            self._see(text)
            sys.stdout.write(text)
            sys.stdout.flush()

    def pump_in_thread(self, stream):
        thread = threading.Thread(target=self.pump, args=(stream,), daemon=True)
        thread.start()
        return thread
