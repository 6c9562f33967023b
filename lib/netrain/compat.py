# netrain.compat: the one place that hides MicroPython vs CPython differences.
# SPDX-License-Identifier: MIT
"""Ticks, ``const``, ``native``, async sleeps and heap figures for both runtimes.

Every other module imports these names from here and never tests the runtime
itself. Feature detection (not ``sys.implementation``) keeps a desktop stub
called ``micropython`` from fooling us.
"""

import sys

try:
    from micropython import const, native
except ImportError:  # pragma: no cover - CPython

    def const(value):
        return value

    def native(func):
        return func


try:
    from time import ticks_add, ticks_diff, ticks_ms, ticks_us

    IS_MICROPYTHON = True
except ImportError:  # pragma: no cover - CPython: emulate MicroPython's 30-bit ticks
    import time as _time

    IS_MICROPYTHON = False
    _TICKS_PERIOD = 1 << 30
    _TICKS_MAX = _TICKS_PERIOD - 1
    _TICKS_HALF = _TICKS_PERIOD // 2

    def ticks_ms():
        return (_time.monotonic_ns() // 1_000_000) & _TICKS_MAX

    def ticks_us():
        return (_time.monotonic_ns() // 1_000) & _TICKS_MAX

    def ticks_add(ticks, delta):
        return (ticks + delta) & _TICKS_MAX

    def ticks_diff(end, start):
        return ((end - start + _TICKS_HALF) & _TICKS_MAX) - _TICKS_HALF


import asyncio

try:
    sleep_ms = asyncio.sleep_ms
    wait_for_ms = asyncio.wait_for_ms
except AttributeError:  # pragma: no cover - CPython

    def sleep_ms(ms):
        return asyncio.sleep(ms / 1000)

    def wait_for_ms(awaitable, ms):
        return asyncio.wait_for(awaitable, ms / 1000)


try:
    print_exception = sys.print_exception
except AttributeError:  # pragma: no cover - CPython
    import traceback as _traceback

    def print_exception(exc, file=sys.stdout):
        _traceback.print_exception(type(exc), exc, exc.__traceback__, file=file)


try:
    from gc import mem_alloc, mem_free
except ImportError:  # pragma: no cover - CPython has no fixed heap to report

    def mem_free():
        return None

    def mem_alloc():
        return None

