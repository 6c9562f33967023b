# simdns: the simulator's host table, so DNS faults are tested without a DNS packet.
# SPDX-License-Identifier: MIT
"""NETRAIN_SIM ``hosts`` ({name: ip or null}) answers the firmware's host name lookups;
during each ``dns_down`` interval ([[start_s, end_s], ...]) every lookup fails, as with a
resolver that is down. A name missing from the table (or null) fails too: the simulator
never asks a real DNS server. Runs on CPython and on the MicroPython unix port.
"""

import simenv

_EAI_NONAME = -2  # getaddrinfo's "Name or service not known"


class Resolver:
    def __init__(self, hosts, down_ms=(), clock=None):
        self.hosts = dict(hosts)
        self.down_ms = list(down_ms)
        self.clock = clock or simenv.elapsed_ms
        self.lookups = 0
        self.failures = 0

    async def __call__(self, host, port):
        """``await resolver(host, port) -> ip`` for netrain.http.Client; OSError when it fails."""
        self.lookups += 1
        now_ms = self.clock()
        ip = self.hosts.get(host)
        for start_ms, end_ms in self.down_ms:
            if start_ms <= now_ms < end_ms:
                ip = None
        if ip is None:
            self.failures += 1
            raise OSError(_EAI_NONAME, "simulated DNS: no address for %s" % host)
        return ip


def resolver_from(options):
    """A Resolver when NETRAIN_SIM has a host table, else None (the host's own lookup)."""
    hosts = options.get("hosts")
    if hosts is None:
        return None
    if not isinstance(hosts, dict):
        raise ValueError("NETRAIN_SIM hosts: expected {name: ip or null}")
    down = options.get("dns_down")
    return Resolver(hosts, simenv.intervals_ms(down, "dns_down") if down else ())
