# Portable in-process tests of the App: the demo source, an in-memory panel, fake
# buttons, a bounded run on the real loop (as microdot's TestClient runs its apps).
# Assertions are on behaviour, never on timing: runs are a few hundred ms long and
# every check holds however slowly the machine runs them.
import asyncio
import os

from _util import PER_SECOND_KEYS, SUMMARY_KEYS, FakeClock

from netrain import config, start
from netrain.app import App, Hooks
from netrain.buttons import DOUBLE, LONG, REPEAT, SHORT
from netrain.compat import sleep_ms, ticks_ms
from netrain.console import Console
from netrain.controls import _COMMANDS, BUTTON_VERBS
from netrain.effects.rain import SCENE_ORDER
from netrain.panel import Panel
from netrain.settings import Settings
from netrain.source import DemoSource, SourceError

TMP = "/tmp/netrain-test-app"
W = H = 16
BAND_PX = 7
FIXTURES = __file__.rsplit("/", 2)[0] + "/fixtures/" if "/" in __file__ else "../fixtures/"
#: Parses as PEM, but its DER (30 03 02 01 01) is no certificate: TLS refuses it.
BAD_DER_PEM = "-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n"


class Capture(Hooks):
    """Bounded run; keeps the metrics stream and the summary."""

    count_alloc = True  # the render path's allocations are checked, as in the simulator

    def __init__(self, run_ms):
        self.run_ms = run_ms
        self.seconds = []
        self.summary = None

    def on_metrics(self, snapshot):
        self.seconds.append(snapshot)

    def on_summary(self, summary):
        self.summary = summary


class LitPanel(Panel):
    """Counts frames with rain above the status band (the rain never stops)."""

    def __init__(self):
        super().__init__(W, H)
        self.rain_frames = 0

    def show(self):
        super().show()
        fb = self.fb
        i = 0
        end = (H - BAND_PX) * W * 4
        while i < end:  # no range object: the render path is measured for allocations
            if fb[i] or fb[i + 1] or fb[i + 2]:
                self.rain_frames += 1
                return
            i += 4


class FakeButtons:
    """``is_pressed(pin)`` over a set of held pins; the test presses by name."""

    def __init__(self):
        self.pins = {name: i for i, name in enumerate(config.BUTTON_NAMES)}
        self.held = set()

    def is_pressed(self, pin):
        return pin in self.held

    async def tap(self, name, hold_ms=80):
        self.held.add(self.pins[name])
        await sleep_ms(hold_ms)
        self.held.discard(self.pins[name])


class FailingSource(DemoSource):
    """The demo's first sample, then the controller refuses every poll."""

    def __init__(self):
        super().__init__()
        self.polls = 0

    async def fetch(self, sample):
        self.polls += 1
        if self.polls > 1:
            raise SourceError("controller_unreachable", "refused", None, "REFUSED")
        await super().fetch(sample)


def _rm(path):
    try:
        os.remove(path)
    except OSError:
        pass


def _dir():
    try:
        os.mkdir(TMP)
    except OSError:
        pass
    for name in ("config.json", "settings.json", "settings.json.tmp", "c.pem"):
        _rm(TMP + "/" + name)
    return TMP


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)


def make_app(data=None, source=None, settings=None, make_actions=None, buttons=None, run_ms=300):
    cfg = config.validate(data or {"controller": {"url": "demo://"}, "poll_s": 0.5})
    return App(
        cfg,
        LitPanel(),
        source or DemoSource(),
        buttons=buttons,
        hooks=Capture(run_ms),
        settings=settings,
        make_actions=make_actions,
    )


def run(app, script=None):
    async def main():
        if script is not None:
            asyncio.create_task(script())
        await app.main()

    asyncio.run(main())
    return app.hooks


# -- the harness itself --------------------------------------------------------------


def test_app_runs_frames_polls_and_reports_in_one_process():
    app = make_app(run_ms=2200)
    hooks = run(app)
    assert app.panel.frames_shown > 10 and app.panel.rain_frames > 0
    assert app.metrics.polls_ok >= 1 and app.status.current == "ok"
    assert hooks.seconds and hooks.summary["summary"] is True
    assert hooks.summary["frames"] == app.panel.frames_shown
    assert hooks.summary["errors"] == 0
    # The first second re-renders the band's text on each status change (connecting,
    # ok); after that the render path allocates nothing. None on CPython (no counter).
    render_alloc = hooks.seconds[-1]["render_alloc_bytes"]
    assert render_alloc in (None, 0), hooks.seconds


# -- buttons through the real ButtonTask ---------------------------------------------


def test_a_button_tap_changes_the_scene_and_the_rain_follows():
    buttons = FakeButtons()
    app = make_app(buttons=(buttons.is_pressed, buttons.pins), run_ms=900)
    assert app.controls.scene == "classic" and app.rain.scene == "classic"
    run(app, lambda: buttons.tap("C"))  # C: "scene"; a short press reports after double_ms
    assert app.controls.scene == SCENE_ORDER[1] and app.rain.scene == SCENE_ORDER[1]


# -- the dispatch table ----------------------------------------------------------------


def test_every_button_verb_has_a_command_for_each_gesture_and_config_shares_the_table():
    assert tuple(sorted(BUTTON_VERBS)) == config.BUTTON_ACTIONS
    assert (SHORT, LONG, DOUBLE, REPEAT) == (1, 2, 3, 4)  # the table's column order
    for verb, commands in BUTTON_VERBS.items():
        names = commands.split()
        assert len(names) == 4, verb  # short, long, double, repeat
        for name in names:
            assert name == "-" or name.split(":")[0] in _COMMANDS, (verb, name)


class FakeActions:
    """Records what the controls start; ``busy`` as the real one reports it."""

    def __init__(self, feedback, record):
        self.feedback = feedback
        self.record = record
        self.started = []
        self.busy = None
        self.known = {"adblock": True}

    def start(self, name, func, *args):
        if self.busy:
            return False
        self.started.append((name, func.__name__) + args)
        return True

    async def adblock_toggle(self):
        pass

    async def adblock_set(self, on):
        pass

    async def adblock_show(self):
        pass

    async def group_toggle(self, group):
        pass

    async def group_set(self, group, pause):
        pass

    async def group_show(self, group):
        pass

    async def group_pause_for(self, group, minutes):
        pass

    async def run_reverts(self):
        pass


def _controls(**kw):
    made = []

    def make_actions(feedback, record):
        made.append(FakeActions(feedback, record))
        return made[0]

    data = {
        "controller": {"url": "demo://"},
        "groups": {"kids": ["aa:bb:cc:dd:ee:01"]},
        "pause_min": 15,
    }
    app = make_app(data, make_actions=make_actions, **kw)
    return app.controls, made[0]


def test_network_buttons_start_the_configured_action_per_gesture():
    controls, actions = _controls()
    controls.press("A", SHORT)
    controls.press("A", LONG)
    controls.press("A", REPEAT)  # ignored
    controls.press("B", SHORT)
    controls.press("B", LONG)
    controls.press("B", DOUBLE)
    assert actions.started == [
        ("adblock", "adblock_show"),
        ("adblock", "adblock_toggle"),
        ("pause", "group_show", "kids"),
        ("pause", "group_toggle", "kids"),
        ("pause", "group_pause_for", "kids", 15),
    ]


def test_commands_set_or_toggle_and_report_busy():
    controls, actions = _controls()
    assert controls.command("adblock", False) == (True, "started")
    assert controls.command("pause:kids", True) == (True, "started")
    assert controls.command("timed_pause:kids", 5)[0]
    assert actions.started[-3:] == [
        ("adblock", "adblock_set", False),
        ("pause", "group_set", "kids", True),
        ("pause", "group_pause_for", "kids", 5),
    ]
    assert controls.command("adblock", "yes") == (False, "adblock needs true or false")
    actions.busy = "pause"
    assert controls.command("adblock") == (False, "busy: pause")
    assert controls.command("nosuch")[0] is False


def test_network_commands_without_a_controller_say_so():
    app = make_app()
    ok, message = app.controls.command("adblock")
    assert not ok and "controller" in message
    app.controls.press("A", LONG)  # no crash, a toast
    assert app.overlay._toast_on


def test_local_settings_apply_validate_and_persist():
    folder = _dir()
    settings = Settings(folder + "/settings.json").load()
    settings.save_after_ms = 0
    app = make_app(settings=settings)
    controls = app.controls
    controls.press("LUX_UP", SHORT)
    assert app.panel.brightness == 0.6
    assert controls.command("brightness", 2) == (True, "LIGHT 100%")
    assert controls.command("brightness", "dim")[0] is False
    controls.press("VOL_UP", LONG)
    assert controls.gain_pct == 200
    assert controls.command("gain", 0)[0] is False
    controls.press("C", DOUBLE)
    assert controls.command("scene", "fire") == (True, "FIRE")
    assert controls.command("scene", "disco")[0] is False
    controls.press("SLEEP", SHORT)
    assert controls.sleeping
    controls.tick(ticks_ms())  # the once-a-second task: the one place that saves
    saved = Settings(folder + "/settings.json").load()
    assert saved.get("brightness") == 1.0 and saved.get("gain_pct") == 200
    assert saved.get("scene") == "fire" and saved.get("sleeping") is True
    again = make_app(settings=saved)  # a reboot: everything comes back
    assert again.controls.scene == "fire" and again.rain.scene == "fire"
    assert again.panel.brightness == 1.0 and again.controls.gain_pct == 200
    assert again.controls.sleeping


def test_sleeping_blanks_the_panel_but_the_app_keeps_running():
    app = make_app(run_ms=400)
    app.controls.command("sleep", True)
    run(app)
    assert app.panel.frames_shown > 0 and app.panel.rain_frames == 0
    assert app.metrics.polls_ok >= 1


def test_status_toast_shows_the_rates_and_state():
    app = make_app(run_ms=300)
    run(app)
    ok, text = app.controls.command("status")
    assert ok and text.startswith("DOWN ") and " UP " in text and text.endswith(" OK")
    assert app.overlay._toast_on


def test_subscribers_hear_settings_actions_and_state_changes():
    controls, actions = _controls()
    events = []
    controls.subscribe(lambda event, data: events.append((event, data)))
    controls.command("gain", 50)
    actions.record({"action": "adblock", "result": "verified", "detail": "ADBLOCK ON"})
    controls.tick(ticks_ms())
    assert events[0] == ("setting", {"gain_pct": 50})
    assert events[1][0] == "action" and events[1][1]["detail"] == "ADBLOCK ON"
    assert events[2] == ("state", {"state": "connecting", "reason": None})
    controls.tick(ticks_ms())
    assert len(events) == 3  # no change, no event


def test_state_reports_the_surface_keys():
    controls, _ = _controls()
    state = controls.state()
    for key in (
        "state",
        "reason",
        "down_bytes_per_s",
        "up_bytes_per_s",
        "utilisation_down",
        "utilisation_up",
        "brightness",
        "scene",
        "sleeping",
        "gain_pct",
        "adblock",
        "groups",
        "uptime_s",
        "heap_free",
        "version",
        "actions",
    ):
        assert key in state, key
    assert state["adblock"] is True and state["groups"] == {"kids": None}


# -- stale data: one verdict, one scene owner ---------------------------------------


def test_stale_data_turns_the_rain_calm_and_a_fresh_sample_restores_the_scene():
    app = make_app()
    controls = app.controls
    app.meter.add(1_000_000, 100_000, 1000)
    app._check_stale(1000 + app.stale_ms + 1)
    assert controls.stale and app.rain.scene == "stale" and app.status.current == "stale"
    controls.command("scene", "ocean")  # chosen while stale: remembered, not shown
    assert app.rain.scene == "stale" and controls.scene == "ocean"
    later_ms = 1000 + 2 * app.stale_ms
    app.meter.add(1_000_000, 100_000, later_ms)
    app.status.set("data", "ok")
    app._check_stale(later_ms + 1)
    assert not controls.stale and app.rain.scene == "ocean"


def _green_excess(fb):
    """Mean of G - max(R, B) over the lit dots above the status band (fb is B,G,R,0)."""
    total = lit = 0
    for i in range(0, (H - BAND_PX) * W * 4, 4):
        brightest = max(fb[i], fb[i + 1], fb[i + 2])
        if brightest > 60:
            lit += 1
            total += fb[i + 1] - max(fb[i], fb[i + 2])
    return total // lit if lit else None


def test_a_refusing_controller_goes_stale_and_the_rain_turns_calm_and_grey():
    app = make_app(source=FailingSource(), run_ms=1200)
    app.stale_ms = 250
    early, late = [], []

    async def watch():  # samples the panel's buffer between frames, by scene, until the end
        while app.hooks.summary is None:
            shown = app.panel.frames_shown
            while app.panel.frames_shown == shown and app.hooks.summary is None:
                await sleep_ms(5)
            bucket = early if app.rain.scene == "classic" else late
            excess = _green_excess(app.panel.fb)
            if excess is not None:
                bucket.append(excess)

    run(app, watch)
    assert app.metrics.polls_ok >= 1  # the first sample came through, then refusals
    assert app.status.get("data") == "stale" and app.rain.scene == "stale"
    assert app.status.current == "controller_unreachable"
    assert app.panel.rain_frames > 0 and early and late, (early, late)  # frames went on
    assert sum(early) // len(early) > 40, early  # classic: green
    assert sum(late) // len(late) < 25, late  # stale: grey-blue, desaturated


# -- config errors: a message, the band, and the rain keeps going --------------------


def _boot(text=None, pem=None, run_ms=500, buttons=None):
    folder = _dir()
    if text is not None:
        _write(folder + "/config.json", text)
    if pem is not None:
        _write(folder + "/c.pem", pem)
    lines = []
    app = start.build(
        folder + "/config.json",
        LitPanel(),
        buttons=buttons,
        hooks=Capture(run_ms),
        console=Console(out=lines.append),
    )
    return app, lines


HTTPS = '{"controller": {"url": "https://192.168.1.1", "api_key": "k", "ca_pem": "c.pem"}}'


def test_a_missing_empty_or_junk_certificate_is_a_config_error_with_calm_rain():
    cases = ((None, "not found"), ("", "no PEM"), ("junk\n", "no PEM"), (BAD_DER_PEM, ""))
    for pem, problem in cases:
        app, lines = _boot(HTTPS, pem)
        assert app.source is None and app.status.current == "config_error"
        assert app.status.message() == "CONFIG ERROR: controller.ca_pem"
        text = "\n".join(lines)
        assert TMP + "/c.pem" in text and problem in text and "make configure" in text, text
        assert "config_error (controller.ca_pem)" in text  # the status line
    app.hooks.run_ms = 1000
    hooks = run(app)
    assert app.panel.rain_frames > 0 and app.rain.scene == "stale"
    assert hooks.summary["state"] == "config_error"


def test_a_good_certificate_boots_the_unifi_source():
    with open(FIXTURES + "http_cn.pem") as f:
        app, lines = _boot(HTTPS, f.read())
    assert app.source is not None and app.status.current != "config_error", lines


def test_missing_and_broken_config_files_are_config_errors():
    for text, key in (
        (None, "(file)"),
        ("{", "(file)"),
        ('{"display": {"scene": "x"}}', "display.scene"),
    ):
        app, lines = _boot(text)
        assert app.source is None and app.status.detail("config_error") == key, lines
        assert "netrain: fix config.json" in "\n".join(lines)


# -- a config file through start.build, as the simulator boots it ----------------


def test_the_demo_config_file_runs_without_tls_and_takes_presses():
    buttons = FakeButtons()
    text = '{"controller": {"url": "demo://"}}'
    app, lines = _boot(text, run_ms=2200, buttons=(buttons.is_pressed, buttons.pins))
    assert app.source is not None and app.rain.scene == "classic", lines
    brightness = app.panel.brightness

    async def press():
        await buttons.tap("C")  # "scene", short
        await sleep_ms(400)
        await buttons.tap("LUX_UP", hold_ms=800)  # "brightness_up", long

    hooks = run(app, press)
    seconds, summary = hooks.seconds, hooks.summary
    assert summary["summary"] is True and len(seconds) >= 2, seconds
    for key in SUMMARY_KEYS:
        assert key in summary, key
    for obj in seconds:
        for key in PER_SECOND_KEYS:
            assert key in obj, key
    assert seconds[-1]["frames"] > seconds[0]["frames"] > 0
    assert summary["frames"] >= seconds[-1]["frames"]
    assert summary["polls_ok"] >= 1 and summary["errors"] == 0
    assert summary["tls_handshakes"] == 0  # the demo source opens no connection
    assert app.rain.scene == SCENE_ORDER[1] and app.panel.brightness > brightness


def test_a_misspelt_key_is_named_with_its_fix_and_the_rain_keeps_going():
    text = '{"controller": {"url": "https://x", "api_key": "k"}, "display": {"fsp": 1}}'
    app, lines = _boot(text, run_ms=300)
    out = "\n".join(lines)
    assert 'config "display.fsp": unknown key' in out and '"display.fps"' in out, out
    assert app.source is None and app.status.current == "config_error"
    hooks = run(app)
    assert app.panel.rain_frames > 0 and hooks.summary["state"] == "config_error"


# -- the console ------------------------------------------------------------------------


def test_status_changes_reach_the_console_once_each():
    clock = FakeClock(0)
    lines = []
    app = start.build("/nonexistent/config.json", LitPanel(), console=Console(clock, lines.append))
    app.status.set("controller", "auth_failed", "HTTP 401")
    app.status.set("controller", "auth_failed", "HTTP 401")  # no change: no line
    assert lines[-1] == "netrain: controller: auth_failed (HTTP 401)"
    assert sum(1 for line in lines if "auth_failed" in line) == 1
