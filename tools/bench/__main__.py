# tools.bench: `make bench`, ours against the naive baseline on the unix port, in one run.
# SPDX-License-Identifier: MIT
"""python -m tools.bench [--quick] [--seconds 60] [--heap 240K] [--stall-ms 600]
                         [--latency-ms 300] [--out bench] [--frozen]

Runs the firmware ("ours") and the naive baseline (tools/bench/naive_main.py) on the
MicroPython unix port against the fake controller, then bisects each side's heap
floor, prints the table and writes OUT/results.json and BENCH.md (at the repository
root for the default OUT, else in OUT). ``--quick`` is the CI smoke run: a few
seconds per run and a coarse bisection, written to build/bench-quick unless --out
is given; it asserts nothing about speed. The heap floor is also bisected on the
board's heap model (rp2model, with two actions per probe; ``--frozen`` adds the same model
with our modules frozen into the binary) and reported beside the x64 one. The CPU figures
come from the emulated Pico W (tools.target's rp2040 model, keys ending in ``_rp2040``).
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
import time

from sim.__main__ import ROOT, build_mpy, micropython_binary, parse_heap

from . import cpu, web
from .figures import ratios, side_figures, targets
from .models import rp2model_floors
from .report import bench_md, machine, micropython_version, text_table
from .run import default_heap, heap_floor, run_side

DEFAULT_OUT = "bench"
QUICK_OUT = os.path.join("build", "bench-quick")
FLOOR_LOW_K, FLOOR_HIGH_K = 64, 400
FLOOR_STEP_K, QUICK_FLOOR_STEP_K = 8, 48
QUICK_SECONDS = 4
QUICK_PROBE_SECONDS = 2


def build_parser():
    p = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__.split("\n\n")[1])
    p.add_argument("--quick", action="store_true", help="CI smoke run: seconds, not minutes")
    p.add_argument("--seconds", type=float, help="length of each main run (default 60)")
    p.add_argument("--heap", help="heap of the main runs (default: UPY_HEAP of the e2e tests)")
    p.add_argument("--stall-ms", type=int, default=600, help="modelled CPU time per TLS handshake")
    p.add_argument("--latency-ms", type=int, default=300, help="latency injected on the controller")
    p.add_argument("--out", help="folder for results.json (default bench/)")
    p.add_argument(
        "--frozen",
        action="store_true",
        help="also the rp2model floor with lib/netrain frozen in (builds a binary, ~1.5 min)",
    )
    return p


def _commit():
    """The code measured; "-dirty" when the shared working tree had uncommitted edits."""
    out = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True
    )
    return out.stdout.strip() or None


def log(text):
    print("bench: " + text, flush=True)


def main(argv=None):
    argv_used = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv_used)
    seconds = args.seconds or (QUICK_SECONDS if args.quick else 60)
    probe_s = QUICK_PROBE_SECONDS if args.quick else seconds
    step_k = QUICK_FLOOR_STEP_K if args.quick else FLOOR_STEP_K
    heap_text = args.heap or default_heap()
    heap_bytes = parse_heap(heap_text)
    out = args.out or (QUICK_OUT if args.quick else DEFAULT_OUT)
    out_dir = os.path.join(ROOT, out) if not os.path.isabs(out) else out
    md_path = os.path.join(ROOT if out == DEFAULT_OUT else out_dir, "BENCH.md")
    os.makedirs(out_dir, exist_ok=True)
    build_mpy()
    runs = {}
    for side in ("ours", "baseline"):
        log("%s: %g s at --heap %s" % (side, seconds, heap_text))
        run = run_side(side, heap_bytes, seconds, args.stall_ms, args.latency_ms)
        if run.summary is None:
            sys.exit(
                "bench: %s produced no summary (exit %d):\n%s" % (side, run.returncode, run.output)
            )
        if not run.clean:
            log(
                "%s did not run clean at %s (exit %d); figures kept"
                % (side, heap_text, run.returncode)
            )
        runs[side] = run

    def probe(side, heap):
        run = run_side(side, heap, probe_s, args.stall_ms, args.latency_ms)
        log("  %s at %dK: %s" % (side, heap // 1024, "clean" if run.clean else "fails"))
        return run

    floors, probes = {}, {}
    for side in ("ours", "baseline"):
        log("%s: heap floor, %dK..%dK in %dK steps" % (side, FLOOR_LOW_K, FLOOR_HIGH_K, step_k))
        known = [runs[side]] if probe_s == seconds else []
        floors[side], probes[side] = heap_floor(
            side, FLOOR_LOW_K * 1024, FLOOR_HIGH_K * 1024, step_k * 1024, probe, known
        )
    model_floors, model_probes, model_note = rp2model_floors(
        args.quick, args.stall_ms, args.latency_ms, args.frozen, log
    )
    web_figures = web.figures(seconds, heap_bytes, log)  # the rain while the page is polled
    probes.update(model_probes)
    log("rp2040: the render path, views, a poll's parse, GC and the app on the emulated Pico W")
    cpu_figures, cpu_note = cpu.rp2040_figures(args.quick, log)
    ours = side_figures(runs["ours"], floors["ours"])
    baseline = side_figures(runs["baseline"], floors["baseline"])
    results = {
        "command": " ".join(["python -m tools.bench"] + [shlex.quote(a) for a in argv_used]),
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "commit": _commit(),
        "quick": args.quick,
        "machine": dict(machine(), micropython=micropython_version(micropython_binary())),
        "settings": {
            "seconds": seconds,
            "heap": heap_text,
            "stall_ms": args.stall_ms,
            "latency_ms": args.latency_ms,
            "poll_s": 1.0,
            "probe_s": probe_s,
            "floor_low_k": FLOOR_LOW_K,
            "floor_high_k": FLOOR_HIGH_K,
            "floor_step_k": step_k,
        },
        "ours": ours,
        "baseline": baseline,
        "ratios": ratios(ours, baseline),
        "targets": targets(ours, model_floors["rp2model"]),
        # the board's heap model beside the x64 port (None: not measured, see the note)
        "heap_floor_x64_bytes": floors["ours"],
        "heap_floor_rp2model_bytes": model_floors["rp2model"],
        "heap_floor_rp2model_frozen_bytes": model_floors["rp2model_frozen"],
        "heap_floor_models_note": model_note,
        "heap_floor_probes": probes,
        "rp2040_note": cpu_note,
    }
    results["targets"].update(cpu.targets(cpu_figures))
    results.update(cpu_figures)
    results.update(web_figures)
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
        f.write("\n")
    with open(md_path, "w") as f:
        f.write(bench_md(results))
    print(text_table(results))
    log("wrote %s and %s" % (os.path.join(out_dir, "results.json"), md_path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
