# simenv: the simulator's settings (NETRAIN_SIM, a JSON object) and its clock, for the stubs.
# SPDX-License-Identifier: MIT
"""Shared by the device stand-ins on CPython and on the MicroPython unix port.

``settings()`` parses ``NETRAIN_SIM`` once, on first use (never at import), and that
first call is the simulator's time zero: ``elapsed_ms()`` counts from it. Tests call
``use({...})`` instead of setting the environment. ``pollers`` are callables the
stubs run from ``StellarUnicorn.update()`` (soft timers, the watchdog), the closest
thing the simulator has to the device's scheduler.
"""

import json
import os
import time

try:
    _ticks_ms = time.ticks_ms
    _ticks_diff = time.ticks_diff
except AttributeError:  # CPython: monotonic seconds as float
    _ticks_ms = None

_settings = None
_start = None
pollers = []


def _now():
    if _ticks_ms is not None:
        return _ticks_ms()
    return time.monotonic()


def _start_clock():
    global _start
    if _start is None:
        _start = _now()


def elapsed_ms():
    """Milliseconds since the simulator's time zero (the first settings()/elapsed_ms())."""
    if _start is None:
        _start_clock()
    if _ticks_ms is not None:
        return _ticks_diff(_ticks_ms(), _start)
    return int((time.monotonic() - _start) * 1000)


def settings():
    """The NETRAIN_SIM object (cached; {} when unset)."""
    global _settings
    _start_clock()
    if _settings is None:
        text = os.getenv("NETRAIN_SIM")
        if not text:
            _settings = {}
        else:
            try:
                value = json.loads(text)
            except ValueError:
                raise ValueError("NETRAIN_SIM is not valid JSON: %r" % text[:80])
            if not isinstance(value, dict):
                raise ValueError("NETRAIN_SIM must be a JSON object, got %r" % text[:80])
            _settings = value
    return _settings


def use(value, restart_clock=True):
    """Replace the settings (tests, embedders); optionally restart time zero."""
    global _settings, _start
    _settings = dict(value)
    if restart_clock:
        _start = None
        _start_clock()
    return _settings


def intervals_ms(pairs, key):
    """[[start_s, end_s], ...] -> [(start_ms, end_ms), ...], with errors naming the item."""
    out = []
    if not isinstance(pairs, list):
        raise ValueError("NETRAIN_SIM %s: expected a list of [start_s, end_s]" % key)
    for item in pairs:
        ok = isinstance(item, list) and len(item) == 2
        ok = ok and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in item)
        if not ok or not 0 <= item[0] < item[1]:
            raise ValueError("NETRAIN_SIM %s: bad interval %r, want [start_s, end_s]" % (key, item))
        out.append((int(item[0] * 1000), int(item[1] * 1000)))
    return out


def poll(now_ms):
    """Run the registered pollers (called once per displayed frame).

    A poller may remove itself (a one-shot timer): indexing, not iterating, keeps the
    next one from being skipped, without copying the list every frame.
    """
    i = 0
    while i < len(pollers):
        func = pollers[i]
        func(now_ms)
        if i < len(pollers) and pollers[i] is func:
            i += 1
