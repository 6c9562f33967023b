# tools.configure.client: a small HTTPS client for the wizard (http.client over a pinned context).
# SPDX-License-Identifier: MIT
"""One keep-alive connection, cookies kept by hand, the CSRF token followed, bodies bounded.

Redirects are never followed (console detection needs the raw 302), no
compression is asked for, and every wait is bounded: the socket timeout covers
connect and each read, and a whole body must arrive within a few timeouts.
"""

import http.client
import json
import ssl
import time

from . import tls
from .core import jwt_claim
from .errors import SetupError, describe_network_error

DEFAULT_MAX_BODY_BYTES = 1 << 20
_DROPPED = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)
_READ_CHUNK_BYTES = 65536
_BODY_DEADLINE_TIMEOUTS = 3  # a whole body gets this many socket timeouts


class Response:
    def __init__(self, method, path, status, headers, body):
        self.method = method
        self.path = path
        self.status = status
        self.headers = headers  # http.client.HTTPMessage: case-insensitive, get_all()
        self.body = body

    def header(self, name):
        return self.headers.get(name)

    def json(self):
        """The parsed body, or a SetupError saying this is not a UniFi API answer."""
        try:
            return json.loads(self.body)
        except ValueError:
            kind = self.header("Content-Type") or "no content type"
            raise SetupError(
                "%s %s answered HTTP %d with %s, not JSON: this does not look like a UniFi "
                "Network application" % (self.method, self.path, self.status, kind.split(";")[0]),
                "check the URL: it must be the console's (or controller's) own address",
            )


class _PinnedConnection(http.client.HTTPSConnection):
    """Checks every new connection's certificate against the accepted fingerprint."""

    def __init__(self, host, port, timeout_s, context, pinned_sha256):
        super().__init__(host, port, timeout=timeout_s, context=context)
        self.pinned_sha256 = pinned_sha256

    def connect(self):
        super().connect()
        if self.pinned_sha256 is None:  # --insecure
            return
        try:
            der = self.sock.getpeercert(binary_form=True)
            tls.check_pin(der, self.pinned_sha256, self.host, self.port)
        except tls.CertChanged:
            self.close()
            raise


class Client:
    """HTTPS to one controller through the given ssl context.

    ``pinned_sha256`` is the fingerprint every connection must present; None only
    with an unverified context (--insecure).
    """

    def __init__(self, host, port, context, timeout_s, pinned_sha256):
        self.host = host
        self.port = port
        self.context = context
        self.timeout_s = timeout_s
        self.pinned_sha256 = pinned_sha256
        self.cookies = {}
        self.csrf = None
        self.api_key = None
        self._conn = None
        self._reused = False

    def close(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def get(self, path, max_bytes=DEFAULT_MAX_BODY_BYTES):
        return self.request("GET", path, max_bytes=max_bytes)

    def request(self, method, path, body=None, max_bytes=DEFAULT_MAX_BODY_BYTES):
        headers = {"Accept": "application/json", "Accept-Encoding": "identity"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.api_key:
            headers["X-API-KEY"] = self.api_key
        if self.cookies:
            headers["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        if self.csrf:
            headers["X-CSRF-Token"] = self.csrf
        try:
            resp = self._exchange(method, path, data, headers, max_bytes)
        except _DROPPED:
            self.close()
            # A kept-alive connection the server closed meanwhile: one fresh try, GETs only
            # (a login is never sent twice: the console counts every attempt).
            if not (self._reused and method == "GET"):
                raise self._dropped(method, path)
            try:
                resp = self._exchange(method, path, data, headers, max_bytes)
            except _DROPPED:
                self.close()
                raise self._dropped(method, path)
        self._note(resp)
        return resp

    def _dropped(self, method, path):
        return SetupError(
            "%s:%d closed the connection during %s %s" % (self.host, self.port, method, path),
            "check that the URL is the controller's HTTPS address, then try again",
        )

    def _exchange(self, method, path, data, headers, max_bytes):
        try:
            if self._conn is None:
                self._conn = _PinnedConnection(
                    self.host, self.port, self.timeout_s, self.context, self.pinned_sha256
                )
                self._reused = False
            else:
                self._reused = True
            self._conn.request(method, path, body=data, headers=headers)
            raw = self._conn.getresponse()
            body = self._read_body(raw, method, path, max_bytes)
        except _DROPPED:
            raise
        except tls.CertChanged:
            self.close()
            raise
        except http.client.HTTPException as exc:
            self.close()
            raise SetupError(
                "%s:%d did not answer %s %s with valid HTTP (%s)"
                % (self.host, self.port, method, path, type(exc).__name__),
                "check the URL: it must be the controller's HTTPS address",
            )
        except ssl.SSLCertVerificationError as exc:
            self.close()
            raise tls.explain_verify_failure(
                exc, self.host, self.port, self.pinned_sha256, self.timeout_s
            )
        except OSError as exc:
            self.close()
            raise describe_network_error(exc, self.host, self.port, self.timeout_s)
        if raw.will_close:
            self.close()
        return Response(method, path, raw.status, raw.msg, body)

    def _read_body(self, raw, method, path, max_bytes):
        length = raw.getheader("Content-Length")
        if length is not None and length.isdigit() and int(length) > max_bytes:
            self.close()
            raise BodyTooLarge(method, path, max_bytes)
        deadline = time.monotonic() + _BODY_DEADLINE_TIMEOUTS * self.timeout_s
        chunks = []
        size = 0
        while True:
            chunk = raw.read(_READ_CHUNK_BYTES)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            chunks.append(chunk)
            if size > max_bytes:
                self.close()
                raise BodyTooLarge(method, path, max_bytes)
            if time.monotonic() > deadline:
                self.close()
                raise SetupError(
                    "%s %s: the answer took longer than %g s to arrive"
                    % (method, path, _BODY_DEADLINE_TIMEOUTS * self.timeout_s),
                    "the controller may be overloaded; try again",
                )

    def _note(self, resp):
        """Keep cookies and the freshest CSRF token (docs/unifi-api.md, "UniFi OS login")."""
        for line in resp.headers.get_all("Set-Cookie") or ():
            pair = line.split(";", 1)[0]
            name, sep, value = pair.partition("=")
            name = name.strip()
            if not sep or not name:
                continue
            lowered = line.lower()
            if not value or "expires=thu, 01 jan 1970" in lowered or "max-age=0" in lowered:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value.strip()
        token = resp.header("X-Updated-CSRF-Token") or resp.header("X-CSRF-Token")
        if token:
            self.csrf = token
        elif self.csrf is None:
            self.csrf = self.cookies.get("csrf_token") or _jwt_csrf(
                self.cookies.get("TOKEN") or self.cookies.get("UOS_TOKEN")
            )


class BodyTooLarge(SetupError):
    def __init__(self, method, path, max_bytes):
        super().__init__("%s %s: the answer is larger than %d bytes" % (method, path, max_bytes))


def _jwt_csrf(token):
    """The csrfToken claim of a UniFi OS TOKEN cookie (a JWT), or None."""
    value = jwt_claim(token, "csrfToken") if token else None
    return value if isinstance(value, str) else None
