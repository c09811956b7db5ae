"""TLS failures between the app and MySQL, named in words an operator can act on.

/readyz and wait_for_database use this: a TLS failure does not heal by
waiting (the server's or the app's setting has to change), so it must not
look like an outage, and the driver's bare tuple says little.
"""

# MySQL's ER_SECURE_TRANSPORT_REQUIRED: require_secure_transport refused a plain connection.
SECURE_TRANSPORT_REQUIRED = 3159
# The client library's CR_SSL_CONNECTION_ERROR: the handshake or the certificate check failed.
SSL_CONNECTION_ERROR = 2026


def tls_problem(exc):
    """A one-line explanation when ``exc`` (or its cause) is a TLS failure, else None."""
    while exc is not None:
        args = getattr(exc, "args", ())
        if len(args) == 2 and args[0] == SECURE_TRANSPORT_REQUIRED:
            return (
                "the database server requires TLS and this connection has none: "
                "set ssl_mode in DATABASE_URL or DATABASE_SSL_MODE (REQUIRED or stricter)"
            )
        if len(args) == 2 and args[0] == SSL_CONNECTION_ERROR:
            return f"TLS to the database failed: {args[1]}"
        exc = exc.__cause__
    return None
