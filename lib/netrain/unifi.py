# netrain.unifi: the UniFi controller client (detection, auth, session, WAN rates).
# SPDX-License-Identifier: MIT
"""A ``source`` for the poll task, talking to a UniFi OS console or a legacy controller.

Follows docs/unifi-api.md:

* detection: ``GET /`` without redirects, 200 = UniFi OS (prefix ``/proxy/network``),
  302 to ``/manage`` = legacy (no prefix); with only an API key, UniFi OS is assumed;
* auth: ``X-API-KEY`` (preferred) or a local account (UniFi OS ``/api/auth/login``,
  TOKEN cookie + CSRF token; legacy ``/api/login``, unifises + csrf_token cookies);
  one login reused; on 401 or ``api.err.LoginRequired`` one re-login, then retry once;
* failures become status names with a minimum wait, so a broken password or a login
  rate limit never turns into a retry storm (429: 60 s, doubling, capped at 10 min);
* rates: ``stat/health`` read by netrain.health as the reply streams in (no body buffer).
"""

import binascii
import json

from .compat import const, loads_json, ticks_add, ticks_diff, ticks_ms
from .health import HealthScan, number, parse_health  # noqa: F401 - parse_health: tools
from .http import Client
from .http_parse import HttpError
from .source import TIMEOUT, SourceError

PREFIX_UNIFI_OS = "/proxy/network"
_LOGIN_RETRY_MIN_MS = const(60_000)
_LOGIN_RETRY_MAX_MS = const(600_000)
_SERVER_ERROR_RETRY_MS = const(30_000)
_TWO_FACTOR_RETRY_MS = const(600_000)
_BODY_MAX_BYTES = const(8192)  # a login reply ~2.5 KB (stat/health is streamed)
_NETWORKCONF_MAX_BYTES = const(8192)
# No body buffer kept: the poll streams its reply (netrain.health), and the rarer
# replies (login, actions) get a buffer sized to their Content-Length while parsed.

_KEEP_HEADERS = ("x-csrf-token", "x-updated-csrf-token", "location", "retry-after", "date")


def envelope_error(obj):
    """The ``api.err`` message of a classic or v2 error body, else None."""
    if not isinstance(obj, dict):
        return None
    meta = obj.get("meta")
    if isinstance(meta, dict) and meta.get("rc") == "error":
        return str(meta.get("msg") or "api.err.Unknown")
    if "errorCode" in obj or ("code" in obj and "message" in obj and "data" not in obj):
        return str(obj.get("message") or obj.get("code"))
    return None


def parse_plan(obj):
    """(down, up) bytes/s from ``rest/networkconf`` WAN provider capabilities, or None."""
    data = obj.get("data") if isinstance(obj, dict) else None
    if not isinstance(data, list):
        return None
    for net in data:
        if not isinstance(net, dict) or net.get("purpose") != "wan":
            continue
        caps = net.get("wan_provider_capabilities")
        if isinstance(caps, dict):
            down_kbps = number(caps.get("download_kilobits_per_second"))
            up_kbps = number(caps.get("upload_kilobits_per_second"))
            if down_kbps > 0 and up_kbps > 0:
                return down_kbps * 125, up_kbps * 125  # kbit/s -> bytes/s
    return None


def jwt_claim(token, claim):
    """A claim from a JWT's payload (base64url JSON), or None. No signature check."""
    parts = token.split(".")
    if len(parts) < 2:
        return None
    payload = parts[1].replace("-", "+").replace("_", "/")
    payload += "=" * (-len(payload) % 4)
    try:
        obj = json.loads(binascii.a2b_base64(payload))
    except (ValueError, TypeError):
        return None
    return obj.get(claim) if isinstance(obj, dict) else None


class Unifi:
    """Session and request layer shared by polling and actions."""

    def __init__(self, client, site="default", api_key=None, username=None, password=None):
        self.client = client
        self.site = site
        self.api_key = api_key
        self.username = username
        self.password = password
        self.kind = "unifios" if api_key else None  # "unifios" or "legacy"
        self.prefix = PREFIX_UNIFI_OS if api_key else ""
        self.csrf_token = None
        self.logged_in = False
        self.logins = 0
        self._login_not_before_ms = None
        self._login_backoff_ms = _LOGIN_RETRY_MIN_MS
        self._use_key = bool(api_key)
        self.on_date = None  # called with each reply's Date header (wall clock source)

    # -- connection-level helpers -----------------------------------------------

    def site_path(self, tail):
        return "%s/api/s/%s/%s" % (self.prefix, self.site, tail)

    def _headers(self, body):
        headers = []
        if self._use_key:
            headers.append(("X-API-KEY", self.api_key))
        elif self.csrf_token:
            # Writes need it; some accounts need it on reads too, so always send it.
            headers.append(("X-CSRF-Token", self.csrf_token))
        if body is not None:
            headers.append(("Content-Type", "application/json"))
        return headers

    async def _raw(
        self, method, path, body=None, max_body_bytes=_BODY_MAX_BYTES, skip_body=False, sink=None
    ):
        try:
            resp = await self.client.request(
                method,
                path,
                body=body,
                headers=self._headers(body),
                max_body_bytes=max_body_bytes,
                skip_body=skip_body,
                sink=sink,
            )
        except HttpError as exc:
            raise _http_failure(exc)
        date = resp.headers.get("date")
        if date and self.on_date:
            self.on_date(date)
        token = resp.headers.get("x-updated-csrf-token") or resp.headers.get("x-csrf-token")
        if token and not self._use_key:
            self.csrf_token = token
        return resp

    # -- detection and login -----------------------------------------------------

    async def detect(self):
        resp = await self._raw("GET", "/", skip_body=True)  # an HTML page we never read
        if resp.status == 200:
            self.kind, self.prefix = "unifios", PREFIX_UNIFI_OS
        elif resp.status in (301, 302, 303) and "/manage" in resp.headers.get("location", ""):
            self.kind, self.prefix = "legacy", ""
        else:
            raise SourceError(
                "controller_error",
                "not a UniFi controller (GET / gave HTTP %d)" % resp.status,
                _SERVER_ERROR_RETRY_MS,
            )

    def _login_gate(self):
        if self._login_not_before_ms is None:
            return
        wait_ms = ticks_diff(self._login_not_before_ms, ticks_ms())
        if wait_ms > 0:
            raise SourceError(self._login_block_state, "login paused", wait_ms)

    def _block_logins(self, state, message, wait_ms):
        self._login_block_state = state
        self._login_not_before_ms = ticks_add(ticks_ms(), wait_ms)
        raise SourceError(state, message, wait_ms)

    async def login(self):
        if not (self.username and self.password):
            raise SourceError("auth_failed", "API key refused and no username/password")
        self._login_gate()
        if self.kind is None:
            await self.detect()
        self.logged_in = False
        self.csrf_token = None
        body = json.dumps(
            {"username": self.username, "password": self.password, "rememberMe": True}
        )
        path = "/api/auth/login" if self.kind == "unifios" else "/api/login"
        resp = await self._raw("POST", path, body=body)
        self.logins += 1
        status = resp.status
        if status == 200:
            if self.kind == "legacy" and envelope_error(_try_json(resp.body)):
                self._login_failed("auth_failed", "login refused")
            self._login_backoff_ms = _LOGIN_RETRY_MIN_MS
            self._login_not_before_ms = None
            cookies = self.client.cookies
            if not self.csrf_token:
                token = cookies.get("TOKEN") or cookies.get("UOS_TOKEN")
                self.csrf_token = (token and jwt_claim(token, "csrfToken")) or cookies.get(
                    "csrf_token"
                )
            self.logged_in = True
            return
        if status == 429:
            retry_s = number(resp.headers.get("retry-after"))
            self._login_failed("rate_limited", "login rate limit", retry_s * 1000)
        if status == 499:
            self._block_logins("two_factor", "account needs two-factor", _TWO_FACTOR_RETRY_MS)
        if status in (400, 401, 403):
            self._login_failed("auth_failed", "wrong username or password")
        if status >= 500:
            self._block_logins("controller_error", "controller starting up", _SERVER_ERROR_RETRY_MS)
        self._login_failed("auth_failed", "login gave HTTP %d" % status)

    def _login_failed(self, state, message, at_least_ms=0):
        wait_ms = max(self._login_backoff_ms, at_least_ms)
        self._login_backoff_ms = min(_LOGIN_RETRY_MAX_MS, self._login_backoff_ms * 2)
        self._block_logins(state, message, wait_ms)

    async def ensure_session(self):
        if self._use_key or self.logged_in:
            return
        await self.login()

    # -- requests ----------------------------------------------------------------

    async def request(self, method, path, body=None, max_body_bytes=_BODY_MAX_BYTES, sink=None):
        """A JSON request with auth; re-logs in once on 401 / LoginRequired.

        With a ``sink`` (a HealthScan) the reply is parsed into it as it arrives and
        the return value is its ``envelope()``.
        """
        await self.ensure_session()
        for attempt in (0, 1):
            resp = await self._raw(
                method, path, body=body, max_body_bytes=max_body_bytes, sink=sink
            )
            obj = None
            if resp.status in (200, 401):
                obj = _try_json(resp.body) if sink is None else sink.envelope()
            error = envelope_error(obj)
            expired = resp.status == 401 or error == "api.err.LoginRequired"
            if resp.status == 403 and method != "GET" and not self._use_key:
                expired = True  # a stale CSRF token: a fresh login brings a new one
            if expired and attempt == 0:
                if self._use_key:
                    if not (self.username and self.password):
                        raise SourceError("auth_failed", "API key refused", _LOGIN_RETRY_MIN_MS)
                    self._use_key = False  # some builds refuse keys on classic paths
                await self.login()
                continue
            return _check(resp, obj, error)
        raise SourceError("auth_failed", "session refused after login", _LOGIN_RETRY_MIN_MS)


def _try_json(body):
    try:
        return loads_json(body)
    except ValueError:
        return None


def _check(resp, obj, error):
    status = resp.status
    if status == 401:
        raise SourceError("auth_failed", "not authorised", _LOGIN_RETRY_MIN_MS)
    if status == 403:
        raise SourceError("auth_failed", "forbidden (role or CSRF token)", _LOGIN_RETRY_MIN_MS)
    if status == 404:
        raise SourceError("controller_error", "not found (site or API version)", None, "NOT FOUND")
    if status == 429:
        raise SourceError("rate_limited", "too many requests", _LOGIN_RETRY_MIN_MS)
    if status >= 500:
        raise SourceError("controller_error", "controller error %d" % status, 0, "HTTP %d" % status)
    if status != 200:
        raise SourceError("controller_error", "HTTP %d" % status, None, "HTTP %d" % status)
    if obj is None:
        raise SourceError("controller_error", "reply is not JSON", None, "NOT JSON")
    if error:
        if error == "api.err.NoSiteContext":
            raise SourceError("controller_error", "unknown site", None, "UNKNOWN SITE")
        if error == "api.err.NoPermission":
            raise SourceError("auth_failed", "account lacks permission", None, "NO PERMISSION")
        raise SourceError("controller_error", error)
    return obj


# HttpError kind: panel detail of the failed poll (what a user can act on).
_HTTP_DETAILS = {
    "timeout": TIMEOUT,
    "dns": "NAME NOT FOUND",
    "refused": "REFUSED",
    "tls": "TLS FAILED",
}


def _http_failure(exc):
    kind = exc.kind
    if kind == "cert":
        return SourceError("cert_mismatch", "certificate does not match the pinned one", 10_000)
    if kind == "limit":
        return SourceError("controller_error", "reply too large", None, "REPLY TOO LARGE")
    if kind == "protocol":
        return SourceError("controller_error", "bad HTTP reply", None, "BAD REPLY")
    return SourceError("controller_unreachable", str(exc), None, _HTTP_DETAILS.get(kind))


class UnifiSource:
    """Poll-task source: ``stat/health`` rates, plan speed learnt once if unset."""

    def __init__(self, unifi, learn_plan=True):
        self.unifi = unifi
        self.insecure = unifi.client.insecure
        self._learn_plan = learn_plan
        self._plan = None
        self._health = HealthScan()

    @classmethod
    def from_config(cls, cfg, cfg_dir, opener=None, resolver=None):
        ctl = cfg["controller"]
        der = None
        if ctl["url"].startswith("https://") and not ctl["insecure"]:
            path = ctl["ca_pem"]
            if not path.startswith("/"):
                path = cfg_dir + "/" + path
            from .cert import pem_to_der  # boot only: netrain.start unloads it

            with open(path, "rb") as f:
                der = pem_to_der(f.read())
        timeout_ms = int(ctl["timeout_s"] * 1000)
        client = Client(
            ctl["url"],
            ca_der=der,
            insecure=ctl["insecure"],
            keep_headers=_KEEP_HEADERS,
            max_body_bytes=0,
            tls_reserve=True,  # the poll's connection lives for days: keep its block whole
            opener=opener,
            resolver=resolver,
            connect_timeout_ms=timeout_ms,
            response_timeout_ms=timeout_ms,
            request_timeout_ms=3 * timeout_ms,
        )
        unifi = Unifi(client, ctl["site"], ctl["api_key"], ctl["username"], ctl["password"])
        learn = not (cfg["wan"]["down_mbps"] and cfg["wan"]["up_mbps"])
        return cls(unifi, learn_plan=learn)

    @property
    def tls_handshakes(self):
        return self.unifi.client.tls_handshakes

    async def fetch(self, sample):
        unifi = self.unifi
        await unifi.ensure_session()  # a first login detects the console: the path prefix
        scan = self._health
        await unifi.request("GET", unifi.site_path("stat/health"), sink=scan)
        try:
            found = scan.fill(sample)
        except ValueError as exc:  # JSON of the wrong shape: a status, not a crash
            raise SourceError("controller_error", "bad health data: %s" % exc)
        if not found:
            raise SourceError(
                "controller_error", "no WAN in health data (no gateway?)", None, "NO GATEWAY"
            )
        if self._learn_plan:
            self._learn_plan = False  # one try: the page may be large on big sites
            try:
                conf = await unifi.request(
                    "GET",
                    unifi.site_path("rest/networkconf"),
                    max_body_bytes=_NETWORKCONF_MAX_BYTES,
                )
                self._plan = parse_plan(conf)
            except SourceError:
                self._plan = None
        if self._plan:
            sample.plan_down_bytes_per_s, sample.plan_up_bytes_per_s = self._plan

    async def close(self):
        await self.unifi.client.close()
