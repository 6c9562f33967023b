# netrain.config: load and validate config.json into a plain dict with defaults filled in.
# SPDX-License-Identifier: MIT
"""Every error names the key and says how to fix it; unknown keys are errors.

The schema is data: ``(type, default, check)`` per key, nested dicts for sections.
``None`` as a default means "absent unless the user sets it".
"""

import json
import os

from . import config_features
from .config_checks import _HOST_CHARS, ConfigError, _flag, _number, _text, _type_name
from .controls import BUTTON_VERBS
from .effects.rain import SCENE_ORDER
from .source import DEMO_URL
from .views import NAMES as VIEW_NAMES

BUTTON_NAMES = ("A", "B", "C", "D", "SLEEP", "VOL_UP", "VOL_DOWN", "LUX_UP", "LUX_DOWN")

#: Action verbs a button can be mapped to (the controls' dispatch table, so the two
#: cannot disagree); "pause" takes a group: "pause:kids".
BUTTON_ACTIONS = tuple(sorted(BUTTON_VERBS))

DEFAULT_BUTTONS = {
    "A": "adblock",
    "B": "pause:kids",
    "C": "scene",
    "D": "status",
    "SLEEP": "sleep",
    "VOL_UP": "gain_up",
    "VOL_DOWN": "gain_down",
    "LUX_UP": "brightness_up",
    "LUX_DOWN": "brightness_down",
}


_MAX_CONFIG_BYTES = 16384
_MAX_GROUP_MACS = 32


def _url(key, value):
    _text(256)(key, value)
    if value == DEMO_URL:
        return value
    if not (value.startswith("https://") or value.startswith("http://")):
        raise ConfigError(
            key,
            '"%s" is not an http(s) URL' % value,
            'use the console address, e.g. "https://192.168.1.1" (UniFi OS) '
            'or "https://192.168.1.2:8443" (legacy controller)',
        )
    netloc = value.split("://", 1)[1].split("/", 1)[0]
    host, port = netloc, ""
    if netloc.startswith("["):  # [IPv6]:port
        end = netloc.find("]")
        host, port = netloc[: end + 1], netloc[end + 1 :]
        ok = end > 1 and all(ch in _HEX_COLON for ch in host[1:-1].lower())
    else:
        if ":" in netloc:
            host, port = netloc.split(":", 1)
            port = ":" + port
        ok = host and all(ch in _HOST_CHARS for ch in host.lower()) and host[0] not in "-."
    if port and not (port[0] == ":" and port[1:].isdigit() and 0 < int(port[1:]) < 65536):
        ok = False
    if not ok:
        raise ConfigError(
            key,
            '"%s" is not a valid URL (host name or port)' % value,
            'write scheme, host and optional port, e.g. "https://192.168.1.1" '
            'or "https://unifi.lan:8443"',
        )
    return value.rstrip("/")


_HEX_COLON = "0123456789abcdef:."


def _mac(key, value):
    if not isinstance(value, str):
        raise ConfigError(key, "expected a MAC address as text", 'e.g. "aa:bb:cc:dd:ee:ff"')
    mac = value.lower().replace("-", ":")
    parts = mac.split(":")
    if len(parts) != 6 or any(len(p) != 2 or not _is_hex(p) for p in parts):
        raise ConfigError(key, '"%s" is not a MAC address' % value, 'e.g. "aa:bb:cc:dd:ee:ff"')
    return mac


def _is_hex(text):
    return all(ch in "0123456789abcdef" for ch in text)


def _groups(key, value):
    if not isinstance(value, dict):
        raise ConfigError(
            key, "expected an object of named MAC lists", '"groups": {"kids": ["aa:bb:..."]}'
        )
    out = {}
    for name, macs in value.items():
        sub = key + "." + name
        if not isinstance(macs, list) or not macs:
            raise ConfigError(sub, "expected a non-empty list of MAC addresses", '["aa:bb:..."]')
        if len(macs) > _MAX_GROUP_MACS:
            raise ConfigError(sub, "more than %d clients" % _MAX_GROUP_MACS, "split the group")
        out[name] = [_mac("%s[%d]" % (sub, i), mac) for i, mac in enumerate(macs)]
    return out


def _buttons(key, value):
    if not isinstance(value, dict):
        raise ConfigError(key, "expected an object", '"buttons": {"A": "adblock"}')
    out = dict(DEFAULT_BUTTONS)
    for name, action in value.items():
        sub = key + "." + name
        if name not in BUTTON_NAMES:
            raise ConfigError(
                sub, 'unknown button "%s"' % name, "buttons are: " + ", ".join(BUTTON_NAMES)
            )
        _text(40)(sub, action)
        verb = action.split(":", 1)[0]
        if verb not in BUTTON_ACTIONS:
            raise ConfigError(
                sub, 'unknown action "%s"' % action, "actions are: " + ", ".join(BUTTON_ACTIONS)
            )
        if verb == "pause" and ":" not in action:
            raise ConfigError(sub, "pause needs a group name", 'write "pause:kids"')
        if verb != "pause" and ":" in action:
            raise ConfigError(sub, '"%s" takes no ":..." part' % verb, 'write "%s"' % verb)
        out[name] = action
    return out


# (check, default) per key; a dict value is a nested section. The core sections:
# netrain.config_features adds the optional features' below.
SCHEMA = {
    "wifi": {
        "ssid": (_text(32), None),
        "password": (_text(64), None),
        "country": (_text(2), "GB"),
        "power_save": (_flag, False),
    },
    "controller": {
        "url": (_url, None),
        "site": (_text(64), "default"),
        "api_key": (_text(128), None),
        "username": (_text(64), None),
        "password": (_text(128), None),
        "ca_pem": (_text(128), None),
        "insecure": (_flag, False),
        "timeout_s": (_number(1, 60), 5),
        "source": (_text(16, ("auto", "health", "integration")), "auto"),
    },
    "wan": {
        "down_mbps": (_number(0.1, 100000), None),
        "up_mbps": (_number(0.1, 100000), None),
    },
    "poll_s": (_number(0.5, 300), 1.0),
    "display": {
        "fps": (_number(1, 120, whole=True), 60),
        "brightness": (_number(0, 1), 0.5),
        "scene": (_text(16, SCENE_ORDER), "classic"),
        "view": (_text(16, VIEW_NAMES), "rain"),
        "history_s": (_number(1, 3600, whole=True), 60),
        # then netrain.config_features.DISPLAY
    },
    "buttons": (_buttons, None),
    "groups": (_groups, None),
    "watchdog": (_flag, True),
    "pause_min": (_number(0.1, 1440), 30),
    # then netrain.config_features.SECTIONS: mqtt, web
}

# In their places (the extras last in "display", then mqtt and web), so the order the
# errors are found in is unchanged.
SCHEMA["display"].update(config_features.DISPLAY)
SCHEMA.update(config_features.SECTIONS)

_SECRET_KEYS = ("password", "api_key")


def _suggest(name, known):
    """A likely intended key for a typo (shared prefix, one edit or one swap apart)."""
    for candidate in known:
        if candidate[:3] == name[:3] or _one_edit(name, candidate):
            return candidate
    return None


def _one_edit(a, b):
    if abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < len(a) and i < len(b) and a[i] == b[i]:
        i += 1
    if a[i + 1 :] == b[i + 1 :] or a[i:] == b[i + 1 :] or a[i + 1 :] == b[i:]:
        return True
    # adjacent transposition ("fsp" for "fps")
    return (
        len(a) > i + 1
        and len(b) > i + 1
        and a[i] == b[i + 1]
        and a[i + 1] == b[i]
        and a[i + 2 :] == b[i + 2 :]
    )


def _validate_section(schema, data, prefix):
    if not isinstance(data, dict):
        raise ConfigError(
            prefix.rstrip("."),
            "expected an object {...}, got %s" % _type_name(data),
            "see config.example.json",
        )
    for name in data:
        if name not in schema:
            known = sorted(schema)
            hint = _suggest(name, known)
            fix = ('did you mean "%s"? ' % (prefix + hint)) if hint else ""
            raise ConfigError(
                prefix + name, "unknown key", fix + "known keys here: " + ", ".join(known)
            )
    out = {}
    for name, spec in schema.items():
        key = prefix + name
        if isinstance(spec, dict):
            out[name] = _validate_section(spec, data.get(name, {}), key + ".")
            continue
        check, default = spec
        if name in data and data[name] is not None:
            out[name] = check(key, data[name])
        elif check is _buttons:
            out[name] = dict(DEFAULT_BUTTONS)
        elif check is _groups:
            out[name] = {}
        else:
            out[name] = default
    return out


def validate(data):
    """Return a complete config dict from parsed JSON, or raise ConfigError."""
    cfg = _validate_section(SCHEMA, data, "")
    ctl = cfg["controller"]
    if ctl["url"] is None:
        raise ConfigError(
            "controller.url",
            "missing",
            'add "controller": {"url": "https://192.168.1.1", "api_key": "..."}',
        )
    if ctl["url"] != DEMO_URL and not ctl["api_key"]:
        if not (ctl["username"] and ctl["password"]):
            raise ConfigError(
                "controller.api_key",
                "no credentials",
                'set "api_key" (UniFi OS: Network > Settings > Control Plane > Integrations) '
                'or "username" and "password" of a local admin without two-factor',
            )
    if ctl["url"].startswith("https://") and not ctl["ca_pem"] and not ctl["insecure"]:
        raise ConfigError(
            "controller.ca_pem",
            "no pinned certificate for an https controller",
            'run "python -m tools.configure" to capture it, or set "insecure": true '
            "to skip verification (not recommended)",
        )
    for name, action in cfg["buttons"].items():
        if action.startswith("pause:") and action[6:] not in cfg["groups"]:
            if action != DEFAULT_BUTTONS.get(name):
                raise ConfigError(
                    "buttons." + name,
                    'group "%s" is not defined' % action[6:],
                    'add it under "groups", e.g. "groups": {"%s": ["aa:bb:cc:dd:ee:ff"]}'
                    % action[6:],
                )
    config_features.check(cfg)
    return cfg


def parse(text):
    """Parse config text (str or bytes) and validate it."""
    if len(text) > _MAX_CONFIG_BYTES:
        raise ConfigError("(file)", "larger than %d bytes" % _MAX_CONFIG_BYTES, "trim it")
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ConfigError(
            "(file)",
            "not valid JSON (%s)" % exc,
            "check commas and double quotes; comments are not allowed in JSON",
        )
    return validate(data)


def load(path):
    """Read and validate a config file; a missing file is a ConfigError too (the
    files it names are opened, and checked, by netrain.start)."""
    try:
        if os.stat(path)[6] > _MAX_CONFIG_BYTES:  # read(n) would allocate n bytes up front
            raise ConfigError("(file)", "larger than %d bytes" % _MAX_CONFIG_BYTES, "trim it")
        with open(path) as f:
            text = f.read()
    except OSError:
        raise ConfigError(
            "(file)",
            "%s not found" % path,
            "copy config.example.json to config.json and fill it in, "
            'or run "make configure" (python -m tools.configure)',
        )
    return parse(text)


def redacted(cfg):
    """A copy of the config safe to print: secrets replaced by "***"."""
    out = {}
    for name, value in cfg.items():
        if isinstance(value, dict):
            value = redacted(value)
        elif name in _SECRET_KEYS and value:
            value = "***"
        out[name] = value
    return out
