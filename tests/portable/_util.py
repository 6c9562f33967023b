# Helpers shared by the portable tests (plain Python: runs under pytest and the unix port).
# SPDX-License-Identifier: MIT


def raises(exc_type, func, *args, **kwargs):
    """Call func and return the exception it raised; fail if it raised nothing."""
    try:
        func(*args, **kwargs)
    except exc_type as exc:
        return exc
    raise AssertionError("expected %s from %s" % (exc_type.__name__, func))


class FakeClock:
    """A millisecond tick counter the test moves by hand."""

    def __init__(self, start_ms=0):
        self.now_ms = start_ms

    def __call__(self):
        return self.now_ms

    def advance(self, ms):
        self.now_ms += ms
        return self.now_ms


def run_async(coro):
    """Run a coroutine to completion on a fresh loop (both runtimes)."""
    import asyncio

    return asyncio.run(coro)


#: The keys of the metrics stream the simulator writes (docs/contracts.md).
PER_SECOND_KEYS = [
    "t_s",
    "frames",
    "fps",
    "frame_gap_ms_max",
    "heap_free",
    "heap_min_free",
    "alloc_bytes",
    "polls_ok",
    "polls_failed",
    "tls_handshakes",
    "down_bytes_per_s",
    "up_bytes_per_s",
    "state",
]
SUMMARY_KEYS = [
    "frames",
    "fps_avg",
    "frame_gap_ms_p99",
    "frame_gap_ms_max",
    "polls_ok",
    "polls_failed",
    "tls_handshakes",
    "heap_min_free",
    "actions",
    "errors",
]
