# netrain.views.numbers: the current download and upload in Mbit/s, in the 3x5 font.
# SPDX-License-Identifier: MIT
"""Download on the first line in green, upload on the second in amber, right-aligned,
as in the rain's classic scene. The layout is the richest that fits the panel:

* wide (Galactic 53x11): ``DN  940 MBIT/S`` and ``UP 48.5 MBIT/S``;
* tall (Cosmic 32x32): ``DN 940`` and ``UP 48.5`` over a dim ``MBIT/S``;
* small (Stellar 16x16): ``940`` and ``48.5`` over a dim ``MBIT``.

Below 100 Mbit/s one decimal is shown, from 9999 on the figure stays at 9999. The
frame is drawn with netrain.text once per change of the figures (``set_rates``, at
poll time) into a buffer of its own; ``draw`` copies that buffer, allocating nothing.
"""

from .. import font
from ..text import draw_text, fill_rect

_DOWN_RGB = (60, 255, 90)
_UP_RGB = (255, 170, 40)
_UNIT_RGB = (90, 90, 110)
_NUMBER_PX = 15  # the widest figure: "8888"
_GAP_PX = 2
#: (down label, up label, unit on the lines, unit on a row of its own), richest first.
_LAYOUTS = (
    ("DN", "UP", "MBIT/S", ""),
    ("DN", "UP", "", "MBIT/S"),
    ("", "", "", "MBIT"),
    ("", "", "", ""),
)


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
        self._labels, self._line_px, rows = _layout(width, height)
        self._x = (width - self._line_px) // 2
        self._y = (height - rows) // 2 if rows < height else 0
        self._frame = bytearray(width * height * 4)
        self.down_text = self.up_text = None
        self.set_rates(0, 0)

    def set_rates(self, down_bytes_per_s, up_bytes_per_s):
        """New figures; the frame is redrawn only when the text they show changes."""
        down = mbit_text(down_bytes_per_s)
        up = mbit_text(up_bytes_per_s)
        if down == self.down_text and up == self.up_text:
            return
        self.down_text = down
        self.up_text = up
        w = self.width
        h = self.height
        fb = self._frame
        fill_rect(fb, w, h, 0, 0, w, h, 0, 0, 0)
        label_down, label_up, inline, row = self._labels
        y = self._y
        self._line(fb, label_down, down, inline, y, _DOWN_RGB)
        self._line(fb, label_up, up, inline, y + font.HEIGHT + 1, _UP_RGB)
        if row:
            x = (w - font.text_width(row)) // 2
            rgb = _UNIT_RGB
            draw_text(fb, w, h, row, x, y + 2 * font.HEIGHT + 1, rgb[2], rgb[1], rgb[0])

    def _line(self, fb, label, figure, unit, y, rgb):
        w = self.width
        h = self.height
        x = self._x
        b, g, r = rgb[2], rgb[1], rgb[0]
        if self._labels[0]:
            # Labels dimmer than the figures: they are read once, the figures often.
            draw_text(fb, w, h, label, x, y, b >> 1, g >> 1, r >> 1)
            x += max(font.text_width(self._labels[0]), font.text_width(self._labels[1]))
            x += _GAP_PX
        draw_text(fb, w, h, figure, x + _NUMBER_PX - font.text_width(figure), y, b, g, r)
        if unit:
            unit_rgb = _UNIT_RGB
            x += _NUMBER_PX + _GAP_PX
            draw_text(fb, w, h, unit, x, y, unit_rgb[2], unit_rgb[1], unit_rgb[0])

    def step(self, dt_ms):
        pass  # changes only with the figures

    def draw(self, fb):
        """Copy the prepared frame into a B,G,R,0 frame buffer of width*height*4 bytes."""
        fb[:] = self._frame
