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
garbage per call there (none on 64-bit): read the wall clock about once a second.
"""

_MANUAL_STEP_PERMILLE = 100


class Dimmer:
    def __init__(self, manual_permille=500, auto=None, night=None):
        self.manual_permille = manual_permille
        self.auto = auto
        self.night = night
        self.level_permille = manual_permille  # what the panel shows now
        self.dark = False  # the night turned the panel off: draw nothing

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
