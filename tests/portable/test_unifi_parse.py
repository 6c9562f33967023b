# Portable tests of the UniFi reply parsing: health, plan speed, envelopes, JWT claims.
import json

from _util import raises

from netrain.http_parse import HttpError
from netrain.source import Sample, SourceError
from netrain.unifi import (
    _check,
    _http_failure,
    envelope_error,
    jwt_claim,
    number,
    parse_health,
    parse_plan,
)

HEALTH = {
    "meta": {"rc": "ok"},
    "data": [
        {"subsystem": "wlan", "num_user": 5, "rx_bytes-r": 999, "tx_bytes-r": 999},
        {
            "subsystem": "wan",
            "status": "ok",
            "rx_bytes-r": 31965.902,
            "tx_bytes-r": "1200",
            "wan_ip": "203.0.113.7",
        },
        {"subsystem": "www", "status": "ok", "latency": 9, "rx_bytes-r": 31965, "tx_bytes-r": 1200},
        {"subsystem": "lan", "status": "ok"},
    ],
}


def test_number_is_lenient():
    assert number(5) == 5
    assert number(5.9) == 5
    assert number("42.7") == 42
    assert number("x") == 0
    assert number(None) == 0
    assert number(True) == 0


def test_parse_health_reads_wan_and_latency():
    s = Sample()
    assert parse_health(HEALTH, s)
    assert s.down_bytes_per_s == 31965
    assert s.up_bytes_per_s == 1200
    assert s.wan_up
    assert s.latency_ms == 9


def test_parse_health_wan_down_and_second_wan():
    obj = json.loads(json.dumps(HEALTH))
    obj["data"][1]["status"] = "error"
    obj["data"].append({"subsystem": "wan2", "status": "ok", "rx_bytes-r": 100, "tx_bytes-r": 10})
    s = Sample()
    assert parse_health(obj, s)
    assert not s.wan_up
    assert s.down_bytes_per_s == 32065
    assert s.up_bytes_per_s == 1210


def test_parse_health_without_wan_or_data():
    s = Sample()
    assert not parse_health({"meta": {"rc": "ok"}, "data": [{"subsystem": "wlan"}]}, s)
    raises(ValueError, parse_health, {"meta": {"rc": "ok"}}, s)
    raises(ValueError, parse_health, [], s)


def test_parse_health_survives_hostile_shapes():
    s = Sample()
    obj = {"data": [1, "x", None, {"subsystem": "wan", "rx_bytes-r": [1], "tx_bytes-r": {}}]}
    assert parse_health(obj, s)
    assert s.down_bytes_per_s == 0 and s.up_bytes_per_s == 0


def test_envelopes():
    assert envelope_error({"meta": {"rc": "ok"}, "data": []}) is None
    err = {"meta": {"rc": "error", "msg": "api.err.LoginRequired"}, "data": []}
    assert envelope_error(err) == "api.err.LoginRequired"
    assert envelope_error({"errorCode": 400, "message": "api.err.InvalidPayload"}) == (
        "api.err.InvalidPayload"
    )
    assert envelope_error([{"_id": "x"}]) is None
    assert envelope_error(None) is None


def test_parse_plan():
    conf = {
        "meta": {"rc": "ok"},
        "data": [
            {"purpose": "corporate", "name": "LAN"},
            {
                "purpose": "wan",
                "wan_provider_capabilities": {
                    "download_kilobits_per_second": 1000000,
                    "upload_kilobits_per_second": 50000,
                },
            },
        ],
    }
    assert parse_plan(conf) == (125_000_000, 6_250_000)
    assert parse_plan({"data": [{"purpose": "wan"}]}) is None
    assert parse_plan({}) is None


def test_jwt_claim():
    import binascii

    payload = binascii.b2a_base64(json.dumps({"csrfToken": "abc-123", "exp": 5}).encode())
    payload = payload.strip().decode().replace("+", "-").replace("/", "_").rstrip("=")
    token = "eyJhbGciOiJIUzI1NiJ9." + payload + ".sig"
    assert jwt_claim(token, "csrfToken") == "abc-123"
    assert jwt_claim("garbage", "csrfToken") is None
    assert jwt_claim("a.!!!.c", "csrfToken") is None


class _Reply:
    def __init__(self, status):
        self.status = status


def test_failed_polls_carry_a_panel_detail_a_user_can_act_on():
    cases = (
        ("timeout", "controller_unreachable", "TIMEOUT"),
        ("dns", "controller_unreachable", "NAME NOT FOUND"),
        ("refused", "controller_unreachable", "REFUSED"),
        ("closed", "controller_unreachable", None),
        ("limit", "controller_error", "REPLY TOO LARGE"),
        ("protocol", "controller_error", "BAD REPLY"),
        ("cert", "cert_mismatch", None),
    )
    for kind, state, detail in cases:
        error = _http_failure(HttpError(kind, "why"))
        assert (error.state, error.detail) == (state, detail), (kind, error.state, error.detail)
    for status, obj, detail in (
        (503, None, "HTTP 503"),
        (302, None, "HTTP 302"),
        (200, None, "NOT JSON"),
    ):
        error = raises(SourceError, _check, _Reply(status), obj, None)
        assert error.detail == detail, (status, error.detail)
    error = raises(SourceError, _check, _Reply(200), {}, "api.err.NoSiteContext")
    assert error.detail == "UNKNOWN SITE"
