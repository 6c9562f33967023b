# netrain.compat: the one place that hides MicroPython vs CPython differences.
# SPDX-License-Identifier: MIT
"""Ticks, ``const``, ``micropython.native``/``viper`` and viper casts, async sleeps and heap
figures for both runtimes.

Every other module imports these names from here and never tests the runtime
itself. Feature detection (not ``sys.implementation``) keeps a desktop stub
called ``micropython`` from fooling us.
"""

import json as _json
import sys

try:
    import micropython  # use as @micropython.native: the compiler acts on that spelling
    from micropython import const
except ImportError:  # pragma: no cover - CPython

    def const(value):
        return value

    class micropython:  # noqa: N801 - stands in for the module name
        """``@micropython.native`` and ``@micropython.viper`` are no-ops on CPython."""

        @staticmethod
        def native(func):
            return func

        viper = native


try:
    from time import ticks_add, ticks_diff, ticks_ms, ticks_us

    IS_MICROPYTHON = True
except ImportError:  # pragma: no cover - CPython: emulate MicroPython's 30-bit ticks
    import time as _time

    IS_MICROPYTHON = False
    _TICKS_PERIOD = 1 << 30
    _TICKS_MAX = _TICKS_PERIOD - 1
    _TICKS_HALF = _TICKS_PERIOD // 2

    def ticks_ms():
        return (_time.monotonic_ns() // 1_000_000) & _TICKS_MAX

    def ticks_us():
        return (_time.monotonic_ns() // 1_000) & _TICKS_MAX

    def ticks_add(ticks, delta):
        return (ticks + delta) & _TICKS_MAX

    def ticks_diff(end, start):
        return ((end - start + _TICKS_HALF) & _TICKS_MAX) - _TICKS_HALF


# ---- viper casts ---------------------------------------------------------------
# Inside a @micropython.viper function the compiler turns a call of the global name
# ptr8/ptr16/ptr32/uint into a cast (py/compile.c, emitnative.c), even where the module
# has imported that name: these definitions are what the same source calls on CPython.
# Rules for viper code that must run on both: cast in the body (``p = ptr8(buf)``),
# not in annotations (CPython does not convert arguments); keep stored values in range
# (viper truncates, CPython raises); keep int arithmetic within 32 bits and ptr32 words
# in 0..2**31-1 (a 64-bit port reads a word unsigned, a 32-bit one signed). On MicroPython
# the names are None: calling them outside viper code is a bug.
if IS_MICROPYTHON:
    ptr8 = ptr16 = ptr32 = uint = None
else:  # pragma: no cover - CPython

    def _cast(buf, fmt):
        view = buf if isinstance(buf, memoryview) else memoryview(buf)
        if view.format == fmt:
            return view
        if view.format != "B":
            view = view.cast("B")
        return view.cast(fmt)

    def ptr8(buf):
        """Unsigned bytes of buf (a bytearray stays itself: same indexing)."""
        return buf if isinstance(buf, bytearray) else _cast(buf, "B")

    def ptr16(buf):
        """Unsigned native-order 16-bit words of buf."""
        return _cast(buf, "H")

    def ptr32(buf):
        """Native-order unsigned 32-bit words of buf."""
        return _cast(buf, "I")

    def uint(value):
        """The low 32 bits of value, as viper's uint holds them."""
        return value & 0xFFFFFFFF


import asyncio

try:
    sleep_ms = asyncio.sleep_ms
    wait_for_ms = asyncio.wait_for_ms
except AttributeError:  # pragma: no cover - CPython

    def sleep_ms(ms):
        return asyncio.sleep(ms / 1000)

    async def wait_for_ms(awaitable, ms):
        # Not asyncio.wait_for: up to 3.11 it returns the inner result when a cancel
        # lands as the inner finishes, so a cancelled task runs on (and the sim's
        # shutdown waits for it forever). asyncio.timeout is what 3.12 builds it on.
        async with asyncio.timeout(ms / 1000):
            return await awaitable


try:
    print_exception = sys.print_exception
except AttributeError:  # pragma: no cover - CPython
    import traceback as _traceback

    def print_exception(exc, file=sys.stdout):
        _traceback.print_exception(type(exc), exc, exc.__traceback__, file=file)


try:
    from gc import collect, mem_alloc, mem_free
except ImportError:  # pragma: no cover - CPython has no fixed heap to report

    def mem_free():
        return None

    def mem_alloc():
        return None

    def collect():
        pass  # reference counting frees our garbage; a full CPython GC pass is slow


# ---- TLS, sockets and streams (used by netrain.http) ------------------------
# MicroPython's native ``tls`` module, not its ``ssl`` wrapper: the wrapper
# forces CERT_NONE. CPython has only ``ssl``.
try:
    import tls as _tls

    _ssl = None
except ImportError:  # pragma: no cover - CPython
    import ssl as _ssl

    _tls = None


class _NamedContext:
    """Makes MicroPython wrap sockets with the pinned certificate's own name.

    With CERT_REQUIRED, MicroPython insists on a server_hostname and mbedTLS
    checks it against the certificate; asyncio.open_connection would pass the
    IP literal, which a console's self-signed certificate rarely names. The pin
    is the trust anchor, so the name check is made to pass by construction.
    """

    def __init__(self, ctx, name):
        self._ctx = ctx
        self._name = name

    def wrap_socket(
        self, sock, server_side=False, do_handshake_on_connect=True, server_hostname=None
    ):
        return self._ctx.wrap_socket(
            sock,
            server_side=server_side,
            do_handshake_on_connect=do_handshake_on_connect,
            server_hostname=self._name or server_hostname,
        )


def tls_client_context(cadata_der, insecure, server_name=None):
    """A client context that trusts only ``cadata_der``, or nothing at all if insecure.

    ``server_name`` is a name the pinned certificate itself carries (MicroPython
    verifies it; CPython skips hostname checks and relies on the pin).
    Pass the result as ``ssl=`` to ``asyncio.open_connection``.
    """
    if _tls is not None:
        ctx = _tls.SSLContext(_tls.PROTOCOL_TLS_CLIENT)
        if insecure:
            ctx.verify_mode = _tls.CERT_NONE
            return ctx
        ctx.verify_mode = _tls.CERT_REQUIRED
        ctx.load_verify_locations(cadata_der)  # positional only on MicroPython
        return _NamedContext(ctx, server_name)
    ctx = _ssl.SSLContext(_ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    if insecure:
        ctx.verify_mode = _ssl.CERT_NONE
    else:
        ctx.verify_mode = _ssl.CERT_REQUIRED
        ctx.load_verify_locations(cadata=cadata_der)
    return ctx


def is_cert_error(exc):
    """True if exc reports a server certificate that failed verification."""
    if _ssl is not None:
        return isinstance(exc, _ssl.SSLCertVerificationError)
    # mbedTLS verify flags arrive as a ValueError carrying their descriptions
    return isinstance(exc, ValueError) and "ertificate" in str(exc)


def is_tls_error(exc):
    """True if exc comes from the TLS layer (handshake, alert, bad record)."""
    if _ssl is not None:
        return isinstance(exc, _ssl.SSLError)
    # MicroPython raises mbedTLS failures as OSError(negative code, text), and
    # set-up refusals (e.g. "CERT_REQUIRED requires server_hostname") as ValueError
    if isinstance(exc, ValueError):
        return True
    code = exc.args[0] if isinstance(exc, OSError) and exc.args else 0
    return isinstance(code, int) and code < 0


async def resolve_ip(host, port):
    """Resolve host to an IP literal string with the runtime's own lookup: off the
    event loop on CPython, blocking on MicroPython (the device uses netrain.dns)."""
    import socket

    if IS_MICROPYTHON:
        infos = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    else:
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addr = infos[0][-1]
    if isinstance(addr, tuple):  # CPython and lwIP ports: (ip, port[, ...])
        return addr[0]
    family, raw, _ = socket.sockaddr(addr)  # unix port: a raw struct sockaddr
    return socket.inet_ntop(family, raw)


def readinto(reader, buf):
    """Awaitable reading up to len(buf) bytes into buf, giving the count.

    0 means end of stream; None means nothing could be handed out yet (a
    MicroPython TLS stream in the middle of a record): read again.
    """
    if hasattr(reader, "readinto"):  # MicroPython streams: straight into buf
        return reader.readinto(buf)
    return _read_copy(reader, buf)


async def _read_copy(reader, buf):  # pragma: no cover - CPython StreamReader has no readinto
    data = await reader.read(len(buf))
    buf[: len(data)] = data
    return len(data)


def find_byte_windowed(buf, needle, start, end):
    """Index of the one-byte ``needle`` in bytearray buf[start:end], or -1.

    For MicroPython before bytearray.find (1.2x on the Pico W): bytes.find in C
    over short copied windows, since a byte loop in bytecode costs milliseconds
    per response on an RP2040 while the copies cost a few hundred bytes.
    """
    view = memoryview(buf)
    while start < end:
        stop = min(end, start + 128)
        i = bytes(view[start:stop]).find(needle)
        if i >= 0:
            return start + i
        start = stop
    return -1


if hasattr(bytearray, "find"):

    def find_byte(buf, needle, start, end):
        """Index of the one-byte ``needle`` in bytearray buf[start:end], or -1."""
        return buf.find(needle, start, end)

else:  # pragma: no cover - older MicroPython
    find_byte = find_byte_windowed


async def close_stream(writer):
    """Close an asyncio stream now, without waiting on the peer.

    MicroPython closes the socket in ``wait_closed`` (its ``close`` does nothing) and
    never blocks there; CPython's ``wait_closed`` waits for the peer, so it is skipped.
    """
    try:
        writer.close()
        if IS_MICROPYTHON:
            await writer.wait_closed()
    except OSError:
        pass  # the peer is gone already


def tls_capture_context():
    """(ctx, peer_der(writer)): a client context that accepts any certificate, and a
    function giving the server's certificate (DER) once connected. For first-use
    setup only, where the user then confirms its fingerprint and it is pinned."""
    if _tls is not None:
        # No getpeercert() in MicroPython's mbedTLS builds: mbedTLS hands every
        # certificate of the chain to verify_callback; depth 0 is the server's own.
        seen = []
        ctx = _tls.SSLContext(_tls.PROTOCOL_TLS_CLIENT)
        ctx.verify_mode = _tls.CERT_OPTIONAL

        def keep(cert, depth):
            if depth == 0:
                seen.append(bytes(cert))
            return 0

        ctx.verify_callback = keep
        return ctx, lambda writer: seen[-1] if seen else None
    ctx = _ssl.SSLContext(_ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = _ssl.CERT_NONE
    return ctx, lambda writer: writer.get_extra_info("ssl_object").getpeercert(True)


# ---- end of TLS, sockets and streams -----------------------------------------


try:
    _json.loads(memoryview(b"0"))
    loads_json = _json.loads  # MicroPython parses straight from a buffer
except TypeError:  # pragma: no cover - CPython wants str or bytes

    def loads_json(buf):
        return _json.loads(bytes(buf))
