# Portable tests of the dimmer: manual or auto level, the night over it, LUX and wake.
# SPDX-License-Identifier: MIT
from netrain.brightness import AutoBrightness
from netrain.dimmer import Dimmer
from netrain.night import NightSchedule
from netrain.wallclock import days_from_civil

NOON_S = days_from_civil(2026, 12, 1) * 86400 + 12 * 3600
MIDNIGHT_S = NOON_S + 12 * 3600


def _night(mode="dim"):
    return NightSchedule.from_config({"from": "22:00", "to": "07:00", "mode": mode, "level": 0.05})


def test_manual_level_and_lux_steps():
    d = Dimmer(500)
    assert d.update(None, NOON_S, 0, 250) is False and d.level_permille == 500
    assert d.lux(+1) == ("brightness_permille", 600)
    assert d.update(None, NOON_S, 250, 250) is True and d.level_permille == 600
    assert d.lux(-20) == ("brightness_permille", 0)


def test_auto_level_follows_the_light_and_lux_shifts_it():
    d = Dimmer(500, auto=AutoBrightness(50, 1000))
    d.update(4000, NOON_S, 0, 250)
    bright = d.level_permille
    d.update(4000, NOON_S, 250, 250)
    key, offset = d.lux(-3)
    assert (key, offset) == ("lux_offset_permille", -300)
    d.update(4000, NOON_S, 500, 250)
    assert d.level_permille < bright


def test_night_dims_then_switches_off_and_a_button_wakes():
    d = Dimmer(700, night=_night())
    d.update(None, MIDNIGHT_S, 0, 250)
    assert (d.level_permille, d.dark) == (50, False)
    d = Dimmer(700, night=_night("off"))
    assert d.update(None, MIDNIGHT_S, 0, 250) is True
    assert (d.level_permille, d.dark) == (0, True)
    assert d.wake(MIDNIGHT_S, 1000) is True  # this press only wakes
    d.update(None, MIDNIGHT_S, 1250, 250)
    assert (d.level_permille, d.dark) == (700, False)
    assert d.wake(MIDNIGHT_S, 2000) is False  # awake: presses act
    d.update(None, MIDNIGHT_S + 120, 62_000, 250)
    assert d.dark
    assert Dimmer(700).wake(MIDNIGHT_S, 0) is False  # no schedule: never swallowed


def test_manual_zero_is_not_night_dark():
    d = Dimmer(0)
    d.update(None, NOON_S, 0, 250)
    assert (d.level_permille, d.dark) == (0, False)
