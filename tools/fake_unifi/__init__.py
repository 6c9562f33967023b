# tools.fake_unifi: a fake UniFi console (UniFi OS or legacy) for tests, sim and benchmarks.
# SPDX-License-Identifier: MIT
"""Run ``python -m tools.fake_unifi --help``, or in-process::

with FakeController(mode="unifios", traffic="flat:1250000,125000") as ctl:
    ... connect to ctl.url, pinning ctl.cert_pem_path ...
    ctl.set_fault("truncate", path="/stat/health", count=1)
    assert ctl.counters["tls_handshakes"] == 1
"""

from .controller import DEFAULTS, FakeController
from .faults import FAULTS

__all__ = ["DEFAULTS", "FAULTS", "FakeController"]
