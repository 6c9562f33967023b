# netrain.wifi: keep the Pico W joined to the access point, with backoff and status.
# SPDX-License-Identifier: MIT
"""A supervisor task over an injected ``network.WLAN``.

The CYW43 chip retries a join forever on its own and reports CONNECTING, so we
poll ``status()`` with a deadline, map failures to status names and retry with
exponential backoff; the chip keeps trying meanwhile, so a link that comes back
during the backoff ends the wait at the next check. A link that drops later
(router reboot) is noticed within ``check_ms`` and rejoined. ``request_reconnect``
lets the poll task force a rejoin when requests keep failing while
``isconnected()`` still says True. ``log(topic, text)`` gets one line per join and
per lost link (the console); failures reach it as status changes.
"""

from .compat import const, sleep_ms, ticks_diff, ticks_ms

_STAT_GOT_IP = const(3)
_STAT_CONNECT_FAIL = const(-1)
_STAT_NO_AP_FOUND = const(-2)
_STAT_WRONG_PASSWORD = const(-3)
_PM_NO_POWERSAVE = const(0xA11140)  # what Pimoroni's examples use where PM_NONE is missing


class WifiSupervisor:
    join_timeout_ms = 20000
    check_ms = 1000
    backoff_min_ms = 2000
    backoff_max_ms = 60000

    def __init__(self, wlan, ssid, password, status, power_save=False, log=None):
        self._wlan = wlan
        self._log = log or (lambda topic, text: None)
        self._ssid = ssid
        self._password = password
        self._status = status
        self._power_save = power_save
        self._reconnect = False
        self.joins = 0

    def request_reconnect(self):
        self._reconnect = True

    def _configure(self):
        wlan = self._wlan
        wlan.active(True)
        if not self._power_save:
            # Power save adds up to ~200 ms latency and slow joins; USB-powered panel.
            try:
                wlan.config(pm=getattr(wlan, "PM_NONE", _PM_NO_POWERSAVE))
            except (ValueError, OSError, TypeError):
                pass

    async def _join(self):
        wlan = self._wlan
        self._status.set("link", "connecting_wifi", self._ssid)
        try:
            wlan.disconnect()
        except OSError:
            pass
        wlan.connect(self._ssid, self._password)
        start_ms = ticks_ms()
        while ticks_diff(ticks_ms(), start_ms) < self.join_timeout_ms:
            code = wlan.status()
            if code == _STAT_GOT_IP or wlan.isconnected():
                return True
            if code == _STAT_WRONG_PASSWORD:
                self._status.set("link", "wifi_wrong_password", self._ssid)
                return False
            if code in (_STAT_NO_AP_FOUND, _STAT_CONNECT_FAIL):
                self._status.set("link", "wifi_no_network", self._ssid)
                return False
            await sleep_ms(250)
        self._status.set("link", "wifi_no_network", self._ssid)
        return False

    async def run(self):
        self._configure()
        backoff_ms = self.backoff_min_ms
        up = False
        while True:
            if self._wlan.isconnected() and not self._reconnect:
                self._status.clear("link")
                backoff_ms = self.backoff_min_ms
                up = True
                await sleep_ms(self.check_ms)
                continue
            if up:
                up = False
                self._log("wifi", "rejoining" if self._reconnect else "link lost")
            self._reconnect = False
            if await self._join():
                self.joins += 1
                up = True
                self._log("wifi", "joined %s as %s" % (self._ssid, self._address()))
                self._status.clear("link")
                continue
            await self._wait_for_link(backoff_ms)
            backoff_ms = min(self.backoff_max_ms, backoff_ms * 2)

    def _address(self):
        try:
            return self._wlan.ifconfig()[0]
        except (OSError, AttributeError, IndexError):
            return "?"

    async def _wait_for_link(self, wait_ms):
        start_ms = ticks_ms()
        while ticks_diff(ticks_ms(), start_ms) < wait_ms:
            await sleep_ms(min(self.check_ms, wait_ms))
            if self._wlan.isconnected():
                return

    @property
    def connected(self):
        return self._wlan.isconnected()


def dns_server(wlan):
    """``server()`` -> the DNS server DHCP gave ``wlan`` (netrain.dns asks per lookup).
    Defined here, not in netrain.start, which is unloaded once the app is built."""
    return lambda: wlan.ifconfig()[3]
