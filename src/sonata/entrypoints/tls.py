"""The certificate and key of `sonata serve --tls-cert --tls-key`, checked before anything starts.

uvicorn loads them in each worker, where a bad file ends in a traceback, and a key encrypted with a
passphrase makes OpenSSL ask for it on the terminal, where a service would wait forever. Checked
here first, each problem is one line naming the file and what is wrong with it; what the files
hold never reaches it.
"""

from __future__ import annotations

import ssl
from pathlib import Path

from sonata.settings import TlsFiles


class _Encrypted(Exception):
    """What the passphrase callback raises: OpenSSL calls it only for an encrypted key."""


def _no_passphrase() -> bytes:
    raise _Encrypted


def check_tls(tls: TlsFiles) -> None:
    """Raises ValueError when the certificate or the key is missing, unreadable, not PEM, encrypted,
    or when the key is not the certificate's."""
    cert = _read(tls.cert, "certificate")
    _read(tls.key, "key")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        # Reads every certificate in the file and nothing else, so a fault here is the certificate's.
        context.load_verify_locations(cadata=cert.decode("ascii", errors="replace"))
    except ssl.SSLError:
        raise ValueError(
            f"the TLS certificate {tls.cert} holds no PEM certificate (-----BEGIN CERTIFICATE-----):"
            " give the certificate file, its chain after it"
        ) from None
    try:
        context.load_cert_chain(tls.cert, tls.key, password=_no_passphrase)
    except _Encrypted:
        raise ValueError(
            f"the TLS key {tls.key} is encrypted with a passphrase: give it decrypted"
            " (openssl pkey -in <key> -out <new key>), readable only by the user running Sonata"
        ) from None
    except ssl.SSLError as error:
        if error.reason == "KEY_VALUES_MISMATCH":
            raise ValueError(
                f"the TLS key {tls.key} does not belong to the certificate {tls.cert}:"
                " give the key the certificate was made for"
            ) from None
        raise ValueError(
            f"the TLS key {tls.key} is not a PEM private key (-----BEGIN PRIVATE KEY-----)"
        ) from None


def _read(path: Path, what: str) -> bytes:
    if not path.exists():
        raise ValueError(f"the TLS {what} {path} does not exist")
    if not path.is_file():  # a directory, or a device or pipe that would never end
        raise ValueError(f"the TLS {what} {path} is not a file")
    try:
        return path.read_bytes()
    except OSError as error:
        raise ValueError(f"the TLS {what} {path} cannot be read: {error.strerror}") from None
