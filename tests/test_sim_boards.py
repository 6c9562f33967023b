"""End to end: `python -m sim --board` runs the firmware on each Unicorn's stand-in.

firmware/main.py finds the board by trying the board modules in turn, the panel takes
its size from PicoGraphics, and C held long steps the views; the recording has the
board's shape and the metrics name the view. No timing thresholds.
"""

import json
import os
import subprocess
import sys

import pytest
from PIL import Image

pytestmark = pytest.mark.e2e  # every test here launches the simulator

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCALE = 12  # sim.record.SCALE: output pixels per LED


@pytest.mark.parametrize(
    "runtime, board, size",
    [("cpython", "galactic", (53, 11)), ("micropython", "cosmic", (32, 32))],
)
def test_a_board_runs_in_its_own_shape_and_c_held_long_changes_the_view(
    tmp_path, runtime, board, size
):
    png = tmp_path / "last.png"
    metrics = tmp_path / "m.jsonl"
    cmd = [sys.executable, "-m", "sim", "--headless", "--runtime", runtime, "--heap", "240K"]
    cmd += ["--board", board, "--seconds", "4", "--press", "1.5:C:long"]
    cmd += ["--record", str(png), "--metrics", str(metrics)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=180)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    with Image.open(png) as image:
        assert image.size == (size[0] * SCALE, size[1] * SCALE), output
    lines = [json.loads(line) for line in metrics.read_text().splitlines() if line.strip()]
    summary = lines[-1]
    assert summary["summary"] and summary["errors"] == 0, summary
    assert lines[0]["view"] == "rain" and summary["view"] == "history", lines
    assert 0 < summary["brightness"] <= 1, summary
