# tools.fake_unifi.__main__: command line for the fake UniFi controller.
# SPDX-License-Identifier: MIT
"""python -m tools.fake_unifi [options]: prints one JSON line when listening, runs until killed."""

import argparse
import json
import signal
import sys
import threading

from . import faults
from .controller import DEFAULTS, FakeController


def _kbps_pair(text):
    if text.lower() == "none":
        return None
    down, up = text.split(",")
    return (int(down), int(up))


def _option_pair(text):
    """NAME=VALUE; VALUE as JSON when it parses (lists such as schedule), else as a word."""
    name, sep, value = text.partition("=")
    if not sep or name not in DEFAULTS:
        raise argparse.ArgumentTypeError("expected NAME=VALUE with NAME one of the options")
    try:
        return name, json.loads(value)
    except ValueError:
        return name, faults.parse_value(value)


def build_parser():
    p = argparse.ArgumentParser(
        prog="python -m tools.fake_unifi",
        description="Fake UniFi controller on loopback (TLS, UniFi OS or legacy).",
        epilog="Faults: "
        + "; ".join("%s=%s: %s" % (n, k, d) for n, (k, d) in sorted(faults.FAULTS.items())),
    )
    add = p.add_argument
    add("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    add("--port", type=int, default=0, help="HTTPS port (default 0: any free port)")
    add("--mode", choices=("unifios", "legacy"), default="unifios")
    add("--api-key", help="accepted X-API-KEY (default: generated; UniFi OS only)")
    add("--username", default=DEFAULTS["username"])
    add("--password", help="default: generated")
    add(
        "--network-version", default=DEFAULTS["network_version"], help="e.g. 9.3.45 (era A), 9.5.21"
    )
    add("--cert-dir", help="where the certificates are cached (default: a temporary directory)")
    add(
        "--key-type",
        choices=("ec", "rsa"),
        default="ec",
        help="certificate key: EC P-256 or RSA 2048",
    )
    add("--latency-ms", type=int, default=0, help="delay before every response")
    add("--control-port", type=int, default=0, help="plain-HTTP control port (default 0: any)")
    add("--ready-file", help="also write the ready JSON line to this file")
    add("--traffic", default="wave", help="'wave' or 'flat:DOWN,UP' in bytes/s")
    add("--fault", action="append", default=[], metavar="NAME[=VALUE][,path=S][,count=N]")
    add("--session-s", type=float, default=DEFAULTS["session_s"], help="cookie session length")
    add("--login-fail-limit", type=int, default=DEFAULTS["login_fail_limit"])
    add("--lockout-s", type=float, default=DEFAULTS["lockout_s"])
    add("--mfa", action="store_true", help="logins answer 499 with an mfaCookie")
    add(
        "--csrf-header",
        choices=("x-csrf-token", "x-updated-csrf-token", "both", "none"),
        default=DEFAULTS["csrf_header"],
        help="how login hands out the CSRF token (none: only inside the JWT)",
    )
    add("--csrf-rotate", action="store_true", help="rotate the token on every response")
    add("--login-required-status", type=int, choices=(401, 200), default=401)
    add("--chunked", action="store_true", help="chunked transfer-encoding on every response")
    add("--keepalive-s", type=float, default=DEFAULTS["keepalive_s"])
    add("--max-requests-per-conn", type=int, default=0)
    add("--float-rates", action="store_true", help="rates like 31965.902")
    add("--wan2", action="store_true", help="add a wan2 subsystem to stat/health")
    add("--plan-kbps", type=_kbps_pair, default=DEFAULTS["plan_kbps"], help="DOWN,UP or none")
    add("--ad-blocking", action="store_true", help="start with ad blocking on")
    add(
        "--set",
        action="append",
        default=[],
        type=_option_pair,
        metavar="NAME=VALUE",
        help="any other FakeController option, e.g. --set csrf_reject_body=json",
    )
    return p


def main(argv=None):
    args = build_parser().parse_args(argv)
    options = {
        "host": args.host,
        "port": args.port,
        "mode": args.mode,
        "api_key": args.api_key,
        "username": args.username,
        "password": args.password,
        "network_version": args.network_version,
        "cert_dir": args.cert_dir,
        "cert_key_type": args.key_type,
        "latency_ms": args.latency_ms,
        "control_port": args.control_port,
        "ready_file": args.ready_file,
        "traffic": args.traffic,
        "faults": args.fault,
        "session_s": args.session_s,
        "login_fail_limit": args.login_fail_limit,
        "lockout_s": args.lockout_s,
        "mfa": args.mfa,
        "csrf_header": args.csrf_header,
        "csrf_rotate": args.csrf_rotate,
        "login_required_status": args.login_required_status,
        "chunked": args.chunked,
        "keepalive_s": args.keepalive_s,
        "max_requests_per_conn": args.max_requests_per_conn,
        "float_rates": args.float_rates,
        "wan2": args.wan2,
        "plan_kbps": args.plan_kbps,
        "ad_blocking": args.ad_blocking,
    }
    options.update(dict(args.set))
    try:
        ctl = FakeController(**options)
        ctl.start()
    except (ValueError, TypeError, OSError) as exc:
        print("fake_unifi: %s" % exc, file=sys.stderr)
        return 2
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    print(json.dumps(ctl.ready_info()), flush=True)
    try:
        while not done.wait(1.0):
            pass
    finally:
        ctl.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
