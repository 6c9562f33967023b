# netrain.meter: WAN samples -> smoothed, interpolated utilisation in permille.
# SPDX-License-Identifier: MIT
"""Turn polled rates into a level the animation can follow smoothly.

* Scale: rate / plan speed, or, when the plan is unknown, against a slowly decaying
  peak (auto-scale) that never drops below a floor.
* Curve: log(1 + k*x) / log(1 + k) with k = 999, so 1 Mbit/s of a 1 Gbit/s plan
  still shows as 10 % while 900 Mbit/s reads 98.5 %.
* Smoothing: an exponential moving average of the rates, and a lone zero between
  non-zero samples is held (controllers report 0 when polled faster than they refresh).
* Interpolation: the displayed level ramps linearly from where it was to the new
  target over one poll interval, so the rain never jumps.

Floats are used only in ``add`` (once per poll); ``level_permille`` is integer-only
because the spawn task calls it many times a second.
"""

import math

from .compat import const, ticks_diff

_PERMILLE = const(1000)
_MIN_RAMP_MS = const(200)
_MAX_RAMP_MS = const(10000)
_ZERO_HOLD_SAMPLES = const(2)

CURVE_K = 999.0
BITS_PER_BYTE = 8
#: Auto-scale floors: the scale never shrinks below 10 Mbit/s down, 2 Mbit/s up.
AUTO_FLOOR_DOWN_BYTES_PER_S = 10_000_000 // BITS_PER_BYTE
AUTO_FLOOR_UP_BYTES_PER_S = 2_000_000 // BITS_PER_BYTE
#: Auto-scale peak half-life: a burst sets the scale for minutes, not forever.
AUTO_PEAK_HALF_LIFE_S = 600.0


def curve_permille(fraction):
    """Map a utilisation fraction (clamped to 0..1) through the log curve, as 0..1000."""
    if fraction <= 0:
        return 0
    if fraction >= 1:
        return _PERMILLE
    return int(_PERMILLE * math.log(1 + CURVE_K * fraction) / math.log(1 + CURVE_K) + 0.5)


def mbps_to_bytes_per_s(mbps):
    return int(mbps * 1_000_000 / BITS_PER_BYTE)


class Channel:
    """One direction (down or up): smoothing, scale and interpolation."""

    #: Weight of a new sample in the moving average (0..1).
    smoothing = 0.6

    def __init__(self, plan_bytes_per_s=None, floor_bytes_per_s=AUTO_FLOOR_DOWN_BYTES_PER_S):
        self.plan_bytes_per_s = plan_bytes_per_s
        self.floor_bytes_per_s = floor_bytes_per_s
        self.rate_bytes_per_s = 0  # smoothed, as last reported
        self.peak_bytes_per_s = floor_bytes_per_s
        self._ema = None
        self._zeros = 0
        self._from = 0
        self._to = 0
        self._ramp_start_ms = 0
        self._ramp_ms = _MIN_RAMP_MS

    @property
    def scale_bytes_per_s(self):
        return self.plan_bytes_per_s or self.peak_bytes_per_s

    def add(self, rate_bytes_per_s, now_ms, interval_ms):
        rate = max(0, rate_bytes_per_s)
        if rate == 0 and self._ema and self._zeros < _ZERO_HOLD_SAMPLES:
            self._zeros += 1  # hold: likely a controller refresh gap, not silence
            rate = self._ema
        elif rate:
            self._zeros = 0
        if self._ema is None:
            self._ema = float(rate)
        else:
            self._ema += self.smoothing * (rate - self._ema)
        self.rate_bytes_per_s = int(self._ema)
        if not self.plan_bytes_per_s:
            decay = 0.5 ** (interval_ms / 1000 / AUTO_PEAK_HALF_LIFE_S)
            self.peak_bytes_per_s = max(
                self.floor_bytes_per_s, self._ema, self.peak_bytes_per_s * decay
            )
        self._from = self.level_permille(now_ms)
        self._to = curve_permille(self._ema / self.scale_bytes_per_s)
        self._ramp_start_ms = now_ms
        self._ramp_ms = min(_MAX_RAMP_MS, max(_MIN_RAMP_MS, interval_ms))

    def level_permille(self, now_ms):
        elapsed_ms = ticks_diff(now_ms, self._ramp_start_ms)
        if elapsed_ms >= self._ramp_ms:
            return self._to
        if elapsed_ms <= 0:
            return self._from
        return self._from + (self._to - self._from) * elapsed_ms // self._ramp_ms

    def settle(self, now_ms, target_permille, ramp_ms):
        """Glide towards a fixed level (used when data goes stale)."""
        self._from = self.level_permille(now_ms)
        self._to = target_permille
        self._ramp_start_ms = now_ms
        self._ramp_ms = ramp_ms


class Meter:
    """Down and up channels fed by polls; tracks the age of the last good sample."""

    def __init__(self, down_mbps=None, up_mbps=None):
        self.down = Channel(
            mbps_to_bytes_per_s(down_mbps) if down_mbps else None, AUTO_FLOOR_DOWN_BYTES_PER_S
        )
        self.up = Channel(
            mbps_to_bytes_per_s(up_mbps) if up_mbps else None, AUTO_FLOOR_UP_BYTES_PER_S
        )
        self.samples = 0
        self._last_ms = None

    def set_plan(self, down_bytes_per_s, up_bytes_per_s):
        """Plan speed learnt from the controller; config values always win."""
        if down_bytes_per_s and not self.down.plan_bytes_per_s:
            self.down.plan_bytes_per_s = down_bytes_per_s
        if up_bytes_per_s and not self.up.plan_bytes_per_s:
            self.up.plan_bytes_per_s = up_bytes_per_s

    def add(self, down_bytes_per_s, up_bytes_per_s, now_ms):
        if self._last_ms is None:
            interval_ms = _MIN_RAMP_MS
        else:
            interval_ms = ticks_diff(now_ms, self._last_ms)
        self._last_ms = now_ms
        self.down.add(down_bytes_per_s, now_ms, interval_ms)
        self.up.add(up_bytes_per_s, now_ms, interval_ms)
        self.samples += 1

    def age_ms(self, now_ms):
        """Milliseconds since the last good sample (None before the first)."""
        if self._last_ms is None:
            return None
        return ticks_diff(now_ms, self._last_ms)
