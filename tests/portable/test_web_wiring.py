# Portable tests of how the board picks setup mode and leaves for it (netrain.start,
# netrain.web.boot): files in /tmp, a fake Wi-Fi supervisor and restart.
# SPDX-License-Identifier: MIT
import os

from _util import run_async

from netrain import start
from netrain.web.boot import join_watch

FOLDER = "/tmp/netrain-test-web-wiring"
CONFIG = FOLDER + "/config.json"
MARKER = FOLDER + "/" + start.SETUP_MARKER


def _fresh(*names):
    try:
        os.mkdir(FOLDER)
    except OSError:
        pass
    for name in ("config.json", start.SETUP_MARKER):
        try:
            os.remove(FOLDER + "/" + name)
        except OSError:
            pass
    for name in names:
        with open(FOLDER + "/" + name, "w") as f:
            f.write("{}")


def _exists(path):
    try:
        os.stat(path)
    except OSError:
        return False
    return True


def test_a_board_with_no_config_starts_in_setup():
    _fresh()
    assert start.setup_reason(CONFIG, FOLDER) == "no config file"
    _fresh(start.SETUP_MARKER)  # the marker does not outlive the boot that saw it
    assert start.setup_reason(CONFIG, FOLDER) == "no config file"
    assert not _exists(MARKER)


def test_a_config_starts_normally_unless_the_join_watch_left_its_marker():
    _fresh("config.json")
    assert start.setup_reason(CONFIG, FOLDER) is None
    _fresh("config.json", start.SETUP_MARKER)
    assert start.setup_reason(CONFIG, FOLDER) == "the configured Wi-Fi could not be joined"
    assert not _exists(MARKER)  # removed: the restart after setup mode tries the network
    assert start.setup_reason(CONFIG, FOLDER) is None


class Wifi:
    def __init__(self, joins_after_checks=None):
        self.checks = 0
        self.joins_after_checks = joins_after_checks

    @property
    def connected(self):
        self.checks += 1
        return self.joins_after_checks is not None and self.checks > self.joins_after_checks


def test_the_join_watch_restarts_into_setup_when_the_network_never_joins():
    _fresh("config.json")
    restarts, lines = [], []
    wifi = Wifi()
    run_async(join_watch(wifi, MARKER, lambda: restarts.append(1), lambda *a: lines.append(a), 30))
    assert restarts == [1] and _exists(MARKER)
    assert lines and lines[0][0] == "wifi" and "setup" in lines[0][1]
    assert wifi.checks >= 2  # it waited, checking, before giving up


def test_the_join_watch_ends_quietly_once_the_board_has_joined():
    _fresh("config.json")
    restarts = []
    wifi = Wifi(joins_after_checks=1)
    run_async(join_watch(wifi, MARKER, lambda: restarts.append(1), lambda *a: None, 60_000))
    assert restarts == [] and not _exists(MARKER) and wifi.checks == 2
