# netrain.cert: the pinned certificate: PEM to DER, and the host name it vouches for.
# SPDX-License-Identifier: MIT
"""Certificate handling for netrain.http's pinned TLS, used once when a Client is built.

* ``pem_to_der(pem)``: the first certificate of a PEM text as DER bytes.
* ``cert_hostname(der)``: the name a certificate vouches for (a minimal DER walk), so the
  TLS layer checks the server against the pinned certificate's own name.
"""

import binascii


def pem_to_der(pem):
    """The first certificate of a PEM text (str or bytes) as DER bytes."""
    if isinstance(pem, str):
        pem = pem.encode()
    begin = pem.find(b"-----BEGIN CERTIFICATE-----")
    end = pem.find(b"-----END CERTIFICATE-----", begin + 1)
    if begin < 0 or end < 0:
        raise ValueError("no PEM certificate found")
    try:
        return binascii.a2b_base64(b"".join(pem[begin + 27 : end].split()))
    except ValueError:  # binascii.Error
        raise ValueError("the PEM certificate is not valid base64")


def _tlv(der, pos):
    """(tag, start, end) of the DER element at pos; end is past its contents."""
    tag, n = der[pos], der[pos + 1]
    pos += 2
    if n & 0x80:
        count, n = n & 0x7F, 0
        for _ in range(count):
            n = (n << 8) | der[pos]
            pos += 1
    return tag, pos, pos + n


def _children(der, start, end):
    out = []
    while start < end:
        item = _tlv(der, start)
        out.append(item)
        start = item[2]
    return out


def cert_hostname(der):
    """The name a certificate vouches for, or None: what its own check would accept.

    With a subjectAltName extension (checked alone, as mbedTLS does): its first
    DNS name, else its first IPv4 address; without one: the subject's CN.
    """
    try:
        _, start, end = _tlv(der, 0)
        _, start, end = _tlv(der, start)  # tbsCertificate
        fields = _children(der, start, end)
        if fields[0][0] == 0xA0:  # explicit version
            fields = fields[1:]
        for tag, start, _ in fields[6:]:
            if tag != 0xA3:  # extensions
                continue
            for _, s, e in _children(der, *_tlv(der, start)[1:]):
                ext = _children(der, s, e)
                if bytes(der[ext[0][1] : ext[0][2]]) == b"\x55\x1d\x11":  # subjectAltName
                    _, s, e = _tlv(der, ext[-1][1])  # OCTET STRING holds GeneralNames
                    ip = None
                    for gtag, gs, ge in _children(der, s, e):
                        if gtag == 0x82:
                            return bytes(der[gs:ge]).decode()
                        if gtag == 0x87 and ge - gs == 4 and ip is None:
                            ip = "%d.%d.%d.%d" % tuple(der[gs:ge])
                    return ip
        for _, s, e in _children(der, fields[4][1], fields[4][2]):  # subject RDN sets
            for _, s2, e2 in _children(der, s, e):
                oid, value = _children(der, s2, e2)[:2]
                if bytes(der[oid[1] : oid[2]]) == b"\x55\x04\x03":  # commonName
                    return bytes(der[value[1] : value[2]]).decode()
    except (IndexError, ValueError):
        pass
    return None
