# cosmic: desktop stand-in for the Cosmic Unicorn board (32x32 LEDs, buttons, light sensor).
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

if not board_present("cosmic"):  # the simulator runs another Unicorn: as on its firmware
    raise ImportError("no module named 'cosmic'")


class CosmicUnicorn(Unicorn):
    WIDTH = 32
    HEIGHT = 32
