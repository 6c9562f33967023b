# Portable tests of netrain.health: the stat/health reply parsed as it streams in.
# SPDX-License-Identifier: MIT
import json

from _util import raises

from netrain.health import ELEMENT_MAX_BYTES, HealthScan, parse_health

WAN = {
    "subsystem": "wan",
    "status": "ok",
    "rx_bytes-r": 123456,
    "tx_bytes-r": "7890.5",
    "gateways": ["203.0.113.1"],
    "gw_system-stats": {"cpu": "6.1", "uptime": "492633"},
    "uptime_stats": {"WAN": {"monitors": [{"target": 'a]}{"b', "latency": [1, [2, {}]]}]}},
    "isp_name": 'Fibre "[quoted]" {name} \\ ok',
}
REPLY = {
    "meta": {"rc": "ok"},
    "data": [
        {"subsystem": "wlan", "rx_bytes-r": 5, "tx_bytes-r": 6, "nested": {"x": [1]}},
        WAN,
        {"subsystem": "wan2", "rx_bytes-r": 10, "tx_bytes-r": 20.9, "status": "ok"},
        {"subsystem": "www", "latency": 9, "rx_bytes-r": 99999},
        "not an element",
        {"subsystem": "vpn", "deep": [[[[[[1]]]]]]},
    ],
}


class Sample:
    pass


def _feed(scan, chunk):
    """As the HTTP client does: the rest again wherever the scan paused."""
    paused = 0
    while chunk:
        paused = scan.feed(chunk)
        if not paused:
            return
        assert 0 < paused < len(chunk)
        chunk = chunk[paused:]


def _scan(body, size):
    scan = HealthScan()
    scan.reset()
    mv = memoryview(body)
    for i in range(0, len(body), size):
        _feed(scan, mv[i : i + size])
    return scan


def _fields(sample):
    return (sample.down_bytes_per_s, sample.up_bytes_per_s, sample.wan_up, sample.latency_ms)


def test_streamed_equals_parsed_in_any_chunking():
    body = json.dumps(REPLY).encode()
    want = Sample()
    assert parse_health(REPLY, want)
    assert _fields(want) == (123466, 7910, True, 9)
    for size in (1, 2, 7, 64, 1000, len(body)):
        scan = _scan(body, size)
        got = Sample()
        assert scan.fill(got), size
        assert _fields(got) == _fields(want), size
        assert scan.envelope() == {"meta": {"rc": "ok"}}


def test_nested_containers_never_reach_the_element_buffer():
    wan = dict(WAN, uptime_stats={"pad": "x" * (3 * ELEMENT_MAX_BYTES)})  # big, but nested
    body = json.dumps({"meta": {"rc": "ok"}, "data": [wan]}).encode()
    sample = Sample()
    assert _scan(body, 100).fill(sample) and sample.down_bytes_per_s == 123456


def test_wan_down_and_error_envelope():
    reply = {"meta": {"rc": "ok"}, "data": [dict(WAN, status="error")]}
    sample = Sample()
    assert _scan(json.dumps(reply).encode(), 5).fill(sample) and not sample.wan_up
    login = b'{"meta":{"rc":"error","msg":"api.err.LoginRequired"},"data":[]}'
    scan = _scan(login, 3)
    assert scan.envelope() == {"meta": {"rc": "error", "msg": "api.err.LoginRequired"}}
    assert not scan.fill(Sample())  # a data list, but no WAN in it


def test_not_one_json_object_has_no_envelope():
    for body in (
        b"<html><body>502 Bad Gateway</body></html>",
        b'{"meta": {"rc": "ok"}, "data": []}{"again": 1}',
        b'{"meta": {"rc": "ok"}, "data": [] trailing',
        b'{"meta": {"rc": "ok"}, "data": [',  # cut short
        b'[{"subsystem": "wan"}]',
        b'{"data": [{"subsystem": "wan", "rx_bytes-r": tru}]}',  # a broken element
        b"}",
        b"[" * 300 + b"]" * 300,
    ):
        assert _scan(body, 4).envelope() is None, body


def test_missing_data_and_oversized_elements_are_errors():
    sample = Sample()
    raises(ValueError, _scan(b'{"meta": {"rc": "ok"}}', 8).fill, sample)
    big = {"subsystem": "wan", "pad": "p" * ELEMENT_MAX_BYTES}
    body = json.dumps({"data": [big, {"subsystem": "www", "latency": 3}]}).encode()
    raises(ValueError, _scan(body, 50).fill, sample)  # the WAN may have been the big one
    body = json.dumps({"data": [big, WAN]}).encode()
    assert _scan(body, 50).fill(sample)  # WAN found: a big other element is just skipped


def test_the_scan_pauses_after_each_parsed_element():
    body = json.dumps(REPLY).encode()
    scan = HealthScan()
    scan.reset()
    chunk = memoryview(body)
    pauses = 0
    paused = scan.feed(chunk)
    while paused:  # the envelope's meta and five data objects: one json.loads each
        pauses += 1
        chunk = chunk[paused:]
        paused = scan.feed(chunk)
    assert pauses == 6
    sample = Sample()
    assert scan.fill(sample) and scan.envelope() == {"meta": {"rc": "ok"}}


def test_reset_forgets_the_last_reply():
    scan = _scan(json.dumps(REPLY).encode(), 33)
    scan.reset()
    _feed(scan, memoryview(b'{"data": [{"subsystem": "wan", "rx_bytes-r": 1}]}'))
    sample = Sample()
    assert scan.fill(sample) and _fields(sample) == (1, 0, True, None)
