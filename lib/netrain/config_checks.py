# netrain.config_checks: ConfigError and the value checks the config sections share.
# SPDX-License-Identifier: MIT
"""Used by netrain.config (the core sections) and netrain.config_features (the optional
ones); boot-only like them. A check is ``check(key, value) -> value`` and raises
ConfigError naming the dotted key, the problem and the fix."""

import json

_HOST_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789.-_"


class ConfigError(Exception):
    """A config problem; ``key`` is the dotted path, str() is the full message."""

    def __init__(self, key, problem, fix):
        self.key = key
        self.problem = problem
        self.fix = fix
        super().__init__('config "%s": %s. Fix: %s' % (key, problem, fix))


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _type_name(value):
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    return "a number"


def _number(low, high, whole=False):
    def check(key, value):
        if not _is_number(value) or (whole and not isinstance(value, int)):
            kind = "a whole number" if whole else "a number"
            raise ConfigError(
                key,
                "expected %s, got %s %s" % (kind, _type_name(value), json.dumps(value)),
                "write a bare number between %s and %s, e.g. %s" % (low, high, low),
            )
        if value < low or value > high:
            raise ConfigError(
                key,
                "%s is out of range" % value,
                "use a value between %s and %s" % (low, high),
            )
        return value

    return check


def _text(max_len=128, choices=None):
    def check(key, value):
        if not isinstance(value, str):
            raise ConfigError(
                key,
                "expected text, got %s" % _type_name(value),
                'put the value in double quotes, e.g. "%s": "..."' % key.rsplit(".", 1)[-1],
            )
        if len(value) > max_len:
            raise ConfigError(key, "longer than %d characters" % max_len, "shorten it")
        if choices and value not in choices:
            raise ConfigError(
                key, '"%s" is not one of the choices' % value, "use one of: " + ", ".join(choices)
            )
        return value

    return check


def _flag(key, value):
    if not isinstance(value, bool):
        raise ConfigError(
            key, "expected true or false, got %s" % _type_name(value), "write true or false"
        )
    return value
