# sim_hooks: the simulator's side of netrain.app.Hooks (metrics stream, run time, config path).
# SPDX-License-Identifier: MIT
# Imported by firmware/main.py only when present, i.e. only in the simulator; runs on
# CPython and on the MicroPython unix port. Settings come from simenv (NETRAIN_SIM).
import json
import time

from simdns import resolver_from
from simenv import pollers, settings

try:
    _block_ms = time.sleep_ms
except AttributeError:  # CPython

    def _block_ms(ms):
        time.sleep(ms / 1000)


class SimHooks:
    """Every attribute of netrain.app.Hooks (not imported: the simulator counts this
    module's heap as the stubs', apart from the firmware's)."""

    #: The stub Wi-Fi's DNS server is made up: never the board's DNS client here.
    board_dns = False
    #: The metrics stream counts every allocation here (off on the device: a heap walk each).
    count_alloc = True
    #: The desktop has its own network: a config without Wi-Fi runs (--setup has none).
    needs_wifi = False
    #: The board's port 80 and DNS port 53, mapped to loopback (--web-port, --setup).
    web_host = "127.0.0.1"

    def __init__(self, options):
        self.config_path = options.get("config", "config.json")
        seconds = options.get("seconds")
        self.run_ms = int(seconds * 1000) if seconds else None
        self.web_port = options.get("web_port") or 0  # 0: no page without --web-port
        self.dns_port = options.get("dns_port") or 53
        self._metrics_path = options.get("metrics")
        self._file = None
        #: Device model: CPU time of one TLS handshake on the Pico W (NETRAIN_SIM tls_stall_ms)
        self.tls_stall_ms = int(options.get("tls_stall_ms") or 0)
        #: handshakes stalled so far
        self.tls_stalls = 0
        freeze = options.get("freeze")
        if freeze:  # [at_s, ms]: the loop hangs once, as a bug would; the watchdog must act
            pollers.append(self._freezer(int(freeze[0] * 1000), int(freeze[1])))
        #: ``resolver(host, port)`` from the host table (NETRAIN_SIM hosts, dns_down), or None
        self.resolver = resolver_from(options)
        #: ``opener(ip, port, ssl_ctx)`` for the firmware's HTTP client, None: the default
        self.opener = self._stalling_opener if self.tls_stall_ms else None

    def stall_handshake(self):
        """Block for one handshake's CPU time: on the Pico W the ECDHE and signature
        maths run inside one mbedTLS call that no task can interrupt; the unix port
        does it in microseconds."""
        self.tls_stalls += 1
        _block_ms(self.tls_stall_ms)

    async def _stalling_opener(self, host_ip, port, ssl_ctx):
        import asyncio

        reader, writer = await asyncio.open_connection(host_ip, port, ssl=ssl_ctx)
        if ssl_ctx is not None:
            self.stall_handshake()
        return reader, writer

    @staticmethod
    def _freezer(at_ms, hang_ms):
        def freeze(now_ms):
            if now_ms >= at_ms:
                pollers.remove(freeze)
                print("sim: the firmware hangs for %d ms" % hang_ms)
                _block_ms(hang_ms)

        return freeze

    def _write(self, obj):
        if not self._metrics_path:
            return
        if self._file is None:
            self._file = open(self._metrics_path, "w")  # noqa: SIM115 - kept open for the run
        self._file.write(json.dumps(obj))
        self._file.write("\n")
        self._file.flush()

    def on_metrics(self, snapshot):
        self._write(snapshot)

    def on_summary(self, summary):
        self._write(summary)
        if self._file is not None:
            self._file.close()
            self._file = None
        print("netrain-summary " + json.dumps(summary))


hooks = SimHooks(settings())
