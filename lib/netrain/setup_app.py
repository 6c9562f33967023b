# netrain.setup_app: setup mode, built only when the board starts in it.
# SPDX-License-Identifier: MIT
"""The access point's name and password scrolling on a dark panel, the setup page
and the captive DNS (netrain.web.setup), and nothing else: no App, rain, controls,
buttons or polls. The page's controller test runs TLS from the board, and the board
has just enough heap for it beside the page (probe_then_drop)."""

import asyncio
import json
import os
import sys
from binascii import unhexlify

from .compat import collect, const, print_exception, sleep_ms, ticks_diff, ticks_ms
from .console import Console
from .status import Overlay, Status
from .text import dim_rect

_FRAME_MS = const(40)  # 25 fps: enough for a scrolling band; the CPU is the TLS's
_GC_EVERY_MS = const(500)
_BRIGHTNESS = 0.5  # the config's default: there are no settings yet
#: What setup mode keeps of the package; the rest (the App and all it imported for
#: normal mode) is dropped: its code is heap the controller test's TLS needs.
_KEEP = ("netrain", "netrain.compat", "netrain.console", "netrain.status", "netrain.text")
_KEEP_PREFIXES = ("netrain.font", "netrain.panel", "netrain.setup_app", "netrain.web")


class SetupMode:
    """What boot returns in setup mode: ``main()`` as netrain.app.App's, until
    ``run_ms`` (None: forever) or the page's restart. Setup mode starts in main():
    only then are netrain.start and the App modules it imported unreferenced, so
    their heap is free before setup mode's own code loads."""

    def __init__(self, panel, run_ms, setup_args):
        self.panel = panel
        self.run_ms = run_ms
        self._setup_args = setup_args  # open_setup's
        self.overlay = self.task = None

    async def main(self):
        status, self.task = open_setup(*self._setup_args)
        self._setup_args = None
        self.overlay = Overlay(status, self.panel.width, self.panel.height)
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


def drop_modules(names):
    """Unload modules: from sys.modules and from their package's attributes, which
    would keep them in memory (and be found again by the next import)."""
    for name in names:
        sys.modules.pop(name, None)
        parent, attr = name.rsplit(".", 1)
        package = sys.modules.get(parent)
        if package is not None and attr in package.__dict__:
            delattr(package, attr)


def drop_modules_since(before):
    """Unload the package's modules imported since ``before`` (a set of names): setup
    mode holds code only while it runs."""
    drop_modules(
        [name for name in sys.modules if name.startswith("netrain.") and name not in before]
    )


def _normal_modules():
    for name in sys.modules:
        if name.startswith("netrain.") and name not in _KEEP:
            if not any(name.startswith(prefix) for prefix in _KEEP_PREFIXES):
                yield name


def validate_later(cfg):
    """netrain.config's validate, imported when the page saves and dropped after: its
    code and messages are heap the controller test's TLS needs more."""
    before = set(sys.modules)
    try:
        from .config import validate

        return validate(cfg)
    finally:
        drop_modules_since(before)


async def probe_then_drop(url, site, api_key, username, password):
    """The controller test (netrain.web.probe) with its HTTP and UniFi code loaded for
    it and dropped after: a collected heap with no App in it has room for its TLS
    (measured: better than blocks held for it, which left the page's code no holes)."""
    before = set(sys.modules)
    try:
        from .web.probe import probe

        collect()
        return await probe(url, site, api_key, username, password)
    finally:
        probe = None
        drop_modules_since(before)
        collect()


def build_setup(config_path, panel, buttons, wlan, hooks, reason, device_id, ap_if, restart):
    """``ap_if`` is network.AP_IF: the access point (WPA2, its password on the panel) is
    the station's own WLAN class on that interface. ``buttons`` do nothing in setup
    mode. Nothing of ``hooks`` is kept (on the board it is netrain.app's Hooks)."""
    host, port, dns_port = hooks.web_host, hooks.web_port or 80, hooks.dns_port
    args = (config_path, wlan, reason, device_id, ap_if, restart, host, port, dns_port)
    return SetupMode(panel, hooks.run_ms, args)


def open_setup(config_path, wlan, reason, device_id, ap_if, restart, host, port, dns_port):
    """(status, the setup page's task factory): the access point open, its name and
    password on the console and in ``status``. The keys of an existing config that
    the page does not ask about are kept in the one it saves."""
    drop_modules(list(_normal_modules()))  # first: setup mode's code goes in their holes
    collect()
    from .web.boot import SETUP_RETRY_MS, setup_task
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
        host,
        port,
        dns_port,
        existing,
        validate_later,
        retry_ms,
        probe_then_drop,
    )
    return status, run
