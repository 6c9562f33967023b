# tools.configure.inputs: checks on what the user typed, before anything goes on the network.
# SPDX-License-Identifier: MIT
"""The controller URL, group specs, Wi-Fi settings and plan speeds, each with a clear error."""

import re
import urllib.parse

from .errors import SetupError

_MAC = re.compile(r"^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$")
_GROUP_NAME = re.compile(r"^[A-Za-z0-9_-]{1,20}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
MAX_GROUP_MACS = 32  # netrain.config's limit per group
_MAX_SSID_BYTES = 32
_MIN_PLAN_MBPS = 0.1
_MAX_PLAN_MBPS = 100000


class Target:
    """The controller address: what is written to the config and where to connect."""

    def __init__(self, url, host, port, dropped_path):
        self.url = url
        self.host = host
        self.port = port
        self.dropped_path = dropped_path


def parse_url(text):
    text = text.strip()
    if "://" not in text:
        if ":/" in text or text.startswith("/"):  # "htps:/foo" is a typo, not a host "htps"
            raise SetupError('"%s" is not an address' % text, "e.g. https://192.168.1.1")
        text = "https://" + text
    parts = urllib.parse.urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme == "http":
        raise SetupError(
            '"%s" is plain http: UniFi controllers only answer HTTPS' % text,
            "use https://, e.g. https://192.168.1.1",
        )
    if scheme != "https":
        raise SetupError('"%s" is not an https:// address' % text, "e.g. https://192.168.1.1")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        raise SetupError('"%s" has an invalid port' % text, "e.g. https://192.168.1.2:8443")
    if not host:
        raise SetupError('"%s" has no host' % text, "e.g. https://192.168.1.1")
    port = port or 443
    shown = "[%s]" % host if ":" in host else host
    url = "https://%s%s" % (shown, "" if port == 443 else ":%d" % port)
    return Target(url, host, port, parts.path not in ("", "/"))


def normalise_mac(text):
    """aa:bb:cc:dd:ee:ff from any case and : or - separators, or None if not a MAC."""
    mac = text.strip().lower()
    if not _MAC.match(mac):
        return None
    return mac.replace("-", ":")


def valid_group_name(name):
    return _GROUP_NAME.match(name) is not None


def parse_groups(specs):
    """--group NAME=CLIENT,CLIENT ... -> {name: [MAC or client name, ...]} (syntax only).

    A client is a MAC address or a client's name or host name as the controller
    shows it; names are looked up once the client list is read (``resolve``).
    """
    groups = {}
    for spec in specs:
        name, sep, items_text = spec.partition("=")
        name = name.strip()
        if not sep or not name:
            raise SetupError(
                '--group "%s" has no name' % spec, "write --group kids=aa:bb:cc:dd:ee:ff,kids-ipad"
            )
        if not valid_group_name(name):
            raise SetupError(
                '--group "%s": the name may use letters, digits, - and _ (up to 20)' % name,
                "e.g. --group kids=aa:bb:cc:dd:ee:ff",
            )
        if name in groups:
            raise SetupError(
                '--group "%s" is given twice' % name, "put all its clients in one --group"
            )
        items = [item.strip() for item in items_text.split(",") if item.strip()]
        if not items:
            raise SetupError(
                "--group %s lists no clients" % name, "--group %s=aa:bb:...,kids-ipad" % name
            )
        if len(items) > MAX_GROUP_MACS:
            raise SetupError(
                "--group %s has more than %d clients" % (name, MAX_GROUP_MACS),
                "split it into two groups",
            )
        groups[name] = [normalise_mac(item) or item for item in items]
    return groups


def resolve(item, clients):
    """The MAC for a MAC or a client name (case-insensitive name or host name)."""
    mac = normalise_mac(item)
    if mac is not None:
        return mac
    wanted = item.lower()
    found = sorted(
        c["mac"] for c in clients.values() if wanted in (c["name"].lower(), c["hostname"].lower())
    )
    if len(found) == 1:
        return found[0]
    if found:
        raise SetupError(
            'more than one client is called "%s": %s' % (item, ", ".join(found)),
            "give the MAC address of the one you mean",
        )
    raise SetupError(
        'no client called "%s" on the controller and it is not a MAC address' % item,
        "use a name or host name from the client list above, or a MAC like aa:bb:cc:dd:ee:ff",
    )


def check_ssid(ssid):
    if len(ssid.encode()) > _MAX_SSID_BYTES:
        raise SetupError(
            "the Wi-Fi name (SSID) is longer than %d bytes" % _MAX_SSID_BYTES, "check --ssid"
        )
    return ssid


def check_wifi_password(password):
    if password and not 8 <= len(password) <= 64:
        raise SetupError(
            "the Wi-Fi password has %d characters; WPA2/WPA3 passwords have 8 to 63 "
            "(or 64 hex digits)" % len(password),
            "check --wifi-password (leave it empty for an open network)",
        )
    return password


def check_country(country):
    country = country.strip().upper()
    if not _COUNTRY.match(country):
        raise SetupError('"%s" is not a two-letter country code' % country, "e.g. --country GB")
    return country


def parse_mbps(text):
    """A plan speed in Mbit/s; ValueError with the reason otherwise."""
    value = float(text)
    if not _MIN_PLAN_MBPS <= value <= _MAX_PLAN_MBPS:
        raise ValueError("expected %s to %s Mbit/s" % (_MIN_PLAN_MBPS, _MAX_PLAN_MBPS))
    return int(value) if value == int(value) else value
