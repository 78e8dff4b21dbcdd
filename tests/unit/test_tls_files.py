"""The certificate and key `sonata serve` is given, checked with OpenSSL before anything starts."""

from pathlib import Path

import pytest
from tests.certificates import encrypted, key_material, self_signed

from sonata.entrypoints.tls import check_tls
from sonata.settings import TlsFiles


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tls")
    self_signed(folder, "sonata")
    self_signed(folder, "other")
    (folder / "garbage.pem").write_text(
        "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n"
    )
    encrypted(folder / "sonata.key", "open-sesame-42")
    return folder


def test_a_certificate_and_its_own_key_pass(folder: Path) -> None:
    check_tls(TlsFiles(folder / "sonata.crt", folder / "sonata.key"))


@pytest.mark.parametrize(
    ("cert", "key", "said"),
    [
        ("missing.crt", "sonata.key", "the TLS certificate {cert} does not exist"),
        ("sonata.crt", "missing.key", "the TLS key {key} does not exist"),
        (".", "sonata.key", "the TLS certificate {cert} is not a file"),
        ("sonata.crt", ".", "the TLS key {key} is not a file"),
        ("garbage.pem", "sonata.key", "the TLS certificate {cert} holds no PEM certificate"),
        ("sonata.key", "sonata.key", "the TLS certificate {cert} holds no PEM certificate"),
        ("sonata.crt", "garbage.pem", "the TLS key {key} is not a PEM private key"),
        ("sonata.crt", "sonata.crt", "the TLS key {key} is not a PEM private key"),
        ("sonata.crt", "other.key", "the TLS key {key} does not belong to the certificate {cert}"),
        ("other.crt", "sonata.key", "the TLS key {key} does not belong to the certificate {cert}"),
        ("sonata.crt", "encrypted-sonata.key", "the TLS key {key} is encrypted with a passphrase"),
    ],
)
def test_each_unusable_file_is_named_with_what_is_wrong(folder: Path, cert: str, key: str, said: str) -> None:
    files = TlsFiles(folder / cert, folder / key)
    with pytest.raises(ValueError) as refused:
        check_tls(files)
    message = str(refused.value)
    assert message.startswith(said.format(cert=files.cert, key=files.key)), message
    assert "\n" not in message
    secrets = ["open-sesame-42", *key_material(folder / "sonata.key"), *key_material(folder / "other.key")]
    assert not any(secret in message for secret in secrets)


@pytest.mark.skipif(
    Path("/proc/self").owner() == "root", reason="root reads every file whatever its permissions"
)
def test_an_unreadable_key_is_named(folder: Path, tmp_path: Path) -> None:
    locked = tmp_path / "locked.key"
    locked.write_bytes((folder / "sonata.key").read_bytes())
    locked.chmod(0)
    with pytest.raises(ValueError, match=f"^the TLS key {locked} cannot be read: Permission denied$"):
        check_tls(TlsFiles(folder / "sonata.crt", locked))
