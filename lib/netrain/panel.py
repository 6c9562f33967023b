# netrain.panel: the frame abstraction the effects draw into, and its Unicorn implementation.
# SPDX-License-Identifier: MIT
"""A panel is a width x height B,G,R,0 frame buffer plus ``show`` and brightness.

``UnicornPanel`` wraps any Pimoroni Unicorn board object (Stellar 16x16, Galactic
53x11, Cosmic 32x32: same API) and its PicoGraphics; the size comes from the
graphics object, so nothing here is specific to one board. Both objects are built by
``firmware/main.py`` (hardware is injected, never imported here).
"""


class Panel:
    """In-memory panel: used by tests and as the base of real ones."""

    def __init__(self, width, height, fb=None):
        self.width = width
        self.height = height
        self.fb = fb if fb is not None else bytearray(width * height * 4)
        self.frames_shown = 0
        self.brightness = 1.0

    def show(self):
        self.frames_shown += 1

    def set_brightness(self, level):
        self.brightness = min(1.0, max(0.0, level))

    def light(self):
        """Ambient light 0..4095, or None without a sensor."""
        return None


class UnicornPanel(Panel):
    """A Pimoroni Unicorn board driven through PicoGraphics (RGB888 pens)."""

    def __init__(self, unicorn, graphics):
        width, height = graphics.get_bounds()
        # The framebuffer is the graphics object's own memory: no copy per frame.
        super().__init__(width, height, memoryview(graphics))
        self._unicorn = unicorn
        self._graphics = graphics
        self.brightness = unicorn.get_brightness()

    def show(self):
        # update() copies the buffer into the LED bitstream and applies brightness.
        self._unicorn.update(self._graphics)
        self.frames_shown += 1

    def set_brightness(self, level):
        super().set_brightness(level)
        self._unicorn.set_brightness(self.brightness)

    def light(self):
        return self._unicorn.light()
