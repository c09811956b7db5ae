"""Certificate authorities and server certificates made for one test, with openssl."""

import subprocess
from pathlib import Path


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_ca(directory, name):
    """A self-signed CA: ``directory/name.pem`` and its key ``directory/name-key.pem``."""
    directory = Path(directory)
    _openssl(
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", f"{name}-key.pem", "-out", f"{name}.pem", "-days", "2", "-subj", f"/CN=relayr test {name}",
        cwd=directory,
    )  # fmt: skip
    return directory / f"{name}.pem"


def make_server_cert(directory, ca, names="IP:127.0.0.1,DNS:localhost"):
    """``server-cert.pem`` and ``server-key.pem`` in ``directory``, signed by ``ca`` for ``names``."""
    directory = Path(directory)
    ca_key = ca.with_name(ca.stem + "-key.pem")
    (directory / "san.cnf").write_text(f"subjectAltName={names}\n")
    _openssl(
        "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", "server-key.pem", "-out", "server.csr", "-subj", "/CN=relayr test server",
        cwd=directory,
    )  # fmt: skip
    _openssl(
        "x509", "-req", "-in", "server.csr", "-CA", str(ca), "-CAkey", str(ca_key), "-CAcreateserial",
        "-out", "server-cert.pem", "-days", "2", "-extfile", "san.cnf",
        cwd=directory,
    )  # fmt: skip
    return directory / "server-cert.pem", directory / "server-key.pem"
