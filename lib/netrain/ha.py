# netrain.ha: the panel as one Home Assistant device over MQTT discovery.
# SPDX-License-Identifier: MIT
"""Announces the device and its entities, publishes their states, and turns
Home Assistant's commands into ``controls.command(...)`` calls.

Read-back: a switch's state topic carries only what ``controls.state()`` holds
as verified, so HA shows a new position only once the controller confirmed it;
a refused or failed command republishes the verified state (HA flips back) and
its message goes to the reason sensor.

Pace: rates, utilisation and free heap are published every ``rate_period_s`` or
when a rate moved by ``rate_change_pct``, never more often than ``poll_s``;
everything else when it changes. All topics are built once here.

Removed groups: the group ids announced last time stay in a retained
``<base>/groups`` message; on reconnect the ones no longer configured get an
empty retained config, which makes HA delete their entities.
"""

import json

from .compat import sleep_ms, ticks_diff, ticks_ms

_ON = "ON"
_OFF = "OFF"
_NONE = "None"  # HA's payload for an unknown state (an empty one would delete the retained one)
_TICK_MS = 250  # how soon a command's result or a sample reaches HA
_MAX_REMOVED = 16  # group ids cleaned up per reconnect (bounds the work)

# sensors: (key naming the state topic, name, extra discovery fields)
_SENSORS = (
    ("down", "WAN download", {"device_class": "data_rate", "unit_of_measurement": "Mbit/s"}),
    ("up", "WAN upload", {"device_class": "data_rate", "unit_of_measurement": "Mbit/s"}),
    ("util_down", "Download utilisation", {"unit_of_measurement": "%"}),
    ("util_up", "Upload utilisation", {"unit_of_measurement": "%"}),
    ("heap_free", "Free heap", {"unit_of_measurement": "B", "entity_category": "diagnostic"}),
)
_RATE_KEYS = ("down", "up", "util_down", "util_up", "heap_free")


def object_id(name):
    """A topic- and id-safe form of a group name: lowercase letters, digits and _."""
    out = ""
    for ch in name.lower():
        out += ch if ("a" <= ch <= "z" or "0" <= ch <= "9") else "_"
    return out or "_"


class Bridge:
    """Home Assistant's view of one netrain panel; ``client`` is a netrain.mqtt.Client."""

    def __init__(
        self,
        controls,
        device_id,
        version="",
        name="netrain",
        model="Stellar Unicorn",
        manufacturer="Pimoroni",
        configuration_url=None,
        discovery_prefix="homeassistant",
        base_topic=None,
        groups=(),
        timed_pauses=None,
        scenes=(),
        rate_period_s=10,
        rate_change_pct=10,
        poll_s=1.0,
        clock=ticks_ms,
    ):
        self.controls = controls
        self.client = None
        self.device_id = device_id
        base = base_topic or "netrain/" + device_id
        self.base = base
        self.availability_topic = base + "/status"
        self.groups_topic = base + "/groups"
        self.command_prefix = base + "/set/"
        self.ha_status_topic = discovery_prefix + "/status"
        self._prefix = discovery_prefix
        self._groups = {object_id(g): g for g in groups}
        self._timed = {object_id(g): g for g in (groups if timed_pauses is None else timed_pauses)}
        self._scenes = tuple(scenes)
        self._device = {
            "identifiers": [device_id],
            "name": name,
            "model": model,
            "manufacturer": manufacturer,
            "sw_version": version,
        }
        if configuration_url:
            self._device["configuration_url"] = configuration_url
        self._rate_period_ms = int(rate_period_s * 1000)
        self._rate_change = rate_change_pct / 100
        self._min_gap_ms = int(poll_s * 1000)
        self._clock = clock
        # state topics, built once: key -> topic
        keys = list(_RATE_KEYS) + ["state", "reason", "adblock", "light", "brightness", "scene"]
        keys += ["pause/" + oid for oid in self._groups]
        self.topics = {key: base + "/" + key for key in keys}
        self._last = {}  # key -> payload last published
        self._rates_at = None  # ticks of the last rate publish
        self._rates = None  # (down, up) bytes/s last published
        self._note = None  # why the last command failed, shown as the reason
        self._announce = False
        self._dirty = True  # some state changed: compare and publish what differs
        self._checked_at = None  # ticks the rates were last compared
        self._removed = []
        self._old_groups_seen = False
        self.commands = 0  #: commands received from HA
        self.publishes = 0  #: state messages sent
        subscribe = getattr(controls, "subscribe", None)
        if subscribe is not None:
            subscribe(self._on_event)

    @property
    def will(self):
        """(topic, payload, retain) for the client's last will."""
        return (self.availability_topic, "offline", True)

    # ---- client callbacks ---------------------------------------------------

    async def on_connect(self):
        """Subscribe only: publishes wait for ``run()``, which reads PUBACKs meanwhile."""
        client = self.client
        await client.subscribe(self.command_prefix + "#")
        await client.subscribe(self.ha_status_topic)
        await client.subscribe(self.groups_topic)
        self._announce = True

    def on_message(self, topic, payload, retained):
        topic = bytes(topic).decode()
        payload = bytes(payload).decode()
        if topic == self.ha_status_topic:
            if payload == "online":  # HA restarted: it wants the configs again
                self._announce = True
        elif topic == self.groups_topic:
            self._forget_groups(payload)
        elif topic.startswith(self.command_prefix) and not retained:
            self._command(topic[len(self.command_prefix) :], payload)

    def _on_event(self, event, data):
        """controls' events: "setting", "state", "action" (a network command's result)."""
        if event == "action" and data.get("action") in ("adblock", "pause"):
            if data.get("result") == "verified":
                self._note = None
            else:
                self._refuse("%s: %s" % (data.get("action"), data.get("reason")))
        self._dirty = True

    # ---- commands -----------------------------------------------------------

    def _command(self, what, payload):
        self.commands += 1
        if what == "adblock":
            self._run("adblock", payload == _ON)
        elif what == "light":
            self._run("sleep", payload == _OFF)
        elif what == "brightness":
            try:
                pct = int(float(payload))
            except ValueError:
                self._refuse("brightness: not a number: %s" % payload[:16])
                return
            self._run("brightness", min(max(pct, 0), 100) / 100)
        elif what == "scene":
            if payload in self._scenes:
                self._run("scene", payload)
            else:
                self._refuse("scene: unknown: %s" % payload[:24])
        elif what.startswith("pause/") and what[6:] in self._groups:
            self._run("pause:" + self._groups[what[6:]], payload == _ON)
        elif what.startswith("timed_pause/") and what[12:] in self._timed:
            self._run("timed_pause:" + self._timed[what[12:]], None)
        else:
            self._refuse("unknown command: %s" % what[:32])

    def _run(self, name, value):
        try:
            ok, message = self.controls.command(name, value)
        except Exception as exc:  # the controls must not take the session down
            ok, message = False, str(exc)
        if ok:
            self._note = None
        else:
            self._refuse("%s: %s" % (name, message))
        self._dirty = True

    def _refuse(self, message):
        self._note = message
        self._last.clear()  # republish everything: HA flips its optimistic change back
        self._dirty = True

    # ---- removed groups -----------------------------------------------------

    def _forget_groups(self, payload):
        if self._old_groups_seen:
            return
        self._old_groups_seen = True
        for oid in payload.split(","):
            if oid and oid not in self._groups and len(self._removed) < _MAX_REMOVED:
                self._removed.append(oid)

    # ---- publishing ---------------------------------------------------------

    async def run(self):
        """Publish discovery after each connect and states at their pace; never returns."""
        while True:
            client = self.client
            if client is not None and client.connected:
                try:
                    await self.step()
                except Exception as exc:  # a broken session: the client reconnects
                    client.last_error = str(exc)
            await sleep_ms(_TICK_MS)

    async def step(self):
        client = self.client
        if self._announce:  # cleared only once all went out: a failure retries it
            self._last.clear()
            self._rates_at = None
            await self._publish_discovery()
            self._announce = False
        while self._removed:
            oid = self._removed.pop()
            await client.publish(self._config_topic("switch", "pause_" + oid), "", True, 1)
            await client.publish(self._config_topic("button", "timed_pause_" + oid), "", True, 1)
        now = self._clock()
        if self._rates_due(now):
            await self._publish_states(True)
            self._rates_at = self._checked_at = now
        elif self._dirty:
            await self._publish_states(False)

    def _rates_due(self, now):
        if self._rates_at is None:
            return True
        since = ticks_diff(now, self._rates_at)
        if since < self._min_gap_ms:
            return False
        if since >= self._rate_period_ms:
            return True
        # samples raise no event: compare at most once per poll interval
        if self._rates is None or ticks_diff(now, self._checked_at) < self._min_gap_ms:
            return False
        self._checked_at = now
        state = self.controls.state()
        return _moved(self._rates[0], state.get("down_bytes_per_s"), self._rate_change) or _moved(
            self._rates[1], state.get("up_bytes_per_s"), self._rate_change
        )

    async def _publish_states(self, rates):
        state = self.controls.state()
        if rates:
            down = state.get("down_bytes_per_s")
            up = state.get("up_bytes_per_s")
            self._rates = (down, up)
            await self._put("down", _mbit(down))
            await self._put("up", _mbit(up))
            await self._put("util_down", _pct(state.get("utilisation_down")))
            await self._put("util_up", _pct(state.get("utilisation_up")))
            await self._put("heap_free", _text(state.get("heap_free")))
        await self._put("state", _text(state.get("state")))
        await self._put("reason", self._note or state.get("reason") or "ok")
        await self._put("adblock", _switch(state.get("adblock")))
        await self._put("light", _OFF if state.get("sleeping") else _ON)
        await self._put("brightness", _pct(state.get("brightness")))
        await self._put("scene", _text(state.get("scene")))
        paused = state.get("groups") or {}
        for oid, group in self._groups.items():
            await self._put("pause/" + oid, _switch(paused.get(group)))
        self._dirty = False

    async def _put(self, key, payload):
        if self._last.get(key) == payload:
            return
        if await self.client.publish(self.topics[key], payload, True):
            self._last[key] = payload
            self.publishes += 1
        # A publish that fits the socket's buffer never yields; ~1.4 ms each on an
        # RP2040, so a dozen back to back would hold the render for a frame.
        await sleep_ms(0)

    async def _publish_discovery(self):
        client = self.client
        await client.publish(self.availability_topic, "online", True, 1)
        for key, name, extra in _SENSORS:
            fields = {"state_topic": self.topics[key], "state_class": "measurement"}
            fields.update(extra)
            await self._announce_one("sensor", key, name, fields)
        await self._announce_one("sensor", "state", "State", {"state_topic": self.topics["state"]})
        await self._announce_one(
            "sensor",
            "reason",
            "Reason",
            {"state_topic": self.topics["reason"], "entity_category": "diagnostic"},
        )
        await self._announce_one("switch", "adblock", "Ad blocking", self._switch_fields("adblock"))
        for oid, group in self._groups.items():
            fields = self._switch_fields("pause/" + oid)
            await self._announce_one("switch", "pause_" + oid, "Pause " + group, fields)
        for oid, group in self._timed.items():
            fields = {"command_topic": self.command_prefix + "timed_pause/" + oid}
            await self._announce_one("button", "timed_pause_" + oid, "Timed pause " + group, fields)
        light = {
            "command_topic": self.command_prefix + "light",
            "state_topic": self.topics["light"],
            "brightness_command_topic": self.command_prefix + "brightness",
            "brightness_state_topic": self.topics["brightness"],
            "brightness_scale": 100,
        }
        await self._announce_one("light", "panel", "Panel", light)
        if self._scenes:
            select = {
                "command_topic": self.command_prefix + "scene",
                "state_topic": self.topics["scene"],
                "options": list(self._scenes),
            }
            await self._announce_one("select", "scene", "Scene", select)
        await client.publish(self.groups_topic, ",".join(self._groups), True, 1)

    def _switch_fields(self, key):
        return {"command_topic": self.command_prefix + key, "state_topic": self.topics[key]}

    async def _announce_one(self, component, oid, name, fields):
        fields["name"] = name
        fields["unique_id"] = "%s_%s" % (self.device_id, oid)
        fields["availability_topic"] = self.availability_topic
        fields["device"] = self._device
        payload = json.dumps(fields)
        await self.client.publish(self._config_topic(component, oid), payload, True, 1)

    def _config_topic(self, component, oid):
        return "%s/%s/%s/%s/config" % (self._prefix, component, self.device_id, oid)


def _moved(old, new, fraction):
    if old is None or new is None:
        return old is not new
    return abs(new - old) > fraction * max(abs(old), 1)


def _mbit(bytes_per_s):
    return _NONE if bytes_per_s is None else "%.2f" % (bytes_per_s * 8 / 1e6)


def _pct(fraction):
    return _NONE if fraction is None else "%d" % round(fraction * 100)


def _switch(value):
    return _NONE if value is None else (_ON if value else _OFF)


def _text(value):
    return _NONE if value is None else str(value)
