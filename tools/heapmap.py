# tools.heapmap: where the firmware's heap goes on the MicroPython unix port, stage by stage.
# SPDX-License-Identifier: MIT
"""python -m tools.heapmap [--target x64|rp2model] [--micropython PATH]

Starts the bundled fake controller, then replays ``netrain.start.run`` step by step
on the unix port (stubs and .mpy exactly as ``python -m sim --runtime micropython``
loads them) and prints the live heap after a collection at each step, the interned
names (qstr pools grow by doubling, so a step that crosses a pool boundary pays for
the next pool at once), and the garbage of one poll (``stat/health`` streamed into the
source's HealthScan), of the same reply read whole and of ``json.loads`` on it. The instrument for
lowering the heap floor: run it before and after a change.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

from sim.__main__ import STUBS, TARGETS, build_mpy, start_fake, target_binary

#: Runs on the unix port; argv: config path, config folder.
PROBE = r"""
import asyncio, gc, json, sys
out = []
def mark(step):
    gc.collect()
    out.append((step, gc.mem_alloc()))
mark("interpreter")
import machine, network, picographics, stellar
mark("device stubs (not counted on the device)")
from netrain import start
mark("import netrain.start (core code)")
unicorn = stellar.StellarUnicorn()
graphics = picographics.PicoGraphics(display=picographics.DISPLAY_STELLAR_UNICORN)
panel = start.UnicornPanel(unicorn, graphics)
mark("panel")
cfg, exc = start.load_config(sys.argv[1])
mark("config loaded (validator unloaded)")
source = start.make_source(cfg, sys.argv[2])
mark("UniFi source: http + unifi code, buffers, TLS context")
reserve = len(source.unifi.client._reserve or b"")
from netrain.actions import Actions
from netrain.wallclock import WallClock
mark("actions + wallclock code")
buttons = (unicorn.is_pressed, start.button_pins(unicorn))
app = start.App(cfg, panel, source, status=start.Status(), buttons=buttons)
mark("app: rain pool, meter, metrics, overlay")
garbage = {}
from netrain.source import Sample
async def poll():
    unifi = source.unifi
    sample = Sample()
    for i in range(3):  # the last of three: the connection is open and warm
        gc.collect(); gc.disable()
        before = gc.mem_alloc()
        await source.fetch(sample)
        garbage["poll"] = gc.mem_alloc() - before
        gc.enable(); gc.collect(); gc.disable()
        before = gc.mem_alloc()
        resp = await unifi._raw("GET", unifi.site_path("stat/health"))
        mid = gc.mem_alloc()
        json.loads(resp.body)
        garbage["request"], garbage["json"] = mid - before, gc.mem_alloc() - mid
        gc.enable()
    await source.close()
asyncio.run(poll())
import micropython
micropython.qstr_info()  # "qstr pool: n_pool=.., n_qstr=.., n_str_data_bytes=.., n_total_bytes=.."
print("HEAPMAP " + json.dumps({"steps": out, "garbage": garbage, "reserve": reserve}))
"""


def run(target="x64", binary=None):
    binary, march, mpy_dir = target_binary(target, binary)
    workdir = tempfile.mkdtemp(prefix="netrain-heapmap-")
    fake, config_path = start_fake([], workdir)
    try:
        probe = os.path.join(workdir, "probe.py")
        with open(probe, "w") as f:
            f.write(PROBE)
        env = dict(os.environ, MICROPYPATH=".frozen:%s:%s" % (STUBS, build_mpy(mpy_dir, march)))
        env.pop("NETRAIN_SIM", None)
        cmd = [binary, "-X", "heapsize=4M", probe, config_path, workdir]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    finally:
        fake.stop()
    lines = [line for line in proc.stdout.splitlines() if line.startswith("HEAPMAP ")]
    if proc.returncode or not lines:
        sys.exit("heapmap: probe failed\n" + proc.stdout + proc.stderr)
    report = json.loads(lines[-1][8:])
    report["stdout"] = proc.stdout
    return report


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m tools.heapmap")
    p.add_argument("--target", choices=sorted(TARGETS), default="x64")
    p.add_argument("--micropython", metavar="PATH", help="run this MicroPython binary instead")
    args = p.parse_args(argv)
    report = run(args.target, args.micropython)
    steps = report["steps"]
    stubs_bytes = steps[1][1]
    print("%-56s %9s %9s" % ("step (%s)" % args.target, "+bytes", "firmware"))
    for (_, before), (step, after) in zip(steps, steps[1:], strict=False):
        counted = after - stubs_bytes if after > stubs_bytes else 0
        print("%-56s %9d %9s" % (step, after - before, counted or "-"))
    qstr = [line for line in report["stdout"].splitlines() if line.startswith("qstr pool:")]
    if qstr:
        print("interned names and strings (all modules, stubs included): " + qstr[-1][11:])
    print("%-56s %9d" % ("  of which the TLS reserve (the connection's block)", report["reserve"]))
    garbage = report["garbage"]
    print("%-56s %9d" % ("garbage of one poll (health reply streamed)", garbage["poll"]))
    print("%-56s %9d" % ("garbage of the same reply read whole (HTTP)", garbage["request"]))
    print("%-56s %9d" % ("garbage of json.loads on that body", garbage["json"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
