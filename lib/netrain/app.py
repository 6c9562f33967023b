# netrain.app: one main() that owns the poll, spawn and render tasks (plus buttons, Wi-Fi).
# SPDX-License-Identifier: MIT
"""The application: task supervision and the three mission tasks.

* render: a fixed-step frame scheduler on ``ticks_us`` (default 60 FPS). Motion is
  time based, so a late frame never slows the rain, and the loop allocates nothing.
  It draws the view on show (``controls.view``: None is the rain, else a
  netrain.views object with the same step/draw).
* spawn: turns the meter's level into drops per second (accumulated in milli-drops),
  hands the levels to the views, decides when the data is stale (the one place that
  does), and a few times a second has the dimmer work out the panel's brightness.
* poll: asks the source for a sample with a deadline, feeds the meter and the views
  (the history records from boot whatever is on show), sets status.
* report: once a second, the metrics snapshot and ``Controls.tick`` (settings saves).

What the user changes (buttons, and later the web page and MQTT) goes through
``Controls`` (netrain.controls). With ``source=None`` (a config error) there is no
poll: the rain stays calm under the status band.

Every task runs under a supervisor that counts and prints a crash, then restarts it
after a short backoff, so one bug never freezes the panel.
"""

import asyncio

from .buttons import ButtonTask
from .compat import (
    collect,
    const,
    mem_alloc,
    mem_free,
    print_exception,
    sleep_ms,
    ticks_add,
    ticks_diff,
    ticks_ms,
    ticks_us,
    wait_for_ms,
)
from .controls import AMBER, Controls
from .effects.rain import DOWN, UP, Rain
from .meter import Meter
from .metrics import Metrics
from .source import TIMEOUT, Sample, SourceError
from .status import OK, Overlay, Status
from .views import Views

_SPAWN_TICK_MS = const(25)
_DIM_EVERY_MS = const(250)  # light sensor, night schedule: a glide, not per frame
# A small, regular collection right after a frame is shown costs a few ms on the
# RP2040 and keeps the heap tidy, instead of a long one whenever allocation fails.
_GC_EVERY_MS = const(125)
_MAX_FRAME_DT_MS = const(100)  # after a long stall, do not teleport the drops
_MAX_BACKOFF_MS = const(8000)
_LINK_WAIT_MS = const(250)
_STALE_MIN_MS = const(10000)
_STALE_LEVEL_PERMILLE = const(120)
_CALM_RAMP_MS = const(3000)


class Hooks:
    """What a host (the simulator, a test) may change; the device runs with these defaults."""

    #: Stop after this long; None runs forever.
    run_ms = None
    #: The config file (settings.json and ca_pem are found beside it).
    config_path = "config.json"
    #: ``await opener(ip, port, ssl_ctx) -> (reader, writer)`` for the HTTP client
    #: (the simulator's TLS stall model); None: asyncio.open_connection.
    opener = None
    #: ``await resolver(host, port) -> ip``; None: the default below.
    resolver = None
    #: With no resolver: look host names up with the board's own DNS client
    #: (netrain.dns) when there is Wi-Fi. False on a desktop, whose stub Wi-Fi has a
    #: made-up DNS server: the runtime's lookup is used.
    board_dns = True
    #: Count every allocation (metrics alloc_bytes, render_alloc_bytes, poll_alloc_bytes)
    #: and sample the free heap after each controlled collection: the simulator's and the
    #: tests'. Off on the device, where each count walks the heap (~7 ms): netrain.metrics.
    count_alloc = False
    #: Where the page (netrain.web) listens: every interface, on config web.port unless
    #: web_port is set (0: no page); the simulator maps it to a loopback port.
    web_host = "0.0.0.0"
    web_port = None
    #: The setup mode's captive DNS (53 on the board).
    dns_port = 53
    #: A config naming no Wi-Fi opens the setup access point: the board has no other
    #: network. False on a desktop, which has its own.
    needs_wifi = True

    def on_metrics(self, snapshot):
        pass

    def on_summary(self, summary):
        pass


class App:
    def __init__(
        self,
        cfg,
        panel,
        source,
        wifi=None,
        buttons=None,
        hooks=None,
        wdt=None,
        seed=1,
        status=None,
        settings=None,
        make_actions=None,
        log=None,
        clock=None,
    ):
        """``source`` None: no data (a config error), calm rain under the status band.
        ``buttons`` is ``(is_pressed, {name: pin})``; ``wdt`` has ``feed()``;
        ``settings``, ``make_actions(feedback, record)``, ``log(topic, text)`` and
        ``clock`` (netrain.wallclock: the night schedule's time; None: no night)
        are handed to ``Controls``."""
        self.cfg = cfg
        self.panel = panel
        self.source = source
        self.wifi = wifi
        self.hooks = hooks or Hooks()
        self.wdt = wdt
        self.frame_period_us = 1_000_000 // cfg["display"]["fps"]
        self.poll_ms = int(cfg["poll_s"] * 1000)
        self.timeout_ms = int(cfg["controller"]["timeout_s"] * 1000)
        self.stale_ms = max(_STALE_MIN_MS, 3 * self.poll_ms)
        self.status = status or Status()
        self.metrics = Metrics(ticks_ms(), self.frame_period_us, self.hooks.count_alloc)
        self.meter = Meter(cfg["wan"]["down_mbps"], cfg["wan"]["up_mbps"])
        self.rain = Rain(panel.width, panel.height, seed=seed)
        display = cfg["display"]
        self.views = Views(panel.width, panel.height, display["history_s"], ticks_ms())
        self.overlay = Overlay(self.status, panel.width, panel.height)
        self.sample = Sample()
        self.settings = settings
        self.controls = Controls(
            cfg,
            panel,
            self.rain,
            self.overlay,
            self.status,
            self.sample,
            self.meter,
            self.metrics,
            settings,
            make_actions,
            log,
            views=self.views,
            clock=clock,
        )
        self._buttons = ButtonTask(buttons[0], buttons[1], self.controls.press) if buttons else None
        self._tasks = []
        #: (name, factory) started and supervised with the others: MQTT, the web server
        self.extra_tasks = []
        if source is not None:
            self.status.set("data", "connecting")

    # -- supervision -------------------------------------------------------------

    async def _supervise(self, name, factory):
        backoff_ms = 100
        while True:
            try:
                await factory()
                return
            except Exception as exc:  # CancelledError is a BaseException: not caught
                self.metrics.errors += 1
                print("netrain: task %s crashed, restarting:" % name)
                print_exception(exc)
                await sleep_ms(backoff_ms)
                backoff_ms = min(5000, backoff_ms * 2)

    def _start(self, name, factory):
        self._tasks.append(asyncio.create_task(self._supervise(name, factory)))

    async def main(self):
        """Run every task until ``hooks.run_ms`` elapses (forever on the device)."""
        source = self.source
        # The metrics clock starts with the tasks: building the App (~120 ms on the
        # RP2040) is boot, not frames lost by the loop.
        self.metrics.start_ms = ticks_ms()
        if source is None:
            self._calm(ticks_ms(), 0)  # no data will come: calm from the first frame
        elif source.insecure:
            print("netrain: WARNING: TLS verification is off (controller.insecure = true)")
            self.overlay.toast("INSECURE: CERTIFICATE NOT CHECKED", AMBER, ticks_ms(), 4000)
        self._start("render", self._render)
        self._start("spawn", self._spawn)
        if source is not None:
            self._start("poll", self._poll)
        self._start("report", self._report)
        if self._buttons:
            self._start("buttons", self._buttons.run)
        if self.wifi:
            self._start("wifi", self.wifi.run)
        actions = self.controls.actions
        if actions:
            self._start("reverts", actions.run_reverts)
        for name, factory in self.extra_tasks:
            self._start(name, factory)
        if self.settings and self.settings.corrupt:
            self.overlay.toast("SETTINGS RESET TO DEFAULTS", AMBER, ticks_ms(), 3000)
        try:
            if self.hooks.run_ms is None:
                while True:
                    await sleep_ms(60_000)
            else:
                await sleep_ms(self.hooks.run_ms)
        finally:
            for task in self._tasks:
                task.cancel()
            for task in self._tasks:
                try:
                    await task
                except BaseException:  # noqa: S110 - cancelled on the way out
                    pass
            if source is not None:
                try:
                    await wait_for_ms(source.close(), 1000)
                except Exception:
                    pass
                self.metrics.tls_handshakes = source.tls_handshakes
            self.metrics.state = self.status.current
            self.hooks.on_summary(self.metrics.summary(ticks_ms()))

    # -- render ------------------------------------------------------------------

    async def _render(self):
        panel = self.panel
        fb = panel.fb
        rain = self.rain
        overlay = self.overlay
        metrics = self.metrics
        controls = self.controls
        period_us = self.frame_period_us
        count_alloc = metrics.count_alloc
        alloc_before = render_alloc_bytes = None
        next_us = ticks_us()
        last_ms = ticks_ms()
        last_gc_ms = last_ms
        while True:
            wait_us = ticks_diff(next_us, ticks_us())
            if wait_us > 0:
                await sleep_ms(wait_us // 1000)
                continue
            start_us = ticks_us()
            if count_alloc:
                alloc_before = mem_alloc()
            now_ms = ticks_ms()
            dt_ms = ticks_diff(now_ms, last_ms)
            last_ms = now_ms
            if dt_ms > _MAX_FRAME_DT_MS:
                dt_ms = _MAX_FRAME_DT_MS
            view = controls.view  # switched by a button, the web or MQTT at any time
            if view is None:
                rain.step(dt_ms)
            else:
                view.step(dt_ms)
            if controls.sleeping or controls.dark:
                rain.blank(fb)
            else:
                if view is None:
                    rain.draw(fb)
                else:
                    view.draw(fb)
                overlay.draw(fb, now_ms)
            panel.show()
            if self.wdt:
                self.wdt.feed()
            if count_alloc:
                render_alloc_bytes = mem_alloc() - alloc_before
            metrics.frame(ticks_us(), render_alloc_bytes, start_us)
            next_us = ticks_add(next_us, period_us)
            if ticks_diff(now_ms, last_gc_ms) >= _GC_EVERY_MS:
                last_gc_ms = now_ms
                collect()
                metrics.after_collect(now_ms)
            if ticks_diff(ticks_us(), next_us) > period_us:
                next_us = ticks_us()  # fell behind: drop frames rather than burst
            await sleep_ms(0)

    # -- spawn -------------------------------------------------------------------

    def _drops_per_s_milli(self, level_permille):
        """Spawn rate for a level: a drizzle when idle up to ~2.5 drops/s per column."""
        max_milli = self.panel.width * 2500
        return 300 + (max_milli - 300) * level_permille // 1000

    def _level(self, channel, now_ms):
        level = channel.level_permille(now_ms) * self.controls.gain_pct // 100
        return 1000 if level > 1000 else level

    async def _spawn(self):
        rain = self.rain
        meter = self.meter
        views = self.views
        controls = self.controls
        acc_down = acc_up = 0
        last_ms = last_dim_ms = ticks_ms()
        while True:
            await sleep_ms(_SPAWN_TICK_MS)
            now_ms = ticks_ms()
            dt_ms = ticks_diff(now_ms, last_ms)
            last_ms = now_ms
            if dt_ms > _MAX_FRAME_DT_MS:
                dt_ms = _MAX_FRAME_DT_MS
            self._check_stale(now_ms)
            if ticks_diff(now_ms, last_dim_ms) >= _DIM_EVERY_MS:
                last_dim_ms = now_ms
                controls.dim(now_ms)
            down = self._level(meter.down, now_ms)
            up = self._level(meter.up, now_ms)
            views.tick(down, up, now_ms)
            if controls.view is not None:
                continue  # no drops while another view is on show: the rain resumes as it was
            acc_down += self._drops_per_s_milli(down) * dt_ms // 1000
            acc_up += self._drops_per_s_milli(up) * dt_ms // 1000 // 2
            while acc_down >= 1000:
                acc_down -= 1000
                speed = (5 + 20 * down // 1000) * 256 + rain.random(3 * 256)
                rain.spawn(DOWN, speed, 3 + 5 * down // 1000)
            while acc_up >= 1000:
                acc_up -= 1000
                speed = (4 + 14 * up // 1000) * 256 + rain.random(2 * 256)
                rain.spawn(UP, speed, 2 + 3 * up // 1000)

    def _check_stale(self, now_ms):
        """The one freshness verdict: no good sample for ``stale_ms`` (while the WAN
        was up) turns the rain calm and grey; a fresh sample brings the scene back."""
        if self.source is None:
            return  # no data at all: calm from the start (main)
        age_ms = self.meter.age_ms(now_ms)
        stale = age_ms is not None and age_ms > self.stale_ms and self.sample.wan_up
        if stale == self.controls.stale:
            return
        if stale:
            self.status.set("data", "stale")
            self._calm(now_ms, _CALM_RAMP_MS)
        else:
            self.controls.set_stale(False)

    def _calm(self, now_ms, ramp_ms):
        self.controls.set_stale(True)
        self.meter.down.settle(now_ms, _STALE_LEVEL_PERMILLE, ramp_ms)
        self.meter.up.settle(now_ms, _STALE_LEVEL_PERMILLE // 2, ramp_ms)

    # -- poll --------------------------------------------------------------------

    async def _poll(self):
        source = self.source
        sample = self.sample
        metrics = self.metrics
        status = self.status
        failures = 0
        next_ms = ticks_ms()
        while True:
            if self.wifi is not None and not self.wifi.connected:
                # No link: the Wi-Fi task shows why and rejoins. A request now could
                # only fail, and a DNS lookup without an address can hang for good.
                await sleep_ms(_LINK_WAIT_MS)
                continue
            alloc_mark = metrics.allocated()
            retry_ms = 0
            try:
                await wait_for_ms(source.fetch(sample), 2 * self.timeout_ms)
                failures = 0
                now_ms = ticks_ms()
                if sample.plan_down_bytes_per_s or sample.plan_up_bytes_per_s:
                    self.meter.set_plan(sample.plan_down_bytes_per_s, sample.plan_up_bytes_per_s)
                self.meter.add(sample.down_bytes_per_s, sample.up_bytes_per_s, now_ms)
                self.views.feed(self.meter, now_ms)
                metrics.polls_ok += 1
                metrics.down_bytes_per_s = sample.down_bytes_per_s
                metrics.up_bytes_per_s = sample.up_bytes_per_s
                status.clear("controller")
                status.set("data", OK if sample.wan_up else "wan_down")
            except SourceError as exc:
                failures += 1
                metrics.polls_failed += 1
                status.set("controller", exc.state, exc.detail)
                retry_ms = exc.retry_ms or 0
            except asyncio.TimeoutError:
                failures += 1
                metrics.polls_failed += 1
                status.set("controller", "controller_unreachable", TIMEOUT)
            except MemoryError:  # a reply too big for what is left: say so, keep animating
                failures += 1
                metrics.polls_failed += 1
                metrics.errors += 1
                status.set("controller", "controller_error", "OUT OF MEMORY")
                collect()
                if failures == 1:  # once per run of failures, not per poll
                    print("netrain: poll: out of memory, %s bytes free" % mem_free())
            # all tasks meanwhile, but the render path allocates nothing
            metrics.poll_alloc_bytes = metrics.alloc_since(alloc_mark)
            metrics.tls_handshakes = source.tls_handshakes
            now_ms = ticks_ms()
            next_ms = ticks_add(next_ms, self.poll_ms)
            if failures:
                backoff_ms = min(_MAX_BACKOFF_MS, self.poll_ms << min(failures - 1, 4))
                retry_ms = max(retry_ms, backoff_ms)
                next_ms = ticks_add(now_ms, retry_ms)
            elif ticks_diff(next_ms, now_ms) < 0:
                next_ms = now_ms  # a slow poll: poll again at once, never in a burst
            await sleep_ms(max(0, ticks_diff(next_ms, now_ms)))

    # -- metrics -----------------------------------------------------------------

    async def _report(self):
        next_ms = ticks_add(self.metrics.start_ms, 1000)
        while True:
            await sleep_ms(max(0, ticks_diff(next_ms, ticks_ms())))
            next_ms = ticks_add(next_ms, 1000)
            now_ms = ticks_ms()
            self.controls.tick(now_ms)
            self.metrics.state = self.status.current
            self.hooks.on_metrics(self.metrics.second(now_ms))
