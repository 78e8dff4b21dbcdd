"""Self-signed certificates for 127.0.0.1, made by the openssl command, for tests of HTTPS."""

import subprocess
from pathlib import Path


def self_signed(folder: Path, name: str = "sonata") -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by its own new key, as (certificate file, key file)."""
    cert, key = folder / f"{name}.crt", folder / f"{name}.key"
    command = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2"
    command += " -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1"
    subprocess.run([*command.split(), "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


def encrypted(key: Path, passphrase: str) -> Path:
    """The key encrypted with this passphrase, in a file beside it."""
    locked = key.with_name(f"encrypted-{key.name}")
    command = [
        "openssl",
        "pkey",
        "-in",
        str(key),
        "-aes256",
        "-passout",
        f"pass:{passphrase}",
        "-out",
        str(locked),
    ]
    subprocess.run(command, check=True, capture_output=True)
    return locked


def key_material(key: Path) -> list[str]:
    """The lines of a PEM key file between its BEGIN and END lines."""
    return [line for line in key.read_text().splitlines() if line and not line.startswith("-----")]
