# tools.configure.core: the firmware's own code from this checkout's lib/, run on CPython.
# SPDX-License-Identifier: MIT
"""The wizard validates and speaks as the board does: the config validator, and the UniFi
dialect's pure parts (the OS prefix, error envelopes, the CSRF claim of the TOKEN JWT, the
plan speed) come from netrain itself, so a fix to either lands once.
"""

import os
import sys

LIB = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "lib"
)
if LIB not in sys.path:
    sys.path.insert(0, LIB)

from netrain import config  # noqa: E402
from netrain.unifi import PREFIX_UNIFI_OS, envelope_error, jwt_claim, parse_plan  # noqa: E402

__all__ = ["PREFIX_UNIFI_OS", "config", "envelope_error", "jwt_claim", "parse_plan"]
