# netrain.night: a night schedule that dims or switches off the panel, and a wake-up.
# SPDX-License-Identifier: MIT
"""``display.night`` in the config::

    {"from": "22:30", "to": "07:00", "mode": "dim", "level": 0.05, "utc_offset_min": 60}

From ``from`` to ``to`` local time (the window may span midnight; equal times mean
never) the panel is dimmed to ``level`` or, with ``"mode": "off"``, dark. Local time is
the controller's clock (netrain.wallclock, Unix seconds) plus ``utc_offset_min``; while
that clock is unknown the schedule stays out of the way. Any button wakes the panel
for ``wake_ms`` (a minute); ``wake`` says whether the press found it asleep, so the
caller can let that press only wake it.
"""

from .compat import ticks_add, ticks_diff

DIM = "dim"
OFF = "off"
_KEYS = ("from", "to", "mode", "level", "utc_offset_min")


def parse_hhmm(text, key):
    """Minutes since midnight from "HH:MM"; ValueError naming ``key`` otherwise."""
    parts = text.split(":") if isinstance(text, str) else ()
    ok = len(parts) == 2 and len(parts[0]) in (1, 2) and len(parts[1]) == 2
    ok = ok and parts[0].isdigit() and parts[1].isdigit()
    if ok and int(parts[0]) < 24 and int(parts[1]) < 60:
        return int(parts[0]) * 60 + int(parts[1])
    raise ValueError("%s: want a time HH:MM (00:00 to 23:59), got %r" % (key, text))


class NightSchedule:
    wake_ms = 60_000

    def __init__(self, start_min, end_min, mode=DIM, level_permille=50, utc_offset_min=0):
        self.start_min = start_min
        self.end_min = end_min
        self.mode = mode
        self.level_permille = level_permille
        self.utc_offset_min = utc_offset_min
        self._awake = False
        self._wake_until_ms = 0

    @classmethod
    def from_config(cls, night, key="display.night"):
        """Build from the config's dict; ValueError naming the first bad key."""
        if not isinstance(night, dict):
            raise ValueError('%s: want an object such as {"from": "22:30", ...}' % key)
        for name in night:
            if name not in _KEYS:
                raise ValueError("%s.%s: unknown key (one of %s)" % (key, name, ", ".join(_KEYS)))
        start = parse_hhmm(night.get("from"), key + ".from")
        end = parse_hhmm(night.get("to"), key + ".to")
        mode = night.get("mode", DIM)
        if mode not in (DIM, OFF):
            raise ValueError('%s.mode: want "dim" or "off", got %r' % (key, mode))
        level = night.get("level", 0.05)
        if not isinstance(level, (int, float)) or isinstance(level, bool) or not 0 <= level <= 1:
            raise ValueError("%s.level: want a brightness 0..1, got %r" % (key, level))
        offset = night.get("utc_offset_min", 0)
        if not isinstance(offset, int) or isinstance(offset, bool) or not -720 <= offset <= 840:
            raise ValueError("%s.utc_offset_min: want minutes -720..840, got %r" % (key, offset))
        return cls(start, end, mode, int(level * 1000 + 0.5), offset)

    def in_window(self, unix_s):
        """True when ``unix_s`` (None: unknown) falls in the night window, local time."""
        if unix_s is None or self.start_min == self.end_min:
            return False
        minute = (unix_s // 60 + self.utc_offset_min) % 1440
        if self.start_min < self.end_min:
            return self.start_min <= minute < self.end_min
        return minute >= self.start_min or minute < self.end_min

    def mode_at(self, unix_s, now_ms):
        """None (day, or woken), DIM or OFF."""
        if self._awake:
            if ticks_diff(now_ms, self._wake_until_ms) < 0:
                return None
            self._awake = False
        return self.mode if self.in_window(unix_s) else None

    def level(self, day_permille, unix_s, now_ms):
        """The brightness to show now, given the day's (e.g. auto-brightness)."""
        mode = self.mode_at(unix_s, now_ms)
        if mode is None:
            return day_permille
        if mode == OFF:
            return 0
        return day_permille if day_permille < self.level_permille else self.level_permille

    def wake(self, unix_s, now_ms):
        """A button: bright for ``wake_ms`` from now. True if the panel was night-dimmed
        or dark at that moment (the press only wakes it), False if it was awake."""
        asleep = self.mode_at(unix_s, now_ms) is not None
        self._awake = True
        self._wake_until_ms = ticks_add(now_ms, self.wake_ms)
        return asleep
