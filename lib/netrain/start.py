# netrain.start: build the app from a config file and injected hardware, then run it.
# SPDX-License-Identifier: MIT
"""Called by ``firmware/main.py`` on the device and, unchanged, in the simulator.

A broken or missing config (or a file it names) never leaves a dark panel: the
error is printed on the serial console (with the fix) and scrolls on the panel
over calm rain until the file is fixed.
"""

import sys

from .app import App, Hooks
from .compat import collect
from .console import Console
from .panel import UnicornPanel
from .settings import Settings
from .source import DEMO_URL, DemoSource
from .status import Status
from .wifi import WifiSupervisor, dns_server

SETUP_MARKER = "setup-mode"  # beside config.json: the next boot opens the setup

BUTTON_PINS = (
    ("A", "SWITCH_A"),
    ("B", "SWITCH_B"),
    ("C", "SWITCH_C"),
    ("D", "SWITCH_D"),
    ("SLEEP", "SWITCH_SLEEP"),
    ("VOL_UP", "SWITCH_VOLUME_UP"),
    ("VOL_DOWN", "SWITCH_VOLUME_DOWN"),
    ("LUX_UP", "SWITCH_BRIGHTNESS_UP"),
    ("LUX_DOWN", "SWITCH_BRIGHTNESS_DOWN"),
)


def button_pins(unicorn):
    """{name: pin} from the board class's SWITCH_* constants."""
    return {name: getattr(unicorn, const_name) for name, const_name in BUTTON_PINS}


def load_config(path):
    """``(cfg, None)``, or ``(defaults, error)``: the defaults keep the rain going
    while the error is shown. The validator is dropped afterwards: it is only needed
    at boot and its messages cost several KB of heap that TLS needs more."""
    from . import config

    try:
        return config.load(path), None
    except config.ConfigError as exc:
        return config.validate({"controller": {"url": DEMO_URL}}), exc
    finally:
        del config
        unload("netrain.config")
        unload("netrain.config_features")  # its two helpers, loaded by it
        unload("netrain.config_checks")


def unload(name):
    """Drop a boot-only module of the package from memory (nothing else refers to it)."""
    sys.modules.pop(name, None)
    package = sys.modules.get("netrain")
    attr = name.rsplit(".", 1)[1]
    if package is not None and hasattr(package, attr):
        delattr(package, attr)


def config_dir(path):
    """The folder of the config file; ca_pem is relative to it."""
    return path.rsplit("/", 1)[0] if "/" in path else "."


def ca_pem_error(cfg, folder, err):
    """The console line for a pinned certificate that is missing, empty or junk,
    worded as config.ConfigError words its messages (the validator is unloaded)."""
    path = cfg["controller"]["ca_pem"]
    if not path.startswith("/"):
        path = folder + "/" + path
    problem = "not found or unreadable" if isinstance(err, OSError) else str(err)
    return (
        'config "controller.ca_pem": %s: %s. Fix: capture the controller\'s certificate '
        'with "make configure" (python -m tools.configure), which writes it beside '
        "config.json" % (path, problem)
    )


def device_resolver(wlan, url):
    """On the board, a host name is looked up by netrain.dns from the DHCP-given
    server: lwIP's own lookup would hold the VM (and starve the watchdog) while it
    waits. None for an IP address, or with no Wi-Fi (the runtime's lookup)."""
    from .http_parse import is_ip_literal, parse_url

    try:
        host = parse_url(url)[1]
    except ValueError:  # demo:// and the like: nothing to look up
        return None
    if wlan is None or is_ip_literal(host):
        return None
    from .dns import Resolver

    return Resolver(dns_server(wlan))


def make_source(cfg, cfg_dir, opener=None, resolver=None):
    url = cfg["controller"]["url"]
    if url == DEMO_URL:
        return DemoSource()
    from .unifi import UnifiSource  # deferred: the demo needs no HTTP stack

    source = UnifiSource.from_config(cfg, cfg_dir, opener, resolver)
    if cfg["controller"]["source"] == "integration":
        from .integration import IntegrationSource

        return IntegrationSource(source.unifi)
    return source


def boot(
    config_path,
    unicorn,
    graphics,
    wlan=None,
    hooks=None,
    set_country=None,
    make_watchdog=None,
    device_id=None,
    ap_if=None,
    restart=None,
):
    """Load the config and wire everything: the App, ready for ``asyncio.run(app.main())``.

    Nothing built here keeps a reference into this module, so the caller may unload
    it before running (firmware/main.py does: its code is heap that TLS can use).
    ``make_watchdog()`` arms the board's watchdog (fed by the render loop) just before
    the first frame, unless the config says ``"watchdog": false``; a config error
    runs without one, so the board stays open to a fix over USB. ``device_id`` is the
    board's unique id in hex: Home Assistant's identifiers and the MQTT topics.
    With ``ap_if`` (network.AP_IF) and ``restart()`` (resets the board), a
    board with no config, or a config naming no Wi-Fi, starts in setup mode
    (netrain.setup_app), and one whose network cannot be joined restarts into it.
    """
    hooks = hooks or Hooks()
    panel = UnicornPanel(unicorn, graphics)
    buttons = (unicorn.is_pressed, button_pins(unicorn))
    folder = config_dir(config_path)
    setup = ap_if is not None and restart and wlan is not None
    reason = setup and setup_reason(config_path, folder)
    if not reason:
        console = Console()
        app = build(config_path, panel, buttons, wlan, hooks, console, device_id)
        no_wifi = app.source and not app.wifi and app.cfg["controller"]["url"] != DEMO_URL
        if not (setup and hooks.needs_wifi and no_wifi):
            if set_country and app.wifi:
                set_country(app.cfg["wifi"]["country"])
            if make_watchdog and app.source is not None and app.cfg["watchdog"]:
                app.wdt = make_watchdog()
            web = app.cfg["web"]
            if app.source and wlan is not None and web["enabled"] and hooks.web_port != 0:
                from .web.boot import add_page  # else nothing of netrain.web is imported

                add_page(app, setup and folder + "/" + SETUP_MARKER, restart, console.line)
            return app
        del app  # a config with no Wi-Fi: the board has no other network
        collect()
        reason = "no Wi-Fi configured"
    from .setup_app import build_setup

    app = build_setup(config_path, panel, buttons, wlan, hooks, reason, device_id, ap_if, restart)
    unload("netrain.setup_app")
    return app


def setup_reason(config_path, folder):
    """Why the board starts in setup mode, or None: no config file, or the marker
    left by the page's task when the configured Wi-Fi could not be joined (removed
    now, so the restart after setup mode tries the network again)."""
    import os

    try:
        os.remove(folder + "/" + SETUP_MARKER)
        reason = "the configured Wi-Fi could not be joined"
    except OSError:
        reason = None
    try:
        os.stat(config_path)
    except OSError:
        return "no config file"
    return reason


def build(config_path, panel, buttons=None, wlan=None, hooks=None, console=None, device_id=None):
    """The App for a config file, on any panel: the device, the simulator and the
    in-process tests share this wiring. A config error gives an App with no source."""
    hooks = hooks or Hooks()
    console = console or Console()
    status = Status(console.status)
    cfg, exc = load_config(config_path)
    folder = config_dir(config_path)
    key = message = None
    if exc is not None:
        key, message = exc.key, str(exc)
    else:
        collect()  # the validator's garbage gone before the HTTP stack and its buffers load
        resolver = hooks.resolver
        if resolver is None and hooks.board_dns:
            resolver = device_resolver(wlan, cfg["controller"]["url"])
        try:
            source = make_source(cfg, folder, hooks.opener, resolver)
        except (OSError, ValueError) as err:  # a pinned certificate missing, empty or junk
            if not cfg["controller"]["ca_pem"]:
                raise
            key, message = "controller.ca_pem", ca_pem_error(cfg, folder, err)
        unload("netrain.cert")  # boot only: the certificate is in the TLS context now
    if key is not None:
        return config_error_app(cfg, panel, buttons, hooks, console, status, key, message)
    wifi = None
    if wlan is not None and cfg["wifi"]["ssid"]:
        wifi = WifiSupervisor(
            wlan,
            cfg["wifi"]["ssid"],
            cfg["wifi"]["password"],
            status,
            power_save=cfg["wifi"]["power_save"],
            log=console.line,
        )
    settings = Settings(folder + "/settings.json").load()
    make_actions = clock = None  # the demo has no controller clock: no night schedule
    if hasattr(source, "unifi"):
        from .wallclock import WallClock

        clock = WallClock()
        source.unifi.on_date = clock.sync

        # Imported now, not at the first press: after days of polls the heap is too
        # fragmented to be sure of loading a module later.
        from .actions import Actions

        def make_actions(feedback, record):
            return Actions(source.unifi, cfg["groups"], settings, clock, feedback, record)

    app = App(
        cfg,
        panel,
        source,
        wifi=wifi,
        buttons=buttons,
        hooks=hooks,
        status=status,
        settings=settings,
        make_actions=make_actions,
        log=console.line,
        clock=clock,
    )
    host = cfg["mqtt"]["host"]
    if host:  # else nothing of MQTT is even imported
        from . import ha_setup  # boot only: unloaded below, as the validator is

        resolver = hooks.resolver
        if resolver is None and hooks.board_dns:
            resolver = device_resolver(wlan, "http://" + host)
        try:
            ha_setup.add_tasks(app, device_id or "0" * 16, folder, resolver, console.line)
        except ValueError as err:  # the broker's certificate missing, empty or junk
            if not cfg["mqtt"]["tls"]:
                raise
            key, message = "mqtt.ca_pem", str(err)
        finally:
            del ha_setup
            unload("netrain.ha_setup")
            unload("netrain.cert")  # loaded again for the broker's certificate
        if key is not None:
            return config_error_app(cfg, panel, buttons, hooks, console, status, key, message)
    return app


def config_error_app(cfg, panel, buttons, hooks, console, status, key, message):
    """The App for a config error: the message on the console, calm rain, no source."""
    console.out("netrain: " + message)
    console.out("netrain: fix config.json (see config.example.json)")
    console.out('netrain: or create it with "make configure" (python -m tools.configure)')
    status.set("config", "config_error", key)
    return App(cfg, panel, None, buttons=buttons, hooks=hooks, status=status)
