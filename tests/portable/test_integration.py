# Portable tests of the Integration API source with an in-memory controller double.
from _util import raises, run_async

from netrain.integration import IntegrationSource
from netrain.source import Sample, SourceError


class FakeClient:
    insecure = False
    tls_handshakes = 1


class FakeUnifi:
    prefix = "/proxy/network"
    site = "default"
    client = FakeClient()

    def __init__(self, devices):
        self.devices = devices
        self.paths = []

    async def request(self, method, path, body=None, max_body_bytes=None):
        self.paths.append(path)
        if path.endswith("/sites?limit=200"):
            return {"data": [{"id": "S1", "internalReference": "default"}]}
        if "/devices?" in path:
            query = dict(part.split("=") for part in path.split("?")[1].split("&"))
            offset, limit = int(query["offset"]), int(query["limit"])
            return {"data": self.devices[offset : offset + limit]}
        if path.endswith("/statistics/latest"):
            return {"uplink": {"rxRateBps": 80_000_000, "txRateBps": "8000000"}}
        raise AssertionError(path)


def test_reads_gateway_uplink_as_bits_per_second():
    unifi = FakeUnifi(
        [{"id": "AP", "features": ["accessPoint"]}, {"id": "GW", "features": ["gateway"]}]
    )
    source = IntegrationSource(unifi)
    sample = Sample()
    run_async(source.fetch(sample))
    run_async(source.fetch(sample))
    assert sample.down_bytes_per_s == 10_000_000
    assert sample.up_bytes_per_s == 1_000_000
    assert unifi.paths[-1] == "/proxy/network/integration/v1/sites/S1/devices/GW/statistics/latest"
    assert len(unifi.paths) == 4  # the gateway is looked up once


def test_no_gateway_is_a_clear_error():
    source = IntegrationSource(FakeUnifi([{"id": "AP", "features": ["accessPoint"]}]))
    err = raises(SourceError, run_async, source.fetch(Sample()))
    assert err.state == "controller_error" and "gateway" in err.message


def test_gateway_found_on_a_later_page():
    aps = [{"id": "AP%d" % i, "features": ["accessPoint"]} for i in range(20)]
    unifi = FakeUnifi(aps + [{"id": "GW", "features": ["switching", "gateway"]}])
    sample = Sample()
    run_async(IntegrationSource(unifi).fetch(sample))
    assert unifi.paths[-1].endswith("/devices/GW/statistics/latest")
    assert sample.down_bytes_per_s == 10_000_000
