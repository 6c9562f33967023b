# sim.window: the simulator's pygame window, LEDs drawn as round glowing dots (CPython only).
# SPDX-License-Identifier: MIT
"""Opened by the ``stellar`` stub on its first ``update()`` when NETRAIN_SIM has
``"window": true``. Frames are drawn at most ``MAX_FPS`` times a second; events are
pumped on every frame. Closing the window or pressing Esc raises SystemExit.

Keys (``KEYMAP``, pygame key names -> Stellar Unicorn buttons):

    a b c d   -> A B C D
    s         -> SLEEP
    Up / Down -> LUX_UP / LUX_DOWN   (the brightness buttons)
    = / -     -> VOL_UP / VOL_DOWN   (also keypad + and -)
    Esc       -> quit

A key held down holds the button down, so long presses work as on the device.
Works headless with SDL_VIDEODRIVER=dummy (the tests use that).
"""

import math
import os
import time

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
import pygame  # noqa: E402 - the variable above must be set first

KEYMAP = {
    "a": "A",
    "b": "B",
    "c": "C",
    "d": "D",
    "s": "SLEEP",
    "up": "LUX_UP",
    "down": "LUX_DOWN",
    "=": "VOL_UP",
    "-": "VOL_DOWN",
    "[+]": "VOL_UP",
    "[-]": "VOL_DOWN",
}
TITLE = "netrain simulator"
SCALE = 32  # window pixels per LED
MAX_FPS = 60
BACKGROUND = (6, 6, 8)
UNLIT = (22, 22, 26)  # the dark LED under the diffuser
_CORE = 0.36  # lit dot radius, in LED pitches
_HALO = 0.42  # halo fall-off width, in LED pitches
_HALO_GAIN = 0.55  # halo brightness relative to the dot
_SPRITE_PITCHES = 2.5  # sprite width, in LED pitches
_TINT_CACHE_MAX = 2048


def _halo_sprite(scale):
    """A grey radial sprite: a solid dot inside a soft Gaussian halo that fades out
    (below 1/255) 1.2 LED pitches from the centre."""
    size = int(scale * _SPRITE_PITCHES)
    centre = (size - 1) / 2
    core = _CORE * scale
    spread = _HALO * scale
    pixels = bytearray(size * size * 3)
    for y in range(size):
        for x in range(size):
            d = math.hypot(x - centre, y - centre)
            if d <= core:
                v = 255
            elif d <= core + 1:  # one anti-aliased pixel at the dot's edge
                v = int(255 * (core + 1 - d) + 255 * _HALO_GAIN * (d - core))
            else:
                v = int(255 * _HALO_GAIN * math.exp(-(((d - core) / spread) ** 2)))
            i = (y * size + x) * 3
            pixels[i] = pixels[i + 1] = pixels[i + 2] = v
    return pygame.image.frombuffer(bytes(pixels), (size, size), "RGB")


class Window:
    """A width x height LED panel in a pygame window; ``show(rgb)`` once per frame."""

    def __init__(self, width=16, height=16, scale=SCALE, title=TITLE, max_fps=MAX_FPS):
        pygame.display.init()
        self.width = width
        self.height = height
        self.scale = scale
        self._min_gap_s = 1.0 / max_fps
        self._last_draw_s = -1.0
        self._screen = pygame.display.set_mode((width * scale, height * scale))
        pygame.display.set_caption(title)
        self._keys = {pygame.key.key_code(name): button for name, button in KEYMAP.items()}
        self._held = {}  # key code -> button name
        self._sprite = _halo_sprite(scale)
        self._tinted = {}
        self._background = pygame.Surface(self._screen.get_size())
        self._background.fill(BACKGROUND)
        radius = int(_CORE * scale)
        for y in range(height):
            for x in range(width):
                centre = (x * scale + scale // 2, y * scale + scale // 2)
                pygame.draw.circle(self._background, UNLIT, centre, radius)
        self.frames_drawn = 0
        self.closed = False

    def is_down(self, button):
        """True while a key mapped to ``button`` (a name such as "A") is held."""
        return button in self._held.values()

    def pump(self):
        """Handle pending events; SystemExit when the window is closed or Esc is pressed."""
        for event in pygame.event.get():
            if event.type == pygame.QUIT or (
                event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE
            ):
                self.close()
                raise SystemExit(0)
            if event.type == pygame.KEYDOWN and event.key in self._keys:
                self._held[event.key] = self._keys[event.key]
            elif event.type == pygame.KEYUP:
                self._held.pop(event.key, None)
            elif event.type == pygame.WINDOWFOCUSLOST:
                self._held.clear()  # a key released elsewhere never sends KEYUP

    def show(self, rgb, now_s=None):
        """Pump events and draw the R,G,B frame unless the last draw was too recent."""
        self.pump()
        now_s = time.monotonic() if now_s is None else now_s
        if now_s - self._last_draw_s < self._min_gap_s:
            return False
        self._last_draw_s = now_s
        self.draw(rgb)
        return True

    def _tint(self, colour):
        sprite = self._tinted.get(colour)
        if sprite is None:
            if len(self._tinted) >= _TINT_CACHE_MAX:
                self._tinted.clear()
            sprite = self._sprite.copy()
            sprite.fill(colour, special_flags=pygame.BLEND_MULT)
            self._tinted[colour] = sprite
        return sprite

    def draw(self, rgb):
        screen = self._screen
        screen.blit(self._background, (0, 0))
        scale = self.scale
        offset = (self._sprite.get_width() - scale) // 2  # centre the sprite on its LED
        add = pygame.BLEND_ADD
        data = bytes(rgb)
        i = 0
        for y in range(self.height):
            for x in range(self.width):
                r, g, b = data[i], data[i + 1], data[i + 2]
                i += 3
                if r | g | b:
                    # 5 bits per channel keeps the cache small and the steps invisible.
                    colour = ((r & 0xF8) | (r >> 5), (g & 0xF8) | (g >> 5), (b & 0xF8) | (b >> 5))
                    at = (x * scale - offset, y * scale - offset)
                    screen.blit(self._tint(colour), at, None, add)
        pygame.display.flip()
        self.frames_drawn += 1

    def close(self):
        if not self.closed:
            self.closed = True
            pygame.display.quit()
