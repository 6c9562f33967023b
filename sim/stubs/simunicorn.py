# simunicorn: what the desktop stand-ins of the Stellar, Galactic and Cosmic Unicorns share.
# SPDX-License-Identifier: MIT
"""The three boards have one API (``pimoroni-pico-stubs``: only WIDTH and HEIGHT differ),
so ``stellar``, ``galactic`` and ``cosmic`` subclass ``Unicorn`` here and set their size.

Behaviour mirrors the device's driver: ``update``
copies the PicoGraphics frame buffer and applies the brightness of that moment,
brightness is quantised to 1/256 and volume to 1/255, ``light()`` is a float ADC
reading. Simulator settings come from NETRAIN_SIM (see ``simenv``), read when the
first board object is built:

* ``press``: scripted buttons, "3.0:A:long,6.5:B:short,9:C:double,12:LUX_UP:hold=1500"
  (seconds : button : short | long | double | hold=MS);
* ``record_raw`` (+ ``record_fps``, default 15): append shown frames to a raw file,
  each record = 8-byte header (uint32 LE elapsed_ms, uint16 LE width, uint16 LE
  height) + width*height*3 bytes R,G,B after brightness (sim/record.py reads it);
* ``window`` (CPython): draw frames in the pygame window of sim/window.py, whose
  keys press the buttons too; closing it raises SystemExit from ``update``;
* ``lux``: the ambient light reading (default 1200);
* ``board``: ``stellar`` (default), ``galactic`` or ``cosmic``. A Pimoroni firmware
  has only its own board's module, so the other two stand-ins refuse to import
  (``board_present``) and firmware/main.py finds its board by trying them in turn.
"""

import json
import os
import struct

import simenv
from picographics import PEN_RGB888

# Gesture timings of the press script, in ms: (down, up, down, ...)
SHORT_MS = 120
LONG_MS = 1000
DOUBLE_GAP_MS = 150
DEFAULT_LUX = 1200.0
DEFAULT_RECORD_FPS = 15
_HEADER = "<IHH"
_HEADER_SIZE = 8
BOARDS = ("stellar", "galactic", "cosmic")
BUTTON_NAMES = ("A", "B", "C", "D", "SLEEP", "VOL_UP", "VOL_DOWN", "LUX_UP", "LUX_DOWN")


class Channel:
    """One synth voice. The simulator has no audio: settings are kept, nothing plays."""

    NOISE = 128
    SQUARE = 64
    SAW = 32
    TRIANGLE = 16
    SINE = 8
    WAVE = 1

    def __init__(self):
        self._values = {
            "waveforms": 0,
            "frequency": 660,
            "volume": 1.0,
            "attack": 2.0,
            "decay": 6.0,
            "sustain": 0.7,
            "release": 1.0,
            "pulse_width": 0.5,
        }

    def __del__(self):
        pass

    def _get_set(self, name, value):
        if value is None:
            return self._values[name]
        self._values[name] = value
        return None

    def configure(
        self,
        waveforms=None,
        frequency=None,
        volume=None,
        attack=None,
        decay=None,
        sustain=None,
        release=None,
        pulse_width=None,
    ):
        self._get_set("waveforms", waveforms)
        self._get_set("frequency", frequency)
        self._get_set("volume", volume)
        self._get_set("attack", attack)
        self._get_set("decay", decay)
        self._get_set("sustain", sustain)
        self._get_set("release", release)
        self._get_set("pulse_width", pulse_width)

    def restore(self):
        pass

    def waveforms(self, waveforms=None):
        return self._get_set("waveforms", waveforms)

    def frequency(self, freq=None):
        return self._get_set("frequency", freq)

    def volume(self, volume=None):
        return self._get_set("volume", volume)

    def attack_duration(self, attack_ms=None):
        return self._get_set("attack", attack_ms)

    def decay_duration(self, decay_ms=None):
        return self._get_set("decay", decay_ms)

    def sustain_level(self, sustain=None):
        return self._get_set("sustain", sustain)

    def release_duration(self, release_ms=None):
        return self._get_set("release", release_ms)

    def pulse_width(self, pulse_width=None):
        return self._get_set("pulse_width", pulse_width)

    def trigger_attack(self):
        pass

    def trigger_release(self):
        pass

    def play_tone(self, freq, volume=None, fade_in=None, fade_out=None):
        self._get_set("frequency", freq)
        self._get_set("volume", volume)


class Unicorn:
    """What every Unicorn board shares; subclasses set WIDTH and HEIGHT."""

    WIDTH = 0
    HEIGHT = 0

    SWITCH_A = 0
    SWITCH_B = 1
    SWITCH_C = 3
    SWITCH_D = 6
    SWITCH_SLEEP = 27
    SWITCH_VOLUME_UP = 7
    SWITCH_VOLUME_DOWN = 8
    SWITCH_BRIGHTNESS_UP = 21
    SWITCH_BRIGHTNESS_DOWN = 26

    NOISE = 128
    SQUARE = 64
    SAW = 32
    TRIANGLE = 16
    SINE = 8
    WAVE = 1

    def __init__(self, **ignored):  # the device accepts pio= and sm= and ignores them
        options = simenv.settings()
        self._clock = simenv.elapsed_ms
        self._brightness = 256  # floor(level * 256), as the driver stores it
        self._volume = 127  # floor(level * 255)
        self._channels = [Channel() for _ in range(8)]
        script = options.get("press") or ""
        if not isinstance(script, str):
            raise ValueError("NETRAIN_SIM press must be a string, got %r" % (script,))
        self._presses = parse_press(script)
        self._lux = float(options.get("lux", DEFAULT_LUX))
        pixels = self.WIDTH * self.HEIGHT
        self._fb_bytes = pixels * 4
        # One preallocated record: header + RGB; the RGB part is the shown frame.
        self._record = bytearray(_HEADER_SIZE + pixels * 3)
        self.rgb = memoryview(self._record)[_HEADER_SIZE:]
        self.frames = 0
        self._raw_path = options.get("record_raw")
        self._raw_file = None
        fps = options.get("record_fps", DEFAULT_RECORD_FPS)
        if not isinstance(fps, (int, float)) or fps <= 0:
            raise ValueError("NETRAIN_SIM record_fps must be a positive number, got %r" % fps)
        self._record_mfps = int(fps * 1000)  # integer maths per frame: no float allocations
        self._last_slot = -1
        self._want_window = bool(options.get("window"))
        self._window = None

    # --- display -----------------------------------------------------------

    def update(self, graphics):
        """Copy the frame buffer to the LEDs, applying the brightness of this moment."""
        if graphics._pen_type != PEN_RGB888:  # the device ignores pens it can't show
            return
        if graphics._width != self.WIDTH or graphics._height != self.HEIGHT:
            raise ValueError(
                "%s.update: graphics is %dx%d, the panel is %dx%d"
                % (type(self).__name__, graphics._width, graphics._height, self.WIDTH, self.HEIGHT)
            )
        fb = graphics._fb
        fb_bytes = self._fb_bytes
        rgb = self.rgb
        level = self._brightness
        j = 0
        if level >= 256:
            for i in range(0, fb_bytes, 4):
                rgb[j] = fb[i + 2]
                rgb[j + 1] = fb[i + 1]
                rgb[j + 2] = fb[i]
                j += 3
        else:
            for i in range(0, fb_bytes, 4):
                rgb[j] = (fb[i + 2] * level) >> 8
                rgb[j + 1] = (fb[i + 1] * level) >> 8
                rgb[j + 2] = (fb[i] * level) >> 8
                j += 3
        self.frames += 1
        now_ms = self._clock()
        if self._raw_path:
            self._write_raw(now_ms)
        if self._want_window:
            self._show_window()
        if simenv.pollers:
            simenv.poll(now_ms)

    def _write_raw(self, now_ms):
        # At most record_fps frames per simulated second: one per time slot.
        slot = now_ms * self._record_mfps // 1_000_000
        if slot <= self._last_slot:
            return
        self._last_slot = slot
        if self._raw_file is None:
            # Unbuffered and open for the whole run: records survive any way the run ends.
            self._raw_file = open(self._raw_path, "wb", 0)  # noqa: SIM115
        struct.pack_into(_HEADER, self._record, 0, now_ms, self.WIDTH, self.HEIGHT)
        self._raw_file.write(self._record)

    def _show_window(self):
        if self._window is None:
            Window = _import_window()
            if Window is None:
                self._want_window = False
                return
            self._window = Window(self.WIDTH, self.HEIGHT)
        self._window.show(self.rgb)

    def clear(self):
        """Blank the LEDs (not the graphics buffer)."""
        rgb = self.rgb
        for i in range(len(rgb)):
            rgb[i] = 0
        if self._window is not None:
            self._window.show(rgb)

    # --- brightness, volume, light ------------------------------------------

    def set_brightness(self, value):
        self._brightness = int(min(1.0, max(0.0, value)) * 256)

    def get_brightness(self):
        return self._brightness / 256

    def adjust_brightness(self, delta):
        self.set_brightness(self.get_brightness() + delta)

    def set_volume(self, value):
        self._volume = int(min(1.0, max(0.0, value)) * 255)

    def get_volume(self):
        return self._volume / 255

    def adjust_volume(self, delta):
        self.set_volume(self.get_volume() + delta)

    def light(self):
        return self._lux

    # --- buttons --------------------------------------------------------------

    def is_pressed(self, button):
        if pressed_at(self._presses, button, self._clock()):
            return True
        window = self._window
        if window is not None:
            name = PIN_NAMES.get(button)
            return name is not None and window.is_down(name)
        return False

    # --- audio: no sound in the simulator ---------------------------------------

    def play_sample(self, data):
        pass

    def synth_channel(self, channel):
        return self._channels[channel]

    def play_synth(self):
        pass

    def stop_playing(self):
        pass


# Button names of the press script and the window's key map -> GPIO pins
BUTTON_PINS = {
    "A": Unicorn.SWITCH_A,
    "B": Unicorn.SWITCH_B,
    "C": Unicorn.SWITCH_C,
    "D": Unicorn.SWITCH_D,
    "SLEEP": Unicorn.SWITCH_SLEEP,
    "VOL_UP": Unicorn.SWITCH_VOLUME_UP,
    "VOL_DOWN": Unicorn.SWITCH_VOLUME_DOWN,
    "LUX_UP": Unicorn.SWITCH_BRIGHTNESS_UP,
    "LUX_DOWN": Unicorn.SWITCH_BRIGHTNESS_DOWN,
}
PIN_NAMES = {pin: name for name, pin in BUTTON_PINS.items()}


def _gesture_ms(gesture):
    """(down, up, down, ...) durations for a gesture name, or None."""
    if gesture == "short":
        return (SHORT_MS,)
    if gesture == "long":
        return (LONG_MS,)
    if gesture == "double":
        return (SHORT_MS, DOUBLE_GAP_MS, SHORT_MS)
    if gesture.startswith("hold="):
        try:
            hold_ms = int(gesture[5:])
        except ValueError:
            return None
        return (hold_ms,) if hold_ms > 0 else None
    return None


def parse_press(script):
    """Parse a press script such as "3.0:A:long,6.5:B:short".

    Returns the intervals the buttons are held down: sorted [(start_ms, end_ms, pin), ...].
    """
    intervals = []
    for item in script.split(","):
        item = item.strip()
        if not item:
            continue
        parts = [p.strip() for p in item.split(":")]
        if len(parts) != 3:
            raise ValueError("press item %r: expected seconds:button:gesture" % item)
        try:
            at_ms = int(float(parts[0]) * 1000)
        except ValueError:
            at_ms = -1
        if at_ms < 0:
            raise ValueError("press item %r: bad time %r (seconds >= 0)" % (item, parts[0]))
        pin = BUTTON_PINS.get(parts[1].upper())
        if pin is None:
            raise ValueError(
                "press item %r: unknown button %r (one of %s)"
                % (item, parts[1], " ".join(BUTTON_NAMES))
            )
        steps = _gesture_ms(parts[2].lower())
        if steps is None:
            raise ValueError(
                "press item %r: bad gesture %r (short, long, double or hold=MS)" % (item, parts[2])
            )
        for i in range(0, len(steps), 2):
            intervals.append((at_ms, at_ms + steps[i], pin))
            at_ms += steps[i] + (steps[i + 1] if i + 1 < len(steps) else 0)
    intervals.sort()
    return intervals


def pressed_at(intervals, pin, now_ms):
    """True when ``pin`` is held down by the script at ``now_ms``."""
    # A loop, not any(genexpr): polled for every button, it must not allocate.
    for start_ms, end_ms, p in intervals:  # noqa: SIM110
        if p == pin and start_ms <= now_ms < end_ms:
            return True
    return False


def _import_window():
    """sim.window's Window class, or None (with a note) where it can't run."""
    try:
        import os
        import sys

        # The repository root, in case the host put only sim/stubs on sys.path.
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        if root not in sys.path:
            sys.path.append(root)
        from sim.window import Window
    except (ImportError, AttributeError) as exc:  # MicroPython (no os.path) or no pygame
        print("unicorn: no simulator window (%s); running headless" % exc)
        return None
    return Window


def board_present(module, sim_json=None):
    """False when NETRAIN_SIM (or ``sim_json``) selects a board other than ``module``.

    Read from the environment, not simenv.settings(), so that importing a stand-in
    does not start the simulator's clock; an unset board is any board (tests, tools).
    """
    if sim_json is None:
        sim_json = os.getenv("NETRAIN_SIM") or ""
    if "board" not in sim_json:
        return True
    try:
        board = json.loads(sim_json).get("board")
    except (ValueError, AttributeError):
        return True  # simenv.settings() reports a malformed NETRAIN_SIM on first use
    if board is None:
        return True
    if board not in BOARDS:
        raise ValueError("NETRAIN_SIM board: %r, want one of %s" % (board, ", ".join(BOARDS)))
    return board == module
