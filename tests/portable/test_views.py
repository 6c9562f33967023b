# Portable tests of the views (history, split, numbers): drawing, golden frames, no allocation.
# SPDX-License-Identifier: MIT
"""Golden frames: tests/portable/golden/<view>_<w>x<h>.bin is the B,G,R,0 frame each
view (the rain too) draws at each board size after a fixed, integer-only script of
samples and a fake clock. When a drawing change is intended, regenerate them on purpose with
``.venv/bin/python tests/portable/golden/regen.py`` and review the pictures.
"""

from _util import raises

from netrain import compat
from netrain.effects.rain import DOWN, UP, Rain
from netrain.views import NAMES, Views, next_name
from netrain.views.history import History
from netrain.views.numbers import Numbers, mbit_text
from netrain.views.split import Split

_HERE = __file__.rsplit("/", 1)[0] if "/" in __file__ else "."
GOLDEN = _HERE + "/golden"
BOARDS = ((16, 16), (53, 11), (32, 32))
PLAN_DOWN = 125_000_000  # 1 Gbit/s in bytes per second
PLAN_UP = 6_250_000  # 50 Mbit/s


def _px(fb, w, x, y):
    i = (y * w + x) * 4
    return fb[i + 2], fb[i + 1], fb[i]  # r, g, b


def _bar(fb, w, x):
    """Rows of column x lit in the download green."""
    return sum(1 for y in range(len(fb) // 4 // w) if _px(fb, w, x, y)[1] > 50)


def _lit(rgb):
    return rgb[0] + rgb[1] + rgb[2] > 0


_FRAMES = {}


def _scene(name, w, h):
    """The golden script: 25 minutes of polls (integer rates), then one frame per view."""
    if (w, h) not in _FRAMES:
        _FRAMES[(w, h)] = _script(w, h)
    return _FRAMES[(w, h)][name]


def _script(w, h):
    views = Views(w, h, 60, 0)
    views.get("split")
    views.get("numbers")
    rng = 12345
    now_ms = 0
    for i in range(1500):
        now_ms += 1000
        rng = (rng * 1103515245 + 12345) & 0x7FFFFFFF
        if 600 <= i < 720:
            continue  # a two-minute outage: no good sample
        down = (rng >> 8) % (PLAN_DOWN // (1 + (i // 240) % 4))
        up = (rng >> 4) % PLAN_UP // 3
        views.history.add(down, up, PLAN_DOWN, PLAN_UP, now_ms)
        views.numbers.set_rates(down, up)
        views.tick(500 + (i % 7) * 60, 200 + (i % 5) * 50, now_ms)
    frames = {"rain": _rain(w, h)}
    for name in NAMES[1:]:
        view = views.get(name)
        view.step(16)
    views.tick(300, 80, now_ms)  # levels drop: the split's peaks hold above them
    for name in NAMES[1:]:
        view = views.get(name)
        for _ in range(20):
            view.step(16)
        fb = bytearray(w * h * 4)
        view.draw(fb)
        frames[name] = fb
    return frames


def _rain(w, h):
    """The app's rain at this size: seeded drops down and up for two seconds."""
    rain = Rain(w, h, seed=7)
    for i in range(120):
        if i % 2 == 0:
            rain.spawn(DOWN, (6 + rain.random(12)) * 256, 3 + rain.random(4))
        if i % 5 == 0:
            rain.spawn(UP, (4 + rain.random(8)) * 256, 2 + rain.random(3))
        rain.step(16)
    fb = bytearray(w * h * 4)
    rain.draw(fb)
    return fb


def _golden_path(name, w, h):
    return "%s/%s_%dx%d.bin" % (GOLDEN, name, w, h)


def regenerate():
    for w, h in BOARDS:
        for name in NAMES:
            with open(_golden_path(name, w, h), "wb") as f:
                f.write(_scene(name, w, h))


def test_golden_frames():
    problems = []
    for w, h in BOARDS:
        for name in NAMES:
            with open(_golden_path(name, w, h), "rb") as f:
                want = f.read()
            got = _scene(name, w, h)
            if bytes(got) != want:
                diff = sum(1 for i in range(len(want)) if i >= len(got) or got[i] != want[i])
                problems.append("%s %dx%d: %d bytes differ" % (name, w, h, diff))
    assert not problems, "; ".join(problems)


def test_golden_frames_show_something_on_every_board():
    for w, h in BOARDS:
        for name in NAMES:
            fb = _scene(name, w, h)
            lit = sum(1 for i in range(0, len(fb), 4) if fb[i] or fb[i + 1] or fb[i + 2])
            assert lit > w, (name, w, h, lit)


def test_view_names_cycle_and_rain_is_the_apps():
    assert NAMES[0] == "rain"
    seen = ["rain"]
    for _ in range(len(NAMES)):
        seen.append(next_name(seen[-1]))
    assert seen == list(NAMES) + ["rain"]
    assert next_name("bogus") == "rain"
    views = Views(16, 16)
    assert views.get("rain") is None
    assert [views.get(n).name for n in NAMES[1:]] == list(NAMES[1:])


def test_a_view_without_room_in_the_heap_leaves_the_rain():
    from netrain.views import split

    def no_room(width, height):
        raise MemoryError

    real = split.Split
    split.Split = no_room
    try:
        views = Views(16, 16)
        assert views.get("split") is None and views.split is None
    finally:
        split.Split = real
    assert views.get("split").name == "split"  # room again: built on the next ask


def test_history_one_column_per_period_newest_on_the_right():
    h = History(16, 16, history_s=60, now_ms=0)
    h.add(PLAN_DOWN, 0, PLAN_DOWN, PLAN_UP, 1000)  # full speed in the first minute
    h.add(0, 0, PLAN_DOWN, PLAN_UP, 61_000)  # silence in the second
    fb = bytearray(16 * 16 * 4)
    h.draw(fb)
    bar = [y for y in range(16) if _px(fb, 16, 14, y)[1] > 50]
    assert bar == list(range(16)), bar  # full speed fills the column
    assert not any(_lit(_px(fb, 16, 15, y)) for y in range(1, 16))  # zero: no bar
    assert _lit(_px(fb, 16, 15, 0))  # only the faint full-speed line
    assert _px(fb, 16, 15, 0) == _px(fb, 16, 3, 0)
    assert max(_px(fb, 16, 3, 0)) < 40  # faint
    assert not any(_lit(_px(fb, 16, 13, y)) for y in range(1, 16))  # before boot: dark


def test_history_column_is_the_mean_and_scaled_to_the_plan():
    h = History(16, 16, history_s=60, now_ms=0)
    for t in range(1, 31):
        h.add(PLAN_DOWN if t % 2 else 0, 0, PLAN_DOWN, PLAN_UP, t * 1000)
    fb = bytearray(16 * 16 * 4)
    h.draw(fb)
    half = sum(1 for y in range(16) if _px(fb, 16, 15, y)[1] > 50)
    assert 13 <= half < 16, half  # half of the plan, on the meter's log curve
    h2 = History(16, 16, history_s=60, now_ms=0)
    h2.add(PLAN_DOWN // 2, 0, PLAN_DOWN * 4, PLAN_UP, 1000)  # a bigger plan: lower bar
    h2.draw(fb)
    assert sum(1 for y in range(16) if _px(fb, 16, 15, y)[1] > 50) < half


def test_history_upload_is_an_amber_dot():
    h = History(16, 16, history_s=60, now_ms=0)
    h.add(0, PLAN_UP, PLAN_DOWN, PLAN_UP, 1000)
    fb = bytearray(16 * 16 * 4)
    h.draw(fb)
    assert _px(fb, 16, 15, 0) == (255, 150, 0)  # full upload: the dot sits at the top
    assert not any(_lit(_px(fb, 16, 15, y)) for y in range(1, 16))


def test_history_wants_a_period_of_a_second_or_more():
    exc = raises(ValueError, History, 16, 16, 0)
    assert "history_s" in str(exc)


def test_history_scrolls_and_is_bounded():
    h = History(4, 4, history_s=1, now_ms=0)
    heights = []
    for t in range(10):
        h.add(PLAN_DOWN if t % 2 else 0, 0, PLAN_DOWN, PLAN_UP, t * 1000 + 500)
        fb = bytearray(4 * 4 * 4)
        h.draw(fb)
        heights.append(tuple(_bar(fb, 4, x) for x in range(4)))
    assert heights[-1] == (0, 4, 0, 4)  # 6, 7, 8, 9: odd seconds at full speed
    assert heights[-2] == (4, 0, 4, 0)
    assert len(h._down) == 4 and len(h._down_h) == 4


def test_history_gap_without_samples_stays_dark_and_long_gap_clears():
    h = History(8, 8, history_s=1, now_ms=0)
    h.add(PLAN_DOWN, 0, PLAN_DOWN, PLAN_UP, 500)
    h.add(PLAN_DOWN, 0, PLAN_DOWN, PLAN_UP, 3500)  # seconds 1 and 2 had no sample
    fb = bytearray(8 * 8 * 4)
    h.draw(fb)
    cols = [sum(1 for y in range(8) if _px(fb, 8, x, y)[1] > 50) for x in range(8)]
    assert cols[-4:] == [8, 0, 0, 8], cols
    h.roll(100_000)  # far longer than the panel's span
    h.draw(fb)
    assert not any(_px(fb, 8, x, 7)[1] for x in range(8))


def test_views_feed_history_whatever_is_shown():
    class Channel:
        def __init__(self, rate, scale):
            self.rate_bytes_per_s = rate
            self.scale_bytes_per_s = scale

    class Meter:
        down = Channel(PLAN_DOWN, PLAN_DOWN)
        up = Channel(0, PLAN_UP)

    views = Views(16, 16, history_s=60, now_ms=0)
    for t in range(1, 200):
        views.feed(Meter, t * 1000)
        views.tick(0, 0, t * 1000)
    fb = bytearray(16 * 16 * 4)
    views.get("history").draw(fb)
    full = [x for x in range(16) if _px(fb, 16, x, 15)[1] > 50]
    assert full == [12, 13, 14, 15]  # four minutes so far
    assert views.split is None and views.numbers is None  # built when first shown
    numbers = views.get("numbers")
    assert numbers.down_text == b"1000" and numbers.up_text == b"0.0"  # the last rates


def test_split_full_level_and_peak_hold():
    s = Split(16, 16)
    s.set_levels(1000, 0)
    s.step(16)
    fb = bytearray(16 * 16 * 4)
    s.draw(fb)
    assert all(_px(fb, 16, 0, y)[1] > 50 for y in range(16))  # download bar full
    assert all(_px(fb, 16, 15, y)[0] < 20 for y in range(16))  # upload track only
    assert all(max(_px(fb, 16, x, 5)) == 0 for x in (7, 8))  # the gap
    s.set_levels(250, 0)
    s.step(1000)
    s.draw(fb)
    marker = [y for y in range(16) if min(_px(fb, 16, 3, y)) >= 128]
    assert marker == [0], marker  # held at the old peak
    for _ in range(40):
        s.step(100)  # hold over, then falls at 400 permille/s to the level
    s.draw(fb)
    assert not [y for y in range(16) if min(_px(fb, 16, 3, y)) >= 128]


def test_split_is_horizontal_on_the_galactic():
    s = Split(53, 11)
    s.set_levels(500, 1000)
    s.step(16)
    fb = bytearray(53 * 11 * 4)
    s.draw(fb)
    down_row = [x for x in range(53) if _px(fb, 53, x, 2)[1] > 40]
    assert down_row and down_row[0] == 0 and 20 <= len(down_row) <= 32, down_row
    assert all(_px(fb, 53, x, 8)[0] > 60 for x in range(53))  # upload full


def test_split_partial_pixel_moves_smoothly():
    s = Split(16, 16)
    values = []
    for level in (500, 520, 540, 560):
        s.set_levels(level, 0)
        s.step(16)
        fb = bytearray(16 * 16 * 4)
        s.draw(fb)
        values.append(sum(_px(fb, 16, 2, y)[1] for y in range(16)))
    assert values == sorted(values) and len(set(values)) == 4, values


def test_numbers_text_and_layouts():
    assert mbit_text(0) == "0.0"
    assert mbit_text(6_062_500) == "48.5"
    assert mbit_text(117_500_000) == "940"
    assert mbit_text(10**10) == "9999"
    wide = Numbers(53, 11)
    assert wide._labels[2] == b"MBIT/S"  # the Galactic shows it all on the lines
    assert Numbers(32, 32)._labels[3] == b"MBIT/S"
    assert Numbers(16, 16)._labels == (b"", b"", b"", b"MBIT")


def test_numbers_are_right_aligned_and_follow_the_rates():
    n = Numbers(16, 16)
    n.set_rates(117_500_000, 6_062_500)
    assert (n.down_text, n.up_text) == (b"940", b"48.5")
    fb = bytearray(16 * 16 * 4)
    n.draw(fb)
    green = [(x, y) for y in range(16) for x in range(16) if _px(fb, 16, x, y) == (60, 255, 90)]
    amber = [(x, y) for y in range(16) for x in range(16) if _px(fb, 16, x, y) == (255, 170, 40)]
    assert min(y for _, y in green) == 0 and max(y for _, y in green) == 4
    assert min(y for _, y in amber) == 6 and max(y for _, y in amber) == 10
    assert max(x for x, _ in green) == max(x for x, _ in amber) == 14  # right-aligned
    unit = [y for y in range(16) if _px(fb, 16, 0, y) == (90, 90, 110)]  # the M of MBIT
    assert unit == [11, 12, 13, 14, 15]
    n.set_rates(1_250_000, 6_062_500)
    assert n.down_text == b"10.0"
    before = bytes(fb)
    n.draw(fb)
    assert bytes(fb) != before


def test_step_draw_and_tick_allocate_nothing():
    if compat.mem_alloc() is None:
        return  # CPython: no GC heap figures
    import gc

    for w, h in BOARDS:
        views = Views(w, h, 60, 0)
        fb = bytearray(w * h * 4)
        for name in NAMES[1:]:
            view = views.get(name)
            views.tick(400, 100, 1000)
            view.step(16)
            view.draw(fb)
            gc.collect()
            gc.disable()
            try:
                before = compat.mem_alloc()
                for i in range(30):
                    views.tick(400 + i, 100 - i, 1000 + i * 16)
                    view.step(16)
                    view.draw(fb)
                after = compat.mem_alloc()
            finally:
                gc.enable()
            assert after - before == 0, (name, w, h, after - before)


def test_draw_into_a_memoryview_frame_buffer():
    # On the device the frame buffer is memoryview(graphics).
    for name in NAMES[1:]:
        fb = bytearray(16 * 16 * 4)
        view = Views(16, 16).get(name)
        view.draw(memoryview(fb))
        plain = bytearray(16 * 16 * 4)
        view.draw(plain)
        assert fb == plain
