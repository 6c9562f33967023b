# Portable tests of button gestures with a fake clock: short, long, double, repeat, bounce.
from netrain.buttons import DOUBLE, LONG, REPEAT, SHORT, Gestures


def _play(levels, start_ms=1000, step_ms=10):
    """Feed (duration_ms, pressed) segments sampled every step_ms; return (t, gesture)."""
    g = Gestures(1)
    t = start_ms
    events = []
    for duration_ms, pressed in levels:
        end = t + duration_ms
        while t < end:
            gesture = g.update(0, pressed, t)
            if gesture:
                events.append((t - start_ms, gesture))
            t += step_ms
    return events


def test_short_press_reported_after_double_window():
    events = _play([(120, True), (600, False)])
    assert [e for _, e in events] == [SHORT]
    assert events[0][0] >= 120 + 350


def test_long_press_fires_while_held_then_repeats():
    events = _play([(1300, True), (200, False)])
    kinds = [e for _, e in events]
    assert kinds[0] == LONG
    assert 600 <= events[0][0] < 700
    assert kinds.count(REPEAT) >= 1
    assert SHORT not in kinds


def test_double_press():
    events = _play([(120, True), (150, False), (120, True), (600, False)])
    assert [e for _, e in events] == [DOUBLE]


def test_bounce_is_ignored():
    bouncy = [(10, True), (10, False), (10, True), (10, False), (100, True), (600, False)]
    events = _play(bouncy)
    assert [e for _, e in events] == [SHORT]


def test_two_slow_presses_are_two_shorts():
    events = _play([(120, True), (500, False), (120, True), (500, False)])
    assert [e for _, e in events] == [SHORT, SHORT]


def test_buttons_are_independent():
    g = Gestures(2)
    t = 1000
    seen = []
    for _ in range(100):  # button 0 held 1 s, button 1 idle
        for i in range(2):
            gesture = g.update(i, i == 0, t)
            if gesture:
                seen.append((i, gesture))
        t += 10
    assert (0, LONG) in seen
    assert all(i == 0 for i, _ in seen)
