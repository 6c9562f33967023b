# tools.bench.report: the machine description, the printed table and BENCH.md.
# SPDX-License-Identifier: MIT

import os
import platform
import subprocess

from . import cpu
from .figures import FRAME_PERIOD_MS, GAP_PERCENTILE_CAP_MS

# (figure key, label, format); None formats as "-"
ROWS = (
    ("frames", "frames rendered", "%d"),
    ("frames_nominal", "frames nominal (60 FPS x run time)", "%d"),
    ("frames_pct_of_nominal", "frames, % of nominal", "%.2f"),
    ("steady_frames_pct_of_nominal", "frames after start-up, % of nominal", "%.2f"),
    ("fps", "fps (average)", "%.2f"),
    ("frame_gap_ms_p50", "frame gap p50, ms", "%s"),
    ("frame_gap_ms_p99", "frame gap p99, ms", "%s"),
    ("frame_gap_ms_max", "frame gap max, ms", "%.1f"),
    ("startup_frame_gap_ms_max", "frame gap max in start-up (first handshake), ms", "%.1f"),
    ("steady_frame_gap_ms_max", "frame gap max after start-up, ms", "%.1f"),
    ("frame_gaps_over_2x", "frame gaps over 2x period (%.1f ms)" % (2 * FRAME_PERIOD_MS), "%d"),
    ("steady_frame_gaps_over_2x", "  of which after start-up", "%d"),
    ("polls_ok", "polls ok", "%d"),
    ("polls_failed", "polls failed", "%d"),
    ("tls_handshakes", "TLS handshakes (client)", "%d"),
    ("tls_handshakes_server", "TLS handshakes (fake controller)", "%d"),
    ("tls_handshakes_per_poll", "TLS handshakes per poll", "%.3f"),
    ("render_alloc_bytes_per_frame", "bytes allocated per frame, render path, steady", "%.2f"),
    ("alloc_bytes_per_s", "bytes allocated per second, all tasks, steady (median)", "%d"),
    ("poll_alloc_bytes", "bytes allocated per poll, steady (median)", "%d"),
    ("heap_min_free", "minimum free heap, bytes", "%d"),
    ("heap_floor_bytes", "heap floor (smallest clean --heap), bytes", "%d"),
    ("render_us_per_frame", "render path time per frame, us", "%d"),
)
_VERSION = (
    "import sys; v = sys.implementation.version; "
    "print('%d.%d.%d (%s)' % (v[0], v[1], v[2], sys.version.split('; ')[-1]))"
)


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "os": platform.platform(),
        "python": platform.python_version(),
    }


def micropython_version(binary):
    out = subprocess.run([binary, "-c", _VERSION], capture_output=True, text=True)
    return out.stdout.strip()


def _cell(value, fmt):
    if value is None:
        return "-"
    if isinstance(value, (int, float)) and fmt == "%s" and value >= GAP_PERCENTILE_CAP_MS:
        return ">=%d" % GAP_PERCENTILE_CAP_MS  # the last histogram bucket
    try:
        return fmt % value
    except TypeError:
        return str(value)


def table_rows(results):
    ours, base, ratio = results["ours"], results["baseline"], results["ratios"]
    rows = []
    for key, label, fmt in ROWS:
        r = ratio.get(key)
        rows.append((label, _cell(ours.get(key), fmt), _cell(base.get(key), fmt), _cell(r, "%.3g")))
    return rows


def text_table(results):
    rows = [("figure", "ours", "baseline", "ours/baseline")] + table_rows(results)
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = []
    for n, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [row[i].rjust(widths[i]) for i in (1, 2, 3)]
        lines.append("  ".join(cells))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _targets_md(results):
    lines = []
    for name, t in results["targets"].items():
        mark = "met" if t["met"] else "**MISSED**"
        lines.append("- `%s` %s: got %s, %s" % (name, t["want"], t["got"], mark))
    return "\n".join(lines)


def _probes_md(results):
    lines = []
    for side in ("ours", "baseline", "rp2model", "rp2model_frozen"):
        if side not in results["heap_floor_probes"]:
            continue
        probes = results["heap_floor_probes"][side]
        text = ", ".join("%dK %s" % (h // 1024, "ok" if ok else "fail") for h, ok in probes)
        lines.append("- %s: %s" % (side, text or "answered by the main run"))
    return "\n".join(lines)


def _kilobytes(value):
    return "not measured" if value is None else "%dK (%d bytes)" % (value // 1024, value)


def _models_md(results):
    rows = [
        "| model | heap floor (ours) |",
        "|---|--:|",
        "| x64 unix port (64-bit, TLS outside the heap) | %s |"
        % _kilobytes(results.get("heap_floor_x64_bytes")),
        "| rp2model (32-bit, TLS in the heap: the board), `.mpy` | %s |"
        % _kilobytes(results.get("heap_floor_rp2model_bytes")),
        "| rp2model, lib/netrain frozen (`--frozen`) | %s |"
        % _kilobytes(results.get("heap_floor_rp2model_frozen_bytes")),
    ]
    note = results.get("heap_floor_models_note")
    if note:
        rows.append("\nrp2model not run: %s." % note)
    return "\n".join(rows)


def bench_md(results):
    s = results["settings"]
    m = results["machine"]
    rows = ["| figure | ours | baseline | ours/baseline |", "|---|--:|--:|--:|"]
    rows += ["| %s | %s | %s | %s |" % row for row in table_rows(results)]
    return """# netrain benchmark

`make bench` (`python -m tools.bench`): the firmware ("ours": one keep-alive TLS
connection, async HTTP client) against the hobby project's way of fetching ("baseline":
a blocking `requests.get` per poll on a new TLS connection, same App, rain and render
loop: `tools/bench/naive_main.py`). Both run on the MicroPython unix port, headless,
against the fake controller over TLS with %(latency_ms)d ms of injected latency, polling
every second, for %(seconds)s s. Device model: each TLS handshake blocks the whole
process for %(stall_ms)d ms, the CPU time a handshake takes on the Pico W, which no task
can interrupt (docs/platform.md, *TLS on the Pico W*).

- Command: `%(command)s`
- Date: %(date)s; code: `%(commit)s` (`-dirty`: the shared tree had others' uncommitted edits)
- Machine: %(cpu)s, %(cores)s cores, %(os)s; Python %(python)s; MicroPython %(upy)s
- Heap: `--heap %(heap)s` for both main runs (on top of the simulator stand-ins'
  allowance, as `python -m sim` gives it); heap floor bisected over %(floor_range)s,
  %(probe_s)s s per probe.
- A shared 2-core machine: other engineers ran tests at the same time, so timings carry
  their noise. Start-up is the seconds up to the first handshake's poll; steady state
  follows. Gap percentiles come from 1 ms buckets that end at %(cap)d ms.

%(rows)s

## Targets (ours)

%(targets)s

## Heap floor by model

The rp2model probes run the firmware with an ad-block and a pause action
(`--press 1.5:A:long,4:B:long`, 7 s) and count only when every poll and both actions
worked; the board leaves about 185K to us.

%(models)s

## Heap floor probes

%(probes)s

## CPU on the emulated Pico W (rp2040)

Real MicroPython v1.27 rp2 firmware in rp2040js at 125 MHz, lib/netrain as armv6m `.mpy`
(`python -m tools.target rp2040`): times are emulated cycles, not this machine's load, and
a lower bound for a real board (no flash cache model). The demo app runs with the device's
hooks (no allocation counting); its costs are each task's work timed alone at the heap the
run leaves. The poll's stretch is the longest the loop is held between two awaits while the
stat/health reply is read and parsed as it streams in (reads of a whole receive buffer).

%(cpu_rp2040)s

## Notes

- The baseline's `requests` does not verify the certificate (CERT_NONE); ours verifies
  the pinned one. Both pay the same modelled stall per handshake.
- "Render path time" is `ticks_us` around step, draw, overlay and `show()`: wall time,
  including the stand-in's LED copy, on this machine, not on an RP2040.
- "Bytes allocated per poll" is `Metrics.allocated()` across one poll: a running count
  that collections do not lower, all tasks included (the render path allocates nothing;
  a metrics snapshot may fall inside). Most of it is `json.loads` of the health reply
  and the HTTP exchange (README, "Memory").
- The baseline polls with the same poll task: every second, at once when a poll ran
  late. A fetch there takes the connect, the 600 ms stall and the latency, so it is late
  every time and the loop is blocked nearly all the time.
%(heap_note)s""" % {
        "latency_ms": s["latency_ms"],
        "seconds": s["seconds"],
        "stall_ms": s["stall_ms"],
        "command": results["command"],
        "date": results["date"],
        "commit": results["commit"],
        "cpu": m["cpu"],
        "cores": m["cores"],
        "os": m["os"],
        "python": m["python"],
        "upy": m["micropython"],
        "heap": s["heap"],
        "floor_range": "%dK..%dK in %dK steps"
        % (s["floor_low_k"], s["floor_high_k"], s["floor_step_k"]),
        "probe_s": s["probe_s"],
        "cap": GAP_PERCENTILE_CAP_MS,
        "rows": "\n".join(rows),
        "targets": _targets_md(results),
        "probes": _probes_md(results),
        "models": _models_md(results),
        "cpu_rp2040": cpu.markdown(results, results.get("rp2040_note")),
        "heap_note": ""
        if results["targets"]["heap_floor_rp2model_bytes"]["met"]
        else "- The heap target on the board's model (128K on rp2model) is not met by ours yet:\n"
        "  code loaded from `.mpy` lives in the heap; frozen, the same firmware needs far less\n"
        "  (the table above).\n",
    }
