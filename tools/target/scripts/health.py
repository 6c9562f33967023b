# On the board model: one poll of stat/health as the firmware does it (UnifiSource.fetch:
# the HTTP client reads the reply through its receive buffer and feeds HealthScan a chunk
# at a time), over an in-memory stream that yields to the loop before every read as a
# socket does. A second task, awaiting sleep_ms(0) in a loop, times the gaps between its
# turns on the emulated clock: each is one stretch the poll held the loop (scheduler
# included). Also the old way for comparison
# (json.loads of the whole body, then parse_health). Prints one line: RESULT {json}.
# The reply body is /health.json in the filesystem image.
import asyncio
import gc
import json
import time

from netrain.http import Client
from netrain.source import Sample
from netrain.unifi import _KEEP_HEADERS, Unifi, UnifiSource, parse_health

# What a UniFi OS console's nginx sends with a stat/health reply (~20 lines).
HEAD = (
    "HTTP/1.1 200 OK\r\n"
    "Server: nginx\r\n"
    "Date: Tue, 01 Dec 2026 22:00:00 GMT\r\n"
    "Content-Type: application/json;charset=UTF-8\r\n"
    "Content-Length: %d\r\n"
    "Connection: keep-alive\r\n"
    "Vary: Origin\r\n"
    "Vary: Access-Control-Request-Method\r\n"
    "Vary: Access-Control-Request-Headers\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "X-XSS-Protection: 0\r\n"
    "Cache-Control: no-cache, no-store, max-age=0, must-revalidate\r\n"
    "Pragma: no-cache\r\n"
    "Expires: 0\r\n"
    "X-Frame-Options: DENY\r\n"
    "Strict-Transport-Security: max-age=31536000; includeSubDomains\r\n"
    "Content-Security-Policy: default-src 'self'; frame-ancestors 'self'\r\n"
    "X-Request-Id: 4f1c2a9e-8b7d-4c3e-a1f0-6d2b9e8c7a54\r\n"
    "X-Response-Time: 12ms\r\n"
    "\r\n"
)


class Stream:
    """Reader and writer of one canned reply."""

    def __init__(self, reply, piece_bytes):
        self.reply = reply
        self.piece_bytes = piece_bytes  # most bytes one read hands out (a TLS record's share)
        self.pos = 0
        self.sizes = []

    def write(self, data):
        pass

    async def drain(self):
        pass

    async def readinto(self, buf):
        await asyncio.sleep_ms(0)  # a socket read yields to the loop
        n = min(len(buf), self.piece_bytes, len(self.reply) - self.pos)
        buf[:n] = self.reply[self.pos : self.pos + n]
        self.pos += n
        self.sizes.append(n)
        return n


def poll(source, reply, piece_bytes):
    """One fetch over the canned reply: (gaps between the other task's turns, us; read
    sizes; sample)."""
    stream = Stream(reply, piece_bytes)
    client = source.unifi.client
    client._reader = client._writer = stream  # an open keep-alive connection
    sample = Sample()
    gaps = []
    done = []

    async def other_task():  # what the render loop sees: how long until it runs again
        last = time.ticks_us()
        while not done:
            await asyncio.sleep_ms(0)
            now = time.ticks_us()
            gaps.append(time.ticks_diff(now, last))
            last = now

    async def fetch():
        await asyncio.sleep_ms(0)  # the other task is waiting first
        await source.fetch(sample)
        done.append(True)

    async def both():
        await asyncio.gather(other_task(), fetch())

    asyncio.run(both())
    return gaps, stream.sizes, sample


def main():
    with open("/health.json", "rb") as f:
        body = f.read()
    reply = (HEAD % len(body)).encode() + body
    client = Client("http://192.168.1.1", keep_headers=_KEEP_HEADERS, max_body_bytes=0)
    source = UnifiSource(Unifi(client, api_key="key"), learn_plan=False)
    receive_bytes = len(client._buf)
    out = {
        "health_reply_bytes": len(body),
        "health_head_bytes": len(reply) - len(body),
        "health_receive_buffer_bytes": receive_bytes,
    }
    poll(source, reply, receive_bytes)  # warm up: first-call costs out of the way
    # A whole receive buffer per read (TLS records hand out up to 16 KB at once): the
    # header parse and most of the body in one stretch. Then TCP-segment-sized reads.
    for name, piece in (("", receive_bytes), ("_536", 536)):
        gc.collect()
        a0 = gc.mem_alloc()
        gaps, sizes, sample = poll(source, reply, piece)
        out["health_poll_alloc_bytes" + name] = gc.mem_alloc() - a0
        out["health_stretches_us" + name] = gaps
        out["health_reads" + name] = sizes
        out["health_parse_max_stretch_us" + name] = max(gaps)
        out["health_down_bytes_per_s" + name] = sample.down_bytes_per_s
    # The whole-body way the poll parsed before (for comparison).
    gc.collect()
    t0 = time.ticks_us()
    obj = json.loads(body)
    t1 = time.ticks_us()
    parse_health(obj, Sample())
    t2 = time.ticks_us()
    out["health_loads_us"] = time.ticks_diff(t1, t0)
    out["health_parse_health_us"] = time.ticks_diff(t2, t1)
    print("RESULT " + json.dumps(out))


main()
