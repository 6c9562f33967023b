# A CPython runner of the board's web server with fake controls, for the browser test.
# SPDX-License-Identifier: MIT
"""python tests/web_runner.py PAGE_PORT SETUP_PORT FOLDER: the normal page and API on
PAGE_PORT (password "browser-pw"), the setup page on SETUP_PORT writing into FOLDER.
The fake panel's colour moves every 100 ms; ad blocking flips 300 ms after a command,
the way the real actions report a verified read-back later."""

import asyncio
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "..", "lib"), os.path.join(HERE, "portable")]

from _web import FakeControls  # noqa: E402

from netrain.panel import Panel  # noqa: E402
from netrain.web.api import Api  # noqa: E402
from netrain.web.server import Server  # noqa: E402
from netrain.web.setup import Files, Setup  # noqa: E402

PASSWORD = "browser-pw"
DER = bytes(range(256)) * 2


class Controls(FakeControls):
    def command(self, name, value=None):
        super().command(name, value)
        if name == "adblock":
            asyncio.get_running_loop().call_later(0.3, self._adblock_done)
            return True, "started"
        key = {"brightness": "brightness", "scene": "scene", "sleep": "sleeping"}.get(name)
        if key:
            self.values[key] = value
        return True, "%s %s" % (name, value)

    def _adblock_done(self):
        on = not self.values["adblock"]
        self.values["adblock"] = on
        entry = {"action": "adblock", "result": "verified", "detail": "on" if on else "off"}
        self.values["actions"].append(entry)


class Wlan:
    def scan(self):
        return [(b"Home", b"", 6, -50, 3, False), (b"Neighbour", b"", 1, -85, 3, False)]


async def join(ssid, password):
    return (password == "home-pw"), (
        "joined " + ssid if password == "home-pw" else "wrong password"
    )


async def probe(url, site, api_key, username, password):
    await asyncio.sleep(0.2)
    if api_key == "good-key":
        return True, "controller answers: WAN 1200/40 kB/s down/up", DER
    return False, "the controller answered but: API key refused", None


async def animate(panel):
    step = 0
    while True:
        step += 1
        for i in range(0, len(panel.fb), 4):
            panel.fb[i + 1] = (step * 16 + i) & 0xFF  # green channel
        await asyncio.sleep(0.1)


async def main(page_port, setup_port, folder):
    panel = Panel(16, 16)
    api = Api(Controls(), panel, {"password": PASSWORD})
    await Server(api).start("127.0.0.1", page_port)
    handler = Setup(Wlan(), probe, Files(folder), lambda: print("restart", flush=True), join=join)
    await Server(handler).start("127.0.0.1", setup_port)
    print("ready", flush=True)
    await animate(panel)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]))
