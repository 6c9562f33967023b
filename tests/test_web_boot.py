# netrain.web.boot on real loopback sockets (CPython): the page, the setup page and the
# captive DNS answer where start.py will put them.
# SPDX-License-Identifier: MIT

import asyncio
import json
import socket

from _web import FakeControls

from netrain.dns import build_query, parse_reply
from netrain.panel import Panel
from netrain.web.boot import start_page, start_setup


def _free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _get(port, path):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path.encode())
    data = await asyncio.wait_for(reader.read(), 5)
    writer.close()
    return data


class Wlan:
    def scan(self):
        return [(b"Home", b"", 1, -50, 3, False)]


def test_page_setup_and_dns_on_loopback(tmp_path):
    page_port, setup_port = _free_port(), _free_port()
    dns_port = _free_port(socket.SOCK_DGRAM)

    async def main():
        await start_page(FakeControls(), Panel(16, 16), {}, "127.0.0.1", page_port)
        server, dns = await start_setup(
            Wlan(), str(tmp_path), lambda: None, "192.168.4.1", "127.0.0.1", setup_port, dns_port
        )
        state = await _get(page_port, "/api/state")
        scan = await _get(setup_port, "/api/setup/scan")
        loop = asyncio.get_running_loop()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.setblocking(False)
            s.sendto(build_query("captive.apple.com", 77), ("127.0.0.1", dns_port))
            reply = await asyncio.wait_for(loop.sock_recv(s, 512), 5)
        dns.cancel()
        return state, scan, reply

    state, scan, reply = asyncio.run(main())
    assert state.startswith(b"HTTP/1.0 200 OK") and b'"state": "ok"' in state
    body = scan.split(b"\r\n\r\n", 1)[1]
    assert json.loads(body)["networks"][0]["ssid"] == "Home"
    assert parse_reply(reply, 77) == "192.168.4.1"
