# netrain.config_features: the optional feature sections of config.json (display
# extras, Home Assistant over MQTT, the web page) and their checks.
# SPDX-License-Identifier: MIT
"""Imported by netrain.config, so boot-only like it; a feature left off keeps its own
modules (netrain.brightness, .night, .ha) unimported."""

from .config_checks import _HOST_CHARS, ConfigError, _flag, _number, _text

_MIN_WEB_PASSWORD = 8  # as the setup page asks (netrain.web.setup.MIN_WEB_PASSWORD)

#: The client's receive buffer (netrain.mqtt's max_packet_bytes): the retained
#: groups list it reads back must fit it, so the groups are capped.
_MQTT_PACKET_BYTES = 1024
_MQTT_MAX_GROUPS = 16  # ha cleans up at most this many removed groups per connect


def _host(key, value):
    _text(253)(key, value)
    if value and (not all(ch in _HOST_CHARS for ch in value.lower()) or value[0] in "-."):
        raise ConfigError(
            key,
            '"%s" is not a host name or IPv4 address' % value,
            'write the address alone, e.g. "192.168.1.10" or "homeassistant.lan" '
            '(no "mqtt://", no port: the port is "port")',
        )
    return value


def _topic_root(key, value):
    _text(64)(key, value)
    if not value or "+" in value or "#" in value or value[0] == "/" or value[-1] == "/":
        raise ConfigError(
            key,
            '"%s" is not a topic to publish under' % value,
            'use words joined by "/", without "+", "#" or a "/" at either end, '
            'e.g. "homeassistant" or "netrain/desk"',
        )
    return value


def _from_config(key, build, example):
    """The module's own validator (netrain.brightness, netrain.night) as a ConfigError:
    its ValueError starts with the dotted key it is about."""
    try:
        build()
    except ValueError as exc:
        text = str(exc)
        sub, sep, problem = text.partition(": ")
        if not sep or not sub.startswith(key):
            sub, problem = key, text
        raise ConfigError(sub, problem, "write it as in %s, or remove it to turn it off" % example)


def _auto_brightness(key, value):
    """true (the default limits), false (off) or {"min": 0.03, "max": 1.0}."""
    if value is False:
        return None
    if value is True:
        value = {}
    from .brightness import AutoBrightness

    _from_config(key, lambda: AutoBrightness.from_config(value, key=key), '{"min": 0.03, "max": 1}')
    return value


def _night(key, value):
    if value is False:
        return None
    from .night import NightSchedule

    example = '{"from": "22:30", "to": "07:00", "mode": "dim", "level": 0.05, "utc_offset_min": 0}'
    _from_config(key, lambda: NightSchedule.from_config(value, key=key), example)
    return value


def _web_password(key, value):
    value = _text(64)(key, value)
    if len(value) < _MIN_WEB_PASSWORD:
        raise ConfigError(
            key, "shorter than %d characters" % _MIN_WEB_PASSWORD, "choose a longer password"
        )
    return value


# Off when absent: their modules are then never imported.
DISPLAY = {
    "auto_brightness": (_auto_brightness, None),
    "night": (_night, None),
}

# The top-level sections, in this order after netrain.config's.
SECTIONS = {
    # Home Assistant over MQTT; no host: off, and its modules are never imported.
    "mqtt": {
        "host": (_host, ""),
        "port": (_number(1, 65535, whole=True), None),  # 8883 with tls, else 1883
        "username": (_text(64), None),
        "password": (_text(128), None),
        "tls": (_flag, False),
        "ca_pem": (_text(128), None),
        "discovery_prefix": (_topic_root, "homeassistant"),
        "base_topic": (_topic_root, None),  # netrain/<board's unique id>
        "name": (_text(32), "netrain"),
        "keepalive_s": (_number(5, 600, whole=True), 60),
        "rate_period_s": (_number(0.5, 3600), None),  # 10, or poll_s if longer
        "rate_change_pct": (_number(0, 100), 10),
    },
    # The board's own page and JSON API; off: netrain.web is never imported.
    "web": {
        "enabled": (_flag, True),
        "port": (_number(1, 65535, whole=True), 80),
        "password": (_web_password, None),  # HTTP Basic, user admin; none: read-only
        "public_read": (_flag, True),  # false: reading the state needs the password too
    },
}


def check(cfg):
    """The checks across keys of the feature sections; fills in the mqtt defaults
    that depend on other keys."""
    mqtt = cfg["mqtt"]
    if mqtt["port"] is None:
        mqtt["port"] = 8883 if mqtt["tls"] else 1883
    if mqtt["rate_period_s"] is None:
        mqtt["rate_period_s"] = max(10, cfg["poll_s"])
    if not mqtt["host"]:
        return
    if mqtt["password"] and not mqtt["username"]:
        raise ConfigError(
            "mqtt.password", "set without a user name", 'add "username" or remove "password"'
        )
    if mqtt["tls"] and not mqtt["ca_pem"]:
        raise ConfigError(
            "mqtt.ca_pem",
            "missing: with tls the broker's certificate is pinned",
            "save the broker's certificate (or its CA's) as PEM beside config.json "
            'and name it, e.g. "ca_pem": "broker.pem"',
        )
    if mqtt["rate_period_s"] < cfg["poll_s"]:
        raise ConfigError(
            "mqtt.rate_period_s",
            "%s s is shorter than poll_s (%s s): rates change once per poll"
            % (mqtt["rate_period_s"], cfg["poll_s"]),
            "use %s or more" % cfg["poll_s"],
        )
    groups = cfg["groups"]
    if len(groups) > _MQTT_MAX_GROUPS:
        raise ConfigError(
            "groups",
            "%d groups, Home Assistant gets at most %d" % (len(groups), _MQTT_MAX_GROUPS),
            "merge some groups, or leave mqtt.host empty",
        )
    # header, topic length, "<base>/groups", then the group ids joined by ","
    base = mqtt["base_topic"] or "netrain/0123456789abcdef"
    size = 5 + len(base) + 7 + sum(len(name) + 1 for name in groups)
    if size > _MQTT_PACKET_BYTES:
        raise ConfigError(
            "groups",
            "the group names take %d bytes in MQTT, over its %d" % (size, _MQTT_PACKET_BYTES),
            "shorten the group names",
        )
    from .ha import object_id  # loaded anyway once MQTT is on

    seen = {}
    for name in groups:
        other = seen.setdefault(object_id(name), name)
        if other != name:
            raise ConfigError(
                "groups." + name,
                'same Home Assistant id as "%s" (case and punctuation are dropped)' % other,
                "rename one of them",
            )
