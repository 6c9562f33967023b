# Portable tests of netrain.meter: the curve, auto-scale, smoothing and interpolation.
from netrain import meter


def test_curve_keeps_small_rates_visible():
    low = meter.curve_permille(1 / 1000)  # 1 Mbit/s of 1 Gbit/s
    high = meter.curve_permille(900 / 1000)
    assert 80 <= low <= 120
    assert high > 970
    assert meter.curve_permille(0) == 0
    assert meter.curve_permille(2) == 1000


def test_curve_is_monotonic():
    last = -1
    for i in range(101):
        value = meter.curve_permille(i / 100)
        assert value >= last
        last = value


def test_plan_speed_scale():
    m = meter.Meter(down_mbps=1000, up_mbps=100)
    m.add(125_000_000, 0, 1000)  # 1 Gbit/s down: full scale
    assert m.down.level_permille(1000 + 10_000) == 1000
    assert m.up.level_permille(1000 + 10_000) == 0


def test_interpolates_over_poll_interval():
    m = meter.Meter(down_mbps=1000, up_mbps=100)
    m.add(0, 0, 1000)
    m.add(0, 0, 2000)
    m.down.smoothing = 1.0
    m.add(125_000_000, 0, 3000)  # interval 1000 ms
    start = m.down.level_permille(3000)
    middle = m.down.level_permille(3500)
    end = m.down.level_permille(4000)
    assert start == 0 and end == 1000
    assert 400 <= middle <= 600


def test_lone_zero_is_held():
    m = meter.Meter(down_mbps=100, up_mbps=10)
    m.down.smoothing = 1.0
    m.add(5_000_000, 0, 1000)
    m.add(0, 0, 2000)  # refresh gap
    assert m.down.rate_bytes_per_s == 5_000_000
    m.add(0, 0, 3000)
    m.add(0, 0, 4000)  # a real silence after repeated zeros
    assert m.down.rate_bytes_per_s == 0


def test_auto_scale_follows_peak_with_floor():
    m = meter.Meter()
    assert m.down.scale_bytes_per_s == meter.AUTO_FLOOR_DOWN_BYTES_PER_S
    m.down.smoothing = 1.0
    m.add(50_000_000, 0, 1000)
    assert m.down.scale_bytes_per_s == 50_000_000
    assert m.down.level_permille(20_000) == 1000
    m.add(5_000_000, 0, 2000)
    level = m.down.level_permille(20_000)
    assert 500 < level < 1000  # a tenth of the peak, through the log curve


def test_controller_plan_does_not_override_config():
    m = meter.Meter(down_mbps=100)
    m.set_plan(1_000_000, 2_000_000)
    assert m.down.plan_bytes_per_s == 12_500_000
    assert m.up.plan_bytes_per_s == 2_000_000


def test_age_tracks_last_sample():
    m = meter.Meter()
    assert m.age_ms(5) is None
    m.add(1, 1, 1000)
    assert m.age_ms(4000) == 3000


def test_floats_and_negative_rates():
    m = meter.Meter(down_mbps=8, up_mbps=8)
    m.down.smoothing = 1.0
    m.add(31965.9, -5, 1000)
    assert m.down.rate_bytes_per_s == 31965
    assert m.up.rate_bytes_per_s == 0
