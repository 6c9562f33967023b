# The web API over the real Controls of a demo App (both runtimes): the names the API
# reads and the commands it sends are the ones Controls has.
# SPDX-License-Identifier: MIT

from test_web_api import basic, call

from netrain import config
from netrain.app import App
from netrain.panel import Panel
from netrain.source import DemoSource
from netrain.web.api import STATE_KEYS, Api
from netrain.web.server import Server

PASSWORD = "board-pw-1"


def make():
    cfg = config.validate(
        {"controller": {"url": "demo://"}, "groups": {"kids": ["aa:bb:cc:dd:ee:01"]}}
    )
    app = App(cfg, Panel(16, 16), DemoSource())
    return Server(Api(app.controls, app.panel, {"password": PASSWORD})), app


def test_state_carries_every_key_controls_reports():
    server, app = make()
    status, state, _ = call(server, "GET", "/api/state")
    assert status == 200
    for key in STATE_KEYS:
        assert key in state, key
    assert state["groups"] == {"kids": None} and state["scene"] == app.controls.scene


def test_settings_reach_controls():
    server, app = make()
    body = {"brightness": 0.3, "scene": "fire", "sleep": True, "gain": 200, "view": "history"}
    status, out, _ = call(server, "POST", "/api/settings", body, basic(PASSWORD))
    assert status == 200, out
    c = app.controls
    assert (c.brightness, c.scene, c.sleeping, c.gain_pct) == (0.3, "fire", True, 200)
    assert c.view_name == "history" and call(server, "GET", "/api/state")[1]["view"] == "history"
    assert app.panel.brightness == 0.3


def test_network_action_without_a_controller_is_refused_with_the_reason():
    server, _ = make()
    status, out, _ = call(server, "POST", "/api/action", {"action": "adblock"}, basic(PASSWORD))
    assert status == 409 and "controller" in out["error"]
    status, out, _ = call(server, "POST", "/api/action", {"action": "pause:kids"}, basic(PASSWORD))
    assert status == 409
