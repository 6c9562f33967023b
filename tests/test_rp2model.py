"""Guard: the whole firmware fits the board's heap model (rp2model: 32-bit, TLS in the heap).

Runs ``python -m sim --runtime micropython --target rp2model`` at the budget heap with an
ad-block action against the bundled fake controller (pinned TLS) and fails on a
MemoryError, a TLS connection that never completes, a failed poll or a failed action.
"""

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.e2e

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RP2MODEL = os.path.join(ROOT, "..", "shared", "target", "micropython-rp2model")
#: Heap for the firmware (the stand-ins' own cost is added by the simulator). The
#: floor measured with this test's run is 152K (148K: no connection opens); the board
#: leaves about 185K to us. Lower this as the floor drops; never raise it to pass.
BUDGET_HEAP = "160K"


@pytest.mark.skipif(not os.path.exists(RP2MODEL), reason="no ../shared/target/micropython-rp2model")
def test_firmware_fits_the_budget_heap_on_rp2model(tmp_path):
    metrics = tmp_path / "m.jsonl"
    cmd = [sys.executable, "-m", "sim", "--runtime", "micropython", "--target", "rp2model"]
    cmd += ["--heap", BUDGET_HEAP, "--seconds", "6", "--press", "1.5:A:long"]
    cmd += ["--metrics", str(metrics)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "MemoryError" not in output and "OUT OF MEMORY" not in output, output
    lines = [json.loads(line) for line in metrics.read_text().splitlines() if line.strip()]
    summary = lines[-1]
    assert summary.get("summary"), output
    assert summary["tls_handshakes"] >= 1 and summary["errors"] == 0, summary
    assert summary["polls_ok"] >= 3 and summary["polls_failed"] == 0, summary
    assert [a["result"] for a in summary["actions"]] == ["verified"], summary
