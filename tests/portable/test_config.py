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


# -- mqtt ------------------------------------------------------------------------------


def _mqtt(fields, extra=""):
    return config.parse(GOOD[:-1] + ', "mqtt": {%s}%s}' % (fields, extra))


def _mqtt_error(fields, extra=""):
    return raises(config.ConfigError, _mqtt, fields, extra)


def test_mqtt_is_off_by_default_with_usable_defaults():
    mqtt = config.parse(GOOD)["mqtt"]
    assert mqtt["host"] == "" and mqtt["port"] == 1883 and mqtt["tls"] is False
    assert mqtt["discovery_prefix"] == "homeassistant" and mqtt["base_topic"] is None
    assert mqtt["keepalive_s"] == 60 and mqtt["rate_period_s"] == 10
    assert mqtt["rate_change_pct"] == 10 and mqtt["name"] == "netrain"


def test_mqtt_port_follows_tls_and_the_rate_period_follows_a_slow_poll():
    mqtt = _mqtt('"host": "10.0.0.2", "tls": true, "ca_pem": "broker.pem"')["mqtt"]
    assert mqtt["port"] == 8883 and mqtt["ca_pem"] == "broker.pem"
    assert _mqtt('"host": "10.0.0.2", "port": 1884')["mqtt"]["port"] == 1884
    assert _mqtt('"host": "ha.lan"', ', "poll_s": 30')["mqtt"]["rate_period_s"] == 30
    # with no host nothing about MQTT can stop the boot
    assert _mqtt('"password": "p"', ', "poll_s": 30')["mqtt"]["host"] == ""


def test_mqtt_errors_name_the_key():
    cases = (
        ('"host": "mqtt://10.0.0.2"', "mqtt.host"),
        ('"host": "-x"', "mqtt.host"),
        ('"host": 7', "mqtt.host"),
        ('"host": "h", "port": 0', "mqtt.port"),
        ('"host": "h", "port": 65536', "mqtt.port"),
        ('"host": "h", "port": 1883.5', "mqtt.port"),
        ('"host": "h", "password": "p"', "mqtt.password"),
        ('"host": "h", "tls": true', "mqtt.ca_pem"),
        ('"host": "h", "tls": "yes"', "mqtt.tls"),
        ('"host": "h", "discovery_prefix": "home/#"', "mqtt.discovery_prefix"),
        ('"host": "h", "discovery_prefix": ""', "mqtt.discovery_prefix"),
        ('"host": "h", "base_topic": "netrain/"', "mqtt.base_topic"),
        ('"host": "h", "base_topic": "/netrain"', "mqtt.base_topic"),
        ('"host": "h", "base_topic": "a/+/b"', "mqtt.base_topic"),
        ('"host": "h", "keepalive_s": 4', "mqtt.keepalive_s"),
        ('"host": "h", "keepalive_s": 601', "mqtt.keepalive_s"),
        ('"host": "h", "rate_change_pct": 101', "mqtt.rate_change_pct"),
        ('"host": "h", "rate_period_s": 1', "mqtt.rate_period_s"),
        ('"host": "h", "prot": 1883', "mqtt.prot"),
    )
    for fields, key in cases:
        extra = ', "poll_s": 2' if "rate_period_s" in fields else ""
        err = _mqtt_error(fields, extra)
        assert err.key == key and "Fix:" in str(err), (fields, str(err))
    assert '"mqtt.port"' in str(_mqtt_error('"host": "h", "prot": 1883'))


def test_mqtt_caps_the_groups_to_what_its_packet_holds():
    many = ", ".join('"g%d": ["aa:bb:cc:dd:ee:%02x"]' % (i, i) for i in range(17))
    err = _mqtt_error('"host": "h"', ', "groups": {%s}' % many)
    assert err.key == "groups" and "at most 16" in err.problem
    long = ", ".join('"%s": ["aa:bb:cc:dd:ee:%02x"]' % (chr(97 + i) * 80, i) for i in range(13))
    err = _mqtt_error('"host": "h"', ', "groups": {%s}' % long)
    assert err.key == "groups" and "1024" in err.problem
    assert len(_mqtt("", ', "groups": {%s}' % long)["groups"]) == 13  # MQTT off: no limit
    twins = '"groups": {"Guest Wi-Fi": ["aa:bb:cc:dd:ee:01"], "guest wi fi": ["aa:bb:cc:dd:ee:02"]}'
    err = _mqtt_error('"host": "h"', ", " + twins)
    assert err.key in ("groups.Guest Wi-Fi", "groups.guest wi fi")  # dict order: either
    assert "same Home Assistant id" in err.problem


def test_redacted_hides_the_mqtt_password():
    cfg = _mqtt('"host": "h", "username": "ha", "password": "brokerpass"')
    assert "brokerpass" not in str(config.redacted(cfg))
    assert config.redacted(cfg)["mqtt"]["username"] == "ha"


# -- web -------------------------------------------------------------------------------


def _web(fields):
    return config.parse(GOOD[:-1] + ', "web": {%s}}' % fields)


def test_web_is_on_by_default_read_only_until_a_password_is_set():
    web = config.parse(GOOD)["web"]
    assert web == {"enabled": True, "port": 80, "password": None, "public_read": True}
    web = _web('"enabled": false, "port": 8080, "password": "sofa-remote", "public_read": false')
    web = web["web"]
    assert web == {"enabled": False, "port": 8080, "password": "sofa-remote", "public_read": False}


def test_web_errors_name_the_key():
    for fields, key, words in (
        ('"port": 0', "web.port", "1"),
        ('"port": 80.5', "web.port", "whole"),
        ('"password": "short"', "web.password", "shorter than 8"),
        ('"password": 12345678', "web.password", "text"),
        ('"public_read": "yes"', "web.public_read", "true or false"),
        ('"enabld": false', "web.enabld", "unknown"),
    ):
        err = raises(config.ConfigError, _web, fields)
        assert err.key == key and words in str(err), (fields, str(err))


def test_redacted_hides_the_web_password():
    cfg = _web('"password": "sofa-remote"')
    assert "sofa-remote" not in str(config.redacted(cfg))
    assert config.redacted(cfg)["web"]["port"] == 80
