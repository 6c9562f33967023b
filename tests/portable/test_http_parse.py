# Portable tests of netrain.http, http_read and http_parse on in-memory fake streams.
# SPDX-License-Identifier: MIT
import asyncio

from _util import raises, run_async

from netrain import compat, http, http_parse, http_read
from netrain.http import Client
from netrain.http_parse import CookieJar, HttpError

FIXTURES = __file__.rsplit("/", 2)[0] + "/fixtures/" if "/" in __file__ else "../fixtures/"


def _fixture(name):
    with open(FIXTURES + name, "rb") as f:
        return f.read()


class FakeStream:
    """Reader and writer in one: serves scripted chunks, records what is written.

    A chunk of None stalls (sleeps) to exercise timeouts; after the script the
    stream reports end of stream.
    """

    def __init__(self, chunks):
        self.chunks = list(chunks)
        self.written = b""
        self.closed = False

    async def readinto(self, buf):
        while self.chunks:
            chunk = self.chunks[0]
            if chunk is None:
                await asyncio.sleep(5)
                continue
            if not chunk:
                self.chunks.pop(0)
                continue
            n = min(len(buf), len(chunk))
            buf[:n] = chunk[:n]
            self.chunks[0] = chunk[n:]
            return n
        await asyncio.sleep(0)
        return 0

    def write(self, data):
        self.written += bytes(data)

    async def drain(self):
        await asyncio.sleep(0)

    def close(self):
        self.closed = True

    async def wait_closed(self):
        self.closed = True


def _client(connections, cls=Client, url="http://10.0.0.1:8080", **kwargs):
    """A Client whose n-th connection serves the chunks connections[n]."""
    streams = []

    async def opener(host_ip, port, ssl_ctx):
        stream = FakeStream(connections[len(streams)])
        stream.opened_with = (host_ip, port, ssl_ctx)
        streams.append(stream)
        return stream, stream

    client = cls(url, opener=opener, **kwargs)
    return client, streams


def _get(client, path="/", **kwargs):
    async def go():
        resp = await client.request("GET", path, **kwargs)
        return resp.status, resp.reason, dict(resp.headers), bytes(resp.body)

    return run_async(go())


def _error(client, path="/", **kwargs):
    exc = raises(HttpError, _get, client, path, **kwargs)
    assert exc.kind in http_parse.KINDS
    return exc


def _bytewise(data):
    return [data[i : i + 1] for i in range(len(data))]


OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


# -- status line -------------------------------------------------------------


def test_status_line_parses():
    assert http_parse.parse_status_line(b"HTTP/1.1 200 OK") == (200, "OK", True)
    assert http_parse.parse_status_line(b"HTTP/1.0 404 Not Found") == (404, "Not Found", False)
    assert http_parse.parse_status_line(b"HTTP/1.1 302") == (302, "", True)
    assert http_parse.parse_status_line(memoryview(b"HTTP/1.1 499 x")) == (499, "x", True)


def test_status_line_rejects_garbage():
    for line in (b"", b"HTTP/2 200 OK", b"HTTP/1.1 2x0 OK", b"HTTP/1.1 099 Low", b"ICY 200 OK"):
        assert raises(HttpError, http_parse.parse_status_line, line).kind == "protocol"
    assert raises(HttpError, http_parse.parse_status_line, b"HTTP/1.1 200OK").kind == "protocol"


def test_status_line_too_long_is_a_limit():
    client, _ = _client([[b"HTTP/1.1 200 " + b"x" * 300 + b"\r\n\r\n"]])
    assert _error(client).kind == "limit"


# -- headers -----------------------------------------------------------------


def test_kept_headers_are_lowercased_and_others_dropped():
    client, _ = _client(
        [
            [
                b"HTTP/1.1 302 Found\r\nLocation: /manage\r\nX-CSRF-Token: abc\r\n"
                b"X-Frame-Options: DENY\r\nserver: nginx\r\nContent-Length: 0\r\n\r\n"
            ]
        ]
    )
    status, reason, headers, body = _get(client)
    assert (status, reason, body) == (302, "Found", b"")
    assert headers == {"location": "/manage", "x-csrf-token": "abc"}


def test_keep_headers_per_request():
    client, _ = _client([[b"HTTP/1.1 200 OK\r\nServer: x\r\nLocation: /y\r\n\r\n"]])
    _, _, headers, _ = _get(client, keep_headers=("Server",))
    assert headers == {"server": "x"}


def test_headers_split_across_many_reads():
    response = b"HTTP/1.1 200 OK\r\nRetry-After: 60\r\nContent-Length: 5\r\n\r\nhello"
    client, _ = _client([_bytewise(response)])
    assert _get(client) == (200, "OK", {"retry-after": "60"}, b"hello")


def test_bare_lf_line_endings_are_accepted():
    client, _ = _client([[b"HTTP/1.1 200 OK\nContent-Length: 2\n\nok"]])
    assert _get(client)[3] == b"ok"


def test_header_line_limit():
    class Small(Client):
        MAX_HEADER_LINE_BYTES = 64

    long_line = b"X-Long: " + b"v" * 100 + b"\r\n"
    client, _ = _client([[b"HTTP/1.1 200 OK\r\n" + long_line + b"\r\n"]], cls=Small)
    assert _error(client).kind == "limit"
    # a line just under the limit, arriving in pieces, still parses
    fits = b"Location: " + b"v" * 54 + b"\r\n"
    client, _ = _client([_bytewise(b"HTTP/1.1 200 OK\r\n" + fits * 3 + b"\r\n")], cls=Small)
    assert _get(client)[2] == {"location": "v" * 54}


def test_header_count_and_size_limits():
    many = b"".join([b"X-F%d: v\r\n" % i for i in range(Client.MAX_HEADERS + 1)])
    client, _ = _client([[b"HTTP/1.1 200 OK\r\n" + many + b"\r\n"]])
    assert _error(client).kind == "limit"

    class Tight(Client):
        MAX_HEADER_BYTES = 100

    fat = b"X-A: " + b"a" * 40 + b"\r\n"
    client, _ = _client([[b"HTTP/1.1 200 OK\r\n" + fat * 3 + b"\r\n"]], cls=Tight)
    assert _error(client).kind == "limit"


def test_malformed_headers_are_protocol_errors():
    for bad in (b"NoColonHere\r\n", b": empty name\r\n", b"Content-Length: 1x\r\n"):
        client, _ = _client([[b"HTTP/1.1 200 OK\r\n" + bad + b"\r\n"]])
        assert _error(client).kind == "protocol"
    client, _ = _client([[b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"]])
    assert _error(client).kind == "protocol"


# -- cookies -----------------------------------------------------------------


def test_set_cookie_lines_all_reach_the_jar_and_return():
    first = (
        b"HTTP/1.1 200 OK\r\n"
        b"Set-Cookie: TOKEN=eyJh.eyJj.sig; Path=/; Secure; HttpOnly; SameSite=Strict\r\n"
        b"Set-Cookie: csrf_token=c5rf; Path=/\r\n"
        b"set-cookie: unifises=s3ss; Expires=Wed, 01 Jan 2031 00:00:00 GMT\r\n"
        b"Content-Length: 0\r\n\r\n"
    )
    client, streams = _client([[first, OK]])
    _get(client)
    assert client.cookies.get("TOKEN") == "eyJh.eyJj.sig"
    assert client.cookies.get("csrf_token") == "c5rf"
    assert client.cookies.get("unifises") == "s3ss"
    assert len(client.cookies) == 3
    _get(client, "/next")
    sent = streams[0].written.split(b"GET /next")[1]
    assert sent.count(b"\r\nCookie: ") == 1 and b"Path" not in sent
    cookie = sent.split(b"\r\nCookie: ")[1].split(b"\r\n")[0]
    assert sorted(cookie.split(b"; ")) == [
        b"TOKEN=eyJh.eyJj.sig",
        b"csrf_token=c5rf",
        b"unifises=s3ss",
    ]


def test_cookie_jar_replaces_deletes_and_ignores_nameless():
    jar = CookieJar()
    jar.parse_set_cookie("TOKEN=one; Path=/")
    jar.parse_set_cookie("TOKEN=two")
    jar.parse_set_cookie("=nameless")
    jar.parse_set_cookie("flag")
    assert jar.header() == "TOKEN=two"
    jar.parse_set_cookie("TOKEN=; Expires=Thu, 01 Jan 1970 00:00:00 GMT")
    assert len(jar) == 0 and jar.header() == ""
    jar.set("a", "1")
    jar.clear()
    assert jar.get("a") is None


def test_cookie_jar_is_bounded():
    jar = CookieJar()
    for i in range(CookieJar.MAX_COOKIES):
        jar.set("c%d" % i, "v")
    assert raises(HttpError, jar.set, "one_more", "v").kind == "limit"
    jar.set("c0", "replacing is fine")
    jar = CookieJar()
    assert raises(HttpError, jar.set, "big", "x" * CookieJar.MAX_BYTES).kind == "limit"


# -- bodies ------------------------------------------------------------------


def test_chunked_body_with_extensions_and_trailers():
    body = b"5;name=value\r\nhello\r\n" + b"1\r\n \r\n" + b"A\r\n0123456789\r\n"
    body += b"0\r\nX-Trailer: t\r\n\r\n"
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n"
    for chunks in ([head + body + OK], _bytewise(head + body) + [OK]):
        client, streams = _client([chunks])
        assert _get(client)[3] == b"hello 0123456789"
        assert _get(client)[3] == b"ok"  # same connection, stream left in step
        assert len(streams) == 1


def test_chunked_body_rejects_bad_sizes():
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    for bad in (b"zz\r\n", b"-1\r\n", b"\r\n", b"0x10\r\n", b"5\r\nhelloXX\r\n"):
        client, _ = _client([[head + bad + b"0\r\n\r\n"]])
        assert _error(client).kind == "protocol", bad
    client, _ = _client([[head + b"123456789\r\n"]])
    assert _error(client).kind == "limit"


def test_chunk_size_parser():
    assert http_parse.parse_chunk_size(b"1f") == 31
    assert http_parse.parse_chunk_size(b"1F ; ext=1") == 31
    assert http_parse.parse_chunk_size(b"0") == 0
    assert raises(HttpError, http_parse.parse_chunk_size, b"g").kind == "protocol"


def test_body_limits():
    big = b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + b"x" * 5000
    client, _ = _client([[big]], max_body_bytes=1024)
    assert _error(client).kind == "limit"
    client, _ = _client([[big]], max_body_bytes=1024)
    assert len(_get(client, max_body_bytes=8000)[3]) == 5000  # per-request override
    chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + b"400\r\n" + b"x" * 1024
    client, _ = _client([[chunked + b"\r\n1\r\nx\r\n0\r\n\r\n"]], max_body_bytes=1024)
    assert _error(client).kind == "limit"


def test_skip_body_reads_and_drops_big_bodies():
    page = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 20000\r\n\r\n"
    chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunked += b"2710\r\n" + b"c" * 10000 + b"\r\n0\r\n\r\n"
    client, streams = _client([[page, b"p" * 20000, chunked, OK]], max_body_bytes=1024)
    assert _get(client, skip_body=True) == (200, "OK", {"content-type": "text/html"}, b"")
    assert _get(client, skip_body=True)[3] == b""
    assert _get(client) == (200, "OK", {}, b"ok")  # the stream stayed in step
    assert len(streams) == 1
    client, _ = _client([[b"HTTP/1.0 200 OK\r\n\r\n", b"u" * 30000]])
    assert _get(client, skip_body=True)[0] == 200
    huge = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % (Client.MAX_SKIP_BYTES + 1)
    client, _ = _client([[huge]])
    assert _error(client, skip_body=True).kind == "limit"


class Sink:
    """Body sink that records what it was fed, and how often it was reset."""

    def __init__(self):
        self.resets = 0
        self.data = b""
        self.sizes = []

    def reset(self):
        self.resets += 1
        self.data = b""

    def feed(self, chunk):
        self.sizes.append(len(chunk))
        self.data += bytes(chunk)


def test_sink_is_fed_the_body_in_every_framing():
    body = b"s" * 5000
    framings = (
        b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + body,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b"3e8\r\n"
        + body[:1000]
        + b"\r\nfa0\r\n"
        + body[1000:]
        + b"\r\n0\r\n\r\n",
        b"HTTP/1.0 200 OK\r\n\r\n" + body,
    )
    for wire in framings:
        for split in ([wire], _bytewise(wire[:80]) + [wire[80:]]):
            sink = Sink()
            client, _ = _client([split], max_body_bytes=1024)
            assert _get(client, sink=sink) == (200, "OK", {}, b"")  # no body buffer used
            assert sink.data == body and sink.resets == 1
            assert max(sink.sizes) <= len(client._buf)  # at most a receive buffer a call


def test_sink_restarts_on_the_final_response_and_is_bounded():
    early = b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
    sink = Sink()
    client, _ = _client([[early + OK]])
    _get(client, sink=sink)
    assert sink.data == b"ok" and sink.resets == 1
    huge = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % (Client.MAX_SKIP_BYTES + 1)
    client, _ = _client([[huge]])
    assert _error(client, sink=Sink()).kind == "limit"
    client, _ = _client([[b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n"]])
    assert _error(client, sink=Sink(), max_body_bytes=8).kind == "limit"


def test_no_kept_buffer_sizes_each_reply():
    client, _ = _client([[OK, OK]], max_body_bytes=0)
    assert len(client._body) == 0
    assert _get(client) == (200, "OK", {}, b"ok")
    big = b"HTTP/1.1 200 OK\r\nContent-Length: 20000\r\n\r\n" + b"b" * 20000
    client, _ = _client([[big, b"HTTP/1.0 200 OK\r\n\r\nrest"]], max_body_bytes=0)
    assert _error(client).kind == "limit"  # MAX_BODY_BYTES still bounds it
    client, _ = _client([[big]], max_body_bytes=0)
    assert len(_get(client, max_body_bytes=20000)[3]) == 20000
    client, _ = _client([[b"HTTP/1.0 200 OK\r\n\r\nuntil closed"]], max_body_bytes=0)
    assert _get(client)[3] == b"until closed"  # length unknown: grows with the reply
    chunked = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
    )
    client, _ = _client([_bytewise(chunked)], max_body_bytes=0)
    assert _get(client)[3] == b"abcde"
    client, _ = _client([[chunked]], max_body_bytes=0)
    assert _error(client, max_body_bytes=4).kind == "limit"


def test_tls_reserve_is_freed_for_each_connection_and_held_between():
    held = []

    async def opener(host_ip, port, ssl_ctx):
        held.append(client._reserve is not None)
        stream = FakeStream(
            [b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"]
        )
        return stream, stream

    client = Client("https://10.0.0.1", insecure=True, opener=opener, tls_reserve=True)
    assert len(client._reserve) == Client.TLS_RESERVE_BYTES  # held from the start
    assert _get(client)[3] == b"ok" and _get(client)[3] == b"ok"
    assert held == [False, False]  # freed before each connection opened
    assert len(client._reserve) == Client.TLS_RESERVE_BYTES  # held again once closed

    async def refused(host_ip, port, ssl_ctx):
        held.append(client._reserve is not None)
        raise OSError(111)

    client = Client("https://10.0.0.1", insecure=True, opener=refused, tls_reserve=True)
    assert _error(client).kind == "refused" and held[-1] is False
    assert len(client._reserve) == Client.TLS_RESERVE_BYTES  # and after a failed connect
    assert Client("http://10.0.0.1", tls_reserve=True)._reserve is None  # http needs none
    assert Client("https://10.0.0.1", insecure=True)._reserve is None  # opt-in


def test_body_until_close():
    client, streams = _client([[b"HTTP/1.0 200 OK\r\n\r\nuntil ", b"closed"], [OK]])
    assert _get(client)[3] == b"until closed"
    assert not client.connected and streams[0].closed
    assert _get(client)[3] == b"ok" and len(streams) == 2
    client, _ = _client([[b"HTTP/1.1 200 OK\r\n\r\n" + b"y" * 11]], max_body_bytes=10)
    assert _error(client).kind == "limit"
    client, _ = _client([[b"HTTP/1.1 200 OK\r\n\r\n" + b"y" * 10]], max_body_bytes=10)
    assert _get(client)[3] == b"y" * 10


def test_no_body_for_head_204_304():
    client, streams = _client([[b"HTTP/1.1 204 No Content\r\n\r\n", OK]])
    assert _get(client)[3] == b""
    assert _get(client)[3] == b"ok" and len(streams) == 1


def test_interim_responses_are_skipped():
    early = b"HTTP/1.1 103 Early Hints\r\nLink: </x.css>; rel=preload\r\n\r\n"
    client, _ = _client([[early + early + OK]])
    assert _get(client)[0] == 200
    client, _ = _client([[early * 5 + OK]])
    assert _error(client).kind == "protocol"


def test_truncated_body_is_closed_error():
    client, _ = _client([[b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"]])
    assert _error(client).kind == "closed"


# -- connection reuse --------------------------------------------------------


def test_requests_share_one_connection_and_count():
    client, streams = _client([[OK, OK, OK]])
    for _ in range(3):
        assert _get(client)[0] == 200
    assert len(streams) == 1
    assert (client.connections_opened, client.requests, client.tls_handshakes) == (1, 3, 0)
    assert client.bytes_in == 3 * len(OK)


def test_connection_close_header_and_stale_reconnect():
    closing = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"
    client, streams = _client([[closing], [OK], [OK]])
    _get(client)
    assert streams[0].closed and not client.connected
    _get(client)
    # the server dropped the idle connection: end of stream before any byte -> retried once
    assert _get(client)[3] == b"ok"
    assert len(streams) == 3 and client.connections_opened == 3 and client.requests == 3


def test_refused_after_a_good_connection_is_still_refused():
    client, _ = _client([[OK]])
    _get(client)

    async def refusing(host_ip, port, ssl_ctx):
        raise OSError(111)

    run_async(client.close())
    client._opener = refusing
    assert _error(client).kind == "refused"


def test_stale_retry_happens_once_only():
    client, streams = _client([[OK], [], []])
    _get(client)
    assert _error(client).kind == "closed"  # a fresh connection that fails is not retried
    assert len(streams) == 2


def test_concurrent_callers_are_serialised():
    client, streams = _client([[OK] * 4])

    async def go():
        async def one():
            resp = await client.request("GET", "/")
            return bytes(resp.body)

        return await asyncio.gather(one(), one(), one(), one())

    assert run_async(go()) == [b"ok"] * 4
    assert len(streams) == 1


def test_stall_times_out():
    client, _ = _client([[b"HTTP/1.1 200 OK\r\n", None]], response_timeout_ms=30)
    assert _error(client).kind == "timeout"
    assert not client.connected


# -- request side ------------------------------------------------------------


def test_request_head():
    client, streams = _client([[OK, OK]])

    async def go():
        await client.request("POST", "/api/login", body='{"a":1}', headers=[("X-Csrf-Token", "t")])
        await client.request("POST", "/api/logout", headers=[("Content-Type", "text/plain")])

    run_async(go())
    first, second = streams[0].written.split(b'{"a":1}')
    assert first.startswith(b"POST /api/login HTTP/1.1\r\nHost: 10.0.0.1:8080\r\n")
    assert b"\r\nUser-Agent: netrain/" in first
    assert b"\r\nConnection: keep-alive\r\n" in first
    assert b"\r\nAccept-Encoding: identity\r\n" in first
    assert b"\r\nX-Csrf-Token: t\r\n" in first
    assert b"\r\nContent-Length: 7\r\n" in first
    assert b"\r\nContent-Type: application/json\r\n" in first
    assert first.endswith(b"\r\n\r\n")
    assert b"\r\nContent-Length: 0\r\n" in second
    assert b"application/json" not in second


def test_request_refuses_header_injection():
    client, _ = _client([[OK]])
    raises(ValueError, _get, client, "/", headers=[("X-A", "v\r\nX-Evil: 1")])
    raises(ValueError, _get, client, "/a b")


def test_base_path_and_default_port_host_header():
    client, streams = _client([[OK]], url="http://192.168.1.9/proxy/network/")
    _get(client, "/api/self")
    assert streams[0].opened_with == ("192.168.1.9", 80, None)
    assert streams[0].written.startswith(
        b"GET /proxy/network/api/self HTTP/1.1\r\nHost: 192.168.1.9\r\n"
    )


def test_host_name_resolved_once_and_failure_is_dns():
    calls = []

    async def resolve(host, port):
        calls.append((host, port))
        if host == "nowhere.invalid":
            raise OSError(-2)
        return "10.9.8.7"

    closing = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    saved = http.resolve_ip
    http.resolve_ip = resolve
    try:
        client, streams = _client([[closing], [closing]], url="http://unifi.lan:8443")
        _get(client)
        _get(client)
        assert calls == [("unifi.lan", 8443)]
        assert [stream.opened_with[0] for stream in streams] == ["10.9.8.7", "10.9.8.7"]
        assert b"\r\nHost: unifi.lan:8443\r\n" in streams[0].written
        client, streams = _client([], url="http://nowhere.invalid")
        assert _error(client).kind == "dns" and not streams
    finally:
        http.resolve_ip = saved


def test_a_name_is_looked_up_again_after_its_address_refuses():
    addresses = ["10.9.8.7", "10.9.8.8"]
    calls = []

    async def resolve(host, port):
        calls.append(host)
        return addresses[len(calls) - 1]

    closing = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    client, streams = _client([[closing]], url="http://unifi.lan", resolver=resolve)
    opener = client._opener

    async def refusing(host_ip, port, ssl_ctx):
        raise OSError(111)

    client._opener = refusing  # the console moved: its old address refuses
    assert _error(client).kind == "refused" and calls == ["unifi.lan"]
    client._opener = opener
    _get(client)
    assert calls == ["unifi.lan", "unifi.lan"]
    assert streams[0].opened_with[0] == "10.9.8.8"
    client, streams = _client([[closing], [closing]], url="http://10.9.8.7", resolver=resolve)
    _get(client)
    _get(client)
    assert len(calls) == 2  # an IP address is never looked up


def test_https_needs_a_pin_or_insecure():
    raises(ValueError, Client, "https://192.168.1.1")
    client = Client("https://192.168.1.1", insecure=True)
    assert client.insecure and client.tls
    assert not Client("http://192.168.1.1", insecure=True).insecure
    pinned = Client("https://192.168.1.1", ca_der=_fixture("http_cn.pem"))  # PEM accepted too
    assert not pinned.insecure
    raises(ValueError, Client, "https://192.168.1.1", ca_der=b"\x30\x03not a cert")


# -- URLs ----------------------------------------------------------------------


def test_parse_url():
    assert http_parse.parse_url("https://192.168.1.1") == ("https", "192.168.1.1", 443, "")
    assert http_parse.parse_url("HTTPS://unifi:8443/") == ("https", "unifi", 8443, "")
    assert http_parse.parse_url("http://10.0.0.2") == ("http", "10.0.0.2", 80, "")
    assert http_parse.parse_url("http://h:8080/base/") == ("http", "h", 8080, "/base")
    assert http_parse.parse_url("https://[fe80::1]:8443") == ("https", "fe80::1", 8443, "")
    for bad in (
        "ftp://x",
        "192.168.1.1",
        "https://",
        "https://h:0",
        "https://h:99999",
        "http://h:x",
    ):
        raises(ValueError, http_parse.parse_url, bad)


def test_ip_literal_detection():
    for host in ("192.168.1.1", "10.0.0.254", "::1", "fe80::1"):
        assert http_parse.is_ip_literal(host), host
    for host in ("unifi.local", "256.1.1.1", "1.2.3", "1.2.3.4.5", "a.b.c.d", "1.2.3."):
        assert not http_parse.is_ip_literal(host), host


def test_find_byte_both_ways():
    buf = bytearray(b"a" * 300 + b":b\n")
    for find in (compat.find_byte, compat.find_byte_windowed):
        assert find(buf, b"\n", 0, len(buf)) == 302
        assert find(buf, b":", 10, 301) == 300
        assert find(buf, b":", 0, 300) == -1
        assert find(buf, b"\n", 5, 5) == -1


def test_client_parses_with_the_windowed_finder():
    saved = http.find_byte
    # the path of MicroPython before bytearray.find, in the header and the line scans
    http.find_byte = http_read.find_byte = compat.find_byte_windowed
    try:
        response = (
            b"HTTP/1.1 200 OK\r\nLocation: /" + b"x" * 400 + b"\r\nContent-Length: 2\r\n\r\nok"
        )
        client, _ = _client([_bytewise(response[:50]) + [response[50:]]])
        assert _get(client)[2:] == ({"location": "/" + "x" * 400}, b"ok")
    finally:
        http.find_byte = http_read.find_byte = saved
