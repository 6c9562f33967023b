# netrain firmware entry point: wire the Unicorn board, Wi-Fi and config, then run.
# SPDX-License-Identifier: MIT
# The same file runs in the desktop simulator, where sim/stubs stands in for the
# device modules and the optional sim_hooks module collects metrics.
import asyncio
import gc
import sys

import machine
import network
import picographics

#: Pimoroni's firmware for each board carries only that board's module: the first
#: that imports is the board (module, class, PicoGraphics display constant).
BOARDS = (
    ("stellar", "StellarUnicorn", "DISPLAY_STELLAR_UNICORN"),
    ("galactic", "GalacticUnicorn", "DISPLAY_GALACTIC_UNICORN"),
    ("cosmic", "CosmicUnicorn", "DISPLAY_COSMIC_UNICORN"),
)

CONFIG_PATH = "config.json"
# The RP2040's watchdog allows at most 8388 ms; the render loop feeds it every frame.
WATCHDOG_MS = 8000
# `make deploy` creates this file and resets the board first: once started the watchdog
# cannot be stopped, and copying files over USB with netrain interrupted takes longer
# than 8 s. The deploy's last step removes it and resets the board again.
NO_WATCHDOG_FILE = "no-watchdog"


def set_country(code):
    try:
        import rp2

        rp2.country(code)
    except ImportError:  # not an rp2 board
        pass


def make_watchdog():
    try:
        open(NO_WATCHDOG_FILE).close()
    except OSError:
        return machine.WDT(timeout=WATCHDOG_MS)
    print("netrain: watchdog off: %s exists (a deploy is under way)" % NO_WATCHDOG_FILE)
    return None


def find_board():
    """(unicorn, graphics) for the board this firmware runs on; the panel takes its size
    from the graphics, and all three boards share the SWITCH_* button names."""
    for module, cls, display in BOARDS:
        try:
            board = __import__(module)
        except ImportError:
            continue
        unicorn = getattr(board, cls)()
        graphics = picographics.PicoGraphics(display=getattr(picographics, display))
        return unicorn, graphics
    raise ImportError("no Unicorn board module (stellar, galactic or cosmic)")


def main():
    try:
        from sim_hooks import hooks  # only present in the desktop simulator
    except ImportError:
        hooks = None
    # 200 MHz is what Pimoroni's own demos run at; TLS and rendering both benefit.
    machine.freq(200_000_000)
    unicorn, graphics = find_board()
    wlan = network.WLAN(network.STA_IF)
    config_path = hooks.config_path if hooks else CONFIG_PATH
    from netrain import start

    app = start.boot(
        config_path,
        unicorn,
        graphics,
        wlan=wlan,
        hooks=hooks,
        set_country=set_country,
        make_watchdog=make_watchdog,
        device_id="".join("%02x" % b for b in machine.unique_id()),  # Home Assistant's id
        ap_if=network.AP_IF,  # the setup's access point, opened only in setup mode
        restart=machine.reset,
    )
    del start
    forget("netrain.start")  # the wiring is done: its code becomes heap for TLS
    gc.collect()
    asyncio.run(app.main())


def forget(name):
    """Unload a module nothing refers to any more."""
    sys.modules.pop(name, None)
    package = sys.modules.get("netrain")
    attr = name.rsplit(".", 1)[1]
    if package is not None and hasattr(package, attr):
        delattr(package, attr)


main()
