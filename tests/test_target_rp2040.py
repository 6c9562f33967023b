# Guard: the render path allocates nothing on the emulated Pico W (rp2040 model, armv6m .mpy).
"""Rain step+draw and the scrolling status overlay, 60 frames each, on real MicroPython rp2
firmware in rp2040js. Figures (us per frame) are printed by ``make target``, not asserted."""

import pytest

from tools.target import rp2040

REASON = rp2040.missing_reason()


@pytest.mark.skipif(REASON is not None, reason=REASON or "")
def test_render_path_allocates_nothing_on_rp2040():
    rp2040.prepare(log=lambda text: None)
    result = rp2040.run(rp2040.script("render"), timeout_s=120)
    assert result["render_alloc_probe_bytes"] > 0  # the count does see allocations
    assert result["render_drops_live"] >= 16  # a busy frame, not an empty one
    assert result["render_alloc_bytes"] == 0
    assert result["render_text_alloc_bytes"] == 0
