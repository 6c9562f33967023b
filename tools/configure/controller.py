# tools.configure.controller: the UniFi side of the wizard: detect, authenticate, read.
# SPDX-License-Identifier: MIT
"""Follows docs/unifi-api.md: detection, authentication, envelopes, endpoints.

Only reads, plus the login itself and a logout. A refused login is reported and
never retried: consoles count every attempt towards their 429 lockout
(docs/unifi-api.md, "Login rate limiting").
"""

from .client import BodyTooLarge
from .core import PREFIX_UNIFI_OS as OS_PREFIX
from .core import envelope_error, parse_plan
from .errors import SetupError

KEY_WHERE = "Network > Settings > Control Plane > Integrations"
_CLIENTS_MAX_BYTES = 8 << 20  # rest/user lists every client ever seen: large, but bounded
_PAGE_MAX_BYTES = 256 << 10


class UnknownSite(SetupError):
    def __init__(self, site):
        super().__init__('the controller has no site "%s"' % site)
        self.site = site


class Controller:
    """A UniFi controller reached through a Client; ``mode`` is "unifios" or "legacy"."""

    def __init__(self, client):
        self.client = client
        self.mode = None
        self.prefix = ""
        self.auth = None  # "api_key" or "session"

    # -- detection ----------------------------------------------------------------------

    def detect(self):
        """(mode or None, what GET / answered), without following redirects."""
        resp = self.client.get("/", max_bytes=_PAGE_MAX_BYTES)
        _check_server_state(resp)
        location = resp.header("Location") or ""
        if resp.status == 200:
            return "unifios", "GET / answered 200"
        if 300 <= resp.status < 400 and "/manage" in location:
            return "legacy", "GET / redirected to %s" % location
        detail = "GET / answered HTTP %d" % resp.status
        if location:
            detail += " (redirect to %s)" % location
        return None, detail

    def set_mode(self, mode):
        self.mode = mode
        self.prefix = OS_PREFIX if mode == "unifios" else ""

    # -- authentication -----------------------------------------------------------------

    def use_api_key(self, key, site):
        """Test the key on stat/health; returns the health data (UnknownSite if no such site)."""
        self.client.api_key = key
        self.auth = "api_key"
        return self.health(site)

    def login(self, username, password):
        unifios = self.mode == "unifios"
        path = "/api/auth/login" if unifios else "/api/login"
        body = {"username": username, "password": password}
        if unifios:
            body["rememberMe"] = False  # a one-off session, logged out at the end
        resp = self.client.request("POST", path, body, max_bytes=_PAGE_MAX_BYTES)
        msg = _meta_msg(resp)
        if resp.status == 429:
            raise SetupError(
                "login rate limit reached (HTTP 429 from %s): the console refuses logins after "
                "repeated attempts; not retrying" % path,
                "wait a minute and try again (every early attempt extends the lockout)",
            )
        if resp.status == 499 or "2fa" in msg.lower():
            raise SetupError(
                "this account uses two-factor authentication (%s), which the device cannot "
                "complete on its own" % ("HTTP 499" if resp.status == 499 else msg),
                "use an API key (UniFi OS, Network 9.0.108 or later: %s), or a dedicated local "
                "admin account without two-factor and without cloud (ui.com) access" % KEY_WHERE,
            )
        if resp.status in (400, 401, 403) or msg == "api.err.Invalid":
            raise SetupError(
                "wrong username or password: the controller refused the login (HTTP %d)"
                % resp.status,
                "check both; the account must be a local admin of this %s (UniFi OS: Admins & "
                "Users, 'Restrict to local access only'). Repeated failures lock logins for a "
                "while" % ("console" if unifios else "controller"),
            )
        _check_server_state(resp)
        if resp.status in (404, 405):
            raise SetupError(
                "the server has no UniFi login at %s (HTTP %d): this does not look like a "
                "UniFi %s" % (path, resp.status, "console" if unifios else "Network application"),
                "check the URL (UniFi OS consoles: https://IP, self-hosted: https://IP:8443)",
            )
        if resp.status != 200 or msg:
            raise SetupError(
                "the login answered HTTP %d%s (%s)" % (resp.status, ", " + msg if msg else "", path)
            )
        names = ("TOKEN", "UOS_TOKEN") if unifios else ("unifises",)
        if not any(name in self.client.cookies for name in names):
            raise SetupError(
                "the login answered 200 but set no session cookie (%s)" % " or ".join(names),
                "this does not behave like a UniFi controller; check the URL",
            )
        self.auth = "session"

    def logout(self):
        """End a cookie session (best effort: setup is already done or already failed)."""
        if self.auth != "session":
            return
        path = "/api/auth/logout" if self.mode == "unifios" else "/api/logout"
        try:
            self.client.request("POST", path, {}, max_bytes=_PAGE_MAX_BYTES)
        except SetupError:
            pass
        self.auth = None

    # -- reads -----------------------------------------------------------------------------

    def sites(self):
        """[(short name, description)] the account can see."""
        data = self._data(self.prefix + "/api/self/sites")
        out = []
        for site in data:
            if isinstance(site, dict) and isinstance(site.get("name"), str):
                out.append((site["name"], str(site.get("desc") or site["name"])))
        return out

    def version(self, site):
        data = self._data(self._site_path(site, "stat/sysinfo"))
        if data and isinstance(data[0], dict):
            version = data[0].get("version")
            return str(version) if version else None
        return None

    def health(self, site):
        return self._data(self._site_path(site, "stat/health"))

    def clients(self, site):
        """Clients by MAC: {mac: {"mac", "name", "hostname", "online"}} and notes on skips."""
        found = {}
        notes = []
        for what, online in (("stat/sta", True), ("rest/user", False)):
            try:
                data = self._data(self._site_path(site, what), max_bytes=_CLIENTS_MAX_BYTES)
            except BodyTooLarge:
                notes.append("%s is larger than %d MB; skipped" % (what, _CLIENTS_MAX_BYTES >> 20))
                continue
            except SetupError as exc:
                notes.append("%s could not be read (%s)" % (what, exc.problem))
                continue
            for rec in data:
                if not isinstance(rec, dict) or not isinstance(rec.get("mac"), str):
                    continue
                mac = rec["mac"].lower()
                entry = found.setdefault(
                    mac, {"mac": mac, "name": "", "hostname": "", "online": False, "seen": 0}
                )
                entry["online"] = entry["online"] or online
                for field in ("name", "hostname"):
                    if not entry[field] and isinstance(rec.get(field), str):
                        entry[field] = rec[field]
                seen = rec.get("last_seen")
                if isinstance(seen, int | float) and seen > entry["seen"]:
                    entry["seen"] = seen
        return found, notes

    def plan_mbps(self, site):
        """(down, up) Mbit/s from the WAN network's provider capabilities, or None."""
        plan = parse_plan({"data": self._data(self._site_path(site, "rest/networkconf"))})
        if plan is None:
            return None
        return tuple(_mbps(rate_bytes_per_s * 8 / 1000) for rate_bytes_per_s in plan)

    # -- envelopes ----------------------------------------------------------------------

    def _site_path(self, site, what):
        return "%s/api/s/%s/%s" % (self.prefix, site, what)

    def _data(self, path, max_bytes=_PAGE_MAX_BYTES * 4):
        resp = self.client.get(path, max_bytes=max_bytes)
        msg = _meta_msg(resp)
        if msg == "api.err.NoSiteContext":
            raise UnknownSite(path.split("/api/s/", 1)[1].split("/", 1)[0])
        if resp.status == 401 or msg == "api.err.LoginRequired":
            raise self._refused(resp)
        if resp.status == 403 or msg == "api.err.NoPermission":
            raise SetupError(
                "the %s may not read %s (HTTP %d%s)"
                % (
                    "API key" if self.auth == "api_key" else "account",
                    path,
                    resp.status,
                    ", " + msg if msg else "",
                ),
                "use an admin account or a key created by one",
            )
        _check_server_state(resp)
        if resp.status == 404:
            raise SetupError(
                "GET %s answered 404: this does not look like a UniFi Network application%s"
                % (path, " on a UniFi OS console" if self.mode == "unifios" else ""),
                "check the URL: UniFi OS consoles at https://IP, self-hosted controllers at "
                "https://IP:8443",
            )
        obj = resp.json()
        meta = obj.get("meta") if isinstance(obj, dict) else None
        data = obj.get("data") if isinstance(obj, dict) else None
        if not isinstance(meta, dict) or not isinstance(data, list):
            raise SetupError(
                "GET %s answered JSON without the UniFi envelope (meta, data)" % path,
                "check the URL: it must be the UniFi controller's address",
            )
        if meta.get("rc") != "ok" or resp.status != 200:
            raise SetupError(
                "GET %s failed: HTTP %d, %s"
                % (path, resp.status, msg or "rc " + str(meta.get("rc")))
            )
        return data

    def _key_works_on_integration(self):
        """True if the key is good on the Integration API (older builds honour it only there)."""
        try:
            resp = self.client.get(OS_PREFIX + "/integration/v1/info", max_bytes=_PAGE_MAX_BYTES)
        except SetupError:
            return False
        return resp.status == 200

    def _refused(self, resp):
        if self.auth == "api_key":
            if self.mode == "legacy":
                return SetupError(
                    "API key refused (HTTP %d): this is a self-hosted (legacy) Network "
                    "application, which cannot create local API keys" % resp.status,
                    "use --username and --password of a local admin account instead",
                )
            if self._key_works_on_integration():
                return SetupError(
                    "this console accepts the API key only on its Integration API, not on the "
                    "classic API (HTTP %d) that setup reads sites, clients and the plan from"
                    % resp.status,
                    "run the wizard with --username and --password of a local admin without "
                    'two-factor; the board can still use the key with "source": "integration" '
                    "(set by hand in config.json)",
                )
            return SetupError(
                "API key refused (HTTP %d): the controller did not accept it" % resp.status,
                "create a key on the console at %s (UniFi OS with Network 9.0.108 or later) "
                "and paste it whole; keys from unifi.ui.com (Site Manager) do not work locally. "
                "Without keys, use --username and --password of a local admin" % KEY_WHERE,
            )
        return SetupError(
            "the controller ended the session (HTTP %d) right after the login" % resp.status,
            "try again; if it persists, use an API key",
        )


def _check_server_state(resp):
    if resp.status in (502, 503, 504):
        raise SetupError(
            "the controller answered HTTP %d to %s %s: the console or its Network application "
            "is starting or restarting" % (resp.status, resp.method, resp.path),
            "wait a minute and try again",
        )
    if resp.status >= 500:
        raise SetupError(
            "the controller answered HTTP %d to %s %s" % (resp.status, resp.method, resp.path),
            "try again; if it persists, restart the Network application",
        )


def _meta_msg(resp):
    """The error message of a classic, v2 or UniFi OS error body (as the firmware reads it)."""
    try:
        obj = resp.json()
    except SetupError:
        return ""
    return envelope_error(obj) or ""


def _mbps(kbps):
    mbps = kbps / 1000.0
    return int(mbps) if mbps == int(mbps) else max(0.1, round(mbps, 3))


def wan_summary(health):
    """The wan subsystem of stat/health, or None when the site has no gateway."""
    for item in health:
        if isinstance(item, dict) and item.get("subsystem") == "wan":
            return item
    return None
