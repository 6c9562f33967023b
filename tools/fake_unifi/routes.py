# tools.fake_unifi.routes: maps requests to controller behaviour, and applies request faults.
# SPDX-License-Identifier: MIT
"""The controller's HTTP surface for both console kinds (see docs/unifi-api.md).

UniFi OS serves its own core paths (/, /api/auth/*, /api/users/self) and the
Network application under /proxy/network; the legacy controller serves the
Network application at the root and redirects / to /manage. Each API family
answers errors in its own shape: classic envelopes with meta.rc, v2 bare
errorCode objects, Integration error messages, UniFi OS core error objects.
"""

import json
import re
import time

from . import payloads
from .faults import fires
from .httpd import REASONS, Response
from .state import ApiError

WRITE_METHODS = ("POST", "PUT", "DELETE", "PATCH")
OS_PREFIX = "/proxy/network"
CORE_JSON = "application/json; charset=utf-8"
INTEGRATION_JSON = "application/json"
_HUGE_DEFAULT = 1 << 20
_INTEGRATION_MIN = (9, 0, 0)
_API_KEY_MIN = (9, 0, 108)
_ERA_B_MIN = (9, 4, 0)
_FILTER = re.compile(r"^(\w+)\.(eq|contains)\('([^']*)'\)$")

_SITE_ROUTES = [
    ("GET", re.compile(r"^stat/health$"), "health"),
    ("GET", re.compile(r"^stat/sysinfo$"), "sysinfo"),
    ("GET", re.compile(r"^stat/device(?:/(?P<mac>[0-9a-f:]+))?$"), "stat_device"),
    ("GET", re.compile(r"^rest/networkconf(?:/(?P<id>[0-9a-f]+))?$"), "networkconf"),
    ("GET", re.compile(r"^get/setting(?:/(?P<key>ips))?$"), "get_setting"),
    ("PUT", re.compile(r"^set/setting/ips(?:/[0-9a-f]+)?$"), "set_ips"),
    ("POST", re.compile(r"^set/setting/ips(?:/[0-9a-f]+)?$"), "set_ips"),
    ("POST", re.compile(r"^cmd/stamgr$"), "stamgr"),
    ("GET", re.compile(r"^stat/user/(?P<mac>[^/]+)$"), "stat_user"),
    ("GET", re.compile(r"^rest/user$"), "rest_user"),
    ("GET", re.compile(r"^stat/sta$"), "stat_sta"),
]


def version_tuple(text):
    parts = []
    for piece in text.split(".")[:3]:
        digits = re.match(r"\d+", piece)
        parts.append(int(digits.group(0)) if digits else 0)
    while len(parts) < 3:
        parts.append(0)
    return tuple(parts)


def era_b(version):
    return version_tuple(version) >= _ERA_B_MIN


def json_response(status, obj, content_type=payloads.JSON_TYPE):
    resp = Response(status, payloads.dumps(obj), content_type)
    resp.obj = obj  # kept so body faults can rewrite it
    return resp


class Refused(Exception):
    """Authentication or CSRF failed; carries the reply the console gives (401 or 403)."""

    def __init__(self, resp):
        super().__init__("refused")
        self.resp = resp


class Router:
    """Turns a Request into a Response. `ctl` is the FakeController (options, state, counters)."""

    def __init__(self, ctl):
        self.ctl = ctl

    @property
    def opts(self):
        return self.ctl.options

    # -- request-level faults around dispatch ----------------------------------------------

    async def handle(self, req):
        faults = self.ctl.faults
        path, method = req.path, req.method
        stall = faults.take("stall", path, method)
        if fires(stall) and stall != "after":
            resp = Response(200)
            resp.stall = True
            return resp
        status = faults.take_status(path, method)
        if status:
            reason = REASONS.get(status, "Error")
            resp = Response(status, payloads.error_page(status, reason), "text/html")
        elif fires(faults.take("html_200", path, method)):
            resp = Response(200, payloads.UNIFIOS_ROOT_HTML, payloads.HTML_TYPE)
        else:
            resp = self.dispatch(req)
        if stall == "after":
            resp.stall = True
            return resp
        obj = getattr(resp, "obj", None)
        if obj is not None:
            huge = faults.take("huge_body", path, method)
            if fires(huge):
                size = (
                    huge
                    if isinstance(huge, int) and huge is not True and huge > 1
                    else _HUGE_DEFAULT
                )
                resp.body = _pad(obj, size)
            if fires(faults.take("malformed_json", path, method)):
                # A top-level value cut short never parses, whatever follows it.
                resp.body = resp.body[: len(resp.body) * 2 // 3] + b",,}"
        self._delivery(req, resp)
        return resp

    def _delivery(self, req, resp):
        faults = self.ctl.faults
        path, method = req.path, req.method
        latency_ms = self.opts.latency_ms
        extra = faults.take("latency_ms", path, method)
        if fires(extra):
            latency_ms += int(extra)
        resp.delay_s = latency_ms / 1000.0
        trickle = faults.take("trickle_bps", path, method)
        if fires(trickle):
            resp.trickle_bps = int(trickle)
        resp.truncate = fires(faults.take("truncate", path, method))
        resp.reset_mid_body = fires(faults.take("reset_mid_body", path, method))
        chunked = faults.take("chunked", path, method)
        if fires(chunked):
            resp.chunk_size = chunked if chunked is not True and int(chunked) > 1 else 1024
        elif self.opts.chunked:
            resp.chunk_size = self.opts.chunk_size
        if fires(faults.take("close_every_connection", path, method)):
            resp.close = True

    # -- dispatch ------------------------------------------------------------------------------

    def dispatch(self, req):
        if self.opts.mode == "unifios":
            return self._unifios(req)
        return self._legacy(req)

    def _unifios(self, req):
        path, method = req.path, req.method
        if path == "/":
            return Response(200, payloads.UNIFIOS_ROOT_HTML, payloads.HTML_TYPE)
        if path == "/api/auth/login" and method == "POST":
            return self.ctl.auth.login_os(req)
        if path == "/api/auth/logout" and method == "POST":
            return self._os_core_write(req, self._os_logout)
        if path == "/api/users/self" and method == "GET":
            session = self.ctl.auth.session_for(req)
            if session is None:
                return json_response(401, payloads.os_error(401, "Unauthorized"), CORE_JSON)
            user = payloads.os_user(session.username, session.user_id, 1700000000)
            return self._finish(json_response(200, user, CORE_JSON), session)
        if path in ("/api/system/reboot", "/api/system/poweroff") and method == "POST":
            # Accepted and counted, never acted on: a test must not lose its controller.
            return self._os_core_write(req, lambda req, session: json_response(200, {}, CORE_JSON))
        if path == OS_PREFIX or path.startswith(OS_PREFIX + "/"):
            return self._network(req, path[len(OS_PREFIX) :] or "/")
        return json_response(404, payloads.os_error(404, "Not Found"), CORE_JSON)

    def _os_core_write(self, req, handler):
        session = self.ctl.auth.session_for(req)
        if session is None:
            return json_response(401, payloads.os_error(401, "Unauthorized"), CORE_JSON)
        if not self.ctl.auth.csrf_ok(req, session):
            return self._csrf_reject()
        self.ctl.count("writes")
        return self._finish(handler(req, session), session)

    def _os_logout(self, req, session):
        self.ctl.auth.end(session)
        resp = json_response(200, {}, CORE_JSON)
        resp.add_header(
            "Set-Cookie",
            "%s=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; secure; httponly; samesite=none"
            % self.opts.token_cookie,
        )
        return resp

    def _legacy(self, req):
        path, method = req.path, req.method
        if path == "/":
            return Response(302, b"", headers=[("Location", "/manage")])
        if path == "/manage" or path.startswith("/manage/"):
            return Response(200, payloads.LEGACY_MANAGE_HTML, payloads.HTML_TYPE)
        if path == "/api/login" and method == "POST":
            return self.ctl.auth.login_legacy(req)
        if path in ("/api/logout", "/logout") and method in ("GET", "POST"):
            session = self.ctl.auth.session_for(req)
            if session is not None:
                self.ctl.auth.end(session)
            if path == "/logout":
                return Response(302, b"", headers=[("Location", "/manage/account/login")])
            return json_response(200, payloads.ok([]))
        if path == "/api/self" and method == "GET":
            session = self.ctl.auth.session_for(req)
            if session is None:
                return self._login_required("classic")
            return json_response(
                200, payloads.ok(payloads.legacy_self(session.username, self.opts.sites[0]))
            )
        if path == "/status" and method == "GET":
            return json_response(200, payloads.status_meta(self.opts.network_version))
        if path.startswith("/api/") or path.startswith("/v2/"):
            return self._network(req, path)
        return Response(404, "Not Found\n", "text/plain")

    # -- the Network application -------------------------------------------------------------

    def _network(self, req, sub):
        if sub.startswith("/integration/"):
            family = "integration"
        elif sub.startswith("/v2/"):
            family = "v2"
        else:
            family = "classic"
        try:
            how, session = self._authenticate(req, family)
        except Refused as exc:
            return exc.resp
        write = req.method in WRITE_METHODS
        if write:
            self.ctl.count("writes")
            refused = self.ctl.faults.take("writes_refused", req.path, req.method)
            if fires(refused):
                if refused == "api_key":
                    if how == "api_key":
                        return json_response(401, payloads.os_error(401, "Unauthorized"), CORE_JSON)
                else:
                    return self._finish(
                        self._error(family, 403, "api.err.NoPermission", req), session
                    )
        try:
            if family == "integration":
                resp = self._integration(req, sub)
            elif family == "v2":
                resp = self._v2(req, sub)
            else:
                resp = self._classic(req, sub)
        except ApiError as exc:
            resp = self._error(family, exc.status, exc.msg, req)
        return self._finish(resp, session)

    def _finish(self, resp, session):
        if session is not None:
            self.ctl.auth.after_response(session, resp)
        return resp

    def _authenticate(self, req, family):
        """Return ('api_key'|'session', session) or raise Refused with the right reply."""
        opts = self.opts
        key = req.header("x-api-key")
        if key is not None and opts.mode == "unifios":
            supported = bool(opts.api_key) and version_tuple(opts.network_version) >= _API_KEY_MIN
            if not supported or key != opts.api_key:
                raise Refused(json_response(401, payloads.os_error(401, "Unauthorized"), CORE_JSON))
            if family != "integration" and not opts.api_key_classic:
                # Older builds honour keys on the Integration API only.
                raise Refused(json_response(401, payloads.os_error(401, "Unauthorized"), CORE_JSON))
            return "api_key", None
        if family == "integration":
            body = payloads.integration_error(
                401,
                "UNAUTHORIZED",
                "api.authentication.missing-credentials",
                "Missing credentials",
                req.path[len(OS_PREFIX) :] if req.path.startswith(OS_PREFIX) else req.path,
            )
            raise Refused(json_response(401, body, INTEGRATION_JSON))
        session = self.ctl.auth.session_for(req)
        if session is None:
            raise Refused(self._login_required(family))
        if req.method in WRITE_METHODS and not self.ctl.auth.csrf_ok(req, session):
            raise Refused(self._csrf_reject())
        return "session", session

    def _login_required(self, family):
        if family == "v2":
            return json_response(401, payloads.v2_error(401, "api.err.LoginRequired"))
        return json_response(
            self.opts.login_required_status, payloads.api_error("api.err.LoginRequired")
        )

    def _csrf_reject(self):
        self.ctl.count("csrf_rejections")
        if self.opts.csrf_reject_body == "json":
            return json_response(403, {"message": "Invalid CSRF Token"}, CORE_JSON)
        return Response(403, b"")

    def _error(self, family, status, msg, req):
        if family == "v2":
            return json_response(status, payloads.v2_error(status, msg))
        if family == "integration":
            name = REASONS.get(status, "ERROR").upper().replace(" ", "_")
            return json_response(
                status,
                payloads.integration_error(status, name, msg, msg, req.path),
                INTEGRATION_JSON,
            )
        return json_response(status, payloads.api_error(msg))

    # -- classic API ---------------------------------------------------------------------------

    def _classic(self, req, sub):
        if sub == "/status" and req.method == "GET":
            return json_response(200, payloads.status_meta(self.opts.network_version))
        if sub == "/api/self/sites" and req.method == "GET":
            return json_response(200, payloads.ok(payloads.self_sites(self.opts.sites)))
        if sub == "/api/stat/sites" and req.method == "GET":
            sites = payloads.self_sites(self.opts.sites)
            for site in sites:
                site["health"] = self._health_data(req, site["name"])
            return json_response(200, payloads.ok(sites))
        match = re.match(r"^/api/s/([^/]+)/(.*)$", sub)
        if match is None:
            raise ApiError(404, "api.err.NotFound")
        site = self.ctl.sites.get(match.group(1))
        if site is None:
            raise ApiError(400, "api.err.NoSiteContext")
        rest = match.group(2)
        for method, pattern, name in _SITE_ROUTES:
            found = pattern.match(rest)
            if found and method == req.method:
                return getattr(self, "_" + name)(req, site, **found.groupdict())
        raise ApiError(404, "api.err.NotFound")

    def _health_data(self, req, site_name):
        wan_ok = not fires(self.ctl.faults.take("wan_down", req.path, req.method))
        down, up = self.ctl.traffic.current(wan_ok)
        self.ctl.served(down, up, req.path, "ok" if wan_ok else "error")
        wan2 = None
        if self.opts.wan2:
            wan2 = (int(down) // 100, int(up) // 100)
        return payloads.health(
            site_name,
            self.opts.mode,
            down,
            up,
            wan_ok=wan_ok,
            wan2=wan2,
            uptime_s=self.ctl.uptime_s(),
        )

    def _health(self, req, site):
        return json_response(200, payloads.ok(self._health_data(req, site.name)))

    def _sysinfo(self, req, site):
        data = payloads.sysinfo(
            self.opts.network_version, self.opts.mode, uptime_s=self.ctl.uptime_s()
        )
        return json_response(200, payloads.ok(data))

    def _stat_device(self, req, site, mac=None):
        wan_ok = not fires(self.ctl.faults.take("wan_down", req.path, req.method))
        down, up = self.ctl.traffic.current(wan_ok)
        self.ctl.served(down, up, req.path, "ok" if wan_ok else "error")
        found = payloads.devices(site.name, self.opts.mode, down, up, wan_ok, self.ctl.uptime_s())
        if mac is not None:
            found = [d for d in found if d["mac"] == mac]
            if not found:
                raise ApiError(400, "api.err.UnknownDevice")
        return json_response(200, payloads.ok(found))

    def _networkconf(self, req, site, id=None):
        nets = payloads.networks(site.name) + [payloads.wan_network(site.name, self.opts.plan_kbps)]
        if id is not None:
            nets = [n for n in nets if n["_id"] == id]
            if not nets:
                raise ApiError(400, "api.err.IdInvalid")
        return json_response(200, payloads.ok(nets))

    def _get_setting(self, req, site, key=None):
        return json_response(200, payloads.ok([site.ips()]))

    def _write_body(self, req):
        try:
            return json.loads(req.body or b"null")
        except ValueError:
            raise ApiError(400, "api.err.InvalidPayload")

    def _apply(self, req):
        """False when the writes_not_applied fault says to acknowledge without applying."""
        return not fires(self.ctl.faults.take("writes_not_applied", req.path, req.method))

    def _era_a_ignored(self):
        value = self.ctl.faults.get("era_a_writes_ignored")
        if value is None:
            return self.opts.era_a_writes_ignored
        return bool(value)

    def _set_ips(self, req, site):
        apply = self._apply(req)
        result = site.write_ips(
            self._write_body(req), apply=apply, era_a_ignored=self._era_a_ignored()
        )
        if apply:
            self.ctl.count("writes_applied")
        # Echo what was stored: on era B the ad_blocking fields are simply absent.
        return json_response(200, payloads.ok([result]))

    def _stamgr(self, req, site):
        apply = self._apply(req)
        data = site.stamgr(self._write_body(req), apply=apply)
        if apply:
            self.ctl.count("writes_applied")
        return json_response(200, payloads.ok(data))

    def _stat_user(self, req, site, mac):
        return json_response(200, payloads.ok([site.user(mac)]))

    def _rest_user(self, req, site):
        return json_response(200, payloads.ok(site.users()))

    def _stat_sta(self, req, site):
        return json_response(200, payloads.ok(site.online()))

    # -- v2 API ----------------------------------------------------------------------------------

    def _v2(self, req, sub):
        match = re.match(r"^/v2/api/site/([^/]+)/content-filtering(?:/([^/]+))?$", sub)
        if match is None or not era_b(self.opts.network_version):
            # Content filtering profiles only exist from Network 9.4 on.
            raise ApiError(404, "api.err.NotFound")
        site = self.ctl.sites.get(match.group(1))
        if site is None:
            raise ApiError(400, "api.err.NoSiteContext")
        profile_id = match.group(2)
        if profile_id is None:
            if req.method != "GET":
                raise ApiError(405, "api.err.MethodNotAllowed")
            return json_response(200, site.profiles())
        if req.method == "GET":
            for profile in site.profiles():
                if profile["_id"] == profile_id:
                    return json_response(200, profile)
            raise ApiError(404, "api.err.ObjectNotFound")
        if req.method != "PUT":
            raise ApiError(405, "api.err.MethodNotAllowed")
        apply = self._apply(req)
        profile = site.write_profile(profile_id, self._write_body(req), apply=apply)
        if apply:
            self.ctl.count("writes_applied")
        return json_response(200, profile)

    # -- Integration API -------------------------------------------------------------------------

    def _integration(self, req, sub):
        if version_tuple(self.opts.network_version) < _INTEGRATION_MIN or req.method != "GET":
            raise ApiError(404, "api.request.not-found")
        parts = sub.strip("/").split("/")[2:]  # drop "integration", "v1"
        if parts == ["info"]:
            return json_response(
                200, {"applicationVersion": self.opts.network_version}, INTEGRATION_JSON
            )
        if not parts or parts[0] != "sites":
            raise ApiError(404, "api.request.not-found")
        sites = payloads.integration_sites(self.opts.sites)
        if len(parts) == 1:
            return self._page(req, sites)
        site = next((s for s in sites if s["id"] == parts[1]), None)
        if site is None:
            raise ApiError(404, "api.request.not-found")
        name = site["internalReference"]
        devices = payloads.integration_devices(name, self.opts.mode)
        if parts[2:] == ["devices"]:
            return self._page(req, devices)
        if len(parts) < 4 or parts[2] != "devices":
            raise ApiError(404, "api.request.not-found")
        device = next((d for d in devices if d["id"] == parts[3]), None)
        if device is None:
            raise ApiError(404, "api.request.not-found")
        if len(parts) == 4:
            detail = dict(device, firmwareVersion="4.1.13", firmwareUpdatable=False, supported=True)
            return json_response(200, detail, INTEGRATION_JSON)
        if parts[4:] == ["statistics", "latest"]:
            return json_response(200, self._statistics(req, device), INTEGRATION_JSON)
        raise ApiError(404, "api.request.not-found")

    def _statistics(self, req, device):
        now = time.time()
        if "gateway" not in device["features"]:
            return payloads.integration_statistics(
                183_112,
                48_920,
                self.ctl.uptime_s(),
                now,
                radios="accessPoint" in device["features"],
            )
        wan_ok = not fires(self.ctl.faults.take("wan_down", req.path, req.method))
        down, up = self.ctl.traffic.current(wan_ok)
        self.ctl.served(down, up, req.path, "ok" if wan_ok else "error")
        unit = self.opts.integration_rate_unit
        if unit == "link":
            tx, rx = 1_000_000_000, 1_000_000_000
        elif unit == "bytes":
            tx, rx = int(up), int(down)
        else:
            tx, rx = int(up * 8), int(down * 8)
        return payloads.integration_statistics(tx, rx, self.ctl.uptime_s(), now)

    def _page(self, req, items):
        try:
            offset = int(req.query.get("offset", "0"))
            limit = int(req.query.get("limit", "25"))
        except ValueError:
            raise ApiError(400, "api.request.invalid-parameter")
        if offset < 0 or not 0 < limit <= 200:
            raise ApiError(400, "api.request.invalid-parameter")
        expr = req.query.get("filter")
        if expr:
            found = _FILTER.match(expr.strip())
            if found is None:
                raise ApiError(400, "api.request.invalid-filter")
            field, op, value = found.groups()
            if op == "eq":
                items = [i for i in items if str(i.get(field)) == value]
            else:
                items = [i for i in items if value in (i.get(field) or [])]
        return json_response(200, payloads.integration_page(items, offset, limit), INTEGRATION_JSON)


def _pad(obj, size):
    """The same JSON, grown to exactly `size` bytes by a leading filler element."""

    def grow(n):
        filler = {"_pad": "x" * max(0, n)}
        if isinstance(obj, dict) and isinstance(obj.get("data"), list):
            return payloads.dumps(dict(obj, data=[filler] + obj["data"]))
        if isinstance(obj, list):
            return payloads.dumps([filler] + obj)
        return payloads.dumps(dict(filler, **obj))

    first = grow(0)
    return grow(size - len(first))
