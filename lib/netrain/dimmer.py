# netrain.dimmer: the panel's brightness now, from the manual level or the room, under the night.
# SPDX-License-Identifier: MIT
"""One place decides what the LEDs show, so buttons, web, MQTT and metrics agree:

* the day level is the manual brightness, or auto-brightness when configured
  (netrain.brightness);
* the night schedule (netrain.night) then dims it, or turns the panel off;
* the LUX buttons step the manual level, or shift the auto curve;
* any button wakes a night-dimmed panel for a minute (``wake``).

``update`` is integer-only; call it a few times a second with the light sensor's
reading and the wall clock's Unix seconds (None while unknown). Unix seconds exceed a
32-bit board's small ints, so the night's minute-of-day arithmetic makes a few bytes of
garbage per call there (none on 64-bit): read the wall clock about once a second
(``tick`` does, given the clock).

The app builds one only when the config has auto-brightness or a night schedule
(``from_config``); without them this module is not even loaded.
"""

from .compat import const, ticks_diff

_MANUAL_STEP_PERMILLE = 100
_CLOCK_READ_MS = const(1000)  # the minute of the day is all the night needs


def from_config(display, manual_permille, offset_permille=0, clock=None):
    """The Dimmer for the config's (validated) ``display`` section; ``offset_permille``
    the saved LUX shift; ``clock`` has ``now_s()`` (netrain.wallclock; None: no night)."""
    auto = night = None
    if display["auto_brightness"] is not None:
        from .brightness import AutoBrightness

        auto = AutoBrightness.from_config(display["auto_brightness"], offset_permille)
    if display["night"] is not None:
        from .night import NightSchedule

        night = NightSchedule.from_config(display["night"])
    return Dimmer(manual_permille, auto, night, clock)


class Dimmer:
    def __init__(self, manual_permille=500, auto=None, night=None, clock=None):
        self.manual_permille = manual_permille
        self.auto = auto
        self.night = night
        self.level_permille = manual_permille  # what the panel shows now
        self.dark = False  # the night turned the panel off: draw nothing
        self._clock = clock
        self._unix_s = None
        self._read_ms = None  # when the clock was last read
        self._tick_ms = None

    def tick(self, light, now_ms):
        """``update`` from the light sensor (``light()``, read only with auto-brightness)
        and the wall clock; returns the level (permille)."""
        dt_ms = 0 if self._tick_ms is None else ticks_diff(now_ms, self._tick_ms)
        self._tick_ms = now_ms
        raw = light() if self.auto is not None else None
        self.update(raw, self.now_s(now_ms), now_ms, dt_ms)
        return self.level_permille

    def now_s(self, now_ms):
        """Unix seconds from the wall clock (None while unknown), read once a second."""
        if self._clock is None or self.night is None:
            return None
        if self._read_ms is None or ticks_diff(now_ms, self._read_ms) >= _CLOCK_READ_MS:
            self._read_ms = now_ms
            self._unix_s = self._clock.now_s()
        return self._unix_s

    def set_manual(self, permille):
        """A level asked for by the web or MQTT. With auto-brightness the curve shifts
        there (the next reading keeps it); returns the new LUX offset to persist, or None."""
        self.manual_permille = permille
        auto = self.auto
        span = auto.max_permille - auto.min_permille if auto is not None else 0
        if span <= 0:
            return None
        steps = (permille - auto.level_permille) * 1000 // span // auto.lux_step_permille
        return self.lux(steps)[1]

    def update(self, light_raw, unix_s, now_ms, dt_ms):
        """Work out the level; True when it (or ``dark``) changed since the last call."""
        day = self.manual_permille
        if self.auto is not None and light_raw is not None:
            self.auto.update(light_raw, dt_ms)
            day = self.auto.level_permille
        level = day
        if self.night is not None:
            level = self.night.level(day, unix_s, now_ms)
        dark = level == 0 and day > 0
        changed = level != self.level_permille or dark != self.dark
        self.level_permille = level
        self.dark = dark
        return changed

    def lux(self, steps):
        """LUX buttons: returns (settings key, value) to persist."""
        if self.auto is not None:
            return "lux_offset_permille", self.auto.nudge(steps)
        level = self.manual_permille + steps * _MANUAL_STEP_PERMILLE
        self.manual_permille = 0 if level < 0 else (1000 if level > 1000 else level)
        return "brightness_permille", self.manual_permille

    def wake(self, unix_s, now_ms):
        """Any button: True if the press found the panel night-dimmed or off (it only wakes)."""
        return self.night is not None and self.night.wake(unix_s, now_ms)
