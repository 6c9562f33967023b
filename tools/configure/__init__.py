# tools.configure: the first-setup wizard run on the user's computer (CPython).
# SPDX-License-Identifier: MIT
"""python -m tools.configure: point netrain at a UniFi controller.

1. Fetches the controller's certificate without verification, shows its SHA-256
   fingerprint and asks to trust it (or checks it against --fingerprint); from then
   on every connection must present exactly that certificate (trust on first use).
2. Tells a UniFi OS console (GET / -> 200) from a legacy Network application
   (GET / -> 302 /manage).
3. Tests the credentials (the API key, or a login); reads the Network version, the
   sites and the gateway's WAN health.
4. Lists the clients so the B button's pause group can be picked (--group by MAC or name).
5. Reads the plan speed from the WAN network, unless given.
6. Writes DIR/config.json (0600, validated by netrain.config) and DIR/controller.pem.

Modules: ``cli`` (flags, main), ``wizard`` (the flow), ``inputs`` (checks on what
was typed), ``console`` (prompts), ``tls`` (capture and pinning), ``controller``
(the UniFi API: netrain's own client and session, see ``core``), ``output`` (building
and writing files), ``errors``.
"""

from .cli import main

__all__ = ["main"]
