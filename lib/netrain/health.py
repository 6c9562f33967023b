# netrain.health: WAN rates from a stat/health reply, parsed as it streams in.
# SPDX-License-Identifier: MIT
"""``stat/health`` ``data`` elements: ``wan`` (+ ``wan2``) ``rx_bytes-r`` down and ``tx_bytes-r``
up in bytes/s (ints, floats or numeric strings), ``status`` for WAN down, ``www`` latency.

``HealthScan`` is the HTTP client's body sink for the poll: it follows the JSON structure
a chunk at a time (one viper pass per chunk) and copies only one ``data`` element at a
time into a small buffer, with the element's nested objects and lists (uptime stats,
monitors, name servers) replaced by ``0``; ``json.loads`` then sees a few hundred bytes
of scalars. No body buffer, no parse of the whole reply: a poll's garbage is a few
small dicts, and each chunk's work is bounded by the client's receive buffer.
``parse_health`` reads the same fields from an already parsed reply.
"""

from .compat import const, loads_json, micropython, ptr8

ELEMENT_MAX_BYTES = const(2048)  # one data element, its nested containers blanked (~600 B)
# _scan state bytes
_DEPTH = const(0)
_IN_STR = const(1)
_ESC = const(2)
_BAD = const(3)  # not one JSON object: an HTML error page, a second document, too deep
_EVENT = const(4)  # _scan stopped after a bracket the caller acts on
_CLOSED = const(5)  # the top-level object has closed
_MAX_DEPTH = const(200)
_ZERO = b"0"  # stands in for a nested container: keeps the element valid JSON


@micropython.viper
def _scan(chunk, i: int, end: int, st) -> int:
    """Follow the JSON structure over chunk[i:end] (state in ``st``); stop past a bracket
    that opens depth 4 or less or closes to depth 3 or less (``st[_EVENT]`` set)."""
    b = ptr8(chunk)
    s = ptr8(st)
    depth = int(s[_DEPTH])
    in_str = int(s[_IN_STR])
    esc = int(s[_ESC])
    while i < end:
        c = int(b[i])
        i += 1
        if in_str:
            if esc:
                esc = 0
            elif c == 92:  # backslash
                esc = 1
            elif c == 34:
                in_str = 0
        elif c == 34:
            in_str = 1
        elif c == 123 or c == 91:  # { [
            if (depth == 0 and int(s[_CLOSED])) or depth >= _MAX_DEPTH:
                s[_BAD] = 1
                break
            depth += 1
            if depth <= 4:
                s[_EVENT] = 1
                break
        elif c == 125 or c == 93:  # } ]
            if depth == 0:
                s[_BAD] = 1
                break
            depth -= 1
            if depth == 0:
                s[_CLOSED] = 1
            if depth <= 3:
                s[_EVENT] = 1
                break
        elif depth == 0 and c > 32:  # text outside the object
            s[_BAD] = 1
            break
    s[_DEPTH] = depth
    s[_IN_STR] = in_str
    s[_ESC] = esc
    return i


class HealthTotals:
    """Rates summed over the data elements seen so far."""

    def __init__(self):
        self.clear()

    def clear(self):
        self.found = False  # a "wan" element was seen
        self.down = self.up = 0
        self.wan_up = True
        self.latency_ms = None

    def add(self, sub):
        if not isinstance(sub, dict):
            return
        name = sub.get("subsystem")
        if name == "wan" or name == "wan2":
            self.found = self.found or name == "wan"
            self.down += number(sub.get("rx_bytes-r"))
            self.up += number(sub.get("tx_bytes-r"))
            if name == "wan" and sub.get("status") in ("error", "down"):
                self.wan_up = False
        elif name == "www":
            latency = sub.get("latency")
            if latency is not None:
                self.latency_ms = number(latency)

    def fill(self, sample):
        """Write the rates into ``sample``; False if no WAN element was seen."""
        sample.down_bytes_per_s = max(0, self.down)
        sample.up_bytes_per_s = max(0, self.up)
        sample.wan_up = self.wan_up
        sample.latency_ms = self.latency_ms
        return self.found


def number(value):
    """Lenient int from an int, a float or a numeric string; 0 for anything else."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        try:
            return int(float(value))
        except ValueError:
            return 0
    return 0


def parse_health(obj, sample):
    """Fill ``sample`` from a parsed ``stat/health`` reply; False if no WAN element."""
    data = obj.get("data") if isinstance(obj, dict) else None
    if not isinstance(data, list):
        raise ValueError("no data list")
    totals = HealthTotals()
    for sub in data:
        totals.add(sub)
    return totals.fill(sample)


class HealthScan(HealthTotals):
    """Body sink (``reset()``, ``feed(chunk)``) for a ``stat/health`` reply.

    Afterwards ``envelope()`` is what the reply's error check reads (None: not one
    JSON object) and ``fill(sample)`` writes the rates as ``parse_health`` does.
    """

    def __init__(self):
        self._buf = bytearray(ELEMENT_MAX_BYTES)  # once, at boot
        self._mv = memoryview(self._buf)
        self._st = bytearray(6)
        super().__init__()
        self.reset()

    def reset(self):
        """Forget the last reply (the client calls this before each body)."""
        self.clear()
        st = self._st
        for k in range(len(st)):
            st[k] = 0
        self.meta = None  # the top-level object member holding "rc" (the envelope)
        self.has_data = False  # a list opened directly in the top-level object
        self.too_large = 0  # elements over ELEMENT_MAX_BYTES, skipped
        self._top_object = self._in_list = False
        self._unit = 0  # depth of the captured container's contents, 0: none
        self._skip = False  # inside a nested container of the captured one
        self._len = 0
        self._over = False
        self._from = 0
        self._parse = 0  # a captured container (its unit) json.loads has yet to read

    def feed(self, chunk):
        """Follow ``chunk``. Returns None once all of it is taken, or the offset to feed
        again from once a data element is captured: its ``json.loads`` (2-4 ms on the
        RP2040) runs at the start of that next call, and the HTTP client lets the loop
        run between the two, so scanning and parsing are never one stretch."""
        st = self._st
        self._parsed()
        i, end = 0, len(chunk)
        self._from = 0
        while i < end and not st[_BAD]:
            i = _scan(chunk, i, end, st)
            if st[_EVENT]:
                st[_EVENT] = 0
                self._bracket(chunk, i, st[_DEPTH], chunk[i - 1])
                if self._parse:
                    if i < end:
                        return i  # nothing else is captured: the element just closed
                    self._parsed()  # the chunk's last byte: no next call may come
        if self._unit and not self._skip:
            self._copy(chunk, self._from, end)
        return None

    def _parsed(self):
        unit = self._parse
        if unit:
            self._parse = 0
            self._finish(unit)

    def envelope(self):
        """``{"meta": ...}`` of a complete JSON object reply, else None."""
        st = self._st
        if st[_BAD] or not st[_CLOSED] or not self._top_object:
            return None
        return {"meta": self.meta}

    def fill(self, sample):
        if not self.has_data:
            raise ValueError("no data list")
        if not self.found and self.too_large:
            raise ValueError("%d data elements over %d bytes" % (self.too_large, len(self._buf)))
        return super().fill(sample)

    def _bracket(self, chunk, i, depth, c):
        # chunk[i - 1] is the bracket c; depth is the depth after it
        unit = self._unit
        if c == 123 or c == 91:
            if unit:
                if depth == unit + 1 and not self._skip:  # nested container: blank it
                    self._copy(chunk, self._from, i - 1)
                    self._copy(_ZERO, 0, 1)
                    self._skip = True
            elif depth == 1:
                self._top_object = c == 123
            elif depth == 2 and self._top_object:
                if c == 91:
                    self._in_list = self.has_data = True
                else:
                    self._start(2, i - 1)  # an object member (the envelope's "meta")
            elif depth == 3 and self._in_list:
                self._start(3, i - 1)  # a data element
        elif unit:
            if depth == unit and self._skip:
                self._skip = False
                self._from = i
            elif depth == unit - 1:
                self._copy(chunk, self._from, i)
                self._unit = 0
                self._parse = unit
        elif depth == 1:
            self._in_list = False

    def _start(self, unit, at):
        self._unit = unit
        self._skip = self._over = False
        self._len = 0
        self._from = at

    def _copy(self, chunk, a, b):
        n = b - a
        if self._over or n <= 0:
            return
        if self._len + n > len(self._buf):
            self._over = True
            return
        self._mv[self._len : self._len + n] = chunk[a:b]
        self._len += n

    def _finish(self, unit):
        if self._over:
            self.too_large += 1
            return
        try:
            obj = loads_json(self._mv[: self._len])
        except ValueError:
            self._st[_BAD] = 1
            return
        if unit == 3:
            self.add(obj)
        elif isinstance(obj, dict) and "rc" in obj:
            self.meta = obj
