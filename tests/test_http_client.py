# netrain.http over loopback sockets and TLS: CPython in-process, then the MicroPython unix port.
# SPDX-License-Identifier: MIT
import asyncio
import datetime
import json
import os
import socket
import ssl
import subprocess
import threading

import pytest
import upy_http_client
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MICROPYTHON = os.path.join(ROOT, ".venv", "bin", "micropython")


def _pattern(n):
    return bytes(i % 251 for i in range(n))


def _summary(body):
    return {"len": len(body), "sum": sum(body) % 65536}


def _make_cert(directory, name, cn, dns=None):
    """A self-signed EC certificate (CN only, like a console's, unless dns is given)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
    )
    if dns:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(dns)]), False)
    cert = builder.sign(key, hashes.SHA256())
    pem, key_path = directory / (name + ".pem"), directory / (name + ".key")
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(pem), str(key_path)


class Server:
    """Keep-alive HTTP/1.1 test servers (TLS and plain) on 127.0.0.1 in a background loop.

    The last path segment picks the response; ``connections`` records, per
    accepted connection, the request targets it served.
    """

    def __init__(self, cert, key):
        self.cert, self.key = cert, key
        self.connections = []
        self.tasks = set()
        self.loop = asyncio.new_event_loop()
        # failed handshakes (the wrong-certificate case) are expected: keep them quiet
        self.loop.set_exception_handler(lambda loop, context: None)
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self):
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(10)

    async def _start(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert, self.key)
        self.tls = await asyncio.start_server(self._handle, "127.0.0.1", 0, ssl=ctx)
        self.plain = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.tls_port = self.tls.sockets[0].getsockname()[1]
        self.plain_port = self.plain.sockets[0].getsockname()[1]

    def stop(self):
        async def stop():
            for server in (self.tls, self.plain):
                server.close()
            for task in list(self.tasks):
                task.cancel()
            await asyncio.sleep(0.05)

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    def served(self, prefix):
        """Targets per connection, for the connections whose first target starts with prefix."""
        return [c for c in self.connections if c and c[0].startswith(prefix)]

    async def _handle(self, reader, writer):
        task = asyncio.current_task()
        self.tasks.add(task)
        served = []
        self.connections.append(served)
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                method, target, _ = line.decode().split(" ", 2)
                headers = {}
                while True:
                    header = await reader.readline()
                    if header in (b"\r\n", b"\n", b""):
                        break
                    name, _, value = header.decode().partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                served.append(target)
                keep = await self._respond(writer, target, headers, body)
                await writer.drain()
                if not keep:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            pass
        finally:
            self.tasks.discard(task)
            writer.close()

    async def _respond(self, writer, target, headers, body):
        path, _, query = target.partition("?")
        action = path.rsplit("/", 1)[-1]
        n = int(query[2:]) if query.startswith("n=") else 0
        head = "HTTP/1.1 200 OK\r\n"
        payload = b"ok"
        extra = ""
        keep = True
        if action == "len":
            payload = _pattern(n)
        elif action == "chunked":
            data, pieces, sizes, i = _pattern(n), [], (1, 7, 100, 1000, 4096), 0
            while data:
                piece, data = data[: sizes[i % len(sizes)]], data[sizes[i % len(sizes)] :]
                ext = b";ext=%d" % i if i % 2 else b""
                pieces.append(b"%x%s\r\n%s\r\n" % (len(piece), ext, piece))
                i += 1
            writer.write(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + b"".join(pieces)
                + b"0\r\nX-Trailer: yes\r\n\r\n"
            )
            return True
        elif action == "echo":
            payload = json.dumps(
                {
                    "len": len(body),
                    "ctype": headers.get("content-type"),
                    "ua": headers.get("user-agent"),
                    "enc": headers.get("accept-encoding"),
                    "conn": headers.get("connection"),
                    "host": headers.get("host"),
                }
            ).encode()
        elif action == "many-headers":
            extra = "".join("X-Filler-%d: v\r\n" % i for i in range(n))
        elif action == "stall":
            await asyncio.sleep(30)
        elif action == "close":
            extra, keep = "Connection: close\r\n", False
        elif action == "drop":
            keep = False  # close without saying so, as an idle timeout does
        elif action == "login":
            extra = (
                "Set-Cookie: TOKEN=eyJhbGciOi.eyJjc3JmVG9rZW4i.c2ln; path=/; samesite=strict; "
                "secure; httponly\r\nSet-Cookie: csrf_token=c5rf; Path=/\r\n"
                "X-CSRF-Token: tok123\r\nX-Frame-Options: SAMEORIGIN\r\n"
            )
        elif action == "cookie-echo":
            payload = headers.get("cookie", "").encode()
        elif path == "/redirect/":
            head, extra, payload = "HTTP/1.1 302 Found\r\n", "Location: /manage\r\n", b""
        writer.write(
            ("%s%sContent-Length: %d\r\n\r\n" % (head, extra, len(payload))).encode() + payload
        )
        return keep


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    directory = tmp_path_factory.mktemp("certs")
    return {
        "server": _make_cert(directory, "server", "unifi.local"),
        "wrong": _make_cert(directory, "wrong", "unifi.local", dns="other.example"),
    }


@pytest.fixture
def server(certs):
    srv = Server(*certs["server"])
    srv.start()
    yield srv
    srv.stop()


def _config(server, certs):
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    refused_port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    return {
        "tls_port": server.tls_port,
        "plain_port": server.plain_port,
        "refused_port": refused_port,
        "pem": certs["server"][0],
        "wrong_pem": certs["wrong"][0],
    }


def _check(results, server):
    for name, result in results.items():
        assert "unexpected" not in result, (name, result)

    r = results["keepalive"]
    assert r["bodies"] == ["ok"] * 5
    assert r["counters"]["connections"] == 1 and r["counters"]["handshakes"] == 1
    assert r["counters"]["requests"] == 5 and r["counters"]["bytes_in"] > 0
    assert [len(c) for c in server.served("/keepalive/")] == [5]

    r = results["bodies"]
    assert r["fixed"] == _summary(_pattern(3000))
    assert r["chunked"] == _summary(_pattern(9000))
    assert r["echo"]["len"] == len('{"x": "%s"}' % ("y" * 100))
    assert r["echo"]["ctype"] == "application/json"
    assert r["echo"]["ua"].startswith("netrain/")
    assert r["echo"]["enc"] == "identity" and r["echo"]["conn"] == "keep-alive"
    assert r["echo"]["host"] == "127.0.0.1:%d" % server.tls_port
    assert r["counters"]["connections"] == 1

    assert results["limits"] == {
        "over": "limit",
        "over_chunked": "limit",
        "headers": "limit",
        "after": 200,
    }

    r = results["stall"]
    assert r["kind"] == "timeout"
    assert r["elapsed_ms"] < 5000  # the server stalls for 30 s

    r = results["reconnect"]
    assert r["statuses"] == [200] * 5
    # close, close, drop, drop (stale: retried), ok (stale: retried)
    assert r["counters"]["connections"] == 5 and r["counters"]["requests"] == 5
    assert [len(c) for c in server.served("/reconnect/")] == [1] * 5

    r = results["cookies"]
    assert r["csrf"] == "tok123" and r["dropped"]
    assert sorted(r["echo"].split("; ")) == [
        "TOKEN=eyJhbGciOi.eyJjc3JmVG9rZW4i.c2ln",
        "csrf_token=c5rf",
    ]

    assert results["redirect"] == {"status": 302, "location": "/manage"}
    assert not server.served("/manage")

    r = results["concurrent"]
    assert r["sizes"] == [100, 101, 102, 103]
    assert r["counters"]["connections"] == 1

    assert results["wrong_cert"] == {"kind": "cert"}
    assert results["insecure"] == {"status": 200, "insecure": True}
    assert results["dns"] == {"status": 200}
    assert results["refused"] == {"kind": "refused"}


def test_client_on_cpython(server, certs):
    results = asyncio.run(upy_http_client.run(_config(server, certs)))
    _check(results, server)


def test_client_on_micropython(server, certs):
    env = dict(os.environ, MICROPYPATH=".frozen:%s/lib:%s/tests" % (ROOT, ROOT))
    proc = subprocess.run(
        [MICROPYTHON, os.path.join(ROOT, "tests", "upy_http_client.py")]
        + [json.dumps(_config(server, certs))],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    _check(json.loads(proc.stdout.strip().splitlines()[-1]), server)
