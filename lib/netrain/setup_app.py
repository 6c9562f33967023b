# netrain.setup_app: setup mode, built only when the board starts in it.
# SPDX-License-Identifier: MIT
"""The access point's name and password scrolling on a dark panel, the setup page
and the captive DNS (netrain.web.setup), and nothing else: no App, rain, controls,
buttons or polls. The page's controller test runs TLS from the board, and the board
has just enough heap for it beside the page (netrain.web.boot.reserved_probe)."""

import asyncio
import json
import os
import sys
from binascii import unhexlify

from .compat import collect, const, print_exception, sleep_ms, ticks_diff, ticks_ms
from .console import Console
from .status import Overlay, Status
from .text import dim_rect

# The 16 KB in and 4 KB out TLS record buffers. netrain.http's reserve is 22 KB, to hold
# both with mbedTLS's overhead; here 20 KB blocks measured better (the out-buffer finds
# a hole beside).
TLS_RESERVE_BYTES = 20480
_FRAME_MS = const(40)  # 25 fps: enough for a scrolling band; the CPU is the TLS's
_GC_EVERY_MS = const(500)
_BRIGHTNESS = 0.5  # the config's default: there are no settings yet
#: What setup mode keeps of the package; the rest (the App and all it imported for
#: normal mode) is dropped: its code is heap the controller test's TLS needs.
_KEEP = ("netrain", "netrain.compat", "netrain.console", "netrain.status", "netrain.text")
_KEEP_PREFIXES = ("netrain.font", "netrain.panel", "netrain.setup_app", "netrain.web")


class SetupMode:
    """What boot returns in setup mode: ``main()`` as netrain.app.App's, until
    ``run_ms`` (None: forever) or the page's restart."""

    def __init__(self, panel, status, run_ms, task):
        self.panel = panel
        self.status = status
        self.overlay = Overlay(status, panel.width, panel.height)
        self.run_ms = run_ms
        self.task = task  # the setup page and captive DNS (netrain.web.boot.setup_task)

    async def main(self):
        tasks = [asyncio.create_task(self._render()), asyncio.create_task(self._serve())]
        try:
            if self.run_ms is None:
                while True:
                    await sleep_ms(60_000)
            else:
                await sleep_ms(self.run_ms)
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                try:
                    await task
                except BaseException:  # noqa: S110 - cancelled on the way out
                    pass

    async def _serve(self):
        backoff_ms = 100
        while True:  # supervised as App supervises its tasks
            try:
                await self.task()
                return
            except Exception as exc:  # CancelledError is a BaseException: not caught
                print("netrain: task setup crashed, restarting:")
                print_exception(exc)
                await sleep_ms(backoff_ms)
                backoff_ms = min(5000, backoff_ms * 2)

    async def _render(self):
        panel = self.panel
        fb = panel.fb
        width = panel.width
        height = panel.height
        overlay = self.overlay
        panel.set_brightness(_BRIGHTNESS)
        last_gc_ms = ticks_ms()
        while True:
            now_ms = ticks_ms()
            dim_rect(fb, width, height, 0, 0, width, height, 8)  # all dark, allocation-free
            overlay.draw(fb, now_ms)
            panel.show()
            if ticks_diff(now_ms, last_gc_ms) >= _GC_EVERY_MS:
                last_gc_ms = now_ms
                collect()
            await sleep_ms(_FRAME_MS)


def _drop_normal_modules():
    package = sys.modules.get("netrain")
    for name in list(sys.modules):
        if not name.startswith("netrain.") or name in _KEEP:
            continue
        if any(name.startswith(prefix) for prefix in _KEEP_PREFIXES):
            continue
        del sys.modules[name]
        attr = name[8:]
        if package is not None and "." not in attr and hasattr(package, attr):
            delattr(package, attr)


def build_setup(config_path, panel, buttons, wlan, hooks, reason, device_id, ap_if, restart):
    """``ap_if`` is network.AP_IF: the access point (WPA2, its password on the panel) is
    the station's own WLAN class on that interface. The keys of an existing config that
    the page does not ask about are kept in the one it saves. ``buttons`` do nothing here."""
    # First of all: see netrain.web.boot.reserved_probe (one block for the TLS of each
    # of the test's two connections, the second beside its client's 16 KB body buffer)
    reserve = []
    try:
        for _ in range(2):
            reserve.append(bytearray(TLS_RESERVE_BYTES))
    except MemoryError:  # a small heap: the page shows the test's own error if it fails
        pass
    _drop_normal_modules()
    collect()
    from .web.boot import SETUP_RETRY_MS, reserved_probe, setup_task, validate_later
    from .web.setup import ap_credentials

    folder = config_path.rsplit("/", 1)[0] if "/" in config_path else "."
    try:
        with open(config_path) as f:
            existing = json.load(f)
    except (OSError, ValueError):  # none, or not JSON: the page writes a new one
        existing = {}
    if not isinstance(existing, dict):
        existing = {}

    console = Console()
    status = Status(console.status)
    name, password = ap_credentials(unhexlify(device_id or "0000"), os.urandom(8))
    wlan.active(True)  # the station scans for the page's list and joins the chosen network
    ap = type(wlan)(ap_if)
    ap.config(ssid=name, key=password)
    ap.active(True)
    ip = ap.ifconfig()[0]
    port = hooks.web_port or 80
    console.out("netrain: setup mode (%s): join Wi-Fi %s, password %s," % (reason, name, password))
    console.out(
        "netrain: then open http://%s%s/ (any address shows the setup page)"
        % (ip, "" if port == 80 else ":%d" % port)
    )
    status.set("config", "setup", "%s %s" % (name, password))
    retry_ms = None
    wifi = existing.get("wifi")
    if isinstance(wifi, dict) and wifi.get("ssid"):  # a network that failed: try it later
        retry_ms = SETUP_RETRY_MS
    run = setup_task(
        wlan,
        folder,
        restart,
        ip,
        hooks.web_host,
        port,
        hooks.dns_port,
        existing,
        validate_later,
        retry_ms,
        reserved_probe(reserve),
    )
    return SetupMode(panel, status, hooks.run_ms, run)
