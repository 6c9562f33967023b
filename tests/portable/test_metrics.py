# Metrics: late frame gaps, render time and the allocation count across collections.
# SPDX-License-Identifier: MIT
from netrain.compat import collect
from netrain.metrics import Metrics


def test_gaps_over_twice_the_period_and_render_time():
    m = Metrics(0, frame_period_us=10_000)
    m.frame(1_000, 0, start_us=0)  # first frame: no gap yet
    m.frame(11_000, 0, start_us=10_500)
    m.frame(31_000, 0, start_us=30_000)  # gap 20 ms: not over 2x
    m.frame(52_000, 0, start_us=51_500)  # gap 21 ms: over
    second = m.second(1000)
    assert second["frame_gaps_over_2x"] == 1
    assert second["render_us"] == 1_000 + 500 + 1_000 + 500
    m.frame(100_000, 0, start_us=99_000)  # gap 48 ms: over, in the next second
    summary = m.summary(2000)
    assert summary["frame_gaps_over_2x"] == 2
    assert summary["render_us_per_frame"] == (3_000 + 1_000) // 5


def test_alloc_since_is_not_lowered_by_a_collection():
    m = Metrics(0)
    mark = m.allocated()
    if mark is None:  # CPython: no fixed heap to count
        assert m.alloc_since(mark) is None
        return
    kept = bytearray(4000)
    m.frame(1_000, 0)
    collect()
    m.after_collect()
    m.frame(2_000, 0)
    assert m.alloc_since(mark) >= len(kept)
