# tools.configure.core: the firmware's own code from this checkout's lib/, run on CPython.
# SPDX-License-Identifier: MIT
"""The wizard validates and speaks as the board does: the config validator, and the UniFi
dialect whole (netrain.unifi's detection, login, CSRF, envelopes and plan speed over
netrain.http's pinned client) come from netrain itself, so a fix to either lands once.
"""

import os
import sys

LIB = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "lib"
)
if LIB not in sys.path:
    sys.path.insert(0, LIB)

from netrain import config  # noqa: E402
from netrain.compat import loads_json  # noqa: E402
from netrain.http import Client  # noqa: E402
from netrain.http_parse import HttpError  # noqa: E402
from netrain.source import SourceError  # noqa: E402
from netrain.unifi import PREFIX_UNIFI_OS, Unifi, envelope_error, parse_plan  # noqa: E402

__all__ = [
    "PREFIX_UNIFI_OS",
    "Client",
    "HttpError",
    "SourceError",
    "Unifi",
    "config",
    "envelope_error",
    "loads_json",
    "parse_plan",
]
