# netrain.settings: what the user changes on the device, persisted atomically.
# SPDX-License-Identifier: MIT
"""Brightness (or the auto curve's shift), sleep, gain, scene, view and pending timed
reverts survive a reboot.

Writes go to ``<path>.tmp`` and are renamed over the real file, so a power cut
leaves either the old or the new file, never half of one. A corrupt or unreadable
file falls back to defaults and says so (``corrupt``), and is rewritten on the
next change. Saves are coalesced (``save_after_ms``) so holding a brightness
button does not wear the flash.
"""

import json
import os

from .compat import ticks_diff

_MAX_BYTES = 4096
_MAX_PENDING = 8

DEFAULTS = {
    "brightness": None,
    "sleeping": False,
    "gain_pct": 100,
    "scene": None,
    "view": None,
    "lux_offset_permille": 0,  # the LUX buttons' shift of the auto-brightness curve
    "pending": [],
}


class Settings:
    save_after_ms = 2000

    def __init__(self, path="settings.json"):
        self.path = path
        self.values = dict(DEFAULTS)
        self.values["pending"] = []
        self.corrupt = False
        self._dirty_since_ms = None

    def load(self):
        try:
            too_big = os.stat(self.path)[6] > _MAX_BYTES
            with open(self.path) as f:
                text = "" if too_big else f.read()
        except OSError:
            return self  # first boot: defaults
        try:
            data = json.loads(text)
            if not isinstance(data, dict):
                raise ValueError("not a settings object")
            for key, default in DEFAULTS.items():
                value = data.get(key, default)
                if default is not None and value is not None and type(value) is not type(default):
                    raise ValueError("bad type for " + key)
                self.values[key] = value
            pending = self.values["pending"]
            self.values["pending"] = [p for p in pending if isinstance(p, dict)][:_MAX_PENDING]
        except (ValueError, TypeError):
            self.values = dict(DEFAULTS)
            self.values["pending"] = []
            self.corrupt = True
        return self

    def get(self, key):
        return self.values.get(key)

    def set(self, key, value, now_ms):
        if self.values.get(key) != value:
            self.values[key] = value
            if self._dirty_since_ms is None:
                self._dirty_since_ms = now_ms

    def add_pending(self, entry):
        """Persist a timed revert at once (``entry["key"]`` names what it reverts)."""
        pending = [p for p in self.values["pending"] if p.get("key") != entry.get("key")]
        pending.append(entry)
        self.values["pending"] = pending[-_MAX_PENDING:]
        self.save()

    def remove_pending(self, key):
        pending = self.values["pending"]
        kept = [p for p in pending if p.get("key") != key]
        if len(kept) != len(pending):
            self.values["pending"] = kept
            self.save()

    def maybe_save(self, now_ms):
        """Save if something changed at least ``save_after_ms`` ago; True if saved."""
        if self._dirty_since_ms is None:
            return False
        if ticks_diff(now_ms, self._dirty_since_ms) < self.save_after_ms:
            return False
        self.save()
        return True

    def save(self):
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            f.write(json.dumps(self.values))
        os.rename(tmp, self.path)  # atomic on littlefs and POSIX
        self.corrupt = False
        self._dirty_since_ms = None
