# netrain.metrics: frame, poll and heap counters behind the simulator's metrics stream.
# SPDX-License-Identifier: MIT
"""Counters updated on the hot paths without allocating; snapshots once a second.

The per-second object and the run summary are a public contract (``--metrics
FILE.jsonl``; docs/contracts.md, "Metrics stream"). Heap figures come from the GC on
MicroPython and are ``None`` on CPython, which has no fixed heap to report.

Allocation counts (alloc_bytes, render_alloc_bytes, poll_alloc_bytes) are a host
feature (``count_alloc``, the simulator's): on rp2 each ``gc.mem_alloc()`` or
``gc.mem_free()`` walks the allocation table (~7 ms with the app's heap), so the
device keeps them ``None`` and samples the free heap at most once a second, right
after a controlled collection, whose frame gap it then shares.
"""

from array import array

from .compat import const, mem_alloc, mem_free, ticks_diff

_GAP_BUCKETS = const(256)  # 1 ms buckets; the last one collects everything longer
_ALLOC_WRAP = const(0x3FFFFFFF)  # the running allocation count wraps, as ticks do: small ints
_HEAP_SAMPLE_MS = const(1000)  # device: one mem_free() walk a second at most


class Metrics:
    def __init__(self, start_ms, frame_period_us=16667, count_alloc=False):
        self.start_ms = start_ms
        self._alloc_mark = mem_alloc() if count_alloc else None
        #: count every allocation (the host's metrics); False on the device (see above)
        #: and on CPython (no fixed heap)
        self.count_alloc = self._alloc_mark is not None
        # A gap over twice the frame period is a visible hitch (a skipped frame at least).
        self._late_gap_us = 2 * frame_period_us
        self.frames = 0
        self.polls_ok = 0
        self.polls_failed = 0
        self.tls_handshakes = 0
        self.errors = 0
        self.actions = []  # bounded by the caller: one entry per user action
        self.down_bytes_per_s = 0
        self.up_bytes_per_s = 0
        self.state = "ok"
        self.view = "rain"  # the view on show (netrain.views.NAMES)
        self.brightness_permille = 0  # what the panel shows now: 0 while dark or asleep
        self.poll_alloc_bytes = None
        self._gaps = gaps = array("I", range(_GAP_BUCKETS))  # no temporary list at boot
        for i in range(_GAP_BUCKETS):
            gaps[i] = 0
        self._last_frame_us = None
        self._gap_max_us = 0  # this second
        self._gap_max_run_us = 0
        self._frames_at_second = 0
        self._alloc_bytes = 0  # this second, all tasks (approximate: GC runs hide some)
        self._alloc_run = 0  # since start, all tasks, modulo _ALLOC_WRAP + 1
        self._render_alloc_bytes = 0  # this second, render path only
        #: free heap right after a controlled collection (the live heap, not garbage);
        #: what Controls.state() reports, never a fresh walk of the heap
        self.heap_free = None
        self._heap_sampled_ms = None
        self._late_gaps = 0  # this second: gaps over twice the frame period
        self._late_gaps_run = 0
        self._render_us = 0  # this second: time spent in the render path
        self._render_us_run = 0
        self.heap_min_free = None
        self._seconds = 0

    def frame(self, now_us, render_alloc_bytes, start_us=None):
        """Count a shown frame; ``render_alloc_bytes`` and ``start_us`` (when the
        frame's work began) from around the render path."""
        self.frames += 1
        last = self._last_frame_us
        self._last_frame_us = now_us
        if start_us is not None:
            self._render_us += ticks_diff(now_us, start_us)
        if render_alloc_bytes is not None and render_alloc_bytes > 0:
            self._render_alloc_bytes += render_alloc_bytes
        if self.count_alloc:
            alloc = mem_alloc()
            delta = alloc - self._alloc_mark
            if delta > 0:  # negative: a collection ran in between
                self._alloc_bytes += delta
                self._alloc_run = (self._alloc_run + delta) & _ALLOC_WRAP
            self._alloc_mark = alloc
        if last is None:
            return
        gap_us = ticks_diff(now_us, last)
        if gap_us > self._gap_max_us:
            self._gap_max_us = gap_us
        if gap_us > self._late_gap_us:
            self._late_gaps += 1
        bucket = gap_us // 1000
        if bucket >= _GAP_BUCKETS:
            bucket = _GAP_BUCKETS - 1
        self._gaps[bucket] += 1

    def allocated(self):
        """A running count of bytes allocated by every task (None unless counting).
        Unlike ``mem_alloc()`` a collection does not lower it; compare with ``alloc_since``."""
        if not self.count_alloc:
            return None
        alloc = mem_alloc()
        delta = alloc - self._alloc_mark
        return (self._alloc_run + (delta if delta > 0 else 0)) & _ALLOC_WRAP

    def alloc_since(self, mark):
        """Bytes allocated since ``allocated()`` returned ``mark``."""
        if mark is None:
            return None
        return (self.allocated() - mark) & _ALLOC_WRAP

    def after_collect(self, now_ms):
        """Right after a controlled collection: sample the free heap (every time when
        counting, else at most once a second)."""
        if self.count_alloc:
            self._alloc_mark = mem_alloc()
        else:
            last = self._heap_sampled_ms
            if last is not None and ticks_diff(now_ms, last) < _HEAP_SAMPLE_MS:
                return
            self._heap_sampled_ms = now_ms
        free = mem_free()
        self.heap_free = free
        if free is not None and (self.heap_min_free is None or free < self.heap_min_free):
            self.heap_min_free = free

    def second(self, now_ms):
        """The per-second metrics object; resets the per-second counters."""
        self._seconds += 1
        frames = self.frames - self._frames_at_second
        self._frames_at_second = self.frames
        if self._gap_max_us > self._gap_max_run_us:
            self._gap_max_run_us = self._gap_max_us
        # Run totals are kept here, once a second: on a 32-bit port they outgrow small ints.
        self._late_gaps_run += self._late_gaps
        self._render_us_run += self._render_us
        snapshot = {
            "t_s": round(ticks_diff(now_ms, self.start_ms) / 1000, 3),
            "frames": self.frames,
            "fps": frames,
            "frame_gap_ms_max": self._gap_max_us / 1000,
            "frame_gaps_over_2x": self._late_gaps,
            "render_us": self._render_us,
            "heap_free": self.heap_free,
            "heap_min_free": self.heap_min_free,
            "alloc_bytes": self._alloc_bytes if self.count_alloc else None,
            "render_alloc_bytes": self._render_alloc_bytes if self.count_alloc else None,
            "poll_alloc_bytes": self.poll_alloc_bytes,
            "polls_ok": self.polls_ok,
            "polls_failed": self.polls_failed,
            "tls_handshakes": self.tls_handshakes,
            "down_bytes_per_s": self.down_bytes_per_s,
            "up_bytes_per_s": self.up_bytes_per_s,
            "state": self.state,
            "view": self.view,
            "brightness": self.brightness_permille / 1000,
            "errors": self.errors,
        }
        self._gap_max_us = 0
        self._late_gaps = 0
        self._render_us = 0
        self._alloc_bytes = 0
        self._render_alloc_bytes = 0
        return snapshot

    def gap_percentile_ms(self, fraction):
        """Frame gap (ms, bucket upper bound) below which ``fraction`` of gaps fall."""
        total = 0
        for count in self._gaps:
            total += count
        if not total:
            return None
        want = total * fraction
        seen = 0
        for ms in range(_GAP_BUCKETS):
            seen += self._gaps[ms]
            if seen >= want:
                return ms + 1
        return _GAP_BUCKETS

    def summary(self, now_ms):
        if self._gap_max_us > self._gap_max_run_us:
            self._gap_max_run_us = self._gap_max_us
        elapsed_s = ticks_diff(now_ms, self.start_ms) / 1000
        render_us = self._render_us_run + self._render_us
        return {
            "summary": True,
            "t_s": round(elapsed_s, 3),
            "frames": self.frames,
            "fps_avg": round(self.frames / elapsed_s, 2) if elapsed_s > 0 else 0,
            "frame_gap_ms_p50": self.gap_percentile_ms(0.5),
            "frame_gap_ms_p99": self.gap_percentile_ms(0.99),
            "frame_gap_ms_max": self._gap_max_run_us / 1000,
            "frame_gaps_over_2x": self._late_gaps_run + self._late_gaps,
            "render_us_per_frame": render_us // self.frames if self.frames else None,
            "polls_ok": self.polls_ok,
            "polls_failed": self.polls_failed,
            "tls_handshakes": self.tls_handshakes,
            "heap_min_free": self.heap_min_free,
            "actions": self.actions,
            "errors": self.errors,
            "state": self.state,
            "view": self.view,
            "brightness": self.brightness_permille / 1000,
        }
