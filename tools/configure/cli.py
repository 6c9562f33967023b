# tools.configure.cli: the wizard's flags and its entry point main(argv).
# SPDX-License-Identifier: MIT
"""Exit status: 0 config written, 2 something to fix (the message says what), 130 cancelled."""

import argparse

from .console import ConsoleIO
from .errors import SetupError
from .inputs import parse_mbps
from .wizard import ENV_API_KEY, ENV_PASSWORD, ENV_WIFI_PASSWORD, Wizard

DEFAULT_TIMEOUT_S = 10.0
_MIN_TIMEOUT_S = 1
_MAX_TIMEOUT_S = 60

USAGE = """python -m tools.configure [--url URL] [--api-key KEY | --username U --password P]
                                 [--site SITE] [--ssid SSID --wifi-password W] [--country GB]
                                 [--group NAME=CLIENT,CLIENT ...] [--down-mbps N --up-mbps N]
                                 [--fingerprint SHA256] [--out DIR] [--yes] [--insecure]
                                 [--timeout S]"""

EPILOG = """\
Without --yes, on a terminal, it asks for whatever the flags leave out. With --yes,
or when stdin is not a terminal, it never asks: a missing answer is an error naming
its flag.

Secrets can come from the environment instead of the command line (where other
users of this computer may see them): %s, %s (the controller
account's password) and %s. Nothing secret is ever printed.

Exit status: 0 config written, 2 something to fix (the message says what), 130 cancelled.
""" % (ENV_API_KEY, ENV_PASSWORD, ENV_WIFI_PASSWORD)


def _mbps(text):
    try:
        return parse_mbps(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError("expected Mbit/s, e.g. 500 (%s)" % exc)


def _seconds(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("expected seconds, e.g. 10")
    if not _MIN_TIMEOUT_S <= value <= _MAX_TIMEOUT_S:
        raise argparse.ArgumentTypeError(
            "expected %d to %d seconds" % (_MIN_TIMEOUT_S, _MAX_TIMEOUT_S)
        )
    return value


def build_parser():
    p = argparse.ArgumentParser(
        prog="python -m tools.configure",
        usage=USAGE,
        description="First setup of netrain: checks the UniFi controller from this computer, "
        "pins its certificate and writes config.json and controller.pem for the board.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    c = p.add_argument_group("controller")
    c.add_argument("--url", help="console address, e.g. https://192.168.1.1 (legacy: :8443)")
    c.add_argument(
        "--api-key",
        metavar="KEY",
        help="API key (preferred; Network > Settings > Control Plane > Integrations)",
    )
    c.add_argument("--username", metavar="U", help="local admin account without two-factor")
    c.add_argument("--password", metavar="P", help="its password (or %s)" % ENV_PASSWORD)
    c.add_argument("--site", help="site short name (default: default)")
    c.add_argument(
        "--fingerprint",
        metavar="SHA256",
        help="trust the certificate only if its SHA-256 fingerprint is this (colons optional)",
    )
    c.add_argument(
        "--insecure",
        action="store_true",
        help="do not pin the certificate: the board will not verify it either (not recommended)",
    )
    c.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT_S,
        metavar="S",
        help="seconds to wait for each network step (default %g)" % DEFAULT_TIMEOUT_S,
    )
    w = p.add_argument_group("board")
    w.add_argument("--ssid", help="Wi-Fi network the board joins (2.4 GHz)")
    w.add_argument("--wifi-password", metavar="W", help="its password (or %s)" % ENV_WIFI_PASSWORD)
    w.add_argument("--country", metavar="CC", help="Wi-Fi regulatory country code (default GB)")
    w.add_argument(
        "--group",
        action="append",
        default=[],
        metavar="NAME=CLIENT,CLIENT",
        help="clients the B button pauses together, by MAC or by the name the controller "
        "shows, e.g. kids=kids-ipad,aa:bb:cc:dd:ee:01 (repeatable; the first is on B)",
    )
    w.add_argument(
        "--down-mbps", type=_mbps, metavar="N", help="internet plan download speed (Mbit/s)"
    )
    w.add_argument("--up-mbps", type=_mbps, metavar="N", help="internet plan upload speed (Mbit/s)")
    o = p.add_argument_group("output")
    o.add_argument(
        "--out",
        default=".",
        metavar="DIR",
        help="where config.json and controller.pem go (default: current directory)",
    )
    o.add_argument(
        "--yes",
        action="store_true",
        help="never ask: trust the certificate shown (or the one --fingerprint names) and "
        "overwrite an existing config.json",
    )
    return p


def main(argv=None, io=None):
    """Run the wizard; returns the exit status."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error argparse has already explained
        return exc.code if isinstance(exc.code, int) else 2
    io = io or ConsoleIO()
    try:
        return Wizard(args, io).run()
    except SetupError as exc:
        io.error(exc)
        return 2
    except (KeyboardInterrupt, EOFError):
        io.say()
        io.warn("cancelled; nothing was written")
        return 130
