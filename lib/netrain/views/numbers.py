# netrain.views.numbers: the current download and upload in Mbit/s, in the 3x5 font.
# SPDX-License-Identifier: MIT
"""Download on the first line in green, upload on the second in amber, right-aligned,
as in the rain's classic scene. The layout is the richest that fits the panel:

* wide (Galactic 53x11): ``DN  940 MBIT/S`` and ``UP 48.5 MBIT/S``;
* tall (Cosmic 32x32): ``DN 940`` and ``UP 48.5`` over a dim ``MBIT/S``;
* small (Stellar 16x16): ``940`` and ``48.5`` over a dim ``MBIT``.

Below 100 Mbit/s one decimal is shown, from 9999 on the figure stays at 9999. The
figures and their places are worked out at poll time (``set_rates``); ``draw`` clears
the frame and draws a handful of texts with netrain.text, allocating nothing.
"""

from .. import font
from ..compat import micropython, ptr32
from ..text import draw_text

_NUMBER_PX = 15  # the widest figure: "8888"
_GAP_PX = 2
#: (down label, up label, unit on the lines, unit on a row of its own), richest first;
#: bytes, so the frame loop iterates them without allocating.
_LAYOUTS = (
    (b"DN", b"UP", b"MBIT/S", b""),
    (b"DN", b"UP", b"", b"MBIT/S"),
    (b"", b"", b"", b"MBIT"),
    (b"", b"", b"", b""),
)


@micropython.viper
def _clear(fb, pixels):
    p = ptr32(fb)
    n = int(pixels)
    i = 0
    while i < n:
        p[i] = 0
        i += 1


def mbit_text(rate_bytes_per_s):
    """The figure shown for a rate: "48.5" below 100 Mbit/s, "940" above, at most "9999"."""
    tenths = rate_bytes_per_s * 8 // 100_000
    if tenths < 1000:
        return "%d.%d" % (tenths // 10, tenths % 10)
    mbit = tenths // 10
    return "%d" % (mbit if mbit < 9999 else 9999)


def _layout(width, height):
    # The first layout whose lines fit the width and whose rows fit the height.
    for labels in _LAYOUTS:
        down, up, inline, row = labels
        label_px = max(font.text_width(down), font.text_width(up))
        line_px = label_px + (_GAP_PX if label_px else 0) + _NUMBER_PX
        if inline:
            line_px += _GAP_PX + font.text_width(inline)
        rows = 2 * font.HEIGHT + 1 + (font.HEIGHT if row else 0)
        if line_px <= width and max(line_px, font.text_width(row)) <= width and rows <= height:
            return labels, line_px, rows
    return _LAYOUTS[-1], _NUMBER_PX, 2 * font.HEIGHT + 1


class Numbers:
    """Current rates as figures; ``set_rates`` at poll time, ``draw`` per frame."""

    name = "numbers"

    def __init__(self, width, height):
        self.width = width
        self.height = height
        labels, line_px, rows = _layout(width, height)
        x = (width - line_px) // 2
        y = (height - rows) // 2 if rows < height else 0
        label_px = max(font.text_width(labels[0]), font.text_width(labels[1]))
        self._labels = labels
        self._label_x = x
        self._figure_end_x = x + (label_px + _GAP_PX if label_px else 0) + _NUMBER_PX
        self._unit_x = self._figure_end_x + _GAP_PX
        self._row_x = (width - font.text_width(labels[3])) // 2
        self._y = y
        self._down_x = self._up_x = 0
        self.down_text = self.up_text = None
        self.set_rates(0, 0)

    def set_rates(self, down_bytes_per_s, up_bytes_per_s):
        """New figures (bytes: the frame loop iterates them without allocating)."""
        down = mbit_text(down_bytes_per_s).encode()
        up = mbit_text(up_bytes_per_s).encode()
        if down != self.down_text:
            self.down_text = down
            self._down_x = self._figure_end_x - font.text_width(down)
        if up != self.up_text:
            self.up_text = up
            self._up_x = self._figure_end_x - font.text_width(up)

    def step(self, dt_ms):
        pass  # changes only with the figures

    def draw(self, fb):
        """Render into a B,G,R,0 frame buffer of width*height*4 bytes."""
        w = self.width
        h = self.height
        _clear(fb, w * h)
        label_down, label_up, inline, row = self._labels
        y = self._y
        y_up = y + font.HEIGHT + 1
        if label_down:  # labels dimmer than the figures: read once, the figures often
            draw_text(fb, w, h, label_down, self._label_x, y, 45, 127, 30)
            draw_text(fb, w, h, label_up, self._label_x, y_up, 20, 85, 127)
        draw_text(fb, w, h, self.down_text, self._down_x, y, 90, 255, 60)
        draw_text(fb, w, h, self.up_text, self._up_x, y_up, 40, 170, 255)
        if inline:
            draw_text(fb, w, h, inline, self._unit_x, y, 110, 90, 90)
            draw_text(fb, w, h, inline, self._unit_x, y_up, 110, 90, 90)
        if row:
            draw_text(fb, w, h, row, self._row_x, y + 2 * font.HEIGHT + 1, 110, 90, 90)
