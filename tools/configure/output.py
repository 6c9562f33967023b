# tools.configure.output: build config.json, validate it as the board will, write it safely.
# SPDX-License-Identifier: MIT
"""config.json holds secrets: it is written 0600, atomically (temporary file, fsync, rename)."""

import json
import os

from .errors import SetupError

CONFIG_NAME = "config.json"
PEM_NAME = "controller.pem"  # the name firmware/config.example.json and the simulator use
DEFAULT_GROUP = "kids"  # the group the default B button ("pause:kids") pauses
_CONFIG_MODE = 0o600
_PEM_MODE = 0o644


def netrain_config():
    """netrain.config from this checkout's lib/: the validator the firmware itself runs."""
    from .core import config

    return config


def build(url, site, creds, wifi, pinned, plan_mbps, groups):
    """The config dict; ``pinned`` False means --insecure."""
    cfg = {}
    if wifi is not None:
        cfg["wifi"] = wifi
    controller = {"url": url, "site": site}
    controller.update(creds)
    if pinned:
        controller["ca_pem"] = PEM_NAME
    else:
        controller["insecure"] = True
    cfg["controller"] = controller
    if plan_mbps is not None:
        cfg["wan"] = {"down_mbps": plan_mbps[0], "up_mbps": plan_mbps[1]}
    if groups:
        cfg["groups"] = groups
        if DEFAULT_GROUP not in groups:
            cfg["buttons"] = {"B": "pause:" + next(iter(groups))}
    return cfg


def render(cfg):
    """config.json text, refused unless netrain.config accepts it."""
    config = netrain_config()
    text = json.dumps(cfg, indent=2) + "\n"
    try:
        config.parse(text)
    except config.ConfigError as exc:
        raise SetupError("the config would not load on the board: %s" % exc)
    return text


def redacted_text(cfg):
    return json.dumps(netrain_config().redacted(cfg), indent=2)


def write(out_dir, text, cert_pem):
    """Write controller.pem (unless None) then config.json; returns the config's path."""
    config_path = os.path.join(out_dir, CONFIG_NAME)
    try:
        os.makedirs(out_dir, exist_ok=True)
        if cert_pem is not None:
            _write_atomic(os.path.join(out_dir, PEM_NAME), cert_pem.encode(), _PEM_MODE)
        _write_atomic(config_path, text.encode(), _CONFIG_MODE)
    except OSError as exc:
        raise SetupError(
            "cannot write to %s: %s" % (out_dir, exc.strerror or exc), "pick another --out DIR"
        )
    return config_path


def _write_atomic(path, data, mode):
    tmp = path + ".tmp"
    if os.path.lexists(tmp):  # a leftover could carry looser permissions
        os.unlink(tmp)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        raise
