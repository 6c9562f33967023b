# netrain.app: one main() that owns the poll, spawn and render tasks (plus buttons, Wi-Fi).
# SPDX-License-Identifier: MIT
"""The application: wiring, task supervision and the three mission tasks.

* render: a fixed-step frame scheduler on ``ticks_us`` (default 60 FPS). Motion is
  time based, so a late frame never slows the rain, and the loop allocates nothing.
* spawn: turns the meter's level into drops per second (accumulated in milli-drops).
* poll: asks the source for a sample with a deadline, feeds the meter, sets status.

Every task runs under a supervisor that counts and prints a crash, then restarts it
after a short backoff, so one bug never freezes the panel.
"""

import asyncio

from .buttons import DOUBLE, LONG, REPEAT, SHORT, ButtonTask
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
from .effects.rain import DOWN, SCENE_ORDER, UP, Rain
from .meter import Meter
from .metrics import Metrics
from .source import TIMEOUT, Sample, SourceError
from .status import OK, STATES, Overlay, Status

_SPAWN_TICK_MS = const(25)
# A small, regular collection right after a frame is shown costs a few ms on the
# RP2040 and keeps the heap tidy, instead of a long one whenever allocation fails.
_GC_EVERY_MS = const(125)
_MAX_FRAME_DT_MS = const(100)  # after a long stall, do not teleport the drops
_MAX_BACKOFF_MS = const(8000)
_LINK_WAIT_MS = const(250)
_STALE_MIN_MS = const(10000)
_STALE_LEVEL_PERMILLE = const(120)
_BRIGHTNESS_STEP = 0.1
_GAIN_STEPS = (25, 50, 100, 200, 400)

GREEN = (0, 255, 60)
AMBER = (255, 150, 0)
RED = (255, 30, 0)
BLUE = (60, 140, 255)
_FEEDBACK = {"working": BLUE, "done": GREEN, "failed": RED, "busy": AMBER}
_MAX_ACTION_RECORDS = const(20)


class Hooks:
    """Optional callbacks for the host (the simulator); the device runs without them."""

    run_ms = None  # stop after this long; None runs forever

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
    ):
        """``buttons`` is ``(is_pressed, {name: pin})``; ``wdt`` has ``feed()``;
        ``settings`` persists user changes; ``make_actions()`` builds the network
        actions on first use (their code is loaded only when a button needs it)."""
        self.cfg = cfg
        self.panel = panel
        self.source = source
        self.wifi = wifi
        self.hooks = hooks or Hooks()
        self.wdt = wdt
        display = cfg["display"]
        self.frame_period_us = 1_000_000 // display["fps"]
        self.poll_ms = int(cfg["poll_s"] * 1000)
        self.timeout_ms = int(cfg["controller"]["timeout_s"] * 1000)
        self.stale_ms = max(_STALE_MIN_MS, 3 * self.poll_ms)
        self.status = status or Status()
        self.metrics = Metrics(ticks_ms(), self.frame_period_us)
        self.meter = Meter(cfg["wan"]["down_mbps"], cfg["wan"]["up_mbps"])
        self.rain = Rain(panel.width, panel.height, seed=seed)
        self.scene = display["scene"] if display["scene"] in SCENE_ORDER else SCENE_ORDER[0]
        self.rain.set_scene(self.scene)
        self.overlay = Overlay(self.status, panel.width, panel.height)
        self.sample = Sample()
        self.settings = settings
        self.actions = None
        self._make_actions = make_actions
        saved = settings.values if settings else {}
        self.gain_pct = saved.get("gain_pct") or 100
        self.sleeping = bool(saved.get("sleeping"))
        self.brightness = saved.get("brightness") or display["brightness"]
        if saved.get("scene") in SCENE_ORDER:
            self.scene = saved["scene"]
            self.rain.set_scene(self.scene)
        panel.set_brightness(self.brightness)
        self._buttons = ButtonTask(buttons[0], buttons[1], self.on_button) if buttons else None
        self._tasks = []
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
        if getattr(self.source, "insecure", False):
            print("netrain: WARNING: TLS verification is off (controller.insecure = true)")
            self.overlay.toast("INSECURE: CERTIFICATE NOT CHECKED", AMBER, ticks_ms(), 4000)
        self._start("render", self._render)
        self._start("spawn", self._spawn)
        self._start("poll", self._poll)
        self._start("metrics", self._report)
        if self._buttons:
            self._start("buttons", self._buttons.run)
        if self.wifi:
            self._start("wifi", self.wifi.run)
        if settings_pending(self.settings):
            self._get_actions()  # a timed resume from before the reboot may be due
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
            try:
                await wait_for_ms(self.source.close(), 1000)
            except Exception:
                pass
            self.metrics.state = self.status.current
            self.metrics.tls_handshakes = self.source.tls_handshakes
            self.hooks.on_summary(self.metrics.summary(ticks_ms()))

    # -- render ------------------------------------------------------------------

    async def _render(self):
        panel = self.panel
        fb = panel.fb
        rain = self.rain
        overlay = self.overlay
        metrics = self.metrics
        period_us = self.frame_period_us
        next_us = ticks_us()
        last_ms = ticks_ms()
        last_gc_ms = last_ms
        while True:
            wait_us = ticks_diff(next_us, ticks_us())
            if wait_us > 0:
                await sleep_ms(wait_us // 1000)
                continue
            start_us = ticks_us()
            alloc_before = mem_alloc()
            now_ms = ticks_ms()
            dt_ms = ticks_diff(now_ms, last_ms)
            last_ms = now_ms
            if dt_ms > _MAX_FRAME_DT_MS:
                dt_ms = _MAX_FRAME_DT_MS
            rain.step(dt_ms)
            if self.sleeping:
                rain.blank(fb)
            else:
                rain.draw(fb)
                overlay.draw(fb, now_ms)
            panel.show()
            if self.wdt:
                self.wdt.feed()
            alloc_after = mem_alloc()
            render_alloc_bytes = None if alloc_before is None else alloc_after - alloc_before
            metrics.frame(ticks_us(), render_alloc_bytes, start_us)
            next_us = ticks_add(next_us, period_us)
            if ticks_diff(now_ms, last_gc_ms) >= _GC_EVERY_MS:
                last_gc_ms = now_ms
                collect()
                metrics.after_collect()
            if ticks_diff(ticks_us(), next_us) > period_us:
                next_us = ticks_us()  # fell behind: drop frames rather than burst
            await sleep_ms(0)

    # -- spawn -------------------------------------------------------------------

    def _drops_per_s_milli(self, level_permille):
        """Spawn rate for a level: a drizzle when idle up to ~2.5 drops/s per column."""
        max_milli = self.panel.width * 2500
        return 300 + (max_milli - 300) * level_permille // 1000

    def _level(self, channel, now_ms):
        level = channel.level_permille(now_ms) * self.gain_pct // 100
        return 1000 if level > 1000 else level

    async def _spawn(self):
        rain = self.rain
        meter = self.meter
        acc_down = acc_up = 0
        last_ms = ticks_ms()
        tick = 0
        while True:
            await sleep_ms(_SPAWN_TICK_MS)
            now_ms = ticks_ms()
            dt_ms = ticks_diff(now_ms, last_ms)
            last_ms = now_ms
            if dt_ms > _MAX_FRAME_DT_MS:
                dt_ms = _MAX_FRAME_DT_MS
            self._check_stale(now_ms)
            down = self._level(meter.down, now_ms)
            up = self._level(meter.up, now_ms)
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
            tick += 1
            if tick % 8 == 0 and self.settings:
                self.settings.maybe_save(now_ms)

    def _check_stale(self, now_ms):
        age_ms = self.meter.age_ms(now_ms)
        stale = age_ms is not None and age_ms > self.stale_ms
        if stale and self.status.get("data") != "stale" and self.sample.wan_up:
            self.status.set("data", "stale")
            self.rain.set_scene("stale")
            self.meter.down.settle(now_ms, _STALE_LEVEL_PERMILLE, 3000)
            self.meter.up.settle(now_ms, _STALE_LEVEL_PERMILLE // 2, 3000)
        elif not stale and self.rain.scene == "stale":
            self.rain.set_scene(self.scene)

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
                metrics.polls_ok += 1
                metrics.down_bytes_per_s = sample.down_bytes_per_s
                metrics.up_bytes_per_s = sample.up_bytes_per_s
                status.clear("controller")
                status.set("data", OK if sample.wan_up else "wan_down")
                if self.rain.scene == "stale":
                    self.rain.set_scene(self.scene)
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
            self.metrics.state = self.status.current
            self.hooks.on_metrics(self.metrics.second(ticks_ms()))

    # -- buttons -----------------------------------------------------------------

    def on_button(self, name, gesture):
        """Map a gesture to the configured action (panel-local controls here)."""
        action = self.cfg["buttons"].get(name, "none")
        verb = action.split(":", 1)[0]
        now_ms = ticks_ms()
        handler = getattr(self, "_do_" + verb, None)
        if handler is None:
            return
        handler(gesture, action, now_ms)

    def _remember(self, key, value, now_ms):
        if self.settings:
            self.settings.set(key, value, now_ms)

    def _feedback(self, kind, text):
        # "working" stays up until the result replaces it (actions have a deadline).
        duration_ms = 20000 if kind == "working" else 2500
        self.overlay.toast(text, _FEEDBACK[kind], ticks_ms(), duration_ms)

    def _record_action(self, entry):
        entry["t_s"] = ticks_diff(ticks_ms(), self.metrics.start_ms) // 1000
        actions = self.metrics.actions
        actions.append(entry)
        if len(actions) > _MAX_ACTION_RECORDS:
            actions.pop(0)

    def _do_adblock(self, gesture, action, now_ms):
        if not self._network_actions(now_ms):
            return
        actions = self.actions
        if gesture == SHORT:
            actions.start("adblock", actions.adblock_show)
        elif gesture == LONG:
            actions.start("adblock", actions.adblock_toggle)

    def _do_pause(self, gesture, action, now_ms):
        if not self._network_actions(now_ms):
            return
        actions = self.actions
        group = action.split(":", 1)[1]
        if gesture == SHORT:
            actions.start("pause", lambda: actions.group_show(group))
        elif gesture == LONG:
            actions.start("pause", lambda: actions.group_toggle(group))
        elif gesture == DOUBLE:
            minutes = self.cfg["pause_min"]
            actions.start("pause", lambda: actions.group_pause_for(group, minutes))

    def _get_actions(self):
        if self.actions is None and self._make_actions:
            self.actions = actions = self._make_actions()
            actions.feedback = self._feedback
            actions.record = self._record_action
            self._start("reverts", actions.run_reverts)
        return self.actions

    def _network_actions(self, now_ms):
        if self._get_actions():
            return True
        self.overlay.toast("NEEDS A CONTROLLER", AMBER, now_ms, 1500)
        return False

    def _do_brightness_up(self, gesture, action, now_ms):
        self._set_brightness(self.brightness + _BRIGHTNESS_STEP, now_ms)

    def _do_brightness_down(self, gesture, action, now_ms):
        self._set_brightness(self.brightness - _BRIGHTNESS_STEP, now_ms)

    def _set_brightness(self, level, now_ms):
        self.brightness = min(1.0, max(0.05, round(level, 2)))
        self.panel.set_brightness(self.brightness)
        self._remember("brightness", self.brightness, now_ms)
        self.overlay.toast("LIGHT %d%%" % int(self.brightness * 100 + 0.5), GREEN, now_ms, 1200)

    def _do_sleep(self, gesture, action, now_ms):
        if gesture in (SHORT, LONG):
            self.sleeping = not self.sleeping
            self._remember("sleeping", self.sleeping, now_ms)

    def _do_gain_up(self, gesture, action, now_ms):
        self._step_gain(1, now_ms)

    def _do_gain_down(self, gesture, action, now_ms):
        self._step_gain(-1, now_ms)

    def _step_gain(self, direction, now_ms):
        steps = _GAIN_STEPS
        i = steps.index(self.gain_pct) if self.gain_pct in steps else 2
        i = min(len(steps) - 1, max(0, i + direction))
        self.gain_pct = steps[i]
        self._remember("gain_pct", self.gain_pct, now_ms)
        self.overlay.toast("GAIN %d%%" % self.gain_pct, GREEN, now_ms, 1200)

    def _do_scene(self, gesture, action, now_ms):
        if gesture == REPEAT:
            return
        i = SCENE_ORDER.index(self.scene) if self.scene in SCENE_ORDER else -1
        self.scene = SCENE_ORDER[(i + 1) % len(SCENE_ORDER)]
        if self.rain.scene != "stale":
            self.rain.set_scene(self.scene)
        self._remember("scene", self.scene, now_ms)
        self.overlay.toast(self.scene.upper(), GREEN, now_ms, 1200)

    def _do_status(self, gesture, action, now_ms):
        if gesture == REPEAT:
            return
        state = self.status.current
        text = "DOWN %s UP %s %s" % (
            format_rate(self.sample.down_bytes_per_s),
            format_rate(self.sample.up_bytes_per_s),
            STATES[state][1] or "OK",
        )
        self.overlay.toast(text, GREEN if state == OK else AMBER, now_ms, 0)


def settings_pending(settings):
    return bool(settings and settings.get("pending"))


def format_rate(rate_bytes_per_s):
    """Human rate in bits per second, e.g. 123M, 4.5M, 800K."""
    bits = rate_bytes_per_s * 8
    if bits >= 100_000_000:
        return "%dM" % (bits // 1_000_000)
    if bits >= 1_000_000:
        return "%d.%dM" % (bits // 1_000_000, bits // 100_000 % 10)
    return "%dK" % (bits // 1000)
