# The setup's captive DNS responder on both runtimes: every A question gets our address.
# SPDX-License-Identifier: MIT

from netrain.dns import build_query, parse_reply
from netrain.web.captive_dns import CaptiveDns, answer

IP = bytes((192, 168, 4, 1))


def test_a_query_is_answered_with_our_address():
    reply = answer(build_query("connectivitycheck.gstatic.com", 0x1234), IP)
    assert parse_reply(reply, 0x1234) == "192.168.4.1"


def test_other_types_get_an_empty_answer():
    query = bytearray(build_query("example.com", 7))
    query[-3] = 28  # AAAA
    reply = answer(bytes(query), IP)
    assert reply[7] == 0 and reply[3] & 0x0F == 0  # no answers, no error


def test_garbage_and_replies_are_ignored():
    good = build_query("a.b", 1)
    assert answer(b"", IP) is None
    assert answer(good[:14], IP) is None
    assert answer(good + b"x" * 600, IP) is None
    reply = answer(good, IP)
    assert answer(reply, IP) is None  # a reply is not a query
    two = bytearray(good)
    two[5] = 2
    assert answer(bytes(two), IP) is None
    loop = bytearray(good)
    loop[12] = 0xC0  # a pointer in a question
    assert answer(bytes(loop), IP) is None


class FakeSocket:
    def __init__(self, queries):
        self.queries = list(queries)
        self.sent = []

    def recvfrom(self, n):
        if not self.queries:
            raise OSError(11)
        return self.queries.pop(0)[:n], ("10.0.0.9", 5353)

    def sendto(self, data, peer):
        self.sent.append((data, peer))


def test_poll_answers_what_is_waiting_and_skips_junk():
    sock = FakeSocket([build_query("x.y", 5), b"junk", build_query("z", 6)])
    dns = CaptiveDns(sock, "192.168.4.1")
    assert dns.poll() == 2 and dns.answered == 2
    assert parse_reply(sock.sent[1][0], 6) == "192.168.4.1"
    assert sock.sent[0][1] == ("10.0.0.9", 5353)
    assert dns.poll() == 0
