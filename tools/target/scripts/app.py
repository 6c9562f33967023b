# On the board model: the App with the demo source and an in-memory panel, 10 emulated s,
# with the device's Hooks (no allocation counting: the real loop). Then, at the heap the
# run leaves, each piece of the loop's work timed alone: where a second's time goes.
# Prints one line: RESULT {json} (the app's own Metrics summary and the breakdown).
import asyncio
import gc
import json
import time

from netrain.app import App, Hooks
from netrain.config import validate
from netrain.panel import Panel
from netrain.source import DemoSource

RUN_MS = 10_000
REPEAT = 8


class Capture(Hooks):
    run_ms = RUN_MS
    summary = None
    fps = []

    def on_metrics(self, snapshot):
        self.fps.append(snapshot["fps"])

    def on_summary(self, summary):
        self.summary = summary


def timed(work):
    """Mean and worst us of REPEAT calls of work()."""
    total = worst = 0
    for _ in range(REPEAT):
        t0 = time.ticks_us()
        work()
        us = time.ticks_diff(time.ticks_us(), t0)
        total += us
        worst = max(worst, us)
    return total // REPEAT, worst


def breakdown(app):
    """Each task's work once, as the loop runs it (same objects, same heap)."""
    now = time.ticks_ms
    meter, views, controls = app.meter, app.views, app.controls
    sample = app.sample

    def spawn_tick():  # _spawn's body at a busy level, a drop of each kind
        t = now()
        app._check_stale(t)
        down = app._level(meter.down, t)
        up = app._level(meter.up, t)
        views.tick(down, up, t)
        app.rain.spawn(0, 8 * 256, 5)
        app.rain.spawn(1, 6 * 256, 3)

    def poll_work():  # _poll's body after fetch: the demo's rates into the meter and views
        asyncio.run(app.source.fetch(sample))
        t = now()
        meter.add(sample.down_bytes_per_s, sample.up_bytes_per_s, t)
        views.feed(meter, t)
        app.status.set("data", "ok")

    def report():  # _report's body
        t = now()
        controls.tick(t)
        app.metrics.second(t)

    def status_change():  # a new status re-renders the band's text on the next frame
        app.status.set("controller", "controller_error", "HTTP 500")
        app.overlay.draw(app.panel.fb, now())
        app.status.clear("controller")
        app.overlay.draw(app.panel.fb, now())

    out = {}
    for name, work in (
        ("spawn_tick", spawn_tick),
        ("dim", lambda: controls.dim(now())),
        ("poll_work", poll_work),
        ("report", report),
        ("status_change", status_change),
        ("gc_collect", gc.collect),
        ("heap_sample", gc.mem_free),
    ):
        out[name + "_us"], out[name + "_us_worst"] = timed(work)
    gc.collect()
    out["heap_free_bytes"] = gc.mem_free()
    return out


def main():
    cfg = validate({"controller": {"url": "demo://"}})
    hooks = Capture()
    app = App(cfg, Panel(16, 16), DemoSource(), hooks=hooks)
    built_ms = time.ticks_diff(time.ticks_ms(), app.metrics.start_ms)
    asyncio.run(app.main())
    out = hooks.summary
    out["built_after_start_ms"] = built_ms  # App() after its Metrics clock started
    out["fps_per_second"] = hooks.fps
    out["counts_alloc"] = app.metrics.count_alloc
    for key, value in breakdown(app).items():
        out["cost_" + key] = value
    print("RESULT " + json.dumps(out))


main()
