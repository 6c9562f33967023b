# On the board model: each view's render path per frame at every Unicorn size, and its heap.
# The rain is measured at each size too, with tools/target/scripts/render.py's density.
# Prints one line: RESULT {json}. Time from ticks_us (the emulated clock), heap from gc.
import gc
import json
import time

from netrain.effects.rain import DOWN, UP, Rain
from netrain.status import Overlay, Status
from netrain.views import NAMES, Views

BOARDS = ((16, 16), (53, 11), (32, 32))
FRAMES = 30
DT_MS = 16
PLAN_DOWN = 125_000_000
PLAN_UP = 6_250_000


def frames(view, fb, overlay):
    now_ms = 0
    total_us = worst_us = alloc = 0
    for _ in range(FRAMES):
        now_ms += DT_MS
        a0 = gc.mem_alloc()
        t0 = time.ticks_us()
        view.step(DT_MS)
        view.draw(fb)
        if overlay is not None:
            overlay.draw(fb, now_ms)
        us = time.ticks_diff(time.ticks_us(), t0)
        alloc += gc.mem_alloc() - a0
        total_us += us
        if us > worst_us:
            worst_us = us
    return total_us // FRAMES, worst_us, -(-alloc // FRAMES)


class Raining:
    """The rain as a view: 21 drops per 256 px kept live, as the spawn task would."""

    def __init__(self, w, h):
        self.rain = Rain(w, h, seed=7, max_drops=w * 2)
        self.drops = min(w * 2, 21 * w * h // 256)
        for _ in range(90):  # a settled rain: drops at every height
            self.step(DT_MS)

    def step(self, dt_ms):
        rain = self.rain
        while rain.active < self.drops:  # no allocation: spawn draws from the pool
            kind = DOWN if rain.random(3) else UP
            rain.spawn(kind, (6 + rain.random(12)) * 256, 3 + rain.random(4))
        rain.step(dt_ms)

    def draw(self, fb):
        self.rain.draw(fb)


def main():
    out = {}
    for w, h in BOARDS:
        size = "%dx%d" % (w, h)
        gc.collect()
        a0 = gc.mem_alloc()
        views = Views(w, h, 60, 0)
        views.get("split")  # split and numbers are built on first use: count them too
        views.get("numbers")
        out["views_heap_bytes_" + size] = gc.mem_alloc() - a0
        now_ms = 0
        for i in range(w + 2):  # every column of the history filled, one poll a minute
            now_ms += 60_000
            down = (i * 7919) % 100 * PLAN_DOWN // 100
            views.history.add(down, down // 40, PLAN_DOWN, PLAN_UP, now_ms)
            views.numbers.set_rates(down, down // 40)
        t0 = time.ticks_us()
        views.history.add(PLAN_DOWN // 3, PLAN_UP // 5, PLAN_DOWN, PLAN_UP, now_ms)
        out["history_add_us_" + size] = time.ticks_diff(time.ticks_us(), t0)
        t0 = time.ticks_us()  # a new scale (auto-scale's peak moved): every column again
        views.history.add(PLAN_DOWN // 3, PLAN_UP // 5, PLAN_DOWN // 2, PLAN_UP // 2, now_ms)
        out["history_rescale_us_" + size] = time.ticks_diff(time.ticks_us(), t0)
        t0 = time.ticks_us()
        views.numbers.set_rates(PLAN_DOWN // 7, PLAN_UP // 9)
        out["numbers_set_rates_us_" + size] = time.ticks_diff(time.ticks_us(), t0)
        views.tick(700, 300, now_ms)
        fb = bytearray(w * h * 4)
        overlay = Overlay(Status(), w, h)
        overlay.toast("ADBLOCK ON: 3 NETWORKS", (0, 255, 60), 0, 1_000_000)
        for name in NAMES:
            view = views.get(name) or Raining(w, h)
            gc.collect()
            gc.disable()  # a collection in a timed frame would hide its allocations
            plain = frames(view, fb, None)
            text = frames(view, fb, overlay)
            gc.enable()
            key = "%s_%s" % (name, size)
            out["render_us_per_frame_" + key] = plain[0]
            out["render_us_worst_" + key] = plain[1]
            out["render_alloc_bytes_" + key] = plain[2]
            out["render_text_us_per_frame_" + key] = text[0]
            out["render_text_alloc_bytes_" + key] = text[2]
    print("RESULT " + json.dumps(out))


main()
