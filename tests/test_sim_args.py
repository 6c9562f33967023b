"""`python -m sim` with a bad argument: one line naming it and the fix, exit 2, before any run.

Fast: the checks run before the fake controller or the firmware start, so every case
below would take its full --seconds (or forever) if a check slipped past.
"""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CASES = [
    (["--press", "junk"], "--press", "expected seconds:button:gesture"),
    (["--press", "3:Z:long"], "--press", "unknown button 'Z'"),
    (["--press", "3:A:sideways"], "--press", "bad gesture 'sideways'"),
    (["--heap", "10Q"], "--heap", "such as 240K or 2M"),
    (["--heap", "0"], "--heap", "want a size above 0"),
    (["--record", "/tmp/x.jpg"], "--record", "want a .gif (animation) or .png"),
    (["--record", "/no/such/dir/x.gif"], "--record", "no folder /no/such/dir"),
    (["--metrics", "/no/such/dir/m.jsonl"], "--metrics", "no folder /no/such/dir"),
    (["--fake-report", "/no/such/dir/f.json"], "--fake-report", "no folder /no/such/dir"),
    (["--fake-option", "nonsense"], "--fake-option", "want KEY=VALUE with KEY one of"),
    (["--fake-option", "mode=cloud"], "--fake-option", "mode must be one of"),
    (["--fake-option", 'faults=["nosuchfault"]'], "--fake-option", "unknown fault 'nosuchfault'"),
    (
        ["--fake-option", 'schedule=[[3,6,"nosuchfault"]]'],
        "--fake-option",
        "unknown fault 'nosuchfault'",
    ),
    (["--fake-option", 'schedule=[[6,3,"stall"]]'], "--fake-option", "0 <= start_s < end_s"),
    (["--seconds", "-1"], "--seconds", "want a run time > 0 s"),
    (["--set", "poll_s"], "--set", "want KEY=VALUE"),
    (["--config", "/no/such/config.json"], "--config", "make configure"),
    (["--lux", "5000"], "--lux", "want 0..4095"),
    (["--tls-stall-ms", "-5"], "--tls-stall-ms", "want 0 or more"),
    (["--dns-down", "1:2"], "--dns-down", "needs --host-name"),
    (["--wifi-down", "5:2"], "--wifi-down", "want START:END"),
    (["--web-port", "70000"], "--web-port", "want a port 1..65535"),
    (["--setup"], "--setup", "needs --web-port"),
    (["--setup", "--web-port", "18999", "--set", "poll_s=2"], "--setup", "starts with no config"),
]


@pytest.mark.parametrize("args, argument, fix", CASES, ids=[" ".join(c[0]) for c in CASES])
def test_bad_argument_is_one_line_and_exit_2(args, argument, fix):
    # No --seconds: a check that slipped would run until the timeout kills it.
    cmd = [sys.executable, "-m", "sim", "--headless", *args]
    env = dict(os.environ, SDL_VIDEODRIVER="dummy")
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=30)
    output = (proc.stdout + proc.stderr).strip()
    assert proc.returncode == 2, output
    assert len(output.splitlines()) == 1, output  # one line, no usage block, no traceback
    assert output.startswith("sim: argument %s: " % argument), output
    assert fix in output, output


def test_set_with_config_is_refused_before_the_run(tmp_path):
    config = tmp_path / "config.json"
    config.write_text('{"controller": {"url": "demo://"}}')
    cmd = [sys.executable, "-m", "sim", "--headless", "--config", str(config), "--set", "poll_s=2"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "sim: argument --set: edits the embedded default" in proc.stderr


def test_console_watch_sees_the_config_error_and_nothing_else():
    from sim.outcome import ConsoleWatch

    class Sink:
        def __init__(self):
            self.text = ""

        def write(self, text):
            self.text += text

    sink = Sink()
    watch = ConsoleWatch(sink)
    watch.write("netrain: controller: ok\n")
    watch.write('netrain-summary {"state": "ok"}\n')
    assert not watch.config_error and "controller: ok" in sink.text
    watch.write('netrain-summary {"state": "config_error"}\n')
    assert watch.config_error
    other = ConsoleWatch(sink)
    other.write("netrain: fix config.json (see config.example.json)\n")
    assert other.config_error
