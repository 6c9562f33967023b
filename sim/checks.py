# sim.checks: every simulator argument checked before anything starts.
# SPDX-License-Identifier: MIT
"""A bad argument is one line naming it and the fix, exit 2 (argparse's convention),
never a traceback, and never after a run that took its full time for nothing.
"""

import argparse
import json
import os
import socket
import sys

STUBS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "stubs")
RECORD_EXTS = (".gif", ".png")
MAX_LUX = 4095  # the 12-bit ambient light sensor


class OneLineParser(argparse.ArgumentParser):
    """argparse, but its errors are the one line that matters, without the usage block."""

    def error(self, message):
        self.exit(2, "sim: %s (see python -m sim --help)\n" % message)


def json_or_text(text):
    try:
        return json.loads(text)
    except ValueError:
        return text


def fake_kwargs(options):
    """``--fake-option KEY=VALUE`` items -> FakeController kwargs; ValueError names the bad one."""
    from tools.fake_unifi import DEFAULTS

    kwargs = {}
    for item in options:
        key, sep, value = item.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or key not in DEFAULTS:
            raise ValueError(
                "%r: want KEY=VALUE with KEY one of %s" % (item, ", ".join(sorted(DEFAULTS)))
            )
        kwargs[key] = json_or_text(value)
    return kwargs


def _press_script(script):
    """The stand-in's own parser, so the check and the run cannot disagree."""
    if STUBS not in sys.path:
        sys.path.insert(0, STUBS)
    # simunicorn, not stellar: a board module imported here (in the simulator's own
    # process) would be found by firmware/main.py before the --board one.
    from simunicorn import parse_press  # no side effects: settings load on first use

    return parse_press(script)


def _writable_file(path, what):
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        return "no folder %s for the %s; create it or pick another path" % (folder, what)
    if not os.access(folder, os.W_OK):
        return "folder %s is not writable; pick another path for the %s" % (folder, what)
    return None


def _loopback_port_problem(port):
    if not 1 <= port <= 65535:
        return "want a port 1..65535, got %d" % port
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
        try:
            s.bind(("127.0.0.1", port))
        except OSError as exc:
            return "cannot listen on 127.0.0.1:%d (%s); pick another port" % (port, exc.strerror)
    return None


def problems(args, parse_heap):
    """(argument, what is wrong and the fix) pairs, in the order of the command line's help."""
    found = []
    try:
        if parse_heap(args.heap) <= 0:
            found.append(("--heap", "want a size above 0, such as 240K, got %r" % args.heap))
    except argparse.ArgumentTypeError as exc:
        found.append(("--heap", str(exc)))
    if args.seconds is not None and not args.seconds > 0:
        problem = "want a run time > 0 s, got %s (omit it to run until closed)" % args.seconds
        found.append(("--seconds", problem))
    if args.config is not None:
        if not os.path.isfile(args.config):
            found.append(
                ("--config", "no file %s (make configure writes config.json)" % args.config)
            )
        if args.set:
            found.append(("--set", "edits the embedded default; edit your --config file instead"))
    for name, path in (("metrics", args.metrics), ("fake-report", args.fake_report)):
        problem = path and _writable_file(path, name + " file")
        if problem:
            found.append(("--" + name, problem))
    if args.record:
        if os.path.splitext(args.record)[1].lower() not in RECORD_EXTS:
            found.append(
                ("--record", "%s: want a .gif (animation) or .png (last frame)" % args.record)
            )
        else:
            problem = _writable_file(args.record, "recording")
            if problem:
                found.append(("--record", problem))
    if args.press:
        try:
            _press_script(args.press)
        except ValueError as exc:
            found.append(("--press", "%s, e.g. 3.0:A:long,6.5:B:short" % exc))
    if args.lux is not None and not 0 <= args.lux <= MAX_LUX:
        found.append(("--lux", "want 0..%d (the sensor's range), got %s" % (MAX_LUX, args.lux)))
    if args.tls_stall_ms < 0:
        found.append(("--tls-stall-ms", "want 0 or more ms, got %d" % args.tls_stall_ms))
    if args.dns_down and not args.host_name:
        found.append(("--dns-down", "needs --host-name NAME: only a name is looked up"))
    if args.web_port is not None:
        problem = _loopback_port_problem(args.web_port)
        if problem:
            found.append(("--web-port", problem))
    if args.setup:
        if not args.web_port:
            found.append(("--setup", "needs --web-port N: the setup page is served there"))
        if args.config is not None or args.set:
            found.append(("--setup", "starts with no config: drop --config and --set"))
    for item in args.set:
        key, sep, _ = item.partition("=")
        if not sep or not key:
            found.append(("--set", "%r: want KEY=VALUE, e.g. poll_s=2" % item))
    try:
        from tools.fake_unifi.controller import check_options

        check_options(**fake_kwargs(args.fake_option))
    except ValueError as exc:
        found.append(("--fake-option", str(exc)))
    return found


def check(parser, args, parse_heap):
    """Exit 2 with one line for the first bad argument."""
    for arg, problem in problems(args, parse_heap)[:1]:
        parser.error("argument %s: %s" % (arg, problem))
