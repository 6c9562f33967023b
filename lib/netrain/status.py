# netrain.status: the device's state model and its on-panel indication.
# SPDX-License-Identifier: MIT
"""Each part of the firmware reports into a slot; the panel shows the worst state.

Slots: ``config``, ``link`` (Wi-Fi), ``controller`` (HTTP/auth), ``data`` (WAN and
freshness). ``Status.current`` is the highest-priority state set in any slot, or
``ok``. The overlay draws any state other than ok as a short scrolling message on a
dimmed band at the bottom of the panel, over the rain, and shows one-off "toasts"
(action feedback) the same way.
"""

from .compat import ticks_diff
from .text import Scroller, dim_rect

OK = "ok"

# name: (priority, panel text, (r, g, b)); lower priority number wins.
STATES = {
    "config_error": (0, "CONFIG ERROR", (255, 0, 0)),
    "setup": (0, "SETUP WIFI", (40, 120, 255)),  # detail: the access point's name and password
    "wifi_wrong_password": (1, "WIFI: WRONG PASSWORD", (255, 0, 0)),
    "wifi_no_network": (2, "WIFI: NETWORK NOT FOUND", (255, 80, 0)),
    "connecting_wifi": (3, "CONNECTING WIFI", (40, 120, 255)),
    "cert_mismatch": (4, "CERTIFICATE CHANGED", (255, 0, 0)),
    "two_factor": (5, "2FA ACCOUNT: USE API KEY OR LOCAL ADMIN", (255, 0, 0)),
    "auth_failed": (6, "LOGIN FAILED", (255, 0, 0)),
    "rate_limited": (7, "LOGIN LIMIT: WAITING", (255, 140, 0)),
    "controller_unreachable": (8, "NO CONTROLLER", (255, 140, 0)),
    "controller_error": (9, "CONTROLLER ERROR", (255, 140, 0)),
    "wan_down": (10, "WAN DOWN", (255, 0, 0)),
    "stale": (11, "NO FRESH DATA", (120, 140, 170)),
    "connecting": (12, "CONNECTING", (40, 120, 255)),
    OK: (99, "", (0, 0, 0)),
}

SLOTS = ("config", "link", "controller", "data")


class Status:
    def __init__(self, on_change=None):
        """``on_change(slot, state, detail)`` is called on each change (the console)."""
        self._slots = {}
        self._details = {}
        self._on_change = on_change
        self.changes = 0  # bumps on every change, so the overlay re-renders lazily

    def set(self, slot, state, detail=None):
        if state not in STATES:
            raise ValueError("unknown state " + state)
        if self._slots.get(slot) != state or self._details.get(slot) != detail:
            self._slots[slot] = state
            self._details[slot] = detail
            self.changes += 1
            if self._on_change:
                self._on_change(slot, state, detail)

    def clear(self, slot):
        self.set(slot, OK)

    def get(self, slot):
        return self._slots.get(slot, OK)

    @property
    def current(self):
        best = OK
        for state in self._slots.values():
            if STATES[state][0] < STATES[best][0]:
                best = state
        return best

    def detail(self, state):
        for slot, value in self._slots.items():
            if value == state:
                return self._details.get(slot)
        return None

    def message(self):
        """Panel text for the current state (detail appended), "" when ok."""
        state = self.current
        text = STATES[state][1]
        detail = self.detail(state)
        return text + (": " + detail if detail else "")


class Overlay:
    """Draws the status band and toasts over a frame; allocation-free per frame."""

    #: Rows of the band (a 5 px font plus a row of margin above and below).
    band_px = 7

    def __init__(self, status, width, height):
        self._status = status
        self._width = width
        self._height = height
        self._scroller = Scroller()
        self._seen_changes = -1
        self._rgb = (0, 0, 0)
        self._toast_on = False
        self._toast_start_ms = 0
        self._toast_min_ms = 0
        self._showing = False

    def toast(self, text, rgb, now_ms, duration_ms=3000):
        """Show a one-off message (action feedback) for at least ``duration_ms``;
        a long message scrolls through once in full."""
        self._scroller.set_text(text, now_ms)
        self._rgb = rgb
        self._toast_on = True
        self._toast_start_ms = now_ms
        self._toast_min_ms = duration_ms
        self._showing = True
        self._seen_changes = -1  # re-render the status when the toast ends

    def _toast_active(self, now_ms):
        if not self._toast_on:
            return False
        if ticks_diff(now_ms, self._toast_start_ms) < self._toast_min_ms:
            return True
        if not self._scroller.done_once(now_ms):
            return True
        self._toast_on = False
        return False

    def draw(self, fb, now_ms):
        if not self._toast_active(now_ms):
            status = self._status
            if status.changes != self._seen_changes:
                self._seen_changes = status.changes
                state = status.current
                self._showing = state != OK
                if self._showing:
                    self._scroller.set_text(status.message(), now_ms)
                    self._rgb = STATES[state][2]
        if not self._showing:
            return
        w = self._width
        h = self._height
        y = h - self.band_px
        dim_rect(fb, w, h, 0, y, w, self.band_px, 2)
        rgb = self._rgb
        self._scroller.draw(fb, w, h, y + 1, rgb[2], rgb[1], rgb[0], now_ms)
