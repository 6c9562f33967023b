# First-boot setup on both runtimes: the page's API with a fake Wi-Fi, probe and files.
# SPDX-License-Identifier: MIT

import json

from _util import run_async
from _web import Reader, Writer, parse_response

from netrain.web import setup as setup_mod
from netrain.web.server import Server
from netrain.web.setup import Setup, ap_credentials, der_to_pem, fingerprint, pem_name

DER = bytes(range(200))


class FakeWlan:
    def scan(self):
        return [
            (b"Home", b"\x01" * 6, 6, -60, 3, False),
            (b"Cafe", b"\x02" * 6, 1, -80, 0, False),
            (b"Home", b"\x03" * 6, 11, -40, 3, False),
            (b"\xff\xfe", b"\x04" * 6, 1, -30, 3, False),
            (b"", b"\x05" * 6, 1, -20, 3, True),
        ]


class FakeFiles:
    def __init__(self):
        self.files = {}

    def write_atomic(self, name, data):
        self.files[name] = data


def make(existing=None, validate=None):
    joins = []
    probes = []

    async def join(ssid, password):
        joins.append((ssid, password))
        return (password == "wifi-pw"), ("joined" if password == "wifi-pw" else "wrong password")

    async def probe(url, site, api_key, username, password):
        probes.append((url, site, api_key, username, password))
        if api_key == "good" or password == "ctl-pw":
            return True, "controller answers", DER
        return False, "API key refused", None

    restarts = []
    files = FakeFiles()
    handler = Setup(FakeWlan(), probe, files, lambda: restarts.append(1), existing, join, validate)
    return Server(handler), handler, files, joins, probes, restarts


def call(server, method, path, body=None, then_ms=0):
    raw = b"%s %s HTTP/1.1\r\n" % (method.encode(), path.encode())
    if body is not None:
        data = json.dumps(body).encode()
        raw += b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(data) + data
    else:
        raw += b"\r\n"
    writer = Writer()

    async def go():
        await server.serve(Reader([raw]), writer)
        await setup_mod.sleep_ms(then_ms)  # tasks the request started, in the same loop

    run_async(go())
    status, headers, out = parse_response(writer.data)
    if headers.get("content-type") == "application/json":
        out = json.loads(out)
    return status, out, headers


def walk(server, save_body=None, then_ms=0):
    assert (
        call(server, "POST", "/api/setup/wifi", {"ssid": "Home", "password": "wifi-pw"})[0] == 200
    )
    status, out, _ = call(
        server, "POST", "/api/setup/test", {"url": "https://10.0.0.1", "api_key": "good"}
    )
    assert status == 200, out
    body = save_body or {"fingerprint": out["fingerprint"], "web_password": "web-pw-long"}
    return call(server, "POST", "/api/setup/save", body, then_ms)


def test_scan_lists_each_network_once_strongest_first():
    server, _, _, _, _, _ = make()
    status, out, _ = call(server, "GET", "/api/setup/scan")
    assert status == 200
    assert out["networks"] == [
        {"ssid": "Home", "rssi": -40, "secure": True},
        {"ssid": "Cafe", "rssi": -80, "secure": False},
    ]


def test_page_and_captive_redirects():
    server, _, _, _, _, _ = make()
    status, body, headers = call(server, "GET", "/")
    assert status == 200 and b"/api/setup/scan" in body
    status, _, headers = call(server, "GET", "/generate_204")
    assert status == 302 and headers["location"] == "/"
    assert call(server, "POST", "/api/setup/nope", {})[0] == 404
    assert call(server, "GET", "/api/setup/save")[0] == 405


def test_full_flow_writes_pin_then_config_and_restarts():
    existing = {"groups": {"kids": ["aa:bb:cc:dd:ee:ff"]}, "wifi": {"country": "DE"}}
    server, handler, files, joins, probes, restarts = make(existing)
    handler.restart_delay_ms = 5
    status, out, _ = walk(server, then_ms=50)
    assert status == 200 and out["ok"] is True
    pem = files.files.pop(pem_name(DER))
    assert pem == der_to_pem(DER).encode() and pem.startswith(b"-----BEGIN CERTIFICATE-----\n")
    cfg = json.loads(files.files.pop("config.json"))
    assert files.files == {}
    assert cfg["wifi"] == {"ssid": "Home", "password": "wifi-pw", "country": "DE"}
    assert cfg["controller"] == {
        "url": "https://10.0.0.1",
        "site": "default",
        "ca_pem": pem_name(DER),
        "api_key": "good",
    }
    assert cfg["web"] == {"password": "web-pw-long"}
    assert cfg["groups"] == existing["groups"]
    assert probes == [("https://10.0.0.1", "default", "good", None, None)]
    assert restarts == [1]


def test_nothing_is_written_until_every_step_passed():
    server, handler, files, _, _, _ = make()
    assert call(server, "POST", "/api/setup/save", {"fingerprint": "x"})[0] == 409
    status, out, _ = call(server, "POST", "/api/setup/wifi", {"ssid": "Home", "password": "bad"})
    assert status == 400 and out["error"] == "wrong password"
    body = {"url": "https://10.0.0.1", "api_key": "good"}
    assert call(server, "POST", "/api/setup/test", body)[0] == 409  # no Wi-Fi yet
    assert (
        call(server, "POST", "/api/setup/wifi", {"ssid": "Home", "password": "wifi-pw"})[0] == 200
    )
    for bad in (
        {"url": "http://10.0.0.1", "api_key": "good"},
        {"url": "https://10.0.0.1"},
        {"url": "https://10.0.0.1", "username": "u"},
        {"api_key": "good"},
    ):
        assert call(server, "POST", "/api/setup/test", bad)[0] == 400, bad
    status, out, _ = call(
        server, "POST", "/api/setup/test", {"url": "https://1.2.3.4", "api_key": "x"}
    )
    assert status == 400 and out["error"] == "API key refused"
    assert call(server, "POST", "/api/setup/save", {"fingerprint": "x"})[0] == 409
    status, out, _ = call(server, "POST", "/api/setup/test", body)
    good = out["fingerprint"]
    for bad in (
        {"fingerprint": "AA:BB", "web_password": "web-pw-long"},
        {"fingerprint": good, "web_password": "short"},
        {"fingerprint": good},
    ):
        assert call(server, "POST", "/api/setup/save", bad)[0] == 400, bad
    assert files.files == {} and not handler.saved


def test_validator_refusal_writes_nothing():
    def refuse(cfg):
        raise ValueError('config "web": unknown key')

    server, _, files, _, _, _ = make(validate=refuse)
    status, out, _ = walk(server)
    assert status == 400 and "unknown key" in out["error"] and files.files == {}


def test_user_and_password_instead_of_api_key():
    server, _, files, _, _, _ = make()
    call(server, "POST", "/api/setup/wifi", {"ssid": "Home", "password": "wifi-pw"})
    body = {"url": "https://c", "username": "admin", "password": "ctl-pw", "site": "lab"}
    status, out, _ = call(server, "POST", "/api/setup/test", body)
    assert status == 200
    save = {"fingerprint": out["fingerprint"], "web_password": "web-pw-long"}
    assert call(server, "POST", "/api/setup/save", save)[0] == 200
    ctl = json.loads(files.files["config.json"])["controller"]
    assert ctl["username"] == "admin" and ctl["password"] == "ctl-pw" and ctl["site"] == "lab"
    assert "api_key" not in ctl


def test_no_setup_answer_echoes_a_secret():
    server, _, _, _, _, _ = make()
    for path, body in (
        ("/api/setup/wifi", {"ssid": "Home", "password": "wifi-pw"}),
        ("/api/setup/test", {"url": "https://c", "username": "u", "password": "ctl-pw"}),
    ):
        status, out, _ = call(server, "POST", path, body)
        assert "wifi-pw" not in json.dumps(out) and "ctl-pw" not in json.dumps(out)


def test_ap_credentials_and_fingerprint():
    name, password = ap_credentials(b"\x00\x11\xab\xcd", bytes(range(40, 48)))
    assert name == "netrain-ABCD" and len(password) == 8
    assert all(c in setup_mod._AP_PASSWORD_CHARS for c in password)
    fp = fingerprint(b"abc")
    assert fp.startswith("BA:78:16:BF") and len(fp) == 95


def test_files_write_atomically_through_a_temporary(tmp_dir="/tmp"):
    import os

    files = setup_mod.Files(tmp_dir)
    files.write_atomic("netrain-web-test.json", b"{}")
    files.write_atomic("netrain-web-test.json", b'{"a": 1}')
    with open(tmp_dir + "/netrain-web-test.json", "rb") as f:
        assert f.read() == b'{"a": 1}'
    names = os.listdir(tmp_dir)
    assert "netrain-web-test.json.tmp" not in names
    os.remove(tmp_dir + "/netrain-web-test.json")
