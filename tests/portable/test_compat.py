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


def test_a_cancel_is_never_swallowed_by_wait_for_ms():
    """CPython 3.11's asyncio.wait_for returned the inner result when the cancel
    landed as the inner finished: the cancelled poll task ran on and the simulator's
    shutdown waited for it forever. Cancel at every phase of the loop."""
    import asyncio

    async def instant():
        return 1

    async def looper():
        while True:
            await compat.wait_for_ms(instant(), 1000)
            await asyncio.sleep(0)

    async def go():
        ran_on = []
        for phase in range(8):
            task = asyncio.create_task(looper())
            for _ in range(phase):
                await asyncio.sleep(0)
            task.cancel()
            for _ in range(20):
                await asyncio.sleep(0)
            if not task.done():
                ran_on.append(phase)
            for _ in range(50):  # end it either way, so a failure stays bounded
                if task.done():
                    break
                task.cancel()
                await asyncio.sleep(0)
        return ran_on

    assert asyncio.run(go()) == []


def test_wait_for_ms_times_out():
    import asyncio

    async def slow():
        await compat.sleep_ms(1000)

    async def go():
        try:
            await compat.wait_for_ms(slow(), 10)
        except asyncio.TimeoutError:
            return "timeout"

    assert asyncio.run(go()) == "timeout"
