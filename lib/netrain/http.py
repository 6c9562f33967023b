# netrain.http: async HTTP/1.1 client, one pinned keep-alive connection, bounded and deadlined.
# SPDX-License-Identifier: MIT
"""A small HTTP/1.1 client for talking to one controller.

    client = Client("https://192.168.1.1", ca_der=pem_to_der(pem_text))
    resp = await client.request("GET", "/proxy/network/api/s/default/stat/health",
                                headers=[("X-API-KEY", key)])
    if resp.status == 200:
        data = json.loads(bytes(resp.body))

* One connection per Client, kept alive and reopened only after the server
  closed it or it failed; requests are serialised on it. A request that finds
  the reused connection already closed by the server (no response byte read)
  is sent once more on a fresh connection.
* https trusts only the pinned certificate (DER, or PEM) unless ``insecure=True``.
  One TLS handshake per connection: inside connect on CPython, during the
  first write and read on MicroPython.
* Deadlines: CONNECT_TIMEOUT_MS for connect; RESPONSE_TIMEOUT_MS from sending
  a request to its last response byte (plus the connect allowance on a new
  TLS connection, for MicroPython's handshake); REQUEST_TIMEOUT_MS overall.
* ``resp.body`` is a memoryview into the client's reusable body buffer, valid
  until the next request on this client starts: parse or copy it
  (``bytes(resp.body)``) before awaiting anything that may issue a request.
* Only the headers named in ``keep_headers`` are kept (lowercase names);
  Set-Cookie lines feed ``client.cookies`` and return in one Cookie header.
* Redirects are not followed. No compression is asked for.
* Every failure raises HttpError whose ``kind`` is one of KINDS.
* ``opener(host_ip, port, ssl_ctx) -> (reader, writer)`` replaces
  ``asyncio.open_connection(host_ip, port, ssl=ssl_ctx)`` (the simulator
  models the device's handshake with it); ssl_ctx is None for http and must
  be passed on as is. ``await resolver(host, port) -> ip`` replaces the
  runtime's DNS lookup of a host name (netrain.dns on the device, the
  simulator's host table). It runs within the connect deadline, once, and
  again only after connecting to the address it gave fails.
"""

import asyncio
import binascii

from netrain import __version__
from netrain.compat import (
    find_byte,
    is_cert_error,
    is_tls_error,
    readinto,
    resolve_ip,
    ticks_add,
    ticks_diff,
    ticks_ms,
    tls_client_context,
    wait_for_ms,
)

KINDS = ("timeout", "closed", "limit", "tls", "cert", "dns", "refused", "protocol")
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
# Response headers the client itself reads, whatever the caller keeps.
_LENGTH = b"content-length"
_ENCODING = b"transfer-encoding"
_CONNECTION = b"connection"
_COOKIE = b"set-cookie"
_EMPTY = memoryview(b"")


class HttpError(Exception):
    """A failed request: ``kind`` (one of KINDS) says what, the message says why."""

    def __init__(self, kind, message):
        super().__init__("%s: %s" % (kind, message))
        self.kind = kind


class Response:
    """Status, reason, the kept headers (lowercase names) and the body (a memoryview)."""

    def __init__(self):
        self.status = 0
        self.reason = ""
        self.headers = {}
        self.body = _EMPTY


class CookieJar:
    """name=value pairs from Set-Cookie lines, bounded; attributes are ignored."""

    MAX_COOKIES = 8  #: cookies kept at once; one more raises HttpError("limit")
    MAX_BYTES = 4096  #: total length of all names and values

    def __init__(self):
        self._items = {}
        self._bytes = 0
        self._header = ""

    def __len__(self):
        return len(self._items)

    def get(self, name, default=None):
        return self._items.get(name, default)

    def header(self):
        """The Cookie header value ("" when empty); rebuilt only when the jar changes."""
        return self._header

    def clear(self):
        self._items = {}
        self._bytes = 0
        self._header = ""

    def set(self, name, value):
        """Store a cookie; an empty value deletes it (how servers expire a session)."""
        items = self._items
        old = items.get(name)
        size = self._bytes - (len(name) + len(old) if old is not None else 0)
        if not value:
            if old is not None:
                del items[name]
                self._bytes = size
                self._rebuild()
            return
        if old is None and len(items) >= self.MAX_COOKIES:
            raise HttpError("limit", "more than %d cookies" % self.MAX_COOKIES)
        size += len(name) + len(value)
        if size > self.MAX_BYTES:
            raise HttpError("limit", "cookies larger than %d bytes" % self.MAX_BYTES)
        items[name] = value
        self._bytes = size
        self._rebuild()

    def parse_set_cookie(self, text):
        """Take the name=value pair of one Set-Cookie header value."""
        end = text.find(";")
        pair = text if end < 0 else text[:end]
        eq = pair.find("=")
        if eq > 0:  # a pair without a name cannot be sent back: ignore it
            self.set(pair[:eq].strip(), pair[eq + 1 :].strip())

    def _rebuild(self):
        self._header = "; ".join(["%s=%s" % item for item in self._items.items()])


def pem_to_der(pem):
    """The first certificate of a PEM text (str or bytes) as DER bytes."""
    if isinstance(pem, str):
        pem = pem.encode()
    begin = pem.find(b"-----BEGIN CERTIFICATE-----")
    end = pem.find(b"-----END CERTIFICATE-----", begin + 1)
    if begin < 0 or end < 0:
        raise ValueError("no PEM certificate found")
    try:
        return binascii.a2b_base64(b"".join(pem[begin + 27 : end].split()))
    except ValueError:  # binascii.Error
        raise ValueError("the PEM certificate is not valid base64")


def parse_url(url):
    """'https://host[:port][/base]' -> (scheme, host, port, base_path without trailing /)."""
    i = url.find("://")
    scheme = url[:i].lower() if i > 0 else ""
    if scheme != "http" and scheme != "https":
        raise ValueError("not an http(s) URL: %s" % url)
    rest = url[i + 3 :]
    j = rest.find("/")
    netloc, base = (rest, "") if j < 0 else (rest[:j], rest[j:].rstrip("/"))
    if netloc.startswith("["):  # [IPv6]:port
        k = netloc.find("]")
        host, port_text = netloc[1:k], netloc[k + 1 :]
        if port_text and not port_text.startswith(":"):
            raise ValueError("bad host in URL: %s" % url)
        port_text = port_text[1:]
    else:
        k = netloc.find(":")
        host, port_text = (netloc, "") if k < 0 else (netloc[:k], netloc[k + 1 :])
    if not host or "@" in host:
        raise ValueError("bad host in URL: %s" % url)
    if not port_text:
        return scheme, host, 443 if scheme == "https" else 80, base
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError("bad port in URL: %s" % url)
    return scheme, host, int(port_text), base


def is_ip_literal(host):
    """True for a dotted IPv4 address or an IPv6 address (anything with a colon)."""
    if ":" in host:
        return True
    parts = host.split(".")
    return len(parts) == 4 and all(p.isdigit() and len(p) <= 3 and int(p) <= 255 for p in parts)


def _tlv(der, pos):
    """(tag, start, end) of the DER element at pos; end is past its contents."""
    tag, n = der[pos], der[pos + 1]
    pos += 2
    if n & 0x80:
        count, n = n & 0x7F, 0
        for _ in range(count):
            n = (n << 8) | der[pos]
            pos += 1
    return tag, pos, pos + n


def _children(der, start, end):
    out = []
    while start < end:
        item = _tlv(der, start)
        out.append(item)
        start = item[2]
    return out


def cert_hostname(der):
    """The name a certificate vouches for, or None: what its own check would accept.

    With a subjectAltName extension (checked alone, as mbedTLS does): its first
    DNS name, else its first IPv4 address; without one: the subject's CN.
    """
    try:
        _, start, end = _tlv(der, 0)
        _, start, end = _tlv(der, start)  # tbsCertificate
        fields = _children(der, start, end)
        if fields[0][0] == 0xA0:  # explicit version
            fields = fields[1:]
        for tag, start, _ in fields[6:]:
            if tag != 0xA3:  # extensions
                continue
            for _, s, e in _children(der, *_tlv(der, start)[1:]):
                ext = _children(der, s, e)
                if bytes(der[ext[0][1] : ext[0][2]]) == b"\x55\x1d\x11":  # subjectAltName
                    _, s, e = _tlv(der, ext[-1][1])  # OCTET STRING holds GeneralNames
                    ip = None
                    for gtag, gs, ge in _children(der, s, e):
                        if gtag == 0x82:
                            return bytes(der[gs:ge]).decode()
                        if gtag == 0x87 and ge - gs == 4 and ip is None:
                            ip = "%d.%d.%d.%d" % tuple(der[gs:ge])
                    return ip
        for _, s, e in _children(der, fields[4][1], fields[4][2]):  # subject RDN sets
            for _, s2, e2 in _children(der, s, e):
                oid, value = _children(der, s2, e2)[:2]
                if bytes(der[oid[1] : oid[2]]) == b"\x55\x04\x03":  # commonName
                    return bytes(der[value[1] : value[2]]).decode()
    except (IndexError, ValueError):
        pass
    return None


def _parse_int(text, base, what):
    """A non-negative int from ASCII digits only (int() would accept _, 0x, +, spaces)."""
    if not text:
        raise HttpError("protocol", "empty %s" % what)
    if len(text) > 8:
        raise HttpError("limit", "%s too large" % what)
    n = 0
    for c in text:
        if 48 <= c <= 57:
            d = c - 48
        elif base == 16 and 97 <= (c | 32) <= 102:
            d = (c | 32) - 87
        else:
            raise HttpError("protocol", "bad %s" % what)
        n = n * base + d
    return n


def parse_status_line(line):
    """b'HTTP/1.1 200 OK' -> (200, 'OK', is_http_1_1). Indexes, not slices: less garbage."""
    line = bytes(line)
    n = len(line)
    if n < 12 or not line.startswith(b"HTTP/1.") or line[8] != 32 or (n > 12 and line[12] != 32):
        raise HttpError("protocol", "bad status line %r" % line[:40])
    status = 0
    for i in (9, 10, 11):
        digit = line[i] - 48
        if not 0 <= digit <= 9:
            raise HttpError("protocol", "bad status code in %r" % line[:40])
        status = status * 10 + digit
    if status < 100:
        raise HttpError("protocol", "bad status code %d" % status)
    try:
        reason = line[13:].decode() if n > 13 else ""
    except ValueError:
        reason = ""
    return status, reason, line[7] == 49


def parse_chunk_size(line):
    """The size from a chunk-size line, ignoring chunk extensions (';name=value')."""
    line = bytes(line)
    i = line.find(b";")
    return _parse_int((line if i < 0 else line[:i]).strip(), 16, "chunk size")


def _check_field(text, banned):
    """Refuse CR, LF (and ``banned``) in a request field: they would forge extra headers."""
    if "\r" in text or "\n" in text or (banned and banned in text):
        raise ValueError("request field contains a line break or space: %r" % text[:40])


def _wanted_lengths(keep):
    lengths = {len(_LENGTH), len(_ENCODING), len(_CONNECTION), len(_COOKIE)}
    for name in keep:
        lengths.add(len(name))
    return lengths


async def _open_connection(host_ip, port, ssl_ctx):
    return await asyncio.open_connection(host_ip, port, ssl=ssl_ctx)


class Client:
    """Requests to one http(s) origin over one persistent connection."""

    MAX_STATUS_LINE_BYTES = 256  #: status line, without CRLF
    MAX_HEADER_LINE_BYTES = 2048  #: one header line (a session cookie JWT fits), without CRLF
    MAX_HEADERS = 48  #: header lines per response (consoles send ~20)
    MAX_HEADER_BYTES = 8192  #: all header lines of a response together
    MAX_BODY_BYTES = 16384  #: default body limit; the body buffer is allocated once at this size
    MAX_SKIP_BYTES = 65536  #: most body bytes read and dropped by a skip_body request
    CONNECT_TIMEOUT_MS = 5000  #: TCP connect (and the TLS handshake, wherever it happens)
    RESPONSE_TIMEOUT_MS = 5000  #: from sending a request to having all of its response
    REQUEST_TIMEOUT_MS = 15000  #: a whole request, connect and retry included

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
    ):
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
                if isinstance(ca_der, str) or ca_der[:5] == b"-----":  # PEM given
                    ca_der = pem_to_der(ca_der)
                try:
                    self._ctx = tls_client_context(ca_der, False, cert_hostname(ca_der))
                except Exception as exc:
                    raise ValueError("the pinned certificate is not usable: %s" % exc)
        self._keep = tuple([name.lower() for name in keep_headers])
        self._keep_lengths = _wanted_lengths(self._keep)
        self._opener = opener or _open_connection
        self._resolve = resolver or resolve_ip
        self.connect_timeout_ms = connect_timeout_ms or self.CONNECT_TIMEOUT_MS
        self.response_timeout_ms = response_timeout_ms or self.RESPONSE_TIMEOUT_MS
        self.request_timeout_ms = request_timeout_ms or self.REQUEST_TIMEOUT_MS
        self.cookies = CookieJar()
        self.connections_opened = 0
        self.requests = 0
        self.tls_handshakes = 0
        self.bytes_in = 0
        self.bytes_out = 0
        self._lock = asyncio.Lock()
        self._reader = self._writer = None
        self._established = False  # a response arrived on this connection
        self._received = 0  # bytes read since the current request was sent
        # Receive buffer: holds at least one whole header line; the slack keeps
        # compaction to a few non-overlapping copies.
        self._buf = bytearray(self.MAX_HEADER_LINE_BYTES + 512)
        self._mv = memoryview(self._buf)
        self._start = self._end = 0  # unread bytes are _buf[_start:_end]
        self._scanned = 0  # _buf[_start:_scanned] holds no line feed
        self._ls = self._le = 0  # the line _take_line found
        self._body = bytearray(max_body_bytes or self.MAX_BODY_BYTES)

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
    ):
        """Send one request and read its whole response; return a Response.

        ``body`` is bytes or str (JSON text gets Content-Type application/json
        unless ``headers`` name one); ``headers`` a sequence of (name, value).
        ``max_body_bytes`` above the client's buffer size allocates a buffer
        for this request only. ``skip_body`` reads the body (up to
        MAX_SKIP_BYTES) without keeping it: status and headers of a big page
        at no memory cost, the connection kept.
        """
        if isinstance(body, str):
            body = body.encode()
        keep = self._keep if keep_headers is None else tuple([n.lower() for n in keep_headers])
        lengths = self._keep_lengths if keep_headers is None else _wanted_lengths(keep)
        if skip_body:
            limit, dest = self.MAX_SKIP_BYTES, None
        else:
            limit = max_body_bytes or len(self._body)
            dest = self._body if limit <= len(self._body) else bytearray(limit)
        deadline = ticks_add(ticks_ms(), timeout_ms or self.request_timeout_ms)
        await self._lock.acquire()  # not "async with": two coroutine frames fewer per request
        try:
            self.requests += 1
            head = self._head(method, path, body, headers)  # cookies as of now, not of the call
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

    # -- request side ---------------------------------------------------------

    def _head(self, method, path, body, headers):
        path = self._base + path
        _check_field(method + path, " ")
        parts = [
            "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: netrain/%s\r\n"
            "Accept-Encoding: identity\r\nConnection: keep-alive\r\n"
            % (method, path, self._host_header, __version__)
        ]
        typed = False
        for name, value in headers:
            line = "%s: %s\r\n" % (name, value)
            _check_field(line[:-2], "")
            parts.append(line)
            typed = typed or name.lower() == "content-type"
        if body is not None or method in ("POST", "PUT", "PATCH"):
            parts.append("Content-Length: %d\r\n" % len(body or b""))
            if body and not typed:
                parts.append("Content-Type: application/json\r\n")
        cookie = self.cookies.header()
        if cookie:
            parts.append("Cookie: %s\r\n" % cookie)
        parts.append("\r\n")
        return "".join(parts).encode()

    async def _connect(self, deadline):
        if self._ip is None:
            try:
                ms = self._budget(deadline, self.connect_timeout_ms)
                self._ip = await wait_for_ms(self._resolve(self.host, self.port), ms)
            except HttpError:
                raise
            except Exception as exc:
                raise HttpError("dns", "cannot resolve %s: %s" % (self.host, exc))
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
        body = None if dest is None else memoryview(dest)  # None: drop the body
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
            if name == _LENGTH:
                length = _parse_int(value, 10, "Content-Length")
            elif name == _ENCODING:
                if value.lower() != b"chunked":
                    raise HttpError("protocol", "unsupported Transfer-Encoding %r" % value[:20])
                chunked = True
            elif name == _CONNECTION:
                value = value.lower()
                keep_alive = b"close" not in value and (keep_alive or b"keep-alive" in value)
            else:
                try:
                    text = value.decode()
                except ValueError:
                    raise HttpError("protocol", "header value is not UTF-8")
                if name == _COOKIE:
                    self.cookies.parse_set_cookie(text)
                else:
                    key = name.decode()
                    if key in keep:
                        resp.headers[key] = text
        return length, chunked, keep_alive

    async def _chunked(self, body, limit):
        n = 0
        while True:
            while not self._take_line(self.MAX_STATUS_LINE_BYTES, "chunk size line"):
                await self._fill()
            size = parse_chunk_size(self._mv[self._ls : self._le])
            if not size:
                break
            if n + size > limit:
                raise HttpError("limit", "chunked body over %d bytes" % limit)
            await self._exact(body, n, size)
            n += size
            while not self._take_line(self.MAX_STATUS_LINE_BYTES, "chunk end"):
                await self._fill()
            if self._ls != self._le:
                raise HttpError("protocol", "chunk data not followed by CRLF")
        for _ in range(self.MAX_HEADERS + 1):  # trailer lines, ignored
            while not self._take_line(self.MAX_HEADER_LINE_BYTES, "trailer line"):
                await self._fill()
            if self._ls == self._le:
                return n
        raise HttpError("limit", "more than %d trailer lines" % self.MAX_HEADERS)

    async def _until_close(self, body, limit):
        n = self._end - self._start
        if n > limit:
            raise HttpError("limit", "body over %d bytes" % limit)
        if body is not None:
            body[:n] = self._mv[self._start : self._end]
        self._reset()
        while True:
            if body is None:
                room = self._mv  # dropped: read over the receive buffer
            else:
                room = body[n:limit] if n < limit else self._mv[:1]  # full: probe for more
            got = await self._read(room)
            if not got:
                return n
            n += got
            if n > limit:
                raise HttpError("limit", "body over %d bytes" % limit)

    # -- buffered reading -----------------------------------------------------

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

    async def _read(self, into):
        """Read once into the memoryview ``into``; 0 means the server closed."""
        try:
            got = await readinto(self._reader, into)
            while got is None:  # MicroPython TLS mid-record: nothing to hand out yet
                got = await readinto(self._reader, into)
        except Exception as exc:
            raise self._error(exc, "receive")
        self._received += got
        self.bytes_in += got
        return got

    async def _exact(self, body, offset, n):
        """Read n body bytes into body[offset:], buffered bytes first (body None: drop them)."""
        take = min(self._end - self._start, n)
        if body is not None:
            body[offset : offset + take] = self._mv[self._start : self._start + take]
        self._start += take
        while take < n:
            want = n - take
            if body is None:
                into = self._mv[: min(want, len(self._buf))]
            else:
                into = body[offset + take : offset + n]
            got = await self._read(into)
            if not got:
                raise HttpError("closed", "server closed the connection mid-body")
            take += got

    def _take_line(self, limit, what):
        """Find the next buffered line: bounds (CR/LF stripped) in _ls, _le.

        False when the line is not complete yet: _fill() and try again.
        """
        start, end = self._start, self._end
        i = find_byte(self._buf, b"\n", max(start, self._scanned), end)
        if i < 0:
            if end - start > limit + 1:
                raise HttpError("limit", "%s longer than %d bytes" % (what, limit))
            self._scanned = end
            return False
        self._start = self._scanned = i + 1
        if i > start and self._buf[i - 1] == 13:
            i -= 1
        if i - start > limit:
            raise HttpError("limit", "%s longer than %d bytes" % (what, limit))
        self._ls, self._le = start, i
        return True

    async def _fill(self):
        """Read more bytes into the receive buffer, making room first if needed."""
        if self._start == self._end:
            self._reset()
        elif self._end == len(self._buf):
            self._compact()
        got = await self._read(self._mv[self._end :])
        if not got:
            raise HttpError("closed", "server closed the connection")
        self._end += got

    def _reset(self):
        self._start = self._end = self._scanned = 0

    def _compact(self):
        # Move the partial line to the front in steps no longer than the gap, so
        # no copy overlaps itself (MicroPython copies slices with memcpy).
        mv, start = self._mv, self._start
        n = self._end - start
        done = 0
        while done < n:
            step = min(start, n - done)
            mv[done : done + step] = mv[start + done : start + done + step]
            done += step
        self._scanned = max(0, self._scanned - start)
        self._start, self._end = 0, n
