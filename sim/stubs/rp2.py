# rp2: desktop stand-in for the RP2040 port's rp2 module (Wi-Fi country, BOOTSEL button).
# SPDX-License-Identifier: MIT
"""Runs on CPython and on the MicroPython unix port. Only what the firmware touches."""

_country = "XX"  # the CYW43 driver's worldwide default


def country(code=None):
    """Get, or set as a two-letter code, the Wi-Fi regulatory country."""
    global _country
    if code is None:
        return _country
    if not isinstance(code, str) or len(code) != 2:
        raise ValueError("country code must be two letters")
    _country = code.upper()
    return None


def bootsel_button():
    return 0
