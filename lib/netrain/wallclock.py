# netrain.wallclock: wall-clock time learnt from the controller's HTTP Date header.
# SPDX-License-Identifier: MIT
"""The Pico W has no battery clock and NTP needs internet DNS; the controller's
replies carry ``Date: Sun, 23 Nov 2026 07:42:00 GMT``. Timed reverts that must
survive a reboot are stored as Unix seconds computed from it.
"""

from .compat import ticks_diff, ticks_ms

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def days_from_civil(year, month, day):
    """Days since 1970-01-01 (Howard Hinnant's algorithm, integers only)."""
    year -= month <= 2
    era = year // 400
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def parse_http_date(text):
    """Unix seconds from an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), or None."""
    parts = text.split()
    if len(parts) != 6 or parts[5] != "GMT" or parts[2] not in _MONTHS:
        return None
    try:
        day = int(parts[1])
        year = int(parts[3])
        hh, mm, ss = [int(x) for x in parts[4].split(":")]
    except ValueError:
        return None
    month = _MONTHS.index(parts[2]) + 1
    return days_from_civil(year, month, day) * 86400 + hh * 3600 + mm * 60 + ss


class WallClock:
    """Maps ticks to Unix seconds once a Date header has been seen."""

    #: Re-sync at most this often; parsing a header per poll would be wasted work.
    resync_ms = 600_000

    def __init__(self, clock=ticks_ms):
        self._clock = clock
        self._epoch_s = None
        self._at_ms = 0

    def sync(self, date_header):
        now_ms = self._clock()
        if self._epoch_s is not None and ticks_diff(now_ms, self._at_ms) < self.resync_ms:
            return
        epoch_s = parse_http_date(date_header)
        if epoch_s is not None:
            self._epoch_s = epoch_s
            self._at_ms = now_ms

    def now_s(self):
        """Unix seconds now, or None while unknown."""
        if self._epoch_s is None:
            return None
        return self._epoch_s + ticks_diff(self._clock(), self._at_ms) // 1000
