# netrain.web.probe: the setup's controller test, run from the board itself.
# SPDX-License-Identifier: MIT
"""Fetch the controller's certificate (any: the user confirms its fingerprint),
then log in with that certificate pinned and read health, as the firmware will."""

import asyncio

from ..compat import close_stream, collect, resolve_ip, tls_capture_context, wait_for_ms
from ..http import is_ip_literal, parse_url
from ..source import Sample, SourceError
from ..unifi import _KEEP_HEADERS, Unifi, UnifiSource

TIMEOUT_MS = 8000


async def fetch_der(url, timeout_ms=TIMEOUT_MS):
    """The DER certificate the server at ``url`` presents."""
    _, host, port, _ = parse_url(url)
    ip = host if is_ip_literal(host) else await resolve_ip(host, port)
    ctx, peer_der = tls_capture_context()
    reader, writer = await wait_for_ms(asyncio.open_connection(ip, port, ssl=ctx), timeout_ms)
    try:
        # MicroPython's handshake runs at the first write: send a harmless request.
        writer.write(b"HEAD / HTTP/1.0\r\n\r\n")
        await wait_for_ms(writer.drain(), timeout_ms)
        await wait_for_ms(reader.read(1), timeout_ms)
        der = peer_der(writer)
    finally:
        # MicroPython's close() alone keeps the socket and its TLS state until the GC
        # finds them: the pinned connection that follows needs that heap.
        await close_stream(writer)
    if not der:
        raise OSError("no certificate received")
    return der


async def probe(url, site, api_key, username, password, timeout_ms=TIMEOUT_MS):
    """(ok, message, der): ``der`` is the certificate the test passed with."""
    from ..http import Client

    try:
        der = await fetch_der(url, timeout_ms)
    except Exception as exc:  # any failure to reach it is the user's message
        return False, "cannot reach %s over TLS: %s" % (url, exc), None
    collect()  # the first connection's TLS buffers, before the pinned one needs a 16 KB block
    try:
        client = Client(
            url,
            ca_der=der,
            keep_headers=_KEEP_HEADERS,
            max_body_bytes=0,  # a buffer per reply, as the firmware: health is streamed
            connect_timeout_ms=timeout_ms,
            response_timeout_ms=timeout_ms,
            request_timeout_ms=2 * timeout_ms,
        )
    except (MemoryError, ValueError) as exc:  # no room, or a certificate mbedTLS refuses
        return False, "controller test failed: %s" % exc, None
    source = UnifiSource(Unifi(client, site, api_key, username, password), learn_plan=False)
    sample = Sample()
    try:
        await source.fetch(sample)
    except SourceError as exc:
        return False, "the controller answered but: %s" % exc.message, None
    except Exception as exc:  # noqa: BLE001 - reported to the user, not swallowed
        return False, "controller test failed: %s" % exc, None
    finally:
        try:
            await source.close()
        except Exception:  # noqa: S110 - closing a dead connection
            pass
    rate = "%d/%d kB/s down/up" % (sample.down_bytes_per_s // 1000, sample.up_bytes_per_s // 1000)
    return True, "controller answers: WAN %s" % rate, der
