# tools.fake_unifi.certs: self-signed certificates shaped like a UniFi console's own.
# SPDX-License-Identifier: MIT
"""Make (or reuse) the console certificate and a second "other" one.

A real console serves a self-signed leaf (CN "UniFi") that clients pin, so
the fake does the same. Certificates are cached in a directory so a pinned
copy (for example the simulator's) stays valid across restarts. The "other"
certificate has the same names but a different key: serving it is what a
console re-keyed by a firmware update or a man in the middle looks like.
"""

import datetime
import hashlib
import ipaddress
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

KEY_TYPES = ("ec", "rsa")
_VALID_DAYS = 3650
# Regenerate a cached certificate this close to expiry rather than serve a stale one.
_MIN_LEFT = datetime.timedelta(days=30)


class CertFiles:
    """Paths of one certificate: PEM and DER certificate, PEM private key."""

    def __init__(self, cert_pem, key_pem, cert_der):
        self.cert_pem = cert_pem
        self.key_pem = key_pem
        self.cert_der = cert_der

    def sha256(self):
        """Hex SHA-256 of the DER certificate: the fingerprint a client pins."""
        with open(self.cert_der, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()


def _subject():
    # The fields a UniFi OS console's factory certificate carries.
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "New York"),
            x509.NameAttribute(NameOID.LOCALITY_NAME, "New York"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Ubiquiti Inc."),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "UniFi"),
            x509.NameAttribute(NameOID.COMMON_NAME, "UniFi"),
        ]
    )


def _new_key(key_type):
    if key_type == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _build(key):
    now = datetime.datetime.now(datetime.UTC)
    name = _subject()
    san = x509.SubjectAlternativeName(
        [x509.DNSName("unifi.local"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    )
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=_VALID_DAYS))
        .add_extension(san, critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )


def _usable(files, key_type):
    """True when the cached pair exists, matches the key type and is not near expiry."""
    try:
        with open(files.cert_pem, "rb") as f:
            cert = x509.load_pem_x509_certificate(f.read())
        with open(files.key_pem, "rb") as f:
            key = serialization.load_pem_private_key(f.read(), password=None)
        if not os.path.exists(files.cert_der):
            return False
    except (OSError, ValueError):
        return False
    want = ec.EllipticCurvePrivateKey if key_type == "ec" else rsa.RSAPrivateKey
    left = cert.not_valid_after_utc - datetime.datetime.now(datetime.UTC)
    return (
        isinstance(key, want)
        and cert.public_key().public_numbers() == key.public_key().public_numbers()
        and left > _MIN_LEFT
    )


def _write_private(path, data):
    # The key is only a test key, but keep it owner-readable like a real one.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def ensure_cert(cert_dir, name="unifi", key_type="ec"):
    """Return CertFiles for `name` in `cert_dir`, generating them when missing or stale."""
    if key_type not in KEY_TYPES:
        raise ValueError("key_type must be one of %s" % (KEY_TYPES,))
    os.makedirs(cert_dir, exist_ok=True)
    base = os.path.join(cert_dir, "%s-%s" % (name, key_type))
    files = CertFiles(base + "-cert.pem", base + "-key.pem", base + "-cert.der")
    if _usable(files, key_type):
        return files
    key = _new_key(key_type)
    cert = _build(key)
    _write_private(
        files.key_pem,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    with open(files.cert_pem, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(files.cert_der, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.DER))
    return files
