# tools.target: `make target`, the firmware's hot paths measured on a model of the board.
# SPDX-License-Identifier: MIT
"""python -m tools.target rp2040 [--json OUT] [--only render,views,health,gc,app]

Builds lib/netrain for armv6m into a littlefs image and runs measurement programs
(tools/target/scripts/) on the emulated Pico W: the render path per frame, one
poll's parse of the fake controller's stat/health reply, each view (when
lib/netrain/views exists) at every Unicorn size, a GC collection at the
heap the app leaves, and the app itself with the demo source for 10 emulated
seconds. Prints one JSON object whose keys name the model (``..._rp2040``). Where
the model or node is missing it says so in one line and exits 0 with
``{"skipped": reason}``.
"""

import argparse
import json
import os
import sys
import time

from tools.fake_unifi import payloads

from . import rp2040

PROGRAMS = ("render", "views", "health", "gc", "app")
SUFFIX = "_rp2040"
NOMINAL_FPS = 60  # the app script's config: display.fps default
VIEWS = os.path.join(rp2040.ROOT, "lib", "netrain", "views")  # measured once they exist
#: A stat/health reply as the fake controller serves it (UniFi OS console, busy WAN).
HEALTH_REPLY = payloads.dumps(payloads.ok(payloads.health("default", "unifios", 9e6, 1.2e6)))


def measure(programs, log=print):
    rp2040.prepare({"/health.json": HEALTH_REPLY}, log)
    figures = {"model_rp2040": "MicroPython v1.27.0 RPI_PICO_W in rp2040js, 125 MHz"}
    for name in programs:
        if name == "views" and not os.path.isdir(VIEWS):
            continue
        started = time.monotonic()
        result = rp2040.run(rp2040.script(name))
        log("target: %s on rp2040 (%.0f s wall)" % (name, time.monotonic() - started))
        if name == "app":  # the app's own Metrics summary, named after the run
            result.pop("summary", None)
            result["fps"] = result.pop("fps_avg")
            # as make bench counts it: frames shown / (60 FPS x the run's time)
            nominal = round(NOMINAL_FPS * result["t_s"])
            result["frames_pct"] = round(100 * result["frames"] / nominal, 2)
            result = {name + "_" + key: value for key, value in result.items()}
        for key, value in result.items():
            figures[key + SUFFIX] = value
    return figures


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tools.target", description=__doc__)
    parser.add_argument("model", choices=("rp2040",))
    parser.add_argument("--json", metavar="OUT", help="also write the figures to OUT")
    parser.add_argument("--only", default=",".join(PROGRAMS), help="programs to run")
    args = parser.parse_args(argv)
    programs = [p for p in args.only.split(",") if p]
    unknown = [p for p in programs if p not in PROGRAMS]
    if unknown:
        parser.error("unknown program(s): " + ", ".join(unknown))
    reason = rp2040.missing_reason()
    if reason:
        print("target: skipped: " + reason)
        figures = {"skipped": reason}
    else:
        try:
            figures = measure(programs, log=lambda text: print(text, file=sys.stderr))
        except rp2040.TargetMissing as exc:
            print("target: skipped: %s" % exc)
            figures = {"skipped": str(exc)}
    text = json.dumps(figures, indent=1, sort_keys=True)
    print(text)
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as f:
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
