# Metrics: late frame gaps, render time and the allocation count across collections.
# SPDX-License-Identifier: MIT
from netrain import metrics
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
    m = Metrics(0, count_alloc=True)
    mark = m.allocated()
    if mark is None:  # CPython: no fixed heap to count
        assert not m.count_alloc and m.alloc_since(mark) is None
        return
    kept = bytearray(4000)
    m.frame(1_000, 0)
    collect()
    m.after_collect(0)
    m.frame(2_000, 0)
    assert m.alloc_since(mark) >= len(kept)


class HeapWalks:
    """Stands in for gc.mem_alloc / gc.mem_free in netrain.metrics and counts the calls
    (on rp2 each one walks the allocation table: ~7 ms)."""

    def __init__(self):
        self.calls = 0
        self.free = 50_000

    def __enter__(self):
        self._saved = metrics.mem_alloc, metrics.mem_free
        metrics.mem_alloc = self.alloc
        metrics.mem_free = self.mem_free
        return self

    def __exit__(self, *exc):
        metrics.mem_alloc, metrics.mem_free = self._saved

    def alloc(self):
        self.calls += 1
        return 1000

    def mem_free(self):
        self.calls += 1
        self.free -= 100
        return self.free


def test_the_device_never_counts_allocations_and_samples_the_heap_once_a_second():
    with HeapWalks() as walks:
        m = Metrics(0)  # the device's default: count_alloc off
        for i in range(120):  # two seconds at 60 FPS, a controlled collection every 125 ms
            now_ms = i * 1000 // 60
            m.frame(now_ms * 1000, None, now_ms * 1000)
            if i % 8 == 0:
                m.after_collect(now_ms)
        assert m.allocated() is None and m.alloc_since(m.allocated()) is None
        second = m.second(2000)
    assert walks.calls == 2  # mem_free at 0 ms and at ~1067 ms, nothing else
    assert second["heap_free"] == m.heap_free == 49_800 and second["heap_min_free"] == 49_800
    assert second["alloc_bytes"] is None and second["render_alloc_bytes"] is None


def test_the_host_counts_every_frame_and_samples_after_every_collection():
    with HeapWalks() as walks:
        m = Metrics(0, count_alloc=True)
        assert m.count_alloc
        m.frame(1_000, 0)
        m.after_collect(0)
        m.after_collect(125)
        second = m.second(1000)
    assert walks.calls == 1 + 1 + 2 * 2  # init, frame, two collections (alloc and free)
    assert second["heap_free"] == 49_800 and second["alloc_bytes"] == 0
