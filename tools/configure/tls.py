# tools.configure.tls: fetch a controller's certificate once, describe it, and pin it.
# SPDX-License-Identifier: MIT
"""Trust on first use: the first look is unverified, everything after is pinned.

``fetch_certificate`` completes one TLS handshake without verification and
returns the DER certificate the controller presented. From then on netrain's
own client trusts that one certificate and nothing else, as the firmware does;
on top of that, ``pinning_opener`` compares each connection's certificate with the
fingerprint the user accepted, so nothing is sent to a server presenting anything else.
"""

import asyncio
import hashlib
import socket
import ssl

from cryptography import x509

from .core import HttpError
from .errors import SetupError, describe_network_error

_SHA256_HEX_DIGITS = 64


class CertChanged(SetupError):
    """The controller presented a certificate other than the one trusted."""


class CertInfo:
    """What the user is shown before trusting a certificate."""

    def __init__(self, der):
        self.der = der
        self.pem = ssl.DER_cert_to_PEM_cert(der)
        self.sha256 = fingerprint(der)
        try:
            cert = x509.load_der_x509_certificate(der)
        except ValueError:
            self.subject = self.issuer = self.not_after = None
            return
        self.subject = cert.subject.rfc4514_string()
        self.issuer = cert.issuer.rfc4514_string()
        self.not_after = cert.not_valid_after_utc

    def lines(self):
        out = ["SHA-256 fingerprint: %s" % self.sha256]
        if self.subject is None:
            out.append("subject: (could not be decoded)")
            return out
        out.append("subject: %s" % (self.subject or "(empty)"))
        self_signed = self.subject == self.issuer
        out.append("issuer:  %s" % ("same (self-signed)" if self_signed else self.issuer))
        out.append("valid until: %s" % self.not_after.strftime("%Y-%m-%d"))
        return out


def fingerprint(der):
    """SHA-256 of the DER certificate as AA:BB:..., the form browsers show."""
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def parse_fingerprint(text):
    """A user-typed SHA-256 fingerprint (any case, colons or spaces optional) as AA:BB:..."""
    digits = "".join(ch for ch in text.upper() if ch not in ": ")
    if len(digits) != _SHA256_HEX_DIGITS or any(ch not in "0123456789ABCDEF" for ch in digits):
        raise SetupError(
            '--fingerprint "%s" is not a SHA-256 fingerprint' % text,
            "give the 64 hex digits your browser shows (colons optional)",
        )
    return ":".join(digits[i : i + 2] for i in range(0, len(digits), 2))


def fetch_certificate(host, port, timeout_s):
    """The DER certificate the server presents, from one unverified handshake."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        with (
            socket.create_connection((host, port), timeout=timeout_s) as sock,
            ctx.wrap_socket(sock, server_hostname=host) as conn,
        ):
            der = conn.getpeercert(binary_form=True)
    except ssl.SSLError as exc:
        raise SetupError(
            "%s:%d accepted a connection but no TLS handshake completed (%s)"
            % (host, port, exc.reason or exc),
            "is this the controller's HTTPS port? UniFi OS consoles use 443, a self-hosted "
            "Network application 8443",
        )
    except OSError as exc:
        raise describe_network_error(exc, host, port, timeout_s)
    if not der:
        raise SetupError("%s:%d presented no certificate" % (host, port), "check the address")
    return der


def pinning_opener(pinned_sha256):
    """An opener for netrain.http.Client that refuses a certificate with another fingerprint."""

    async def open_pinned(host_ip, port, ssl_ctx):
        reader, writer = await asyncio.open_connection(host_ip, port, ssl=ssl_ctx)
        der = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
        if fingerprint(der or b"") != pinned_sha256:
            writer.close()
            raise HttpError("cert", "the certificate is not the one trusted")
        return reader, writer

    return open_pinned


def explain_verify_failure(reason, host, port, pinned_sha256, timeout_s):
    """Why the pinned client refused the server: a new certificate, or the pin itself."""
    try:
        seen = fingerprint(fetch_certificate(host, port, timeout_s))
    except SetupError:
        seen = None
    if seen == pinned_sha256:
        # Same certificate, yet OpenSSL will not take it as its own trust anchor (expired,
        # or issued by another CA): the board's mbedTLS would refuse it the same way.
        return SetupError(
            "the controller's certificate cannot be pinned as it is (%s)" % reason,
            "renew the console's certificate, or pin the CA that issued it by hand "
            "(controller.ca_pem); --insecure skips verification (not recommended)",
        )
    return _changed(host, port, pinned_sha256, seen or "unknown")


def _changed(host, port, pinned_sha256, seen_sha256):
    return CertChanged(
        "%s:%d now presents a different certificate (SHA-256 %s) from the one trusted "
        "(%s); nothing was sent to it" % (host, port, seen_sha256, pinned_sha256),
        "this can be a man in the middle, or the console changed its certificate; run the "
        "wizard again and compare the fingerprint with the one your browser shows",
    )
