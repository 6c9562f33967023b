# netrain.effects.rain: Matrix-style digital rain from a preallocated pool of drops.
# SPDX-License-Identifier: MIT
"""Drops fall (download) or rise (upload) with bright heads and fading trails.

Everything the frame loop touches is allocated in ``__init__``: drop state lives in
fixed-size arrays, the intensity map and palettes in bytearrays, and positions are
fixed point (1/256 px) integers, so ``step`` and ``draw`` allocate nothing. The
random generator is a 16-bit xorshift: small ints only (no heap on a 32-bit port)
and deterministic for a given seed.
"""

from array import array

from ..compat import const, micropython, ptr8, ptr32, uint

_FP = const(256)  # fixed point: 1 px = 256 units
_FREE = const(0)
DOWN = const(1)
UP = const(2)
_PAL_STRIDE = const(1024)  # 256 intensities x 4 bytes (B, G, R, 0)

#: Colour ramps per scene: (dim, mid, head) RGB for download, then for upload.
SCENES = {
    "classic": (
        (0, 40, 0),
        (0, 200, 40),
        (200, 255, 200),
        (40, 20, 0),
        (220, 120, 0),
        (255, 230, 160),
    ),
    "ocean": (
        (0, 10, 40),
        (0, 120, 200),
        (180, 240, 255),
        (30, 0, 40),
        (170, 0, 200),
        (255, 190, 255),
    ),
    "fire": (
        (40, 0, 0),
        (230, 60, 0),
        (255, 230, 120),
        (0, 20, 40),
        (0, 120, 230),
        (190, 230, 255),
    ),
    "night": ((12, 0, 0), (70, 0, 0), (120, 20, 10), (10, 0, 8), (50, 0, 30), (90, 20, 60)),
    # Shown while data is stale: calm and desaturated.
    "stale": (
        (8, 10, 14),
        (40, 50, 70),
        (110, 120, 140),
        (8, 10, 14),
        (40, 50, 70),
        (110, 120, 140),
    ),
}
SCENE_ORDER = ("classic", "ocean", "fire", "night")


def _ramp(pal, offset, dim, mid, head):
    """Fill 256 palette entries: black -> dim -> mid -> head as intensity rises."""
    for v in range(256):
        if v == 0:
            rgb0 = rgb1 = (0, 0, 0)
            t, span = 0, 1
        elif v < 96:
            rgb0, rgb1, t, span = (0, 0, 0), dim, v, 96
        elif v < 200:
            rgb0, rgb1, t, span = dim, mid, v - 96, 104
        else:
            rgb0, rgb1, t, span = mid, head, v - 200, 55
        i = offset + v * 4
        pal[i] = rgb0[2] + (rgb1[2] - rgb0[2]) * t // span
        pal[i + 1] = rgb0[1] + (rgb1[1] - rgb0[1]) * t // span
        pal[i + 2] = rgb0[0] + (rgb1[0] - rgb0[0]) * t // span
        pal[i + 3] = 0


class Rain:
    """A pool of at most ``max_drops`` drops on a ``width`` x ``height`` panel."""

    def __init__(self, width, height, seed=1, max_drops=None):
        self.width = width
        self.height = height
        n = max_drops or width * 2
        self.max_drops = n
        self.active = 0
        self._col = bytearray(n)
        self._kind = bytearray(n)
        self._len = bytearray(n)
        self._pos = array("i", [0] * n)  # head distance travelled, 1/256 px
        self._speed = array("i", [0] * n)  # 1/256 px per second
        self._inten = bytearray(width * height)
        self._hue = bytearray(width * height)
        self._pal = bytearray(2 * _PAL_STRIDE)
        self._rng = (seed & 0xFFFF) or 1
        self.scene = None
        self.set_scene("classic")

    def set_scene(self, name):
        """Switch colour ramps (allocates a little; call on user action only)."""
        ramps = SCENES.get(name) or SCENES["classic"]
        _ramp(self._pal, 0, ramps[0], ramps[1], ramps[2])
        _ramp(self._pal, _PAL_STRIDE, ramps[3], ramps[4], ramps[5])
        self.scene = name if name in SCENES else "classic"

    def random(self, bound):
        """Next pseudo-random int in 0..bound-1 (xorshift16, small ints only)."""
        x = self._rng
        x ^= (x << 7) & 0xFFFF
        x ^= x >> 9
        x ^= (x << 8) & 0xFFFF
        self._rng = x
        return x % bound

    def spawn(self, kind, speed_px_per_s_fp, length_px):
        """Start a drop; returns False when the pool is full (the caller just skips it)."""
        slot = -1
        for i in range(self.max_drops):
            if self._kind[i] == _FREE:
                slot = i
                break
        if slot < 0:
            return False
        col = self._free_column(kind, length_px)
        self._col[slot] = col
        self._kind[slot] = kind
        self._len[slot] = length_px
        self._pos[slot] = -self.random(_FP)
        self._speed[slot] = speed_px_per_s_fp
        self.active += 1
        return True

    def _free_column(self, kind, length_px):
        # Try a few columns so new drops do not land on the tail of a young one.
        col = 0
        for _ in range(4):
            col = self.random(self.width)
            clear = True
            for i in range(self.max_drops):
                if (
                    self._kind[i] == kind
                    and self._col[i] == col
                    and self._pos[i] < (self._len[i] + length_px + 1) * _FP
                ):
                    clear = False
                    break
            if clear:
                return col
        return col

    def step(self, dt_ms):
        """Advance every drop by dt_ms of time; free drops whose trail has left."""
        self.active -= _step(
            self._pos, self._speed, self._kind, self._len, self.max_drops, self.height, dt_ms
        )

    def blank(self, fb):
        """All LEDs off (sleep), without allocating."""
        for i in range(len(fb)):
            fb[i] = 0

    def draw(self, fb):
        """Render into a B,G,R,0 frame buffer of width*height*4 bytes (word aligned)."""
        _draw(
            fb,
            self._inten,
            self._hue,
            self._pal,
            self._pos,
            self._kind,
            self._len,
            self._col,
            self.max_drops,
            self.width,
            self.height,
        )


@micropython.viper
def _step(pos_buf, speed_buf, kind_buf, len_buf, n: int, h: int, dt_ms: int) -> int:
    # Returns how many drops it freed. Words are sign-extended as in _draw and stored
    # as uint: a 32-bit store of the same bits on every port (CPython checks the range).
    pos = ptr32(pos_buf)
    speed = ptr32(speed_buf)
    kind = ptr8(kind_buf)
    length = ptr8(len_buf)
    sign = 1
    sign <<= 31
    limit = h * _FP
    freed = 0
    for i in range(n):
        if kind[i] != _FREE:
            p = ((pos[i] ^ sign) - sign) + ((speed[i] ^ sign) - sign) * dt_ms // 1000
            pos[i] = uint(p)
            if p - length[i] * _FP > limit:
                kind[i] = _FREE
                freed += 1
    return freed


@micropython.viper
def _draw(
    fb, inten_buf, hue_buf, pal_buf, pos_buf, kind_buf, len_buf, col_buf, n: int, w: int, h: int
):
    # Viper with raw pointers: about 30x cheaper than the same loops as bytecode on an
    # RP2040. A pixel and a palette entry are both B,G,R,0: one 32-bit copy per pixel.
    inten = ptr8(inten_buf)
    hue = ptr8(hue_buf)
    area = w * h
    for i in range(area):
        inten[i] = 0
    pos = ptr32(pos_buf)
    kind = ptr8(kind_buf)
    length = ptr8(len_buf)
    col = ptr8(col_buf)
    # (word ^ sign) - sign sign-extends a 32-bit word on 32- and 64-bit ports alike;
    # shifted at run time, as the constant 1 << 31 would be folded into a big int
    sign = 1
    sign <<= 31
    for i in range(n):
        k = kind[i]
        if k == _FREE:
            continue
        head = (pos[i] ^ sign) - sign
        span = length[i] * _FP
        x = col[i]
        top = (head - span) >> 8  # floor division by _FP
        if top < 0:
            top = 0
        bottom = (head >> 8) + 1
        if bottom >= h:
            bottom = h - 1
        r = top
        while r <= bottom:
            d = head - r * _FP  # how far the head has passed row r
            if d < 0:
                v = ((d + _FP) * 255) >> 8  # leading edge fades in
            else:
                v = 255 - d * 255 // span
            if v > 0:
                y = r if k == DOWN else h - 1 - r
                j = y * w + x
                if v > inten[j]:
                    inten[j] = v
                    hue[j] = k - 1
            r += 1
    pal = ptr32(pal_buf)
    out = ptr32(fb)
    for i in range(area):
        v = inten[i]
        if v:
            out[i] = pal[(hue[i] << 8) + v]  # _PAL_STRIDE // 4 words per hue
        else:
            out[i] = 0
