# netrain.views.split: download and upload as two live level meters with peak-hold markers.
# SPDX-License-Identifier: MIT
"""Two bars on the meter's level (0..1000 permille, the log curve the rain follows):
side by side and rising on a square panel, one above the other and growing to the
right on a wide one (Galactic). Download is green, upload amber, both brighten along
the bar; the unlit part of each track glows faintly so the scale is visible. A white
marker holds each peak for ``hold_ms`` and then falls at ``fall_permille_per_s``.

The level's last pixel is lit in proportion, so the bars move smoothly between
pixels. ``draw`` is one viper pass over the frame and allocates nothing.
"""

from ..compat import micropython, ptr8, ptr32

# Colour ramps from the base of a bar to its end, (r, g, b): download, upload.
_RAMPS = (((0, 60, 10), (40, 255, 80)), ((70, 30, 0), (255, 190, 40)))


@micropython.viper
def _paint(fb, geom, state, pal):
    # geom: width, height, horizontal, then [start, end) across the bars, per meter.
    # state per meter: whole pixels lit, fraction of the next (0..255), peak pixel + 1.
    # pal per meter: length entries of B, G, R along the bar.
    p = ptr32(fb)
    g = ptr8(geom)
    s = ptr8(state)
    c = ptr8(pal)
    w = int(g[0])
    h = int(g[1])
    horizontal = int(g[2])
    length = w if horizontal else h
    n = w * h
    i = 0
    while i < n:
        p[i] = 0
        i += 1
    m = 0
    while m < 2:
        first = int(g[3 + 2 * m])
        end = int(g[4 + 2 * m])
        full = int(s[m * 3])
        frac = int(s[m * 3 + 1])
        peak = int(s[m * 3 + 2]) - 1
        pos = 0
        while pos < length:
            o = (m * length + pos) * 3
            b = int(c[o])
            gr = int(c[o + 1])
            r = int(c[o + 2])
            if pos == peak:  # the peak marker
                b = (b >> 1) + 128
                gr = (gr >> 1) + 128
                r = (r >> 1) + 128
            elif pos == full:  # partly lit, never below the track
                b = (b * frac >> 8) | (b >> 4)
                gr = (gr * frac >> 8) | (gr >> 4)
                r = (r * frac >> 8) | (r >> 4)
            elif pos > full:  # the unlit track
                b = b >> 4
                gr = gr >> 4
                r = r >> 4
            word = b | (gr << 8) | (r << 16)
            if horizontal:  # a column of the bar
                q = first * w + pos
                stop = end * w + pos
                while q < stop:
                    p[q] = word
                    q += w
            else:  # a row of the bar
                q = (h - 1 - pos) * w + first
                stop = q + end - first
                while q < stop:
                    p[q] = word
                    q += 1
            pos += 1
        m += 1


class Split:
    """Two meters on a ``width`` x ``height`` panel; ``set_levels`` then ``step``/``draw``."""

    name = "split"
    hold_ms = 1500
    fall_permille_per_s = 400

    def __init__(self, width, height):
        self.width = width
        self.height = height
        horizontal = width >= 2 * height
        across = height if horizontal else width
        length = width if horizontal else height
        self.length = length
        # Two equal bars with a gap of one or two px between them, centred.
        gap = 1 if across % 2 else 2
        bar = (across - gap) // 2
        first = (across - 2 * bar - gap) // 2
        second = first + bar + gap
        self._geom = bytearray(
            (width, height, int(horizontal), first, first + bar, second, second + bar)
        )
        self._state = bytearray(6)
        self._pal = bytearray(2 * length * 3)
        for m in range(2):
            lo, hi = _RAMPS[m]
            for pos in range(length):
                o = (m * length + pos) * 3
                t = pos * 256 // max(1, length - 1)
                for ch in range(3):  # B, G, R from (r, g, b)
                    self._pal[o + ch] = (lo[2 - ch] * (256 - t) + hi[2 - ch] * t) >> 8
        self.levels_permille = [0, 0]
        self._peak = [0, 0]
        self._hold_ms = [0, 0]

    def set_levels(self, down_permille, up_permille):
        """The meter's current levels (0..1000), e.g. from the spawn task."""
        self.levels_permille[0] = down_permille
        self.levels_permille[1] = up_permille

    def step(self, dt_ms):
        """Peaks: follow a rising level, hold, then fall back towards it."""
        for m in range(2):
            level = self.levels_permille[m]
            if level >= self._peak[m]:
                self._peak[m] = level
                self._hold_ms[m] = self.hold_ms
            elif self._hold_ms[m] > 0:
                self._hold_ms[m] -= dt_ms
            else:
                peak = self._peak[m] - self.fall_permille_per_s * dt_ms // 1000
                self._peak[m] = peak if peak > level else level
        length = self.length
        state = self._state
        for m in range(2):
            level = self.levels_permille[m]
            level = 0 if level < 0 else (1000 if level > 1000 else level)
            lit = level * length * 256 // 1000
            state[m * 3] = lit >> 8
            state[m * 3 + 1] = lit & 255
            peak = self._peak[m]
            if peak > level and peak > 0:
                pos = peak * length // 1000
                state[m * 3 + 2] = length if pos >= length else pos + 1
            else:
                state[m * 3 + 2] = 0

    def draw(self, fb):
        """Render into a B,G,R,0 frame buffer of width*height*4 bytes."""
        _paint(fb, self._geom, self._state, self._pal)
