# netrain.web.server: a small bounded HTTP/1.0 server in the app's asyncio loop.
# SPDX-License-Identifier: MIT
"""One request per connection (``Connection: close``), at most ``max_clients`` at once.

Each client slot owns a buffer allocated once at start-up, so serving a request
allocates little and never needs a large block (TLS needs the 16 KB ones). The whole
request (line, headers, body) must fit its slot and arrive within ``deadline_ms``;
the response must be taken by the client within ``deadline_ms`` too. A slow or
abandoned client is dropped; a client beyond the limit gets a fixed 503.
A handler returns ``(status, content_type, body, extra_headers)`` (or a coroutine
giving it, bounded by the handler's own timeouts): body is bytes, or a ``FileBody``
streamed from flash through the slot buffer.
"""

import asyncio
import json
import os

from ..compat import close_stream, const, readinto, wait_for_ms

JSON = "application/json"
HEAD_BYTES = const(1024)
BODY_BYTES = const(512)
DEADLINE_MS = const(3000)

REASONS = {
    200: "OK",
    302: "Found",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Payload Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}

_BUSY = (
    b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: application/json\r\n"
    b"Content-Length: 27\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
    b'{"error": "server is busy"}'
)


class HttpError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class Request:
    """What a handler sees: the few headers the API uses, the body as bytes."""

    __slots__ = ("method", "path", "query", "auth", "gzip_ok", "json_body", "body")

    def __init__(self):
        self.method = self.path = self.query = ""
        self.auth = None
        self.gzip_ok = self.json_body = False
        self.body = b""


class FileBody:
    """A file sent in slot-sized chunks; ``gzip`` adds Content-Encoding."""

    def __init__(self, path, size, gzip=False):
        self.path = path
        self.size = size
        self.gzip = gzip


def error_body(message):
    return json.dumps({"error": message}).encode()


def _header(head, low, name):
    """The value of header ``name`` (lower-case, with CRLF before and colon after)."""
    i = low.find(name)
    if i < 0:
        return None
    i += len(name)
    end = low.find(b"\r\n", i)
    return head[i : end if end >= 0 else len(head)].strip()


def parse_head(head, req):
    """Fill req from the request line and the few headers we use (bytes without the
    blank line); returns the declared Content-Length. Raises HttpError(400) when
    malformed. Headers are found by searching (in C), not parsed one by one in
    bytecode: that costs milliseconds per request on an RP2040."""
    eol = head.find(b"\r\n")
    parts = (head if eol < 0 else head[:eol]).split(b" ")
    if len(parts) != 3 or not parts[2].startswith(b"HTTP/1.") or not parts[1].startswith(b"/"):
        raise HttpError(400, "malformed request line")
    try:
        req.method = parts[0].decode()
        target = parts[1].decode()
    except UnicodeError:
        raise HttpError(400, "request line is not text")
    q = target.find("?")
    req.path, req.query = (target, "") if q < 0 else (target[:q], target[q + 1 :])
    low = head.lower()
    if low.find(b"\r\ntransfer-encoding:") >= 0:
        raise HttpError(400, "chunked bodies are not accepted; send Content-Length")
    req.auth = _header(head, low, b"\r\nauthorization:")
    value = _header(low, low, b"\r\naccept-encoding:")
    req.gzip_ok = value is not None and b"gzip" in value
    value = _header(low, low, b"\r\ncontent-type:")
    req.json_body = value is not None and value.startswith(b"application/json")
    value = _header(head, low, b"\r\ncontent-length:")
    if value is None:
        return 0
    try:
        length = int(value)
    except ValueError:
        raise HttpError(400, "bad Content-Length")
    if length < 0:
        raise HttpError(400, "bad Content-Length")
    return length


class Server:
    def __init__(self, handler, max_clients=2, deadline_ms=DEADLINE_MS):
        """``handler(request)`` returns the response tuple (see the module doc)."""
        self.handler = handler
        self.deadline_ms = deadline_ms
        self._free = [bytearray(HEAD_BYTES + BODY_BYTES) for _ in range(max_clients)]
        self.served = 0
        self.dropped = 0
        self.busy = 0

    async def start(self, host="0.0.0.0", port=80):
        return await asyncio.start_server(self.serve, host, port)

    async def serve(self, reader, writer):
        """The ``start_server`` callback: one request, then close."""
        if not self._free:
            self.busy += 1
            try:
                writer.write(_BUSY)
                await wait_for_ms(writer.drain(), 500)
            except Exception:  # noqa: S110 - a busy answer is best effort
                pass
            await close_stream(writer)
            return
        slot = self._free.pop()
        try:
            # One deadline for the whole request and one for the answer: a task per
            # wait_for, not per read, keeps the garbage per request small.
            got = await wait_for_ms(self._read(reader, slot), self.deadline_ms)
            if isinstance(got, Request):
                got = await self._handle(got)
            await wait_for_ms(self._send(writer, slot, got), self.deadline_ms)
        except Exception:  # timeouts, resets: the client is simply dropped
            self.dropped += 1
        finally:
            self._free.append(slot)
            await close_stream(writer)

    async def _read(self, reader, buf):
        """The Request, or the error response for a request that broke a limit."""
        view = memoryview(buf)
        got = 0
        end = -1
        while end < 0:
            if got >= HEAD_BYTES:
                return error(413, "headers too large")
            got += await _read_some(reader, view[got:HEAD_BYTES])
            end = bytes(view[:got]).find(b"\r\n\r\n")
        req = Request()
        try:
            length = parse_head(bytes(view[:end]), req)
        except HttpError as exc:
            return error(exc.status, str(exc))
        body_start = end + 4
        need = body_start + length
        if length > BODY_BYTES or need > len(buf):  # or would not fit beside these headers
            return error(413, "body too large")
        while got < need:
            got += await _read_some(reader, view[got:need])
        req.body = bytes(view[body_start:need])
        return req

    async def _handle(self, req):
        try:
            response = self.handler(req)
            if hasattr(response, "send"):  # a coroutine: setup handlers wait on the network
                response = await response
        except HttpError as exc:
            response = error(exc.status, str(exc))
        self.served += 1
        return response

    async def _send(self, writer, buf, response):
        status, ctype, body, extra = response
        size = body.size if isinstance(body, FileBody) else len(body)
        if isinstance(body, FileBody) and body.gzip:
            extra += "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n"
        head = (
            "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n"
            "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
            "Connection: close\r\n%s\r\n"
        ) % (status, REASONS.get(status, "Error"), ctype, size, extra)
        writer.write(head.encode())
        if not isinstance(body, FileBody):
            writer.write(body)
            await writer.drain()
            return
        view = memoryview(buf)
        with open(body.path, "rb") as f:
            while True:
                n = f.readinto(view)
                if not n:
                    break
                writer.write(bytes(view[:n]))  # a copy: CPython's transport may keep a view
                await writer.drain()


async def _read_some(reader, view):
    n = await readinto(reader, view)
    if n == 0:
        raise OSError("closed")
    return n or 0


# -- helpers for handlers ------------------------------------------------------------


def page_file(name):
    """Path of an asset next to this module (``lib/netrain/web/NAME``)."""
    here = __file__.rsplit("/", 1)[0] if "/" in __file__ else "."
    return here + "/" + name


def file_body(path, gzip_ok):
    """A FileBody for path, or for path + ".gz" (compressed) when the client takes
    gzip or only the compressed copy was deployed."""
    try:
        plain = os.stat(path)[6]
    except OSError:
        plain = None
    if gzip_ok or plain is None:
        try:
            return FileBody(path + ".gz", os.stat(path + ".gz")[6], gzip=True)
        except OSError:
            if plain is None:
                raise HttpError(404, "page not installed")
    return FileBody(path, plain)


def response(status, obj, extra=""):
    return status, JSON, json.dumps(obj).encode(), extra


def error(status, message, extra=""):
    return status, JSON, error_body(message), extra


def json_object(req):
    """The request body as a dict, or HttpError(400) saying what is wrong."""
    if not req.json_body:
        # A form or text/plain POST from another site must not ride on a cached password.
        raise HttpError(400, "send the body as Content-Type: application/json")
    try:
        data = json.loads(req.body)
    except ValueError:
        raise HttpError(400, "body is not valid JSON")
    if not isinstance(data, dict):
        raise HttpError(400, "body must be a JSON object")
    return data
