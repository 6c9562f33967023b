# The recorder (raw frames -> GIF/PNG) and the pygame window, headless (CPython only).
# SPDX-License-Identifier: MIT
import os
import struct
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STUBS = os.path.join(ROOT, "sim", "stubs")
if STUBS not in sys.path:
    sys.path.insert(0, STUBS)

import picographics  # noqa: E402
import simenv  # noqa: E402
import stellar  # noqa: E402
from PIL import Image  # noqa: E402

from sim.record import SCALE, read_frames, write_recording  # noqa: E402


def frame(i, width=16, height=16):
    """A frame with one lit LED moving along the top rows: every frame differs."""
    data = bytearray(width * height * 3)
    data[i * 3 : i * 3 + 3] = bytes((0, 200, 40))
    return bytes(data)


def write_raw(path, stamps_ms, width=16, height=16, tail=b""):
    with open(path, "wb") as f:
        for i, t in enumerate(stamps_ms):
            f.write(struct.pack("<IHH", t, width, height))
            f.write(frame(i, width, height))
        f.write(tail)


def test_read_frames_ignores_a_cut_record(tmp_path):
    raw = tmp_path / "f.raw"
    write_raw(raw, [0, 67, 133], tail=struct.pack("<IHH", 200, 16, 16) + b"\x01" * 10)
    frames = list(read_frames(raw))
    assert [(t, w, h) for t, w, h, _ in frames] == [(0, 16, 16), (67, 16, 16), (133, 16, 16)]
    assert frames[1][3] == frame(1)


def test_gif_round_trip_frame_count_and_durations(tmp_path):
    raw = tmp_path / "f.raw"
    gif = tmp_path / "f.gif"
    stamps = [0, 67, 133, 200, 205, 267, 333, 400, 500, 600]  # 205 is < 20 ms after 200
    write_raw(raw, stamps)
    count = write_recording(str(raw), str(gif))
    assert count == len(stamps) - 1
    with Image.open(gif) as img:
        assert img.n_frames == count
        assert img.size == (16 * SCALE, 16 * SCALE)
        durations = []
        for i in range(img.n_frames):
            img.seek(i)
            durations.append(img.info["duration"])
    assert durations == [70, 60, 70, 70, 60, 70, 100, 100, 100]
    assert sum(durations[:-1]) == 600


def test_png_is_the_last_frame(tmp_path):
    raw = tmp_path / "f.raw"
    png = tmp_path / "f.png"
    write_raw(raw, [0, 100, 200])
    assert write_recording(str(raw), str(png)) == 1
    with Image.open(png) as img:
        rgb = img.convert("RGB")
        assert img.size == (16 * SCALE, 16 * SCALE)
        # Frame 2 lights LED (2, 0): its centre is green, LED (0, 0) is dark.
        centre = SCALE // 2
        assert rgb.getpixel((2 * SCALE + centre, centre))[1] > 150
        assert rgb.getpixel((centre, centre))[1] < 60


def test_bad_targets_and_empty_files(tmp_path):
    raw = tmp_path / "f.raw"
    write_raw(raw, [])
    with pytest.raises(ValueError):
        write_recording(str(raw), str(tmp_path / "f.gif"))
    write_raw(raw, [0])
    with pytest.raises(ValueError):
        write_recording(str(raw), str(tmp_path / "f.mp4"))


def test_stellar_records_what_it_shows(tmp_path):
    raw = tmp_path / "f.raw"
    simenv.use({"record_raw": str(raw)})  # default 15 fps
    unicorn = stellar.StellarUnicorn()
    now = [0]
    unicorn._clock = lambda: now[0]
    g = picographics.PicoGraphics(picographics.DISPLAY_STELLAR_UNICORN)
    for i in range(60):  # 60 updates 10 ms apart: 0.6 s of simulated time
        g.set_pen(g.create_pen(0, 255, 0))
        g.pixel(i % 16, i // 16)
        now[0] = i * 10
        unicorn.update(g)
    unicorn._raw_file.close()
    stamps = [t for t, _, _, _ in read_frames(raw)]
    assert stamps == [0, 70, 140, 200, 270, 340, 400, 470, 540]
    assert write_recording(str(raw), str(tmp_path / "f.gif")) == len(stamps)


@pytest.fixture
def headless(monkeypatch):
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    import pygame

    yield pygame
    pygame.display.quit()


def test_window_draws_throttles_and_maps_keys(headless):
    pygame = headless
    from sim.window import KEYMAP, Window

    assert KEYMAP["a"] == "A" and KEYMAP["up"] == "LUX_UP" and KEYMAP["="] == "VOL_UP"
    window = Window()
    assert pygame.display.get_surface().get_size() == (16 * 32, 16 * 32)
    assert pygame.display.get_caption()[0] == "netrain simulator"
    assert window.show(frame(3), now_s=10.0)
    assert not window.show(frame(4), now_s=10.005)  # under 1/60 s later: not drawn
    assert window.show(frame(5), now_s=10.02)
    assert window.frames_drawn == 2
    # The dot of LED (5, 0) is lit, LED (0, 0) is not.
    screen = pygame.display.get_surface()
    assert screen.get_at((5 * 32 + 16, 16))[1] > 150
    assert screen.get_at((16, 16))[1] < 60
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_s))
    window.pump()
    assert window.is_down("SLEEP") and not window.is_down("A")
    pygame.event.post(pygame.event.Event(pygame.KEYUP, key=pygame.K_s))
    window.pump()
    assert not window.is_down("SLEEP")
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    with pytest.raises(SystemExit):
        window.show(frame(6))
    assert window.closed


def test_stellar_window_keys_and_escape(headless):
    pygame = headless
    simenv.use({"window": True})
    unicorn = stellar.StellarUnicorn()
    g = picographics.PicoGraphics(picographics.DISPLAY_STELLAR_UNICORN)
    unicorn.update(g)  # opens the window
    assert pygame.display.get_surface() is not None
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_UP))
    unicorn.update(g)
    assert unicorn.is_pressed(unicorn.SWITCH_BRIGHTNESS_UP)
    assert not unicorn.is_pressed(unicorn.SWITCH_A)
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_ESCAPE))
    with pytest.raises(SystemExit):
        unicorn.update(g)
