# netrain.http: async HTTP/1.1 client, one pinned keep-alive connection, bounded and deadlined.
# SPDX-License-Identifier: MIT
"""A small HTTP/1.1 client for talking to one controller.

    client = Client("https://192.168.1.1", ca_der=pem_text)  # or DER bytes
    resp = await client.request("GET", "/proxy/network/api/s/default/stat/health",
                                headers=[("X-API-KEY", key)])

* One keep-alive connection per Client, requests serialised on it; a request that
  finds it already closed by the server (no response byte read) is sent once more.
* https trusts only the pinned certificate unless ``insecure=True``; one handshake
  per connection (in connect on CPython, in the first write and read on MicroPython).
* Deadlines: CONNECT_TIMEOUT_MS for connect; RESPONSE_TIMEOUT_MS from sending a
  request to its last byte (plus the connect allowance on a new TLS connection);
  REQUEST_TIMEOUT_MS overall.
* ``resp.body`` is a memoryview valid until the next request starts: parse or copy
  it first. A ``sink`` takes the body as it arrives instead (no buffer at all).
* Only ``keep_headers`` are kept (lowercase); Set-Cookie lines feed ``client.cookies``.
  No redirects followed, no compression asked for.
* Every failure raises HttpError, ``kind`` one of KINDS (netrain.http_parse, with the
  pure parsers); netrain.http_read reads the response, netrain.cert the certificate.
* ``opener(host_ip, port, ssl_ctx) -> (reader, writer)`` replaces
  ``asyncio.open_connection`` (ssl_ctx None for http, passed on as is); ``await
  resolver(host, port) -> ip`` replaces the DNS lookup of a host name, within the
  connect deadline, once, and again only after connecting to its address fails.
"""

import asyncio

from netrain.compat import (
    collect,
    find_byte,
    is_cert_error,
    is_tls_error,
    resolve_ip,
    sleep_ms,
    ticks_add,
    ticks_diff,
    ticks_ms,
    tls_client_context,
    wait_for_ms,
)
from netrain.http_parse import (
    CONNECTION,
    COOKIE,
    ENCODING,
    LENGTH,
    CookieJar,
    HttpError,
    Response,
    is_ip_literal,
    parse_int,
    parse_status_line,
    parse_url,
    request_head,
    wanted_lengths,
)
from netrain.http_read import Grown, ResponseReader

KEEP_HEADERS = (
    "x-csrf-token",
    "x-updated-csrf-token",
    "location",
    "retry-after",
    "x-token-expire-time",
    "content-type",
)
_REFUSED = (111, 113, 110)  # ECONNREFUSED, EHOSTUNREACH, ETIMEDOUT (Linux and lwIP numbering)
_CLOSE_MS = 1000
_FIT = object()  # request(): no kept buffer fits, allocate one for the reply


async def _open_connection(host_ip, port, ssl_ctx):
    return await asyncio.open_connection(host_ip, port, ssl=ssl_ctx)


class Client(ResponseReader):
    """Requests to one http(s) origin over one persistent connection."""

    MAX_HEADER_BYTES = 8192  #: all header lines of a response together
    MAX_BODY_BYTES = 16384  #: default body limit; the body buffer is allocated once at this size
    MAX_SKIP_BYTES = 65536  #: most body bytes read and dropped by a skip_body request
    CONNECT_TIMEOUT_MS = 5000  #: TCP connect (and the TLS handshake, wherever it happens)
    RESPONSE_TIMEOUT_MS = 5000  #: from sending a request to having all of its response
    REQUEST_TIMEOUT_MS = 15000  #: a whole request, connect and retry included
    #: tls_reserve=True: a block held while no connection is open and freed just before
    #: one opens, so the TLS record buffers (16 KB in, 4 KB out: on the board they are in
    #: the GC heap) find one contiguous block however fragmented the rest of the heap is.
    #: Both buffers with mbedTLS's per-record overhead (~330 B each) fit in 22 KB: at
    #: 20 KB only the in-buffer did, and the out-buffer needed a second hole of 4.4 KB
    TLS_RESERVE_BYTES = 22528

    def __init__(
        self,
        url,
        ca_der=None,
        insecure=False,
        keep_headers=KEEP_HEADERS,
        max_body_bytes=None,
        opener=None,
        resolver=None,
        connect_timeout_ms=None,
        response_timeout_ms=None,
        request_timeout_ms=None,
        tls_reserve=False,
    ):
        super().__init__()
        scheme, self.host, self.port, self._base = parse_url(url)
        self.tls = scheme == "https"
        #: True when https certificate verification is switched off (the status warns)
        self.insecure = self.tls and bool(insecure)
        default_port = 443 if self.tls else 80
        host = "[%s]" % self.host if ":" in self.host else self.host
        self._host_header = host if self.port == default_port else "%s:%d" % (host, self.port)
        self._ip = self.host if is_ip_literal(self.host) else None
        self._ctx = None
        if self.tls:
            if self.insecure:
                self._ctx = tls_client_context(None, True)
            elif not ca_der:
                raise ValueError("https needs the controller certificate (ca_der) or insecure=True")
            else:
                from netrain.cert import cert_hostname, pem_to_der  # needed once, here

                if isinstance(ca_der, str) or ca_der[:5] == b"-----":  # PEM given
                    ca_der = pem_to_der(ca_der)
                try:
                    self._ctx = tls_client_context(ca_der, False, cert_hostname(ca_der))
                except Exception as exc:
                    raise ValueError("the pinned certificate is not usable: %s" % exc)
        self._keep = tuple([name.lower() for name in keep_headers])
        self._keep_lengths = wanted_lengths(self._keep)
        self._opener = opener or _open_connection
        self._resolve = resolver or resolve_ip
        self.connect_timeout_ms = connect_timeout_ms or self.CONNECT_TIMEOUT_MS
        self.response_timeout_ms = response_timeout_ms or self.RESPONSE_TIMEOUT_MS
        self.request_timeout_ms = request_timeout_ms or self.REQUEST_TIMEOUT_MS
        self.cookies = CookieJar()
        self.connections_opened = 0
        self.requests = 0
        self.tls_handshakes = 0
        self.bytes_out = 0
        self._lock = asyncio.Lock()
        self._reader = self._writer = None
        self._established = False  # a response arrived on this connection
        #: kept for every reply; max_body_bytes=0 keeps none (a buffer per reply instead)
        self._body = bytearray(self.MAX_BODY_BYTES if max_body_bytes is None else max_body_bytes)
        self._reserving = self.tls and tls_reserve
        self._reserve = None
        self._hold_reserve()

    @property
    def connected(self):
        return self._writer is not None

    async def request(
        self,
        method,
        path,
        body=None,
        headers=(),
        keep_headers=None,
        max_body_bytes=None,
        timeout_ms=None,
        skip_body=False,
        sink=None,
    ):
        """Send one request and read its whole response; return a Response.

        ``body`` is bytes or str (JSON text gets Content-Type application/json
        unless ``headers`` name one); ``headers`` a sequence of (name, value).
        ``max_body_bytes`` above the client's buffer size (or any reply, for a
        client built with ``max_body_bytes=0``) gets a buffer for this request
        only, sized to the reply's Content-Length when it has one. ``skip_body``
        reads the body (up to MAX_SKIP_BYTES) without keeping it: status and
        headers of a big page at no memory cost, the connection kept. ``sink`` (``reset()``,
        ``feed(chunk)``) is handed the body as it arrives instead (up to
        ``max_body_bytes`` or MAX_SKIP_BYTES; ``reset()`` once the final
        response's headers are in, so a retried request starts it afresh): a
        reply parsed in passing needs no body buffer, and each chunk is at most
        the receive buffer.
        """
        if isinstance(body, str):
            body = body.encode()
        keep = self._keep if keep_headers is None else tuple([n.lower() for n in keep_headers])
        lengths = self._keep_lengths if keep_headers is None else wanted_lengths(keep)
        if skip_body or sink is not None:
            limit, dest = (max_body_bytes if sink else 0) or self.MAX_SKIP_BYTES, None
        else:
            limit = max_body_bytes or len(self._body) or self.MAX_BODY_BYTES
            dest = self._body if limit <= len(self._body) else _FIT
        deadline = ticks_add(ticks_ms(), timeout_ms or self.request_timeout_ms)
        await self._lock.acquire()  # not "async with": two coroutine frames fewer per request
        try:
            self.requests += 1
            self._sink = sink
            head = request_head(  # cookies as of now, not of the call
                method, self._base + path, self._host_header, headers, body, self.cookies.header()
            )
            for attempt in (0, 1):
                reused = self._writer is not None
                try:
                    if not reused:
                        await self._connect(deadline)
                    self._received = 0
                    # MicroPython runs a new connection's TLS handshake inside the exchange
                    ms = self.response_timeout_ms
                    if self.tls and not reused:
                        ms += self.connect_timeout_ms
                    ms = self._budget(deadline, ms)
                    exchange = self._exchange(method, head, body, keep, lengths, dest, limit)
                    return await wait_for_ms(exchange, ms)
                except asyncio.TimeoutError:  # noqa: UP041 - MicroPython has its own class
                    await self.close()
                    raise HttpError("timeout", "no complete response within %d ms" % ms)
                except HttpError as exc:
                    await self.close()
                    stale = reused and exc.kind == "closed" and self._received == 0
                    if attempt or not stale:
                        raise
                except BaseException:  # cancelled mid-response: the stream state is unknown
                    await self.close()
                    raise
        finally:
            self._sink = None
            self._lock.release()

    async def close(self):
        """Close the connection; the next request opens a new one.

        A request in flight at that moment fails.
        """
        writer = self._writer
        self._reader = self._writer = None
        self._established = False
        self._reset()
        if writer is not None:
            try:
                writer.close()
                await wait_for_ms(writer.wait_closed(), _CLOSE_MS)
            except Exception:  # a broken connection may fail to close: it is gone either way
                pass
        self._hold_reserve()  # after a failed connect too: its attempt freed the reserve

    def _hold_reserve(self):
        if self._reserving and self._reserve is None:
            collect()  # the closed connection's buffers first: they leave the block we want
            try:
                self._reserve = bytearray(self.TLS_RESERVE_BYTES)
            except MemoryError:  # too fragmented now: the next close tries again
                pass

    # -- request side ---------------------------------------------------------

    async def _connect(self, deadline):
        if self._ip is None:
            try:
                ms = self._budget(deadline, self.connect_timeout_ms)
                self._ip = await wait_for_ms(self._resolve(self.host, self.port), ms)
            except HttpError:
                raise
            except Exception as exc:
                raise HttpError("dns", "cannot resolve %s: %s" % (self.host, exc))
        if self._reserve is not None:
            self._reserve = None
            collect()  # frees the reserve: the record buffers land in its block
        try:
            ms = self._budget(deadline, self.connect_timeout_ms)
            opened = self._opener(self._ip, self.port, self._ctx)
            self._reader, self._writer = await wait_for_ms(opened, ms)
        except Exception as exc:
            where = "connect to %s:%d" % (self._ip, self.port)
            error = exc if isinstance(exc, HttpError) else self._error(exc, where)
            if not is_ip_literal(self.host):
                self._ip = None  # the name may point elsewhere now (a DHCP lease moved)
            raise error
        self.connections_opened += 1
        if self.tls:
            self.tls_handshakes += 1
        self._reset()

    async def _exchange(self, method, head, body, keep, lengths, dest, limit):
        writer = self._writer
        try:
            writer.write(head)
            if body:
                writer.write(body)
            await writer.drain()
        except Exception as exc:
            raise self._error(exc, "send")
        self.bytes_out += len(head) + len(body or b"")
        return await self._response(method, keep, lengths, dest, limit)

    # -- response side --------------------------------------------------------

    async def _response(self, method, keep, lengths, dest, limit):
        for _ in range(4):  # interim 1xx responses (103 Early Hints) precede the real one
            resp = Response()
            length, chunked, keep_alive = await self._headers(resp, keep, lengths)
            if resp.status >= 200:
                break
        else:
            raise HttpError("protocol", "too many interim responses")
        status = resp.status
        grown = None
        if dest is _FIT:  # a buffer for this reply only, no larger than it
            if length is not None and not chunked:
                dest = bytearray(min(length, limit))
            else:  # length unknown: grow with the reply, never a buffer of the limit
                dest, grown = None, Grown()
                self._sink = grown
        body = None if dest is None else memoryview(dest)  # None: sink or drop the body
        if self._sink is not None:
            self._sink.reset()
        if method == "HEAD" or status == 204 or status == 304:
            n = 0
        elif chunked:
            n = await self._chunked(body, limit)
        elif length is not None:
            if length > limit:
                raise HttpError("limit", "body of %d bytes over %d" % (length, limit))
            await self._exact(body, 0, length)
            n = length
        else:
            n = await self._until_close(body, limit)
            keep_alive = False
        if body is not None:
            resp.body = body[:n]
        elif grown is not None:
            resp.body = memoryview(grown.buf)
        self._established = True
        if not keep_alive:
            await self.close()
        return resp

    async def _headers(self, resp, keep, lengths):
        """Status line and headers into resp; return (length, chunked, keep_alive)."""
        while not self._take_line(self.MAX_STATUS_LINE_BYTES, "status line"):
            await self._fill()
        resp.status, resp.reason, keep_alive = parse_status_line(self._mv[self._ls : self._le])
        length = None
        chunked = False
        count = total = 0
        mv = self._mv
        while True:
            # a line already buffered costs no coroutine: most headers arrive in one read
            while not self._take_line(self.MAX_HEADER_LINE_BYTES, "header line"):
                await self._fill()
            s, e = self._ls, self._le
            if s == e:
                break
            count += 1
            if not count & 3:
                await sleep_ms(0)  # 0.3-1 ms a line on the RP2040: let the loop run
            total += e - s + 2
            if count > self.MAX_HEADERS:
                raise HttpError("limit", "more than %d header lines" % self.MAX_HEADERS)
            if total > self.MAX_HEADER_BYTES:
                raise HttpError("limit", "headers larger than %d bytes" % self.MAX_HEADER_BYTES)
            colon = find_byte(self._buf, b":", s, e)
            if colon <= s:
                raise HttpError("protocol", "header line without a name")
            if colon - s not in lengths:  # cheap filter: most headers are never decoded
                continue
            name = bytes(mv[s:colon]).lower()
            value = bytes(mv[colon + 1 : e]).strip()
            if name == LENGTH:
                length = parse_int(value, 10, "Content-Length")
            elif name == ENCODING:
                if value.lower() != b"chunked":
                    raise HttpError("protocol", "unsupported Transfer-Encoding %r" % value[:20])
                chunked = True
            elif name == CONNECTION:
                value = value.lower()
                keep_alive = b"close" not in value and (keep_alive or b"keep-alive" in value)
            else:
                try:
                    text = value.decode()
                except ValueError:
                    raise HttpError("protocol", "header value is not UTF-8")
                if name == COOKIE:
                    self.cookies.parse_set_cookie(text)
                else:
                    key = name.decode()
                    if key in keep:
                        resp.headers[key] = text
        return length, chunked, keep_alive

    # -- failures ---------------------------------------------------------------

    def _budget(self, deadline, op_ms):
        left = ticks_diff(deadline, ticks_ms())
        if left <= 0:
            raise HttpError("timeout", "request deadline passed")
        return min(left, op_ms)

    def _error(self, exc, what):
        if isinstance(exc, asyncio.TimeoutError):  # before OSError: CPython's is one
            return HttpError("timeout", "%s timed out" % what)
        text = " ".join(str(exc).split())  # mbedTLS texts come wrapped in newlines
        if is_cert_error(exc):
            return HttpError("cert", "server certificate is not the pinned one (%s)" % text)
        if is_tls_error(exc):
            # after a response, a TLS failure is just the connection going away
            kind = "closed" if self._established else "tls"
            return HttpError(kind, "%s: TLS error (%s)" % (what, text))
        if isinstance(exc, OSError):
            code = exc.args[0] if exc.args else None
            if code in _REFUSED and not self._established:
                where = "%s:%d" % (self._ip, self.port)
                return HttpError("refused", "cannot connect to %s (errno %s)" % (where, code))
            return HttpError("closed", "%s: connection lost (%s)" % (what, text or code))
        return HttpError("protocol", "%s: %r" % (what, exc))
