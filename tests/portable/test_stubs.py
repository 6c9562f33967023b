# Portable tests of the simulator's device stand-ins (sim/stubs) on both runtimes.
# SPDX-License-Identifier: MIT
import os
import struct
import sys

from _util import FakeClock, raises

_HERE = __file__.rsplit("/", 1)[0] if "/" in __file__ else "."
_STUBS = _HERE + "/../../sim/stubs"
if _STUBS not in sys.path:
    sys.path.insert(0, _STUBS)
# On the unix port a built-in ``machine`` may already be loaded; the stub extends it.
if "machine" in sys.modules and not hasattr(sys.modules["machine"], "WDT"):
    del sys.modules["machine"]

import machine  # noqa: E402
import network  # noqa: E402
import picographics  # noqa: E402
import rp2  # noqa: E402
import simenv  # noqa: E402
import stellar  # noqa: E402
from picographics import DISPLAY_STELLAR_UNICORN, PicoGraphics  # noqa: E402
from stellar import StellarUnicorn  # noqa: E402


def _graphics():
    return PicoGraphics(display=DISPLAY_STELLAR_UNICORN)


def _unicorn(settings=None, now_ms=0):
    simenv.use(settings or {})
    unicorn = StellarUnicorn()
    clock = FakeClock(now_ms)
    unicorn._clock = clock
    return unicorn, clock


def _temp_path(name):
    return (os.getenv("TMPDIR") or "/tmp") + "/" + name


def test_stubs_are_the_ones_imported():
    assert "sim/stubs" in machine.__file__
    assert "sim/stubs" in stellar.__file__
    assert hasattr(machine, "WDT") and hasattr(machine, "Pin")
    if sys.implementation.name == "micropython":  # the unix built-in's names live on
        assert hasattr(machine, "mem32") and hasattr(machine, "Signal")


def test_create_pen_masks_each_channel():
    g = _graphics()
    assert g.create_pen(0x12, 0x34, 0x56) == 0x123456
    assert g.create_pen(256, -1, 0x1FF) == 0x00FFFF


def test_framebuffer_is_bgr0_row_major():
    g = _graphics()
    fb = memoryview(g)
    assert len(fb) == 16 * 16 * 4
    assert g.get_bounds() == (16, 16)
    g.set_pen(g.create_pen(0x11, 0x22, 0x33))
    g.pixel(2, 1)
    offset = (1 * 16 + 2) * 4
    assert bytes(fb[offset : offset + 4]) == b"\x33\x22\x11\x00"
    assert sum(fb) == 0x11 + 0x22 + 0x33


def test_clear_fills_with_the_current_pen():
    g = _graphics()
    g.set_pen(g.create_pen(1, 2, 3))
    g.clear()
    assert bytes(memoryview(g)[:8]) == b"\x03\x02\x01\x00\x03\x02\x01\x00"
    assert bytes(memoryview(g)[-4:]) == b"\x03\x02\x01\x00"


def test_pixel_clips_silently():
    g = _graphics()
    g.set_pen(g.create_pen(255, 255, 255))
    for x, y in ((-1, 0), (16, 0), (0, -1), (0, 16), (100, 100)):
        g.pixel(x, y)
    assert sum(memoryview(g)) == 0
    g.rectangle(14, 14, 10, 10)  # clipped to the 2x2 corner
    assert sum(memoryview(g)) == 4 * 3 * 255


def test_float_coordinates_raise_type_error():
    g = _graphics()
    raises(TypeError, g.pixel, 1.0, 2)
    raises(TypeError, g.pixel, 1, 2.5)
    raises(TypeError, g.rectangle, 0, 0, 2.0, 1)
    raises(TypeError, g.line, 0, 0, 3, 3.0)


def test_drawing_primitives_stay_in_bounds():
    g = _graphics()
    g.set_pen(g.create_pen(0, 255, 0))
    g.line(-5, -5, 20, 20)
    g.circle(8, 8, 20)
    g.triangle(0, 0, 15, 0, 0, 15)
    g.text("HELLO 42", 0, 0, scale=2)
    assert g.measure_text("AB") > g.measure_text("A") > 0
    assert len(memoryview(g)) == 1024


def test_display_sizes():
    galactic = PicoGraphics(display=picographics.DISPLAY_GALACTIC_UNICORN)
    cosmic = PicoGraphics(display=picographics.DISPLAY_COSMIC_UNICORN)
    assert galactic.get_bounds() == (53, 11)
    assert cosmic.get_bounds() == (32, 32)
    assert len(memoryview(cosmic)) == 32 * 32 * 4
    raises(ValueError, PicoGraphics, display=99)


def test_supplied_buffer_receives_drawing():
    buf = bytearray(1024)
    g = PicoGraphics(display=DISPLAY_STELLAR_UNICORN, buffer=buf)
    g.set_pen(g.create_pen(9, 8, 7))
    g.pixel(0, 0)
    assert bytes(buf[:4]) == b"\x07\x08\x09\x00"
    raises(ValueError, PicoGraphics, display=DISPLAY_STELLAR_UNICORN, buffer=bytearray(10))


def test_brightness_is_quantised_to_256ths():
    unicorn, _ = _unicorn()
    assert unicorn.get_brightness() == 1.0
    unicorn.set_brightness(0.3)
    assert unicorn.get_brightness() == 0.296875
    unicorn.adjust_brightness(-1.0)
    assert unicorn.get_brightness() == 0.0
    unicorn.set_brightness(7)
    assert unicorn.get_brightness() == 1.0


def test_volume_defaults_to_127_of_255():
    unicorn, _ = _unicorn()
    assert unicorn.get_volume() == 127 / 255
    unicorn.set_volume(1.5)
    assert unicorn.get_volume() == 1.0


def test_update_applies_brightness_of_that_moment():
    unicorn, _ = _unicorn()
    g = _graphics()
    g.set_pen(g.create_pen(200, 100, 50))
    g.pixel(1, 0)
    unicorn.set_brightness(0.5)
    unicorn.update(g)
    assert bytes(unicorn.rgb[3:6]) == bytes((100, 50, 25))
    unicorn.set_brightness(1.0)  # takes effect at the next update only
    assert bytes(unicorn.rgb[3:6]) == bytes((100, 50, 25))
    unicorn.update(g)
    assert bytes(unicorn.rgb[3:6]) == bytes((200, 100, 50))
    unicorn.clear()
    assert sum(unicorn.rgb) == 0


def test_light_reads_the_lux_setting():
    unicorn, _ = _unicorn({"lux": 321})
    assert unicorn.light() == 321.0
    unicorn, _ = _unicorn()
    assert 0.0 <= unicorn.light() <= 4095.0


def test_press_script_gestures():
    a, b, c, lux_up = 0, 1, 3, 21
    got = stellar.parse_press("3.0:A:long, 6.5:B:short,9:C:double,12:LUX_UP:hold=1500")
    assert got == [
        (3000, 4000, a),
        (6500, 6620, b),
        (9000, 9120, c),
        (9270, 9390, c),
        (12000, 13500, lux_up),
    ]
    assert stellar.parse_press("") == []


def test_press_script_errors_name_the_item():
    for bad in ("3:A", "x:A:short", "-1:A:short", "1:Z:short", "1:A:tap", "1:A:hold=0"):
        exc = raises(ValueError, stellar.parse_press, "0:B:short," + bad)
        assert bad in str(exc), str(exc)


def test_is_pressed_follows_the_script():
    unicorn, clock = _unicorn({"press": "1:A:short,2:D:double"})
    pin_a, pin_d = unicorn.SWITCH_A, unicorn.SWITCH_D
    samples = []
    for t in (999, 1000, 1119, 1120, 2000, 2125, 2280, 2400):
        clock.now_ms = t
        samples.append((unicorn.is_pressed(pin_a), unicorn.is_pressed(pin_d)))
    assert samples == [
        (False, False),
        (True, False),
        (True, False),
        (False, False),
        (False, True),
        (False, False),
        (False, True),
        (False, False),
    ]
    assert not unicorn.is_pressed(unicorn.SWITCH_B)


def test_bad_press_setting_fails_at_construction():
    simenv.use({"press": "1:A:bogus"})
    raises(ValueError, StellarUnicorn)


def test_raw_recording_format_and_rate():
    path = _temp_path("netrain_test_stubs.raw")
    unicorn, clock = _unicorn({"record_raw": path, "record_fps": 10})
    g = _graphics()
    g.set_pen(g.create_pen(10, 20, 30))
    g.pixel(0, 0)
    for t in (0, 50, 99, 100, 250):  # 10 fps: slots 0, 0, 0, 1, 2
        clock.now_ms = t
        unicorn.update(g)
    unicorn._raw_file.close()
    with open(path, "rb") as f:
        data = f.read()
    os.remove(path)
    size = 8 + 16 * 16 * 3
    assert len(data) == 3 * size
    stamps = [struct.unpack("<IHH", data[i * size : i * size + 8]) for i in range(3)]
    assert stamps == [(0, 16, 16), (100, 16, 16), (250, 16, 16)]
    assert data[8:11] == b"\x0a\x14\x1e"
    assert data[11:size] == bytes(size - 11)


def test_settings_intervals_are_validated():
    assert simenv.intervals_ms([[1, 2.5]], "wifi_down") == [(1000, 2500)]
    for bad in ([[2, 1]], [[1]], [["a", 2]], "1-2"):
        raises(ValueError, simenv.intervals_ms, bad, "wifi_down")


def test_network_status_codes():
    assert (network.STAT_IDLE, network.STAT_CONNECTING, network.STAT_GOT_IP) == (0, 1, 3)
    assert network.STAT_CONNECT_FAIL == -1
    assert network.STAT_NO_AP_FOUND == -2
    assert network.STAT_WRONG_PASSWORD == -3
    assert network.WLAN.PM_NONE == 16


def test_wlan_joins_loses_and_rejoins_the_link():
    simenv.use({})
    wlan = network.WLAN(network.STA_IF)
    clock = FakeClock(1000)
    wlan._link = network.Link(clock=clock, down_ms=[(5000, 7000)])
    assert wlan.status() == network.STAT_IDLE
    wlan.active(True)
    wlan.config(pm=wlan.PM_NONE)
    assert wlan.config("pm") == wlan.PM_NONE
    assert len(wlan.config("mac")) == 6
    wlan.connect("ssid", "key")
    codes = []
    for t in (1000, 1250, 1300, 4999, 5000, 6999, 7000, 7300):
        clock.now_ms = t
        codes.append(wlan.status())
    assert codes == [1, 2, 3, 3, -2, -2, 1, 3]
    assert wlan.isconnected()
    assert wlan.ifconfig()[0] != "0.0.0.0"
    assert wlan.ipconfig("addr4")[0] == wlan.ifconfig()[0]
    clock.now_ms = 6000
    assert not wlan.isconnected()
    assert wlan.ifconfig()[0] == "0.0.0.0"
    clock.now_ms = 8000
    wlan.disconnect()
    assert wlan.status() == network.STAT_IDLE


def test_wdt_limit_and_starvation():
    machine.WDT(timeout=8388).feed()
    raises(ValueError, machine.WDT, timeout=8389)
    try:
        wdt = machine.WDT(timeout=100)
        machine._watchdog["fed_ms"] -= 500  # as if 500 ms went by unfed
        raises(SystemExit, wdt.feed)
    finally:
        simenv.pollers.remove(machine._check_watchdog)


def test_machine_odds_and_ends():
    led = machine.Pin("LED", machine.Pin.OUT)
    led.on()
    assert led.value() == 1
    led.toggle()
    assert led.value() == 0
    assert len(machine.unique_id()) == 8
    machine.freq(200_000_000)
    assert machine.freq() == 200_000_000
    raises(SystemExit, machine.reset)
    rp2.country("gb")
    assert rp2.country() == "GB"


def test_soft_timers_run_from_the_frame_poll():
    fired = []
    one = machine.Timer(mode=machine.Timer.ONE_SHOT, period=100, callback=fired.append)
    every = machine.Timer(period=50, callback=lambda t: fired.append("tick"))
    try:
        start_ms = simenv.elapsed_ms()
        simenv.poll(start_ms + 10)
        assert fired == []
        simenv.poll(start_ms + 60)
        assert fired == ["tick"]
        simenv.poll(start_ms + 120)
        assert fired == ["tick", one, "tick"]
        simenv.poll(start_ms + 500)  # a one-shot fires once
        assert fired == ["tick", one, "tick", "tick"]
    finally:
        every.deinit()
        one.deinit()
    assert simenv.pollers == []
