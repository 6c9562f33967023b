# netrain.views.history: the last minutes of download and upload as scrolling columns.
# SPDX-License-Identifier: MIT
"""One column per ``history_s`` (default 60 s, so a 16-wide panel shows 16 minutes), the
newest on the right. Download is a green bar from the bottom, upload an amber dot at
its own height, both on the meter's log curve of the plan speed (``meter.curve_permille``:
1 Mbit/s of a 1 Gbit/s plan still shows), and the top row is a faint line: full speed.
A column with no good sample (controller down, before boot) stays dark.

The ring of columns is allocated once and fed from boot whatever view is active
(``add`` per poll, ``roll`` often), so switching to it shows the past. Heights are
worked out when a sample lands, not per frame; ``draw`` is one viper pass over the
frame and allocates nothing.
"""

import math
from array import array

from ..compat import const, micropython, ptr8, ptr32, ticks_add, ticks_diff
from ..meter import CURVE_K

_NO_DATA = const(255)
_KBYTES = const(1000)  # rates are kept in kB/s: small ints even at 10 Gbit/s on 32 bits
_FRACTION_BITS = const(20)


# Pixel words as ptr32 stores them: B | G << 8 | R << 16 (bytes B, G, R, 0).
_BODY = const(0x004614)  # the download bar: dim green
_TOP = const(0x78FF8C)  # its top pixel: bright
_LINE = const(0x14141C)  # the faint full-speed line
_DOT = const(0xFF9600)  # upload: amber


@micropython.viper
def _paint(fb, geom, down_h, up_h):
    # geom: width, height, ring index of the leftmost (oldest) column.
    p = ptr32(fb)
    g = ptr8(geom)
    d = ptr8(down_h)
    u = ptr8(up_h)
    w = int(g[0])
    h = int(g[1])
    i = int(g[2])
    bottom = (h - 1) * w
    x = 0
    while x < w:
        dh = int(d[i])
        if dh == 255:
            dh = 0
        uh = int(u[i])
        q = bottom + x
        k = 1  # height of the row from the bottom, 1-based
        while k <= h:
            word = 0
            if k < dh:
                word = _BODY
            elif k == dh:
                word = _TOP
            elif k == h:
                word = _LINE
            if k == uh:
                word = _DOT
            p[q] = word
            q -= w
            k += 1
        i += 1
        if i == w:
            i = 0
        x += 1


@micropython.viper
def _heights(thr_buf, rates_buf, out_buf, rows: int, first: int, count: int):
    # Columns first..first+count-1 that hold data: rows lit = the largest k with
    # thr[k] <= rate (thr rises with k). A few µs a column on the board.
    thr = ptr32(thr_buf)
    rates = ptr32(rates_buf)
    out = ptr8(out_buf)
    i = first
    end = first + count
    while i < end:
        if int(out[i]) != 255:
            rate = int(rates[i])
            k = 0
            while k < rows and int(thr[k + 1]) <= rate:
                k += 1
            out[i] = k
        i += 1


class History:
    """``width`` columns of ``history_s`` each; ``add`` samples, ``roll`` the clock."""

    name = "history"

    def __init__(self, width, height, history_s=60, now_ms=0):
        self.width = width
        self.height = height
        self.period_ms = int(history_s * 1000)
        if self.period_ms < 1000:
            raise ValueError("display.history_s: want at least 1 second, got %r" % (history_s,))
        self._down = array("i", [0] * width)  # mean kB/s per column
        self._up = array("i", [0] * width)
        self._down_h = bytearray(b"\xff" * width)  # bar heights 0..height
        self._up_h = bytearray(b"\xff" * width)
        # Rate (kB/s) from which a column is k rows high, per direction, k = 1..height,
        # and the same as a fraction of the scale (1/2**20): only these need floats.
        self._down_thr = array("i", [0] * (height + 1))
        self._up_thr = array("i", [0] * (height + 1))
        self._fraction = _fractions(height)
        self._down_scale = 0
        self._up_scale = 0
        self._head = width - 1  # the current column (drawn rightmost)
        self._geom = bytearray((width, height, 0))
        self._start_ms = now_ms
        self._sum_down = self._sum_up = self._count = 0

    def roll(self, now_ms):
        """Close the current column when its ``history_s`` is over (cheap; call often)."""
        elapsed_ms = ticks_diff(now_ms, self._start_ms)
        if elapsed_ms < self.period_ms:
            return
        steps = elapsed_ms // self.period_ms
        if steps > self.width:  # a long gap (or ticks from another clock): all empty
            steps = self.width
            self._start_ms = now_ms
        else:
            self._start_ms = ticks_add(self._start_ms, steps * self.period_ms)
        for _ in range(steps):
            head = self._head + 1
            if head == self.width:
                head = 0
            self._head = head
            self._down_h[head] = _NO_DATA
            self._up_h[head] = _NO_DATA
        self._sum_down = self._sum_up = self._count = 0

    def add(
        self, down_bytes_per_s, up_bytes_per_s, down_scale_bytes_per_s, up_scale_bytes_per_s, now_ms
    ):
        """A good sample (once per poll): the current column shows the mean so far."""
        self.roll(now_ms)
        self._sum_down += down_bytes_per_s // _KBYTES
        self._sum_up += up_bytes_per_s // _KBYTES
        self._count += 1
        head = self._head
        self._down[head] = self._sum_down // self._count
        self._up[head] = self._sum_up // self._count
        self._down_h[head] = self._up_h[head] = 0  # holds data now
        first, count = head, 1
        if self._rescale(down_scale_bytes_per_s // _KBYTES, up_scale_bytes_per_s // _KBYTES):
            first, count = 0, self.width  # every column with data, on the new scale
        rows = self.height
        _heights(self._down_thr, self._down, self._down_h, rows, first, count)
        _heights(self._up_thr, self._up, self._up_h, rows, first, count)

    def _rescale(self, down_scale, up_scale):
        # New thresholds only when a scale moved by more than 1/32: the auto-scale
        # peak decays a little at every poll, and a row is 1/32 of the panel at best.
        changed = False
        if abs(down_scale - self._down_scale) * 32 > self._down_scale:
            self._down_scale = down_scale
            _thresholds(self._down_thr, self._fraction, down_scale)
            changed = True
        if abs(up_scale - self._up_scale) * 32 > self._up_scale:
            self._up_scale = up_scale
            _thresholds(self._up_thr, self._fraction, up_scale)
            changed = True
        return changed

    def step(self, dt_ms):
        pass  # moves only when a column closes

    def draw(self, fb):
        """Render into a B,G,R,0 frame buffer of width*height*4 bytes."""
        left = self._head + 1
        self._geom[2] = 0 if left == self.width else left
        _paint(fb, self._geom, self._down_h, self._up_h)


def _fractions(rows):
    # A column is k rows high from the rate whose curve value rounds to k rows: the
    # inverse of meter.curve_permille, (e^(p*ln(1+K)) - 1) / K, in 1/2**20 of the scale.
    log_span = math.log(1 + CURVE_K)
    fraction = array("i", [0] * (rows + 1))
    for k in range(1, rows + 1):
        value = (math.exp((k - 0.5) / rows * log_span) - 1) / CURVE_K
        fraction[k] = int(value * (1 << _FRACTION_BITS) + 0.5)
    return fraction


def _thresholds(thr, fraction, scale_kbytes):
    # Integers only (long ints on a 32-bit board: fine once per rescale, not per frame).
    half = 1 << (_FRACTION_BITS - 1)
    for k in range(1, len(thr)):
        rate = (scale_kbytes * fraction[k] + half) >> _FRACTION_BITS
        thr[k] = rate if rate > 0 else 1
