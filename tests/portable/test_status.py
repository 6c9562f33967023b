# Portable tests of the state model and its on-panel band.
from _util import raises

from netrain.status import OK, Overlay, Status

W = H = 16


def lit_rows(fb):
    """Rows with any lit pixel (4 bytes per pixel, as picographics' RGB888 buffer)."""
    rows = set()
    for i in range(0, len(fb), 4):
        if fb[i] or fb[i + 1] or fb[i + 2]:
            rows.add(i // 4 // W)
    return rows


def test_the_worst_state_of_any_slot_wins_and_clearing_falls_back():
    status = Status()
    assert status.current == OK and status.message() == ""
    status.set("data", "stale")
    status.set("controller", "controller_unreachable", "TIMEOUT")
    assert status.current == "controller_unreachable"
    assert status.message() == "NO CONTROLLER: TIMEOUT"
    status.set("link", "connecting_wifi")
    assert status.current == "connecting_wifi"
    status.clear("link")
    status.clear("controller")
    assert status.current == "stale" and status.message() == "NO FRESH DATA"


def test_a_new_detail_is_a_change_and_the_same_one_is_not():
    status = Status()
    status.set("controller", "controller_error", "HTTP 503")
    seen = status.changes
    status.set("controller", "controller_error", "HTTP 503")
    assert status.changes == seen
    status.set("controller", "controller_error", "NOT JSON")
    assert status.changes == seen + 1
    assert status.message() == "CONTROLLER ERROR: NOT JSON"


def test_unknown_state_is_refused():
    assert "nonsense" in str(raises(ValueError, Status().set, "data", "nonsense"))


def test_overlay_draws_a_band_only_when_something_is_wrong():
    status = Status()
    overlay = Overlay(status, W, H)
    fb = bytearray(W * H * 4)
    overlay.draw(fb, 0)
    assert lit_rows(fb) == set()
    status.set("controller", "controller_unreachable", "NAME NOT FOUND")
    overlay.draw(fb, 0)
    rows = lit_rows(fb)
    assert rows and min(rows) >= H - Overlay.band_px, rows
    status.clear("controller")
    fb = bytearray(W * H * 4)
    overlay.draw(fb, 100)
    assert lit_rows(fb) == set()
