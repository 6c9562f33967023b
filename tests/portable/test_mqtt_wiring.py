# Portable tests of the MQTT wiring in netrain.start: the config's mqtt section becomes two
# supervised app tasks, costs nothing when off, and a bad broker certificate is a config error.
import os
import sys

from _util import run_async

from netrain import start
from netrain.app import Hooks
from netrain.console import Console
from netrain.panel import Panel

TMP = "/tmp/netrain-test-mqtt-wiring"
FIXTURES = __file__.rsplit("/", 2)[0] + "/fixtures/" if "/" in __file__ else "../fixtures/"
DEMO = '{"controller": {"url": "demo://"}, "groups": {"Kids": ["aa:bb:cc:dd:ee:01"]}, '
MQTT_MODULES = ("netrain.mqtt", "netrain.ha", "netrain.ha_setup")


class Quick(Hooks):
    board_dns = False

    def __init__(self, run_ms):
        self.run_ms = run_ms


def _boot(mqtt, pem=None, run_ms=300):
    try:
        os.mkdir(TMP)
    except OSError:
        pass
    for name in ("settings.json", "broker.pem"):
        try:
            os.remove(TMP + "/" + name)
        except OSError:
            pass
    with open(TMP + "/config.json", "w") as f:
        f.write(DEMO + '"mqtt": {%s}}' % mqtt)
    if pem is not None:
        with open(TMP + "/broker.pem", "w") as f:
            f.write(pem)
    lines = []
    app = start.build(
        TMP + "/config.json",
        Panel(16, 16),
        hooks=Quick(run_ms),
        console=Console(out=lines.append),
        device_id="e6614104032f2b25",
    )
    return app, lines


def test_no_host_imports_nothing_of_mqtt():
    saved = {name: sys.modules.pop(name) for name in MQTT_MODULES if name in sys.modules}
    try:
        app, lines = _boot('"host": ""')
        assert app.extra_tasks == [] and app.source is not None, lines
        assert [name for name in MQTT_MODULES if name in sys.modules] == []
    finally:
        sys.modules.update(saved)


def test_add_tasks_wires_the_config_the_controls_and_the_board_id():
    from netrain import ha_setup

    app, lines = _boot('"host": ""')
    app.cfg["mqtt"]["host"] = "127.0.0.1"
    client, bridge = ha_setup.add_tasks(app, "e6614104032f2b25", TMP, None, Console().line)
    start.unload("netrain.ha_setup")
    assert [name for name, _ in app.extra_tasks] == ["mqtt", "ha"]
    assert "netrain.ha_setup" not in sys.modules
    assert (client.host, client.port) == ("127.0.0.1", 1883) and bridge.client is client
    assert bridge.availability_topic == "netrain/e6614104032f2b25/status"
    assert bridge.controls is app.controls
    assert "netrain/e6614104032f2b25/pause/kids" in bridge.topics.values()


def test_a_host_runs_the_client_as_a_task_beside_the_render():
    app, lines = _boot('"host": "127.0.0.1", "port": 1, "username": "ha", "password": "hunter22"')
    assert [name for name, _ in app.extra_tasks] == ["mqtt", "ha"], lines
    assert "netrain.ha_setup" not in sys.modules
    # Nothing listens on port 1: the client says so once on the console, in its own
    # topic, and the render goes on. No secret is printed.
    run_async(app.main())
    text = "\n".join(lines)
    assert "netrain: mqtt: " in text, text
    assert "hunter22" not in text
    assert app.metrics.frames > 0 and app.metrics.errors == 0


def test_a_missing_or_junk_broker_certificate_is_a_config_error():
    tls = '"host": "10.0.0.2", "tls": true, "ca_pem": "broker.pem"'
    for pem, problem in ((None, "not found"), ("junk\n", "no PEM")):
        app, lines = _boot(tls, pem)
        assert app.source is None and app.extra_tasks == []
        assert app.status.message() == "CONFIG ERROR: mqtt.ca_pem"
        text = "\n".join(lines)
        assert TMP + "/broker.pem" in text and problem in text and "broker" in text, text
    with open(FIXTURES + "http_cn.pem") as f:
        app, lines = _boot(tls, f.read())
    assert app.source is not None and [name for name, _ in app.extra_tasks] == ["mqtt", "ha"]
