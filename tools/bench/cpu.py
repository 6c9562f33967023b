# tools.bench.cpu: the CPU figures on the emulated Pico W (tools.target's rp2040 model).
# SPDX-License-Identifier: MIT
"""``rp2040_figures(quick, log) -> (figures, note)``: the render path, each view per board,
one poll's streamed stat/health parse, a GC at the app's heap and the demo app for 10
emulated seconds, measured by ``python -m tools.target rp2040`` (keys end in ``_rp2040``).
``--quick`` skips the views and the app (about a minute of emulation). Without the model
or node: no figures and a one-line note.
"""

from tools.target import rp2040
from tools.target.__main__ import PROGRAMS, measure

QUICK_PROGRAMS = ("render", "health", "gc")
#: board sizes the views are measured at (Stellar, Galactic, Cosmic)
BOARDS = ("16x16", "53x11", "32x32")
VIEWS = ("rain", "history", "split", "numbers")
RENDER_TARGET_US = 4000  # the render path with the status text, per frame
STRETCH_TARGET_US = 8000  # a poll never holds the loop longer
# (key without _rp2040, label, format) for BENCH.md
ROWS = (
    ("render_us_per_frame", "render path (rain, 16x16, 21 drops), us per frame", "%d"),
    ("render_text_us_per_frame", "  with the scrolling status text, us per frame", "%d"),
    ("render_text_us_worst", "  with the text, worst frame, us", "%d"),
    ("render_alloc_bytes", "  bytes allocated per frame (rain / with text)", "%s"),
    ("health_parse_max_stretch_us", "poll of stat/health: longest stretch, us", "%d"),
    ("health_parse_max_stretch_us_536", "  the same reply in 536-byte reads, us", "%d"),
    ("health_loads_us", "  (before: json.loads of the whole body, us)", "%d"),
    ("health_poll_alloc_bytes", "  bytes allocated by the poll", "%d"),
    ("gc_collect_us", "gc.collect() at the app's heap, us", "%d"),
    ("gc_mem_free_call_us", "gc.mem_free() (one heap walk), us", "%d"),
    ("app_fps", "demo app, 10 s: fps", "%.2f"),
    ("app_frames_pct", "  frames, % of 60 FPS", "%.2f"),
    ("app_frame_gap_ms_p99", "  frame gap p99, ms", "%s"),
    ("app_frame_gap_ms_max", "  frame gap max, ms", "%.1f"),
    ("app_render_us_per_frame", "  render path in the app, us per frame", "%d"),
    ("app_cost_gc_collect_us", "  a controlled collect (8 a second), us", "%d"),
    ("app_cost_heap_sample_us", "  the heap sample (1 a second), us", "%d"),
    ("app_cost_spawn_tick_us", "  a spawn tick (40 a second), us", "%d"),
    ("app_cost_poll_work_us", "  a demo poll's work (1 a second), us", "%d"),
    ("app_cost_report_us", "  the report (1 a second), us", "%d"),
    ("app_cost_status_change_us", "  a status change (text re-rendered), us", "%d"),
)


def rp2040_figures(quick, log):
    reason = rp2040.missing_reason()
    if reason:
        log("rp2040: skipped: " + reason)
        return {}, reason
    try:
        figures = measure(QUICK_PROGRAMS if quick else PROGRAMS, log=lambda t: log(t))
    except rp2040.TargetMissing as exc:
        log("rp2040: skipped: %s" % exc)
        return {}, str(exc)
    return figures, None


def targets(figures):
    """The CPU targets of the figures measured (a quick run has no app)."""
    period_ms = 1000 / 60
    checks = (
        ("render_text_us_per_frame", "<= %d" % RENDER_TARGET_US, lambda v: v <= RENDER_TARGET_US),
        ("render_alloc_bytes", "== 0", lambda v: v == 0),
        ("render_text_alloc_bytes", "== 0", lambda v: v == 0),
        (
            "health_parse_max_stretch_us",
            "<= %d" % STRETCH_TARGET_US,
            lambda v: v <= STRETCH_TARGET_US,
        ),
        ("app_frames_pct", ">= 99", lambda v: v >= 99),
        (
            "app_frame_gap_ms_p99",
            "<= %.1f (2x frame period)" % (2 * period_ms),
            lambda v: v <= 2 * period_ms,
        ),
    )
    out = {}
    for key, want, check in checks:
        got = figures.get(key + "_rp2040")
        if got is not None:
            out[key + "_rp2040"] = {"want": want, "got": got, "met": bool(check(got))}
    return out


def _cell(figures, key, fmt):
    if key == "render_alloc_bytes":
        keys = ("render_alloc_bytes_rp2040", "render_text_alloc_bytes_rp2040")
        pair = tuple(figures.get(k) for k in keys)
        return "-" if None in pair else "%d / %d" % pair
    value = figures.get(key + "_rp2040")
    return "-" if value is None else fmt % value


def markdown(figures, note):
    """BENCH.md's section: one table of figures, one of the views per board."""
    if note:
        return "Not measured: %s." % note
    rows = ["| figure | emulated RP2040 |", "|---|--:|"]
    rows += ["| %s | %s |" % (label, _cell(figures, key, fmt)) for key, label, fmt in ROWS]
    views = ["| view, us per frame (with text) | %s |" % " | ".join(BOARDS)]
    views.append("|---|" + "--:|" * len(BOARDS))
    for view in VIEWS:
        cells = []
        for board in BOARDS:
            plain = figures.get("render_us_per_frame_%s_%s_rp2040" % (view, board))
            text = figures.get("render_text_us_per_frame_%s_%s_rp2040" % (view, board))
            cells.append("-" if plain is None else "%d (%d)" % (plain, text))
        views.append("| %s | %s |" % (view, " | ".join(cells)))
    return "\n".join(rows) + "\n\n" + "\n".join(views)
