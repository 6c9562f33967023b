# tools.configure.errors: the one error type the wizard reports, and network errors in words.
# SPDX-License-Identifier: MIT
"""A SetupError is something the user can fix: the wizard prints it and exits with 2."""

import errno
import socket
import ssl


class SetupError(Exception):
    """``problem`` says what happened, ``fix`` what to do about it (optional)."""

    def __init__(self, problem, fix=None):
        self.problem = problem
        self.fix = fix
        super().__init__(problem + (". Fix: " + fix if fix else ""))


def describe_network_error(exc, host, port, timeout_s):
    """Turn a socket-level OSError into a SetupError that names the problem."""
    where = "%s:%d" % (host, port)
    if isinstance(exc, socket.gaierror):
        return SetupError(
            'cannot resolve the host name "%s" (DNS lookup failed: %s)' % (host, exc.strerror),
            "check the spelling, or use the controller's IP address",
        )
    if isinstance(exc, ConnectionRefusedError):
        return SetupError(
            "connection refused by %s: nothing listens on that port" % where,
            "check the port: UniFi OS consoles (UDM, UDR, UCG, Cloud Key) use 443, "
            "a self-hosted Network application 8443",
        )
    if isinstance(exc, TimeoutError):
        return SetupError(
            "no answer from %s within %g s (timed out)" % (where, timeout_s),
            "check the address, that this computer is on the controller's network, "
            "and that no firewall drops the connection",
        )
    if isinstance(exc, ssl.SSLError):
        return SetupError("TLS error talking to %s (%s)" % (where, exc.reason or exc))
    if exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return SetupError(
            "%s is unreachable (%s)" % (where, exc.strerror or exc),
            "check the address and that this computer is on the controller's network",
        )
    if isinstance(exc, ConnectionResetError | BrokenPipeError):
        return SetupError("%s closed the connection unexpectedly" % where, "try again")
    return SetupError("network error talking to %s: %s" % (where, exc.strerror or exc))
