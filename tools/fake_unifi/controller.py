# tools.fake_unifi.controller: FakeController, the in-process handle on a running fake console.
# SPDX-License-Identifier: MIT
"""FakeController owns the options, state, counters and both servers.

It runs its own asyncio loop in a background thread so pytest (or the
simulator) can start it, drive a client against it from the main thread, and
set faults or read counters at any time. Every method here is safe to call
from any thread other than the controller's own loop; the control port's
handlers, which run on that loop, use the async variants.
"""

import asyncio
import copy
import ipaddress
import json
import os
import secrets
import shutil
import ssl
import sys
import tempfile
import threading
import time
import weakref

from . import certs, faults, httpd, payloads
from .auth import Auth
from .control import ControlApp
from .routes import Router, era_b
from .state import SiteState
from .traffic import Traffic

DEFAULTS = {
    "host": "127.0.0.1",
    "port": 0,
    "mode": "unifios",  # or "legacy"
    "api_key": None,  # None: generated (UniFi OS); "": no key accepted
    "username": "netrain",
    "password": None,  # None: generated
    "network_version": "9.5.21",
    "sites": ("default",),
    "cert_dir": None,  # None: a temporary directory removed on stop()
    "cert_key_type": "ec",  # or "rsa" (2048)
    "control_port": 0,  # None: no control server
    "ready_file": None,
    "latency_ms": 0,
    "session_s": 7200,
    "login_fail_limit": 5,  # failed logins before the 429 lockout; 0: never
    "lockout_s": 45.0,
    "mfa": False,
    "mfa_token": "123456",
    "csrf_header": "x-csrf-token",  # x-updated-csrf-token | both | none (decode the JWT)
    "csrf_rotate": False,
    "csrf_reject_body": "empty",  # or "json": {"message":"Invalid CSRF Token"}
    "token_cookie": "TOKEN",  # some builds say UOS_TOKEN
    "token_expire_header": False,
    "login_required_status": 401,  # or 200: LoginRequired envelope with HTTP 200
    # Legacy consoles take writes without X-Csrf-Token (aiounifi never sends one there);
    # True makes the fake stricter than them, for a client that must send it anyway.
    "legacy_csrf_required": False,
    "api_key_classic": True,  # key also honoured on classic and v2 paths
    "chunked": False,
    "chunk_size": 1024,
    "keepalive_s": 60.0,
    "max_requests_per_conn": 0,
    "lowercase_headers": False,
    "traffic": "wave",  # or "flat:DOWN,UP" in bytes/s
    "float_rates": False,
    "wan2": False,
    "plan_kbps": (1_000_000, 100_000),  # None: no wan_provider_capabilities
    "refresh_s": 0.0,
    "clients": None,  # None: payloads.DEFAULT_CLIENTS
    "ad_blocking": False,
    "era_a_writes_ignored": True,
    "integration_rate_unit": "bits",  # bytes | link
    "faults": (),
    "schedule": (),  # [[start_s, end_s, fault spec], ...]: on/off from start() or arm_schedule()
    "handshake_timeout_s": 10.0,
    "stall_max_s": 300.0,
}
_CHOICES = {
    "mode": ("unifios", "legacy"),
    "cert_key_type": certs.KEY_TYPES,
    "csrf_header": ("x-csrf-token", "x-updated-csrf-token", "both", "none"),
    "csrf_reject_body": ("empty", "json"),
    "login_required_status": (401, 200),
    "integration_rate_unit": ("bits", "bytes", "link"),
}
# Fixed for the controller's life: they shape sockets, certificates and identities.
_FIXED = (
    "host",
    "port",
    "mode",
    "api_key",
    "username",
    "password",
    "sites",
    "cert_dir",
    "cert_key_type",
    "control_port",
    "ready_file",
    "clients",
    "faults",
    "schedule",
)
_MAX_PATH_KEYS = 256


class Options:
    """Attribute bag over DEFAULTS; unknown names and bad choices are errors."""

    def __init__(self, values):
        unknown = sorted(set(values) - set(DEFAULTS))
        if unknown:
            raise TypeError("unknown FakeController option(s): %s" % ", ".join(unknown))
        self.__dict__.update(copy.deepcopy(DEFAULTS))
        for name, value in values.items():
            self.set(name, value)

    def set(self, name, value):
        if name not in DEFAULTS:
            raise ValueError("unknown option %r" % name)
        if name in _CHOICES and value not in _CHOICES[name]:
            raise ValueError("%s must be one of %s" % (name, _CHOICES[name]))
        if name == "host" and not _is_loopback(value):
            raise ValueError("the fake controller only binds loopback, not %r" % value)
        if name == "sites":
            value = tuple(value)
        setattr(self, name, value)

    def as_dict(self):
        return {k: getattr(self, k) for k in DEFAULTS}


def _is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _fresh_counters():
    return {
        "connections": 0,
        "open_connections": 0,
        "tls_handshakes": 0,
        "tls_handshake_failures": 0,
        "requests": 0,
        "requests_by_path": {},
        "requests_by_status": {},
        "logins": 0,
        "login_attempts": 0,
        "login_failures": 0,
        "writes": 0,
        "writes_applied": 0,
        "csrf_rejections": 0,
    }


class _ApiApp(httpd.App):
    """The console's listener: counts connections and handshakes, picks the certificate."""

    def __init__(self, ctl):
        self.ctl = ctl

    def connection_made(self, conn):
        self.ctl.count("connections")
        self.ctl.count("open_connections")

    def connection_lost(self, conn):
        self.ctl.count("open_connections", -1)

    def ssl_context(self, conn):
        if faults.fires(self.ctl.faults.take("other_cert")):
            return self.ctl._other_ctx
        return self.ctl._ssl_ctx

    def handshake_delay_s(self, conn):
        value = self.ctl.faults.take("slow_handshake_ms")
        return int(value) / 1000.0 if value not in (None, False, True) else 0.0

    def handshake_done(self, conn):
        self.ctl.count("tls_handshakes")

    def handshake_failed(self, conn, exc):
        self.ctl.count("tls_handshake_failures")

    async def handle(self, req):
        self.ctl.count("requests")
        self.ctl.count_path(req.path)
        return await self.ctl.router.handle(req)

    def responding(self, conn, req, resp):
        self.ctl.count_status("stalled" if resp.stall else str(resp.status))


class FakeController:
    """A fake UniFi console on 127.0.0.1. See DEFAULTS for the options and faults.FAULTS."""

    def __init__(self, **options):
        self.options = Options(options)
        opts = self.options
        if opts.api_key is None:
            opts.api_key = secrets.token_urlsafe(24)
        if opts.mode == "legacy":
            opts.api_key = ""  # the legacy application cannot create local keys
        if opts.password is None:
            opts.password = secrets.token_urlsafe(12)
        self.faults = faults.FaultSet()
        self._lock = threading.Lock()
        self._counters = _fresh_counters()
        self._t0 = time.monotonic()
        self.traffic = Traffic(opts.traffic, opts.refresh_s, opts.float_rates)
        self.auth = Auth(opts, self.faults, self.count)
        self.router = Router(self)
        self.sites = self._build_sites()
        self._own_cert_dir = opts.cert_dir is None
        self.cert_dir = (
            tempfile.mkdtemp(prefix="fake-unifi-") if self._own_cert_dir else opts.cert_dir
        )
        if self._own_cert_dir:
            # Also removed when a controller that never started is collected or at exit.
            weakref.finalize(self, shutil.rmtree, self.cert_dir, True)
        self.cert = certs.ensure_cert(self.cert_dir, "unifi", opts.cert_key_type)
        self.other_cert = certs.ensure_cert(self.cert_dir, "unifi-other", opts.cert_key_type)
        self.cert_pem_path = self.cert.cert_pem
        self._ssl_ctx = self._server_context(self.cert)
        self._other_ctx = self._server_context(self.other_cert)
        for spec in opts.faults:
            self._set_fault_state(**_fault_kwargs(spec))
        self._schedule = [_schedule_entry(item) for item in opts.schedule]
        self._schedule_handles = []
        self._schedule_t0 = None
        #: [{"t_s", "fault", "on"}, ...]: when the schedule switched each fault on and off
        self.schedule_log = []
        self._other_cert_on = False
        self.url = self.port = self.control_url = self.control_port = None
        self._loop = None
        self._thread = None
        self._ready = threading.Event()
        self._startup_error = None
        self._stop_event = None
        self._reopen_handle = None
        self.server = None
        self.control = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self, timeout_s=30.0):
        """Start the loop thread; return once both servers listen."""
        if self._thread is not None:
            raise RuntimeError("already started")
        self._thread = threading.Thread(target=self._run, name="fake-unifi", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout_s):
            raise RuntimeError("fake controller did not start within %s s" % timeout_s)
        if self._startup_error is not None:
            self._thread.join(5)
            self._thread = None
            raise self._startup_error
        return self

    def stop(self, timeout_s=10.0):
        if self._thread is None:
            return
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._stop_event.set)
        self._thread.join(timeout_s)
        self._thread = None
        if self._own_cert_dir:
            shutil.rmtree(self.cert_dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _run(self):
        loop = asyncio.new_event_loop()
        self._loop = loop
        loop.set_exception_handler(_quiet_exceptions)
        try:
            loop.run_until_complete(self._main())
        finally:
            loop.close()

    async def _main(self):
        self._stop_event = asyncio.Event()
        opts = self.options
        self.server = httpd.HttpServer(
            _ApiApp(self),
            opts.host,
            opts.port,
            keepalive_s=opts.keepalive_s,
            max_requests=opts.max_requests_per_conn,
            lowercase_headers=opts.lowercase_headers,
            handshake_timeout_s=opts.handshake_timeout_s,
            stall_max_s=opts.stall_max_s,
        )
        try:
            await self.server.start()
            self.port = self.server.port
            host = "[%s]" % opts.host if ":" in opts.host else opts.host
            self.url = "https://%s:%d" % (host, self.port)
            if opts.control_port is not None:
                self.control = httpd.HttpServer(ControlApp(self), opts.host, opts.control_port)
                await self.control.start()
                self.control_port = self.control.port
                self.control_url = "http://%s:%d" % (host, self.control_port)
            await self._after_fault_change()
            self._arm_schedule()
            if opts.ready_file:
                _write_atomic(opts.ready_file, json.dumps(self.ready_info()) + "\n")
        except BaseException as exc:  # reported to start() in the caller's thread
            self._startup_error = exc
            self._ready.set()
            await self._shutdown()
            return
        self._ready.set()
        await self._stop_event.wait()
        await self._shutdown()

    async def _shutdown(self):
        if self._reopen_handle is not None:
            self._reopen_handle.cancel()
        for handle in self._schedule_handles:
            handle.cancel()
        for server in (self.server, self.control):
            if server is not None:
                await server.close()

    def ready_info(self):
        """The one JSON line printed when listening (also written to --ready-file)."""
        return {
            "url": self.url,
            "port": self.port,
            "control_url": self.control_url,
            "cert_pem": self.cert.cert_pem,
            "cert_der": self.cert.cert_der,
            "cert_sha256": self.cert.sha256(),
            "api_key": self.options.api_key or None,
            "username": self.options.username,
            "password": self.options.password,
            "mode": self.options.mode,
            "network_version": self.options.network_version,
            "site": self.options.sites[0],
        }

    # -- thread plumbing ---------------------------------------------------------------------

    def _on_loop_thread(self):
        return self._thread is not None and threading.current_thread() is self._thread

    def _run_sync(self, coro):
        """Run a coroutine on the controller's loop and wait for it (from another thread)."""
        loop = self._loop
        if loop is None or loop.is_closed() or not self._ready.is_set():
            coro.close()  # not running yet: start() applies the state
            return None
        if self._on_loop_thread():
            return loop.create_task(coro)
        return asyncio.run_coroutine_threadsafe(coro, loop).result(10)

    # -- faults ------------------------------------------------------------------------------

    def _set_fault_state(self, name, value=True, path=None, count=None, method=None):
        if not faults.known(name):
            raise ValueError("unknown fault %r" % name)
        if name == "expire_sessions":
            if faults.fires(value):
                self.auth.expire_all()
                self.faults.fired["expire_sessions"] = (
                    self.faults.fired.get("expire_sessions", 0) + 1
                )
            return None
        return self.faults.set(name, value, path=path, method=method, count=count)

    def set_fault(self, name, value=True, path=None, count=None, method=None):
        """Set (or replace) a fault; see faults.FAULTS for names and values."""
        self._set_fault_state(name, value, path, count, method)
        self._run_sync(self._after_fault_change())
        return self.faults.snapshot()

    def clear_fault(self, name=None):
        """Clear one fault, or all of them with no name."""
        self.faults.clear(name)
        self._run_sync(self._after_fault_change())
        return self.faults.snapshot()

    clear_faults = clear_fault

    def expire_sessions(self):
        self.set_fault("expire_sessions")

    async def set_fault_async(self, name, value=True, path=None, count=None, method=None):
        self._set_fault_state(name, value, path, count, method)
        await self._after_fault_change()

    async def clear_fault_async(self, name=None):
        self.faults.clear(name)
        await self._after_fault_change()

    # -- schedule ----------------------------------------------------------------------------

    def arm_schedule(self):
        """Restart the schedule's clock now (start() already armed it).

        The simulator calls this just before launching the firmware, so schedule times
        and the firmware's run time share (nearly) the same zero.
        """
        if self._schedule:
            self._run_sync(self._arm_async())

    async def _arm_async(self):
        self._arm_schedule()

    def _arm_schedule(self):
        loop = asyncio.get_running_loop()
        for handle in self._schedule_handles:
            handle.cancel()
        self._schedule_t0 = time.monotonic()
        self.schedule_log = []
        self._schedule_handles = []
        for start_s, end_s, kwargs in self._schedule:
            self._schedule_handles.append(loop.call_later(start_s, self._scheduled, kwargs, True))
            self._schedule_handles.append(loop.call_later(end_s, self._scheduled, kwargs, False))

    def _scheduled(self, kwargs, on):
        name = kwargs["name"]
        t_s = round(time.monotonic() - self._schedule_t0, 3)
        self.schedule_log.append({"t_s": t_s, "fault": name, "on": on})
        if on:
            asyncio.ensure_future(self.set_fault_async(**kwargs))
        elif name != "expire_sessions":  # one-shot: nothing to clear
            asyncio.ensure_future(self.clear_fault_async(name))

    async def _after_fault_change(self):
        """Make the listening socket match the refuse fault; a new certificate drops
        the open connections, as a console restarting with it would."""
        if self.server is None:
            return
        other_cert = faults.fires(self.faults.get("other_cert"))
        if other_cert and not self._other_cert_on:
            self.server.drop_connections()
        self._other_cert_on = other_cert
        value = self.faults.get("refuse")
        refusing = faults.fires(value)
        if refusing and self.server.listening:
            await self.server.stop_listening(drop=True)
            if value is not True and isinstance(value, (int, float)) and value > 0:
                self._reopen_handle = asyncio.get_running_loop().call_later(
                    float(value), lambda: asyncio.ensure_future(self.clear_fault_async("refuse"))
                )
        elif not refusing and not self.server.listening:
            if self._reopen_handle is not None:
                self._reopen_handle.cancel()
                self._reopen_handle = None
            await self.server.start()

    # -- options and state -------------------------------------------------------------------

    def set_option(self, name, value):
        """Change a runtime option (see DEFAULTS; socket and identity options are fixed)."""
        if name in _FIXED:
            raise ValueError("option %r is fixed once the controller exists" % name)
        self.options.set(name, value)
        if name in ("traffic", "float_rates", "refresh_s"):
            self.traffic.set_spec(self.options.traffic)
            self.traffic.float_rates = self.options.float_rates
            self.traffic.refresh_s = self.options.refresh_s
        elif name in ("network_version", "ad_blocking"):
            self.sites = self._build_sites()
        elif self.server is not None and name in (
            "keepalive_s",
            "max_requests_per_conn",
            "lowercase_headers",
            "stall_max_s",
        ):
            attr = {"max_requests_per_conn": "max_requests"}.get(name, name)
            setattr(self.server, attr, value)

    def set_traffic(self, spec):
        self.set_option("traffic", spec)

    def _build_sites(self):
        opts = self.options
        clients = [dict(c) for c in (opts.clients or payloads.DEFAULT_CLIENTS)]
        newer = era_b(opts.network_version)
        return {name: SiteState(name, newer, clients, opts.ad_blocking) for name in opts.sites}

    def reset_state(self):
        """Back to the initial network state: ad blocking, clients, sessions, lockout."""
        self.sites = self._build_sites()
        self.auth.reset()

    def site(self, name=None):
        return self.sites[name or self.options.sites[0]]

    def ad_blocking_enabled(self, site=None):
        return self.site(site).ad_blocking_enabled()

    def client_blocked(self, mac, site=None):
        return mac in self.site(site).blocked

    def uptime_s(self):
        return 492633 + int(time.monotonic() - self._t0)

    @property
    def state(self):
        opts = self.options
        return {
            "mode": opts.mode,
            "network_version": opts.network_version,
            "era": "B" if era_b(opts.network_version) else "A",
            "url": self.url,
            "listening": bool(self.server and self.server.listening),
            "sites": {name: s.snapshot() for name, s in self.sites.items()},
            "faults": self.faults.snapshot(),
            "schedule_log": list(self.schedule_log),
            "sessions": self.auth.session_count(),
            "login_lockout_s": round(self.auth.lockout_remaining_s(), 3),
            "traffic": self.traffic.profile.spec,
            "last_served": self.traffic.last,
            "options": {k: v for k, v in opts.as_dict().items() if k not in ("password",)},
        }

    # -- counters ----------------------------------------------------------------------------

    def count(self, name, n=1):
        with self._lock:
            self._counters[name] = self._counters.get(name, 0) + n

    def count_path(self, path):
        with self._lock:
            paths = self._counters["requests_by_path"]
            if path not in paths and len(paths) >= _MAX_PATH_KEYS:
                path = "<other>"
            paths[path] = paths.get(path, 0) + 1

    def count_status(self, status):
        with self._lock:
            by = self._counters["requests_by_status"]
            by[status] = by.get(status, 0) + 1

    def served(self, down, up, path, wan_status):
        self.traffic.record(down, up, path, wan_status)

    @property
    def counters(self):
        """A snapshot: connections, tls_handshakes, requests, logins, writes, ... (see README)."""
        with self._lock:
            snap = copy.deepcopy(self._counters)
        snap["faults_fired"] = dict(self.faults.fired)
        snap["last_served"] = self.traffic.last
        return snap

    def reset_counters(self):
        with self._lock:
            still_open = self._counters["open_connections"]
            self._counters = _fresh_counters()
            self._counters["open_connections"] = still_open
        self.faults.fired.clear()
        self.traffic.reset_log()

    def served_history(self, limit=None):
        return self.traffic.served(limit)

    # -- TLS ---------------------------------------------------------------------------------

    @staticmethod
    def _server_context(files):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(files.cert_pem, files.key_pem)
        ctx.set_alpn_protocols(["http/1.1"])
        return ctx


def _fault_kwargs(spec):
    """A fault spec (string or dict) -> set_fault kwargs; an unknown name is the error."""
    kwargs = faults.parse_spec(spec) if isinstance(spec, str) else dict(spec)
    if not faults.known(kwargs.get("name")):
        raise ValueError(
            "unknown fault %r (known: %s, status_4xx/5xx)"
            % (kwargs.get("name"), ", ".join(sorted(faults.FAULTS)))
        )
    return kwargs


def _schedule_entry(item):
    """[start_s, end_s, spec] -> (start_s, end_s, set_fault kwargs); errors name the item."""
    try:
        start_s, end_s, spec = item
        ok = 0 <= float(start_s) < float(end_s) and isinstance(spec, (str, dict))
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(
            "bad schedule entry %r: want [start_s, end_s, fault spec], 0 <= start_s < end_s"
            % (item,)
        )
    try:
        kwargs = _fault_kwargs(spec)
    except (TypeError, ValueError) as exc:
        raise ValueError("schedule entry %r: %s" % (item, exc))
    return float(start_s), float(end_s), kwargs


def check_options(**options):
    """Raise ValueError naming the first bad option, fault or schedule entry (nothing starts)."""
    try:
        opts = Options(options)
    except TypeError as exc:
        raise ValueError(str(exc))
    if isinstance(opts.faults, str) or isinstance(opts.schedule, (str, dict)):
        raise ValueError('faults and schedule are JSON lists, e.g. ["stall"] or [[3, 6, "stall"]]')
    for spec in opts.faults:
        _fault_kwargs(spec)
    for item in opts.schedule:
        _schedule_entry(item)


def _write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def _quiet_exceptions(loop, context):
    """Peers that vanish mid-handshake are normal here; anything else is printed."""
    exc = context.get("exception")
    if isinstance(exc, httpd.PEER_ERRORS):
        return
    print("fake_unifi: %s" % context.get("message"), file=sys.stderr)
    if exc is not None:
        print("fake_unifi: %r" % (exc,), file=sys.stderr)
