"""End to end: Home Assistant's view of the simulated panel, on both runtimes.

``python -m sim --headless --set mqtt.host=127.0.0.1 --set mqtt.port=P`` against the
bundled fake controller and a real broker (amqtt on loopback), with a real client
(paho-mqtt) standing in for Home Assistant: the device and every entity are discovered,
ad blocking and the kids' pause are switched through HA's command topics, the state
topics follow only once the controller confirmed, the fake controller's final state
shows the change, the last will says offline after the run, and the broker password
is never printed. One simulator run per runtime, and one on the board's heap model
(rp2model: 32-bit, TLS in the GC heap) at the heap the board leaves us.
"""

import json
import os
import subprocess
import sys
import time

import pytest
from test_mqtt_broker import REQUIRED, Broker, Observer, free_port

from netrain import __version__

pytestmark = pytest.mark.e2e  # every test here launches the simulator

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEVICE = "e6614104032f2b25"  # the simulator's machine.unique_id() in hex
BASE = "netrain/" + DEVICE
#: 7 sensors, the ad-block and kids' pause switches, the kids' timed pause, light, select
ENTITIES = 12
SECRET = "not-on-the-console-7"
#: Long enough for boot, discovery and two verified writes on a busy machine.
SECONDS = 10
RP2MODEL = os.path.join(ROOT, "..", "shared", "target", "micropython-rp2model")
#: The board leaves about 185K of GC heap. With MQTT on the floor measured on rp2model
#: is 180K (176K: the controller's TLS connection never opens); MQTT off, 160K.
#: Lower this as the floor drops; never raise it to pass.
RP2_HEAP = "184K"
RUNS = {
    "cpython": ("--runtime", "cpython"),
    "micropython": ("--runtime", "micropython"),
    "rp2model": ("--runtime", "micropython", "--target", "rp2model", "--heap", RP2_HEAP),
}


def wait_for(cond, what, proc, bound_s=60):
    """Poll cond(); the bound only stops a broken run, it is no speed check."""
    end = time.monotonic() + bound_s
    while time.monotonic() < end:
        if cond():
            return
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    raise AssertionError("never saw %s (simulator exit code %s)" % (what, proc.poll()))


def check_discovery(configs):
    assert len(configs) == ENTITIES, sorted(configs)
    unique_ids = set()
    for topic, text in configs.items():
        prefix, component, node, oid, _ = topic.split("/")
        assert (prefix, node) == ("homeassistant", DEVICE), topic
        config = json.loads(text)
        for key in REQUIRED[component] + ("name", "unique_id", "availability_topic", "device"):
            assert key in config, (topic, key)
        unique_ids.add(config["unique_id"])
        assert config["availability_topic"] == BASE + "/status"
        assert config["device"]["identifiers"] == [DEVICE]
        assert config["device"]["model"] == "Stellar Unicorn"
        assert config["device"]["sw_version"] == __version__
    assert len(unique_ids) == ENTITIES


def is_rate(text):
    try:
        return float(text) >= 0
    except (TypeError, ValueError):
        return False


@pytest.mark.parametrize("runtime", sorted(RUNS))
def test_home_assistant_discovers_and_drives_the_simulated_panel(tmp_path, runtime):
    if runtime == "micropython":
        from sim.__main__ import micropython_binary

        if not micropython_binary():
            pytest.skip("MicroPython unix port not installed")
    if runtime == "rp2model" and not os.path.exists(RP2MODEL):
        pytest.skip("no ../shared/target/micropython-rp2model")
    port = free_port()
    broker = Broker(tmp_path, port)
    broker.start()
    observer = Observer(port)
    report = tmp_path / "fake.json"
    cmd = [sys.executable, "-m", "sim", *RUNS[runtime], "--headless"]
    cmd += ["--seconds", str(SECONDS), "--fake-report", str(report)]
    for item in ("host=127.0.0.1", "port=%d" % port, "username=ha", "password=" + SECRET):
        cmd += ["--set", "mqtt." + item]
    log = tmp_path / "sim.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: len(observer.configs()) == ENTITIES, "every discovery config", proc)
        check_discovery(observer.configs())
        wait_for(lambda: observer.last(BASE + "/status") == "online", "online", proc)
        wait_for(lambda: is_rate(observer.last(BASE + "/down")), "a download rate", proc)
        assert observer.last(BASE + "/state") == "ok"

        observer.send(BASE + "/set/adblock", "ON")
        wait_for(lambda: observer.last(BASE + "/adblock") == "ON", "ad blocking ON", proc)
        observer.send(BASE + "/set/pause/kids", "ON")
        wait_for(lambda: observer.last(BASE + "/pause/kids") == "ON", "kids paused", proc)
        code = proc.wait(SECONDS + 90)
        wait_for(lambda: observer.last(BASE + "/status") == "offline", "the last will", proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        observer.close()
        broker.stop()
    output = log.read_text()
    print(output[-3000:])  # shown by pytest when a check below fails
    assert code == 0
    assert SECRET not in output
    assert "MemoryError" not in output and "OUT OF MEMORY" not in output
    summary = json.loads(output.split("netrain-summary ", 1)[1].splitlines()[0])
    results = {a["action"]: a["result"] for a in summary["actions"]}
    assert results == {"adblock": "verified", "pause": "verified"}, summary["actions"]
    assert summary["errors"] == 0 and summary["polls_failed"] == 0
    site = json.loads(report.read_text())["state"]["sites"]["default"]
    assert site["ad_blocking_enabled"] is True
    kids = [c for c in site["clients"].values() if c["name"].startswith("kids")]
    assert kids and all(c["blocked"] for c in kids), site["clients"]
