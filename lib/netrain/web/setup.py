# netrain.web.setup: first-boot setup over the board's own access point.
# SPDX-License-Identifier: MIT
"""The setup page's API, in the order the page walks it:

1. ``GET /api/setup/scan``   the Wi-Fi networks in range, strongest first;
2. ``POST /api/setup/wifi``  ``{"ssid", "password"}``: joins it (the AP stays up);
3. ``POST /api/setup/test``  ``{"url", "api_key" | "username"+"password", "site"}``:
   the board fetches the controller's certificate, logs in with it pinned and reads
   health; answers the certificate's SHA-256 fingerprint for the user to compare;
4. ``POST /api/setup/save``  ``{"fingerprint", "web_password"}``: the fingerprint the
   user confirmed must be the one tested (trust on first use, then pinned); then
   the pinned certificate and ``config.json`` are written atomically and the board restarts.

Nothing is written before step 4 passes every check. Other GETs redirect to the
page (what makes phones open it), other paths are 404. Wi-Fi, the controller probe,
files and the restart are injected, so this runs in tests and the simulator.
"""

import asyncio
import binascii
import hashlib
import json

from ..compat import const, sleep_ms, ticks_diff, ticks_ms
from .server import HttpError, error, file_body, json_object, page_file, response

MIN_WEB_PASSWORD = const(8)
_MAX_NETWORKS = const(20)
_JOIN_MS = const(20_000)
_AP_PASSWORD_CHARS = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L on a 16x16 panel


def ap_credentials(unique_id, random_bytes):
    """(``netrain-XXXX``, an 8-character password) for the setup access point."""
    name = "netrain-%02X%02X" % (unique_id[-2], unique_id[-1])
    chars = _AP_PASSWORD_CHARS
    return name, "".join(chars[b % len(chars)] for b in random_bytes[:8])


def fingerprint(der):
    """SHA-256 of a DER certificate as AA:BB:... (what browsers show)."""
    digest = binascii.hexlify(hashlib.sha256(der).digest()).decode().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def pem_name(der):
    return "controller-%s.pem" % fingerprint(der).replace(":", "")[:12].lower()


def der_to_pem(der):
    b64 = binascii.b2a_base64(der).decode().replace("\n", "")
    lines = [b64[i : i + 64] for i in range(0, len(b64), 64)]
    return "-----BEGIN CERTIFICATE-----\n%s\n-----END CERTIFICATE-----\n" % "\n".join(lines)


class Files:
    """Atomic writes in the config folder: a temporary file, then a rename over the old."""

    def __init__(self, folder="."):
        self.folder = folder

    def write_atomic(self, name, data):
        import os

        path = self.folder + "/" + name
        with open(path + ".tmp", "wb") as f:
            f.write(data)
        os.rename(path + ".tmp", path)  # littlefs and POSIX replace the target in one step


async def join_wifi(wlan, ssid, password, timeout_ms=_JOIN_MS):
    """Join with ``wlan`` (the station interface) within timeout_ms; (ok, message)."""
    wlan.active(True)
    wlan.connect(ssid, password)
    start = ticks_ms()
    while ticks_diff(ticks_ms(), start) < timeout_ms:
        if wlan.isconnected():
            return True, "joined %s" % ssid
        await sleep_ms(200)
    wlan.disconnect()
    return False, "could not join %s: check the password and that it is in range" % ssid


def _text(data, key, required=True, max_len=128):
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise HttpError(400, "%s is required" % key)
        return None
    if not isinstance(value, str) or len(value) > max_len:
        raise HttpError(400, "%s must be text up to %d characters" % (key, max_len))
    return value


class Setup:
    restart_delay_ms = 1500  # the answer reaches the page before the board goes

    def __init__(self, wlan, probe, files, restart, existing=None, join=None, validate=None):
        """``probe(url, site, api_key, username, password)`` is a coroutine giving
        ``(ok, message, der)``; ``existing`` the raw config to keep other keys from;
        ``validate(cfg)`` raises on a config the firmware would refuse."""
        self.wlan = wlan
        self.probe = probe
        self.files = files
        self.restart = restart
        self.existing = existing or {}
        self.join = join or (lambda ssid, pw: join_wifi(wlan, ssid, pw))
        self.validate = validate
        self.page_path = page_file("setup.html")
        self.wifi = None  # {"ssid", "password"} once joined
        self.tested = None  # (controller section, der) once the controller answered
        self.saved = False

    def __call__(self, req):
        path = req.path
        if path.startswith("/api/setup/"):
            route = _ROUTES.get(path[11:])
            if route is None:
                return error(404, "no such path")
            method, handler = route
            if req.method != method:
                return error(405, "use %s for %s" % (method, path), "Allow: %s\r\n" % method)
            if method == "GET":
                return handler(self)
            return handler(self, json_object(req))
        if req.method != "GET":
            return error(404, "no such path")
        if path != "/":  # connectivity checks and any other page: to the setup page
            return 302, "text/plain", b"", "Location: /\r\n"
        return 200, "text/html; charset=utf-8", file_body(self.page_path, req.gzip_ok), ""

    def _scan(self):
        seen = {}
        for entry in self.wlan.scan():
            try:
                ssid = bytes(entry[0]).decode()
            except UnicodeError:
                continue
            if ssid and (ssid not in seen or entry[3] > seen[ssid][0]):
                seen[ssid] = (entry[3], entry[4] != 0)
        networks = [{"ssid": s, "rssi": v[0], "secure": v[1]} for s, v in seen.items()]
        networks.sort(key=lambda n: -n["rssi"])
        return response(200, {"networks": networks[:_MAX_NETWORKS]})

    async def _join(self, data):
        ssid = _text(data, "ssid", max_len=32)
        password = _text(data, "password", required=False, max_len=64) or ""
        ok, message = await self.join(ssid, password)
        if not ok:
            self.wifi = None
            return error(400, message)
        self.wifi = {"ssid": ssid, "password": password}
        return response(200, {"ok": True, "message": message})

    async def _test(self, data):
        if self.wifi is None:
            return error(409, "join a Wi-Fi network first")
        url = _text(data, "url")
        if not url.startswith("https://"):
            return error(400, "the controller URL starts with https://")
        site = _text(data, "site", required=False, max_len=64) or "default"
        api_key = _text(data, "api_key", required=False)
        username = _text(data, "username", required=False, max_len=64)
        password = _text(data, "password", required=False)
        if not api_key and not (username and password):
            return error(400, "give an API key, or a username and password")
        self.tested = None
        ok, message, der = await self.probe(url, site, api_key, username, password)
        if not ok:
            return error(400, message)
        section = {"url": url, "site": site, "ca_pem": pem_name(der)}
        if api_key:
            section["api_key"] = api_key
        else:
            section["username"] = username
            section["password"] = password
        self.tested = (section, der)
        return response(200, {"ok": True, "message": message, "fingerprint": fingerprint(der)})

    def _save(self, data):
        if self.wifi is None or self.tested is None:
            return error(409, "join Wi-Fi and test the controller first")
        section, der = self.tested
        if data.get("fingerprint") != fingerprint(der):
            return error(400, "the confirmed fingerprint is not the one tested: test again")
        web_password = _text(data, "web_password", max_len=64)
        if len(web_password) < MIN_WEB_PASSWORD:
            return error(400, "the device password needs %d characters or more" % MIN_WEB_PASSWORD)
        cfg = {}
        for key, value in self.existing.items():
            cfg[key] = value
        wifi = dict(self.existing.get("wifi") or {})
        wifi.update(self.wifi)
        cfg["wifi"] = wifi
        cfg["controller"] = section
        web = dict(self.existing.get("web") or {})
        web["password"] = web_password
        cfg["web"] = web
        if self.validate:
            try:
                self.validate(cfg)
            except Exception as exc:  # the validator's message says what and how to fix
                return error(400, str(exc))
        # A new name per certificate: until config.json is renamed into place the
        # old config and its own pin stay intact (power lost mid-way changes nothing).
        self.files.write_atomic(section["ca_pem"], der_to_pem(der).encode())
        self.files.write_atomic("config.json", json.dumps(cfg).encode())
        self.saved = True
        asyncio.create_task(self._restart_soon())
        return response(200, {"ok": True, "message": "saved: restarting into normal mode"})

    async def _restart_soon(self):
        await sleep_ms(self.restart_delay_ms)
        self.restart()


_ROUTES = {
    "scan": ("GET", Setup._scan),
    "wifi": ("POST", Setup._join),
    "test": ("POST", Setup._test),
    "save": ("POST", Setup._save),
}
