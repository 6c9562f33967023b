# tools.bench.web: the rain's pace while a browser polls the board's page.
# SPDX-License-Identifier: MIT
"""``python -m tools.bench.web [--seconds 20] [--heap 240K] [--rate-hz 4]``

Runs the firmware on the MicroPython unix port (as ``python -m sim --runtime
micropython --web-port P``, against its own fake controller) twice: with the page
served and nobody asking, then with a client polling ``GET /api/state`` at 4 Hz (what
the page does once a second, four times over). Reports the frame gaps of both, and
the client's answers and their latency. ``make bench`` runs it as its "web" case.
"""

import argparse
import http.client
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time

from sim.__main__ import (
    MAIN,
    STUBS,
    build_mpy,
    free_port,
    parse_heap,
    start_fake,
    stub_allowance,
    target_binary,
)

_EXIT_GRACE_S = 60
_CLIENT_TIMEOUT_S = 2.0


class Poller(threading.Thread):
    """GET /api/state every 1/rate_hz s until stopped; latencies of the good answers."""

    def __init__(self, port, rate_hz):
        super().__init__(daemon=True)
        self.port = port
        self.period_s = 1 / rate_hz
        self.latencies_ms = []
        self.failed = 0
        self.stopping = threading.Event()

    def _get(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=_CLIENT_TIMEOUT_S)
        try:
            start = time.monotonic()
            conn.request("GET", "/api/state")
            reply = conn.getresponse()
            body = reply.read()
            if reply.status != 200 or "state" not in json.loads(body):
                raise ValueError("status %d" % reply.status)
            self.latencies_ms.append((time.monotonic() - start) * 1000)
        finally:
            conn.close()

    def run(self):
        next_s = time.monotonic()
        while not self.stopping.is_set():
            try:
                self._get()
            except (OSError, ValueError, http.client.HTTPException):
                self.failed += 1
            next_s += self.period_s
            self.stopping.wait(max(0.0, next_s - time.monotonic()))


def _wait_listening(port, proc, timeout_s=30):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def run(seconds, heap_bytes, rate_hz=None):
    """One firmware run with the page on; a Poller at ``rate_hz`` unless None.
    Returns (summary or None, poller or None, exit code)."""
    binary, march, mpy_dir = target_binary("x64")
    workdir = tempfile.mkdtemp(prefix="netrain-bench-web-")
    fake = poller = None
    try:
        fake, config_path = start_fake([], workdir)
        metrics_path = os.path.join(workdir, "metrics.jsonl")
        port = free_port()
        settings = {"config": config_path, "seconds": seconds, "metrics": metrics_path}
        settings["web_port"] = port
        env = dict(os.environ, NETRAIN_SIM=json.dumps(settings))
        env["MICROPYPATH"] = ".frozen:%s:%s" % (STUBS, build_mpy(mpy_dir, march))
        cmd = [binary, "-X", "heapsize=%d" % (heap_bytes + stub_allowance(binary)), MAIN]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if rate_hz and _wait_listening(port, proc):
            poller = Poller(port, rate_hz)
            poller.start()
        try:
            code = proc.wait(timeout=seconds + _EXIT_GRACE_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
        if poller is not None:
            poller.stopping.set()
            poller.join(_CLIENT_TIMEOUT_S * 2)
        summary = None
        if os.path.exists(metrics_path):
            with open(metrics_path) as f:
                lines = [json.loads(line) for line in f if line.strip()]
            if lines and lines[-1].get("summary"):
                summary = lines[-1]
        return summary, poller, code
    finally:
        if fake is not None:
            fake.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def _gaps(summary):
    keys = ("fps_avg", "frame_gap_ms_p50", "frame_gap_ms_p99", "frame_gap_ms_max")
    out = {k: summary.get(k) for k in keys} if summary else {k: None for k in keys}
    out["frame_gaps_over_2x"] = summary.get("frame_gaps_over_2x") if summary else None
    return out


def figures(seconds, heap_bytes, log, rate_hz=4):
    """The bench's ``web_*`` keys: frame gaps without and with the polling client."""
    log("web: %g s with the page on and no client" % seconds)
    idle, _, _ = run(seconds, heap_bytes)
    log("web: %g s with a client polling /api/state at %g Hz" % (seconds, rate_hz))
    polled, poller, _ = run(seconds, heap_bytes, rate_hz)
    latencies = sorted(poller.latencies_ms) if poller else []
    result = {
        "web_idle": _gaps(idle),
        "web_polled": _gaps(polled),
        "web_poll_rate_hz": rate_hz,
        "web_poll_answers": len(latencies),
        "web_poll_failed": poller.failed if poller else None,
        "web_poll_latency_ms_p50": round(latencies[len(latencies) // 2], 1) if latencies else None,
        "web_poll_latency_ms_max": round(latencies[-1], 1) if latencies else None,
    }
    log(
        "web: frame gap p99/max %s/%s ms idle, %s/%s ms polled (%s answers, %s failed, "
        "latency p50 %s ms)"
        % (
            result["web_idle"]["frame_gap_ms_p99"],
            result["web_idle"]["frame_gap_ms_max"],
            result["web_polled"]["frame_gap_ms_p99"],
            result["web_polled"]["frame_gap_ms_max"],
            result["web_poll_answers"],
            result["web_poll_failed"],
            result["web_poll_latency_ms_p50"],
        )
    )
    return result


def main(argv=None):
    p = argparse.ArgumentParser(
        prog="python -m tools.bench.web", description=__doc__.split("\n\n")[1]
    )
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--heap", default="240K")
    p.add_argument("--rate-hz", type=float, default=4)
    args = p.parse_args(argv)
    result = figures(
        args.seconds, parse_heap(args.heap), lambda t: print("bench: " + t), args.rate_hz
    )
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
