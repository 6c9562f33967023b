# Portable tests: code that only boot needs is not left loaded once netrain.start has
# built the App (its heap is what the TLS handshake needs on the board).
import os
import sys

from netrain import start
from netrain.app import Hooks
from netrain.console import Console
from netrain.panel import Panel

TMP = "/tmp/netrain-test-boot-unload"
FIXTURES = __file__.rsplit("/", 2)[0] + "/fixtures/" if "/" in __file__ else "../fixtures/"


def _build(cfg_json):
    try:
        os.mkdir(TMP)
    except OSError:
        pass
    with open(FIXTURES + "http_cn.pem") as f:
        pem = f.read()
    with open(TMP + "/pinned.pem", "w") as f:
        f.write(pem)
    with open(TMP + "/config.json", "w") as f:
        f.write(cfg_json)
    hooks = Hooks()
    hooks.board_dns = False
    lines = []
    console = Console(out=lines.append)
    app = start.build(TMP + "/config.json", Panel(16, 16), hooks=hooks, console=console)
    return app, lines


def test_the_pinned_certificate_code_is_unloaded_once_the_source_is_built():
    ctl = '{"controller": {"url": "https://10.0.0.1", "api_key": "k", "ca_pem": "pinned.pem"}}'
    app, lines = _build(ctl)
    assert app.source is not None and hasattr(app.source, "unifi"), lines
    assert "netrain.cert" not in sys.modules
    assert "netrain.config" not in sys.modules
    assert "netrain.config_features" not in sys.modules  # the validator's helpers
    assert "netrain.config_checks" not in sys.modules


def test_the_certificate_code_is_unloaded_after_the_broker_certificate_too():
    cfg = '{"controller": {"url": "demo://"}, '
    cfg += '"mqtt": {"host": "10.0.0.2", "tls": true, "ca_pem": "pinned.pem"}}'
    app, lines = _build(cfg)
    assert [name for name, _ in app.extra_tasks] == ["mqtt", "ha"], lines
    assert "netrain.cert" not in sys.modules
