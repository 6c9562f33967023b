# Portable in-process tests of the views, auto-brightness and the night schedule as the
# App wires them (test_app.py's harness: demo source, in-memory panel, bounded runs).
# Time of day comes from a fake wall clock; no assertion depends on the machine's speed.
from _util import raises
from test_app import Capture, LitPanel, _dir, make_app, run

from netrain import config
from netrain.app import App
from netrain.buttons import LONG, SHORT
from netrain.compat import sleep_ms, ticks_ms
from netrain.effects.rain import SCENE_ORDER
from netrain.settings import Settings
from netrain.source import DemoSource
from netrain.views import NAMES

DEMO = {"controller": {"url": "demo://"}}
DAY_S = 1_796_000_000 // 86400 * 86400  # a UTC midnight


class WallClock:
    """netrain.wallclock's ``now_s`` at a time the test sets."""

    def __init__(self, unix_s=None):
        self.unix_s = unix_s

    def now_s(self):
        return self.unix_s


class ViewPanel(LitPanel):
    """Counts shown frames per view (the app is attached after it is built); counting
    in a prepared dict allocates nothing, so the render path stays measurable."""

    def __init__(self):
        super().__init__()
        self.app = None
        self.by_view = {name: 0 for name in NAMES}
        self.lux = 1200

    def show(self):
        super().show()
        if self.app is not None:
            self.by_view[self.app.controls.view_name] += 1

    def light(self):
        return self.lux


def app_with(display=None, settings=None, clock=None, run_ms=300):
    data = {"controller": {"url": "demo://"}, "poll_s": 0.5}
    if display:
        data["display"] = display
    panel = ViewPanel()
    app = App(
        config.validate(data),
        panel,
        DemoSource(),
        hooks=Capture(run_ms),
        settings=settings,
        clock=clock,
    )
    panel.app = app
    return app


# -- views ---------------------------------------------------------------------------


def test_c_held_long_steps_through_the_views_and_the_choice_persists():
    folder = _dir()
    settings = Settings(folder + "/settings.json").load()
    settings.save_after_ms = 0
    app = make_app(settings=settings)
    controls = app.controls
    assert controls.view is None and controls.view_name == "rain"
    seen = []
    for _ in NAMES:
        controls.press("C", LONG)
        seen.append((controls.view_name, app.metrics.view, controls.state()["view"]))
    assert [s[0] for s in seen] == ["history", "split", "numbers", "rain"]
    assert all(a == b == c for a, b, c in seen), seen
    assert controls.scene == "classic"  # the long press changes the view, not the scene
    controls.press("C", SHORT)
    assert controls.scene == SCENE_ORDER[1] and controls.view_name == "rain"
    assert controls.command("view", "numbers") == (True, "NUMBERS")
    assert controls.view is app.views.numbers
    assert controls.command("view", "clock")[0] is False and controls.view_name == "numbers"
    controls.tick(ticks_ms())
    again = make_app(settings=Settings(folder + "/settings.json").load())  # a reboot
    assert again.controls.view_name == "numbers" and again.controls.view is again.views.numbers


def test_the_configured_view_is_shown_from_boot_and_bad_names_are_config_errors():
    app = app_with({"view": "split", "history_s": 30})
    assert app.controls.view is app.views.split and app.views.history.period_ms == 30_000
    for display, key in (
        ({"view": "clock"}, "display.view"),
        ({"history_s": 0}, "display.history_s"),
        ({"history_s": 1.5}, "display.history_s"),
    ):
        exc = raises(config.ConfigError, config.validate, dict(DEMO, display=display))
        assert exc.key == key and "Fix:" in str(exc), str(exc)


def test_a_view_the_heap_has_no_room_for_keeps_the_rain_and_says_so():
    app = make_app()

    def no_room(name):
        return None

    app.views.get = no_room
    ok, message = app.controls.command("view", "split")
    assert not ok and "memory" in message and app.controls.view_name == "rain"
    assert app.overlay._toast_on


def test_every_view_is_drawn_by_the_running_app_without_allocating():
    app = app_with(run_ms=4300)
    panel = app.panel

    async def script():
        # _show_view: no toast, so the band's text is not re-rendered meanwhile
        for name in NAMES[1:] + ("rain",):
            await sleep_ms(800)
            assert app.controls._show_view(name)

    hooks = run(app, script)
    for name in NAMES:
        assert panel.by_view[name] > 5, panel.by_view
    # After the first second (status changes re-render the band's text) the render
    # path allocates nothing in any view. None on CPython (no allocation counter).
    for second in hooks.seconds[1:]:
        assert second["render_alloc_bytes"] in (None, 0), hooks.seconds
    assert hooks.summary["errors"] == 0 and hooks.summary["view"] == "rain"


def test_views_are_drawn_under_the_status_band_and_differ_from_the_rain():
    app = app_with()
    fb = app.panel.fb
    app.meter.set_plan(125_000_000, 12_500_000)
    app.meter.add(60_000_000, 3_000_000, ticks_ms())
    app.views.feed(app.meter, ticks_ms())
    frames = {}
    for name in NAMES:
        assert app.controls._show_view(name)
        view = app.controls.view or app.rain
        app.views.tick(600, 300, ticks_ms())
        view.step(16)
        view.draw(fb)
        frames[name] = bytes(fb)
    assert len(set(frames.values())) == len(NAMES)  # four different pictures
    for name in NAMES[1:]:
        assert any(frames[name]), name


# -- brightness: auto, LUX, night ----------------------------------------------------


def _settle(controls, t_ms, seconds):
    for _ in range(seconds * 4):
        t_ms += 250
        controls.dim(t_ms)
    return t_ms


def test_auto_brightness_follows_the_light_sensor_and_lux_moves_the_curve():
    folder = _dir()
    settings = Settings(folder + "/settings.json").load()
    settings.save_after_ms = 0
    app = app_with({"auto_brightness": {"min": 0.1, "max": 0.9}}, settings=settings)
    controls = app.controls
    panel = app.panel
    panel.lux = 4000
    t = _settle(controls, ticks_ms(), 30)
    assert panel.brightness == 0.9 and app.metrics.brightness_permille == 900
    panel.lux = 0  # the room goes dark: the panel glides down to the configured min
    t = _settle(controls, t, 60)
    assert abs(panel.brightness - 0.1) < 0.001, panel.brightness
    panel.lux = 100
    t = _settle(controls, t, 60)
    before = panel.brightness
    assert 0.1 < before < 0.9
    controls.press("LUX_UP", SHORT)  # shifts the curve: brighter at the same light
    assert panel.brightness > before and controls.dimmer.auto.offset_permille == 100
    t = _settle(controls, t, 30)
    assert panel.brightness > before  # the next readings keep the shift, no fight
    controls.tick(ticks_ms())
    saved = Settings(folder + "/settings.json").load()
    assert saved.get("lux_offset_permille") == 100
    again = app_with({"auto_brightness": {"min": 0.1, "max": 0.9}}, settings=saved)
    assert again.controls.dimmer.auto.offset_permille == 100


def test_auto_brightness_and_night_are_config_errors_naming_the_key():
    for display, key in (
        ({"auto_brightness": {"min": 0.8, "max": 0.2}}, "display.auto_brightness.min"),
        ({"auto_brightness": {"lux": 1}}, "display.auto_brightness.lux"),
        ({"night": {"from": "25:00", "to": "07:00"}}, "display.night.from"),
        ({"night": {"from": "22:00", "to": "07:00", "mode": "x"}}, "display.night.mode"),
        ({"night": "22:00"}, "display.night"),
    ):
        exc = raises(config.ConfigError, config.validate, dict(DEMO, display=display))
        assert exc.key == key and "Fix:" in str(exc), str(exc)
    cfg = config.validate(dict(DEMO, display={"auto_brightness": True, "night": False}))
    assert cfg["display"]["auto_brightness"] == {} and cfg["display"]["night"] is None
    assert config.validate(DEMO)["display"]["night"] is None


NIGHT = {"from": "22:00", "to": "07:00", "mode": "dim", "level": 0.05, "utc_offset_min": 60}


def test_the_night_schedule_dims_the_panel_at_the_configured_local_time():
    clock = WallClock(DAY_S + 20 * 3600 + 30 * 60)  # 20:30 UTC = 21:30 local: day
    app = app_with({"brightness": 0.5, "night": NIGHT}, clock=clock)
    controls = app.controls
    t = ticks_ms()
    assert app.panel.brightness == 0.5
    clock.unix_s = DAY_S + 21 * 3600 + 1  # 22:00 local
    t = _settle(controls, t, 2)
    assert app.panel.brightness == 0.05 and app.metrics.brightness_permille == 50
    clock.unix_s = DAY_S + 86400 + 6 * 3600  # 07:00 local the next day: day again
    t = _settle(controls, t, 2)
    assert app.panel.brightness == 0.5


def test_the_running_app_applies_the_night_and_a_button_wakes_the_panel_first():
    clock = WallClock(DAY_S + 23 * 3600)  # midnight local
    app = app_with({"brightness": 0.5, "night": NIGHT}, clock=clock, run_ms=400)
    run(app)  # the spawn task asks the dimmer a few times a second
    assert app.panel.brightness == 0.05
    controls = app.controls
    controls.press("C", SHORT)  # wakes the panel; the scene stays
    assert controls.scene == "classic" and app.panel.brightness == 0.5
    controls.press("C", SHORT)  # awake now: the press does its job
    assert controls.scene == SCENE_ORDER[1]
    controls.dimmer.night._wake_until_ms = ticks_ms()  # the minute is up
    controls.dim(ticks_ms() + 1)
    assert app.panel.brightness == 0.05


def test_night_off_leaves_the_panel_dark_and_the_metrics_say_zero():
    night = dict(NIGHT, mode="off")
    app = app_with({"night": night}, clock=WallClock(DAY_S + 23 * 3600), run_ms=500)
    app.controls.dim(ticks_ms())  # dark from the first frame
    hooks = run(app)
    assert app.panel.frames_shown > 0 and app.panel.rain_frames == 0
    assert app.controls.dimmer.dark and hooks.summary["brightness"] == 0
    assert app.controls.state()["brightness_now"] == 0


def test_without_a_wall_clock_the_night_never_applies():
    app = app_with({"brightness": 0.5, "night": NIGHT})  # the demo: no controller clock
    _settle(app.controls, ticks_ms(), 2)
    assert app.panel.brightness == 0.5 and not app.controls.dimmer.dark


def test_without_auto_or_night_the_manual_level_is_shown_and_no_dimmer_is_built():
    app = app_with({"brightness": 0.3})
    assert app.controls.dimmer is None  # netrain.dimmer, brightness, night: not loaded
    assert app.panel.brightness == 0.3 and app.metrics.brightness_permille == 300
    app.controls.command("sleep", True)
    assert app.metrics.brightness_permille == 0 and app.panel.brightness == 0.3


def test_a_level_asked_for_under_auto_brightness_moves_the_curve_there():
    app = app_with({"auto_brightness": {"min": 0.1, "max": 0.9}})
    controls = app.controls
    app.panel.lux = 100
    t = _settle(controls, ticks_ms(), 60)
    assert controls.command("brightness", 0.8)[0]  # the web's slider, or MQTT
    assert abs(app.panel.brightness - 0.8) <= 0.08, app.panel.brightness
    _settle(controls, t, 30)  # later readings of the same light keep it there
    assert abs(app.panel.brightness - 0.8) <= 0.08, app.panel.brightness
    assert controls.dimmer.auto.offset_permille > 0


def test_the_history_takes_samples_while_the_meter_auto_scales():
    # No plan speed (no wan.* and none from the controller): the meter's scale is the
    # decaying peak, a float; the poll that feeds the history must not trip over it.
    app = app_with()
    meter = app.meter
    meter.add(2_000_000, 300_000, 1000)
    meter.add(2_500_000, 200_000, 2000)
    assert not meter.down.plan_bytes_per_s
    app.views.feed(meter, 2000)
    app.views.history.draw(app.panel.fb)
    assert any(app.panel.fb)
