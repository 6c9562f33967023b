# On the board model: one gc.collect() at the heap the app leaves once it is built.
# Prints one line: RESULT {json}.
import gc
import time

free_at_start = gc.mem_free()

import json  # noqa: E402 - measured after the empty heap

from netrain import actions, http, unifi  # noqa: E402, F401 - loaded as on a real console
from netrain.app import App  # noqa: E402
from netrain.config import validate  # noqa: E402
from netrain.panel import Panel  # noqa: E402
from netrain.source import DemoSource  # noqa: E402


def main():
    cfg = validate({"controller": {"url": "demo://"}})
    app = App(cfg, Panel(16, 16), DemoSource())
    gc.collect()
    alloc = gc.mem_alloc()
    free = gc.mem_free()
    t0 = time.ticks_us()
    gc.collect()
    us = time.ticks_diff(time.ticks_us(), t0)
    # gc.mem_alloc()/mem_free() walk the whole allocation table on this port: not free
    t0 = time.ticks_us()
    gc.mem_alloc()
    alloc_us = time.ticks_diff(time.ticks_us(), t0)
    t0 = time.ticks_us()
    gc.mem_free()
    free_us = time.ticks_diff(time.ticks_us(), t0)
    out = {
        "gc_collect_us": us,
        "gc_mem_alloc_call_us": alloc_us,
        "gc_mem_free_call_us": free_us,
        "gc_heap_alloc_bytes": alloc,
        "gc_heap_free_bytes": free,
        "heap_free_at_start_bytes": free_at_start,
        "app_built": app.rain.width == 16,
    }
    print("RESULT " + json.dumps(out))


main()
