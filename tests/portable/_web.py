# Fakes shared by the web tests: in-memory streams and a Controls with the real shape.
# SPDX-License-Identifier: MIT

import asyncio

SECRETS = ("wifi-secret-1", "api-key-secret-2", "ctl-secret-3", "web-secret-4")


class Reader:
    """Hands out the request in the given chunks; ``stall`` waits forever after them."""

    def __init__(self, chunks, stall=False):
        self.chunks = list(chunks)
        self.stall = stall

    async def read(self, n):
        if not self.chunks:
            if self.stall:
                await asyncio.sleep(3600)
            return b""
        chunk = self.chunks.pop(0)
        if len(chunk) > n:
            self.chunks.insert(0, chunk[n:])
            chunk = chunk[:n]
        return chunk


class Writer:
    def __init__(self):
        self.data = b""
        self.closed = False

    def write(self, data):
        self.data += bytes(data)

    async def drain(self):
        pass

    def close(self):
        self.closed = True

    async def wait_closed(self):
        pass


def parse_response(raw):
    """(status, {lower-case header: value}, body bytes)."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split(" ")[1]), headers, body


class FakeControls:
    """The shape of netrain.controls.Controls; state carries secrets to prove they stay out."""

    def __init__(self):
        self.commands = []
        self.result = (True, "started")
        self.values = {
            "state": "ok",
            "reason": "",
            "down_bytes_per_s": 1250000,
            "up_bytes_per_s": 25000,
            "utilisation_down": 0.5,
            "utilisation_up": 0.1,
            "brightness": 0.5,
            "scene": "classic",
            "sleeping": False,
            "gain_pct": 100,
            "adblock": True,
            "groups": {"kids": False},
            "uptime_s": 12,
            "heap_free": 40000,
            "version": "0.1",
            "actions": [
                {"action": "adblock", "result": "verified", "detail": "on", "t_s": 3, "pw": "x"}
            ],
            "wifi_password": SECRETS[0],
            "api_key": SECRETS[1],
        }

    def command(self, name, value=None):
        self.commands.append((name, value))
        return self.result

    def state(self):
        return self.values

    def press(self, button, gesture):
        pass

    def subscribe(self, callback):
        pass
