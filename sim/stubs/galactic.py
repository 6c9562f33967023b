# galactic: desktop stand-in for the Galactic Unicorn board (53x11 LEDs, buttons, light sensor).
# SPDX-License-Identifier: MIT
"""Runs on CPython and on the MicroPython unix port; names, constants and parameters
follow the official ``pimoroni-pico-stubs`` (checked by tests/test_stub_signatures.py).
Everything but the size is shared with the other boards: see ``simunicorn``.
"""

from simunicorn import (  # noqa: F401 - re-exported: the press script and tests use them
    BUTTON_NAMES,
    BUTTON_PINS,
    DEFAULT_LUX,
    PIN_NAMES,
    Channel,
    Unicorn,
    board_present,
    parse_press,
    pressed_at,
)

if not board_present("galactic"):  # the simulator runs another Unicorn: as on its firmware
    raise ImportError("no module named 'galactic'")


class GalacticUnicorn(Unicorn):
    WIDTH = 53
    HEIGHT = 11
