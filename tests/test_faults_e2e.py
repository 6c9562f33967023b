"""The fault matrix (issue #7): the firmware on the MicroPython unix port against the fake
controller over TLS, one simulator run per fault.

Each case switches one fault on at ``FAULT_ON_S`` and off at ``FAULT_OFF_S`` (the fake's
``schedule``, or the simulator's ``--wifi-down`` / ``--dns-down``; both count from the
firmware's launch) and checks, from the per-second metrics and the fake's counters:

* the rain keeps falling: frames in every second. How evenly (frame gaps against the
  frame period) is measured by ``make bench`` and the soak (RELIABILITY.md), not
  asserted here: these runs share two cores with other test processes, where a
  preempted frame is the box's stall, not the firmware's. The gaps are printed for
  every case.
* the status shows the fault's state within one poll interval of the fault (plus the
  request deadline for faults that only a timeout reveals, plus one metrics line);
* polling recovers within two poll intervals of the fault clearing, or when the poll
  backoff (or a controller-specific wait: 10 s after a certificate mismatch, 60 s
  after a login 429) says so;
* requests per minute stay bounded, the free heap after collection does not drift,
  and no task dies (the supervisor's ``errors`` stays 0).

Metrics time counts from the app's start, a fraction of a second after launch, so the
windows below are, if anything, generous by that boot time.
"""

import json
import os
import subprocess
import sys

import pytest
from test_sim_e2e import ROOT, check_stream, fake_report, micropython_args

pytestmark = pytest.mark.e2e

POLL_S = 1.0
TIMEOUT_S = 2  # controller.timeout_s: a stall is seen after this, not the default 5 s
FAULT_ON_S, FAULT_OFF_S = 3, 6
RUN_S = 11
HEAP_DRIFT_BYTES = 8 * 1024
# Beyond one poll a second: detection, login and plan at boot, a re-login and its retry,
# a stale-connection retry.
MAX_EXTRA_REQUESTS = 6
BACKOFF_MAX_S = 8  # lib/netrain/app.py _MAX_BACKOFF_MS
PASSWORD = "sim-password"
LOGIN = ("--fake-option", "api_key=", "--fake-option", "password=" + PASSWORD) + (
    "--set",
    "controller.username=netrain",
    "--set",
    "controller.password=" + PASSWORD,
)


def _schedule(*entries):
    return ("--fake-option", "schedule=" + json.dumps([list(e) for e in entries]))


def _window(spec):
    return _schedule((FAULT_ON_S, FAULT_OFF_S, spec))


class Case:
    def __init__(
        self, args, states, reveal_s=0.0, wait_s=0.0, run_s=RUN_S, recovers=True, on_s=FAULT_ON_S
    ):
        self.args = args
        self.on_s = on_s  # the fault starts (0: at boot)
        self.states = states  # what the panel may show during the fault
        self.reveal_s = reveal_s  # a deadline that must pass before the fault is visible
        self.wait_s = wait_s  # a controller-specific wait before the next try
        self.run_s = run_s
        self.recovers = recovers  # within this run


UNREACHABLE = ("controller_unreachable",)
ERROR = ("controller_error",)
OK = ("ok",)
CASES = {
    "latency": Case(_window("latency_ms=700"), OK),
    "stall": Case(_window("stall"), UNREACHABLE, reveal_s=2 * TIMEOUT_S),
    "trickle": Case(_window("trickle_bps=4"), UNREACHABLE, reveal_s=2 * TIMEOUT_S),
    "reset_mid_body": Case(_window("reset_mid_body"), UNREACHABLE),
    "truncate": Case(_window("truncate"), UNREACHABLE),
    "status_500": Case(_window("status_500"), ERROR),
    "status_502": Case(_window("status_502"), ERROR),
    "status_503": Case(_window("status_503"), ERROR),
    "html_200": Case(_window("html_200"), ERROR),
    "malformed_json": Case(_window("malformed_json"), ERROR),
    "huge_body_1mb": Case(_window("huge_body=1048576"), ERROR),
    "session_expiry_401": Case(
        LOGIN + _schedule((FAULT_ON_S, FAULT_ON_S + 0.5, "expire_sessions")), OK
    ),
    "session_expiry_login_required_200": Case(
        LOGIN
        + ("--fake-option", "login_required_status=200")
        + _schedule((FAULT_ON_S, FAULT_ON_S + 0.5, "expire_sessions")),
        OK,
    ),
    "close_every_connection": Case(_window("close_every_connection"), OK),
    "refused": Case(_window("refuse"), UNREACHABLE),
    "wan_down": Case(_window("wan_down"), ("wan_down",)),
    "login_429": Case(
        LOGIN
        + _schedule(
            (FAULT_ON_S, FAULT_ON_S + 0.5, "expire_sessions"),
            (FAULT_ON_S, FAULT_OFF_S, "login_429"),
        ),
        ("rate_limited",),
        wait_s=60,
        recovers=False,  # 60 s before the next login (docs/unifi-api.md): the soak sees it
    ),
    "changed_certificate": Case(_window("other_cert"), ("cert_mismatch",), wait_s=10, run_s=18),
    # The name is resolved once and cached (a lookup blocks the Pico W): a lookup that
    # fails at boot is retried with the polls; a DNS outage later changes nothing.
    "dns_failure": Case(
        ("--host-name", "unifi.test", "--dns-down", "0:%d" % FAULT_OFF_S)
        + ("--dns-down", "%d:%d" % (FAULT_OFF_S + 4, FAULT_OFF_S + 6)),
        UNREACHABLE,
        on_s=0,
        run_s=RUN_S + 2,
    ),
    "wifi_drop": Case(
        ("--wifi-down", "%d:%d" % (FAULT_ON_S, FAULT_OFF_S)),
        ("wifi_no_network", "connecting_wifi"),
    ),
}
CPYTHON_CASES = ("stall", "status_503", "dns_failure", "wifi_drop")


def run_case(tmp_path, case, runtime_args):
    """One simulator run; (per-second lines, summary, fake report, output)."""
    metrics = tmp_path / "m.jsonl"
    report = tmp_path / "fake.json"
    cmd = [sys.executable, "-m", "sim", "--headless", "--seconds", str(case.run_s)]
    cmd += ["--metrics", str(metrics), "--fake-report", str(report), *runtime_args]
    cmd += ["--set", "controller.timeout_s=%d" % TIMEOUT_S, "--set", "poll_s=%s" % POLL_S]
    cmd += list(case.args)
    env = dict(os.environ, SDL_VIDEODRIVER="dummy")
    proc = subprocess.run(
        cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=case.run_s + 90
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    lines = [json.loads(line) for line in metrics.read_text().splitlines()]
    return lines, fake_report(tmp_path), output


def consecutive_failure_backoff_s(seconds, on_s):
    """The poll backoff in effect when the fault clears (upper bound from the counts)."""
    before = [o for o in seconds if o["t_s"] <= on_s]
    at_off = [o for o in seconds if o["t_s"] <= FAULT_OFF_S + 1]
    failures = at_off[-1]["polls_failed"] - (before[-1]["polls_failed"] if before else 0)
    if failures <= 0:
        return 0
    return min(BACKOFF_MAX_S, POLL_S * 2 ** min(failures - 1, 4))


def check_case(name, case, lines, report, output, micropython):
    seconds, summary = check_stream(lines, micropython=micropython)
    gaps = [o["frame_gap_ms_max"] for o in seconds]
    # the rain: frames every second
    assert all(o["fps"] > 0 for o in seconds[1:]), [o["fps"] for o in seconds]
    # no task died, nothing crashed
    assert summary["errors"] == 0 and "crashed" not in output, output[-2000:]
    # the panel says what is wrong within a poll interval (+ the deadline, + one line)
    by = case.on_s + POLL_S + case.reveal_s + 1
    shown = [o["state"] for o in seconds if case.on_s < o["t_s"] <= by]
    assert set(shown) & set(case.states), (case.states, shown)
    if case.states != OK and case.on_s > 1:
        assert seconds[1]["state"] == "ok", seconds[1]  # the fault, not the boot, did it
    # recovery: a good poll within two poll intervals of the fault clearing, or when the
    # backoff says so
    ok_at_off = next(o for o in seconds if o["t_s"] >= FAULT_OFF_S)["polls_ok"]
    if case.recovers:
        wait_s = max(2 * POLL_S, consecutive_failure_backoff_s(seconds, case.on_s), case.wait_s)
        by = FAULT_OFF_S + wait_s + 1
        recovered = [o for o in seconds if o["polls_ok"] > ok_at_off and o["state"] == "ok"]
        assert recovered and recovered[0]["t_s"] <= by, (
            by,
            [(o["t_s"], o["state"]) for o in seconds],
        )
        assert seconds[-1]["state"] == "ok"
    # bounded requests
    counters = report["counters"]
    per_min = counters["requests"] * 60 / case.run_s
    allowed = case.run_s / POLL_S + MAX_EXTRA_REQUESTS
    assert counters["requests"] <= allowed, counters["requests_by_path"]
    # free heap after collection: the last seconds hold what the first ones had
    if micropython:
        first = max(o["heap_free"] for o in seconds[1:3])
        last = max(o["heap_free"] for o in seconds[-3:])
        assert last >= first - HEAP_DRIFT_BYTES, (first, last)
    print(
        "fault %-34s states %-40s gap_max %5.1f ms p99 %s ms requests %d (%.0f/min) "
        "handshakes %d logins %d heap_min_free %s"
        % (
            name,
            ",".join(sorted(set(o["state"] for o in seconds))),
            max(gaps),
            summary["frame_gap_ms_p99"],
            counters["requests"],
            per_min,
            counters["tls_handshakes"],
            counters["login_attempts"],
            summary["heap_min_free"],
        )
    )
    return seconds, summary, counters


def check_specifics(name, seconds, summary, counters):
    """What each fault must (not) cause beyond the common checks."""
    if name in ("latency", "close_every_connection") or name.startswith("session_expiry"):
        assert summary["polls_failed"] == 0, summary
    if name == "close_every_connection":
        assert counters["tls_handshakes"] >= FAULT_OFF_S - FAULT_ON_S  # one per poll then
        assert counters["tls_handshakes"] <= FAULT_OFF_S - FAULT_ON_S + 4  # and not after
    elif name not in ("refused", "changed_certificate", "reset_mid_body", "truncate"):
        assert counters["tls_handshakes"] <= 4, counters  # the connection is kept
    if name.startswith("session_expiry"):
        assert counters["logins"] == 2, counters  # boot, then one re-login
    if name == "login_429":
        # one refused login, then no other try for 60 s: the console is not hammered
        assert counters["login_attempts"] == 2, counters
        assert seconds[-1]["state"] == "rate_limited"
    if name == "changed_certificate":
        assert counters["tls_handshake_failures"] <= 3, counters  # one try per 10 s
    if name == "dns_failure":
        later = [o["state"] for o in seconds if FAULT_OFF_S + 4 < o["t_s"] <= FAULT_OFF_S + 6]
        assert later and set(later) == {"ok"}, later  # the cached address still serves
    if name == "wifi_drop":
        during = [o for o in seconds if FAULT_ON_S + 1.5 < o["t_s"] <= FAULT_OFF_S]
        polls = {o["polls_ok"] + o["polls_failed"] for o in during}
        assert len(polls) == 1, during  # no requests without a link


@pytest.mark.parametrize("name", list(CASES))
def test_fault_on_micropython(tmp_path, name):
    case = CASES[name]
    lines, report, output = run_case(tmp_path, case, micropython_args())
    seconds, summary, counters = check_case(name, case, lines, report, output, True)
    check_specifics(name, seconds, summary, counters)


@pytest.mark.parametrize("name", CPYTHON_CASES)
def test_fault_on_cpython(tmp_path, name):
    case = CASES[name]
    lines, report, output = run_case(tmp_path, case, ())
    seconds, summary, counters = check_case(name, case, lines, report, output, False)
    check_specifics(name, seconds, summary, counters)


@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_watchdog_resets_a_frozen_firmware(tmp_path, runtime):
    """firmware/main.py arms machine.WDT (8 s) and the render loop feeds it: a loop that
    hangs for 9 s is reset (the stub ends the run saying so); "watchdog": false is heard."""
    extra = micropython_args() if runtime == "micropython" else ()
    cmd = [sys.executable, "-m", "sim", "--headless", *extra, "--freeze", "1:9000"]
    env = dict(os.environ, SDL_VIDEODRIVER="dummy")
    proc = subprocess.run(
        cmd + ["--seconds", "14"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "the device would reset" in output, output[-2000:]
    assert "not fed for 90" in output  # the hang itself, not a slow boot, starved it
    proc = subprocess.run(  # the hang ends at 10 s; the loop runs on and ends normally
        cmd + ["--seconds", "11", "--set", "watchdog=false"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0 and "would reset" not in proc.stdout + proc.stderr
