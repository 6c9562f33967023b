# Portable tests of the viper casts in netrain.compat: one source, both runtimes.
from array import array

from netrain.compat import micropython, ptr8, ptr16, ptr32, uint


@micropython.viper
def _bump_bytes(buf, n: int):
    p = ptr8(buf)
    for i in range(n):
        p[i] = p[i] + 1


@micropython.viper
def _sum_words(buf, n: int) -> int:
    p = ptr32(buf)
    total = 0
    for i in range(n):
        total += p[i]
    return total


@micropython.viper
def _halfwords(buf, i: int) -> int:
    p = ptr16(buf)
    return p[i]


@micropython.viper
def _low_bits(x) -> int:
    return int(uint(x) & 0xFF)


def test_ptr8_writes_through_to_a_bytearray_and_a_memoryview():
    buf = bytearray(b"\x01\x02\x03\x04")
    _bump_bytes(buf, 4)
    assert buf == bytearray(b"\x02\x03\x04\x05")
    _bump_bytes(memoryview(buf)[1:], 2)
    assert buf == bytearray(b"\x02\x04\x05\x05")


def test_ptr32_reads_the_words_of_an_array():
    assert _sum_words(array("i", [5, 7, 100]), 3) == 112
    assert _sum_words(bytearray(8), 2) == 0


def test_ptr16_reads_native_order_halfwords():
    buf = bytearray(4)
    buf[2] = 0x34
    buf[3] = 0x12
    assert _halfwords(buf, 1) in (0x1234, 0x3412)


def test_uint_keeps_the_low_bits():
    assert _low_bits(0x1FF) == 0xFF
