# network: desktop stand-in for the Pico W's network.WLAN (CYW43), with a scriptable link.
# SPDX-License-Identifier: MIT
"""Runs on CPython and on the MicroPython unix port. The sockets are the host's: this
module only models the Wi-Fi link state the firmware polls.

``connect()`` reports CONNECTING, then 2 (joined, waiting for DHCP), then GOT_IP
after ``JOIN_MS``. Like the CYW43 chip, a wanted link rejoins by itself: during each
NETRAIN_SIM ``wifi_down`` interval ([[start_s, end_s], ...]) the link is lost
(``isconnected()`` False, ``status()`` STAT_NO_AP_FOUND) and it comes back
``JOIN_MS`` after the interval ends. WLAN(STA_IF) returns views of one shared link
per interface, as the device returns one object.
"""

import simenv

STA_IF = 0
AP_IF = 1

STAT_IDLE = 0
STAT_CONNECTING = 1
STAT_GOT_IP = 3
STAT_CONNECT_FAIL = -1
STAT_NO_AP_FOUND = -2
STAT_WRONG_PASSWORD = -3
_STAT_NOIP = 2  # CYW43_LINK_NOIP: associated, no DHCP lease yet (no constant on the device)

JOIN_MS = 300
_ASSOCIATE_MS = 200
_ADDRESS = ("192.168.1.77", "255.255.255.0", "192.168.1.1", "192.168.1.1")
_NO_ADDRESS = ("0.0.0.0", "0.0.0.0", "0.0.0.0", "0.0.0.0")
_AP_ADDRESS = ("192.168.4.1", "255.255.255.0", "192.168.4.1", "192.168.4.1")  # CYW43's AP
_MAC = b"\x28\xcd\xc1\x0a\x5e\x17"

_hostname = "StellarUnicorn"
_country = "XX"


def hostname(name=None):
    global _hostname
    if name is None:
        return _hostname
    _hostname = name
    return None


def country(code=None):
    global _country
    if code is None:
        return _country
    _country = code
    return None


class Link:
    """The state of one interface; ``clock`` and ``down_ms`` make it testable."""

    def __init__(self, clock=None, down_ms=None):
        self.clock = clock or simenv.elapsed_ms
        self.down_ms = down_ms if down_ms is not None else []
        self.active = False
        self.wanted = False
        self.connect_ms = 0
        self.ssid = ""
        self.key = ""
        self.static = None
        self.options = {
            "mac": _MAC,
            "channel": 6,
            "hidden": False,
            "security": 0,
            "reconnects": -1,
            "txpower": 31,
            "pm": WLAN.PM_PERFORMANCE,
        }

    def _down(self, now_ms):
        for start_ms, end_ms in self.down_ms:  # noqa: SIM110 - any(genexpr) allocates on MicroPython
            if start_ms <= now_ms < end_ms:
                return True
        return False

    def status(self):
        if not self.active or not self.wanted:
            return STAT_IDLE
        now_ms = self.clock()
        if self._down(now_ms):
            return STAT_NO_AP_FOUND
        # A rejoin starts at connect() or at the end of the latest outage since.
        since_ms = self.connect_ms
        for _, end_ms in self.down_ms:
            if since_ms < end_ms <= now_ms:
                since_ms = end_ms
        age_ms = now_ms - since_ms
        if age_ms < _ASSOCIATE_MS:
            return STAT_CONNECTING
        if age_ms < JOIN_MS:
            return _STAT_NOIP
        return STAT_GOT_IP


_links = {}


def _link_for(interface_id):
    link = _links.get(interface_id)
    if link is None:
        down = simenv.settings().get("wifi_down")
        link = Link(down_ms=simenv.intervals_ms(down, "wifi_down") if down else [])
        _links[interface_id] = link
    return link


class WLAN:
    PM_NONE = 16
    PM_PERFORMANCE = 10555714
    PM_POWERSAVE = 17
    IF_STA = 0
    IF_AP = 1
    SEC_OPEN = 0
    SEC_WPA_WPA2 = 4194310
    SEC_WPA3 = 16777220
    SEC_WPA2_WPA3 = 20971524

    def __init__(self, interface_id=STA_IF):
        if interface_id not in (STA_IF, AP_IF):
            raise ValueError("invalid WLAN interface identifier")
        self._interface = interface_id
        self._link = _link_for(interface_id)

    def active(self, is_active=None):
        if is_active is None:
            return self._link.active
        self._link.active = bool(is_active)
        if not is_active:
            self._link.wanted = False
        return None

    def connect(self, ssid=None, key=None, bssid=None):
        link = self._link
        link.active = True  # the CYW43 driver brings the interface up as needed
        link.wanted = True
        link.connect_ms = link.clock()
        if ssid is not None:
            link.ssid = ssid
        if key is not None:
            link.key = key

    def disconnect(self):
        self._link.wanted = False

    def isconnected(self):
        return self._link.status() == STAT_GOT_IP

    def status(self, param=None):
        if param is None:
            return self._link.status()
        if param == "rssi":
            return -52 if self.isconnected() else 0
        raise ValueError("unknown status param")

    def scan(self):
        link = self._link
        if not link.active or link._down(link.clock()):
            return []
        name = (link.ssid or "netrain-sim").encode()
        found = [(name, _MAC, link.options["channel"], -52, 3, False)]
        # NETRAIN_SIM networks: [[ssid, rssi], ...] the neighbours in range (--setup)
        for ssid, rssi in simenv.settings().get("networks") or ():
            found.append((ssid.encode(), _MAC, 1, rssi, 3, False))
        return found

    def config(self, *args, **kwargs):
        link = self._link
        if args and kwargs:
            raise TypeError("can query only one param")
        if args:
            if len(args) != 1:
                raise TypeError("can query only one param")
            name = args[0]
            if name == "ssid" or name == "essid":
                return link.ssid
            if name == "key":
                return link.key
            if name == "hostname":
                return _hostname
            if name in link.options:
                return link.options[name]
            raise ValueError("unknown config param")
        for name, value in kwargs.items():
            if name == "ssid" or name == "essid":
                link.ssid = value
            elif name == "key":
                link.key = value
            elif name == "hostname":
                hostname(value)
            elif name in link.options and name != "mac":
                link.options[name] = value
            else:
                raise ValueError("unknown config param")
        return None

    def ifconfig(self, ip_mask_gateway_dns=None):
        link = self._link
        if ip_mask_gateway_dns is not None:
            link.static = tuple(ip_mask_gateway_dns)
            return None
        if self._interface == AP_IF:
            return (link.static or _AP_ADDRESS) if link.active else _NO_ADDRESS
        if not self.isconnected():
            return _NO_ADDRESS
        return link.static or _ADDRESS

    def ipconfig(self, *args, **kwargs):
        address = self.ifconfig()
        if kwargs:
            if "addr4" in kwargs:
                value = kwargs["addr4"]
                addr, mask = value if isinstance(value, tuple) else (value, address[1])
                self._link.static = (addr, mask, address[2], address[3])
            return None
        if len(args) != 1:
            raise TypeError("can query only one param")
        name = args[0]
        if name == "addr4":
            return address[0], address[1]
        if name == "gw4":
            return address[2]
        if name == "dhcp4" or name == "has_dhcp4":
            return self._link.static is None
        if name == "addr6":
            return []
        raise ValueError("unexpected key")

    def deinit(self):
        self.active(False)
