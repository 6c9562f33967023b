# Portable tests of netrain.ha: discovery, commands with read-back, publish pace.
# SPDX-License-Identifier: MIT

import json

from _util import FakeClock, raises, run_async

from netrain.ha import Bridge, object_id
from netrain.ha_setup import from_config

PREFIX = "homeassistant"
BASE = "netrain/e661"


class FakeControls:
    """The shape of netrain.controls.Controls: command, state, subscribe."""

    def __init__(self):
        self.calls = []
        self.fail = None
        self.listeners = []
        self.values = {
            "state": "ok",
            "reason": "",
            "down_bytes_per_s": 12_500_000,
            "up_bytes_per_s": 1_250_000,
            "utilisation_down": 0.1,
            "utilisation_up": 0.2,
            "brightness": 0.5,
            "scene": "classic",
            "sleeping": False,
            "adblock": False,
            "groups": {"kids": False},
            "heap_free": 40000,
        }

    def command(self, name, value=None):
        self.calls.append((name, value))
        if self.fail:
            return False, self.fail
        local = {"brightness": "brightness", "scene": "scene", "sleep": "sleeping"}
        if name in local:
            self.values[local[name]] = value
            self.emit()
        return True, "started"

    def state(self):
        return self.values

    def subscribe(self, callback):
        self.listeners.append(callback)

    def emit(self, event="setting", data=None, **changes):
        self.values.update(changes)
        for callback in self.listeners:
            callback(event, data or changes)


class FakeClient:
    def __init__(self):
        self.connected = True
        self.published = []  # (topic, payload, retain, qos)
        self.subscribed = []
        self.last_error = None

    async def publish(self, topic, payload, retain=False, qos=0):
        self.published.append((topic, payload, retain, qos))
        return True

    async def subscribe(self, topic, qos=0):
        self.subscribed.append(topic)
        return True

    def take(self):
        out, self.published = self.published, []
        return out

    def last(self, topic):
        found = [p for t, p, _, _ in self.published if t == topic]
        return found[-1] if found else None


def make(groups=("kids", "Guest Wi-Fi"), **kw):
    controls = FakeControls()
    clock = FakeClock(1000)
    bridge = Bridge(
        controls,
        "e661",
        version="1.2",
        configuration_url="http://192.168.1.50/",
        groups=groups,
        scenes=("classic", "ocean"),
        clock=clock,
        **kw,
    )
    client = FakeClient()
    bridge.client = client
    run_async(bridge.on_connect())
    run_async(bridge.step())
    return bridge, controls, client, clock


def send(bridge, topic, payload, retained=False):
    bridge.on_message(memoryview(topic.encode()), memoryview(payload.encode()), retained)


REQUIRED = {
    "sensor": ("state_topic",),
    "switch": ("command_topic", "state_topic"),
    "button": ("command_topic",),
    "light": ("command_topic", "state_topic", "brightness_command_topic"),
    "select": ("command_topic", "state_topic", "options"),
}


def test_discovery_announces_every_entity_once_with_device_and_availability():
    bridge, _, client, _ = make()
    assert set(client.subscribed) == {BASE + "/set/#", PREFIX + "/status", BASE + "/groups"}
    assert client.published[0] == (BASE + "/status", "online", True, 1)
    configs = [(t, json.loads(p)) for t, p, r, q in client.published if t.endswith("/config")]
    assert all(r and q == 1 for t, p, r, q in client.published if t.endswith("/config"))
    found = {}
    for topic, config in configs:
        prefix, component, node, oid, _ = topic.split("/")
        assert (prefix, node) == (PREFIX, "e661")
        for key in REQUIRED[component]:
            assert key in config, (topic, key)
        assert config["unique_id"] == "e661_" + oid
        assert config["availability_topic"] == BASE + "/status"
        device = config["device"]
        assert device["identifiers"] == ["e661"] and device["model"] == "Stellar Unicorn"
        assert device["sw_version"] == "1.2"
        assert device["configuration_url"] == "http://192.168.1.50/"
        found[component + ":" + oid] = config
    assert sorted(found) == sorted(
        ["sensor:" + k for k in ("down", "up", "util_down", "util_up", "heap_free")]
        + ["sensor:state", "sensor:reason", "switch:adblock", "light:panel", "select:scene"]
        + ["switch:pause_kids", "switch:pause_guest_wi_fi"]
        + ["button:timed_pause_kids", "button:timed_pause_guest_wi_fi"]
    )
    down = found["sensor:down"]
    assert (down["device_class"], down["unit_of_measurement"]) == ("data_rate", "Mbit/s")
    assert down["state_class"] == "measurement"
    assert found["select:scene"]["options"] == ["classic", "ocean"]
    assert client.last(BASE + "/groups") == "kids,guest_wi_fi"


def test_states_follow_the_controls():
    _, _, client, _ = make()
    assert client.last(BASE + "/down") == "100.00"
    assert client.last(BASE + "/up") == "10.00"
    assert client.last(BASE + "/util_up") == "20"
    assert client.last(BASE + "/adblock") == "OFF"
    assert client.last(BASE + "/pause/kids") == "OFF"
    assert client.last(BASE + "/pause/guest_wi_fi") == "None"  # not read back yet
    assert client.last(BASE + "/light") == "ON"
    assert client.last(BASE + "/brightness") == "50"
    assert client.last(BASE + "/scene") == "classic"


def test_switch_shows_only_the_verified_state():
    bridge, controls, client, _ = make()
    client.take()
    send(bridge, BASE + "/set/adblock", "ON")
    assert controls.calls == [("adblock", True)]
    run_async(bridge.step())
    assert client.last(BASE + "/adblock") is None  # nothing verified yet: no change
    controls.values["adblock"] = True  # the controller read back the write
    controls.emit("action", {"action": "adblock", "result": "verified", "detail": "ON"})
    run_async(bridge.step())
    assert client.last(BASE + "/adblock") == "ON"


def test_refused_command_flips_back_and_says_why():
    bridge, controls, client, _ = make()
    client.take()
    controls.fail = "busy: adblock"
    send(bridge, BASE + "/set/pause/kids", "ON")
    assert controls.calls == [("pause:kids", True)]
    run_async(bridge.step())
    assert client.last(BASE + "/pause/kids") == "OFF"  # republished: HA flips back
    assert client.last(BASE + "/reason") == "pause:kids: busy: adblock"
    controls.fail = None
    send(bridge, BASE + "/set/adblock", "OFF")
    run_async(bridge.step())
    assert client.last(BASE + "/reason") == "ok"  # the controls' own (empty) reason again


def test_failed_write_reported_later_flips_back_and_says_why():
    bridge, controls, client, _ = make()
    send(bridge, BASE + "/set/adblock", "ON")
    run_async(bridge.step())
    client.take()
    controls.emit("action", {"action": "adblock", "result": "failed", "reason": "TIMEOUT"})
    run_async(bridge.step())
    assert client.last(BASE + "/adblock") == "OFF"
    assert client.last(BASE + "/reason") == "adblock: TIMEOUT"
    controls.values["adblock"] = True
    controls.emit("action", {"action": "adblock", "result": "verified", "detail": "ON"})
    run_async(bridge.step())
    assert client.last(BASE + "/adblock") == "ON"
    assert client.last(BASE + "/reason") == "ok"


def test_light_brightness_scene_and_buttons_map_to_commands():
    bridge, controls, client, _ = make()
    send(bridge, BASE + "/set/brightness", "30")
    send(bridge, BASE + "/set/light", "OFF")
    send(bridge, BASE + "/set/scene", "ocean")
    send(bridge, BASE + "/set/timed_pause/guest_wi_fi", "PRESS")
    send(bridge, BASE + "/set/scene", "disco")  # not an option: refused here
    send(bridge, BASE + "/set/adblock", "ON", retained=True)  # a stale retained command
    assert controls.calls == [
        ("brightness", 0.3),
        ("sleep", True),
        ("scene", "ocean"),
        ("timed_pause:Guest Wi-Fi", None),
    ]
    run_async(bridge.step())
    assert client.last(BASE + "/light") == "OFF"
    assert client.last(BASE + "/brightness") == "30"
    assert client.last(BASE + "/scene") == "ocean"
    assert client.last(BASE + "/reason") == "scene: unknown: disco"


def test_rates_published_at_their_pace_not_per_sample():
    bridge, controls, client, clock = make()
    client.take()
    samples = controls.values  # new samples raise no event
    clock.advance(2000)
    samples["down_bytes_per_s"] = 13_000_000  # +4 %: waits for the period
    run_async(bridge.step())
    assert client.last(BASE + "/down") is None
    clock.advance(1000)
    samples["down_bytes_per_s"] = 15_000_000  # +20 %: published at once
    run_async(bridge.step())
    assert client.last(BASE + "/down") == "120.00"
    clock.advance(500)  # faster than the poll: held back
    samples["down_bytes_per_s"] = 30_000_000
    run_async(bridge.step())
    assert client.last(BASE + "/down") == "120.00"
    clock.advance(500)
    run_async(bridge.step())
    assert client.last(BASE + "/down") == "240.00"
    client.take()
    samples["down_bytes_per_s"] = 30_500_000  # +1.7 %: only the period publishes it
    clock.advance(9_999)
    run_async(bridge.step())
    assert client.last(BASE + "/down") is None
    clock.advance(1)
    run_async(bridge.step())
    assert client.last(BASE + "/down") == "244.00"


def test_removed_groups_lose_their_entities():
    bridge, _, client, _ = make(groups=("kids",))
    client.take()
    send(bridge, BASE + "/groups", "kids,old_tv", retained=True)
    run_async(bridge.step())
    empties = sorted((t, r) for t, p, r, q in client.published if p == "")
    assert empties == [
        (PREFIX + "/button/e661/timed_pause_old_tv/config", True),
        (PREFIX + "/switch/e661/pause_old_tv/config", True),
    ]


def test_home_assistant_restart_gets_the_configs_again():
    bridge, _, client, _ = make()
    client.take()
    send(bridge, PREFIX + "/status", "online")
    run_async(bridge.step())
    assert len([t for t, _, _, _ in client.published if t.endswith("/config")]) == 14
    assert client.last(BASE + "/adblock") == "OFF"  # states follow the configs


def test_announce_interrupted_by_memory_error_is_retried():
    bridge, _, client, _ = make()
    client.take()
    send(bridge, PREFIX + "/status", "online")
    publish = client.publish

    async def failing(topic, payload, retain=False, qos=0):
        if topic.endswith("/pause_kids/config"):
            raise MemoryError("allocating 1024 bytes")
        return await publish(topic, payload, retain, qos)

    client.publish = failing
    raises(MemoryError, run_async, bridge.step())
    client.publish = publish
    client.take()
    run_async(bridge.step())
    assert len([t for t, _, _, _ in client.published if t.endswith("/config")]) == 14


def test_object_id_is_topic_safe():
    assert object_id("Guest Wi-Fi") == "guest_wi_fi"
    assert object_id("+#/") == "___"


def test_from_config_builds_a_wired_pair_or_nothing():
    assert from_config({"host": ""}, FakeControls(), "e661", "1.2") is None
    cfg = {"host": "192.168.1.2", "username": "ha", "password": "pw", "base_topic": "desk"}
    client, bridge = from_config(cfg, FakeControls(), "e661", "1.2", ("kids",), ("classic",))
    assert (client.host, client.port) == ("192.168.1.2", 1883)
    assert bridge.client is client and bridge.availability_topic == "desk/status"
    assert client._on_message == bridge.on_message and client._on_connect == bridge.on_connect
    assert b"\x00\x0bdesk/status\x00\x07offline\x00\x02ha\x00\x02pw" in client._connect_packet
