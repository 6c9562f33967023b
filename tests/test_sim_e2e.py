"""End to end: `python -m sim --headless` on both runtimes against the bundled fake controller.

Checks the metrics stream against the public schema (shared/design.md) and that the
recording shows rain. No timing thresholds: only that frames flowed and polls succeeded.
"""

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PER_SECOND_KEYS = {
    "t_s",
    "frames",
    "fps",
    "frame_gap_ms_max",
    "heap_free",
    "heap_min_free",
    "alloc_bytes",
    "polls_ok",
    "polls_failed",
    "tls_handshakes",
    "down_bytes_per_s",
    "up_bytes_per_s",
    "state",
}
SUMMARY_KEYS = {
    "frames",
    "fps_avg",
    "frame_gap_ms_p99",
    "frame_gap_ms_max",
    "polls_ok",
    "polls_failed",
    "tls_handshakes",
    "heap_min_free",
    "actions",
    "errors",
}


def run_sim(tmp_path, *extra, seconds=4):
    metrics = tmp_path / "m.jsonl"
    record = tmp_path / "r.gif"
    cmd = [sys.executable, "-m", "sim", "--headless", "--seconds", str(seconds)]
    cmd += ["--metrics", str(metrics), "--record", str(record), *extra]
    env = dict(os.environ, SDL_VIDEODRIVER="dummy")
    proc = subprocess.run(
        cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=seconds + 90
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = [json.loads(line) for line in metrics.read_text().splitlines()]
    return lines, record, proc


def check_stream(lines, micropython):
    seconds = [obj for obj in lines if not obj.get("summary")]
    summary = lines[-1]
    assert summary.get("summary") is True
    assert set(summary) >= SUMMARY_KEYS
    assert len(seconds) >= 2
    for obj in seconds:
        assert set(obj) >= PER_SECOND_KEYS, PER_SECOND_KEYS - set(obj)
    assert seconds[-1]["frames"] > seconds[0]["frames"] > 0
    assert summary["frames"] >= seconds[-1]["frames"]
    assert summary["polls_ok"] >= 1
    assert summary["errors"] == 0
    if micropython:
        assert all(isinstance(obj["heap_free"], int) for obj in seconds)
        assert summary["heap_min_free"] > 0
    return seconds, summary


def check_gif(record):
    from PIL import Image

    with Image.open(record) as img:
        assert img.n_frames > 5
        lit = 0
        for i in range(0, img.n_frames, max(1, img.n_frames // 5)):
            img.seek(i)
            frame = img.convert("RGB")
            lit += sum(1 for px in frame.getdata() if px[1] > 80)
        assert lit > 0, "no visible rain in the recording"


def test_sim_cpython_headless(tmp_path):
    lines, record, _ = run_sim(tmp_path)
    seconds, summary = check_stream(lines, micropython=False)
    assert summary["tls_handshakes"] == 1
    assert seconds[-1]["state"] == "ok"
    check_gif(record)


def test_sim_micropython_headless(tmp_path):
    from sim.__main__ import micropython_binary

    if not micropython_binary():
        pytest.skip("MicroPython unix port not installed")
    lines, record, _ = run_sim(tmp_path, "--runtime", "micropython", "--heap", "100K")
    seconds, summary = check_stream(lines, micropython=True)
    assert summary["tls_handshakes"] == 1
    assert seconds[-1]["state"] == "ok"
    check_gif(record)


def test_sim_demo_config_and_press_script(tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"controller": {"url": "demo://"}}))
    lines, _, _ = run_sim(
        tmp_path, "--config", str(config), "--press", "1.0:C:short,1.5:LUX_UP:long", seconds=3
    )
    _, summary = check_stream(lines, micropython=False)
    assert summary["tls_handshakes"] == 0


def test_sim_broken_config_shows_error_and_exits_cleanly(tmp_path):
    config = tmp_path / "config.json"
    config.write_text('{"controller": {"url": "https://x", "api_key": "k"}, "display": {"fsp": 1}}')
    metrics = tmp_path / "m.jsonl"
    cmd = [sys.executable, "-m", "sim", "--headless", "--seconds", "1", "--config", str(config)]
    cmd += ["--metrics", str(metrics)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert 'config "display.fsp": unknown key' in proc.stdout
    assert '"display.fps"' in proc.stdout
