"""The short soak (CI): 40 s of `python -m tools.soak` on the unix port, faults cycling.

`make soak` runs the full 10 minutes and writes RELIABILITY.md; this one checks that the
tool runs, that the firmware survives the faults it meets (no crash, every window
recovered) and that the report says so. The verdict's strict frame-gap limit is left to
the full run: this box is shared.
"""

import pytest
from test_sim_e2e import micropython_args

from tools.soak.__main__ import analyse, main, plan, verdict


@pytest.mark.e2e
def test_short_soak(tmp_path, capsys):
    micropython_args()  # skips without the unix port
    out = tmp_path / "RELIABILITY.md"
    code = main(["--seconds", "40", "--fault-s", "3", "--gap-s", "6", "--out", str(out)])
    text = out.read_text()
    assert "python -m tools.soak --seconds 40" in text
    assert "| crashes (task restarts, errors) | 0 |" in text
    assert "fault windows survived | 4 of 4 |" in text, text
    assert text.count("| yes |") == 4
    if code:  # only a frame gap on a loaded box may spoil the verdict here
        verdict_line = next(line for line in text.splitlines() if "verdict" in line)
        assert "frame gap" in verdict_line and ";" not in verdict_line, verdict_line


def test_plan_cycles_and_waits_after_a_login_limit():
    windows = plan(2000, 8, 12)
    names = [w[0] for w in windows]
    assert names[:3] == ["latency_ms=700", "stall", "trickle_bps=4"]
    assert names.count("stall") >= 2  # it cycles
    i = names.index("login_429")
    assert windows[i + 1][2] - windows[i][3] == 70


def test_verdict_names_what_went_wrong():
    lines = [
        {"t_s": 1.0, "fps": 60, "state": "ok", "polls_ok": 1, "heap_free": 50000},
        {"t_s": 2.0, "fps": 0, "state": "controller_error", "polls_ok": 1, "heap_free": 50000},
        {"t_s": 3.0, "fps": 60, "state": "controller_error", "polls_ok": 1, "heap_free": 50000},
        {"summary": True, "errors": 1, "frame_gap_ms_max": 120.0},
    ]
    report = {"counters": {"requests": 3, "logins": 0, "tls_handshakes": 1}}
    result = analyse(lines, [("status_500", "fake", 1.0, 2.0)], report, 0, "")
    problems = verdict(result)
    assert "1 crashes" in problems
    assert any("frame gap of 120.0" in p for p in problems)
    assert "the rain stopped during status_500" in problems
    assert "no recovery after status_500 at 1 s" in problems


@pytest.mark.parametrize(
    "argv, says",
    [
        (["--seconds", "-5"], "argument --seconds/--minutes"),
        (["--seconds", "5", "--heap", "10Q"], "argument --heap"),
        (["--seconds", "5", "--fault-s", "0"], "--fault-s and --gap-s"),
        (["--seconds", "5", "--out", "/no/such/dir/R.md"], "argument --out: no folder"),
    ],
)
def test_bad_arguments_stop_before_the_run(capsys, argv, says):
    with pytest.raises(SystemExit) as stop:
        main(argv)  # a run would take its seconds and write the report
    assert stop.value.code == 2
    assert says in capsys.readouterr().err
