# netrain.integration: WAN rates from the official Integration API (API key only).
# SPDX-License-Identifier: MIT
"""An optional poll source for consoles where the key works only on the Integration API.

``GET {p}/integration/v1/sites`` gives the site's UUID (``internalReference`` is the
short name), ``.../devices`` the gateway (``features`` contains ``gateway``), and
``.../devices/{id}/statistics/latest`` about 375 bytes with ``uplink.rxRateBps``
(down) and ``uplink.txRateBps`` (up). The specification leaves the unit open (docs/unifi-api.md,
"Integration API statistics"); we read it as bits per second, the usual meaning of
"bps" in UniFi's own API, and that page says so. ``stat/health`` stays
the default source (``controller.source = "auto"``).
"""

from .source import SourceError
from .unifi import number

_PAGE = 8  # devices per page: a page stays within the client's 8 KB body buffer
_PAGES_MAX = 32  # 256 devices looked at, then we give up


class IntegrationSource:
    def __init__(self, unifi):
        self.unifi = unifi
        self.insecure = unifi.client.insecure
        self._stats_path = None

    @property
    def tls_handshakes(self):
        return self.unifi.client.tls_handshakes

    async def _find_gateway(self):
        unifi = self.unifi
        base = unifi.prefix + "/integration/v1/sites"
        sites = await unifi.request("GET", base + "?limit=200")
        site_id = None
        for site in sites.get("data") or ():
            if isinstance(site, dict) and site.get("internalReference") == unifi.site:
                site_id = site.get("id")
        if not site_id:
            raise SourceError(
                "controller_error", "site %s not found" % unifi.site, None, "UNKNOWN SITE"
            )
        devices = "%s/%s/devices?limit=%d&offset=" % (base, site_id, _PAGE)
        for page in range(_PAGES_MAX):
            reply = await unifi.request("GET", devices + str(page * _PAGE))
            items = reply.get("data") or ()
            for dev in items:
                if isinstance(dev, dict) and "gateway" in (dev.get("features") or ()):
                    return "%s/%s/devices/%s/statistics/latest" % (base, site_id, dev.get("id"))
            if len(items) < _PAGE:
                break
        raise SourceError("controller_error", "no gateway in this site", None, "NO GATEWAY")

    async def fetch(self, sample):
        if self._stats_path is None:
            self._stats_path = await self._find_gateway()
        stats = await self.unifi.request("GET", self._stats_path)
        uplink = stats.get("uplink") if isinstance(stats, dict) else None
        if not isinstance(uplink, dict):
            raise SourceError("controller_error", "no uplink in the statistics")
        sample.down_bytes_per_s = max(0, number(uplink.get("rxRateBps"))) // 8
        sample.up_bytes_per_s = max(0, number(uplink.get("txRateBps"))) // 8
        sample.wan_up = True
        sample.latency_ms = None

    async def close(self):
        await self.unifi.client.close()
