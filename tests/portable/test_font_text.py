# Portable tests of netrain.font and netrain.text (pytest and the MicroPython unix port).
import gc

from _util import FakeClock

from netrain import compat, font, text

# Distinct glyphs the LEDs must not confuse (lowercase folds to these).
_CONFUSABLE = ("0O", "5S", "8B", "1I|!", "2Z", "6G", "UV", "VY", "XK", "MWN", "OQD", ".,'")


def _art(ch):
    """Rows of one glyph as strings of '#' and '.', top row first."""
    cols = font.glyph_columns(ch)
    return [
        "".join("#" if cols[x] >> row & 1 else "." for x in range(len(cols))) for row in range(5)
    ]


def _fb(width, height, fill=0):
    fb = bytearray(width * height * 4)
    if fill:
        for i in range(len(fb)):
            if i & 3 != 3:
                fb[i] = fill
    return fb


def _lit(fb, width, height):
    """Set of (x, y) whose pixel is not black."""
    out = set()
    for y in range(height):
        for x in range(width):
            p = (y * width + x) * 4
            if fb[p] or fb[p + 1] or fb[p + 2]:
                out.add((x, y))
    return out


def _expected(width, height, s, x, y):
    """Reference rendering from the glyph table, clipped: the pixels draw_text must light."""
    out = set()
    for ch in s:
        for bits in font.glyph_columns(ch):
            for row in range(5):
                if bits >> row & 1 and 0 <= x < width and 0 <= y + row < height:
                    out.add((x, y + row))
            x += 1
        x += 1
    return out


def test_every_printable_ascii_char_has_a_glyph():
    for code in range(32, 127):
        ch = chr(code)
        cols = font.glyph_columns(ch)
        assert 1 <= len(cols) <= 5, ch
        assert font.char_width(ch) == len(cols) == font.char_width(code)
        for bits in cols:
            assert bits < 1 << font.HEIGHT, ch  # 5 rows at most
        if ch == " ":
            assert max(cols) == 0
        else:
            assert max(cols) > 0, ch
            assert cols[0] and cols[-1], ch  # no blank edge columns: spacing is separate


def test_lowercase_folds_and_unknown_gets_fallback():
    for code in range(ord("a"), ord("z") + 1):
        assert font.glyph_columns(chr(code)) == font.glyph_columns(chr(code - 32))
    fallback = font.glyph_columns(chr(200))
    assert font.glyph_index(200) == font.FALLBACK
    assert font.glyph_columns("\t") == font.glyph_columns("\u00e9") == fallback
    assert font.glyph_columns(127) == fallback
    for code in range(32, 127):
        assert font.glyph_columns(chr(code)) != fallback


def test_glyphs_are_distinct():
    seen = {}
    for code in list(range(32, 97)) + list(range(123, 127)):
        cols = bytes(font.glyph_columns(code))
        assert cols not in seen, (chr(code), seen.get(cols))
        seen[cols] = chr(code)
    for group in _CONFUSABLE:
        arts = [_art(ch) for ch in group]
        for i in range(len(arts)):
            for j in range(i + 1, len(arts)):
                assert arts[i] != arts[j], group


def test_known_glyph_shapes():
    assert _art("L") == ["#..", "#..", "#..", "#..", "###"]
    assert _art("1") == [".#", "##", ".#", ".#", ".#"]
    assert _art("0") == ["###", "#.#", "#.#", "#.#", "###"]
    assert _art("O") == [".##.", "#..#", "#..#", "#..#", ".##."]
    assert _art("M") == ["#...#", "##.##", "#.#.#", "#...#", "#...#"]
    assert _art(".") == [".", ".", ".", ".", "#"]


def test_text_width():
    assert font.text_width("") == 0
    assert font.text_width("1") == 2
    assert font.text_width("11") == 2 + 1 + 2
    assert font.text_width("A1.") == 3 + 1 + 2 + 1 + 1
    assert font.text_width("M W") == 5 + 1 + 2 + 1 + 5
    assert font.text_width("hello") == font.text_width("HELLO")
    assert font.text_width(b"A1.") == font.text_width("A1.")
    total = sum(font.char_width(chr(c)) for c in range(32, 127))
    assert font.text_width("".join(chr(c) for c in range(32, 127))) == total + 94


def test_draw_text_exact_pixels_of_l():
    w, h = 8, 8
    fb = _fb(w, h)
    end_x = text.draw_text(fb, w, h, "L", 2, 3, 10, 20, 30)
    assert end_x == 2 + 3
    want = {(2, 3), (2, 4), (2, 5), (2, 6), (2, 7), (3, 7), (4, 7)}
    assert _lit(fb, w, h) == want
    for x, y in want:
        p = (y * w + x) * 4
        assert fb[p] == 10 and fb[p + 1] == 20 and fb[p + 2] == 30 and fb[p + 3] == 0
    assert len(fb) == w * h * 4


def test_draw_text_exact_pixels_of_1_and_spacing():
    w, h = 8, 5
    fb = _fb(w, h)
    assert text.draw_text(fb, w, h, "11", 0, 0, 1, 1, 1) == 5
    one = {(1, 0), (0, 1), (1, 1), (1, 2), (1, 3), (1, 4)}
    assert _lit(fb, w, h) == one | {(x + 3, y) for x, y in one}


def test_draw_text_clips_at_every_edge():
    for w, h in ((16, 16), (53, 11), (32, 32), (4, 4)):
        for s, x, y in (
            ("MW@#", -3, -2),
            ("HELLO 1.5%", w - 6, h - 3),
            ("X", -10, 0),
            ("X", w, 0),
            ("X", 0, h),
            ("X", 0, -5),
            (b"K9", 1, 1),
        ):
            fb = _fb(w, h)
            end_x = text.draw_text(fb, w, h, s, x, y, 255, 255, 255)
            assert end_x == x + font.text_width(s)
            assert _lit(fb, w, h) == _expected(w, h, s, x, y), (w, h, s, x, y)
            assert len(fb) == w * h * 4
            for i in range(3, len(fb), 4):
                assert fb[i] == 0


def test_fill_and_dim_rect_clip():
    w, h = 6, 5
    fb = _fb(w, h, 200)
    text.fill_rect(fb, w, h, -2, 3, 4, 9, 1, 2, 3)
    text.dim_rect(fb, w, h, 4, -1, 9, 2, 2)
    text.fill_rect(fb, w, h, 7, 0, 3, 3, 9, 9, 9)  # entirely outside: no effect
    text.dim_rect(fb, w, h, 0, 0, 0, 5, 1)  # empty
    for y in range(h):
        for x in range(w):
            p = (y * w + x) * 4
            px = (fb[p], fb[p + 1], fb[p + 2], fb[p + 3])
            if x < 2 and y >= 3:
                assert px == (1, 2, 3, 0), (x, y)
            elif x >= 4 and y < 1:
                assert px == (50, 50, 50, 0), (x, y)
            else:
                assert px == (200, 200, 200, 0), (x, y)


def test_scroller_static_text_is_centred_and_still():
    for w, h in ((16, 16), (53, 11), (32, 32)):
        sc = text.Scroller()
        assert sc.set_text("OK 1", 0)
        assert sc.width_px == font.text_width("OK 1") == 15
        ref = _fb(w, h)
        text.draw_text(ref, w, h, "OK 1", (w - 15) // 2, 4, 0, 255, 0)
        for now_ms in (0, 500, 5000, 123456):
            fb = _fb(w, h)
            sc.draw(fb, w, h, 4, 0, 255, 0, now_ms)
            assert fb == ref, (w, now_ms)


def test_scroller_scrolls_pauses_and_loops():
    w, h = 16, 16
    msg = "WAN DOWN 12:34"
    width = font.text_width(msg)
    assert width > w
    clock = FakeClock(1000)
    sc = text.Scroller()
    sc.speed_px_per_s = 10  # 100 ms per px keeps the arithmetic exact
    sc.pause_ms = 1000
    sc.set_text(msg, clock())

    def frame():
        fb = _fb(w, h)
        sc.draw(fb, w, h, 5, 255, 255, 255, clock())
        return _lit(fb, w, h)

    at_start = _expected(w, h, msg, 0, 5)
    assert frame() == at_start
    clock.advance(999)  # still in the pause
    assert frame() == at_start
    clock.advance(1 + 300)  # 0.3 s of scrolling at 10 px/s
    assert frame() == _expected(w, h, msg, -3, 5)
    clock.advance(1000)
    assert frame() == _expected(w, h, msg, -13, 5)
    # The tail has just left; the next loop's head waits one panel width to the right.
    clock.advance((width - 13) * 100)
    assert frame() == set()
    clock.advance(400)
    assert frame() == _expected(w, h, msg, w - 4, 5)
    clock.advance((w - 4) * 100)  # back at the start: pause again
    assert frame() == at_start
    clock.advance(999)
    assert frame() == at_start
    clock.advance(101)
    assert frame() == _expected(w, h, msg, -1, 5)


def test_scroller_default_speed_and_ticks_wrap():
    msg = "THE QUICK BROWN FOX JUMPS"
    assert 10 <= text.Scroller.speed_px_per_s <= 20
    for w, h in ((16, 16), (53, 11), (32, 32)):
        start_ms = compat.ticks_add(0, -700)  # 0.7 s before the tick counter wraps
        sc = text.Scroller()
        sc.set_text(msg, start_ms)
        assert sc.width_px > w
        now_ms = compat.ticks_add(start_ms, sc.pause_ms + 1000)
        fb = _fb(w, h)
        sc.draw(fb, w, h, 3, 9, 9, 9, now_ms)
        offset = sc.speed_px_per_s  # one second of scrolling
        assert _lit(fb, w, h) == _expected(w, h, msg, -offset, 3), (w, h)


def test_scroller_background_band_dims_and_tints():
    w, h = 16, 16
    sc = text.Scroller()
    sc.set_text("HI", 0)
    band = (0, 0, 0)
    fb = _fb(w, h, 200)
    sc.draw(fb, w, h, 6, 0, 255, 0, 0, band)
    glyph = _expected(w, h, "HI", (w - sc.width_px) // 2, 6)
    for y in range(h):
        for x in range(w):
            p = (y * w + x) * 4
            px = (fb[p], fb[p + 1], fb[p + 2])
            if (x, y) in glyph:
                assert px == (0, 255, 0)
            elif 5 <= y <= 11:
                assert px == (50, 50, 50), (x, y)
            else:
                assert px == (200, 200, 200), (x, y)
    fb = _fb(w, h, 200)
    sc.draw(fb, w, h, 6, 0, 255, 0, 0, background=(30, 0, 250))
    p = (5 * w) * 4
    assert (fb[p], fb[p + 1], fb[p + 2]) == (80, 50, 255)  # tint added, saturated


def test_scroller_set_text_truncates_and_ignores_repeats():
    sc = text.Scroller()
    assert sc.width_px == 0
    assert sc.done_once(0)  # nothing to show
    long_msg = "A" * 200
    assert sc.set_text(long_msg, 0)
    assert len(sc.text) == text.Scroller.max_chars
    assert sc.text.endswith("...")
    assert sc.width_px == font.text_width(sc.text)
    fb = _fb(16, 16)
    sc.draw(fb, 16, 16, 0, 1, 1, 1, 5000)
    assert not sc.set_text(long_msg, 5000)  # unchanged: the clock keeps running
    fb2 = _fb(16, 16)
    sc.draw(fb2, 16, 16, 0, 1, 1, 1, 5000)
    assert fb == fb2
    assert sc.set_text("B", 6000)
    assert sc.text == "B" and sc.width_px == 3
    fb = _fb(16, 16)
    sc.draw(fb, 16, 16, 0, 1, 1, 1, 6000)
    assert _lit(fb, 16, 16) == _expected(16, 16, "B", 6, 0)  # old long columns gone
    assert sc.set_text("", 7000)
    fb = _fb(16, 16)
    sc.draw(fb, 16, 16, 0, 1, 1, 1, 7000, (0, 0, 0))
    assert _lit(fb, 16, 16) == set()


def test_scroller_done_once():
    sc = text.Scroller()
    sc.set_text("OK", 0)
    assert not sc.done_once(10**6)  # never drawn: panel width unknown
    sc.draw(_fb(16, 16), 16, 16, 0, 1, 1, 1, 0)
    assert not sc.done_once(sc.hold_ms - 1)
    assert sc.done_once(sc.hold_ms)

    sc = text.Scroller()
    sc.speed_px_per_s = 10
    sc.pause_ms = 500
    sc.set_text("NO INTERNET", 0)
    width = sc.width_px
    fb = _fb(16, 16)
    sc.draw(fb, 16, 16, 0, 1, 1, 1, 0)
    tail_gone_ms = 500 + width * 100
    assert not sc.done_once(tail_gone_ms - 1)
    assert sc.done_once(tail_gone_ms)
    # After whole loops have been folded into the clock it stays done.
    sc.draw(fb, 16, 16, 0, 1, 1, 1, 10 * tail_gone_ms)
    assert sc.done_once(10 * tail_gone_ms)
    sc.restart(10 * tail_gone_ms)
    assert not sc.done_once(10 * tail_gone_ms + 1)


def _heap_lock():
    """micropython.heap_lock/unlock when the runtime has them, else None."""
    if not compat.IS_MICROPYTHON:
        return None
    import micropython

    lock = getattr(micropython, "heap_lock", None)
    return (lock, micropython.heap_unlock) if lock else None


def _draw_everything(fb, scroll, still, band, now_ms):
    # Module level, not a closure: calling a closure with many cells allocates its args.
    text.draw_text(fb, 16, 16, "Hi 1.5%", -2, 3, 1, 2, 3)
    text.draw_text(fb, 16, 16, b"RAW 42", 1, 9, 1, 2, 3)
    scroll.draw(fb, 16, 16, 5, 1, 2, 3, now_ms, band)
    scroll.draw(fb, 16, 16, 5, 1, 2, 3, now_ms + 90000, background=band)
    still.draw(fb, 16, 16, 5, 1, 2, 3, now_ms)
    text.fill_rect(fb, 16, 16, -1, 14, 4, 4, 9, 9, 9)
    text.dim_rect(fb, 16, 16, 3, 3, 40, 2, 1)


def test_drawing_allocates_nothing():
    fb = _fb(16, 16)
    band = (0, 0, 0)
    scroll = text.Scroller()
    scroll.set_text("UPLINK 940 MBIT/S", 0)
    still = text.Scroller()
    still.set_text("OK", 0)
    _draw_everything(fb, scroll, still, band, 2000)  # warm-up: interns 1-char strings
    if compat.mem_alloc() is None:
        return  # CPython: no fixed heap to measure
    gc.collect()
    gc.disable()
    try:
        before = compat.mem_alloc()
        _draw_everything(fb, scroll, still, band, 2500)
        after = compat.mem_alloc()
    finally:
        gc.enable()
    assert after - before == 0, after - before
    lock = _heap_lock()
    if lock:  # stricter: any allocation at all raises MemoryError while locked
        lock[0]()
        try:
            _draw_everything(fb, scroll, still, band, 3000)
        finally:
            lock[1]()
