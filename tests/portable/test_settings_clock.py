# Portable tests of persisted settings (atomic, corruption-safe) and the HTTP-date clock.
import os

from netrain.settings import Settings
from netrain.wallclock import WallClock, days_from_civil, parse_http_date

TMP = "/tmp/netrain-test-settings.json"


def _clean():
    for path in (TMP, TMP + ".tmp"):
        try:
            os.remove(path)
        except OSError:
            pass


def test_defaults_when_missing():
    _clean()
    s = Settings(TMP).load()
    assert s.get("gain_pct") == 100 and s.get("pending") == [] and not s.corrupt


def test_round_trip_and_coalesced_save():
    _clean()
    s = Settings(TMP).load()
    s.set("brightness", 0.7, 1000)
    assert not s.maybe_save(1500)  # too soon: coalesce
    assert s.maybe_save(3100)
    assert not s.maybe_save(9000)  # nothing new
    again = Settings(TMP).load()
    assert again.get("brightness") == 0.7
    _clean()


def test_corrupt_file_falls_back_to_defaults():
    for text in ('{"brightness": 0.5, "gain', "[]", '{"gain_pct": "loud"}'):
        with open(TMP, "w") as f:
            f.write(text)
        s = Settings(TMP).load()
        assert s.corrupt, text
        assert s.get("gain_pct") == 100
    s.set("gain_pct", 200, 0)
    s.save()
    assert not Settings(TMP).load().corrupt
    _clean()


def test_pending_entries_persist_immediately():
    _clean()
    s = Settings(TMP).load()
    s.add_pending({"key": "pause:kids", "group": "kids", "due_s": 5})
    s.add_pending({"key": "pause:kids", "group": "kids", "due_s": 9})
    assert Settings(TMP).load().get("pending") == [
        {"key": "pause:kids", "group": "kids", "due_s": 9}
    ]
    s.remove_pending("pause:kids")
    assert Settings(TMP).load().get("pending") == []
    _clean()


def test_http_date():
    assert days_from_civil(1970, 1, 1) == 0
    assert parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == 784111777
    assert parse_http_date("Mon, 23 Nov 2026 07:42:00 GMT") == 1795419720
    assert parse_http_date("garbage") is None
    assert parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT") is None


def test_wallclock_advances_with_ticks():
    now = [1000]
    clock = WallClock(lambda: now[0])
    assert clock.now_s() is None
    clock.sync("Sun, 06 Nov 1994 08:49:37 GMT")
    now[0] += 5000
    assert clock.now_s() == 784111777 + 5
