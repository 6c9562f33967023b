# netrain.mqtt: a small asyncio MQTT 3.1.1 client that never blocks the loop.
# SPDX-License-Identifier: MIT
"""One broker connection, kept up by ``run()`` in the app's own event loop.

Why not a library: micropython-lib's umqtt.simple/robust block on socket calls
(a broker that stalls holds the render), and mqtt_as manages Wi-Fi itself and
costs more heap than this whole client; neither runs unchanged on CPython.

* Every wait has a deadline: connect (and TLS), CONNACK, each write, each
  PUBACK, and the read loop, which sends PINGREQ at keep-alive pace and drops a
  connection the broker has not answered within one and a half keep-alive periods.
* One receive buffer of ``max_packet_bytes`` is allocated once; a longer or
  malformed packet drops the connection (and ``run()`` reconnects), never raises
  out of ``run()``.
* Reconnects back off from 1 s doubling to 60 s, with up to 25 % jitter so many
  devices do not return to a restarted broker together.
* QoS 0 and 1 publishes (PUBACK awaited; one QoS 1 publish in flight at a
  time, so one task publishes), subscribe, retained messages and a retained
  last will. Incoming QoS 1 messages are acknowledged.

``on_message(topic, payload, retained)`` receives memoryviews valid only during
the call; ``await on_connect()`` runs after each CONNACK (subscribe and publish
the retained state there). ``opener`` and ``resolver`` have netrain.http's shapes;
``log(topic, text)`` is netrain.console's ``Console.line`` (rate-limited per topic, so a
flapping broker cannot flood the serial console).
"""

import asyncio

from .compat import const, sleep_ms, ticks_diff, ticks_ms, tls_client_context, wait_for_ms
from .compat import readinto as _readinto

_CONNECT = const(0x10)
_CONNACK = const(0x20)
_PUBLISH = const(0x30)
_PUBACK = const(0x40)
_SUBSCRIBE = const(0x82)  # reserved flag bits 0010 are part of the type byte
_SUBACK = const(0x90)
_PINGRESP = const(0xD0)

_REFUSED = (
    None,
    "unacceptable protocol version",
    "client id rejected",
    "server unavailable",
    "bad user name or password",
    "not authorised",
)


class MqttError(Exception):
    """A broken, refused or malformed session; ``run()`` drops it and reconnects."""


def encode_length(n, out, pos):
    """Write MQTT's variable-length integer for n into out at pos; the new pos."""
    if n < 0 or n > 268435455:
        raise MqttError("length %d out of range" % n)
    while True:
        byte = n & 0x7F
        n >>= 7
        out[pos] = byte | (0x80 if n else 0)
        pos += 1
        if not n:
            return pos


def parse_header(buf, end):
    """(type byte, header bytes, whole packet bytes) of the packet at buf[0:end],
    or None while its fixed header is incomplete."""
    if end < 2:
        return None
    n = 0
    shift = 0
    pos = 1
    while True:
        if pos >= end:
            return None
        if pos > 4:
            raise MqttError("malformed remaining length")
        byte = buf[pos]
        n |= (byte & 0x7F) << shift
        shift += 7
        pos += 1
        if not byte & 0x80:
            return buf[0], pos, pos + n


def _string(text):
    data = text.encode() if isinstance(text, str) else bytes(text)
    return bytes((len(data) >> 8, len(data) & 0xFF)) + data


def connect_packet(client_id, keepalive_s, username=None, password=None, will=None):
    """CONNECT with a clean session; will = (topic, payload, retain) at QoS 1."""
    flags = 0x02
    body = b"\x00\x04MQTT\x04"
    tail = _string(client_id)
    if will:
        flags |= 0x04 | 0x08 | (0x20 if will[2] else 0)  # will, will QoS 1, will retain
        tail += _string(will[0]) + _string(will[1])
    if username is not None:
        flags |= 0x80
        tail += _string(username)
        if password is not None:
            flags |= 0x40
            tail += _string(password)
    body += bytes((flags, keepalive_s >> 8, keepalive_s & 0xFF)) + tail
    return _frame(_CONNECT, body)


def subscribe_packet(packet_id, topic, qos=0):
    body = bytes((packet_id >> 8, packet_id & 0xFF)) + _string(topic) + bytes((qos,))
    return _frame(_SUBSCRIBE, body)


def _frame(type_byte, body):
    head = bytearray(5)
    head[0] = type_byte
    n = encode_length(len(body), head, 1)
    return bytes(head[:n]) + body


def parse_publish(buf, header_len, total):
    """(topic, payload, qos, retained, packet_id) as memoryviews into buf."""
    flags = buf[0] & 0x0F
    qos = (flags >> 1) & 0x03
    if qos == 3:
        raise MqttError("publish with QoS 3")
    pos = header_len
    if pos + 2 > total:
        raise MqttError("publish too short")
    n = (buf[pos] << 8) | buf[pos + 1]
    pos += 2
    if pos + n > total:
        raise MqttError("publish topic overruns the packet")
    mv = memoryview(buf)
    topic = mv[pos : pos + n]
    pos += n
    packet_id = 0
    if qos:
        if pos + 2 > total:
            raise MqttError("publish without packet id")
        packet_id = (buf[pos] << 8) | buf[pos + 1]
        pos += 2
    return topic, mv[pos:total], qos, bool(flags & 0x01), packet_id


async def _open_connection(host_ip, port, ssl_ctx):
    return await asyncio.open_connection(host_ip, port, ssl=ssl_ctx)


async def _resolve(host, port):
    from .compat import resolve_ip

    return await resolve_ip(host, port)


class Client:
    """A persistent, self-healing MQTT session to one broker."""

    CONNECT_TIMEOUT_MS = 8000  #: TCP connect, TLS handshake and CONNACK together
    WRITE_TIMEOUT_MS = 5000  #: one packet handed to the socket
    PUBACK_TIMEOUT_MS = 5000  #: a QoS 1 publish's acknowledgement
    BACKOFF_MIN_MS = 1000  #: first wait before a reconnect; doubles per failure
    BACKOFF_MAX_MS = 60000

    def __init__(
        self,
        host,
        port=1883,
        client_id="netrain",
        username=None,
        password=None,
        keepalive_s=60,
        will=None,
        ca_der=None,
        tls=False,
        max_packet_bytes=1024,
        on_message=None,
        on_connect=None,
        opener=None,
        resolver=None,
        random_ms=None,
        log=None,
    ):
        self.host = host
        self.port = port
        self._connect_packet = connect_packet(client_id, keepalive_s, username, password, will)
        self.keepalive_ms = keepalive_s * 1000
        self._ctx = None
        if tls:
            if not ca_der:
                raise ValueError("mqtt.tls needs the broker certificate (mqtt.ca_pem)")
            from .cert import cert_hostname, pem_to_der

            if isinstance(ca_der, str) or ca_der[:5] == b"-----":
                ca_der = pem_to_der(ca_der)
            self._ctx = tls_client_context(ca_der, False, cert_hostname(ca_der))
        self._rx = bytearray(max_packet_bytes)
        self._rx_mv = memoryview(self._rx)
        self._rx_end = 0
        self._head = bytearray(5)  # a publish's fixed header
        self._id_buf = bytearray(2)
        self._on_message = on_message
        self._on_connect = on_connect
        self._opener = opener or _open_connection
        self._resolve = resolver or _resolve
        self._random_ms = random_ms or _random_ms
        self._log = log or _print
        self._lock = asyncio.Lock()
        self._reader = self._writer = None
        self._connected = False
        self._packet_id = 0
        self._awaited_id = 0  # the QoS 1 publish waiting for its PUBACK
        self._acked = False
        self._ping_sent = False
        self._stop = False
        self.connects = 0  #: sessions established (CONNACK accepted)
        self.drops = 0  #: sessions lost or refused
        self.last_error = None  #: why the last session ended (kept after a reconnect)

    @property
    def connected(self):
        return self._connected

    # ---- public API ---------------------------------------------------------

    async def run(self):
        """Connect, serve, reconnect with backoff until ``stop()``; never raises."""
        backoff_ms = self.BACKOFF_MIN_MS
        while not self._stop:
            try:
                await self._connect()
                backoff_ms = self.BACKOFF_MIN_MS
                if self._on_connect is not None:
                    await self._on_connect()
                await self._serve()
            except asyncio.CancelledError:
                self._close()
                raise
            except Exception as exc:  # a broken session is expected: report once, retry
                self.drops += 1
                if self.last_error != str(exc):
                    self.last_error = str(exc)
                    self._log("mqtt", str(exc))
            self._close()
            if self._stop:
                break
            await sleep_ms(backoff_ms + self._random_ms(backoff_ms // 4))
            backoff_ms = min(backoff_ms * 2, self.BACKOFF_MAX_MS)

    def stop(self):
        self._stop = True
        self._close()

    async def publish(self, topic, payload, retain=False, qos=0):
        """Send one message; False when not connected or it failed (the session drops)."""
        if not self._connected:
            return False
        try:
            if qos:
                return await self._publish_qos1(topic, payload, retain)
            await self._send_publish(topic, payload, retain, 0, 0)
            return True
        except Exception as exc:
            self._fail(exc)
            return False

    async def subscribe(self, topic, qos=0):
        if not self._connected:
            return False
        try:
            await self._write(subscribe_packet(self._next_id(), topic, qos))
            return True
        except Exception as exc:
            self._fail(exc)
            return False

    # ---- session ------------------------------------------------------------

    async def _connect(self):
        self._rx_end = 0
        self._ping_sent = False
        await wait_for_ms(self._open(), self.CONNECT_TIMEOUT_MS)

    async def _open(self):
        ip = await self._resolve(self.host, self.port)
        self._reader, self._writer = await self._opener(ip, self.port, self._ctx)
        await self._write(self._connect_packet)
        while True:
            type_byte, header_len, total = await self._read_packet()
            if type_byte != _CONNACK:
                raise MqttError("expected CONNACK, got 0x%02x" % type_byte)
            if total - header_len != 2:
                raise MqttError("malformed CONNACK")
            code = self._rx[header_len + 1]
            self._consume(total)
            if code:
                reason = _REFUSED[code] if code < len(_REFUSED) else "code %d" % code
                raise MqttError("broker refused the connection: %s" % reason)
            self._connected = True
            self.connects += 1
            return

    async def _serve(self):
        while self._connected:
            type_byte, header_len, total = await self._read_packet(self._ping)
            kind = type_byte & 0xF0
            if kind == _PUBLISH:
                topic, payload, qos, retained, packet_id = parse_publish(
                    self._rx, header_len, total
                )
                if self._on_message is not None:
                    try:
                        self._on_message(topic, payload, retained)
                    except Exception as exc:  # a handler bug must not kill the session
                        self._log("mqtt", "handler failed: %r" % exc)
                self._consume(total)
                if qos:
                    await self._write(self._ack(_PUBACK, packet_id))
            elif kind == _PUBACK:
                if total - header_len == 2:
                    packet_id = (self._rx[header_len] << 8) | self._rx[header_len + 1]
                    if packet_id == self._awaited_id:
                        self._acked = True
                self._consume(total)
            elif kind in (_PINGRESP, _SUBACK):
                self._consume(total)
            else:
                raise MqttError("unexpected packet 0x%02x" % type_byte)
            self._ping_sent = False
            await sleep_ms(0)  # buffered packets are handled without a read: yield between
        raise MqttError(self.last_error or "session closed")

    async def _ping(self):
        """Called when nothing arrived for half a keep-alive period."""
        if self._ping_sent:
            raise MqttError("broker silent for a keep-alive period")
        self._ping_sent = True
        await self._write(b"\xc0\x00")  # PINGREQ

    async def _read_packet(self, on_idle=None):
        """Read until the buffer holds one whole packet; (type, header bytes, total)."""
        idle_ms = self.keepalive_ms // 2 if on_idle else self.CONNECT_TIMEOUT_MS
        while True:
            found = parse_header(self._rx, self._rx_end)
            if found is not None:
                if found[2] > len(self._rx):
                    raise MqttError(
                        "packet of %d bytes over the %d limit" % (found[2], len(self._rx))
                    )
                if found[2] <= self._rx_end:
                    return found
            try:
                n = await wait_for_ms(self._read_some(), idle_ms)
            except asyncio.TimeoutError:
                if on_idle is None:
                    raise MqttError("broker did not answer")
                await on_idle()
                continue
            if not n:
                raise MqttError("broker closed the connection")
            self._rx_end += n

    async def _read_some(self):
        while True:
            n = await _readinto(self._reader, self._rx_mv[self._rx_end :])
            if n is not None:  # None: a TLS record not complete yet
                return n

    def _consume(self, total):
        rest = self._rx_end - total
        if rest:
            self._rx[0:rest] = self._rx_mv[total : self._rx_end]
        self._rx_end = rest

    # ---- writing ------------------------------------------------------------

    async def _write(self, *parts):
        writer = self._writer
        if writer is None:
            raise MqttError("not connected")
        async with self._lock:
            for part in parts:
                writer.write(part)
            await wait_for_ms(writer.drain(), self.WRITE_TIMEOUT_MS)

    async def _send_publish(self, topic, payload, retain, qos, packet_id):
        if isinstance(topic, str):
            topic = topic.encode()
        if isinstance(payload, str):
            payload = payload.encode()
        n = 2 + len(topic) + len(payload) + (2 if qos else 0)
        head = self._head
        head[0] = _PUBLISH | (qos << 1) | (1 if retain else 0)
        end = encode_length(n, head, 1)
        ids = self._id_buf
        ids[0] = len(topic) >> 8
        ids[1] = len(topic) & 0xFF
        head_mv = memoryview(head)[:end]
        if qos:
            ack = self._ack(0, packet_id)[2:]
            await self._write(head_mv, bytes(ids), topic, ack, payload)
        else:
            await self._write(head_mv, bytes(ids), topic, payload)

    async def _publish_qos1(self, topic, payload, retain):
        packet_id = self._next_id()
        self._awaited_id = packet_id
        self._acked = False
        await self._send_publish(topic, payload, retain, 1, packet_id)
        start = ticks_ms()
        while not self._acked:  # _serve sets it; polling keeps this task cancellable
            if not self._connected:
                return False
            if ticks_diff(ticks_ms(), start) > self.PUBACK_TIMEOUT_MS:
                raise MqttError("no PUBACK within %d ms" % self.PUBACK_TIMEOUT_MS)
            await sleep_ms(20)
        return True

    def _ack(self, type_byte, packet_id):
        return bytes((type_byte, 2, packet_id >> 8, packet_id & 0xFF))

    def _next_id(self):
        self._packet_id = self._packet_id % 65535 + 1
        return self._packet_id

    def _fail(self, exc):
        self.last_error = str(exc)
        self._close()

    def _close(self):
        self._connected = False
        writer, self._writer, self._reader = self._writer, None, None
        if writer is not None:
            try:
                writer.close()
            except Exception:  # closing a broken socket may itself fail: it is gone either way
                pass


def _print(topic, text):
    print("%s: %s" % (topic, text))


def _random_ms(limit):
    if limit <= 0:
        return 0
    import random

    return random.getrandbits(16) % limit
