"""Encrypting a rendered config the way the vendor's phones decrypt it (Device.config_encryption).

The key is one the phone already holds, set once by its administrator; Sonata never writes it into a
file. Output is deterministic like every rendering (Yealink skips a file whose MD5 did not change,
and the render cache keeps one body per device version): Yealink's ECB mode takes no random input,
and the OpenSSL salt is derived from the password and the plain file instead of drawn (see
_salt).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, CipherContext, algorithms, modes

from sonata.domain.model import ConfigEncryption

ENCRYPTED_CONTENT_TYPE = "application/octet-stream"
"""What an encrypted config is served as: it is no longer text. Phones pick the file by its name and
decrypt it by their settings, not by this header (verify on a phone; neither vendor documents one)."""

_BLOCK = algorithms.AES.block_size


@dataclass(frozen=True)
class _KeyFormat:
    pattern: re.Pattern[str]
    rule: str
    """Why a key is refused; it never quotes the key."""


# Yealink's administrator guides (T2/T3/T4/T5 series, "Encrypting and Decrypting Files"): "AES keys
# must be 16 characters/32 characters. The supported characters contain: 0 ~ 9, A ~ Z, a ~ z and
# special characters: # $ % * + , - . : = ? @ [ ] ^ _ { } ~". Only 16: vendors.md and the public
# re-implementations (traviscross/yealink-confenc, lib.sh) know AES-128 alone; what a 32-character
# key selects is not documented (verify).
_YEALINK_KEY = _KeyFormat(
    re.compile(r"[0-9A-Za-z#$%*+,\-.:=?@\[\]^_{}~]{16}"),
    "must be 16 characters: letters, digits and # $ % * + , - . : = ? @ [ ] ^ _ { } ~ "
    "(the phone's static.auto_provision.aes_key.mac)",
)
# P1359 "XML Config File Password": no public source gives its limits; printable ASCII without
# spaces stays the same typed into the phone's web page or sent in a config, and 64 is far above any
# password field of Grandstream's web pages (verify the phone's own limit).
_GRANDSTREAM_PASSWORD = _KeyFormat(
    re.compile(r"[!-~]{1,64}"),
    "must be 1 to 64 printable ASCII characters without spaces (the phone's P1359)",
)


def key_problem(scheme: ConfigEncryption, key: str) -> str | None:
    """Why `key` cannot be the scheme's key or password (a message that does not quote it), or None."""
    key_format = _YEALINK_KEY if scheme is ConfigEncryption.YEALINK_AES else _GRANDSTREAM_PASSWORD
    return None if key_format.pattern.fullmatch(key) else key_format.rule


def encrypt_config(scheme: ConfigEncryption, key: str, plain: bytes) -> bytes:
    """The plain file as the scheme's phones read it; `key` passed key_problem."""
    if scheme is ConfigEncryption.YEALINK_AES:
        return _yealink_aes(key.encode("ascii"), plain)
    if scheme is ConfigEncryption.GRANDSTREAM_OPENSSL:
        return _openssl_salted(key.encode("ascii"), plain)
    raise ValueError(f"{scheme.name} encrypts nothing")


def _yealink_aes(key: bytes, plain: bytes) -> bytes:
    """AES-128-ECB with the 16 key characters as the key's bytes, as Yealink's encryption tool does
    (vendors.md; traviscross/yealink-confenc, lib.sh). Padded as `openssl enc` pads (PKCS#7). Verify:
    that lib.sh decrypts with -nopad, so the tool may pad otherwise (zeros?). PKCS#7 is the safer
    guess: a phone that strips PKCS#7 rejects zero padding, while one that does not strip it reads
    the padding as a last line without `=` after the file's final line break, which it skips."""
    return _encrypt(Cipher(algorithms.AES(key), modes.ECB()).encryptor(), plain)


def _openssl_salted(password: bytes, plain: bytes) -> bytes:
    """`openssl enc -aes-256-cbc -md md5 -k PASSWORD`: `Salted__`, an 8-byte salt, then the file in
    AES-256-CBC under the key and IV that EVP_BytesToKey derives from password and salt.

    MD5 is the digest OpenSSL used for -k until 1.1.0 (2016); Grandstream's XML provisioning guides
    (2011, 2012) give only `openssl enc -e -aes-256-cbc -k password` and say the phone derives key
    and IV "the same as the one used by OpenSSL", which then meant MD5. Verify on current firmware:
    OpenSSL 1.1.0 and later default to SHA-256 for the same command."""
    salt = _salt(password, plain)
    derived = _evp_bytes_to_key(password, salt, 32 + _BLOCK // 8)
    cipher = Cipher(algorithms.AES(derived[:32]), modes.CBC(derived[32:]))
    return b"Salted__" + salt + _encrypt(cipher.encryptor(), plain)


def _salt(password: bytes, plain: bytes) -> bytes:
    """Derived, not drawn: HMAC-SHA256 of the plain file under the password, first 8 bytes. The same
    file under the same password gets the same salt (so the same bytes), any change a new one. It
    tells an onlooker no more than the deterministic output does: whether two files are equal."""
    return hmac.new(password, plain, hashlib.sha256).digest()[:8]


def _evp_bytes_to_key(password: bytes, salt: bytes, length: int) -> bytes:
    """OpenSSL's EVP_BytesToKey with MD5 and one iteration: D1 = MD5(password salt),
    Dn = MD5(Dn-1 password salt), concatenated until `length` bytes."""
    derived, block = b"", b""
    while len(derived) < length:
        block = hashlib.md5(block + password + salt, usedforsecurity=False).digest()
        derived += block
    return derived[:length]


def _encrypt(encryptor: CipherContext, plain: bytes) -> bytes:
    padder = padding.PKCS7(_BLOCK).padder()
    padded = padder.update(plain) + padder.finalize()
    return encryptor.update(padded) + encryptor.finalize()
