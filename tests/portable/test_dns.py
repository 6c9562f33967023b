# Portable tests of the device's non-blocking DNS lookup, against a fake server on loopback.
import asyncio
import socket

from _util import raises, run_async

from netrain.compat import sleep_ms, ticks_ms
from netrain.dns import Resolver, build_query, parse_reply

IDENT = 0x1234


def reply_for(query, rcode=0, answers=()):
    """A server's reply to ``query``: header, the question echoed, then ``answers``
    (rtype, rdata) each named by a pointer to the question's name."""
    head = bytes((query[0], query[1], 0x81, 0x80 | rcode, 0, 1, 0, len(answers), 0, 0, 0, 0))
    out = [head, query[12:]]
    for rtype, rdata in answers:
        out.append(bytes((0xC0, 12, 0, rtype, 0, 1, 0, 0, 1, 0, 0, len(rdata))) + rdata)
    return b"".join(out)


def test_query_carries_the_name_as_labels():
    query = build_query("unifi.lan", IDENT)
    assert query[:2] == b"\x12\x34" and query[2] == 1  # recursion desired
    assert query[12:] == b"\x05unifi\x03lan\x00\x00\x01\x00\x01"
    raises(ValueError, build_query, "bad..name", IDENT)
    raises(ValueError, build_query, "x" * 64 + ".lan", IDENT)


def test_reply_gives_the_first_address_after_a_cname():
    query = build_query("unifi.lan", IDENT)
    cname = b"\x04host\xc0\x0c"
    reply = reply_for(query, answers=((5, cname), (1, bytes((10, 0, 0, 2)))))
    assert parse_reply(reply, IDENT) == "10.0.0.2"


def test_reply_errors_are_told_apart_from_replies_to_ignore():
    query = build_query("unifi.lan", IDENT)
    good = reply_for(query, answers=((1, bytes((10, 0, 0, 2))),))
    raises(ValueError, parse_reply, good, IDENT + 1)  # not ours: keep listening
    raises(ValueError, parse_reply, query, IDENT)  # a query, not a reply
    assert "no such name" in str(raises(OSError, parse_reply, reply_for(query, 3), IDENT))
    raises(OSError, parse_reply, reply_for(query, 2), IDENT)
    raises(OSError, parse_reply, reply_for(query), IDENT)  # no answer at all
    for cut in range(12, len(good)):  # truncated anywhere: an error, never a crash
        try:
            parse_reply(good[:cut], IDENT)
        except (ValueError, OSError):
            pass
    hostile = good[:12] + b"\x3f" * 40  # labels running off the end
    raises(ValueError, parse_reply, hostile, IDENT)


def _udp_server():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    base = 20000 + ticks_ms() % 20000
    for port in range(base, base + 50):
        try:
            sock.bind(socket.getaddrinfo("127.0.0.1", port)[0][-1])
            sock.setblocking(False)
            return sock, port
        except OSError:
            continue
    raise OSError("no free UDP port")


async def _serve(sock, answer, seen):
    """Reply to each query with ``answer(query, n)`` (None: stay silent)."""
    while True:
        try:
            query, addr = sock.recvfrom(512)
        except OSError:
            await sleep_ms(5)
            continue
        seen.append(query)
        reply = answer(query, len(seen))
        if reply is not None:
            sock.sendto(reply, addr)


def _lookup(answer, host="unifi.lan"):
    sock, port = _udp_server()
    seen = []

    async def go():
        server = asyncio.create_task(_serve(sock, answer, seen))
        try:
            return await Resolver(lambda: "127.0.0.1", port, try_ms=150)(host, 443)
        except OSError as exc:
            return exc
        finally:
            server.cancel()

    try:
        return run_async(go()), seen
    finally:
        sock.close()


def test_lookup_resends_until_answered_and_ignores_strays():
    address = bytes((192, 0, 2, 7))

    def answer(query, n):
        if n == 1:
            return None  # the first query is lost
        if n == 2:
            stray = bytearray(reply_for(query, answers=((1, bytes(4)),)))
            stray[1] ^= 0xFF  # someone else's reply
            return bytes(stray)
        return reply_for(query, answers=((1, address),))

    result, seen = _lookup(answer)
    assert result == "192.0.2.7", result
    assert len(seen) == 3 and all(q[12:] == seen[0][12:] for q in seen)


def test_lookup_gives_up_after_its_tries_and_on_nxdomain():
    result, seen = _lookup(lambda query, n: None)
    assert isinstance(result, OSError) and "no reply" in str(result), result
    assert len(seen) == 3
    result, seen = _lookup(lambda query, n: reply_for(query, 3))
    assert isinstance(result, OSError) and "no such name" in str(result), result
    assert len(seen) == 1


def test_the_board_uses_this_lookup_only_for_a_host_name():
    from netrain.start import device_resolver

    class Wlan:
        def ifconfig(self):
            return ("192.0.2.10", "255.255.255.0", "192.0.2.1", "192.0.2.53")

    assert device_resolver(Wlan(), "https://192.0.2.1") is None
    assert device_resolver(Wlan(), "demo://") is None
    assert device_resolver(None, "https://unifi.lan") is None
    assert isinstance(device_resolver(Wlan(), "https://unifi.lan:8443"), Resolver)
