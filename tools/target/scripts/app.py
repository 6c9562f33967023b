# On the board model: the App with the demo source and an in-memory panel, 10 emulated s.
# Prints one line: RESULT {json} (the app's own Metrics summary).
import asyncio
import json

from netrain.app import App, Hooks
from netrain.config import validate
from netrain.panel import Panel
from netrain.source import DemoSource

RUN_MS = 10_000


class Capture(Hooks):
    run_ms = RUN_MS
    summary = None
    seconds = []

    def on_metrics(self, snapshot):
        self.seconds.append(
            (snapshot["fps"], snapshot["render_alloc_bytes"], snapshot["heap_min_free"])
        )

    def on_summary(self, summary):
        self.summary = summary


def main():
    cfg = validate({"controller": {"url": "demo://"}})
    hooks = Capture()
    app = App(cfg, Panel(16, 16), DemoSource(), hooks=hooks)
    asyncio.run(app.main())
    out = hooks.summary
    out["render_alloc_bytes"] = sum(s[1] or 0 for s in hooks.seconds)
    out["fps_per_second"] = [s[0] for s in hooks.seconds]
    print("RESULT " + json.dumps(out))


main()
