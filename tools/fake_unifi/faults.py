# tools.fake_unifi.faults: the registry of injected faults (name, value, path, method, count).
# SPDX-License-Identifier: MIT
"""Faults are set from the command line, from Python or over the control port.

Each fault may be limited to requests whose path contains a substring, to one
HTTP method, and to a number of firings after which it clears itself.
Connection-level faults (``other_cert``, ``refuse``, ``slow_handshake_ms``)
ignore the path and method limits because no request exists yet.
"""

import re
import threading

# name -> (kind of value, what it does); the control port and --help list these.
FAULTS = {
    "latency_ms": ("int", "delay each matching response by N ms (adds to --latency-ms)"),
    "stall": ("before|after", "never answer; 'after' applies a write first, then stalls"),
    "trickle_bps": ("int", "send the response at N bytes/s"),
    "reset_mid_body": ("bool", "send half the body, then reset the TCP connection"),
    "truncate": ("bool", "announce the full Content-Length, send half, then close"),
    "chunked": ("int", "use chunked transfer-encoding (value: chunk size, default 1024)"),
    "status_500": ("bool", "answer 500 with an HTML error page"),
    "status_502": ("bool", "answer 502 with an HTML error page (console restarting)"),
    "status_503": ("bool", "answer 503 with an HTML error page (Network app starting)"),
    "html_200": ("bool", "answer 200 with an HTML page instead of JSON"),
    "malformed_json": ("bool", "answer with JSON that does not parse"),
    "huge_body": ("int", "pad JSON bodies to N bytes (default 1 MiB)"),
    "expire_sessions": ("bool", "one shot: every cookie session expires now"),
    "close_every_connection": ("bool", "send Connection: close and close after each response"),
    "refuse": ("int", "stop listening (value N > 0: reopen after N s) until cleared"),
    "wan_down": ("bool", "WAN status error and zero rates"),
    "login_429": ("bool", "logins answer 429 AUTHENTICATION_FAILED_LIMIT_REACHED"),
    "other_cert": (
        "bool",
        "serve the other certificate on new connections; setting it drops the open ones",
    ),
    "slow_handshake_ms": ("int", "wait N ms before the TLS handshake of new connections"),
    "era_a_writes_ignored": (
        "bool",
        "on Network >= 9.4, ips ad_blocking writes answer ok and persist nothing "
        "(the default, as real); 0 makes them fail with api.err.InvalidPayload",
    ),
    "writes_refused": ("nopermission|api_key", "writes answer 403 NoPermission or key 401"),
    "writes_not_applied": ("bool", "writes answer ok but change nothing"),
}
_STATUS_FAULT = re.compile(r"^status_([45]\d\d)$")
_ONE_SHOT = ("expire_sessions",)


def known(name):
    return name in FAULTS or _STATUS_FAULT.match(name) is not None


def fires(value):
    """True for a fault value that means 'on' (a fault set to 0 or false does nothing)."""
    return value is not None and value is not False and value != 0


def parse_value(text):
    """Turn a command-line or JSON string into an int, float, bool or string."""
    if not isinstance(text, str):
        return text
    low = text.strip().lower()
    if low in ("", "true", "yes", "on"):
        return True
    if low in ("false", "no", "off"):
        return False
    try:
        return int(low)
    except ValueError:
        pass
    try:
        return float(low)
    except ValueError:
        return text.strip()


def parse_spec(spec):
    """Parse ``NAME[=VALUE][,path=SUBSTR][,method=M][,count=N]`` into set_fault kwargs."""
    parts = spec.split(",")
    head = parts[0]
    name, _, value = head.partition("=")
    out = {"name": name.strip(), "value": parse_value(value) if "=" in head else True}
    for part in parts[1:]:
        key, _, val = part.partition("=")
        key = key.strip()
        if key == "path":
            out["path"] = val
        elif key == "method":
            out["method"] = val.strip().upper()
        elif key == "count":
            out["count"] = int(val)
        else:
            raise ValueError("unknown fault limit %r in %r" % (key, spec))
    return out


class Fault:
    __slots__ = ("name", "value", "path", "method", "count", "fired")

    def __init__(self, name, value=True, path=None, method=None, count=None):
        self.name = name
        self.value = value
        self.path = path or None
        self.method = method.upper() if method else None
        self.count = count
        self.fired = 0

    def as_dict(self):
        return {
            "name": self.name,
            "value": self.value,
            "path": self.path,
            "method": self.method,
            "count": self.count,
            "fired": self.fired,
        }


class FaultSet:
    """Thread-safe: pytest sets faults from its thread while the loop thread reads them."""

    def __init__(self):
        self._lock = threading.Lock()
        self._faults = {}
        self.fired = {}

    def set(self, name, value=True, path=None, method=None, count=None):
        if not known(name):
            raise ValueError("unknown fault %r (known: %s)" % (name, ", ".join(sorted(FAULTS))))
        if count is not None and count < 1:
            raise ValueError("count must be >= 1")
        fault = Fault(name, value, path, method, count)
        if name not in _ONE_SHOT:
            with self._lock:
                self._faults[name] = fault
        return fault

    def clear(self, name=None):
        with self._lock:
            if name is None:
                self._faults.clear()
            else:
                self._faults.pop(name, None)

    def get(self, name):
        """The fault's value without consuming a firing (None when not set)."""
        with self._lock:
            fault = self._faults.get(name)
            return None if fault is None else fault.value

    def take(self, name, path=None, method=None):
        """Fire `name` for this request if it matches; return its value or None.

        path None means a connection-level check, where path limits do not apply.
        """
        with self._lock:
            fault = self._faults.get(name)
            if fault is None or not self._matches(fault, path, method):
                return None
            self._fire(fault)
            return fault.value

    def take_status(self, path, method):
        """Fire the first matching status_NNN fault; return its status or None."""
        with self._lock:
            for fault in list(self._faults.values()):
                match = _STATUS_FAULT.match(fault.name)
                if match and self._matches(fault, path, method):
                    self._fire(fault)
                    return int(match.group(1))
        return None

    def _matches(self, fault, path, method):
        if path is None:
            return True
        if fault.path is not None and fault.path not in path:
            return False
        return fault.method is None or fault.method == method

    def _fire(self, fault):
        fault.fired += 1
        self.fired[fault.name] = self.fired.get(fault.name, 0) + 1
        if fault.count is not None:
            fault.count -= 1
            if fault.count <= 0:
                del self._faults[fault.name]

    def snapshot(self):
        with self._lock:
            return [f.as_dict() for f in self._faults.values()]
