# tools.bench.run: run one side of the benchmark on the unix port against its own fake controller.
# SPDX-License-Identifier: MIT
"""``run_side("ours" | "baseline", heap_bytes, seconds, stall_ms, latency_ms) -> Run``.

``target="rp2model"`` (or ``binary=PATH``) runs on another MicroPython binary, as
``python -m sim --target``; ``press`` scripts the buttons (sim's ``--press``).

Both sides start the way ``python -m sim --runtime micropython`` starts the firmware
(same stubs, .mpy build, embedded config pinned to a fresh fake controller, heap on
top of the stand-ins' allowance); "baseline" runs ``naive_main.py`` instead of
``firmware/main.py``. Output is captured, so heap probes stay quiet.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile

from sim.__main__ import (
    MAIN,
    ROOT,
    STUBS,
    build_mpy,
    micropython_binary,
    start_fake,
    stub_allowance,
    target_binary,
)

SIDES = {"ours": MAIN, "baseline": os.path.join(os.path.dirname(__file__), "naive_main.py")}
_E2E_TEST = os.path.join(ROOT, "tests", "test_sim_e2e.py")
_EXIT_GRACE_S = 60


def default_heap():
    """The heap the e2e tests run the firmware with (UPY_HEAP): one number, kept there."""
    with open(_E2E_TEST) as f:
        found = re.search(r'^UPY_HEAP = "(\w+)"', f.read(), re.M)
    if not found:
        raise SystemExit("bench: no UPY_HEAP in %s" % _E2E_TEST)
    return found.group(1)


class Run:
    """A finished run: exit code, captured output, metrics lines, fake controller counters."""

    def __init__(self, side, heap_bytes, seconds, returncode, output, lines, server_counters):
        self.side = side
        self.heap_bytes = heap_bytes
        self.seconds = seconds
        self.returncode = returncode
        self.output = output
        self.lines = lines
        self.server_counters = server_counters

    @property
    def summary(self):
        if self.lines and self.lines[-1].get("summary"):
            return self.lines[-1]
        return None

    @property
    def per_second(self):
        return [line for line in self.lines if not line.get("summary")]

    @property
    def out_of_memory(self):
        return "MemoryError" in self.output or "OUT OF MEMORY" in self.output

    @property
    def clean(self):
        """Ran to the end without running out of memory or any task crashing."""
        summary = self.summary
        return (
            self.returncode == 0
            and summary is not None
            and summary["errors"] == 0
            and not self.out_of_memory
        )

    @property
    def fits(self):
        """Clean, and every poll and action worked: what the board's heap must allow."""
        summary = self.summary
        return (
            self.clean
            and summary["polls_ok"] > 0
            and summary["polls_failed"] == 0
            and all(a.get("result") == "verified" for a in summary.get("actions") or ())
        )


def run_side(
    side, heap_bytes, seconds, stall_ms, latency_ms, target="x64", binary=None, press=None
):
    if target == "x64" and not binary and not micropython_binary():
        raise SystemExit("bench: the MicroPython unix port is not installed (run `make venv`)")
    binary, march, mpy_dir = target_binary(target, binary)
    workdir = tempfile.mkdtemp(prefix="netrain-bench-")
    fake = None
    try:
        fake, config_path = start_fake(["latency_ms=%d" % latency_ms], workdir)
        metrics_path = os.path.join(workdir, "metrics.jsonl")
        settings = {
            "config": config_path,
            "seconds": seconds,
            "metrics": metrics_path,
            "tls_stall_ms": stall_ms,
        }
        if press:
            settings["press"] = press
        env = dict(os.environ, NETRAIN_SIM=json.dumps(settings))
        env["MICROPYPATH"] = ".frozen:%s:%s" % (STUBS, build_mpy(mpy_dir, march))
        total = heap_bytes + stub_allowance(binary)
        cmd = [binary, "-X", "heapsize=%d" % total, SIDES[side]]
        try:
            proc = subprocess.run(
                cmd, env=env, capture_output=True, text=True, timeout=seconds + _EXIT_GRACE_S
            )
            code, output = proc.returncode, proc.stdout + proc.stderr
        except subprocess.TimeoutExpired:
            code, output = 124, "bench: did not stop %d s after its run time" % _EXIT_GRACE_S
        lines = []
        if os.path.exists(metrics_path):
            with open(metrics_path) as f:
                lines = [json.loads(line) for line in f if line.strip()]
        return Run(side, heap_bytes, seconds, code, output, lines, dict(fake.counters))
    finally:
        if fake is not None:
            fake.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def heap_floor(side, low_bytes, high_bytes, step_bytes, probe, known=()):
    """Smallest heap on the grid low..high (step) whose ``probe(side, heap)`` run is clean.

    Bisection (the heap need is taken to be monotonic); ``known`` runs on the grid
    count as probes already made. Returns (floor_bytes or None, [(heap, clean), ...]).
    """
    grid = list(range(low_bytes, high_bytes + 1, step_bytes))
    results = {run.heap_bytes: run.clean for run in known if run.heap_bytes in grid}
    probes = []
    lo, hi = 0, len(grid)
    for i, heap in enumerate(grid):
        if results.get(heap) is True:
            hi = min(hi, i)
        elif results.get(heap) is False:
            lo = max(lo, i + 1)
    lo = min(lo, hi)  # a failure above a clean run: trust the clean one
    while lo < hi:
        mid = (lo + hi) // 2
        heap = grid[mid]
        if heap not in results:
            results[heap] = probe(side, heap).clean
            probes.append((heap, results[heap]))
        if results[heap]:
            hi = mid
        else:
            lo = mid + 1
    return (grid[lo] if lo < len(grid) else None), probes
