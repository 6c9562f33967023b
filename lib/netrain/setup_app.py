# netrain.setup_app: the App of setup mode, built only when the board starts in it.
# SPDX-License-Identifier: MIT
"""Calm rain with the access point's name and password scrolling on the panel, the
setup page and the captive DNS (netrain.web.setup); no controller polls: the page's
controller test needs their heap."""

import json
import os
from binascii import unhexlify

from .app import App
from .console import Console
from .source import DEMO_URL
from .status import Status

# The 16 KB in and 4 KB out TLS record buffers. netrain.http's reserve is 22 KB, to hold
# both with mbedTLS's overhead; here 20 KB blocks measured better (the flow completes at
# 208K on the board model, at 22 KB only from 216K): the out-buffer finds a hole beside.
TLS_RESERVE_BYTES = 20480


def build_setup(config_path, panel, buttons, wlan, hooks, reason, device_id, ap_if, restart):
    """``ap_if`` is network.AP_IF: the access point (WPA2, its password on the panel) is
    the station's own WLAN class on that interface. The keys of an
    existing config that the page does not ask about are kept in the one it saves."""
    # First of all: see netrain.web.boot.reserved_probe (one block for the TLS of each
    # of the test's two connections, the second beside its client's 16 KB body buffer)
    reserve = []
    try:
        for _ in range(2):
            reserve.append(bytearray(TLS_RESERVE_BYTES))
    except MemoryError:  # a small heap: the page shows the test's own error if it fails
        pass
    from . import config
    from .start import unload
    from .web import probe  # noqa: F401 - its HTTP stack loads before the app's buffers
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
    cfg = config.validate({"controller": {"url": DEMO_URL}})
    del config
    unload("netrain.config")  # loaded again to check what the page saves, after its probe
    unload("netrain.config_features")
    unload("netrain.config_checks")
    app = App(cfg, panel, None, buttons=buttons, hooks=hooks, status=status)
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
    app.extra_tasks.append(("setup", run))
    return app
