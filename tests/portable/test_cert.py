# Portable tests of netrain.cert: PEM to DER and the name a certificate vouches for.
# SPDX-License-Identifier: MIT
from _util import raises

from netrain import cert

FIXTURES = __file__.rsplit("/", 2)[0] + "/fixtures/" if "/" in __file__ else "../fixtures/"


def _fixture(name):
    with open(FIXTURES + name, "rb") as f:
        return f.read()


def test_pem_to_der():
    pem, der = _fixture("http_cn.pem"), _fixture("http_cn.der")
    assert cert.pem_to_der(pem) == der
    assert cert.pem_to_der(pem.decode()) == der
    assert cert.pem_to_der(b"junk before\n" + pem + _fixture("http_san.pem")) == der
    raises(ValueError, cert.pem_to_der, b"no certificate here")


def test_cert_hostname():
    assert cert.cert_hostname(_fixture("http_cn.der")) == "unifi.local"
    assert cert.cert_hostname(cert.pem_to_der(_fixture("http_san.pem"))) == "console.example"
    assert cert.cert_hostname(cert.pem_to_der(_fixture("http_san_ip.pem"))) == "10.0.0.1"
    assert cert.cert_hostname(b"\x30\x01") is None
