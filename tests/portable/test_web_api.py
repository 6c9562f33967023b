# The web API on both runtimes: every route, auth, lockout, bad requests, no secrets out.
# SPDX-License-Identifier: MIT

import binascii
import json

from _util import FakeClock, run_async
from _web import SECRETS, FakeControls, Reader, Writer, parse_response

from netrain.panel import Panel
from netrain.web import auth
from netrain.web.api import Api
from netrain.web.server import BODY_BYTES, HEAD_BYTES, Server

PASSWORD = SECRETS[3]


def make(password=PASSWORD, public_read=True, deadline_ms=3000):
    controls = FakeControls()
    panel = Panel(16, 16)
    clock = FakeClock(1000)
    api = Api(controls, panel, {"password": password, "public_read": public_read}, clock=clock)
    return Server(api, deadline_ms=deadline_ms), api, controls, panel, clock


def basic(password, user="admin"):
    token = binascii.b2a_base64(("%s:%s" % (user, password)).encode()).strip()
    return b"Authorization: Basic " + token + b"\r\n"


def raw_request(method, path, body=None, headers=b""):
    head = b"%s %s HTTP/1.1\r\nHost: board\r\n" % (method.encode(), path.encode())
    if body is not None:
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        head += b"Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body)
    return head + headers + b"\r\n" + (body or b"")


def send(server, raw, chunk=7, stall=False):
    """Serve one connection whose bytes arrive in small chunks; (status, headers, body)."""
    chunks = [raw[i : i + chunk] for i in range(0, len(raw), chunk)]
    writer = Writer()
    run_async(server.serve(Reader(chunks, stall), writer))
    assert writer.closed
    if not writer.data:
        return None, {}, b""
    return parse_response(writer.data)


def call(server, method, path, body=None, headers=b""):
    status, hdrs, out = send(server, raw_request(method, path, body, headers))
    if hdrs.get("content-type") == "application/json":
        return status, json.loads(out), hdrs
    return status, out, hdrs


def assert_no_secret(raw):
    for secret in SECRETS:
        assert secret.encode() not in raw, secret


def test_state_reports_the_allow_listed_keys_only():
    server, _, _, _, _ = make()
    status, state, _ = call(server, "GET", "/api/state")
    assert status == 200
    assert state["state"] == "ok" and state["down_bytes_per_s"] == 1250000
    assert state["groups"] == {"kids": False} and state["adblock"] is True
    assert state["width"] == 16 and "classic" in state["scenes"]
    assert "wifi_password" not in state and "api_key" not in state
    assert state["actions"] == [
        {"action": "adblock", "result": "verified", "detail": "on", "t_s": 3}
    ]


def test_frame_is_rgb_from_the_bgr0_buffer():
    server, _, _, panel, _ = make()
    panel.fb[0:4] = bytes((10, 20, 30, 0))  # B, G, R, 0 of pixel (0, 0)
    panel.fb[-4:] = bytes((1, 2, 3, 0))
    status, body, hdrs = call(server, "GET", "/api/frame")
    assert status == 200 and len(body) == 16 * 16 * 3
    assert body[:3] == bytes((30, 20, 10)) and body[-3:] == bytes((3, 2, 1))
    assert hdrs["x-frame-width"] == "16" and hdrs["x-frame-height"] == "16"


def test_page_is_served_and_gzip_when_accepted():
    server, api, _, _, _ = make()
    status, body, hdrs = call(server, "GET", "/")
    assert status == 200 and hdrs["content-type"].startswith("text/html")
    assert b"/api/frame" in body and int(hdrs["content-length"]) == len(body)
    assert "content-encoding" not in hdrs


def test_action_needs_the_password_and_reaches_controls():
    server, _, controls, _, _ = make()
    status, out, hdrs = call(server, "POST", "/api/action", {"action": "adblock"})
    assert status == 401 and "password" in out["error"]
    assert hdrs["www-authenticate"].startswith("Basic")
    assert controls.commands == []
    status, out, _ = call(server, "POST", "/api/action", {"action": "adblock"}, basic(PASSWORD))
    assert status == 200 and out["ok"] is True
    status, out, _ = call(
        server, "POST", "/api/action", {"action": "timed_pause:kids"}, basic(PASSWORD)
    )
    assert status == 200
    assert controls.commands == [("adblock", None), ("timed_pause:kids", None)]


def test_wrong_password_gets_401_without_a_browser_prompt():
    server, _, controls, _, _ = make()
    status, out, hdrs = call(server, "POST", "/api/action", {"action": "adblock"}, basic("nope"))
    assert status == 401 and "www-authenticate" not in hdrs
    status, _, _ = call(
        server, "POST", "/api/action", {"action": "adblock"}, basic(PASSWORD, "root")
    )
    assert status == 401 and controls.commands == []


def test_action_refusals():
    server, _, controls, _, _ = make()
    pw = basic(PASSWORD)
    assert call(server, "POST", "/api/action", {"action": "reboot"}, pw)[0] == 400
    assert call(server, "POST", "/api/action", {"action": "pause:nobody"}, pw)[0] == 404
    assert call(server, "POST", "/api/action", {"action": 3}, pw)[0] == 400
    assert call(server, "POST", "/api/action", [1, 2], pw)[0] == 400
    controls.result = (False, "busy: adblock")
    status, out, _ = call(server, "POST", "/api/action", {"action": "pause:kids"}, pw)
    assert status == 409 and out["error"] == "busy: adblock"


def test_settings_are_checked_before_any_is_applied():
    server, _, controls, _, _ = make()
    pw = basic(PASSWORD)
    status, out, _ = call(server, "POST", "/api/settings", {"brightness": 0.3, "scene": "nope"}, pw)
    assert status == 400 and "scenes are" in out["error"] and controls.commands == []
    status, out, _ = call(server, "POST", "/api/settings", {"view": "nope"}, pw)
    assert status == 400 and "views are" in out["error"] and controls.commands == []
    for bad in ({"brightness": 2}, {"sleep": 1}, {"gain": 0}, {"gain": True}, {"volume": 1}, {}):
        assert call(server, "POST", "/api/settings", bad, pw)[0] == 400, bad
    assert controls.commands == []
    body = {"brightness": 0.3, "scene": "fire", "sleep": True, "gain": 200, "view": "split"}
    status, out, _ = call(server, "POST", "/api/settings", body, pw)
    assert status == 200 and out["ok"] is True
    assert sorted(controls.commands) == [
        ("brightness", 0.3),
        ("gain", 200),
        ("scene", "fire"),
        ("sleep", True),
        ("view", "split"),
    ]


def test_no_password_set_refuses_writes_and_says_how():
    server, _, controls, _, _ = make(password=None)
    status, out, _ = call(server, "POST", "/api/action", {"action": "adblock"}, basic(""))
    assert status == 403 and '"web"' in out["error"] and "password" in out["error"]
    assert call(server, "GET", "/api/state")[0] == 200
    assert controls.commands == []


def test_lockout_grows_after_repeated_failures():
    server, api, controls, _, clock = make()
    wrong = basic("guess")
    for _ in range(auth.FREE_TRIES):
        assert call(server, "POST", "/api/action", {"action": "adblock"}, wrong)[0] == 401
    status, out, hdrs = call(server, "POST", "/api/action", {"action": "adblock"}, wrong)
    assert status == 429 and hdrs["retry-after"] == "1"
    # while locked even the right password is refused, unchecked
    assert call(server, "POST", "/api/action", {"action": "adblock"}, basic(PASSWORD))[0] == 429
    clock.advance(1000)
    assert call(server, "POST", "/api/action", {"action": "adblock"}, wrong)[0] == 401
    status, _, hdrs = call(server, "POST", "/api/action", {"action": "adblock"}, wrong)
    assert status == 429 and hdrs["retry-after"] == "2"
    for _ in range(12):
        api.auth.failures += 1
    assert api.auth.lock_left_s() == auth.MAX_LOCK_S
    clock.advance(auth.MAX_LOCK_S * 1000)
    assert call(server, "POST", "/api/action", {"action": "adblock"}, basic(PASSWORD))[0] == 200
    assert api.auth.failures == 0 and controls.commands == [("adblock", None)]


def test_private_reads_need_the_password_but_the_page_does_not():
    server, _, _, _, _ = make(public_read=False)
    assert call(server, "GET", "/api/state")[0] == 401
    assert call(server, "GET", "/api/frame")[0] == 401
    assert call(server, "GET", "/api/state", headers=basic(PASSWORD))[0] == 200
    assert call(server, "GET", "/")[0] == 200


def test_unknown_paths_and_methods():
    server, _, _, _, _ = make()
    status, out, _ = call(server, "GET", "/etc/passwd")
    assert status == 404 and "error" in out
    status, out, hdrs = call(server, "GET", "/api/action")
    assert status == 405 and hdrs["allow"] == "POST"
    assert call(server, "DELETE", "/api/state")[0] == 405


def test_malformed_requests_get_400():
    server, _, _, _, _ = make()
    for raw in (
        b"GET\r\n\r\n",
        b"GET /api/state\r\n\r\n",
        b"GET api/state HTTP/1.1\r\n\r\n",
        b"POST /api/action HTTP/1.1\r\nContent-Length: x\r\n\r\n",
        b"POST /api/action HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
        raw_request("POST", "/api/action", b"{not json", basic(PASSWORD)),
    ):
        status, hdrs, body = send(server, raw)
        assert status == 400, raw
        assert "error" in json.loads(body)
    # a text/plain body (what a cross-site form can send) is refused even with the password
    raw = raw_request("POST", "/api/action", {"action": "adblock"}, basic(PASSWORD))
    raw = raw.replace(b"application/json", b"text/plain")
    assert send(server, raw)[0] == 400


def test_oversized_requests_get_413():
    server, _, _, _, _ = make()
    big_header = b"X-Pad: " + b"a" * HEAD_BYTES + b"\r\n"
    assert send(server, raw_request("GET", "/api/state", headers=big_header), chunk=200)[0] == 413
    body = b'{"action": "' + b"a" * BODY_BYTES + b'"}'
    assert send(server, raw_request("POST", "/api/action", body, basic(PASSWORD)))[0] == 413


def test_slow_and_silent_clients_are_dropped():
    server, _, _, _, _ = make(deadline_ms=50)
    status, _, _ = send(server, b"GET /api/sta", stall=True)
    assert status is None and server.dropped == 1
    status, _, _ = send(server, b"GET /api/state HTTP/1.1\r\n")  # closed mid-request
    assert status is None and server.dropped == 2
    assert call(server, "GET", "/api/state")[0] == 200  # slots came back


def test_a_third_client_gets_503_while_two_are_served():
    server, _, _, _, _ = make()
    server._free = [server._free[0]]  # one slot left: the next request takes it
    slot = server._free.pop()
    status, hdrs, body = send(server, raw_request("GET", "/api/state"))
    assert status == 503 and server.busy == 1
    server._free.append(slot)
    assert call(server, "GET", "/api/state")[0] == 200


def test_no_response_ever_carries_a_secret():
    server, _, _, _, _ = make()
    pw = basic(PASSWORD)
    for method, path, body, headers in (
        ("GET", "/", None, b""),
        ("GET", "/api/state", None, b""),
        ("GET", "/api/frame", None, b""),
        ("POST", "/api/action", {"action": "adblock"}, pw),
        ("POST", "/api/action", {"action": "adblock"}, basic("x")),
        ("POST", "/api/settings", {"brightness": 0.5}, pw),
        ("POST", "/api/settings", {"scene": SECRETS[0]}, pw),
        ("GET", "/" + SECRETS[3], None, b""),
    ):
        writer = Writer()
        raw = raw_request(method, path, body, headers)
        run_async(server.serve(Reader([raw]), writer))
        assert_no_secret(writer.data)


def test_constant_time_compare():
    assert auth.same(b"abc", b"abc")
    assert not auth.same(b"abc", b"abd")
    assert not auth.same(b"abc", b"ab")
