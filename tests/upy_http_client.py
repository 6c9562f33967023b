# Drives netrain.http against tests/test_http_client.py's servers; runs on MicroPython and CPython.
# SPDX-License-Identifier: MIT
"""Usage: micropython tests/upy_http_client.py '<json config>'

Runs every scenario and prints one JSON object {scenario: result}. The config
names the servers (tls_port, plain_port, refused_port) and the PEM files
(pem: the server's certificate, wrong_pem: another one). pytest imports
``run`` and calls it in-process on CPython with the same config.
"""

import asyncio
import json
import sys

from netrain.cert import pem_to_der
from netrain.compat import ticks_diff, ticks_ms
from netrain.http import Client
from netrain.http_parse import HttpError


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def _summary(body):
    return {"len": len(body), "sum": sum(body) % 65536}


def _counters(client):
    return {
        "connections": client.connections_opened,
        "handshakes": client.tls_handshakes,
        "requests": client.requests,
        "bytes_in": client.bytes_in,
    }


async def _kind(client, path, **kwargs):
    try:
        await client.request("GET", path, **kwargs)
    except HttpError as exc:
        return exc.kind
    return None


def _pinned(cfg, **kwargs):
    der = pem_to_der(_read(cfg["pem"]))
    return Client("https://127.0.0.1:%d" % cfg["tls_port"], ca_der=der, **kwargs)


async def keepalive(cfg):
    client = _pinned(cfg)
    bodies = []
    for _ in range(5):
        resp = await client.request("GET", "/keepalive/ok")
        bodies.append(bytes(resp.body).decode())
    await client.close()
    return {"bodies": bodies, "counters": _counters(client)}


async def bodies(cfg):
    client = _pinned(cfg)
    resp = await client.request("GET", "/bodies/len?n=3000")
    fixed = _summary(resp.body)
    resp = await client.request("GET", "/bodies/chunked?n=9000", max_body_bytes=10000)
    chunked = _summary(resp.body)
    resp = await client.request("POST", "/bodies/echo", body='{"x": "%s"}' % ("y" * 100))
    echo = json.loads(bytes(resp.body).decode())
    await client.close()
    return {"fixed": fixed, "chunked": chunked, "echo": echo, "counters": _counters(client)}


async def limits(cfg):
    client = _pinned(cfg, max_body_bytes=1024)
    over = await _kind(client, "/limits/len?n=5000")
    over_chunked = await _kind(client, "/limits/chunked?n=5000")
    headers = await _kind(client, "/limits/many-headers?n=100")
    after = (await client.request("GET", "/limits/ok")).status
    await client.close()
    return {"over": over, "over_chunked": over_chunked, "headers": headers, "after": after}


async def stall(cfg):
    client = _pinned(cfg, connect_timeout_ms=500, response_timeout_ms=300, request_timeout_ms=3000)
    t0 = ticks_ms()
    kind = await _kind(client, "/stall/stall")
    elapsed_ms = ticks_diff(ticks_ms(), t0)
    await client.close()
    return {"kind": kind, "elapsed_ms": elapsed_ms}


async def reconnect(cfg):
    client = _pinned(cfg)
    statuses = []
    for path in ("/reconnect/close", "/reconnect/close", "/reconnect/drop", "/reconnect/drop"):
        statuses.append((await client.request("GET", path)).status)
    statuses.append((await client.request("GET", "/reconnect/ok")).status)
    await client.close()
    return {"statuses": statuses, "counters": _counters(client)}


async def cookies(cfg):
    client = _pinned(cfg)
    resp = await client.request("POST", "/cookies/login", body="{}")
    csrf = resp.headers.get("x-csrf-token")
    dropped = "x-frame-options" in resp.headers
    resp = await client.request("GET", "/cookies/cookie-echo")
    await client.close()
    return {"csrf": csrf, "dropped": not dropped, "echo": bytes(resp.body).decode()}


async def redirect(cfg):
    client = Client("http://127.0.0.1:%d" % cfg["plain_port"])
    resp = await client.request("GET", "/redirect/")
    await client.close()
    return {"status": resp.status, "location": resp.headers.get("location")}


async def concurrent(cfg):
    client = _pinned(cfg)

    async def one(i):
        resp = await client.request("GET", "/concurrent/len?n=%d" % (100 + i))
        return len(resp.body)

    sizes = await asyncio.gather(one(0), one(1), one(2), one(3))
    await client.close()
    return {"sizes": list(sizes), "counters": _counters(client)}


async def wrong_cert(cfg):
    der = pem_to_der(_read(cfg["wrong_pem"]))
    client = Client("https://127.0.0.1:%d" % cfg["tls_port"], ca_der=der)
    return {"kind": await _kind(client, "/wrong_cert/ok")}


async def insecure(cfg):
    client = Client("https://127.0.0.1:%d" % cfg["tls_port"], insecure=True)
    status = (await client.request("GET", "/insecure/ok")).status
    await client.close()
    return {"status": status, "insecure": client.insecure}


async def dns(cfg):
    client = Client("http://localhost:%d" % cfg["plain_port"])  # resolved once, blocking
    status = (await client.request("GET", "/dns/ok")).status
    await client.close()
    return {"status": status}


async def refused(cfg):
    client = Client("http://127.0.0.1:%d" % cfg["refused_port"])
    return {"kind": await _kind(client, "/refused/ok")}


SCENARIOS = (
    ("keepalive", keepalive),
    ("bodies", bodies),
    ("limits", limits),
    ("stall", stall),
    ("reconnect", reconnect),
    ("cookies", cookies),
    ("redirect", redirect),
    ("concurrent", concurrent),
    ("wrong_cert", wrong_cert),
    ("insecure", insecure),
    ("dns", dns),
    ("refused", refused),
)


async def run(cfg):
    results = {}
    for name, scenario in SCENARIOS:
        try:
            results[name] = await scenario(cfg)
        except Exception as exc:  # report and go on: one broken scenario must not hide the rest
            results[name] = {"unexpected": "%s: %s" % (type(exc).__name__, exc)}
    return results


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run(json.loads(sys.argv[1])))))
