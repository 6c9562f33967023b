# machine: desktop stand-in for the Pico W's machine module (freq, WDT, LED pin, reset, timers).
# SPDX-License-Identifier: MIT
"""Runs on CPython and on the MicroPython unix port.

On the unix port ``machine`` is an *extensible* built-in: a ``machine.py`` on the
path shadows it (``import machine`` gives this file). This module then imports the
built-in with an empty ``sys.path`` and re-exports its names (``Signal``, ``mem32``,
``time_pulse_us``, ...), so nothing the unix port offered is lost.

Things that would reboot the device (``reset``, ``soft_reset``, ``deepsleep``,
``bootloader``, a starved watchdog) raise SystemExit with a message saying so.
Soft timers and the watchdog are serviced once per shown frame
(``StellarUnicorn.update``), standing in for the device's scheduler.
"""

import sys
import time

import simenv

if sys.implementation.name == "micropython":
    _path = sys.path[:]
    sys.path.clear()  # with no path, import finds the built-in, not this file
    try:
        import machine as _builtin
    finally:
        sys.path.extend(_path)
    for _name in dir(_builtin):
        if not _name.startswith("_"):
            globals()[_name] = getattr(_builtin, _name)
    del _path, _name

PWRON_RESET = 1
WDT_RESET = 3
WDT_MAX_TIMEOUT_MS = 8388  # 0x7fffff us of the RP2040 watchdog counter, rounded down

_freq_hz = 125_000_000


def _now_ms():
    return simenv.elapsed_ms()


def freq(hz=None):
    global _freq_hz
    if hz is None:
        return _freq_hz
    if not isinstance(hz, int) or hz <= 0:
        raise ValueError("cannot change frequency")
    _freq_hz = hz
    return None


def unique_id():
    return b"\xe6\x61\x41\x04\x03\x2f\x2b\x25"


def idle():
    time.sleep(0)


def lightsleep(time_ms=None):
    if time_ms:
        time.sleep(time_ms / 1000)


def reset_cause():
    return PWRON_RESET


def disable_irq():
    return 0


def enable_irq(state=0):
    pass


def reset():
    raise SystemExit("machine.reset(): the device would reboot here; the simulator stops")


def soft_reset():
    raise SystemExit("machine.soft_reset(): the device would restart MicroPython here")


def deepsleep(time_ms=None):
    raise SystemExit("machine.deepsleep(): the device would sleep, then reboot")


def bootloader(value=None):
    raise SystemExit("machine.bootloader(): the device would enter its USB bootloader")


class WDT:
    """The RP2040 watchdog: at most 8388 ms, cannot be stopped once started.

    There is one watchdog: a second WDT() reconfigures it, as on the device.
    """

    def __init__(self, id=0, timeout=5000):
        if id != 0:
            raise ValueError("WDT(%d) doesn't exist" % id)
        if timeout > WDT_MAX_TIMEOUT_MS:
            raise ValueError("timeout exceeds maximum")
        if timeout < 1:
            raise ValueError("timeout too short")
        _watchdog["timeout_ms"] = timeout
        _watchdog["fed_ms"] = _now_ms()
        if _check_watchdog not in simenv.pollers:
            simenv.pollers.append(_check_watchdog)

    def feed(self):
        now_ms = _now_ms()
        _check_watchdog(now_ms)
        _watchdog["fed_ms"] = now_ms


_watchdog = {}


def _check_watchdog(now_ms):
    starved_ms = now_ms - _watchdog["fed_ms"]
    if starved_ms > _watchdog["timeout_ms"]:
        raise SystemExit(
            "machine.WDT: not fed for %d ms (timeout %d ms); the device would reset"
            % (starved_ms, _watchdog["timeout_ms"])
        )


class Pin:
    """A GPIO (or "LED") whose level is only remembered."""

    ALT_SPI = 1
    IN = 0
    ALT_USB = 9
    ALT_UART = 2
    IRQ_FALLING = 4
    OUT = 1
    OPEN_DRAIN = 2
    IRQ_RISING = 8
    PULL_DOWN = 2
    ALT_SIO = 5
    ALT_GPCK = 8
    ALT = 3
    PULL_UP = 1
    ALT_I2C = 3
    ALT_PWM = 4
    ALT_PIO1 = 7
    ALT_PIO0 = 6

    def __init__(self, id, mode=-1, pull=-1, value=None, drive=0, alt=-1):
        self.id = id
        self._mode = mode
        self._pull = pull
        self._value = 1 if pull == Pin.PULL_UP else 0
        self._handler = None
        if value is not None:
            self._value = 1 if value else 0

    def init(self, mode=-1, pull=-1, value=None, drive=0, alt=-1):
        if mode != -1:
            self._mode = mode
        if pull != -1:
            self._pull = pull
        if value is not None:
            self._value = 1 if value else 0

    def value(self, x=None):
        if x is None:
            return self._value
        self._value = 1 if x else 0
        return None

    def __call__(self, x=None):
        return self.value(x)

    def on(self):
        self._value = 1

    def off(self):
        self._value = 0

    def high(self):
        self._value = 1

    def low(self):
        self._value = 0

    def toggle(self):
        self._value ^= 1

    def mode(self, mode=None):
        if mode is None:
            return self._mode
        self._mode = mode
        return None

    def pull(self, pull=None):
        if pull is None:
            return self._pull
        self._pull = pull
        return None

    def irq(self, handler=None, trigger=12, hard=False):
        self._handler = handler  # no edges happen in the simulator
        return None


class Timer:
    """A soft timer; callbacks run from StellarUnicorn.update(), at most once per frame."""

    ONE_SHOT = 0
    PERIODIC = 1

    def __init__(
        self, id=-1, mode=PERIODIC, period=-1, freq=-1, callback=None, tick_hz=1000, hard=False
    ):
        self._callback = None
        self._polling = False
        if callback is not None:
            self.init(mode=mode, period=period, freq=freq, callback=callback, tick_hz=tick_hz)

    def init(self, mode=PERIODIC, period=-1, freq=-1, callback=None, tick_hz=1000, hard=False):
        if freq > 0:
            period_ms = max(1, int(1000 / freq))
        elif period > 0:
            period_ms = max(1, int(period * 1000 / tick_hz))
        else:
            raise ValueError("period or freq required")
        self._mode = mode
        self._period_ms = period_ms
        self._callback = callback
        self._due_ms = _now_ms() + period_ms
        if not self._polling:
            simenv.pollers.append(self._poll)
            self._polling = True

    def deinit(self):
        self._callback = None
        if self._polling:
            simenv.pollers.remove(self._poll)
            self._polling = False

    def _poll(self, now_ms):
        callback = self._callback
        if callback is None or now_ms < self._due_ms:
            return
        if self._mode == Timer.ONE_SHOT:
            self.deinit()
        else:
            self._due_ms = max(self._due_ms + self._period_ms, now_ms)
        callback(self)
