# netrain.web.auth: the device password for writes, checked in constant time, with a lockout.
# SPDX-License-Identifier: MIT
"""HTTP Basic, user ``admin``, password from config ``web.password``.

Both sides are hashed with SHA-256 and the digests compared byte by byte without
an early exit, so the time taken says nothing about the password or its length.
After ``FREE_TRIES`` failures in a row every further try is refused for a time that
doubles with each failure (1 s, 2 s, 4 s ... capped at ``MAX_LOCK_S``), checked
before the password: a guesser gets a handful of tries an hour. One lockout for
the whole device: bounded memory, whoever is guessing.
"""

import binascii
import hashlib

from ..compat import const, ticks_diff, ticks_ms

USER = "admin"
FREE_TRIES = const(3)
MAX_LOCK_S = const(300)

OK = 0
NO_PASSWORD = 1
DENIED = 2
LOCKED = 3


def _digest(data):
    return hashlib.sha256(data).digest()


def same(a, b):
    """Constant-time comparison of two equal-length byte strings."""
    diff = len(a) ^ len(b)
    for i in range(min(len(a), len(b))):
        diff |= a[i] ^ b[i]
    return diff == 0


class Auth:
    def __init__(self, password, clock=ticks_ms):
        self._want = _digest(("%s:%s" % (USER, password)).encode()) if password else None
        self.clock = clock
        self.failures = 0
        self._locked_at = 0

    def lock_left_s(self):
        """Seconds of lockout left (0 when a try is allowed)."""
        if self.failures < FREE_TRIES:
            return 0
        lock_s = min(MAX_LOCK_S, 1 << min(self.failures - FREE_TRIES, 9))
        left_ms = lock_s * 1000 - ticks_diff(self.clock(), self._locked_at)
        return (left_ms + 999) // 1000 if left_ms > 0 else 0

    def check(self, header):
        """OK, NO_PASSWORD, DENIED or LOCKED for an Authorization header (bytes or None)."""
        if self._want is None:
            return NO_PASSWORD
        if self.lock_left_s():
            return LOCKED
        given = b""
        if header and header[:6].lower() == b"basic ":
            try:
                given = binascii.a2b_base64(header[6:].strip())
            except ValueError:
                given = b""
        if same(_digest(given), self._want):
            self.failures = 0
            return OK
        self.failures += 1
        self._locked_at = self.clock()
        return DENIED
