# tools.configure.controller: the UniFi side of the wizard, spoken by the firmware's own client.
# SPDX-License-Identifier: MIT
"""netrain.unifi.Unifi over netrain.http.Client, driven from the wizard's synchronous flow.

Detection, the login (UniFi OS or legacy, cookies and the CSRF token), API-key headers,
the paths and the error envelopes are the board's (docs/unifi-api.md): a fix to the
dialect lands once. This module runs them on one event loop, bounds the replies, and
turns a refusal into words the user can act on, from the status and body of the reply
that caused it. Only reads, plus the login itself and a logout. A refused login is
reported and never retried: consoles count every attempt towards their 429 lockout.
"""

import asyncio

from . import core, tls
from .errors import SetupError, describe_network_error

KEY_WHERE = "Network > Settings > Control Plane > Integrations"
_CLIENTS_MAX_BYTES = 8 << 20  # rest/user lists every client ever seen: large, but bounded
_PAGE_MAX_BYTES = 1 << 20
_BODY_DEADLINE_TIMEOUTS = 3  # a whole request (connect, retry, body) gets this many timeouts


class UnknownSite(SetupError):
    def __init__(self, site):
        super().__init__('the controller has no site "%s"' % site)
        self.site = site


class BodyTooLarge(SetupError):
    pass


class _Recorder(core.Client):
    """netrain's Client, keeping the last exchange: what a refusal is explained from."""

    last = None  # (method, path, Response or None)
    failure = None  # the HttpError of the last request, if it failed

    async def request(self, method, path, *args, **kwargs):
        self.last, self.failure = (method, path, None), None
        try:
            resp = await super().request(method, path, *args, **kwargs)
        except core.HttpError as exc:
            self.failure = exc
            raise
        self.last = (method, path, resp)
        return resp


class Controller:
    """A UniFi controller at ``url``; ``der`` is the trusted certificate (None: --insecure).

    ``creds`` holds "api_key", or "username" and "password"; ``mode`` is "unifios" or
    "legacy" once detected.
    """

    def __init__(self, url, der, timeout_s, creds, pinned_sha256=None):
        self.timeout_s = timeout_s
        self.pinned_sha256 = pinned_sha256
        ms = int(timeout_s * 1000)
        try:
            self.client = _Recorder(
                url,
                ca_der=der,
                insecure=der is None,
                max_body_bytes=0,  # a buffer per reply, sized to it
                opener=tls.pinning_opener(pinned_sha256) if pinned_sha256 else None,
                connect_timeout_ms=ms,
                response_timeout_ms=ms,
                request_timeout_ms=_BODY_DEADLINE_TIMEOUTS * ms,
            )
        except ValueError as exc:  # OpenSSL would not take the certificate as a trust anchor
            raise SetupError(str(exc), "--insecure skips verification (not recommended)")
        self.unifi = core.Unifi(self.client, **creds)
        self.auth = "api_key" if self.unifi.api_key else None  # "session" once logged in
        self._loop = asyncio.Runner()

    @property
    def mode(self):
        return self.unifi.kind

    def close(self):
        """Log a cookie session out (best effort: setup is done or already failed), then close."""
        try:
            if self.auth == "session":
                path = "/api/auth/logout" if self.mode == "unifios" else "/api/logout"
                token = self.unifi.csrf_token
                headers = [("X-CSRF-Token", token)] if token else []
                self._loop.run(self.client.request("POST", path, body="{}", headers=headers))
        except core.HttpError:
            pass
        finally:
            self.auth = None
            self._loop.run(self.client.close())
            self._loop.close()

    def _run(self, coro):
        """Run one step on the loop; a transport failure becomes a SetupError here."""
        try:
            return self._loop.run(coro)
        except core.SourceError:
            failure = self.client.failure
            if failure is None:
                raise  # an HTTP answer: the caller explains it from client.last
            raise self._transport_error(failure)

    # -- detection and authentication --------------------------------------------------------

    def detect(self):
        """(mode or None, what GET / answered), without following redirects."""
        try:
            self._run(self.unifi.detect())
            return self.mode, None
        except core.SourceError:
            resp = self._answer()
        _check_server_state(resp, self.client.last)
        location = resp.headers.get("location", "")
        detail = "GET / answered HTTP %d" % resp.status
        if location:
            detail += " (redirect to %s)" % location
        return None, detail

    def login(self):
        unifios = self.mode == "unifios"
        try:
            self._run(self.unifi.login())
        except core.SourceError:
            raise self._login_refused(unifios)
        names = ("TOKEN", "UOS_TOKEN") if unifios else ("unifises",)
        if not any(self.client.cookies.get(name) for name in names):
            raise SetupError(
                "the login answered 200 but set no session cookie (%s)" % " or ".join(names),
                "this does not behave like a UniFi controller; check the URL",
            )
        self.auth = "session"

    def _login_refused(self, unifios):
        resp = self._answer()
        path = self.client.last[1]
        msg = _meta_msg(resp)
        if resp.status == 429:
            return SetupError(
                "login rate limit reached (HTTP 429 from %s): the console refuses logins after "
                "repeated attempts; not retrying" % path,
                "wait a minute and try again (every early attempt extends the lockout)",
            )
        if resp.status == 499 or "2fa" in msg.lower():
            return SetupError(
                "this account uses two-factor authentication (%s), which the device cannot "
                "complete on its own" % ("HTTP 499" if resp.status == 499 else msg),
                "use an API key (UniFi OS, Network 9.0.108 or later: %s), or a dedicated local "
                "admin account without two-factor and without cloud (ui.com) access" % KEY_WHERE,
            )
        if resp.status in (400, 401, 403) or msg == "api.err.Invalid":
            return SetupError(
                "wrong username or password: the controller refused the login (HTTP %d)"
                % resp.status,
                "check both; the account must be a local admin of this %s (UniFi OS: Admins & "
                "Users, 'Restrict to local access only'). Repeated failures lock logins for a "
                "while" % ("console" if unifios else "controller"),
            )
        _check_server_state(resp, self.client.last)
        if resp.status in (404, 405):
            return SetupError(
                "the server has no UniFi login at %s (HTTP %d): this does not look like a "
                "UniFi %s" % (path, resp.status, "console" if unifios else "Network application"),
                "check the URL (UniFi OS consoles: https://IP, self-hosted: https://IP:8443)",
            )
        return SetupError(
            "the login answered HTTP %d%s (%s)" % (resp.status, ", " + msg if msg else "", path)
        )

    # -- reads -------------------------------------------------------------------------------

    def sites(self):
        """[(short name, description)] the account can see."""
        out = []
        for site in self._data(self.unifi.prefix + "/api/self/sites")["data"]:
            if isinstance(site, dict) and isinstance(site.get("name"), str):
                out.append((site["name"], str(site.get("desc") or site["name"])))
        return out

    def version(self, site):
        data = self._data(self._site_path(site, "stat/sysinfo"))["data"]
        if data and isinstance(data[0], dict):
            version = data[0].get("version")
            return str(version) if version else None
        return None

    def health(self, site):
        return self._data(self._site_path(site, "stat/health"))["data"]

    def clients(self, site):
        """Clients by MAC: {mac: {"mac", "name", "hostname", "online"}} and notes on skips."""
        found = {}
        notes = []
        for what, online in (("stat/sta", True), ("rest/user", False)):
            try:
                data = self._data(self._site_path(site, what), _CLIENTS_MAX_BYTES)["data"]
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
        plan = core.parse_plan(self._data(self._site_path(site, "rest/networkconf")))
        if plan is None:
            return None
        return tuple(_mbps(rate_bytes_per_s * 8 / 1000) for rate_bytes_per_s in plan)

    # -- replies -----------------------------------------------------------------------------

    def _site_path(self, site, what):
        self.unifi.site = site
        return self.unifi.site_path(what)

    def _data(self, path, max_bytes=_PAGE_MAX_BYTES):
        """The checked envelope of GET path ({"meta", "data": [...]}), or a SetupError."""
        try:
            obj = self._run(self.unifi.request("GET", path, max_body_bytes=max_bytes))
        except core.SourceError:
            raise self._read_refused(path)
        if not isinstance(obj, dict) or not isinstance(obj.get("data"), list):
            raise SetupError(
                "GET %s answered JSON without the UniFi envelope (meta, data)" % path,
                "check the URL: it must be the UniFi controller's address",
            )
        return obj

    def _read_refused(self, path):
        resp = self._answer()
        if self.client.last[1] != path:  # the core logged in again, and that was refused
            return self._login_refused(self.mode == "unifios")
        msg = _meta_msg(resp)
        if msg == "api.err.NoSiteContext":
            return UnknownSite(path.split("/api/s/", 1)[1].split("/", 1)[0])
        if resp.status == 401 or msg == "api.err.LoginRequired":
            return self._refused(resp.status)
        if resp.status == 403 or msg == "api.err.NoPermission":
            return SetupError(
                "the %s may not read %s (HTTP %d%s)"
                % (
                    "API key" if self.auth == "api_key" else "account",
                    path,
                    resp.status,
                    ", " + msg if msg else "",
                ),
                "use an admin account or a key created by one",
            )
        _check_server_state(resp, self.client.last)
        if resp.status == 404:
            return SetupError(
                "GET %s answered 404: this does not look like a UniFi Network application%s"
                % (path, " on a UniFi OS console" if self.mode == "unifios" else ""),
                "check the URL: UniFi OS consoles at https://IP, self-hosted controllers at "
                "https://IP:8443",
            )
        if resp.status == 200 and _json(resp) is None:
            kind = resp.headers.get("content-type") or "no content type"
            return SetupError(
                "GET %s answered HTTP 200 with %s, not JSON: this does not look like a UniFi "
                "Network application" % (path, kind.split(";")[0]),
                "check the URL: it must be the console's (or controller's) own address",
            )
        return SetupError("GET %s failed: HTTP %d, %s" % (path, resp.status, msg or "an error"))

    def _refused(self, status):
        if self.auth == "api_key":
            if self.mode == "legacy":
                return SetupError(
                    "API key refused (HTTP %d): this is a self-hosted (legacy) Network "
                    "application, which cannot create local API keys" % status,
                    "use --username and --password of a local admin account instead",
                )
            if self._key_works_on_integration():
                return SetupError(
                    "this console accepts the API key only on its Integration API, not on the "
                    "classic API (HTTP %d) that setup reads sites, clients and the plan from"
                    % status,
                    "run the wizard with --username and --password of a local admin without "
                    'two-factor; the board can still use the key with "source": "integration" '
                    "(set by hand in config.json)",
                )
            return SetupError(
                "API key refused (HTTP %d): the controller did not accept it" % status,
                "create a key on the console at %s (UniFi OS with Network 9.0.108 or later) "
                "and paste it whole; keys from unifi.ui.com (Site Manager) do not work locally. "
                "Without keys, use --username and --password of a local admin" % KEY_WHERE,
            )
        return SetupError(
            "the controller ended the session (HTTP %d) right after the login" % status,
            "try again; if it persists, use an API key",
        )

    def _key_works_on_integration(self):
        """True if the key is good on the Integration API (older builds honour it only there)."""
        try:
            self._run(self.unifi.request("GET", core.PREFIX_UNIFI_OS + "/integration/v1/info"))
        except (core.SourceError, SetupError):
            return False
        return True

    def _answer(self):
        """The reply the core refused (after _run, a SourceError always has one)."""
        return self.client.last[2]

    def _transport_error(self, exc):
        """A SetupError for an HttpError: what went wrong between here and the controller."""
        host, port, timeout_s = self.client.host, self.client.port, self.timeout_s
        method, path, _ = self.client.last
        if exc.kind == "cert":
            return tls.explain_verify_failure(str(exc), host, port, self.pinned_sha256, timeout_s)
        if exc.kind == "limit":
            return BodyTooLarge("%s %s: the answer is too large (%s)" % (method, path, exc))
        if exc.kind == "refused":
            return describe_network_error(ConnectionRefusedError(), host, port, timeout_s)
        if exc.kind == "timeout":
            return describe_network_error(TimeoutError(), host, port, timeout_s)
        return SetupError(
            "%s %s to %s:%d failed (%s)" % (method, path, host, port, exc),
            "check that the URL is the controller's HTTPS address, then try again",
        )


def _check_server_state(resp, last):
    method, path, _ = last
    if resp.status in (502, 503, 504):
        raise SetupError(
            "the controller answered HTTP %d to %s %s: the console or its Network application "
            "is starting or restarting" % (resp.status, method, path),
            "wait a minute and try again",
        )
    if resp.status >= 500:
        raise SetupError(
            "the controller answered HTTP %d to %s %s" % (resp.status, method, path),
            "try again; if it persists, restart the Network application",
        )


def _json(resp):
    try:
        return core.loads_json(resp.body)
    except ValueError:
        return None


def _meta_msg(resp):
    """The error message of a classic, v2 or UniFi OS error body (as the firmware reads it)."""
    return core.envelope_error(_json(resp)) or ""


def _mbps(kbps):
    mbps = kbps / 1000.0
    return int(mbps) if mbps == int(mbps) else max(0.1, round(mbps, 3))


def wan_summary(health):
    """The wan subsystem of stat/health, or None when the site has no gateway."""
    for item in health:
        if isinstance(item, dict) and item.get("subsystem") == "wan":
            return item
    return None
