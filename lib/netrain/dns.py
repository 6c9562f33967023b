# netrain.dns: a host name lookup over UDP that never blocks the display.
# SPDX-License-Identifier: MIT
"""On the Pico W, ``socket.getaddrinfo`` holds the whole VM until lwIP's resolver
answers or gives up: with a silent DNS server that is 7 s per server (lwIP retries
after 1, 1, 2 and 3 s), longer than the 8 s watchdog once two servers are tried. So
the device asks the DHCP-given server itself: one A query, resent up to
``TRIES`` times a second apart, polled between frames. Replies are bounded (512 B, the
classic UDP limit); a reply that is not ours or is malformed is ignored, not trusted.
"""

import socket

from .compat import const, sleep_ms, ticks_diff, ticks_ms

TRIES = const(3)
TRY_MS = const(1000)
_POLL_MS = const(20)
_REPLY_BYTES = const(512)
_EAGAIN = (11, 35)  # Linux/lwIP and BSD numbers for "nothing to read yet"


def build_query(host, ident):
    """A recursive A-record query for ``host``; ValueError for a name DNS cannot carry."""
    parts = [bytes((ident >> 8, ident & 0xFF, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0))]
    for label in host.rstrip(".").split("."):
        raw = label.encode()
        if not 0 < len(raw) < 64:
            raise ValueError("bad host name %r" % host[:40])
        parts.append(bytes((len(raw),)) + raw)
    parts.append(b"\x00\x00\x01\x00\x01")  # root, type A, class IN
    return b"".join(parts)


def _skip_name(reply, i):
    while i < len(reply):
        n = reply[i]
        if n == 0:
            return i + 1
        if n & 0xC0 == 0xC0:  # a pointer ends the name
            return i + 2
        i += n + 1
    raise ValueError("truncated name")


def parse_reply(reply, ident):
    """The first IPv4 address in ``reply``; ValueError when the reply is not ours or
    is malformed, OSError when the server says the name has no address."""
    if len(reply) < 12 or (reply[0] << 8 | reply[1]) != ident or not reply[2] & 0x80:
        raise ValueError("not our reply")
    rcode = reply[3] & 0x0F
    if rcode == 3:
        raise OSError("no such name")
    if rcode:
        raise OSError("DNS server error %d" % rcode)
    i = 12
    for _ in range(reply[4] << 8 | reply[5]):
        i = _skip_name(reply, i) + 4
    for _ in range(reply[6] << 8 | reply[7]):
        i = _skip_name(reply, i)
        if i + 10 > len(reply):
            break
        rtype = reply[i] << 8 | reply[i + 1]
        length = reply[i + 8] << 8 | reply[i + 9]
        i += 10
        if rtype == 1 and length == 4 and i + 4 <= len(reply):
            return "%d.%d.%d.%d" % (reply[i], reply[i + 1], reply[i + 2], reply[i + 3])
        i += length
    raise OSError("no address in the reply")


class Resolver:
    """``await resolver(host, port) -> ip`` for netrain.http.Client.

    ``server()`` gives the DNS server's address when asked (DHCP supplies it only
    once Wi-Fi is up); ``server_port`` and ``try_ms`` differ from 53 and TRY_MS
    only in tests.
    """

    def __init__(self, server, server_port=53, try_ms=TRY_MS):
        self._server = server
        self._server_port = server_port
        self._try_ms = try_ms

    async def __call__(self, host, port):
        ident = ticks_ms() & 0xFFFF
        query = build_query(host, ident)
        server = self._server()
        addr = socket.getaddrinfo(server, self._server_port)[0][-1]  # an IP: no lookup
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.setblocking(False)
            for _ in range(TRIES):
                sock.sendto(query, addr)
                sent_ms = ticks_ms()
                while ticks_diff(ticks_ms(), sent_ms) < self._try_ms:
                    await sleep_ms(_POLL_MS)
                    try:
                        reply = sock.recv(_REPLY_BYTES)
                    except OSError as exc:
                        if exc.args and exc.args[0] in _EAGAIN:
                            continue
                        raise
                    try:
                        return parse_reply(reply, ident)
                    except ValueError:  # stale, spoofed or garbled: keep listening
                        pass
            raise OSError("no reply from DNS server %s" % server)
        finally:
            sock.close()
