# tools.target: run the firmware's hot paths on a model of the board and measure them.
# SPDX-License-Identifier: MIT
"""``python -m tools.target rp2040 [--json OUT]``: CPU figures from an emulated Pico W."""
