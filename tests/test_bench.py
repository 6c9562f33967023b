"""CI smoke run of the benchmark: `python -m tools.bench --quick` into a temporary folder.

Checks that both sides ran and that every figure is written as a number; nothing about
speed (the real figures come from `make bench`, see BENCH.md).
"""

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RP2MODEL = os.path.join(ROOT, "..", "shared", "target", "micropython-rp2model")
FIGURES = (
    "frames",
    "frames_nominal",
    "frames_pct_of_nominal",
    "fps",
    "frame_gap_ms_p50",
    "frame_gap_ms_p99",
    "frame_gap_ms_max",
    "startup_frame_gap_ms_max",
    "steady_frame_gap_ms_max",
    "frame_gaps_over_2x",
    "tls_handshakes",
    "tls_handshakes_per_poll",
    "render_alloc_bytes_per_frame",
    "poll_alloc_bytes",
    "heap_min_free",
    "heap_floor_bytes",
    "render_us_per_frame",
)


def test_quick_bench_writes_every_figure(tmp_path):
    cmd = [sys.executable, "-m", "tools.bench", "--quick", "--out", str(tmp_path)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ours/baseline" in proc.stdout  # the table was printed
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["quick"] is True
    for side in ("ours", "baseline"):
        figures = results[side]
        missing = [k for k in FIGURES if not isinstance(figures.get(k), (int, float))]
        assert not missing, (side, missing, figures)
        assert figures["frames"] > 0 and figures["polls_ok"] >= 1
    # the baseline opens a TLS connection per poll, ours one for the run: the fake counts them
    assert results["baseline"]["tls_handshakes_server"] > results["ours"]["tls_handshakes_server"]
    assert set(results["targets"]) >= {"frames_pct_of_nominal", "tls_handshakes"}
    # the web case: the rain measured while a client polled the page's API, every answer good
    assert results["web_polled"]["frame_gap_ms_p99"] is not None, results["web_polled"]
    assert results["web_poll_answers"] > 0 and results["web_poll_failed"] == 0, results
    # the heap floor on x64 and on the board's heap model, side by side
    assert results["heap_floor_x64_bytes"] == results["ours"]["heap_floor_bytes"]
    if os.path.exists(RP2MODEL):
        assert isinstance(results["heap_floor_rp2model_bytes"], int), results
    else:
        assert results["heap_floor_rp2model_bytes"] is None and results["heap_floor_models_note"]
    assert results["heap_floor_rp2model_frozen_bytes"] is None  # only with --frozen
    bench_md = (tmp_path / "BENCH.md").read_text()
    assert "| frames rendered |" in bench_md
    assert "## Heap floor by model" in bench_md and "| rp2model (32-bit" in bench_md
    assert results["machine"]["micropython"] in bench_md
    # the CPU figures on the emulated Pico W beside them (quick: no views, no app)
    from tools.target import rp2040

    if rp2040.missing_reason() is None:
        for key in ("render_text_us_per_frame", "health_parse_max_stretch_us", "gc_collect_us"):
            assert isinstance(results[key + "_rp2040"], int), (key, results)
        assert "render_text_us_per_frame_rp2040" in results["targets"]
        assert "| render path (rain, 16x16, 21 drops), us per frame |" in bench_md
    else:
        assert results["rp2040_note"] and "Not measured: " in bench_md


class _Probe:
    """Stands in for a Run in the bisection: its heap and whether it ran clean."""

    def __init__(self, heap_bytes, clean):
        self.heap_bytes = heap_bytes
        self.clean = clean


def test_heap_floor_bisects_to_the_smallest_clean_heap():
    from tools.bench.run import heap_floor

    need = 190 * 1024
    probed = []

    def probe(side, heap):
        probed.append(heap)
        return _Probe(heap, heap >= need)

    floor, probes = heap_floor("ours", 64 * 1024, 400 * 1024, 8 * 1024, probe)
    assert floor == 192 * 1024
    assert len(probed) <= 6  # 43 candidates: bisection, not a sweep
    assert [h for h, _ in probes] == probed
    # a main run already known clean bounds the search from above
    known = [_Probe(200 * 1024, True)]
    floor2, probes2 = heap_floor("ours", 64 * 1024, 400 * 1024, 8 * 1024, probe, known)
    assert floor2 == floor and all(h < 200 * 1024 for h, _ in probes2)
    # nothing clean on the grid: no floor
    assert (
        heap_floor("x", 64 * 1024, 128 * 1024, 32 * 1024, lambda s, h: _Probe(h, False))[0] is None
    )
