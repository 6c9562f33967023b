# Tests for tools/fake_unifi: the fake controller must behave like the real API (CPython only).
# SPDX-License-Identifier: MIT
"""Drive the fake controller over loopback TLS with a pinned certificate.

A tiny raw HTTP/1.1 client is used instead of http.client so the tests see
exactly what went over the wire: one connection reused, short bodies,
resets, chunk framing.
"""

import base64
import json
import select
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tools.fake_unifi import DEFAULTS, FakeController, certs, traffic

ROOT = str(Path(__file__).resolve().parent.parent)
P = "/proxy/network"
KIDS_IPAD = "3c:22:fb:1a:2b:01"


class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # list of (lowercase name, value)
        self.body = body

    def header(self, name):
        for key, value in self.headers:
            if key == name.lower():
                return value
        return None

    def all(self, name):
        return [v for k, v in self.headers if k == name.lower()]

    def json(self):
        return json.loads(self.body)


class Client:
    """One pinned TLS connection, reused for every request (keep-alive)."""

    def __init__(self, ctl, timeout_s=5.0, cafile=None):
        ctx = ssl.create_default_context(cafile=cafile or ctl.cert_pem_path)
        raw = socket.create_connection(("127.0.0.1", ctl.port), timeout=timeout_s)
        self.sock = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
        self.buf = b""
        self.cookies = {}

    def close(self):
        self.sock.close()

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("connection closed")
        self.buf += data

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n:
            self._fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def send(self, method, path, body=None, headers=None):
        lines = ["%s %s HTTP/1.1" % (method, path), "Host: 127.0.0.1"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join("%s=%s" % kv for kv in self.cookies.items()))
        data = b""
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            lines.append("Content-Type: application/json")
            lines.append("Content-Length: %d" % len(data))
        for name, value in (headers or {}).items():
            lines.append("%s: %s" % (name, value))
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + data)

    def read(self):
        status = int(self._line().split()[1])
        headers = []
        while True:
            line = self._line()
            if not line:
                break
            name, _, value = line.decode().partition(":")
            headers.append((name.strip().lower(), value.strip()))
        resp = Resp(status, headers, b"")
        if (resp.header("transfer-encoding") or "").lower() == "chunked":
            parts = []
            while True:
                size = int(self._line(), 16)
                if size == 0:
                    self._line()
                    break
                parts.append(self._exact(size))
                self._line()
            resp.body = b"".join(parts)
        else:
            resp.body = self._exact(int(resp.header("content-length") or 0))
        for cookie in resp.all("set-cookie"):
            name, _, rest = cookie.partition("=")
            self.cookies[name] = rest.split(";")[0]
        return resp

    def request(self, method, path, body=None, headers=None):
        self.send(method, path, body, headers)
        return self.read()


def jwt_claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def wan(body):
    return next(e for e in body["data"] if e.get("subsystem") == "wan")


def control(base_url, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base_url + path, data=data, method=method)
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.loads(resp.read())


@pytest.fixture(scope="module")
def cert_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("fake-unifi-certs"))


def _controller(cert_dir, **options):
    options.setdefault("traffic", "flat:1250000,125000")
    return FakeController(cert_dir=cert_dir, password="pw-good", **options).start()


@pytest.fixture(scope="module")
def os_ctl(cert_dir):
    ctl = _controller(cert_dir, api_key="key-good", login_fail_limit=3, lockout_s=30)
    yield ctl
    ctl.stop()


@pytest.fixture(scope="module")
def legacy_ctl(cert_dir):
    ctl = _controller(cert_dir, mode="legacy", network_version="9.3.45")
    yield ctl
    ctl.stop()


@pytest.fixture(scope="module")
def era_a_ctl(cert_dir):
    ctl = _controller(cert_dir, api_key="key-good", network_version="9.3.45")
    yield ctl
    ctl.stop()


@pytest.fixture
def ctl(os_ctl):
    os_ctl.clear_faults()
    os_ctl.reset_state()
    os_ctl.reset_counters()
    yield os_ctl
    os_ctl.clear_faults()
    for name in ("csrf_header", "csrf_rotate", "login_required_status", "mfa", "keepalive_s"):
        os_ctl.set_option(name, DEFAULTS[name])


@pytest.fixture
def key_client(ctl):
    client = Client(ctl)
    yield client
    client.close()


KEY = {"X-API-KEY": "key-good"}


def os_login(ctl, **kw):
    client = Client(ctl)
    body = {"username": "netrain", "password": "pw-good", "rememberMe": True}
    body.update(kw)
    resp = client.request("POST", "/api/auth/login", body)
    return client, resp


# -- transport ---------------------------------------------------------------------------------


def test_cli_prints_one_ready_line(tmp_path, cert_dir):
    ready = tmp_path / "ready.json"
    cmd = [
        sys.executable,
        "-m",
        "tools.fake_unifi",
        "--cert-dir",
        cert_dir,
        "--ready-file",
        str(ready),
    ]
    cmd += ["--mode", "legacy", "--fault", "latency_ms=1,path=/nowhere"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        # bounded: a fake that never gets ready fails here instead of hanging the suite
        assert select.select([proc.stdout], [], [], 60)[0], "no ready line within 60 s"
        info = json.loads(proc.stdout.readline())
        for key in ("url", "port", "control_url", "cert_pem", "api_key", "username", "password"):
            assert key in info
        assert info["mode"] == "legacy" and info["url"] == "https://127.0.0.1:%d" % info["port"]
        assert json.loads(ready.read_text()) == info
        ctx = ssl.create_default_context(cafile=info["cert_pem"])
        raw = socket.create_connection(("127.0.0.1", info["port"]), 5)
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert s.recv(100).startswith(b"HTTP/1.1 302 Found\r\n")
        faults = control(info["control_url"], "GET", "/state")["faults"]
        assert [f["name"] for f in faults] == ["latency_ms"] and faults[0]["path"] == "/nowhere"
    finally:
        proc.terminate()
        assert proc.wait(10) == 0


@pytest.mark.parametrize(
    "args, says",
    [
        (["--fault", "nosuchfault"], "unknown fault 'nosuchfault'"),
        (["--set", 'schedule=[[3,6,"nosuch"]]'], "schedule entry [3, 6, 'nosuch']: unknown fault"),
        (["--set", "mode=cloud"], "mode must be one of"),
    ],
)
def test_cli_bad_option_is_one_line_and_exit_2(cert_dir, args, says):
    cmd = [sys.executable, "-m", "tools.fake_unifi", "--cert-dir", cert_dir, *args]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and says in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and not proc.stdout


def test_keep_alive_one_connection_one_handshake(ctl, key_client):
    for _ in range(5):
        resp = key_client.request("GET", P + "/api/s/default/stat/health", headers=KEY)
        assert resp.status == 200 and resp.header("connection") == "keep-alive"
        assert resp.header("content-encoding") is None
    counters = ctl.counters
    assert counters["connections"] == 1 and counters["tls_handshakes"] == 1
    assert counters["requests"] == 5 and counters["requests_by_status"] == {"200": 5}
    assert counters["requests_by_path"][P + "/api/s/default/stat/health"] == 5


def test_connection_close_is_honoured(ctl, key_client):
    resp = key_client.request("GET", "/", headers={"Connection": "close"})
    assert resp.status == 200 and resp.header("connection") == "close"
    with pytest.raises(EOFError):
        key_client._fill()


def test_idle_and_max_requests_limits(ctl):
    ctl.set_option("keepalive_s", 0.2)
    client = Client(ctl)
    assert client.request("GET", "/").status == 200
    with pytest.raises(EOFError):
        client._fill()  # the server closed the idle connection
    ctl.set_option("keepalive_s", 60.0)
    ctl.set_option("max_requests_per_conn", 2)
    try:
        client = Client(ctl)
        assert client.request("GET", "/").header("connection") == "keep-alive"
        assert client.request("GET", "/").header("connection") == "close"
    finally:
        ctl.set_option("max_requests_per_conn", 0)


def test_certificate_is_console_like_and_cached(cert_dir):
    from cryptography import x509

    first = certs.ensure_cert(cert_dir, "unifi", "ec")
    assert certs.ensure_cert(cert_dir, "unifi", "ec").sha256() == first.sha256()
    with open(first.cert_pem, "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    assert cert.issuer == cert.subject
    assert cert.subject.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)[0].value == "UniFi"
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["unifi.local"]
    assert [str(ip) for ip in san.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    rsa_files = certs.ensure_cert(cert_dir, "unifi", "rsa")
    assert rsa_files.sha256() != first.sha256()


# -- detection and API key ---------------------------------------------------------------------


def test_detection_unifios_200_legacy_302(ctl, legacy_ctl):
    client = Client(ctl)
    resp = client.request("GET", "/")
    assert resp.status == 200 and b"<html" in resp.body and resp.header("x-csrf-token") is None
    legacy = Client(legacy_ctl)
    resp = legacy.request("GET", "/")
    assert resp.status == 302 and resp.header("location") == "/manage"


def test_api_key_classic_v2_and_integration(ctl, key_client):
    body = key_client.request("GET", P + "/api/s/default/stat/health", headers=KEY).json()
    assert body["meta"]["rc"] == "ok"
    assert [e["subsystem"] for e in body["data"]] == ["wlan", "wan", "www", "lan", "vpn"]
    assert wan(body)["rx_bytes-r"] == 1250000 and wan(body)["tx_bytes-r"] == 125000
    assert wan(body)["status"] == "ok"
    assert ctl.counters["last_served"]["down_bytes_per_s"] == 1250000
    resp = key_client.request("GET", P + "/v2/api/site/default/content-filtering", headers=KEY)
    assert resp.status == 200 and isinstance(resp.json(), list)
    resp = key_client.request("GET", P + "/api/s/default/stat/health", headers={"X-API-KEY": "no"})
    assert resp.status == 401 and resp.json() == {"error": {"code": 401, "message": "Unauthorized"}}
    resp = key_client.request("GET", P + "/integration/v1/info")
    assert resp.status == 401
    assert resp.json()["code"] == "api.authentication.missing-credentials"
    info = key_client.request("GET", P + "/integration/v1/info", headers=KEY).json()
    assert info == {"applicationVersion": "9.5.21"}
    q = "?filter=internalReference.eq('default')"
    sites = key_client.request("GET", P + "/integration/v1/sites" + q, headers=KEY).json()
    assert sites["count"] == 1 and sites["limit"] == 25
    site_id = sites["data"][0]["id"]
    q = "?filter=features.contains('gateway')"
    devices = key_client.request(
        "GET", P + "/integration/v1/sites/%s/devices%s" % (site_id, q), headers=KEY
    ).json()
    gw = devices["data"][0]["id"]
    path = P + "/integration/v1/sites/%s/devices/%s/statistics/latest" % (site_id, gw)
    stats = key_client.request("GET", path, headers=KEY).json()
    assert stats["uplink"] == {"txRateBps": 125000 * 8, "rxRateBps": 1250000 * 8}


def test_sizes_and_shapes_follow_the_reference(ctl, key_client):
    health = key_client.request("GET", P + "/api/s/default/stat/health", headers=KEY)
    assert 1500 < len(health.body) < 2600
    sysinfo = key_client.request("GET", P + "/api/s/default/stat/sysinfo", headers=KEY).json()
    assert sysinfo["data"][0]["version"] == "9.5.21"
    nets = key_client.request("GET", P + "/api/s/default/rest/networkconf", headers=KEY).json()
    wan_net = next(n for n in nets["data"] if n["purpose"] == "wan")
    assert wan_net["wan_provider_capabilities"]["download_kilobits_per_second"] == 1_000_000
    sites = key_client.request("GET", P + "/api/self/sites", headers=KEY).json()
    assert sites["data"][0]["name"] == "default"
    resp = key_client.request("GET", P + "/api/s/nosuch/stat/health", headers=KEY)
    assert resp.json()["meta"] == {"rc": "error", "msg": "api.err.NoSiteContext"}
    assert key_client.request("GET", P + "/api/s/default/stat/nothing", headers=KEY).status == 404


def test_stat_device_gateway_rates(ctl, key_client):
    """stat/device (all, or one by MAC): the gateway's uplink and wan1 carry the WAN rates."""
    base = P + "/api/s/default/stat/device"
    found = key_client.request("GET", base, headers=KEY).json()["data"]
    assert [d["type"] for d in found] == ["udm", "uap", "usw"]
    gw = found[0]
    assert gw["mac"] == "74:ac:b9:14:2e:01"
    assert gw["uplink"]["rx_bytes-r"] == 1250000 and gw["uplink"]["tx_bytes-r"] == 125000
    assert gw["wan1"]["rx_bytes-r"] == 1250000
    one = key_client.request("GET", base + "/" + gw["mac"], headers=KEY).json()["data"]
    assert [d["mac"] for d in one] == [gw["mac"]]
    resp = key_client.request("GET", base + "/00:11:22:33:44:55", headers=KEY)
    assert resp.status == 400 and resp.json()["meta"]["msg"] == "api.err.UnknownDevice"
    ctl.set_fault("wan_down", count=1)
    gw = key_client.request("GET", base, headers=KEY).json()["data"][0]
    assert gw["uplink"]["up"] is False and gw["uplink"]["rx_bytes-r"] == 0


def test_float_rates_wan2_and_wan_down(ctl, key_client):
    ctl.set_option("float_rates", True)
    ctl.set_option("wan2", True)
    try:
        body = key_client.request("GET", P + "/api/s/default/stat/health", headers=KEY).json()
        assert isinstance(wan(body)["rx_bytes-r"], float) and wan(body)["rx_bytes-r"] != int(
            wan(body)["rx_bytes-r"]
        )
        assert any(e["subsystem"] == "wan2" for e in body["data"])
    finally:
        ctl.set_option("float_rates", False)
        ctl.set_option("wan2", False)
    ctl.set_fault("wan_down")
    body = key_client.request("GET", P + "/api/s/default/stat/health", headers=KEY).json()
    assert wan(body)["status"] == "error" and wan(body)["rx_bytes-r"] == 0
    assert ctl.counters["last_served"]["wan_status"] == "error"


# -- UniFi OS login ----------------------------------------------------------------------------


def test_unifios_login_cookie_csrf_and_jwt(ctl):
    client, resp = os_login(ctl)
    assert resp.status == 200 and 2000 < len(resp.body) < 3000
    cookie = resp.header("set-cookie")
    assert cookie.startswith("TOKEN=") and "Path=/" in cookie
    for attr in ("secure", "httponly", "samesite=none"):
        assert attr in cookie
    claims = jwt_claims(client.cookies["TOKEN"])
    assert claims["csrfToken"] == resp.header("x-csrf-token")
    assert claims["exp"] > time.time()
    csrf = claims["csrfToken"]
    assert client.request("GET", "/api/users/self").status == 200
    health = client.request("GET", P + "/api/s/default/stat/health")
    assert health.status == 200
    block = {"cmd": "block-sta", "mac": KIDS_IPAD}
    resp = client.request("POST", P + "/api/s/default/cmd/stamgr", block)
    assert resp.status == 403 and resp.body == b""
    assert ctl.counters["csrf_rejections"] == 1 and not ctl.client_blocked(KIDS_IPAD)
    resp = client.request(
        "POST", P + "/api/s/default/cmd/stamgr", block, headers={"X-CSRF-Token": csrf}
    )
    assert resp.status == 200 and ctl.client_blocked(KIDS_IPAD)
    assert client.request("POST", "/api/auth/logout").status == 403
    resp = client.request("POST", "/api/auth/logout", headers={"X-CSRF-Token": csrf})
    assert resp.status == 200
    assert client.request("GET", "/api/users/self").status == 401
    counters = ctl.counters
    assert counters["logins"] == 1 and counters["connections"] == 1


def test_csrf_only_in_jwt_and_rotation(ctl):
    ctl.set_option("csrf_header", "none")
    ctl.set_option("csrf_rotate", True)
    client, resp = os_login(ctl)
    assert resp.header("x-csrf-token") is None and resp.header("x-updated-csrf-token") is None
    csrf = jwt_claims(client.cookies["TOKEN"])["csrfToken"]
    resp = client.request("GET", P + "/api/s/default/stat/health")
    rotated = resp.header("x-updated-csrf-token")
    assert rotated and rotated != csrf
    body = {"cmd": "block-sta", "mac": KIDS_IPAD}
    stale = client.request("POST", P + "/api/s/default/cmd/stamgr", body, {"X-CSRF-Token": csrf})
    assert stale.status == 403
    resp = client.request("GET", P + "/api/s/default/stat/health")
    fresh = resp.header("x-updated-csrf-token")
    ok = client.request("POST", P + "/api/s/default/cmd/stamgr", body, {"X-CSRF-Token": fresh})
    assert ok.status == 200


def test_wrong_password_403_then_429_lockout(ctl):
    client = Client(ctl)
    bad = {"username": "netrain", "password": "nope", "rememberMe": True}
    for _ in range(3):
        resp = client.request("POST", "/api/auth/login", bad)
        assert resp.status == 403
        assert resp.json()["code"] == "AUTHENTICATION_FAILED_INVALID_CREDENTIALS"
    good = dict(bad, password="pw-good")
    resp = client.request("POST", "/api/auth/login", good)
    assert resp.status == 429 and resp.header("retry-after") is None
    assert resp.json() == {
        "code": "AUTHENTICATION_FAILED_LIMIT_REACHED",
        "message": "You've reached the login attempt limit",
    }
    assert ctl.state["login_lockout_s"] > 25
    ctl.reset_state()
    ctl.set_fault("login_429", count=1)
    assert client.request("POST", "/api/auth/login", good).status == 429
    assert client.request("POST", "/api/auth/login", good).status == 200
    assert ctl.counters["login_failures"] == 5


def test_mfa_account_answers_499(ctl):
    ctl.set_option("mfa", True)
    client, resp = os_login(ctl)
    assert resp.status == 499
    cookie = resp.json()["data"]["mfaCookie"]
    assert cookie.startswith("UBIC_2FA=")
    client.cookies["UBIC_2FA"] = cookie.split("=", 1)[1]
    body = {"username": "netrain", "password": "pw-good", "token": "123456"}
    assert client.request("POST", "/api/auth/login", body).status == 200


def test_login_required_envelope_and_expiry(ctl):
    client = Client(ctl)
    resp = client.request("GET", P + "/api/s/default/stat/health")
    expected = {"meta": {"rc": "error", "msg": "api.err.LoginRequired"}, "data": []}
    assert resp.status == 401 and resp.json() == expected
    ctl.set_option("login_required_status", 200)
    resp = client.request("GET", P + "/api/s/default/stat/health")
    assert resp.status == 200 and resp.json() == expected
    ctl.set_option("login_required_status", 401)
    client, _ = os_login(ctl)
    assert client.request("GET", P + "/api/s/default/stat/health").status == 200
    ctl.expire_sessions()
    assert client.request("GET", P + "/api/s/default/stat/health").status == 401
    resp = client.request("GET", P + "/v2/api/site/default/content-filtering")
    assert resp.json() == {"errorCode": 401, "message": "api.err.LoginRequired"}


# -- legacy ------------------------------------------------------------------------------------


def test_legacy_login_cookies_and_csrf(legacy_ctl):
    legacy_ctl.reset_state()
    client = Client(legacy_ctl)
    resp = client.request("POST", "/api/login", {"username": "netrain", "password": "x"})
    assert resp.status == 400
    assert resp.json() == {"meta": {"rc": "error", "msg": "api.err.Invalid"}, "data": []}
    resp = client.request("POST", "/api/login", {"username": "netrain", "password": "pw-good"})
    assert resp.status == 200 and resp.json() == {"meta": {"rc": "ok"}, "data": []}
    assert set(client.cookies) == {"unifises", "csrf_token"}
    assert client.request("GET", "/api/self").json()["data"][0]["name"] == "netrain"
    assert client.request("GET", "/api/s/default/stat/health").status == 200
    assert client.request("GET", P + "/api/s/default/stat/health").status == 404
    body = {"cmd": "block-sta", "mac": KIDS_IPAD}
    # as real legacy consoles: a write without X-Csrf-Token is taken (aiounifi sends none)
    assert client.request("POST", "/api/s/default/cmd/stamgr", body).status == 200
    assert legacy_ctl.client_blocked(KIDS_IPAD)
    legacy_ctl.set_option("legacy_csrf_required", True)  # the stricter variant, on request
    try:
        unblock = {"cmd": "unblock-sta", "mac": KIDS_IPAD}
        assert client.request("POST", "/api/s/default/cmd/stamgr", unblock).status == 403
        assert legacy_ctl.client_blocked(KIDS_IPAD)
        csrf = {"X-Csrf-Token": client.cookies["csrf_token"]}
        assert client.request("POST", "/api/s/default/cmd/stamgr", unblock, csrf).status == 200
        assert not legacy_ctl.client_blocked(KIDS_IPAD)
    finally:
        legacy_ctl.set_option("legacy_csrf_required", False)
    fresh = Client(legacy_ctl)
    resp = fresh.request("GET", "/api/s/default/stat/health", headers={"X-API-KEY": "anything"})
    assert resp.status == 401 and resp.json()["meta"]["msg"] == "api.err.LoginRequired"


# -- actions -----------------------------------------------------------------------------------


def test_era_a_ad_blocking_round_trip(era_a_ctl):
    era_a_ctl.reset_state()
    client = Client(era_a_ctl)
    ips = client.request("GET", P + "/api/s/default/get/setting/ips", headers=KEY).json()
    setting = ips["data"][0]
    assert setting["key"] == "ips" and setting["ad_blocking_enabled"] is False
    lan = setting["ad_blocking_configurations"][0]["network_id"]
    setting["ad_blocking_enabled"] = True
    resp = client.request("PUT", P + "/api/s/default/set/setting/ips", setting, KEY)
    assert resp.json()["meta"]["rc"] == "ok"
    after = client.request("GET", P + "/api/s/default/get/setting/ips", headers=KEY).json()
    assert after["data"][0]["ad_blocking_enabled"] is True
    assert after["data"][0]["ad_blocking_configurations"] == [{"network_id": lan}]
    partial = {"ad_blocking_enabled": False, "ad_blocking_configurations": [{"network_id": lan}]}
    client.request("POST", P + "/api/s/default/set/setting/ips", partial, KEY)
    assert era_a_ctl.ad_blocking_enabled() is False
    bogus = {"ad_blocking_configurations": [{"network_id": "000000000000000000000000"}]}
    resp = client.request("PUT", P + "/api/s/default/set/setting/ips", bogus, KEY)
    assert resp.json()["meta"]["msg"] == "api.err.InvalidPayload"
    resp = client.request("GET", P + "/v2/api/site/default/content-filtering", headers=KEY)
    assert resp.status == 404


def test_era_b_ad_blocking_round_trip(ctl, key_client):
    path = P + "/api/s/default/get/setting/ips"
    setting = key_client.request("GET", path, headers=KEY).json()["data"][0]
    assert "ad_blocking_enabled" not in setting and "ad_blocking_configurations" not in setting
    era_a_write = {"key": "ips", "ad_blocking_enabled": True}
    resp = key_client.request("PUT", P + "/api/s/default/set/setting/ips", era_a_write, KEY)
    assert resp.status == 200 and resp.json()["meta"]["rc"] == "ok"
    assert (
        "ad_blocking_enabled" not in key_client.request("GET", path, headers=KEY).json()["data"][0]
    )
    assert ctl.ad_blocking_enabled() is False
    ctl.set_fault("era_a_writes_ignored", False)
    resp = key_client.request("PUT", P + "/api/s/default/set/setting/ips", era_a_write, KEY)
    assert resp.status == 400 and resp.json()["meta"]["msg"] == "api.err.InvalidPayload"

    cf = P + "/v2/api/site/default/content-filtering"
    profiles = key_client.request("GET", cf, headers=KEY).json()
    home = next(p for p in profiles if "ADVERTISEMENT" in p["categories"])
    for field in ("_id", "name", "enabled", "network_ids", "client_macs", "allow_list"):
        assert field in home
    assert home["enabled"] is False and home["schedule"] == {"mode": "ALWAYS"}
    home["enabled"] = True
    resp = key_client.request("PUT", cf + "/" + home["_id"], home, KEY)
    assert resp.status == 200 and resp.json() == home
    assert ctl.ad_blocking_enabled() is True
    empty = dict(home, categories=[])
    resp = key_client.request("PUT", cf + "/" + home["_id"], empty, KEY)
    assert resp.status == 400
    assert resp.json() == {"errorCode": 400, "message": "api.err.InvalidPayload"}
    partial = {"_id": home["_id"], "enabled": False}
    assert key_client.request("PUT", cf + "/" + home["_id"], partial, KEY).status == 400
    assert ctl.ad_blocking_enabled() is True


def test_block_unblock_and_read_back(ctl, key_client):
    cmd = P + "/api/s/default/cmd/stamgr"
    user = P + "/api/s/default/stat/user/" + KIDS_IPAD
    assert key_client.request("GET", user, headers=KEY).json()["data"][0]["blocked"] is False
    resp = key_client.request("POST", cmd, {"cmd": "block-sta", "mac": KIDS_IPAD}, KEY)
    assert resp.json()["meta"]["rc"] == "ok"
    record = key_client.request("GET", user, headers=KEY).json()["data"][0]
    assert record["blocked"] is True and record["name"] == "kids-ipad"
    sta = key_client.request("GET", P + "/api/s/default/stat/sta", headers=KEY).json()
    assert KIDS_IPAD not in [c["mac"] for c in sta["data"]]
    key_client.request("POST", cmd, {"cmd": "unblock-sta", "mac": KIDS_IPAD}, KEY)
    assert key_client.request("GET", user, headers=KEY).json()["data"][0]["blocked"] is False
    upper = {"cmd": "block-sta", "mac": KIDS_IPAD.upper()}
    assert key_client.request("POST", cmd, upper, KEY).json()["meta"]["rc"] == "error"

    ctl.set_fault("writes_not_applied", count=1)
    resp = key_client.request("POST", cmd, {"cmd": "block-sta", "mac": KIDS_IPAD}, KEY)
    assert resp.json()["meta"]["rc"] == "ok" and not ctl.client_blocked(KIDS_IPAD)
    ctl.set_fault("writes_refused")
    resp = key_client.request("POST", cmd, {"cmd": "block-sta", "mac": KIDS_IPAD}, KEY)
    assert resp.status == 403 and resp.json()["meta"]["msg"] == "api.err.NoPermission"
    ctl.set_fault("writes_refused", "api_key")
    resp = key_client.request("POST", cmd, {"cmd": "block-sta", "mac": KIDS_IPAD}, KEY)
    assert resp.status == 401
    assert ctl.counters["writes"] == 6 and ctl.counters["writes_applied"] == 2


# -- faults ------------------------------------------------------------------------------------


def test_truncate_reset_and_stall(ctl):
    health = P + "/api/s/default/stat/health"
    ctl.set_fault("truncate", path="/stat/health", count=1)
    client = Client(ctl)
    client.send("GET", health, headers=KEY)
    with pytest.raises(EOFError):
        client.read()
    ctl.set_fault("reset_mid_body", count=1)
    client = Client(ctl)
    client.send("GET", health, headers=KEY)
    with pytest.raises((EOFError, ConnectionResetError, ssl.SSLError)):
        client.read()
    ctl.set_fault("stall", path="/stat/health", count=1)
    client = Client(ctl, timeout_s=0.3)
    client.send("GET", health, headers=KEY)
    with pytest.raises(socket.timeout):
        client.read()
    client = Client(ctl)
    assert client.request("GET", health, headers=KEY).status == 200
    assert ctl.counters["faults_fired"] == {"truncate": 1, "reset_mid_body": 1, "stall": 1}


def test_stall_after_applies_the_write(ctl, key_client):
    ctl.set_fault("stall", "after", path="/cmd/stamgr", count=1)
    client = Client(ctl, timeout_s=0.3)
    client.send(
        "POST", P + "/api/s/default/cmd/stamgr", {"cmd": "block-sta", "mac": KIDS_IPAD}, KEY
    )
    with pytest.raises(socket.timeout):
        client.read()
    assert ctl.client_blocked(KIDS_IPAD)


def test_chunked_huge_malformed_html_and_status_faults(ctl, key_client):
    health = P + "/api/s/default/stat/health"
    ctl.set_fault("chunked", 64, count=1)
    resp = key_client.request("GET", health, headers=KEY)
    assert resp.header("transfer-encoding") == "chunked" and resp.header("content-length") is None
    assert wan(resp.json())["rx_bytes-r"] == 1250000
    ctl.set_fault("huge_body", count=1)
    resp = key_client.request("GET", health, headers=KEY)
    assert len(resp.body) >= 1 << 20 and wan(resp.json())["rx_bytes-r"] == 1250000
    ctl.set_fault("malformed_json", count=1)
    with pytest.raises(ValueError):
        key_client.request("GET", health, headers=KEY).json()
    ctl.set_fault("html_200", count=1)
    resp = key_client.request("GET", health, headers=KEY)
    assert resp.status == 200 and resp.header("content-type").startswith("text/html")
    ctl.set_fault("status_502", count=1)
    resp = key_client.request("GET", health, headers=KEY)
    assert resp.status == 502 and b"502 Bad Gateway" in resp.body
    assert key_client.request("GET", health, headers=KEY).status == 200
    assert ctl.counters["connections"] == 1


def test_latency_and_close_every_connection(ctl, key_client):
    ctl.set_fault("latency_ms", 200, count=1)
    start = time.monotonic()
    assert key_client.request("GET", "/").status == 200
    assert time.monotonic() - start >= 0.19
    ctl.set_fault("close_every_connection")
    assert key_client.request("GET", "/").header("connection") == "close"
    with pytest.raises(EOFError):
        key_client._fill()


def test_trickle_slow_handshake_and_timed_refuse(ctl):
    ctl.set_fault("slow_handshake_ms", 100, count=1)
    ctl.set_fault("trickle_bps", 20000, path="/stat/health", count=1)
    client = Client(ctl)
    body = client.request("GET", P + "/api/s/default/stat/health", headers=KEY).json()
    assert wan(body)["rx_bytes-r"] == 1250000
    assert ctl.counters["faults_fired"] == {"slow_handshake_ms": 1, "trickle_bps": 1}
    ctl.set_fault("refuse", 0.3)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", ctl.port), timeout=2)
    deadline = time.monotonic() + 5
    while not ctl.state["listening"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert Client(ctl).request("GET", "/").status == 200


def test_refuse_closes_listener_and_reopens_same_port(ctl):
    port = ctl.port
    open_client = Client(ctl)
    ctl.set_fault("refuse")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)
    with pytest.raises((EOFError, ConnectionResetError, ssl.SSLError, BrokenPipeError)):
        open_client.request("GET", "/")
    ctl.clear_fault("refuse")
    assert ctl.port == port and Client(ctl).request("GET", "/").status == 200


def test_other_cert_breaks_pinning(ctl):
    ctl.set_fault("other_cert", count=1)
    with pytest.raises(ssl.SSLCertVerificationError):
        Client(ctl)
    Client(ctl, cafile=ctl.cert_pem_path).close()
    # The server finishes its side of a handshake a moment after the client does.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        counters = ctl.counters
        if counters["tls_handshake_failures"] + counters["tls_handshakes"] >= 2:
            break
        time.sleep(0.02)
    assert counters["tls_handshake_failures"] == 1 and counters["tls_handshakes"] == 1
    assert counters["connections"] == 2


def test_control_port(ctl, key_client):
    assert control(
        ctl.control_url, "POST", "/fault", {"name": "wan_down", "path": "/stat/health", "count": 1}
    )
    body = key_client.request("GET", P + "/api/s/default/stat/health", headers=KEY).json()
    assert wan(body)["status"] == "error"
    control(ctl.control_url, "POST", "/options", {"traffic": "flat:500,50"})
    body = key_client.request("GET", P + "/api/s/default/stat/health", headers=KEY).json()
    assert wan(body)["rx_bytes-r"] == 500
    counters = control(ctl.control_url, "GET", "/counters")
    assert counters["requests"] == 2 and counters["connections"] == 1
    assert counters["last_served"]["down_bytes_per_s"] == 500
    assert len(control(ctl.control_url, "GET", "/served")["served"]) == 2
    state = control(ctl.control_url, "GET", "/state")
    assert state["sites"]["default"]["era"] == "B" and state["faults"] == []
    control(ctl.control_url, "POST", "/fault", {"name": "latency_ms", "value": "5"})
    assert control(ctl.control_url, "POST", "/clear", {})["faults"] == []
    assert control(ctl.control_url, "POST", "/reset-counters")["requests"] == 0
    ctl.set_option("traffic", "flat:1250000,125000")


def test_traffic_profile_is_deterministic_and_bounded():
    samples = [traffic.wave(t * 0.5) for t in range(2400)]
    assert samples == [traffic.wave(t * 0.5) for t in range(2400)]
    downs = [d for d, _ in samples]
    assert min(downs) > 0 and max(downs) <= 100_000_000
    assert max(downs) > 40_000_000  # bursts happen within 20 minutes
    assert all(u < d for d, u in samples if d > 20_000_000)
    with pytest.raises(ValueError):
        traffic.Profile("flat:12")


def _wait_for(predicate, timeout_s=5.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_schedule_switches_faults_on_and_off(cert_dir):
    schedule = [[0.3, 0.8, "status_503,path=/stat/health"], [0.5, 0.9, {"name": "wan_down"}]]
    with FakeController(cert_dir=cert_dir, api_key="key-good", schedule=schedule) as ctl:
        client = Client(ctl)
        health = P + "/api/s/default/stat/health"
        assert client.request("GET", health, headers=KEY).status == 200
        assert _wait_for(lambda: [f["name"] for f in ctl.state["faults"]] == ["status_503"])
        assert client.request("GET", health, headers=KEY).status == 503
        assert _wait_for(lambda: ctl.state["faults"] == [])
        assert client.request("GET", health, headers=KEY).status == 200
        log = [(e["fault"], e["on"]) for e in ctl.state["schedule_log"]]
        assert log == [
            ("status_503", True),
            ("wan_down", True),
            ("status_503", False),
            ("wan_down", False),
        ]
        ctl.arm_schedule()  # the clock restarts: the windows come round again
        assert ctl.state["schedule_log"] == []
        assert _wait_for(lambda: len(ctl.state["schedule_log"]) == 4)
    with pytest.raises(ValueError, match="bad schedule entry"):
        FakeController(cert_dir=cert_dir, schedule=[[2, 1, "wan_down"]])
    with pytest.raises(ValueError, match="entry .* unknown fault 'no_such_fault'"):
        FakeController(cert_dir=cert_dir, schedule=[[0, 1, "no_such_fault"]])


def test_other_cert_drops_open_connections(ctl):
    client = Client(ctl)
    assert client.request("GET", "/").status == 200
    ctl.set_fault("other_cert")
    try:
        with pytest.raises((EOFError, ConnectionResetError, ssl.SSLError, BrokenPipeError)):
            client.request("GET", "/")
        with pytest.raises(ssl.SSLCertVerificationError):
            Client(ctl)
    finally:
        ctl.clear_fault("other_cert")
    assert Client(ctl).request("GET", "/").status == 200
