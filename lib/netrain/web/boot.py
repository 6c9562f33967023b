# netrain.web.boot: what start.py calls to put the page, or the setup, on the network.
# SPDX-License-Identifier: MIT
"""Two entry points, both async and both returning at once with the work in tasks:

* ``start_page(controls, panel, web_cfg, port)``: the page and API in normal mode;
* ``start_setup(wlan, folder, restart, ...)``: first-boot setup: the setup page and
  the captive DNS; the caller has opened the access point (``ap_credentials`` gives
  its name and password) and shows the password on the panel.

The device uses port 80 and DNS port 53; the simulator maps them to loopback ports.
"""

import asyncio
import socket

from ..compat import const, sleep_ms
from .server import Server

SETUP_AFTER_JOIN_FAIL_MS = const(300_000)  # the configured network unreachable this long
SETUP_RETRY_MS = const(600_000)  # setup mode over a config: then try its network again


async def start_page(controls, panel, web_cfg, host="0.0.0.0", port=80, page_path=None):
    from .api import Api

    server = Server(Api(controls, panel, web_cfg, page_path))
    server.listener = await server.start(host, port)
    return server


def add_page(app, marker_path, restart, log):
    """The page and API as a supervised task of ``app`` (on config web.port, or the
    host's port); with ``marker_path``, the Wi-Fi join watch below too."""
    web = app.cfg["web"]
    hooks = app.hooks
    watch = (app.wifi, marker_path, restart, log) if marker_path and app.wifi else None
    run = page_task(
        app.controls, app.panel, web, hooks.web_host, hooks.web_port or web["port"], watch
    )
    app.extra_tasks.append(("web", run))


def page_task(controls, panel, web_cfg, host, port, watch=None):
    """A factory for ``App.extra_tasks``: the page served until the app stops.

    ``watch`` = (wifi, marker_path, restart, log): until the board first joins its
    network; after ``SETUP_AFTER_JOIN_FAIL_MS`` without it the marker is written and
    the board restarts into setup mode. Later outages (a router restarting) are the
    Wi-Fi supervisor's to ride out."""

    async def run():
        server = await start_page(controls, panel, web_cfg, host, port)
        try:
            if watch:
                await join_watch(*watch)
            while True:
                await asyncio.sleep(3600)
        finally:
            server.listener.close()

    return run


async def join_watch(wifi, marker_path, restart, log, after_ms=SETUP_AFTER_JOIN_FAIL_MS):
    step_ms = min(1000, after_ms)
    waited_ms = 0
    while not wifi.connected:
        if waited_ms >= after_ms:
            with open(marker_path, "w") as f:
                f.write("1")
            log("wifi", "not joined in %d s: restarting into setup" % (waited_ms // 1000))
            restart()
            return
        await sleep_ms(step_ms)
        waited_ms += step_ms


async def start_setup(
    wlan,
    folder,
    restart,
    ip="192.168.4.1",
    host="0.0.0.0",
    port=80,
    dns_port=53,
    existing=None,
    validate=None,
    probe=None,
):
    """(server, dns task). ``ip`` is the address DNS answers with (the AP's own);
    ``validate(cfg)`` raises on a config the firmware would refuse."""
    from .captive_dns import CaptiveDns
    from .setup import Files, Setup

    if probe is None:
        from .probe import probe
    handler = Setup(wlan, probe, Files(folder), restart, existing, validate=validate)
    server = Server(handler)
    server.listener = await server.start(host, port)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(socket.getaddrinfo(host, dns_port)[0][-1])
    sock.setblocking(False)
    return server, asyncio.create_task(CaptiveDns(sock, ip).run())


def setup_task(
    wlan, folder, restart, ip, host, port, dns_port, existing, validate, retry_ms=None, probe=None
):
    """A factory for ``App.extra_tasks``: the setup page and captive DNS until the app
    stops; with ``retry_ms`` (a config exists), a restart to try its network again
    after that long unless someone has joined a network on the page."""

    async def run():
        server, dns = await start_setup(
            wlan, folder, restart, ip, host, port, dns_port, existing, validate, probe
        )
        try:
            waited_ms = 0
            while retry_ms is None or waited_ms < retry_ms or server.handler.wifi:
                await asyncio.sleep(1)
                waited_ms += 1000
            restart()
        finally:
            dns.cancel()
            server.listener.close()

    return run
