# Portable tests of netrain.compat.
from netrain import compat
from netrain.compat import micropython


def test_ticks_diff_wraps():
    start = compat.ticks_add(compat.ticks_ms(), -5)
    later = compat.ticks_add(start, 10)
    assert compat.ticks_diff(later, start) == 10
    assert compat.ticks_diff(start, later) == -10


def test_const_is_identity():
    assert compat.const(42) == 42


def test_native_keeps_behaviour():
    @micropython.native
    def add(a, b):
        return a + b

    assert add(2, 3) == 5


def test_sleep_ms_runs():
    import asyncio

    async def go():
        t0 = compat.ticks_ms()
        await compat.sleep_ms(2)
        return compat.ticks_diff(compat.ticks_ms(), t0)

    assert asyncio.run(go()) >= 0
