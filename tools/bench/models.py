# tools.bench.models: the firmware's heap floor on the board's heap model, from .mpy and frozen.
# SPDX-License-Identifier: MIT
"""``rp2model_floors(...)``: heap floors of "ours" on ``micropython-rp2model`` (32-bit, TLS in
the GC heap: the board's heap model in ../shared/target), with an ad-block and a pause action
in every probe, and optionally on the same model with lib/netrain frozen into the binary
(``build.sh OUT MANIFEST``, about 1.5 min): frozen code and its names stay out of the heap,
as they would with frozen modules or a ROMFS partition on the board.
"""

import os
import subprocess

from sim.__main__ import LIB, ROOT, SHARED_TARGET, TARGETS

from .run import heap_floor, run_side

LOW_K, HIGH_K = 64, 256  # the board leaves about 185K to us
STEP_K, QUICK_STEP_K = 8, 32
PRESS = "1.5:A:long,4:B:long"  # ad-block, then pause the "kids" group
PROBE_S = 7  # both actions verified by then
FROZEN_DIR = os.path.join(ROOT, "build", "rp2model-frozen")


def missing():
    """Why the model cannot run here (one line), or None."""
    if not os.path.exists(TARGETS["rp2model"][0]):
        return "no ../shared/target/micropython-rp2model"
    return None


def frozen_binary(log):
    """micropython-rp2model with lib/netrain frozen in, rebuilt when a module changed."""
    binary = os.path.join(FROZEN_DIR, "micropython-rp2model")
    sources = []
    for folder, _, files in os.walk(os.path.join(LIB, "netrain")):
        sources += [os.path.join(folder, n) for n in files if n.endswith(".py")]
    newest = max(os.path.getmtime(p) for p in sources)
    if os.path.exists(binary) and os.path.getmtime(binary) >= newest:
        return binary
    os.makedirs(FROZEN_DIR, exist_ok=True)
    manifest = os.path.join(FROZEN_DIR, "manifest.py")
    with open(manifest, "w") as f:
        f.write('package("netrain", base_path=%r)\n' % LIB)
    log("rp2model-frozen: building (build.sh, about 1.5 min)")
    build = os.path.join(SHARED_TARGET, "build.sh")
    proc = subprocess.run(
        ["bash", build, FROZEN_DIR, manifest], capture_output=True, text=True, timeout=900
    )
    if proc.returncode:
        raise SystemExit("bench: build.sh failed:\n" + proc.stdout + proc.stderr)
    return binary


def rp2model_floors(quick, stall_ms, latency_ms, frozen, log):
    """{"rp2model": floor, "rp2model_frozen": floor or None}, their probes, and a note."""
    floors, probes = {"rp2model": None, "rp2model_frozen": None}, {}
    why = missing()
    if why:
        log("rp2model: skipped (%s)" % why)
        return floors, probes, why
    step_k = QUICK_STEP_K if quick else STEP_K
    runs = [("rp2model", None)]
    if frozen:
        runs.append(("rp2model_frozen", frozen_binary(log)))
    for name, binary in runs:

        def probe(side, heap, binary=binary, name=name):
            run = run_side(side, heap, PROBE_S, stall_ms, latency_ms, "rp2model", binary, PRESS)
            log("  %s at %dK: %s" % (name, heap // 1024, "fits" if run.fits else "fails"))
            return _Fit(run)

        log("%s: heap floor, %dK..%dK in %dK steps" % (name, LOW_K, HIGH_K, step_k))
        floors[name], probes[name] = heap_floor(
            "ours", LOW_K * 1024, HIGH_K * 1024, step_k * 1024, probe
        )
    return floors, probes, None


class _Fit:
    """A probe whose ``clean`` is the stricter ``fits``: every poll and action worked."""

    def __init__(self, run):
        self.heap_bytes = run.heap_bytes
        self.clean = run.fits
