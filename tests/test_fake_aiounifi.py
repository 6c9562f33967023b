"""A client library nobody here wrote (aiounifi, as Home Assistant uses it) against the fake.

If the fake refuses what a real console accepts, the firmware's tests could pass only
because the fake is stricter than the consoles; this drives it over TLS on 127.0.0.1 in
both modes, through aiounifi's own detection, login, reads and block/unblock writes.
"""

import asyncio
import ssl

import pytest

from tools.fake_unifi import FakeController
from tools.fake_unifi.payloads import DEFAULT_CLIENTS, GATEWAYS

aiohttp = pytest.importorskip("aiohttp")
aiounifi = pytest.importorskip("aiounifi")
from aiounifi.controller import Controller  # noqa: E402
from aiounifi.models.configuration import Configuration  # noqa: E402

PASSWORD = "aiounifi-pass"
KID = next(c["mac"] for c in DEFAULT_CLIENTS if c["name"].startswith("kids"))


async def drive(fake, mode):
    ctx = ssl.create_default_context(cafile=fake.cert_pem_path)
    # Cookies for an IP address: aiohttp's default jar drops them, as HA configures it.
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as session:
        config = Configuration(
            session,
            "127.0.0.1",
            username="netrain",
            password=PASSWORD,
            port=fake.port,
            site="default",
            ssl_context=ctx,
        )
        unifi = Controller(config)
        await unifi.login()
        assert unifi.connectivity.is_unifi_os == (mode == "unifios")
        await unifi.sites.update()
        assert [site.name for site in unifi.sites.values()] == ["default"]
        await unifi.system_information.update()
        (info,) = unifi.system_information.values()
        assert info.version == fake.options.network_version
        await unifi.clients.update()
        assert KID in unifi.clients
        await unifi.devices.update()
        gateway = unifi.devices[GATEWAYS[mode]["mac"]]
        assert gateway.raw["uplink"]["rx_bytes-r"] >= 0 and len(unifi.devices.values()) == 3
        await unifi.clients.block(KID)
        assert fake.client_blocked(KID)
        await unifi.clients.unblock(KID)
        assert not fake.client_blocked(KID)


@pytest.mark.parametrize("mode", ["unifios", "legacy"])
def test_aiounifi_logs_in_reads_and_writes(cert_dir, mode):
    with FakeController(mode=mode, password=PASSWORD, cert_dir=cert_dir) as fake:
        asyncio.run(asyncio.wait_for(drive(fake, mode), 30))
        counters = fake.counters
    assert counters["logins"] == 1 and counters["csrf_rejections"] == 0, counters
    assert counters["writes_applied"] == 2, counters


@pytest.fixture
def cert_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("certs"))
