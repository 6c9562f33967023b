# Portable tests of netrain.config: defaults, and errors that name the key and the fix.
from _util import raises

from netrain import config

GOOD = '{"controller": {"url": "https://192.168.1.1", "api_key": "k", "ca_pem": "c.pem"}}'


def test_minimal_config_gets_defaults():
    cfg = config.parse(GOOD)
    assert cfg["controller"]["site"] == "default"
    assert cfg["display"]["fps"] == 60
    assert cfg["poll_s"] == 1.0
    assert cfg["buttons"]["A"] == "adblock"
    assert cfg["groups"] == {}
    assert cfg["wan"]["down_mbps"] is None


def test_missing_url_names_key():
    err = raises(config.ConfigError, config.parse, '{"controller": {"api_key": "k"}}')
    assert err.key == "controller.url"
    assert "Fix:" in str(err)


def test_unknown_key_is_named_with_suggestion():
    text = GOOD[:-1] + ', "display": {"fsp": 30}}'
    err = raises(config.ConfigError, config.parse, text)
    assert err.key == "display.fsp"
    assert '"display.fps"' in str(err)


def test_wrong_type_names_key_and_fix():
    text = GOOD[:-1] + ', "display": {"fps": "fast"}}'
    err = raises(config.ConfigError, config.parse, text)
    assert err.key == "display.fps"
    assert "whole number" in err.problem


def test_bool_is_not_a_number():
    err = raises(config.ConfigError, config.parse, GOOD[:-1] + ', "poll_s": true}')
    assert err.key == "poll_s"


def test_out_of_range():
    err = raises(config.ConfigError, config.parse, GOOD[:-1] + ', "display": {"brightness": 2}}')
    assert err.key == "display.brightness"
    assert "between 0 and 1" in err.fix


def test_credentials_required():
    err = raises(
        config.ConfigError, config.parse, '{"controller": {"url": "https://x", "ca_pem": "c"}}'
    )
    assert err.key == "controller.api_key"
    cfg = config.parse(
        '{"controller": {"url": "https://x", "username": "u", "password": "p", "ca_pem": "c"}}'
    )
    assert cfg["controller"]["username"] == "u"


def test_https_needs_pin_or_explicit_insecure():
    err = raises(
        config.ConfigError, config.parse, '{"controller": {"url": "https://x", "api_key": "k"}}'
    )
    assert err.key == "controller.ca_pem"
    cfg = config.parse('{"controller": {"url": "https://x", "api_key": "k", "insecure": true}}')
    assert cfg["controller"]["insecure"] is True


def test_bad_json_is_a_config_error():
    err = raises(config.ConfigError, config.parse, '{"controller": {"url": ')
    assert "JSON" in err.problem


def test_button_and_group_validation():
    text = GOOD[:-1] + ', "buttons": {"A": "explode"}}'
    assert raises(config.ConfigError, config.parse, text).key == "buttons.A"
    text = GOOD[:-1] + ', "buttons": {"B": "pause:guests"}}'
    assert raises(config.ConfigError, config.parse, text).key == "buttons.B"
    text = GOOD[:-1] + ', "groups": {"kids": ["AA-BB-CC-DD-EE-0F"]}}'
    assert config.parse(text)["groups"]["kids"] == ["aa:bb:cc:dd:ee:0f"]
    text = GOOD[:-1] + ', "groups": {"kids": ["nope"]}}'
    assert raises(config.ConfigError, config.parse, text).key == "groups.kids[0]"


def test_demo_url_needs_no_credentials():
    cfg = config.parse('{"controller": {"url": "demo://"}}')
    assert cfg["controller"]["url"] == config.DEMO_URL


def test_redacted_hides_secrets():
    cfg = config.parse(
        '{"wifi": {"ssid": "s", "password": "wifipass"},'
        ' "controller": {"url": "https://x", "api_key": "secret", "ca_pem": "c"}}'
    )
    text = str(config.redacted(cfg))
    assert "secret" not in text and "wifipass" not in text
    assert cfg["controller"]["api_key"] == "secret"


def test_missing_file():
    err = raises(config.ConfigError, config.load, "/nonexistent/config.json")
    assert "not found" in err.problem


def test_unknown_scene_is_rejected_with_the_choices():
    err = raises(config.ConfigError, config.parse, GOOD[:-1] + ', "display": {"scene": "disco"}}')
    assert err.key == "display.scene"
    assert "disco" in err.problem and "classic, ocean, fire, night" in err.fix


def test_urls_that_do_not_parse_are_rejected():
    for url in (
        "htps:/foo",
        "https://htps:/foo",  # what a typo became: host "htps", empty port
        "https://",
        "https://:8443",
        "https://uni fi.lan",
        "https://unifi.lan:99999",
        "https://unifi.lan:84x3",
        "https://-unifi",
        "https://[zz]:8443",
    ):
        text = '{"controller": {"url": "%s", "api_key": "k", "insecure": true}}' % url
        err = raises(config.ConfigError, config.parse, text)
        assert err.key == "controller.url", url
        assert url in err.problem, err.problem
    for url in (
        "https://192.168.1.1",
        "https://unifi.lan:8443/",
        "http://10.0.0.2:8080/proxy",
        "https://[fd00::1]:8443",
    ):
        text = '{"controller": {"url": "%s", "api_key": "k", "insecure": true}}' % url
        assert config.parse(text)["controller"]["url"] == url.rstrip("/")


def test_only_pause_takes_an_argument():
    err = raises(config.ConfigError, config.parse, GOOD[:-1] + ', "buttons": {"C": "scene:fire"}}')
    assert err.key == "buttons.C" and "takes no" in err.problem
