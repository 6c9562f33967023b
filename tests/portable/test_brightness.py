# Portable tests of auto-brightness: curve, limits, smoothing, hysteresis, LUX shift.
# SPDX-License-Identifier: MIT
from _util import raises

from netrain import compat
from netrain.brightness import AutoBrightness, log2_fp


def _settle(auto, raw, seconds, dt_ms=250):
    for _ in range(seconds * 1000 // dt_ms):
        auto.update(raw, dt_ms)
    return auto.level_permille


def test_log2_fp():
    assert [log2_fp(x) >> 8 for x in (1, 2, 3, 4, 1023, 1024, 4095)] == [0, 1, 1, 2, 9, 10, 11]
    assert log2_fp(3) == 256 + 128  # interpolated mantissa
    assert log2_fp(0) == 0


def test_curve_rises_with_light_within_the_limits():
    levels = []
    for raw in (0, 8, 30, 120, 500, 2000, 4095):
        auto = AutoBrightness(min_permille=50, max_permille=800)
        auto.update(raw, 0)
        levels.append(auto.level_permille)
    assert levels == sorted(levels), levels
    assert levels[0] == 50 and levels[1] == 50  # dark: the configured minimum
    assert levels[-1] == 800 and levels[-2] == 800  # bright: the maximum
    assert 50 < levels[3] < 800


def test_a_passing_shadow_is_smoothed_away():
    auto = AutoBrightness()
    start = _settle(auto, 1000, 10)
    for _ in range(4):  # a hand over the sensor for one second
        auto.update(0, 250)
    assert auto.level_permille == start
    assert _settle(auto, 1000, 5) == start


def test_noise_near_a_level_never_flickers():
    auto = AutoBrightness()
    _settle(auto, 200, 20)
    levels = [auto.level_permille]
    for i in range(2000):  # ten minutes of +-25% noise, a reading every 300 ms
        auto.update(150 if i % 2 else 250, 300)
        if auto.level_permille != levels[-1]:
            levels.append(auto.level_permille)
    # At most a one-way settle of a few permille, never back and forth.
    assert levels == sorted(levels) or levels == sorted(levels, reverse=True), levels
    assert abs(levels[-1] - levels[0]) < 10, levels


def test_a_real_change_glides_there_and_holds():
    auto = AutoBrightness(min_permille=20, max_permille=1000)
    bright = _settle(auto, 2000, 5)
    seen = [bright]
    for _ in range(240):  # the lights go out: a minute at 4 Hz
        auto.update(4, 250)
        seen.append(auto.level_permille)
    assert seen[-1] == 20 < bright
    steps = [seen[i] - seen[i + 1] for i in range(len(seen) - 1)]
    assert max(steps) <= 300 * 250 // 1000  # glides, never jumps
    assert seen == sorted(seen, reverse=True)  # one way: no overshoot or bounce


def test_lux_buttons_shift_the_curve_not_fight_it():
    auto = AutoBrightness(min_permille=20, max_permille=1000)
    base = _settle(auto, 100, 10)
    offset = auto.nudge(+2)
    assert offset == 200
    raised = auto.level_permille
    assert raised > base  # at once, not at the next reading
    assert _settle(auto, 100, 10) == raised  # the sensor does not undo it
    darker = _settle(auto, 10, 30)
    assert darker < raised  # and the curve still follows the room
    assert auto.nudge(-50) == -1000  # bounded
    assert auto.level_permille == 20


def test_update_allocates_nothing():
    if compat.mem_alloc() is None:
        return  # CPython: no GC heap figures
    import gc

    auto = AutoBrightness()
    auto.update(100, 0)
    gc.collect()
    gc.disable()
    try:
        before = compat.mem_alloc()
        for i in range(200):
            auto.update(100 + (i % 3) * 900, 250)
        after = compat.mem_alloc()
    finally:
        gc.enable()
    assert after - before == 0


def test_from_config_and_errors_naming_the_key():
    auto = AutoBrightness.from_config({"min": 0.1, "max": 0.6}, offset_permille=-100)
    assert (auto.min_permille, auto.max_permille, auto.offset_permille) == (100, 600, -100)
    assert AutoBrightness.from_config({}).max_permille == 1000
    cases = (
        ({"min": 2}, "display.auto_brightness.min"),
        ({"max": "high"}, "display.auto_brightness.max"),
        ({"min": 0.8, "max": 0.2}, "display.auto_brightness.min"),
        ({"lux": 1}, "display.auto_brightness.lux"),
    )
    for cfg, key in cases:
        exc = raises(ValueError, AutoBrightness.from_config, cfg)
        assert key in str(exc), (key, str(exc))
    raises(ValueError, AutoBrightness.from_config, True)
