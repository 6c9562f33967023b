# netrain.brightness: panel brightness that follows the room's light, without flicker.
# SPDX-License-Identifier: MIT
"""The board's light sensor (``light()``, 0..4095) drives the panel's brightness.

* Smoothing: an exponential moving average with time constant ``tau_ms``, so a hand
  passing over the sensor or a flickering lamp is ignored.
* Curve: the eye sees light logarithmically, so the reading's log2 between
  ``dark_raw`` and ``bright_raw`` maps to min..max (the config's limits).
* Hysteresis: the panel holds its level until the curve's target has moved more than
  ``deadband_permille`` away, or has stayed on one side of it for ``settle_ms`` (a slow
  dusk), then glides there at ``glide_permille_per_s`` and holds again. Noise around a
  level keeps changing sides, so it never makes the panel step back and forth.
* LUX buttons shift the curve (``nudge``) instead of setting a level that the next
  reading would overwrite; the shift is what the caller persists.

Integers only (permille, ms): ``update`` allocates nothing and runs at any rate.
"""

from .compat import const

_FP = const(256)  # log2 in 1/256ths


def log2_fp(x):
    """log2(x) * 256 for x >= 1, the mantissa interpolated linearly (integers only)."""
    if x < 1:
        x = 1
    n = 0
    while (2 << n) <= x:
        n += 1
    return n * _FP + ((x - (1 << n)) * _FP >> n)


class AutoBrightness:
    tau_ms = 4000
    deadband_permille = 60
    glide_permille_per_s = 300
    settle_ms = 8000
    lux_step_permille = 100  # one LUX press moves the curve by a tenth of its range
    max_offset_permille = 1000

    def __init__(
        self, min_permille=30, max_permille=1000, offset_permille=0, dark_raw=8, bright_raw=2000
    ):
        self.min_permille = min_permille
        self.max_permille = max_permille
        self.offset_permille = offset_permille
        self._log_dark = log2_fp(dark_raw + 1)
        self._log_span = max(1, log2_fp(bright_raw + 1) - self._log_dark)
        self._ema16 = -1  # the smoothed reading x16; -1 before the first
        self._following = True  # the first reading sets the level at once
        self._drift_ms = 0  # how long the target has stayed on one side of the level
        self._drift_sign = 0
        self.level_permille = max_permille

    @classmethod
    def from_config(cls, limits, offset_permille=0, key="display.auto_brightness"):
        """From the config's ``{"min": 0.03, "max": 1.0}``; ValueError naming the bad key."""
        if not isinstance(limits, dict):
            raise ValueError('%s: want an object such as {"min": 0.03, "max": 1.0}' % key)
        for name in limits:
            if name not in ("min", "max"):
                raise ValueError("%s.%s: unknown key (one of min, max)" % (key, name))
        levels = []
        for name, default in (("min", 0.03), ("max", 1.0)):
            value = limits.get(name, default)
            if (
                not isinstance(value, (int, float))
                or isinstance(value, bool)
                or not 0 <= value <= 1
            ):
                raise ValueError("%s.%s: want a brightness 0..1, got %r" % (key, name, value))
            levels.append(int(value * 1000 + 0.5))
        if levels[0] > levels[1]:
            raise ValueError("%s.min: above max (%r > %r)" % (key, limits["min"], limits["max"]))
        return cls(levels[0], levels[1], offset_permille)

    def target_permille(self):
        """Where the curve puts the panel for the smoothed reading and the LUX shift."""
        raw = self._ema16 >> 4 if self._ema16 > 0 else 0
        pos = (log2_fp(raw + 1) - self._log_dark) * 1000 // self._log_span + self.offset_permille
        pos = 0 if pos < 0 else (1000 if pos > 1000 else pos)
        return self.min_permille + (self.max_permille - self.min_permille) * pos // 1000

    def update(self, raw, dt_ms):
        """A sensor reading (0..4095) ``dt_ms`` after the last; True if the level changed."""
        raw16 = int(raw) << 4
        if self._ema16 < 0:
            self._ema16 = raw16
            target = self.target_permille()
            changed = target != self.level_permille
            self.level_permille = target
            self._following = False
            return changed
        self._ema16 += (raw16 - self._ema16) * dt_ms // (self.tau_ms + dt_ms)
        target = self.target_permille()
        delta = target - self.level_permille
        if not self._following:
            sign = (delta > 0) - (delta < 0)
            if sign and sign == self._drift_sign:
                self._drift_ms += dt_ms
            else:
                self._drift_sign = sign
                self._drift_ms = 0
            band = self.deadband_permille
            if -band <= delta <= band and (not sign or self._drift_ms < self.settle_ms):
                return False
            self._following = True
            self._drift_ms = 0
        step = self.glide_permille_per_s * dt_ms // 1000 or 1
        if -step <= delta <= step:
            self.level_permille = target
            self._following = False
        else:
            self.level_permille += step if delta > 0 else -step
        return delta != 0

    def nudge(self, steps):
        """LUX buttons: shift the curve by ``steps`` tenths; the panel follows at once.
        Returns the new offset (permille) for the caller to persist."""
        limit = self.max_offset_permille
        offset = self.offset_permille + steps * self.lux_step_permille
        self.offset_permille = -limit if offset < -limit else (limit if offset > limit else offset)
        if self._ema16 >= 0:
            self.level_permille = self.target_permille()
            self._following = False
        return self.offset_permille
