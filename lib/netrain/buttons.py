# netrain.buttons: debounced polling that turns pin levels into press gestures.
# SPDX-License-Identifier: MIT
"""Short, long, double and repeat events per button, from sampled pin levels.

``Gestures`` is pure logic fed with ``(index, pressed, now_ms)``, testable with a fake
clock. A level change is accepted at once and further changes are ignored for
``debounce_ms`` (contact bounce). Timing follows WLED and Peter Hinch's EButton:

* long: held for ``long_ms``, fired while still held; then ``repeat`` every
  ``repeat_ms`` while it stays down (used for brightness);
* double: a second press within ``double_ms`` of the first release, fired on the
  second press;
* short: released before ``long_ms`` and no second press within ``double_ms``
  (so a short press is reported ``double_ms`` after its release).
"""

from .compat import const, sleep_ms, ticks_diff, ticks_ms

SHORT = const(1)
LONG = const(2)
DOUBLE = const(3)
REPEAT = const(4)
GESTURE_NAMES = ("", "short", "long", "double", "repeat")

_UP = const(0)
_DOWN = const(1)
_WAIT_DOUBLE = const(2)  # released after a short press, a second press may follow
_SWALLOW = const(3)  # down after a double press: nothing more until release
_HELD = const(4)  # down after a long press: repeats until release


class Gestures:
    debounce_ms = 50
    long_ms = 600
    double_ms = 350
    repeat_ms = 300

    def __init__(self, count):
        self._state = bytearray(count)
        self._level = bytearray(count)
        self._edge_ms = [0] * count  # last accepted level change
        self._mark_ms = [0] * count  # press start, release time or last repeat

    def update(self, index, pressed, now_ms):
        """Feed one sample; returns a gesture constant or 0."""
        level = 1 if pressed else 0
        state = self._state[index]
        if level != self._level[index]:
            if ticks_diff(now_ms, self._edge_ms[index]) < self.debounce_ms:
                level = self._level[index]  # bounce: keep the accepted level
            else:
                self._level[index] = level
                self._edge_ms[index] = now_ms
                if level:
                    if state == _WAIT_DOUBLE:
                        self._state[index] = _SWALLOW
                        return DOUBLE
                    self._state[index] = _DOWN
                    self._mark_ms[index] = now_ms
                    return 0
                if state == _DOWN:
                    self._state[index] = _WAIT_DOUBLE
                    self._mark_ms[index] = now_ms
                else:
                    self._state[index] = _UP
                return 0
        held_ms = ticks_diff(now_ms, self._mark_ms[index])
        if state == _DOWN and held_ms >= self.long_ms:
            self._state[index] = _HELD
            self._mark_ms[index] = now_ms
            return LONG
        if state == _HELD and held_ms >= self.repeat_ms:
            self._mark_ms[index] = now_ms
            return REPEAT
        if state == _WAIT_DOUBLE and held_ms > self.double_ms:
            self._state[index] = _UP
            return SHORT
        return 0


class ButtonTask:
    """Polls ``is_pressed(pin)`` for named pins and calls ``on_event(name, gesture)``."""

    #: Sampling period; the debounce lockout is in Gestures.
    poll_ms = 20

    def __init__(self, is_pressed, pins, on_event):
        self._is_pressed = is_pressed
        self._names = list(pins)
        self._pins = [pins[name] for name in self._names]
        self._on_event = on_event
        self.gestures = Gestures(len(self._names))

    async def run(self):
        is_pressed = self._is_pressed
        pins = self._pins
        update = self.gestures.update
        while True:
            now_ms = ticks_ms()
            for i in range(len(pins)):
                gesture = update(i, is_pressed(pins[i]), now_ms)
                if gesture:
                    self._on_event(self._names[i], gesture)
            await sleep_ms(self.poll_ms)
