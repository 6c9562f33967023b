# On the board model: the render path per frame, rain alone and with a scrolling status text.
# Prints one line: RESULT {json}. Time from ticks_us (the emulated clock), heap from gc.
import gc
import json
import time

gc.collect()
free_before_import = gc.mem_free()

from netrain.effects.rain import DOWN, UP, Rain  # noqa: E402 - measured after the empty heap
from netrain.status import Overlay, Status  # noqa: E402

gc.collect()
import_heap_bytes = free_before_import - gc.mem_free()  # bytecode, native code and names

SIZE = 16
DROPS = 21
FRAMES = 60
DT_MS = 16


def keep_drops(rain):
    # Top the pool up to DROPS outside the timed region, like the app's spawn task.
    while rain.active < DROPS:
        kind = DOWN if rain.random(3) else UP
        rain.spawn(kind, (6 + rain.random(12)) * 256, 3 + rain.random(4))


def run(rain, fb, overlay):
    now_ms = 0
    total_us = worst_us = alloc = 0
    live = 0
    for _ in range(FRAMES):
        keep_drops(rain)
        live += rain.active
        now_ms += DT_MS
        a0 = gc.mem_alloc()
        t0 = time.ticks_us()
        rain.step(DT_MS)
        rain.draw(fb)
        if overlay is not None:
            overlay.draw(fb, now_ms)
        us = time.ticks_diff(time.ticks_us(), t0)
        alloc += gc.mem_alloc() - a0
        total_us += us
        if us > worst_us:
            worst_us = us
    # bytes rounded up: one small allocation in any frame must not round away to 0
    return total_us // FRAMES, worst_us, -(-alloc // FRAMES), live // FRAMES


def main():
    fb = bytearray(SIZE * SIZE * 4)
    rain = Rain(SIZE, SIZE, seed=7, max_drops=32)
    overlay = Overlay(Status(), SIZE, SIZE)
    overlay.toast("ADBLOCK ON: 3 NETWORKS", (0, 255, 60), 0, 1_000_000)
    for _ in range(90):  # a settled rain: drops at every height
        keep_drops(rain)
        rain.step(DT_MS)
    gc.collect()
    gc.disable()  # a collection in a timed frame would hide its allocations
    plain = run(rain, fb, None)
    text = run(rain, fb, overlay)
    a0 = gc.mem_alloc()
    probe = bytearray(16)  # proves the count sees an allocation this small
    probe_bytes = gc.mem_alloc() - a0
    gc.enable()
    out = {
        "render_us_per_frame": plain[0],
        "render_us_worst": plain[1],
        "render_alloc_bytes": plain[2],
        "render_text_us_per_frame": text[0],
        "render_text_us_worst": text[1],
        "render_text_alloc_bytes": text[2],
        "render_drops_live": plain[3],
        "render_frames": FRAMES,
        "render_import_heap_bytes": import_heap_bytes,
        "render_alloc_probe_bytes": probe_bytes if probe else 0,
    }
    print("RESULT " + json.dumps(out))


main()
