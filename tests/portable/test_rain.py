# Portable tests of the rain effect: determinism, pool bounds, drawing and no allocation.
from netrain import compat
from netrain.effects.rain import DOWN, UP, Rain


def _run(seed, frames=120):
    rain = Rain(16, 16, seed=seed)
    fb = bytearray(16 * 16 * 4)
    for i in range(frames):
        if i % 3 == 0:
            rain.spawn(DOWN, (6 + rain.random(10)) * 256, 3 + rain.random(5))
        if i % 7 == 0:
            rain.spawn(UP, 5 * 256, 3)
        rain.step(16)
        rain.draw(fb)
    return rain, fb


def test_same_seed_same_frames():
    _, fb1 = _run(42)
    _, fb2 = _run(42)
    _, fb3 = _run(43)
    assert fb1 == fb2
    assert fb1 != fb3


def test_pool_is_bounded():
    rain = Rain(16, 16, seed=1, max_drops=8)
    results = [rain.spawn(DOWN, 256, 4) for _ in range(20)]
    assert results.count(True) == 8
    assert rain.active == 8


def test_drops_fall_and_free_their_slot():
    rain = Rain(16, 16, seed=3, max_drops=4)
    rain.spawn(DOWN, 16 * 256, 4)  # 16 px/s
    for _ in range(200):  # 3.2 s: off the panel with its trail
        rain.step(16)
    assert rain.active == 0
    assert rain.spawn(DOWN, 256, 4)


def test_draw_lights_a_column_with_bright_head_and_fading_trail():
    rain = Rain(16, 16, seed=5, max_drops=1)
    rain.spawn(DOWN, 10 * 256, 5)
    rain.step(1000)  # head about 10 px down
    fb = bytearray(16 * 16 * 4)
    rain.draw(fb)
    lit = [(i // 4 % 16, i // 4 // 16, fb[i + 1]) for i in range(0, len(fb), 4) if fb[i + 1]]
    columns = set(x for x, _, _ in lit)
    assert len(columns) == 1
    greens = sorted(lit, key=lambda p: p[1])
    assert greens[-1][2] < greens[-2][2] or greens[-2][2] > greens[0][2]
    assert max(g for _, _, g in lit) > 150  # a bright head
    assert min(g for _, _, g in lit) < 120  # a dim tail


def test_upload_drops_rise_from_the_bottom():
    rain = Rain(16, 16, seed=5, max_drops=1)
    rain.spawn(UP, 4 * 256, 3)
    rain.step(500)  # 2 px up from the bottom edge
    fb = bytearray(16 * 16 * 4)
    rain.draw(fb)
    rows = [i // 4 // 16 for i in range(0, len(fb), 4) if fb[i] or fb[i + 1] or fb[i + 2]]
    assert rows and min(rows) >= 12


def test_step_and_draw_allocate_nothing():
    rain, fb = _run(9, frames=10)
    if compat.mem_alloc() is None:
        return  # CPython: no GC heap figures
    import gc

    rain.step(16)
    rain.draw(fb)
    gc.collect()
    gc.disable()
    try:
        before = compat.mem_alloc()
        for _ in range(30):
            rain.step(16)
            rain.draw(fb)
        after = compat.mem_alloc()
    finally:
        gc.enable()
    assert after - before == 0


def test_scene_switch_changes_colours():
    rain = Rain(16, 16, seed=5, max_drops=1)
    rain.spawn(DOWN, 10 * 256, 5)
    rain.step(800)
    fb1 = bytearray(1024)
    rain.draw(fb1)
    rain.set_scene("ocean")
    fb2 = bytearray(1024)
    rain.draw(fb2)
    assert fb1 != fb2
    rain.set_scene("no-such-scene")
    assert rain.scene == "classic"
