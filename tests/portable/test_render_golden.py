# Portable golden test: the viper pixel loops of rain and text draw exactly what the plain
# Python versions drew (digests recorded from them before the change), on every runtime.
import binascii
import hashlib

from netrain import text
from netrain.effects.rain import DOWN, UP, Rain
from netrain.status import Overlay, Status


def _digest(update):
    h = hashlib.sha256()
    update(h)
    return binascii.hexlify(h.digest()).decode()


def _rain_frames(h):
    # Two panel shapes, drops of both kinds entering and leaving, a scrolling and a
    # centred toast over them, uneven frame steps and a scene change.
    rain, wide = Rain(16, 16, seed=42), Rain(53, 11, seed=42)
    fb, fb_wide = bytearray(16 * 16 * 4), bytearray(53 * 11 * 4)
    overlay = Overlay(Status(), 16, 16)
    overlay.toast("HELLO WORLD 123 !?", (255, 150, 0), 0, 100000)
    overlay_wide = Overlay(Status(), 53, 11)
    overlay_wide.toast("OK", (0, 255, 60), 0, 100000)
    for i in range(240):
        if i % 3 == 0:
            rain.spawn(DOWN, (6 + rain.random(20)) * 256, 2 + rain.random(7))
            wide.spawn(DOWN, (6 + rain.random(20)) * 256, 2 + rain.random(7))
        if i % 5 == 0:
            rain.spawn(UP, (4 + rain.random(10)) * 256, 2 + rain.random(4))
            wide.spawn(UP, 5 * 256, 3)
        rain.step(16 + i % 5)
        wide.step(16)
        rain.draw(fb)
        wide.draw(fb_wide)
        if i % 2:
            overlay.draw(fb, i * 16)
            overlay_wide.draw(fb_wide, i * 16)
        h.update(fb)
        h.update(fb_wide)
        h.update(bytes([rain.active, wide.active]))
    rain.set_scene("fire")
    rain.draw(fb)
    h.update(fb)


def _text_frames(h):
    # Clipping on every edge, over a frame whose fourth bytes are not zero.
    for w, ht in ((16, 16), (53, 11), (5, 3)):
        fb = bytearray(w * ht * 4)
        for k in range(len(fb)):
            fb[k] = k % 256
        for x in range(-8, w + 2, 3):
            for y in range(-6, ht + 2, 2):
                text.draw_text(fb, w, ht, "Ab9:%~", x, y, 10, 200, 255)
                text.dim_rect(fb, w, ht, x, y, 7, 4, 1)
                text.fill_rect(fb, w, ht, x + 1, y - 1, 3, 2, 3, 250, 9)
                h.update(fb)


def test_rain_and_overlay_frames_match_the_recorded_ones():
    assert _digest(_rain_frames) == (
        "c666916a1355d3002f9491c00d2ba48e2a4d6e521a217ffad4afa515524305a5"
    )


def test_text_and_rectangles_match_the_recorded_ones():
    assert _digest(_text_frames) == (
        "b67d84023e9e673d44073c7981f6c6d9963163cc6e6a746d51ddca9983a453f7"
    )
