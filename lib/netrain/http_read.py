# netrain.http_read: reading an HTTP/1.1 response through one bounded receive buffer.
# SPDX-License-Identifier: MIT
"""``ResponseReader``: the stream side of netrain.http.Client (its base class).

Lines (status, headers, chunk sizes) are found in one receive buffer allocated once;
body bytes go straight into the caller's buffer (or are dropped), never through a
growing list. A body read with no buffer is handed to ``_sink.feed(chunk)`` as it
arrives (each chunk a view of the receive buffer) or dropped when there is no sink. A
sink may stop early, returning the offset it reached (a bounded piece of work done): it
is fed the rest after the loop has run, so no parse holds the display for a whole chunk.
The subclass provides ``_reader`` (the stream) and ``_error(exc, what)`` (an exception
to an HttpError), and counts ``_received`` and ``bytes_in``.
"""

from netrain.compat import find_byte, readinto, sleep_ms
from netrain.http_parse import HttpError, parse_chunk_size


class ResponseReader:
    """Bounded line and body reading over ``self._reader``."""

    MAX_STATUS_LINE_BYTES = 256  #: status line, without CRLF
    MAX_HEADER_LINE_BYTES = 2048  #: one header line (a session cookie JWT fits), without CRLF
    MAX_HEADERS = 48  #: header lines per response (consoles send ~20)

    def __init__(self):
        # Holds at least one whole header line; the slack keeps compaction to a few
        # non-overlapping copies.
        self._buf = bytearray(self.MAX_HEADER_LINE_BYTES + 512)
        self._mv = memoryview(self._buf)
        self._start = self._end = 0  # unread bytes are _buf[_start:_end]
        self._scanned = 0  # _buf[_start:_scanned] holds no line feed
        self._ls = self._le = 0  # the line _take_line found
        self._received = 0  # bytes read since the current request was sent
        self.bytes_in = 0
        self._sink = None  # this request's body sink (reset(), feed(chunk)), or None

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
        elif n:
            await self._pass(self._mv[self._start : self._end])
        self._reset()
        while True:
            if body is None:
                room = self._mv  # sunk or dropped: read over the receive buffer
            else:
                room = body[n:limit] if n < limit else self._mv[:1]  # full: probe for more
            got = await self._read(room)
            if not got:
                return n
            if body is None:
                await self._pass(room[:got])
            n += got
            if n > limit:
                raise HttpError("limit", "body over %d bytes" % limit)

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

    async def _pass(self, chunk):
        sink = self._sink
        if sink is None:
            return
        while chunk:
            await sleep_ms(0)  # the loop runs between the header parse and each piece
            i = sink.feed(chunk)
            if not i:
                return
            chunk = chunk[i:]

    async def _exact(self, body, offset, n):
        """Read n body bytes into body[offset:], buffered bytes first (body None: sink them)."""
        take = min(self._end - self._start, n)
        if body is not None:
            body[offset : offset + take] = self._mv[self._start : self._start + take]
        elif take:
            await self._pass(self._mv[self._start : self._start + take])
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
            if body is None:
                await self._pass(into[:got])
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


class Grown:
    """Sink for a reply of unknown length with no buffer kept: a bytearray that grows."""

    def reset(self):
        self.buf = bytearray()

    def feed(self, chunk):
        self.buf.extend(chunk)
