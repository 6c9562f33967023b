# netrain.source: what the poll task reads from, and the synthetic (demo) traffic source.
# SPDX-License-Identifier: MIT
"""A source fills a ``Sample`` in place or raises ``SourceError`` with a status name.

The UniFi client implements the same interface (``fetch``, ``close``,
``tls_handshakes``, ``insecure``); ``DemoSource`` stands in when the config URL is
``demo://`` so the panel can be tried with no controller at all.
"""

import math

from .compat import sleep_ms, ticks_diff, ticks_ms

#: The controller URL that selects the built-in synthetic traffic (no controller needed).
DEMO_URL = "demo://"


class Sample:
    """One poll's result; reused between polls."""

    def __init__(self):
        self.down_bytes_per_s = 0
        self.up_bytes_per_s = 0
        self.wan_up = True
        self.latency_ms = None
        self.plan_down_bytes_per_s = None  # learnt from the controller, if it says
        self.plan_up_bytes_per_s = None


#: SourceError detail of a controller that stopped answering (actions tell it apart:
#: a write may have landed).
TIMEOUT = "TIMEOUT"


class SourceError(Exception):
    """A failed poll: ``state`` is a status name, ``retry_ms`` a minimum wait, if any,
    and ``detail`` a few words for the panel ("TIMEOUT", "HTTP 503"), if any."""

    def __init__(self, state, message, retry_ms=None, detail=None):
        super().__init__(message)
        self.state = state
        self.message = message
        self.retry_ms = retry_ms
        self.detail = detail


class DemoSource:
    """Deterministic synthetic WAN traffic: slow waves plus periodic bursts."""

    tls_handshakes = 0
    insecure = False
    #: Synthetic plan speed (bytes/s): 500 Mbit/s down, 50 Mbit/s up.
    plan_down_bytes_per_s = 62_500_000
    plan_up_bytes_per_s = 6_250_000

    def __init__(self, clock=ticks_ms, latency_ms=0):
        self._clock = clock
        self._start_ms = clock()
        self._latency_ms = latency_ms

    def rates_at(self, t_s):
        wave = 0.25 + 0.2 * math.sin(t_s / 7.0) + 0.1 * math.sin(t_s / 2.3)
        burst = 0.45 if (int(t_s) % 20) < 3 else 0.0
        down = self.plan_down_bytes_per_s * max(0.002, wave + burst)
        up = self.plan_up_bytes_per_s * max(0.002, 0.5 * wave + 0.5 * math.sin(t_s / 11.0) ** 2)
        return int(down), int(up)

    async def fetch(self, sample):
        if self._latency_ms:
            await sleep_ms(self._latency_ms)
        t_s = ticks_diff(self._clock(), self._start_ms) / 1000
        sample.down_bytes_per_s, sample.up_bytes_per_s = self.rates_at(t_s)
        sample.wan_up = True
        sample.latency_ms = 12
        sample.plan_down_bytes_per_s = self.plan_down_bytes_per_s
        sample.plan_up_bytes_per_s = self.plan_up_bytes_per_s

    async def close(self):
        pass
