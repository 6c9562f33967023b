# Portable tests of the night schedule with a fake wall clock and fake ticks.
# SPDX-License-Identifier: MIT
from _util import raises

from netrain.compat import ticks_add
from netrain.night import DIM, OFF, NightSchedule, parse_hhmm
from netrain.wallclock import days_from_civil

DAY_S = days_from_civil(2026, 12, 1) * 86400  # midnight UTC


def _at(hh, mm):
    return DAY_S + hh * 3600 + mm * 60


def _night(**overrides):
    cfg = {"from": "22:30", "to": "07:00", "mode": "dim", "level": 0.05}
    cfg.update(overrides)
    return NightSchedule.from_config(cfg)


def test_window_across_midnight():
    night = _night()
    inside = [(h, m) for h in range(24) for m in (0, 29, 30, 59) if night.in_window(_at(h, m))]
    assert inside[0] == (0, 0) and (6, 59) in inside and (7, 0) not in inside
    assert (22, 29) not in inside and (22, 30) in inside and (23, 59) in inside
    assert not night.in_window(None)  # clock unknown: stay out of the way


def test_window_within_a_day_and_empty_window():
    night = _night(**{"from": "01:00", "to": "05:15"})
    assert night.in_window(_at(1, 0)) and night.in_window(_at(5, 14))
    assert not night.in_window(_at(5, 15)) and not night.in_window(_at(0, 59))
    never = _night(**{"from": "03:00", "to": "03:00"})
    assert not any(never.in_window(_at(h, 0)) for h in range(24))


def test_timezone_offset_moves_the_window():
    night = _night(utc_offset_min=60)  # local = UTC+1: 22:30 local is 21:30 UTC
    assert night.in_window(_at(21, 30)) and not night.in_window(_at(21, 29))
    assert night.in_window(_at(5, 59)) and not night.in_window(_at(6, 0))
    west = _night(utc_offset_min=-300)  # UTC-5: 07:00 local is 12:00 UTC
    assert west.in_window(_at(11, 59)) and not west.in_window(_at(12, 0))


def test_dims_at_the_configured_time_with_a_fake_clock():
    night = _night()
    levels = []
    unix_s = _at(22, 28)
    for minute in range(4):
        levels.append(night.level(600, unix_s + minute * 60, minute * 60_000))
    assert levels == [600, 600, 50, 50]
    assert night.level(20, _at(23, 0), 0) == 20  # already darker than the night level


def test_off_mode_is_dark():
    night = _night(mode="off")
    assert night.mode_at(_at(23, 0), 0) == OFF
    assert night.level(600, _at(23, 0), 0) == 0
    assert night.mode_at(_at(12, 0), 0) is None


def test_any_button_wakes_for_a_minute():
    night = _night(mode="off")
    now_ms = 1_000_000
    assert night.wake(_at(23, 0), now_ms) is True  # found it dark: the press only wakes
    assert night.level(600, _at(23, 0), now_ms + 59_999) == 600
    assert night.wake(_at(23, 0), now_ms + 30_000) is False  # awake: a normal press
    assert night.level(600, _at(23, 1), now_ms + 89_999) == 600  # extended by that press
    assert night.level(600, _at(23, 2), now_ms + 90_000) == 0
    assert night.wake(_at(12, 0), now_ms) is False  # daytime


def test_ticks_wrap_during_a_wake():
    night = _night()
    near_wrap = ticks_add(0, -10_000)  # 10 s before the tick counter wraps to 0
    night.wake(_at(23, 0), near_wrap)
    assert night.mode_at(_at(23, 0), ticks_add(near_wrap, 30_000)) is None  # past the wrap
    assert night.mode_at(_at(23, 1), ticks_add(near_wrap, 60_001)) == DIM


def test_config_errors_name_the_key():
    assert parse_hhmm("7:05", "k") == 425
    cases = (
        ({"from": "25:00", "to": "07:00"}, "display.night.from"),
        ({"from": "22:00", "to": "7.00"}, "display.night.to"),
        ({"from": "22:00"}, "display.night.to"),
        ({"from": "22:00", "to": "07:00", "mode": "sleep"}, "display.night.mode"),
        ({"from": "22:00", "to": "07:00", "level": 2}, "display.night.level"),
        ({"from": "22:00", "to": "07:00", "utc_offset_min": "+1"}, "display.night.utc_offset_min"),
        ({"from": "22:00", "to": "07:00", "tz": 1}, "display.night.tz"),
    )
    for cfg, key in cases:
        exc = raises(ValueError, NightSchedule.from_config, cfg)
        assert key in str(exc), (key, str(exc))
    raises(ValueError, NightSchedule.from_config, "22:00-07:00")
