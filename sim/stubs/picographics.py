# picographics: desktop stand-in for Pimoroni's PicoGraphics (RGB888 buffer, software drawing).
# SPDX-License-Identifier: MIT
"""Runs on CPython and on the MicroPython unix port; names and parameters follow the
official ``pimoroni-pico-stubs`` (checked by tests/test_stub_signatures.py).

``PicoGraphics`` is a ``bytearray`` of ``width * height * 4`` bytes, so
``memoryview(graphics)`` is the frame buffer on both runtimes, as on the device:
pixel (x, y) at ``(y * width + x) * 4``, bytes ``B, G, R, 0``. Only ``PEN_RGB888``
is simulated (the Unicorn boards' default). With ``buffer=`` (or
``set_framebuffer``) drawing and ``StellarUnicorn.update`` use the supplied buffer,
but the object's own bytes are empty: CPython cannot alias a bytearray to foreign
memory, so read the buffer you supplied rather than ``memoryview(graphics)``.
Text uses a small 3x5 font: close in size to ``bitmap6``, not identical.
"""

import math

# Displays (values from the official stub)
DISPLAY_LCD_240X240 = 0
DISPLAY_ROUND_LCD_240X240 = 1
DISPLAY_PICO_DISPLAY = 2
DISPLAY_PICO_DISPLAY_2 = 3
DISPLAY_PICO_EXPLORER = 4
DISPLAY_TUFTY_2040 = 5
DISPLAY_ENVIRO_PLUS = 6
DISPLAY_LCD_160X80 = 7
DISPLAY_I2C_OLED_128X128 = 8
DISPLAY_INKY_PACK = 9
DISPLAY_INKY_FRAME = 10
DISPLAY_INKY_FRAME_4 = 11
DISPLAY_GALACTIC_UNICORN = 12
DISPLAY_GFX_PACK = 13
DISPLAY_INTERSTATE75_32X32 = 14
DISPLAY_INTERSTATE75_64X32 = 15
DISPLAY_INTERSTATE75_96X32 = 16
DISPLAY_INTERSTATE75_128X32 = 17
DISPLAY_INTERSTATE75_64X64 = 18
DISPLAY_INTERSTATE75_128X64 = 19
DISPLAY_INTERSTATE75_192X64 = 20
DISPLAY_INTERSTATE75_256X64 = 21
DISPLAY_INKY_FRAME_7 = 22
DISPLAY_COSMIC_UNICORN = 23
DISPLAY_STELLAR_UNICORN = 24
DISPLAY_UNICORN_PACK = 25
DISPLAY_SCROLL_PACK = 26
DISPLAY_PICO_W_EXPLORER = 27

# Pen types
PEN_1BIT = 0
PEN_P4 = 3
PEN_P8 = 4
PEN_RGB332 = 5
PEN_RGB565 = 6
PEN_RGB888 = 7

# (width, height) per display, from picographics.cpp get_display_settings()
_SIZES = {
    DISPLAY_LCD_240X240: (240, 240),
    DISPLAY_ROUND_LCD_240X240: (240, 240),
    DISPLAY_PICO_DISPLAY: (240, 135),
    DISPLAY_PICO_DISPLAY_2: (320, 240),
    DISPLAY_PICO_EXPLORER: (240, 240),
    DISPLAY_TUFTY_2040: (320, 240),
    DISPLAY_ENVIRO_PLUS: (240, 240),
    DISPLAY_LCD_160X80: (160, 80),
    DISPLAY_I2C_OLED_128X128: (128, 128),
    DISPLAY_INKY_PACK: (296, 128),
    DISPLAY_INKY_FRAME: (600, 448),
    DISPLAY_INKY_FRAME_4: (640, 400),
    DISPLAY_GALACTIC_UNICORN: (53, 11),
    DISPLAY_GFX_PACK: (128, 64),
    DISPLAY_INTERSTATE75_32X32: (32, 32),
    DISPLAY_INTERSTATE75_64X32: (64, 32),
    DISPLAY_INTERSTATE75_96X32: (96, 32),
    DISPLAY_INTERSTATE75_128X32: (128, 32),
    DISPLAY_INTERSTATE75_64X64: (64, 64),
    DISPLAY_INTERSTATE75_128X64: (128, 64),
    DISPLAY_INTERSTATE75_192X64: (192, 64),
    DISPLAY_INTERSTATE75_256X64: (256, 64),
    DISPLAY_INKY_FRAME_7: (800, 480),
    DISPLAY_COSMIC_UNICORN: (32, 32),
    DISPLAY_STELLAR_UNICORN: (16, 16),
    DISPLAY_UNICORN_PACK: (16, 7),
    DISPLAY_SCROLL_PACK: (17, 7),
    DISPLAY_PICO_W_EXPLORER: (320, 240),
}
_BITS_PER_PIXEL = {PEN_1BIT: 1, PEN_P4: 4, PEN_P8: 8, PEN_RGB332: 8, PEN_RGB565: 16, PEN_RGB888: 32}
_FONTS = ("bitmap6", "bitmap8", "bitmap14_outline", "sans", "gothic", "cursive", "serif")

# 3x5 glyphs, 15 bits row-major, top-left = bit 14. Lowercase folds to uppercase;
# anything missing draws a filled block.
_GLYPHS = {
    "0": 0x7B6F, "1": 0x2C97, "2": 0x73E7, "3": 0x72CF, "4": 0x5BC9, "5": 0x79CF,
    "6": 0x79EF, "7": 0x7252, "8": 0x7BEF, "9": 0x7BCF, "A": 0x2BED, "B": 0x6BAE,
    "C": 0x3923, "D": 0x6B6E, "E": 0x79A7, "F": 0x79A4, "G": 0x396B, "H": 0x5BED,
    "I": 0x7497, "J": 0x126A, "K": 0x5BAD, "L": 0x4927, "M": 0x5FED, "N": 0x6B6D,
    "O": 0x2B6A, "P": 0x6BA4, "Q": 0x2B73, "R": 0x6BAD, "S": 0x388E, "T": 0x7492,
    "U": 0x5B6F, "V": 0x5B6A, "W": 0x5BFD, "X": 0x5AAD, "Y": 0x5A92, "Z": 0x72A7,
    " ": 0x0000, ".": 0x0002, ",": 0x0014, ":": 0x0410, "-": 0x01C0, "+": 0x05D0,
    "!": 0x2482, "?": 0x6282, "/": 0x12A4, "%": 0x52A5, "'": 0x2400, "=": 0x0E38,
}  # fmt: skip
_BOX = 0x7FFF
_GLYPH_W = 3
_GLYPH_H = 5


def _int(value):
    """Coordinates go through mp_obj_get_int on the device: floats raise TypeError."""
    if isinstance(value, int):
        return value
    raise TypeError("can't convert %s to int" % type(value).__name__)


def RGB_to_RGB332(r, g, b):
    return (r & 0xE0) | ((g & 0xE0) >> 3) | ((b & 0xC0) >> 6)


def _swap16(value):
    return ((value & 0xFF) << 8) | ((value >> 8) & 0xFF)


def RGB_to_RGB565(r, g, b):
    # The device stores RGB565 byte-swapped, ready for the display's SPI bus.
    return _swap16(((r & 0xF8) << 8) | ((g & 0xFC) << 3) | ((b & 0xF8) >> 3))


def RGB332_to_RGB(rgb332):
    return (rgb332 & 0xE0, (rgb332 & 0x1C) << 3, (rgb332 & 0x03) << 6)


def RGB565_to_RGB(rgb565):
    value = _swap16(rgb565)
    return ((value & 0xF800) >> 8, (value & 0x07E0) >> 3, (value & 0x001F) << 3)


def get_buffer_size(display, pen_type):
    width, height = _SIZES[display]
    return width * height * _BITS_PER_PIXEL[pen_type] // 8


def _hsv_to_rgb(h, s, v):
    i = math.floor(h * 6.0)
    f = h * 6.0 - i
    v *= 255.0
    p = v * (1.0 - s)
    q = v * (1.0 - f * s)
    t = v * (1.0 - (1.0 - f) * s)
    sector = int(i) % 6
    if sector == 0:
        return int(v), int(t), int(p)
    if sector == 1:
        return int(q), int(v), int(p)
    if sector == 2:
        return int(p), int(v), int(t)
    if sector == 3:
        return int(p), int(q), int(v)
    if sector == 4:
        return int(t), int(p), int(v)
    return int(v), int(p), int(q)


class PicoGraphics(bytearray):
    """A PicoGraphics surface whose own bytes are the RGB888 frame buffer."""

    def __init__(
        self,
        display,
        rotate=-1,
        bus=None,
        buffer=None,
        pen_type=-1,
        extra_pins=None,
        i2c_address=-1,
        layers=1,
        width=0,
        height=0,
    ):
        if display not in _SIZES:
            raise ValueError("Unsupported display!")
        if pen_type == -1:
            pen_type = PEN_RGB888
        if pen_type != PEN_RGB888:
            raise NotImplementedError("the simulator only implements PEN_RGB888")
        if layers != 1:
            raise NotImplementedError("the simulator only implements layers=1")
        size_w, size_h = _SIZES[display]
        if width > 0 and height > 0:
            size_w, size_h = width, height
        self._width = size_w
        self._height = size_h
        self._pen_type = pen_type
        self._rotate = 0 if rotate == -1 else rotate
        size = size_w * size_h * 4
        if buffer is None:
            super().__init__(size)
            self._fb = memoryview(self)
        else:
            super().__init__(0)
            self._fb = self._check_buffer(buffer)
        self._thickness = 1
        self._font = "bitmap6"
        self._clip = (0, 0, size_w, size_h)
        self.set_pen(0)
        self.clear()

    def __bool__(self):
        return True

    def _check_buffer(self, buffer):
        view = memoryview(buffer)
        if len(view) < self._width * self._height * 4:
            raise ValueError("Supplied buffer is too small!")
        return view

    # --- pens ------------------------------------------------------------

    def create_pen(self, r, g, b):
        return ((r & 0xFF) << 16) | ((g & 0xFF) << 8) | (b & 0xFF)

    def create_pen_hsv(self, h, s, v):
        r, g, b = _hsv_to_rgb(h, s, v)
        return self.create_pen(r, g, b)

    def set_pen(self, pen):
        pen = _int(pen)
        self._pen = pen
        self._r = (pen >> 16) & 0xFF
        self._g = (pen >> 8) & 0xFF
        self._b = pen & 0xFF

    def update_pen(self, index, r, g, b):
        pass  # palettes only matter for P4/P8 pens

    def reset_pen(self, index):
        pass

    def set_palette(self, colors):
        pass

    def set_thickness(self, thickness):
        self._thickness = max(1, _int(thickness))

    # --- clipping and bounds ---------------------------------------------

    def get_bounds(self):
        return self._width, self._height

    def set_clip(self, x, y, w, h):
        x0 = max(0, _int(x))
        y0 = max(0, _int(y))
        x1 = min(self._width, x + _int(w))
        y1 = min(self._height, y + _int(h))
        self._clip = (x0, y0, max(x0, x1), max(y0, y1))

    def remove_clip(self):
        self._clip = (0, 0, self._width, self._height)

    # --- drawing ---------------------------------------------------------

    def _span(self, x0, x1, y):
        """Fill [x0, x1) on row y, clipped."""
        cx0, cy0, cx1, cy1 = self._clip
        if y < cy0 or y >= cy1:
            return
        if x0 < cx0:
            x0 = cx0
        if x1 > cx1:
            x1 = cx1
        fb = self._fb
        r, g, b = self._r, self._g, self._b
        i = (y * self._width + x0) * 4
        for _ in range(x0, x1):
            fb[i] = b
            fb[i + 1] = g
            fb[i + 2] = r
            fb[i + 3] = 0
            i += 4

    def clear(self):
        cx0, cy0, cx1, cy1 = self._clip
        for y in range(cy0, cy1):
            self._span(cx0, cx1, y)

    def pixel(self, x, y):
        x = _int(x)
        self._span(x, x + 1, _int(y))

    def pixel_span(self, x, y, length):
        x = _int(x)
        self._span(x, x + _int(length), _int(y))

    def rectangle(self, x, y, w, h):
        x = _int(x)
        y = _int(y)
        w = _int(w)
        for row in range(y, y + _int(h)):
            self._span(x, x + w, row)

    def circle(self, x, y, radius):
        x = _int(x)
        y = _int(y)
        radius = _int(radius)
        r2 = radius * radius
        for dy in range(-radius, radius + 1):
            dx = 0
            while (dx + 1) * (dx + 1) + dy * dy <= r2:
                dx += 1
            self._span(x - dx, x + dx + 1, y + dy)

    def _dot(self, x, y, size):
        half = size // 2
        for row in range(y - half, y - half + size):
            self._span(x - half, x - half + size, row)

    def line(self, x1, y1, x2, y2, thickness=None):
        x1, y1, x2, y2 = _int(x1), _int(y1), _int(x2), _int(y2)
        size = self._thickness if thickness is None else max(1, _int(thickness))
        dx = abs(x2 - x1)
        dy = -abs(y2 - y1)
        sx = 1 if x1 < x2 else -1
        sy = 1 if y1 < y2 else -1
        err = dx + dy
        while True:
            self._dot(x1, y1, size)
            if x1 == x2 and y1 == y2:
                return
            e2 = 2 * err
            if e2 >= dy:
                err += dy
                x1 += sx
            if e2 <= dx:
                err += dx
                y1 += sy

    def polygon(self, *xy):
        points = xy[0] if len(xy) == 1 and isinstance(xy[0], list) else xy
        pts = [(_int(p[0]), _int(p[1])) for p in points]
        if len(pts) < 3:
            return
        top = min(p[1] for p in pts)
        bottom = max(p[1] for p in pts)
        for y in range(top, bottom + 1):
            sample = y + 0.5
            xs = []
            for i in range(len(pts)):
                ax, ay = pts[i]
                bx, by = pts[i - 1]
                if (ay <= sample) != (by <= sample):
                    xs.append(ax + (sample - ay) * (bx - ax) / (by - ay))
            xs.sort()
            for i in range(0, len(xs) - 1, 2):
                self._span(int(math.ceil(xs[i] - 0.5)), int(math.ceil(xs[i + 1] - 0.5)), y)

    def triangle(self, x1, y1, x2, y2, x3, y3):
        self.polygon((x1, y1), (x2, y2), (x3, y3))

    # --- text --------------------------------------------------------------

    def set_font(self, font):
        if isinstance(font, str) and font not in _FONTS:
            raise ValueError("unknown font %r" % font)
        self._font = font

    def character(self, char, x, y, scale=2, rotation=0, codepage=195):
        self._glyph(chr(_int(char)), _int(x), _int(y), max(1, int(scale)))

    def _glyph(self, char, x, y, scale):
        bits = _GLYPHS.get(char.upper(), _BOX)
        for row in range(_GLYPH_H):
            for col in range(_GLYPH_W):
                if bits & (1 << (14 - row * 3 - col)):
                    for dy in range(scale):
                        px = x + col * scale
                        self._span(px, px + scale, y + row * scale + dy)

    def text(
        self,
        text,
        x,
        y,
        wordwrap=0x7FFFFFFF,
        scale=None,
        angle=0,
        spacing=1,
        fixed_width=False,
        rotation=0,
    ):
        x = _int(x)
        y = _int(y)
        step = max(1, int(scale if scale is not None else 1))
        advance = (_GLYPH_W + spacing) * step
        cx = x
        for char in str(text):
            if char == "\n" or cx + advance - x > wordwrap + spacing * step:
                cx = x
                y += (_GLYPH_H + 1) * step
                if char == "\n":
                    continue
            self._glyph(char, cx, y, step)
            cx += advance

    def measure_text(self, text, scale=None, spacing=1, fixed_width=False):
        step = max(1, int(scale if scale is not None else 1))
        count = len(str(text))
        if not count:
            return 0
        return (count * (_GLYPH_W + spacing) - spacing) * step

    # --- sprites, framebuffer, display: no hardware behind them ----------

    def set_spritesheet(self, spritedata):
        self._sprites = spritedata

    def load_spritesheet(self, filename):
        pass

    def sprite(self, sprite_x, sprite_y, x, y, scale=1, transparent=0):
        pass

    def set_framebuffer(self, buffer):
        self._fb = self._check_buffer(buffer)

    def set_layer(self, layer):
        if layer != 0:
            raise ValueError("layer out of range")

    def set_backlight(self, brightness):
        pass

    def update(self):
        pass  # the Unicorn boards show frames through StellarUnicorn.update(graphics)

    def partial_update(self, x, y, w, h):
        pass

    def set_update_speed(self, update_speed):
        pass
