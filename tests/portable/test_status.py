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


# -- the console: one line per change, rate-limited per topic -------------------------


def _console():
    from _util import FakeClock

    from netrain.console import Console

    clock = FakeClock(0)
    lines = []
    return Console(clock, lines.append), clock, lines


def test_status_changes_print_one_line_with_the_detail():
    console, _, lines = _console()
    status = Status(console.status)
    status.set("controller", "auth_failed", "HTTP 401")
    status.set("controller", "auth_failed", "HTTP 401")  # no change, no line
    status.clear("controller")
    assert lines == ["netrain: controller: auth_failed (HTTP 401)", "netrain: controller: ok"]


def test_a_flapping_topic_is_capped_and_says_how_much_it_hid():
    console, clock, lines = _console()
    for i in range(40):  # a link flapping every second
        console.line("link", "down" if i % 2 else "up")
        clock.advance(1000)
    assert len(lines) == console.burst and lines[0] == "netrain: link: up"
    console.line("wifi", "joined")  # other topics have their own budget
    assert lines[-1] == "netrain: wifi: joined"
    clock.advance(console.window_ms)
    console.line("link", "up")
    assert lines[-1] == "netrain: link: up (35 earlier link lines suppressed)", lines[-1]
    console.line("link", "down")
    assert lines[-1] == "netrain: link: down"


class FakeWlan:
    """A WLAN that joins at the first status check, then can drop the link."""

    def __init__(self):
        self.up = False

    def active(self, on):
        pass

    def config(self, **kw):
        pass

    def disconnect(self):
        self.up = False

    def connect(self, ssid, password):
        self.up = True

    def status(self):
        return 3 if self.up else 1

    def isconnected(self):
        return self.up

    def ifconfig(self):
        return ("192.168.1.77", "255.255.255.0", "192.168.1.1", "192.168.1.1")


def test_wifi_logs_joins_and_lost_links_never_the_password():
    import asyncio

    from netrain.compat import sleep_ms
    from netrain.wifi import WifiSupervisor

    console, _, lines = _console()
    wlan = FakeWlan()
    wifi = WifiSupervisor(wlan, "home", "s3cret", Status(console.status), log=console.line)
    wifi.check_ms = 10

    async def scenario():
        task = asyncio.create_task(wifi.run())
        await sleep_ms(50)
        wlan.up = False  # the router reboots
        await sleep_ms(50)
        task.cancel()

    asyncio.run(scenario())
    text = "\n".join(lines)
    assert "netrain: wifi: joined home as 192.168.1.77" in lines, text
    assert "netrain: wifi: link lost" in lines, text
    assert lines.count("netrain: link: connecting_wifi (home)") == 2, text
    assert "s3cret" not in text
