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

from .server import Server


async def start_page(controls, panel, web_cfg, host="0.0.0.0", port=80):
    from .api import Api

    server = Server(Api(controls, panel, web_cfg))
    await server.start(host, port)
    return server


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
    await server.start(host, port)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(socket.getaddrinfo(host, dns_port)[0][-1])
    sock.setblocking(False)
    return server, asyncio.create_task(CaptiveDns(sock, ip).run())
