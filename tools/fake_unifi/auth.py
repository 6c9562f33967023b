# tools.fake_unifi.auth: logins, cookie sessions, CSRF tokens and the login rate limit.
# SPDX-License-Identifier: MIT
"""Both login flows, as docs/unifi-api.md ("Authentication") describes them.

UniFi OS: POST /api/auth/login sets a TOKEN cookie holding a JWT whose payload
carries csrfToken and exp; the CSRF token also comes as a header (or not,
by option). Wrong password is 403, an MFA account 499, and repeated failures
lock logins with a 429 that carries no Retry-After and that every further
attempt extends. Legacy: POST /api/login sets unifises and csrf_token
cookies; wrong password is 400 api.err.Invalid.
"""

import base64
import collections
import hashlib
import hmac
import json
import secrets
import threading
import time
import uuid

from . import payloads
from .httpd import Response

_MAX_SESSIONS = 64
_MAX_MFA_PENDING = 16


def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Session:
    __slots__ = ("token", "kind", "csrf", "expires_s", "username", "user_id", "created_s")

    def __init__(self, token, kind, csrf, expires_s, username, user_id):
        self.token = token
        self.kind = kind
        self.csrf = csrf
        self.expires_s = expires_s
        self.username = username
        self.user_id = user_id
        self.created_s = time.time()


class Auth:
    """Login handlers and session lookups. `opts` is read live, so runtime option changes apply."""

    def __init__(self, opts, faults, count):
        self.opts = opts
        self.faults = faults
        self._count = count
        self._lock = threading.Lock()
        self._sessions = collections.OrderedDict()
        self._mfa_pending = collections.OrderedDict()
        self._failures = 0
        self._locked_until = 0.0
        self._secret = secrets.token_bytes(32)
        self.user_id = payloads.uuid_for("user", opts.username)
        self._created_s = 1700000000

    # -- sessions -------------------------------------------------------------------------

    def _new_session(self, kind, token, csrf, username):
        session = Session(
            token, kind, csrf, time.time() + self.opts.session_s, username, self.user_id
        )
        with self._lock:
            self._sessions[token] = session
            while len(self._sessions) > _MAX_SESSIONS:
                self._sessions.popitem(last=False)
        return session

    def session_for(self, req):
        """The live session named by the request's cookie, or None (missing or expired)."""
        if self.opts.mode == "unifios":
            token = req.cookies.get(self.opts.token_cookie)
        else:
            token = req.cookies.get("unifises")
        if not token:
            return None
        with self._lock:
            session = self._sessions.get(token)
            if session is None:
                return None
            if time.time() >= session.expires_s:
                del self._sessions[token]
                return None
            return session

    def expire_all(self):
        with self._lock:
            self._sessions.clear()

    def end(self, session):
        with self._lock:
            self._sessions.pop(session.token, None)

    def session_count(self):
        with self._lock:
            return len(self._sessions)

    def csrf_ok(self, req, session):
        if session.kind == "legacy" and not self.opts.legacy_csrf_required:
            return True
        sent = req.header("x-csrf-token")
        return bool(sent) and hmac.compare_digest(sent, session.csrf)

    def after_response(self, session, resp):
        """Rotate the CSRF token on every cookie-authenticated response when asked to."""
        if self.opts.csrf_rotate and session.kind == "unifios":
            session.csrf = str(uuid.uuid4())
            resp.add_header("X-Updated-CSRF-Token", session.csrf)

    def lockout_remaining_s(self):
        return max(0.0, self._locked_until - time.monotonic())

    def reset(self):
        with self._lock:
            self._sessions.clear()
            self._mfa_pending.clear()
        self._failures = 0
        self._locked_until = 0.0

    # -- UniFi OS ---------------------------------------------------------------------------

    def _jwt(self, csrf, remember):
        now = int(time.time())
        header = {"alg": "HS256", "typ": "JWT"}
        claims = {
            "userId": self.user_id,
            "passwordRevision": self._created_s,
            "isRemembered": bool(remember),
            "csrfToken": csrf,
            "iat": now,
            "exp": now + int(self.opts.session_s),
            "jti": str(uuid.uuid4()),
        }
        signing_input = "%s.%s" % (
            _b64url(json.dumps(header, separators=(",", ":")).encode()),
            _b64url(json.dumps(claims, separators=(",", ":")).encode()),
        )
        sig = hmac.new(self._secret, signing_input.encode(), hashlib.sha256).digest()
        return "%s.%s" % (signing_input, _b64url(sig)), claims["exp"]

    def _too_many(self):
        body = {
            "code": "AUTHENTICATION_FAILED_LIMIT_REACHED",
            "message": "You've reached the login attempt limit",
        }
        return Response(429, payloads.dumps(body), "application/json; charset=utf-8")

    def _fail(self):
        self._count("login_failures")
        self._failures += 1
        limit = self.opts.login_fail_limit
        if limit and self._failures >= limit:
            self._locked_until = time.monotonic() + self.opts.lockout_s

    def login_os(self, req):
        self._count("login_attempts")
        if self.faults.take("login_429", req.path, req.method) is not None:
            self._count("login_failures")
            return self._too_many()
        now = time.monotonic()
        if self._locked_until and now >= self._locked_until:
            self._locked_until = 0.0
            self._failures = 0
        if now < self._locked_until:
            # Every attempt during the lockout restarts it, as observed on consoles.
            self._locked_until = time.monotonic() + self.opts.lockout_s
            self._count("login_failures")
            return self._too_many()
        try:
            body = json.loads(req.body or b"{}")
            username = body["username"]
            password = body["password"]
        except (ValueError, KeyError, TypeError):
            self._count("login_failures")
            bad = {"code": "BAD_REQUEST", "message": "username and password are required"}
            return Response(400, payloads.dumps(bad), "application/json; charset=utf-8")
        if username != self.opts.username or password != self.opts.password:
            self._fail()
            bad = {
                "code": "AUTHENTICATION_FAILED_INVALID_CREDENTIALS",
                "message": "Invalid username or password",
                "level": "debug",
            }
            return Response(403, payloads.dumps(bad), "application/json; charset=utf-8")
        if self.opts.mfa and not self._mfa_passed(req, body):
            self._count("login_failures")
            cookie = "UBIC_2FA=%s" % secrets.token_urlsafe(24)
            with self._lock:
                self._mfa_pending[cookie] = True
                while len(self._mfa_pending) > _MAX_MFA_PENDING:
                    self._mfa_pending.popitem(last=False)
            mfa = {"data": {"mfaCookie": cookie}, "meta": {"rc": "ok"}}
            return Response(499, payloads.dumps(mfa), "application/json; charset=utf-8")
        self._failures = 0
        self._count("logins")
        csrf = str(uuid.uuid4())
        remember = body.get("rememberMe", False)
        jwt, exp = self._jwt(csrf, remember)
        self._new_session("unifios", jwt, csrf, username)
        user = payloads.os_user(username, self.user_id, self._created_s)
        resp = Response(200, payloads.dumps(user), "application/json; charset=utf-8")
        cookie = "%s=%s; Path=/" % (self.opts.token_cookie, jwt)
        if remember:
            cookie += "; Expires=%s" % payloads.http_date(exp)
        resp.add_header("Set-Cookie", cookie + "; secure; httponly; samesite=none")
        style = self.opts.csrf_header
        if style in ("x-csrf-token", "both"):
            resp.add_header("X-CSRF-Token", csrf)
        if style in ("x-updated-csrf-token", "both"):
            resp.add_header("X-Updated-CSRF-Token", csrf)
        if self.opts.token_expire_header:
            resp.add_header("X-Token-Expire-Time", str(exp * 1000))
        return resp

    def _mfa_passed(self, req, body):
        cookie = "UBIC_2FA=%s" % req.cookies.get("UBIC_2FA", "")
        with self._lock:
            pending = self._mfa_pending.pop(cookie, None)
        return pending is not None and str(body.get("token", "")) == str(self.opts.mfa_token)

    # -- legacy -----------------------------------------------------------------------------

    def login_legacy(self, req):
        self._count("login_attempts")
        if self.faults.take("login_429", req.path, req.method) is not None:
            self._count("login_failures")
            return self._too_many()
        try:
            body = json.loads(req.body or b"{}")
            good = body["username"] == self.opts.username and body["password"] == self.opts.password
        except (ValueError, KeyError, TypeError):
            good = False
        if not good:
            self._count("login_failures")
            bad = payloads.api_error("api.err.Invalid")
            return Response(400, payloads.dumps(bad), payloads.JSON_TYPE)
        self._count("logins")
        token = secrets.token_hex(16)
        csrf = secrets.token_urlsafe(24)
        self._new_session("legacy", token, csrf, body["username"])
        resp = Response(200, payloads.dumps(payloads.ok([])), payloads.JSON_TYPE)
        resp.add_header("Set-Cookie", "unifises=%s; Path=/; Secure; HttpOnly" % token)
        resp.add_header("Set-Cookie", "csrf_token=%s; Path=/; Secure" % csrf)
        return resp
