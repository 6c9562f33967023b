# netrain.text: allocation-free text, scrolling and overlay rectangles on a B,G,R,0 frame buffer.
# SPDX-License-Identifier: MIT
"""Status text for small LED panels, sized only by the frame buffer's width and height.

Every function takes ``fb, fb_width, fb_height`` (``fb_width*fb_height*4`` bytes, pixel
(x, y) at ``(y*fb_width + x)*4``, bytes B, G, R, 0) and clips to it, so the same code
serves the 16x16 Stellar, the 53x11 Galactic and the 32x32 Cosmic. Colours are passed
as separate ints, never as tuples built per frame, and nothing here slices, builds
strings or lists while drawing: only ``Scroller.set_text`` allocates, once per message.
"""

from . import font
from .compat import micropython, ptr8, ptr32, ticks_add, ticks_diff

_GLYPHS = font.GLYPHS
_INDEX = font.INDEX
_HEIGHT = font.HEIGHT
_SPACING = font.SPACING
_glyph_index = font.glyph_index


@micropython.viper
def _column(fb, fb_width: int, fb_height: int, bits: int, x: int, y: int, b: int, g: int, r: int):
    """One glyph column: bit 0 of ``bits`` is row ``y``; rows outside the frame clip."""
    buf = ptr8(fb)
    stride = fb_width * 4
    p = (y * fb_width + x) * 4
    while bits:
        if (bits & 1) and y >= 0 and y < fb_height:
            buf[p] = b
            buf[p + 1] = g
            buf[p + 2] = r
        bits >>= 1
        y += 1
        p += stride


@micropython.viper
def _columns(
    fb,
    fb_width: int,
    fb_height: int,
    cols_buf,
    c: int,
    width: int,
    period: int,
    x: int,
    x_end: int,
    y: int,
    b: int,
    g: int,
    r: int,
):
    # Columns c, c+1, ... of the scroller's loop (text then blank gap) at x .. x_end-1.
    buf = ptr8(fb)
    cols = ptr8(cols_buf)
    stride = fb_width * 4
    for col in range(x, x_end):
        if c < width:
            bits = cols[c]
            row = y
            p = (y * fb_width + col) * 4
            while bits:
                if (bits & 1) and row >= 0 and row < fb_height:
                    buf[p] = b
                    buf[p + 1] = g
                    buf[p + 2] = r
                bits >>= 1
                row += 1
                p += stride
        c += 1
        if c == period:
            c = 0


@micropython.native
def draw_text(fb, fb_width, fb_height, text, x, y, b, g, r):
    """Draw ``text`` (str or bytes) with its top-left corner at (x, y), clipped.

    Returns the x just past the last glyph, i.e. ``x + font.text_width(text)``.
    """
    glyphs = _GLYPHS
    index = _INDEX
    gap = 0
    for ch in text:
        slot = _glyph_index(ch if isinstance(ch, int) else ord(ch))
        x += gap
        gap = _SPACING
        for o in range(index[slot], index[slot + 1]):
            if 0 <= x < fb_width:
                _column(fb, fb_width, fb_height, glyphs[o], x, y, b, g, r)
            x += 1
    return x


@micropython.viper
def _shade(
    fb,
    fb_width: int,
    fb_height: int,
    x: int,
    y: int,
    w: int,
    h: int,
    shift: int,
    b: int,
    g: int,
    r: int,
):
    # Every pixel of the clipped rectangle becomes (pixel >> shift) + (b, g, r), saturated.
    x1 = x + w
    y1 = y + h
    if x < 0:
        x = 0
    if y < 0:
        y = 0
    if x1 > fb_width:
        x1 = fb_width
    if y1 > fb_height:
        y1 = fb_height
    if x >= x1 or y >= y1:
        return
    if shift > 8:
        shift = 8
    if b == 0 and g == 0 and r == 0 or shift == 8:
        # Whole pixels at once: shift the word, mask off what crossed a byte boundary,
        # add the tint (no carry: a shift of 8 leaves 0), keep the fourth byte as it was.
        words = ptr32(fb)
        mask = (0xFF >> shift) * 0x10101
        tint = b | g << 8 | r << 16
        top = 0xFF
        top <<= 24  # at run time: the constant would be a big int on a 32-bit port
        for row in range(y, y1):
            i = row * fb_width + x
            end = i + x1 - x
            while i < end:
                word = words[i]
                words[i] = ((word >> shift) & mask) + tint | (word & top)
                i += 1
        return
    buf = ptr8(fb)
    span = (x1 - x) * 4
    for row in range(y, y1):
        p = (row * fb_width + x) * 4
        end = p + span
        while p < end:
            v = (buf[p] >> shift) + b
            buf[p] = v if v < 256 else 255
            v = (buf[p + 1] >> shift) + g
            buf[p + 1] = v if v < 256 else 255
            v = (buf[p + 2] >> shift) + r
            buf[p + 2] = v if v < 256 else 255
            p += 4


def fill_rect(fb, fb_width, fb_height, x, y, w, h, b, g, r):
    """Paint the rectangle (x, y, w, h), clipped to the frame buffer, in one colour."""
    _shade(fb, fb_width, fb_height, x, y, w, h, 8, b, g, r)


def dim_rect(fb, fb_width, fb_height, x, y, w, h, shift):
    """Right-shift every channel in the clipped rectangle (shift 2 keeps a quarter)."""
    _shade(fb, fb_width, fb_height, x, y, w, h, shift, 0, 0, 0)


class Scroller:
    """One status line: static and centred when it fits, else a looping marquee.

    The text scrolls right to left at ``speed_px_per_s``. Each loop starts with the
    first glyph at the left edge for ``pause_ms``; the text is followed by ``gap_px``
    blank columns (``None``: one panel width, so the head of the next loop enters from
    the right just as the tail leaves on the left). Timing comes only from the
    ``now_ms`` ticks passed in, so a fake clock drives it in tests. Class attributes
    may be overridden per instance before ``set_text``/``restart``.
    """

    speed_px_per_s = 14  # about 3.5 glyphs a second: readable on a 16 px panel
    pause_ms = 1200
    hold_ms = 2500  # how long a static (fitting) text counts as not yet read
    gap_px = None
    band_margin_px = 1  # band rows above and below the glyphs
    max_chars = 96

    def __init__(self):
        self.text = ""
        self._source = None  # the text as given to set_text, before truncation
        self._cols = bytearray(0)
        self._width = 0
        self._t0_ms = 0
        self._fb_width = 0  # panel width of the last draw; 0 until drawn
        self._period_px = 0
        self._travel_ms = 0
        self._looped = False

    @property
    def width_px(self):
        """Width of the current text in px (0 when empty)."""
        return self._width

    def set_text(self, text, now_ms):
        """Show ``text`` (str) from ``now_ms``; returns False, doing nothing, if unchanged.

        Texts longer than ``max_chars`` end in "...". Renders the glyph columns once
        into a bytearray, reusing the previous one when it is large enough.
        """
        if text == self._source:
            return False
        self._source = text
        limit = self.max_chars
        if len(text) > limit:
            text = text[: limit - 3] + "..."
        self.text = text
        width = font.text_width(text)
        if len(self._cols) < width:
            self._cols = bytearray(width)
        cols = self._cols
        glyphs = _GLYPHS
        index = _INDEX
        i = 0
        for ch in text:
            if i:
                cols[i] = 0
                i += 1
            slot = _glyph_index(ord(ch))
            for o in range(index[slot], index[slot + 1]):
                cols[i] = glyphs[o]
                i += 1
        self._width = width
        self.restart(now_ms)
        return True

    def restart(self, now_ms):
        """Start the current text again from its beginning (pause first)."""
        self._t0_ms = now_ms
        self._looped = False
        self._layout(self._fb_width)

    def _layout(self, fb_width):
        # Loop length in px and the ms it takes to scroll it, for this panel width.
        self._fb_width = fb_width
        gap = self.gap_px
        self._period_px = self._width + (fb_width if gap is None else gap)
        speed = self.speed_px_per_s if self.speed_px_per_s > 0 else 1
        self._travel_ms = (self._period_px * 1000 + speed - 1) // speed

    def _offset_px(self, now_ms):
        # Scroll offset into the loop; whole loops are folded into _t0_ms so the
        # elapsed ticks stay small and never reach the ticks_diff wrap-around.
        elapsed_ms = ticks_diff(now_ms, self._t0_ms)
        if elapsed_ms <= 0:
            return 0
        pause_ms = self.pause_ms
        cycle_ms = pause_ms + self._travel_ms
        if elapsed_ms >= cycle_ms:
            whole_ms = elapsed_ms - elapsed_ms % cycle_ms
            self._t0_ms = ticks_add(self._t0_ms, whole_ms)
            elapsed_ms -= whole_ms
            self._looped = True
        elapsed_ms -= pause_ms
        if elapsed_ms <= 0:
            return 0
        return elapsed_ms * self.speed_px_per_s // 1000

    @micropython.native
    def draw(self, fb, fb_width, fb_height, y, b, g, r, now_ms, background=None):
        """Draw the visible part of the text with its top row at ``y``.

        ``background``: None, or a (b, g, r) tuple made once by the caller: the band
        rows behind the text (``band_margin_px`` above and below) are dimmed to a
        quarter, so the rain stays faintly visible, and then tinted by it.
        """
        width = self._width
        if not width:
            return
        if fb_width != self._fb_width:
            self._layout(fb_width)
        if background is not None:
            tint_b, tint_g, tint_r = background
            margin = self.band_margin_px
            _shade(
                fb,
                fb_width,
                fb_height,
                0,
                y - margin,
                fb_width,
                _HEIGHT + 2 * margin,
                2,
                tint_b,
                tint_g,
                tint_r,
            )
        period = self._period_px
        if width <= fb_width:  # fits: centred and still
            x = (fb_width - width) // 2
            x_end = x + width
            c = 0
        else:
            x = 0
            x_end = fb_width
            c = self._offset_px(now_ms) % period  # in range even if speed changed mid-loop
        _columns(fb, fb_width, fb_height, self._cols, c, width, period, x, x_end, y, b, g, r)

    def done_once(self, now_ms):
        """True once the whole text has been on show: a static text for ``hold_ms``,
        a scrolling one until its last column has left the left edge. Empty text is
        always done; a text never drawn (panel width unknown) never is."""
        if not self._width:
            return True
        if not self._fb_width:
            return False
        if self._looped:
            return True
        elapsed_ms = ticks_diff(now_ms, self._t0_ms)
        if self._width <= self._fb_width:
            return elapsed_ms >= self.hold_ms
        speed = self.speed_px_per_s if self.speed_px_per_s > 0 else 1
        return elapsed_ms >= self.pause_ms + (self._width * 1000 + speed - 1) // speed
