# netrain.http_parse: the pure parts of HTTP/1.1 for netrain.http (no I/O, no asyncio).
# SPDX-License-Identifier: MIT
"""URL, status line, chunk size, the request head and its field checks, cookies, the error type.

Kept apart from the async Client (as micropython-lib's requests keeps ``_http``) so
they are tested on plain bytes, and ``parse_url``/``is_ip_literal`` are usable at boot
without the client.
"""

from netrain import __version__

KINDS = ("timeout", "closed", "limit", "tls", "cert", "dns", "refused", "protocol")
# Response headers the client itself reads, whatever the caller keeps.
LENGTH = b"content-length"
ENCODING = b"transfer-encoding"
CONNECTION = b"connection"
COOKIE = b"set-cookie"
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


def parse_int(text, base, what):
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
    return parse_int((line if i < 0 else line[:i]).strip(), 16, "chunk size")


def check_field(text, banned):
    """Refuse CR, LF (and ``banned``) in a request field: they would forge extra headers."""
    if "\r" in text or "\n" in text or (banned and banned in text):
        raise ValueError("request field contains a line break or space: %r" % text[:40])


def wanted_lengths(keep):
    lengths = {len(LENGTH), len(ENCODING), len(CONNECTION), len(COOKIE)}
    for name in keep:
        lengths.add(len(name))
    return lengths


def request_head(method, path, host_header, headers, body, cookie):
    """The request line and headers as bytes; ``path`` includes any base path."""
    check_field(method + path, " ")
    parts = [
        "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: netrain/%s\r\n"
        "Accept-Encoding: identity\r\nConnection: keep-alive\r\n"
        % (method, path, host_header, __version__)
    ]
    typed = False
    for name, value in headers:
        line = "%s: %s\r\n" % (name, value)
        check_field(line[:-2], "")
        parts.append(line)
        typed = typed or name.lower() == "content-type"
    if body is not None or method in ("POST", "PUT", "PATCH"):
        parts.append("Content-Length: %d\r\n" % len(body or b""))
        if body and not typed:
            parts.append("Content-Type: application/json\r\n")
    if cookie:
        parts.append("Cookie: %s\r\n" % cookie)
    parts.append("\r\n")
    return "".join(parts).encode()
