# tools.fake_unifi.httpd: a small HTTP/1.1 server (optionally TLS) on asyncio, with delivery faults.
# SPDX-License-Identifier: MIT
"""HTTP/1.1 server core: keep-alive, bounded parsing, and misbehaving delivery.

The server knows how to deliver a Response badly (latency, stall, trickle,
truncation, a reset halfway through the body, chunked framing); the app
decides when. TLS is started by hand after accepting the TCP connection, so
TCP connections and completed handshakes are counted separately, the
certificate can change per connection, and a handshake can be delayed.
"""

import asyncio
import socket
import ssl
import struct
import sys
import traceback
from email.utils import formatdate
from urllib.parse import parse_qsl, unquote, urlsplit

MAX_LINE_BYTES = 8192
MAX_HEADERS = 100
MAX_BODY_BYTES = 1 << 20
_HEADER_TIMEOUT_S = 30.0
_BODY_TIMEOUT_S = 30.0
_TRICKLE_TICK_S = 0.1
_FLUSH_WAIT_S = 1.0

REASONS = {
    100: "Continue",
    200: "OK",
    204: "No Content",
    302: "Found",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    411: "Length Required",
    413: "Payload Too Large",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    499: "Client Closed Request",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

# Errors that only mean the peer went away or misbehaved: never worth a traceback.
PEER_ERRORS = (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError, TimeoutError, OSError)


class BadRequest(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class Request:
    """One parsed request. Header names are lowercase; the last duplicate wins."""

    def __init__(self, method, target, version, headers, body, conn):
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
        self.conn = conn
        parts = urlsplit(target)
        self.path = unquote(parts.path) or "/"
        self.query = dict(parse_qsl(parts.query, keep_blank_values=True))
        self._cookies = None

    def header(self, name, default=None):
        return self.headers.get(name.lower(), default)

    @property
    def cookies(self):
        if self._cookies is None:
            jar = {}
            for item in self.headers.get("cookie", "").split(";"):
                key, sep, value = item.strip().partition("=")
                if sep:
                    jar[key] = value
            self._cookies = jar
        return self._cookies


class Response:
    """What to send, plus how badly to send it (set by the app from its faults)."""

    def __init__(self, status=200, body=b"", content_type=None, headers=None):
        self.status = status
        self.body = body.encode() if isinstance(body, str) else body
        self.headers = list(headers or ())
        if content_type is not None:
            self.headers.insert(0, ("Content-Type", content_type))
        self.close = False
        self.chunk_size = 0  # > 0: chunked transfer-encoding with this chunk size
        self.delay_s = 0.0
        self.stall = False
        self.trickle_bps = 0
        self.truncate = False
        self.reset_mid_body = False

    def add_header(self, name, value):
        self.headers.append((name, value))


class Connection:
    """Per-connection facts the app may want (id, peer, request count, TLS)."""

    def __init__(self, conn_id, peer):
        self.id = conn_id
        self.peer = peer
        self.requests = 0
        self.tls = False


class App:
    """Hooks the server calls; the defaults make a plain server that counts nothing."""

    def connection_made(self, conn):
        pass

    def connection_lost(self, conn):
        pass

    def ssl_context(self, conn):
        """SSLContext for this new connection, or None for plain HTTP."""
        return None

    def handshake_delay_s(self, conn):
        return 0.0

    def handshake_done(self, conn):
        pass

    def handshake_failed(self, conn, exc):
        pass

    def responding(self, conn, req, resp):
        pass

    async def handle(self, req):
        raise NotImplementedError


class _Protocol(asyncio.StreamReaderProtocol):
    """Holds reads until the handler decides about TLS, so no ClientHello is swallowed."""

    def connection_made(self, transport):
        transport.pause_reading()
        super().connection_made(transport)

    def eof_received(self):
        super().eof_received()
        # Returning True (half-close) makes asyncio warn under TLS; we never need it.
        return False


class HttpServer:
    def __init__(
        self,
        app,
        host,
        port=0,
        keepalive_s=60.0,
        max_requests=0,
        lowercase_headers=False,
        handshake_timeout_s=10.0,
        stall_max_s=300.0,
    ):
        self.app = app
        self.host = host
        self.port = port
        self.keepalive_s = keepalive_s
        self.max_requests = max_requests
        self.lowercase_headers = lowercase_headers
        self.handshake_timeout_s = handshake_timeout_s
        self.stall_max_s = stall_max_s
        self._server = None
        self._writers = set()
        self._tasks = set()
        self._next_id = 0
        self._stopping = None

    @property
    def listening(self):
        return self._server is not None

    async def start(self):
        """Listen (again) on host:port; after the first bind the port stays fixed."""
        if self._server is not None:
            return
        loop = asyncio.get_running_loop()
        if self._stopping is None:
            self._stopping = asyncio.Event()

        def factory():
            reader = asyncio.StreamReader(limit=MAX_LINE_BYTES * 2)
            return _Protocol(reader, self._on_connection)

        self._server = await loop.create_server(
            factory, self.host, self.port, backlog=64, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop_listening(self, drop=True):
        """Close the listening socket; with drop, also abort every open connection."""
        if self._server is not None:
            self._server.close()
            self._server = None
        if drop:
            self.drop_connections()

    def drop_connections(self):
        for writer in list(self._writers):
            _reset(writer)

    async def close(self):
        if self._stopping is not None:
            self._stopping.set()
        await self.stop_listening(drop=True)
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    # -- one connection --------------------------------------------------------------------

    async def _on_connection(self, reader, writer):
        task = asyncio.current_task()
        self._tasks.add(task)
        self._writers.add(writer)
        self._next_id += 1
        conn = Connection(self._next_id, writer.get_extra_info("peername"))
        try:
            self.app.connection_made(conn)
            if await self._start_tls(conn, writer):
                await self._serve(conn, reader, writer)
        except asyncio.CancelledError:
            pass
        except PEER_ERRORS:
            pass
        finally:
            self._writers.discard(writer)
            self._tasks.discard(task)
            _close(writer)
            self.app.connection_lost(conn)

    async def _start_tls(self, conn, writer):
        ctx = self.app.ssl_context(conn)
        if ctx is None:
            writer.transport.resume_reading()
            return True
        delay_s = self.app.handshake_delay_s(conn)
        if delay_s > 0:
            await asyncio.sleep(delay_s)
        try:
            await writer.start_tls(ctx, ssl_handshake_timeout=self.handshake_timeout_s)
        except PEER_ERRORS as exc:
            self.app.handshake_failed(conn, exc)
            return False
        conn.tls = True
        self.app.handshake_done(conn)
        return True

    async def _serve(self, conn, reader, writer):
        while True:
            try:
                req = await self._read_request(conn, reader, writer)
            except BadRequest as exc:
                resp = Response(exc.status, "%s\n" % exc, "text/plain")
                resp.close = True
                await self._send(writer, None, resp, close=True)
                return
            if req is None:
                return
            conn.requests += 1
            try:
                resp = await self.app.handle(req)
            except asyncio.CancelledError:
                raise
            except Exception:
                traceback.print_exc(file=sys.stderr)
                resp = Response(500, "internal error in fake controller\n", "text/plain")
            close = resp.close or _client_wants_close(req)
            if self.max_requests and conn.requests >= self.max_requests:
                close = True
            # Counted before sending, so a client that has its answer sees it counted.
            self.app.responding(conn, req, resp)
            if resp.stall:
                await self._stall(reader)
                return
            if not await self._send(writer, req, resp, close):
                return

    async def _read_request(self, conn, reader, writer):
        # The first request gets the same idle allowance as later ones on keep-alive.
        try:
            line = await asyncio.wait_for(reader.readline(), self.keepalive_s)
        except (asyncio.TimeoutError, ValueError, asyncio.LimitOverrunError):
            return None
        if not line:
            return None
        if not line.endswith(b"\n"):
            return None
        try:
            method, target, version = line.decode("latin-1").split()
        except ValueError:
            raise BadRequest(400, "malformed request line")
        if not version.startswith("HTTP/1."):
            raise BadRequest(400, "unsupported protocol %s" % version)
        headers = await asyncio.wait_for(self._read_headers(reader), _HEADER_TIMEOUT_S)
        if headers.get("expect", "").lower() == "100-continue":
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            await writer.drain()
        body = await asyncio.wait_for(self._read_body(reader, headers), _BODY_TIMEOUT_S)
        return Request(method.upper(), target, version, headers, body, conn)

    async def _read_headers(self, reader):
        headers = {}
        for _ in range(MAX_HEADERS + 1):
            try:
                line = await reader.readline()
            except (ValueError, asyncio.LimitOverrunError):
                raise BadRequest(431, "header line too long")
            if not line:
                raise asyncio.IncompleteReadError(b"", None)
            if line in (b"\r\n", b"\n"):
                return headers
            name, sep, value = line.decode("latin-1").partition(":")
            if not sep:
                raise BadRequest(400, "malformed header line")
            headers[name.strip().lower()] = value.strip()
        raise BadRequest(431, "too many headers")

    async def _read_body(self, reader, headers):
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return await self._read_chunked(reader)
        try:
            length = int(headers.get("content-length", "0"))
        except ValueError:
            raise BadRequest(400, "bad Content-Length")
        if length < 0 or length > MAX_BODY_BYTES:
            raise BadRequest(413, "body too large")
        return await reader.readexactly(length) if length else b""

    async def _read_chunked(self, reader):
        parts = []
        total = 0
        while True:
            size_line = await reader.readline()
            try:
                size = int(size_line.split(b";")[0].strip(), 16)
            except ValueError:
                raise BadRequest(400, "bad chunk size")
            if size == 0:
                while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                    pass  # trailers are read and ignored
                return b"".join(parts)
            total += size
            if total > MAX_BODY_BYTES:
                raise BadRequest(413, "body too large")
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)

    async def _stall(self, reader):
        """Say nothing until the client gives up, the server stops, or stall_max_s passes."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.stall_max_s
        while not self._stopping.is_set():
            left = deadline - loop.time()
            if left <= 0:
                return
            try:
                data = await asyncio.wait_for(reader.read(4096), min(left, 1.0))
            except asyncio.TimeoutError:
                continue
            if not data:
                return

    # -- sending ---------------------------------------------------------------------------

    def _head(self, resp, wire_len, close):
        lines = ["HTTP/1.1 %d %s" % (resp.status, REASONS.get(resp.status, "Unknown"))]
        fields = [("Date", formatdate(usegmt=True))]
        fields.extend(resp.headers)
        if resp.chunk_size > 0:
            fields.append(("Transfer-Encoding", "chunked"))
        else:
            fields.append(("Content-Length", str(wire_len)))
        fields.append(("Connection", "close" if close else "keep-alive"))
        for name, value in fields:
            lines.append("%s: %s" % (name.lower() if self.lowercase_headers else name, value))
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def _send(self, writer, req, resp, close):
        """Write one response; return True when the connection stays open."""
        if resp.delay_s > 0:
            await asyncio.sleep(resp.delay_s)
        body = resp.body
        wire = _chunk(body, resp.chunk_size) if resp.chunk_size > 0 else body
        if resp.truncate or resp.reset_mid_body:
            # Announce everything, deliver half: the client must notice the short body.
            head = self._head(resp, len(wire), close=False)
            writer.write(head + wire[: len(wire) // 2])
            await writer.drain()
            if resp.reset_mid_body:
                await _flushed(writer)
                _reset(writer)
            else:
                await _flushed(writer)
                writer.close()
            return False
        head = self._head(resp, len(wire), close)
        if resp.trickle_bps > 0:
            await self._trickle(writer, head, wire, resp.trickle_bps)
        else:
            writer.write(head + wire)
            await writer.drain()
        return not close

    async def _trickle(self, writer, head, wire, bps):
        writer.write(head)
        await writer.drain()
        step = max(1, int(bps * _TRICKLE_TICK_S))
        pause_s = step / float(bps)
        for i in range(0, len(wire), step):
            await asyncio.sleep(pause_s)
            writer.write(wire[i : i + step])
            await writer.drain()


def _chunk(body, size):
    out = []
    for i in range(0, len(body), size):
        part = body[i : i + size]
        out.append(b"%x\r\n%s\r\n" % (len(part), part))
    out.append(b"0\r\n\r\n")
    return b"".join(out)


def _client_wants_close(req):
    value = req.header("connection", "").lower()
    if req.version == "HTTP/1.0":
        return "keep-alive" not in value
    return "close" in value


async def _flushed(writer):
    """Wait (bounded) until the kernel has what we wrote, so a cut lands where intended."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + _FLUSH_WAIT_S
    transport = writer.transport
    while transport.get_write_buffer_size() > 0 and loop.time() < deadline:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.02)


def _reset(writer):
    """Abort with SO_LINGER 0 so the peer sees a TCP RST, as a crashed console gives."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.transport.abort()


def _close(writer):
    try:
        writer.close()
    except (RuntimeError, OSError):
        pass
