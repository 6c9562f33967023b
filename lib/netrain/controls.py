# netrain.controls: the one surface that buttons, the web API and MQTT drive the device through.
# SPDX-License-Identifier: MIT
"""User settings (brightness, scene, view, sleep, gain), the network actions and their
feedback, in one object, so read-back, panel feedback and persistence land once.

* ``press(button, gesture)``: a debounced button gesture, mapped through the config's
  ``buttons`` and ``BUTTON_VERBS`` to a command;
* ``command(name, value=None) -> (ok, message)``: starts a command at once; network
  commands report their verified result later through ``feedback`` and ``record``
  (the panel toast and the action record), as a button press does;
* ``state() -> dict``: what a status page or MQTT publishes;
* ``subscribe(callback)``: ``callback(event, data)`` on "setting", "action" and
  "state" events.

This object owns the settings file: it changes values and saves them (coalesced) from
``tick``, which the app's once-a-second task calls. It also owns the rain's scene:
the user's choice, or the calm "stale" palette while the app says the data is stale;
the view on show (``view``: None for the rain, read by the render loop each frame);
and the panel's brightness (``dim``, a few times a second): the manual level, or with
auto-brightness or a night schedule configured, netrain.dimmer's (any button then
first wakes a night-dimmed panel; ``dark``: the night turned it off).
"""

from . import __version__
from .buttons import SHORT
from .compat import const, ticks_diff, ticks_ms
from .effects.rain import SCENE_ORDER
from .status import OK, STATES
from .views import NAMES as VIEW_NAMES
from .views import next_name

GREEN = (0, 255, 60)
AMBER = (255, 150, 0)
RED = (255, 30, 0)
BLUE = (60, 140, 255)
_FEEDBACK = {"working": BLUE, "done": GREEN, "failed": RED, "busy": AMBER}
_MAX_ACTION_RECORDS = const(20)
_BRIGHTNESS_STEP = 0.1
_GAIN_STEPS = (25, 50, 100, 200, 400)
_TOAST_MS = const(1200)

#: A button's verb -> its command per gesture, space-separated in the order of the
#: gesture constants (short, long, double, repeat); "-" ignores that gesture. A verb
#: with an argument passes it on: "pause:kids" held long runs "pause:kids". Strings,
#: not tuples: the table stays loaded and tuples cost three times the heap.
#: config.BUTTON_ACTIONS is this table's keys.
BUTTON_VERBS = {
    "adblock": "show:adblock adblock - -",
    "pause": "show pause timed_pause -",
    "scene": "scene view scene -",
    "status": "status status status -",
    "brightness_up": "brightness:up brightness:up brightness:up brightness:up",
    "brightness_down": "brightness:down brightness:down brightness:down brightness:down",
    "sleep": "sleep sleep - -",
    "gain_up": "gain:up gain:up gain:up gain:up",
    "gain_down": "gain:down gain:down gain:down gain:down",
    "none": "- - - -",
}


def _is_bool(value):
    return value is True or value is False


class Controls:
    def __init__(
        self,
        cfg,
        panel,
        rain,
        overlay,
        status,
        sample,
        meter,
        metrics,
        settings=None,
        make_actions=None,
        log=None,
        views=None,
        clock=None,
    ):
        """``make_actions(feedback, record)`` builds the network actions (None: no
        controller); ``log(topic, text)`` writes a console line; ``views`` is
        netrain.views.Views (None: only the rain); ``clock`` has ``now_s()`` (Unix
        seconds or None, netrain.wallclock): the night schedule's time of day."""
        self._cfg = cfg
        self._panel = panel
        self._rain = rain
        self._overlay = overlay
        self._status = status
        self._sample = sample
        self._meter = meter
        self._metrics = metrics
        self._settings = settings
        self._log = log or (lambda topic, text: None)
        self._subscribers = []
        self._status_seen = -1
        self.actions = make_actions(self.feedback, self.record) if make_actions else None
        saved = settings.values if settings else {}
        display = cfg["display"]
        self.gain_pct = saved.get("gain_pct") or 100
        self.sleeping = bool(saved.get("sleeping"))
        self.brightness = saved.get("brightness") or display["brightness"]
        self.scene = saved["scene"] if saved.get("scene") in SCENE_ORDER else display["scene"]
        self.stale = False
        rain.set_scene(self.scene)
        self._views = views
        self.view_name = "rain"
        self.view = None  # the rain
        name = saved["view"] if saved.get("view") in VIEW_NAMES else display["view"]
        self._show_view(name)
        self._manual_permille = int(self.brightness * 1000 + 0.5)
        self._level_permille = -1  # what the panel was last set to
        self.dark = False
        self.dimmer = None  # manual brightness only: netrain.dimmer is not loaded
        if display["auto_brightness"] is not None or display["night"] is not None:
            from .dimmer import from_config

            offset = saved.get("lux_offset_permille") or 0
            self.dimmer = from_config(display, self._manual_permille, offset, clock)
        self.dim(ticks_ms())

    # -- entry points ------------------------------------------------------------

    def press(self, button, gesture):
        """A button gesture: the configured verb's command for it, if any. A press that
        finds the panel night-dimmed or dark only wakes it (for a minute)."""
        now_ms = ticks_ms()
        dimmer = self.dimmer
        if dimmer is not None and dimmer.wake(dimmer.now_s(now_ms), now_ms):
            self.dim(now_ms)
            return
        action = self._cfg["buttons"].get(button, "none")
        verb = action.split(":", 1)[0]
        name = BUTTON_VERBS[verb].split()[gesture - SHORT]  # SHORT..REPEAT are 1..4
        if name != "-":
            self.command(name + action[len(verb) :])

    def command(self, name, value=None):
        """Start a command; ``(ok, message)``. Network results arrive later."""
        parts = name.split(":", 1)
        verb = parts[0]
        arg = parts[1] if len(parts) > 1 else ""
        handler = _COMMANDS.get(verb)
        if handler is None:
            return False, 'unknown command "%s"' % name
        return handler(self, verb, arg, value, ticks_ms())

    def subscribe(self, callback):
        self._subscribers.append(callback)

    def state(self):
        status = self._status
        sample = self._sample
        meter = self._meter
        current = status.current
        known = self.actions.known if self.actions else {}
        groups = {}
        for group in self._cfg["groups"]:
            groups[group] = known.get(group)
        return {
            "state": current,
            "reason": status.detail(current),
            "down_bytes_per_s": sample.down_bytes_per_s,
            "up_bytes_per_s": sample.up_bytes_per_s,
            "utilisation_down": _share(sample.down_bytes_per_s, meter.down.scale_bytes_per_s),
            "utilisation_up": _share(sample.up_bytes_per_s, meter.up.scale_bytes_per_s),
            "brightness": self.brightness,
            "brightness_now": self._metrics.brightness_permille / 1000,
            "scene": self.scene,
            "view": self.view_name,
            "sleeping": self.sleeping,
            "gain_pct": self.gain_pct,
            "adblock": known.get("adblock"),
            "groups": groups,
            "uptime_s": ticks_diff(ticks_ms(), self._metrics.start_ms) // 1000,
            "heap_free": self._metrics.heap_free,  # sampled after a collection: no heap walk
            "version": __version__,
            "actions": self._metrics.actions,
        }

    # -- from the app --------------------------------------------------------------

    def tick(self, now_ms):
        """Once a second: save changed settings, tell subscribers of a status change."""
        if self._settings:
            self._settings.maybe_save(now_ms)
        status = self._status
        if status.changes != self._status_seen:
            self._status_seen = status.changes
            if self._subscribers:
                current = status.current
                self._emit("state", {"state": current, "reason": status.detail(current)})

    def dim(self, now_ms):
        """The panel's level from the light sensor, the wall clock and the settings; a
        few times a second (not per frame: the light reading and the clock allocate)."""
        dimmer = self.dimmer
        level = self._manual_permille
        if dimmer is not None:
            level = dimmer.tick(self._panel.light, now_ms)
            self.dark = dimmer.dark
        if level != self._level_permille:
            self._level_permille = level
            self._panel.set_brightness(level / 1000)
        self._metrics.brightness_permille = 0 if self.sleeping or self.dark else level

    def _show_view(self, name):
        """Put view ``name`` on show; False (the rain stays) if the heap had no room."""
        view = None
        if name != "rain":
            view = self._views.get(name) if self._views is not None else None
            if view is None:
                return False
        self.view = view
        self.view_name = name
        self._metrics.view = name
        return True

    def set_stale(self, stale):
        """The app's freshness verdict: the calm stale palette, or the user's scene."""
        self.stale = stale
        self._rain.set_scene("stale" if stale else self.scene)

    def feedback(self, kind, text):
        """A network action's progress on the panel ("working", "done", "failed", "busy")."""
        # "working" stays up until the result replaces it (actions have a deadline).
        duration_ms = 20000 if kind == "working" else 2500
        self._overlay.toast(text, _FEEDBACK[kind], ticks_ms(), duration_ms)

    def record(self, entry):
        """A network action's result: kept for the metrics, printed, published."""
        entry["t_s"] = ticks_diff(ticks_ms(), self._metrics.start_ms) // 1000
        actions = self._metrics.actions
        actions.append(entry)
        if len(actions) > _MAX_ACTION_RECORDS:
            actions.pop(0)
        if entry["result"] == "verified":
            self._log("action", "%s: %s" % (entry["action"], entry["detail"]))
        else:
            self._log("action", "%s failed: %s" % (entry["action"], entry["reason"]))
        self._emit("action", entry)

    # -- commands: (self, verb, arg, value, now_ms) -> (ok, message) ---------------

    def _brightness(self, verb, arg, value, now_ms):
        dimmer = self.dimmer
        if arg and dimmer is not None and dimmer.auto is not None:
            # LUX buttons move the auto curve (in tenths) rather than fight it
            offset = dimmer.lux(1 if arg == "up" else -1)[1]
            self.dim(now_ms)
            text = "AUTO LIGHT %+d" % (offset // 100)
            return self._changed("lux_offset_permille", offset, text, now_ms)
        if arg:  # "up" / "down": a button's step
            value = self.brightness + (_BRIGHTNESS_STEP if arg == "up" else -_BRIGHTNESS_STEP)
        elif _is_bool(value) or not isinstance(value, (int, float)):
            return False, "brightness needs a number from 0 to 1"
        self.brightness = min(1.0, max(0.05, round(value, 2)))
        self._manual_permille = int(self.brightness * 1000 + 0.5)
        offset = dimmer.set_manual(self._manual_permille) if dimmer is not None else None
        if offset is not None and self._settings:  # auto: the curve moved there
            self._settings.set("lux_offset_permille", offset, now_ms)
        self.dim(now_ms)
        text = "LIGHT %d%%" % int(self.brightness * 100 + 0.5)
        return self._changed("brightness", self.brightness, text, now_ms)

    def _gain(self, verb, arg, value, now_ms):
        if arg:  # "up" / "down": the next of the button's steps
            steps = _GAIN_STEPS
            i = steps.index(self.gain_pct) if self.gain_pct in steps else 2
            value = steps[min(len(steps) - 1, max(0, i + (1 if arg == "up" else -1)))]
        elif _is_bool(value) or not isinstance(value, int) or not 1 <= value <= 1000:
            return False, "gain needs a whole percent from 1 to 1000"
        self.gain_pct = value
        return self._changed("gain_pct", value, "GAIN %d%%" % value, now_ms)

    def _scene(self, verb, arg, value, now_ms):
        if value is None:
            i = SCENE_ORDER.index(self.scene) if self.scene in SCENE_ORDER else -1
            value = SCENE_ORDER[(i + 1) % len(SCENE_ORDER)]
        elif value not in SCENE_ORDER:
            return False, "scenes are: " + ", ".join(SCENE_ORDER)
        self.scene = value
        self.set_stale(self.stale)
        return self._changed("scene", value, value.upper(), now_ms)

    def _sleep(self, verb, arg, value, now_ms):
        if value is None:
            value = not self.sleeping
        elif not _is_bool(value):
            return False, "sleep needs true or false"
        self.sleeping = value
        self.dim(now_ms)
        return self._changed("sleeping", value, None, now_ms)

    def _view(self, verb, arg, value, now_ms):
        if value is None:  # C held long: the next one
            value = next_name(self.view_name)
        elif value not in VIEW_NAMES:
            return False, "views are: " + ", ".join(VIEW_NAMES)
        if not self._show_view(value):
            self._overlay.toast("OUT OF MEMORY", AMBER, now_ms, 1500)
            return False, "no room in memory for the %s view" % value
        return self._changed("view", value, value.upper(), now_ms)

    def _show_status(self, verb, arg, value, now_ms):
        status = self._status
        sample = self._sample
        state = status.current
        text = "DOWN %s UP %s %s" % (
            format_rate(sample.down_bytes_per_s),
            format_rate(sample.up_bytes_per_s),
            STATES[state][1] or "OK",
        )
        self._overlay.toast(text, GREEN if state == OK else AMBER, now_ms, 0)
        return True, text

    def _changed(self, key, value, toast, now_ms):
        if self._settings:
            self._settings.set(key, value, now_ms)
        if toast:
            self._overlay.toast(toast, GREEN, now_ms, _TOAST_MS)
        self._emit("setting", {key: value})
        return True, toast or "%s %s" % (key, value)

    # -- network commands ----------------------------------------------------------

    def _network(self, verb, arg, value, now_ms):
        """adblock / pause:<group> (toggle, or set with True/False), timed_pause:<group>
        (minutes, default pause_min), show:adblock / show:<group> (read the state)."""
        actions = self.actions
        if actions is None:
            self._overlay.toast("NEEDS A CONTROLLER", AMBER, now_ms, 1500)
            return False, "needs a controller"
        adblock = verb == "adblock" or arg == "adblock"
        name = "adblock" if adblock else "pause"
        if verb == "show":
            value = None
            func = actions.adblock_show if adblock else actions.group_show
        elif verb == "timed_pause":
            value = self._cfg["pause_min"] if value is None else value
            if _is_bool(value) or not isinstance(value, (int, float)) or value <= 0:
                return False, "timed_pause needs minutes above 0"
            func = actions.group_pause_for
        elif value is None:
            func = actions.adblock_toggle if adblock else actions.group_toggle
        elif not _is_bool(value):
            return False, name + " needs true or false"
        else:
            func = actions.adblock_set if adblock else actions.group_set
        args = () if adblock else (arg,)  # the group
        if value is not None:
            args += (value,)
        if actions.start(name, func, *args):
            return True, "started"
        return False, "busy: " + actions.busy

    def _emit(self, event, data):
        for callback in self._subscribers:
            callback(event, data)


_COMMANDS = {
    "brightness": Controls._brightness,
    "gain": Controls._gain,
    "scene": Controls._scene,
    "sleep": Controls._sleep,
    "view": Controls._view,
    "status": Controls._show_status,
    "adblock": Controls._network,
    "pause": Controls._network,
    "timed_pause": Controls._network,
    "show": Controls._network,
}


def _share(rate, scale):
    if not scale:
        return None
    share = rate / scale
    return 1.0 if share > 1 else round(share, 3)


def format_rate(rate_bytes_per_s):
    """Human rate in bits per second, e.g. 123M, 4.5M, 800K."""
    bits = rate_bytes_per_s * 8
    if bits >= 100_000_000:
        return "%dM" % (bits // 1_000_000)
    if bits >= 1_000_000:
        return "%d.%dM" % (bits // 1_000_000, bits // 100_000 % 10)
    return "%dK" % (bits // 1000)
