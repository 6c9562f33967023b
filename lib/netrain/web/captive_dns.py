# netrain.web.captive_dns: answers every DNS name with the board's own address (setup mode).
# SPDX-License-Identifier: MIT
"""A phone that joins the setup access point asks DNS for its connectivity check
page; answering every A query with our address makes it open the setup page.

One UDP socket, polled between frames; queries over 512 bytes, replies, and
anything that does not parse are dropped. One reply buffer, reused.
"""

from ..compat import const, sleep_ms

PORT = 53
_MAX_QUERY = const(512)
_POLL_MS = const(50)


def answer(query, ip):
    """The reply to ``query`` (bytes) pointing every A question at ``ip`` (4 bytes),
    an empty answer for other types; None for what is not a plain query."""
    n = len(query)
    if n < 17 or n > _MAX_QUERY or query[2] & 0xF8 or (query[4] << 8 | query[5]) != 1:
        return None  # a reply, not QUERY, or not exactly one question
    i = 12
    while True:
        if i >= n:
            return None
        length = query[i]
        if length == 0:
            break
        if length & 0xC0:
            return None  # no compression in a question
        i += length + 1
    end = i + 5
    if end > n:
        return None
    qtype = query[i + 1] << 8 | query[i + 2]
    is_a = qtype in (1, 255) and query[i + 3] << 8 | query[i + 4] == 1
    head = bytes(
        (query[0], query[1], 0x84 | (query[2] & 1), 0x80, 0, 1, 0, 1 if is_a else 0, 0, 0, 0, 0)
    )
    reply = head + bytes(query[12:end])
    if is_a:
        reply += b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04" + ip  # TTL 60 s
    return reply


class CaptiveDns:
    def __init__(self, sock, ip):
        """``sock``: a bound non-blocking UDP socket; ``ip``: our address as text."""
        self.sock = sock
        self.ip = bytes(int(part) for part in ip.split("."))
        self.answered = 0

    def poll(self):
        """Answer what is waiting; returns how many were answered."""
        done = 0
        while True:
            try:
                query, peer = self.sock.recvfrom(_MAX_QUERY + 1)
            except OSError:  # nothing waiting (EAGAIN)
                return done
            reply = answer(query, self.ip)
            if reply is not None:
                try:
                    self.sock.sendto(reply, peer)
                    done += 1
                    self.answered += 1
                except OSError:
                    pass

    async def run(self):
        while True:
            self.poll()
            await sleep_ms(_POLL_MS)
