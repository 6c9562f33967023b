# tools.fake_unifi.traffic: WAN rates as a deterministic function of time, and what was served.
# SPDX-License-Identifier: MIT
"""Traffic profiles and the log of served rates.

``wave`` (the default) looks like a household on a 1 Gbit/s plan: a low base,
slow swells, a quicker ripple and occasional downloads bursting up to about
800 Mbit/s, with upload near a tenth of download. The same time always gives
the same rates, so a benchmark run is repeatable. ``flat:DOWN,UP`` serves
exact bytes/s values for tests that compare what the firmware displayed.
"""

import collections
import math
import threading
import time

_MAX_DOWN = 100_000_000  # bytes/s: 800 Mbit/s on a 1 Gbit/s plan
_MAX_UP = 10_000_000
_BURST_PERIOD_S = 45.0
_HISTORY = 3600


def _unit(k):
    """A fixed pseudo-random number in [0, 1) for integer k (Knuth multiplicative hash)."""
    return ((k * 2654435761 + 0x9E3779B9) & 0xFFFFFFFF) / 4294967296.0


def _swell(t_s, period_s, phase=0.0):
    return 0.5 + 0.5 * math.sin(2.0 * math.pi * t_s / period_s + phase)


def _burst(t_s):
    """0..1 envelope of the download burst in the current 45 s window, if any."""
    k = int(t_s // _BURST_PERIOD_S)
    if _unit(k) < 0.25:  # a quarter of the windows stay quiet
        return 0.0, k
    start = 5.0 + _unit(k + 101) * 25.0
    length = 4.0 + _unit(k + 202) * 8.0
    x = (t_s - k * _BURST_PERIOD_S - start) / length
    if x <= 0.0 or x >= 1.0:
        return 0.0, k
    return math.sin(math.pi * x) ** 2, k


def wave(t_s):
    """(down, up) bytes/s at `t_s` seconds since start."""
    burst, k = _burst(t_s)
    down = (
        2_500_000
        + 12_000_000 * _swell(t_s, 97.0)
        + 6_000_000 * _swell(t_s, 13.7, 1.3)
        + burst * (20_000_000 + 65_000_000 * _unit(k + 303))
    )
    up = (
        250_000
        + 0.08 * down
        + 1_500_000 * _swell(t_s, 61.0, 0.7)
        + burst * 2_000_000 * _unit(k + 404)
    )
    return min(down, _MAX_DOWN), min(up, _MAX_UP)


class Profile:
    """A parsed traffic spec: ``wave`` or ``flat:DOWN,UP`` (bytes/s)."""

    def __init__(self, spec="wave"):
        self.spec = spec
        self._flat = None
        if spec.startswith("flat:"):
            try:
                down, up = spec[5:].split(",")
                self._flat = (float(down), float(up))
            except ValueError:
                raise ValueError("traffic spec must be flat:DOWN,UP in bytes/s, got %r" % spec)
        elif spec != "wave":
            raise ValueError("traffic spec must be 'wave' or 'flat:DOWN,UP', got %r" % spec)

    def rates(self, t_s):
        if self._flat is not None:
            return self._flat
        return wave(t_s)


class Traffic:
    """Serves rates from the profile and remembers every value served."""

    def __init__(self, spec="wave", refresh_s=0.0, float_rates=False, clock=time.monotonic):
        self.profile = Profile(spec)
        self.refresh_s = refresh_s
        self.float_rates = float_rates
        self._clock = clock
        self._t0 = clock()
        self._lock = threading.Lock()
        self.last = None
        self.history = collections.deque(maxlen=_HISTORY)

    def set_spec(self, spec):
        self.profile = Profile(spec)

    def elapsed_s(self):
        return self._clock() - self._t0

    def current(self, wan_up=True):
        """(down, up) as the controller would report them now, ints unless float_rates."""
        if not wan_up:
            return 0, 0
        t_s = self.elapsed_s()
        if self.refresh_s > 0:
            # The controller only refreshes -r fields when the gateway reports.
            t_s = t_s - t_s % self.refresh_s
        down, up = self.profile.rates(t_s)
        if self.float_rates:
            # Real UGW values look like 31965.902...: keep a fractional part.
            return round(down + 0.902, 3), round(up + 0.417, 3)
        return int(down), int(up)

    def record(self, down, up, path, wan_status):
        entry = {
            "t_s": round(self.elapsed_s(), 3),
            "down_bytes_per_s": down,
            "up_bytes_per_s": up,
            "wan_status": wan_status,
            "path": path,
        }
        with self._lock:
            self.last = entry
            self.history.append(entry)
        return entry

    def served(self, limit=None):
        with self._lock:
            items = list(self.history)
        return items if limit is None else items[-limit:]

    def reset_log(self):
        with self._lock:
            self.last = None
            self.history.clear()
