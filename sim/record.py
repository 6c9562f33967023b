# sim.record: turn the stellar stub's raw frame log into a GIF or PNG that looks like the panel.
# SPDX-License-Identifier: MIT
"""CPython only (Pillow). ``python -m sim.record FRAMES.raw OUT.gif|OUT.png``

Raw format, written by ``sim/stubs/stellar.py`` (NETRAIN_SIM ``record_raw``): a
sequence of records, each an 8-byte header ``<IHH`` (uint32 elapsed_ms since the
simulator's time zero, uint16 width, uint16 height, little-endian) followed by
``width * height * 3`` bytes R, G, B per LED, row-major, after brightness. A record
cut short (the simulator stopped mid-write) ends the stream.

A ``.gif`` is animated with frame durations from the timestamps; a ``.png`` is the
last frame. LEDs are drawn as round dots with a soft glow, ``SCALE`` px apart.
"""

import os
import struct
import sys

from PIL import Image, ImageChops, ImageDraw, ImageFilter

HEADER = struct.Struct("<IHH")
SCALE = 12  # output pixels per LED
MIN_GIF_FRAME_MS = 20  # viewers stretch shorter GIF frames to 100 ms; drop frames instead
DEFAULT_FRAME_MS = 100
BACKGROUND = (6, 6, 8)
UNLIT = (22, 22, 26)
_CORE = 0.36  # dot radius, in LED pitches (as sim/window.py)
_GLOW_RADIUS = 0.4  # Gaussian blur radius, in LED pitches
_GLOW_GAIN = 2.2
_SUPERSAMPLE = 4
_OCTREE = Image.Quantize.FASTOCTREE


def read_frames(raw_path):
    """Yield (elapsed_ms, width, height, rgb_bytes) for each complete record."""
    with open(raw_path, "rb") as f:
        while True:
            header = f.read(HEADER.size)
            if len(header) < HEADER.size:
                return
            elapsed_ms, width, height = HEADER.unpack(header)
            if not width or not height:
                raise ValueError("%s: bad frame header %r" % (raw_path, header))
            size = width * height * 3
            data = f.read(size)
            if len(data) < size:
                return
            yield elapsed_ms, width, height, data


class Renderer:
    """Draws R,G,B LED frames as round glowing dots on a dark panel."""

    def __init__(self, width, height, scale=SCALE):
        self.width = width
        self.height = height
        self.size = (width * scale, height * scale)
        # One anti-aliased dot, drawn large and scaled down, tiled into a mask.
        big = scale * _SUPERSAMPLE
        tile = Image.new("L", (big, big), 0)
        r = _CORE * big
        c = big / 2
        ImageDraw.Draw(tile).ellipse((c - r, c - r, c + r, c + r), fill=255)
        tile = tile.resize((scale, scale), Image.Resampling.LANCZOS)
        mask = Image.new("L", self.size, 0)
        for y in range(height):
            for x in range(width):
                mask.paste(tile, (x * scale, y * scale))
        self._mask = Image.merge("RGB", (mask, mask, mask))
        self._base = ImageChops.lighter(
            Image.new("RGB", self.size, BACKGROUND),
            ImageChops.multiply(self._mask, Image.new("RGB", self.size, UNLIT)),
        )
        self._blur = ImageFilter.GaussianBlur(_GLOW_RADIUS * scale)
        self._gain = [min(255, int(v * _GLOW_GAIN)) for v in range(256)] * 3

    def render(self, rgb):
        leds = Image.frombytes("RGB", (self.width, self.height), bytes(rgb))
        dots = ImageChops.multiply(leds.resize(self.size, Image.Resampling.NEAREST), self._mask)
        glow = dots.filter(self._blur).point(self._gain)
        # Additive like light: a dim LED tints its unlit dot rather than vanishing into it.
        return ImageChops.add(ImageChops.add(self._base, dots), glow)


def _gif_durations(times_ms):
    """Per-frame durations from timestamps, rounded on the GIF's 10 ms grid without drift."""
    grid = [round(t / 10) * 10 for t in times_ms]
    durations = [b - a for a, b in zip(grid, grid[1:], strict=False)]
    durations.append(durations[-1] if durations else DEFAULT_FRAME_MS)
    return durations


def write_recording(raw_path, out_path, scale=SCALE):
    """Write a .gif (animation) or .png (last frame); returns the frames in the file."""
    ext = os.path.splitext(out_path)[1].lower()
    if ext not in (".gif", ".png"):
        raise ValueError("record to a .gif or .png file, not %r" % out_path)
    renderer = None
    images = []
    times_ms = []
    last = None
    for elapsed_ms, width, height, data in read_frames(raw_path):
        if renderer is None:
            renderer = Renderer(width, height, scale)
        elif (width, height) != (renderer.width, renderer.height):
            raise ValueError("%s: frame size changed at %d ms" % (raw_path, elapsed_ms))
        if ext == ".png":
            last = data
            continue
        if times_ms and elapsed_ms - times_ms[-1] < MIN_GIF_FRAME_MS:
            continue
        times_ms.append(elapsed_ms)
        # Quantise now: palette images are 3x smaller (long runs fit in memory), and the
        # fast octree is ~100x quicker than Pillow's default median cut at GIF time.
        images.append(renderer.render(data).quantize(256, _OCTREE, dither=Image.Dither.NONE))
    if renderer is None:
        raise ValueError("%s holds no frames" % raw_path)
    if ext == ".png":
        renderer.render(last).save(out_path)
        return 1
    images[0].save(
        out_path,
        save_all=True,
        append_images=images[1:],
        duration=_gif_durations(times_ms),
        loop=0,
    )
    # Pillow merges identical consecutive frames: report what the file holds.
    with Image.open(out_path) as gif:
        return gif.n_frames


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m sim.record FRAMES.raw OUT.gif|OUT.png", file=sys.stderr)
        return 2
    count = write_recording(args[0], args[1])
    print("sim.record: %d frames to %s" % (count, args[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
