# naive_main: the bench's baseline, netrain's own rain fed the way the hobby project fetched.
# SPDX-License-Identifier: MIT
"""Run by ``python -m tools.bench`` on the MicroPython unix port with the simulator's stubs.

The panel, App (render, spawn, poll and metrics tasks) and config are those of
``firmware/main.py``; only the source differs. Every poll is a blocking
``requests.get`` on a new TLS connection (the unix port ships ``requests``), so
the whole loop waits for the connect, the handshake and the controller. Each
handshake also pays the simulator's device model (``sim_hooks.stall_handshake``),
routed through a ``tls`` stand-in that ``requests`` imports instead of the real one.
"""

import sys

import tls
from picographics import DISPLAY_STELLAR_UNICORN, PicoGraphics
from sim_hooks import hooks
from stellar import StellarUnicorn

from netrain.app import App
from netrain.panel import UnicornPanel
from netrain.source import SourceError
from netrain.start import button_pins, load_config


class _StallingContext:
    """``tls.SSLContext`` whose every wrapped socket (one handshake) costs the stall."""

    def __init__(self, protocol):
        self._ctx = tls.SSLContext(protocol)

    @property
    def verify_mode(self):
        return self._ctx.verify_mode

    @verify_mode.setter
    def verify_mode(self, mode):
        self._ctx.verify_mode = mode

    def wrap_socket(self, sock, **kwargs):
        wrapped = self._ctx.wrap_socket(sock, **kwargs)  # handshakes here: blocking socket
        hooks.stall_handshake()
        return wrapped


class _StallingTls:
    """Stands in for the ``tls`` module inside ``requests``."""

    PROTOCOL_TLS_CLIENT = tls.PROTOCOL_TLS_CLIENT
    CERT_NONE = tls.CERT_NONE
    CERT_REQUIRED = tls.CERT_REQUIRED
    SSLContext = _StallingContext


def _import_requests():
    """``requests``, importing the stalling stand-in where it imports ``tls``."""
    sys.modules["tls"] = _StallingTls
    import requests

    return requests


class NaiveSource:
    """``stat/health`` by a blocking GET per poll, no keep-alive, like the hobby project."""

    insecure = False  # requests does not verify; the overlay warning would change the frames

    def __init__(self, cfg):
        ctl = cfg["controller"]
        self.url = ctl["url"] + "/proxy/network/api/s/%s/stat/health" % ctl["site"]
        self.headers = {"X-API-KEY": ctl["api_key"]}
        self.timeout_s = ctl["timeout_s"]
        self._get = _import_requests().get

    @property
    def tls_handshakes(self):
        return hooks.tls_stalls

    async def fetch(self, sample):
        # Blocks every task until the reply is in: the stutter this baseline shows.
        resp = self._get(self.url, headers=self.headers, timeout=self.timeout_s)
        try:
            if resp.status_code != 200:
                raise SourceError("controller_error", "HTTP %d" % resp.status_code)
            obj = resp.json()
        finally:
            resp.close()
        down = up = 0
        for sub in obj["data"]:
            if sub.get("subsystem") in ("wan", "wan2"):
                down += sub.get("rx_bytes-r") or 0
                up += sub.get("tx_bytes-r") or 0
        sample.down_bytes_per_s = int(down)
        sample.up_bytes_per_s = int(up)
        sample.wan_up = True

    async def close(self):
        pass


def main():
    import asyncio

    cfg, error = load_config(hooks.config_path)
    if error is not None:
        raise SystemExit("naive_main: %s" % error)
    unicorn = StellarUnicorn()
    panel = UnicornPanel(unicorn, PicoGraphics(display=DISPLAY_STELLAR_UNICORN))
    buttons = (unicorn.is_pressed, button_pins(unicorn))
    app = App(cfg, panel, NaiveSource(cfg), buttons=buttons, hooks=hooks)
    asyncio.run(app.main())


main()
