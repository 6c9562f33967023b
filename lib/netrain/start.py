# netrain.start: build the app from a config file and injected hardware, then run it.
# SPDX-License-Identifier: MIT
"""Called by ``firmware/main.py`` on the device and, unchanged, in the simulator.

A broken or missing config never leaves a dark panel: the error is printed on the
serial console (with the fix) and scrolls on the panel until the file is fixed.
"""

import asyncio
import sys

from .app import App
from .compat import collect, sleep_ms, ticks_diff, ticks_ms
from .panel import UnicornPanel
from .settings import Settings
from .source import DEMO_URL, DemoSource
from .status import Overlay, Status
from .wifi import WifiSupervisor

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
    """Validate the config, then drop the validator: it is only needed at boot and
    its messages cost several KB of heap that TLS needs more."""
    from . import config

    try:
        return config.load(path), None
    except config.ConfigError as exc:
        return None, exc
    finally:
        del config
        sys.modules.pop("netrain.config", None)
        package = sys.modules.get("netrain")
        if package is not None and hasattr(package, "config"):
            delattr(package, "config")


def config_dir(path):
    """The folder of the config file; ca_pem is relative to it."""
    return path.rsplit("/", 1)[0] if "/" in path else "."


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

    return Resolver(lambda: wlan.ifconfig()[3])


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


async def show_config_error(panel, error, hooks):
    """Scroll the config error forever (or until the host's run time is up)."""
    status = Status()
    status.set("config", "config_error", error.key)
    overlay = Overlay(status, panel.width, panel.height)
    fb = panel.fb
    start_ms = ticks_ms()
    while hooks is None or hooks.run_ms is None or ticks_diff(ticks_ms(), start_ms) < hooks.run_ms:
        for i in range(len(fb)):
            fb[i] = 0
        overlay.draw(fb, ticks_ms())
        panel.show()
        await sleep_ms(50)


def run(
    config_path,
    unicorn,
    graphics,
    wlan=None,
    wdt=None,
    hooks=None,
    set_country=None,
    make_watchdog=None,
):
    """Load the config, wire everything and run until the host stops us.

    ``make_watchdog()`` arms the board's watchdog (fed by the render loop) just before
    the first frame, unless the config says ``"watchdog": false``; a config error
    runs without one, so the board stays open to a fix over USB.
    """
    panel = UnicornPanel(unicorn, graphics)
    cfg, exc = load_config(config_path)
    if exc is not None:
        print("netrain: " + str(exc))
        print("netrain: fix config.json (see config.example.json)")
        print('netrain: or create it with "python -m tools.configure" on your computer')
        asyncio.run(show_config_error(panel, exc, hooks))
        return None
    collect()  # the validator's garbage gone before the HTTP stack and its buffers load
    status = Status()
    wifi = None
    if wlan is not None and cfg["wifi"]["ssid"]:
        if set_country:
            set_country(cfg["wifi"]["country"])
        wifi = WifiSupervisor(
            wlan,
            cfg["wifi"]["ssid"],
            cfg["wifi"]["password"],
            status,
            power_save=cfg["wifi"]["power_save"],
        )
    folder = config_dir(config_path)
    # The simulator's hooks may wrap the connection opener (the bench's TLS stall model)
    # and resolve host names from its own table (DNS faults without DNS traffic).
    if hooks is None:
        resolver = device_resolver(wlan, cfg["controller"]["url"])
    else:  # never the board's DNS client on a desktop: the stub's server is made up
        resolver = getattr(hooks, "resolver", None)
    source = make_source(cfg, folder, getattr(hooks, "opener", None), resolver)
    settings = Settings(folder + "/settings.json").load()
    make_actions = None
    if hasattr(source, "unifi"):
        from .wallclock import WallClock

        clock = WallClock()
        source.unifi.on_date = clock.sync

        # Imported now, not at the first press: after days of polls the heap is too
        # fragmented to be sure of loading a module later.
        from .actions import Actions

        def make_actions():
            return Actions(source.unifi, cfg["groups"], settings, clock, None)

    app = App(
        cfg,
        panel,
        source,
        wifi=wifi,
        buttons=(unicorn.is_pressed, button_pins(unicorn)),
        hooks=hooks,
        wdt=wdt,
        status=status,
        settings=settings,
        make_actions=make_actions,
    )
    if make_watchdog and cfg["watchdog"]:
        app.wdt = make_watchdog()
    asyncio.run(app.main())
    return app
