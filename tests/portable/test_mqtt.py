# Portable tests of netrain.mqtt: packet coding and the client against a scripted broker.
# SPDX-License-Identifier: MIT

import asyncio

from _util import raises, run_async

from netrain.compat import sleep_ms
from netrain.mqtt import (
    Client,
    MqttError,
    connect_packet,
    encode_length,
    parse_header,
    parse_publish,
    subscribe_packet,
)


def test_remaining_length_round_trips_at_every_width():
    for n in (0, 127, 128, 16383, 16384, 2097151, 2097152, 268435455):
        buf = bytearray(5)
        buf[0] = 0x30
        end = encode_length(n, buf, 1)
        assert parse_header(buf, end) == (0x30, end, end + n)
    raises(MqttError, encode_length, 268435456, bytearray(5), 1)


def test_header_incomplete_or_malformed():
    assert parse_header(b"\x30", 1) is None
    assert parse_header(b"\x30\x80", 2) is None  # continuation byte, next one missing
    raises(MqttError, parse_header, b"\x30\xff\xff\xff\xff\x01", 6)


def test_connect_packet_bytes():
    assert connect_packet("c", 60) == bytes.fromhex("100d00044d5154540402003c000163")
    pkt = connect_packet("c", 30, "u", "p", ("t/s", "offline", True))
    assert pkt[9] == 0xEE  # user, password, will retain, will QoS 1, will, clean session
    assert pkt.endswith(b"\x00\x03t/s\x00\x07offline\x00\x01u\x00\x01p")
    assert parse_header(pkt, len(pkt))[2] == len(pkt)


def test_subscribe_packet_bytes():
    assert subscribe_packet(7, "a/#", 1) == bytes.fromhex("820800070003612f2301")


def test_parse_publish_views_and_bounds():
    pkt = bytearray(b"\x33\x0a\x00\x03a/b\x00\x09hey")  # QoS 1, retained, id 9
    topic, payload, qos, retained, pid = parse_publish(pkt, 2, len(pkt))
    assert bytes(topic) == b"a/b" and bytes(payload) == b"hey"
    assert (qos, retained, pid) == (1, True, 9)
    raises(MqttError, parse_publish, bytearray(b"\x30\x03\x00\x09a"), 2, 5)  # topic overruns
    raises(MqttError, parse_publish, bytearray(b"\x36\x02\x00\x00"), 2, 4)  # QoS 3


class FakeBroker:
    """One connection's broker side: parses what the client writes and answers."""

    def __init__(self, connack_code=0, ack=True, pong=True):
        self.connack_code = connack_code
        self.ack = ack
        self.pong = pong
        self.inbox = b""
        self.sent = b""
        self.packets = []  # (type byte, whole packet) from the client
        self.closed = False

    def feed(self, data):
        self.inbox += data

    async def readinto(self, buf):
        while not self.inbox:
            if self.closed:
                return 0
            await sleep_ms(1)
        n = min(len(buf), len(self.inbox))
        buf[:n] = self.inbox[:n]
        self.inbox = self.inbox[n:]
        return n

    def write(self, data):
        self.sent += bytes(data)
        while True:
            found = parse_header(self.sent, len(self.sent))
            if found is None or found[2] > len(self.sent):
                return
            pkt, self.sent = self.sent[: found[2]], self.sent[found[2] :]
            self.packets.append((pkt[0], pkt))
            self._answer(pkt, found[1])

    def _answer(self, pkt, header_len):
        kind = pkt[0] & 0xF0
        if kind == 0x10:
            self.feed(bytes((0x20, 2, 0, self.connack_code)))
        elif kind == 0x30 and pkt[0] & 0x06 and self.ack:
            n = (pkt[header_len] << 8) | pkt[header_len + 1]
            pos = header_len + 2 + n
            self.feed(bytes((0x40, 2)) + pkt[pos : pos + 2])
        elif kind == 0xC0 and self.pong:
            self.feed(b"\xd0\x00")

    async def drain(self):
        pass

    def close(self):
        self.closed = True


class Harness:
    def __init__(self, *brokers, **client_args):
        self.brokers = list(brokers)
        self.opened = []
        self.messages = []
        self.logs = []
        self.connected_calls = 0
        self.client = Client(
            "127.0.0.1",
            client_id="t",
            max_packet_bytes=64,
            on_message=self.on_message,
            on_connect=self.on_connect,
            opener=self.opener,
            resolver=self.resolve,
            random_ms=lambda limit: 0,
            log=lambda topic, text: self.logs.append((topic, text)),
            **client_args,
        )
        self.client.BACKOFF_MIN_MS = 1

    async def resolve(self, host, port):
        return host

    async def opener(self, ip, port, ctx):
        broker = self.brokers.pop(0) if self.brokers else FakeBroker()
        self.opened.append(broker)
        return broker, broker

    def on_message(self, topic, payload, retained):
        self.messages.append((bytes(topic), bytes(payload), retained))

    async def on_connect(self):
        self.connected_calls += 1
        await self.client.subscribe("cmd/#")


async def until(cond, ms=3000):
    """Wait for cond() with a generous bound; the bound only stops a broken test."""
    for _ in range(ms // 5):
        if cond():
            return True
        await sleep_ms(5)
    return False


def _with_client(harness, body):
    async def main():
        task = asyncio.create_task(harness.client.run())
        try:
            await body()
        finally:
            harness.client.stop()
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass

    run_async(main())


def test_session_subscribes_publishes_and_acknowledges():
    h = Harness()

    async def body():
        assert await until(lambda: h.connected_calls == 1)
        broker = h.opened[0]
        assert broker.packets[1][1] == subscribe_packet(1, "cmd/#")
        assert await h.client.publish("s/x", "12", retain=True)
        assert broker.packets[-1][1] == b"\x31\x07\x00\x03s/x12"
        assert await h.client.publish("s/y", "on", qos=1)
        assert broker.packets[-1][1] == b"\x32\x09\x00\x03s/y\x00\x02on"
        broker.feed(b"\x32\x0a\x00\x05cmd/a\x01\x02X")  # QoS 1 from the broker
        assert await until(lambda: h.messages)
        assert h.messages == [(b"cmd/a", b"X", False)]
        assert await until(lambda: broker.packets[-1][1] == b"\x40\x02\x01\x02")

    _with_client(h, body)
    assert h.client.connects == 1 and h.client.drops == 0


def test_refused_password_is_reported_and_retried():
    h = Harness(FakeBroker(connack_code=4), FakeBroker(connack_code=5))

    async def body():
        assert await until(lambda: h.client.connected)
        assert len(h.opened) == 3
        assert "not authorised" in h.client.last_error

    _with_client(h, body)
    assert h.client.drops == 2 and h.connected_calls == 1
    # one console line per new reason, in the console's (topic, text) shape
    assert h.logs == [
        ("mqtt", "broker refused the connection: bad user name or password"),
        ("mqtt", "broker refused the connection: not authorised"),
    ]


def test_garbage_and_oversized_packets_drop_the_session_only():
    h = Harness()

    async def body():
        assert await until(lambda: h.client.connected)
        h.opened[0].feed(b"\x30\xff\xff\xff\xff\xff")  # malformed length
        assert await until(lambda: len(h.opened) == 2 and h.client.connected)
        assert "malformed" in h.client.last_error
        h.opened[1].feed(b"\x30\x80\x01" + bytes(128))  # 128 bytes > 64-byte buffer
        assert await until(lambda: len(h.opened) == 3 and h.client.connected)
        assert "over the 64 limit" in h.client.last_error
        h.opened[2].feed(b"\x70\x02\x00\x01")  # PUBCOMP: never valid towards us
        assert await until(lambda: len(h.opened) == 4 and h.client.connected)

    _with_client(h, body)
    assert h.client.drops == 3 and h.client.connects == 4


def test_silent_broker_is_pinged_then_dropped():
    h = Harness(FakeBroker(pong=False))
    h.client.keepalive_ms = 40

    async def body():
        assert await until(lambda: len(h.opened) == 2)
        assert h.opened[0].packets[-1][1] == b"\xc0\x00"  # a PINGREQ went out first
        assert h.opened[0].closed
        assert "silent" in h.client.last_error

    _with_client(h, body)


def test_unacknowledged_qos1_publish_fails_and_reconnects():
    h = Harness(FakeBroker(ack=False))
    h.client.PUBACK_TIMEOUT_MS = 30

    async def body():
        assert await until(lambda: h.client.connected)
        assert not await h.client.publish("a", "b", qos=1)
        assert "PUBACK" in h.client.last_error
        assert await until(lambda: len(h.opened) == 2 and h.client.connected)

    _with_client(h, body)


def test_publish_while_disconnected_is_refused_without_waiting():
    h = Harness()
    assert not run_async(h.client.publish("a", "b"))
    assert not h.opened
