# tools.bench.figures: the benchmark's figures from one run's metrics stream, and the targets.
# SPDX-License-Identifier: MIT
"""Start-up is every second up to the first one that reports a TLS handshake (the
first poll's connection and its stall end there); steady state is what follows.
Per-second metric lines (docs/contracts.md, "Metrics stream") carry the counters used here.
"""

NOMINAL_FPS = 60  # display.fps of the simulator's embedded config (the default)
FRAME_PERIOD_MS = 1000 / NOMINAL_FPS
#: netrain.metrics keeps 1 ms gap buckets up to this; longer gaps land in the last one
GAP_PERCENTILE_CAP_MS = 256
_PERCENTILES = ("frame_gap_ms_p50", "frame_gap_ms_p99")
#: the firmware's heap target on the board's heap model (rp2model); the board leaves ~185K
HEAP_TARGET_RP2MODEL_BYTES = 128 * 1024


def _startup_seconds(per_second):
    for i, line in enumerate(per_second):
        if line["tls_handshakes"] >= 1:
            return i + 1
    return len(per_second)


def _median(values):
    values = sorted(values)
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def side_figures(run, heap_floor_bytes):
    """The figures of one side's main run (plus its heap floor from the bisection)."""
    summary = run.summary
    per_second = run.per_second
    startup = _startup_seconds(per_second)
    steady = per_second[startup:]
    steady_frames = sum(line["fps"] for line in steady)
    polls = summary["polls_ok"] + summary["polls_failed"]
    poll_allocs = [
        line["poll_alloc_bytes"] for line in steady if line["poll_alloc_bytes"] is not None
    ]
    frames_nominal = round(NOMINAL_FPS * summary["t_s"])
    return {
        "heap_bytes": run.heap_bytes,
        "run_s": summary["t_s"],
        "frames": summary["frames"],
        "frames_nominal": frames_nominal,
        "frames_pct_of_nominal": round(100 * summary["frames"] / frames_nominal, 2),
        "steady_frames_pct_of_nominal": (
            round(100 * steady_frames / (NOMINAL_FPS * len(steady)), 2) if steady else None
        ),
        "fps": summary["fps_avg"],
        "frame_gap_ms_p50": summary["frame_gap_ms_p50"],
        "frame_gap_ms_p99": summary["frame_gap_ms_p99"],
        "frame_gap_ms_max": summary["frame_gap_ms_max"],
        "startup_s": startup,
        "startup_frame_gap_ms_max": max(line["frame_gap_ms_max"] for line in per_second[:startup]),
        "steady_frame_gap_ms_max": max((line["frame_gap_ms_max"] for line in steady), default=None),
        "frame_gaps_over_2x": summary["frame_gaps_over_2x"],
        "steady_frame_gaps_over_2x": sum(line["frame_gaps_over_2x"] for line in steady),
        "polls_ok": summary["polls_ok"],
        "polls_failed": summary["polls_failed"],
        "tls_handshakes": summary["tls_handshakes"],
        "tls_handshakes_server": run.server_counters.get("tls_handshakes"),
        "tls_handshakes_per_poll": round(summary["tls_handshakes"] / polls, 3) if polls else None,
        "render_alloc_bytes_per_frame": (
            round(sum(line["render_alloc_bytes"] for line in steady) / steady_frames, 2)
            if steady_frames
            else None
        ),
        "alloc_bytes_per_s": _median([line["alloc_bytes"] for line in steady]),
        "poll_alloc_bytes": _median(poll_allocs),
        "heap_min_free": summary["heap_min_free"],
        "heap_floor_bytes": heap_floor_bytes,
        "render_us_per_frame": summary["render_us_per_frame"],
        "errors": summary["errors"],
    }


def ratios(ours, baseline):
    """ours / baseline for every figure both sides have as a non-zero number (not a
    percentile stuck in the last histogram bucket: its true value is unknown)."""
    out = {}
    for key, value in ours.items():
        other = baseline.get(key)
        numbers = isinstance(value, (int, float)) and isinstance(other, (int, float))
        capped = key in _PERCENTILES and max(value, other) >= GAP_PERCENTILE_CAP_MS
        if numbers and other and not capped and not isinstance(value, bool):
            out[key] = round(value / other, 4)
    return out


def targets(ours, heap_floor_rp2model_bytes=None):
    """Our side's targets: name -> {"want", "got", "met"} (a floor not measured: not met)."""
    gap_limit_ms = 2 * FRAME_PERIOD_MS
    checks = {
        "frames_pct_of_nominal": (">= 99", ours["frames_pct_of_nominal"], lambda v: v >= 99),
        "steady_frame_gap_ms_max": (
            "<= %.1f (2x frame period)" % gap_limit_ms,
            ours["steady_frame_gap_ms_max"],
            lambda v: v <= gap_limit_ms,
        ),
        "tls_handshakes": ("== 1 for the run", ours["tls_handshakes"], lambda v: v == 1),
        "render_alloc_bytes_per_frame": (
            "== 0",
            ours["render_alloc_bytes_per_frame"],
            lambda v: v == 0,
        ),
        "heap_floor_rp2model_bytes": (
            "<= %d (rp2model, 128K)" % HEAP_TARGET_RP2MODEL_BYTES,
            heap_floor_rp2model_bytes,
            lambda v: v <= HEAP_TARGET_RP2MODEL_BYTES,
        ),
    }
    return {
        name: {"want": want, "got": got, "met": got is not None and bool(check(got))}
        for name, (want, got, check) in checks.items()
    }
