"""HTTP authentication as phones speak it: reading an Authorization header (Basic, RFC 7617; Digest,
RFC 7616), the Digest arithmetic, and the challenges Sonata sends.

The header is client input: it is read only up to MAX_AUTHORIZATION characters, with patterns whose
quantifiers are possessive (they never backtrack), so reading it takes time linear in its length.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

MAX_AUTHORIZATION = 4096
"""Longest Authorization header read. A phone's Digest header, with a 64-character user name and a
URI of a 128-character key and a 64-character file name, stays under 1 KB."""
MAX_PARAMETERS = 16
"""Most parameters a Digest header may have; RFC 7616 defines 11."""
REALM = "Sonata"
DEFAULT_NONCE_SECONDS = 300
"""How long a nonce is taken (SONATA_DIGEST_NONCE_SECONDS); after that the phone is told it is stale."""

DIGEST_HASHES: dict[str, Callable[[bytes], hashlib._Hash]] = {
    "MD5": hashlib.md5,
    "SHA-256": hashlib.sha256,
}
"""The Digest algorithms Sonata offers, in the order it offers them."""

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]++"
# One auth-param (RFC 9110 §11.2) and the comma after it, or the end: `name = token` or
# `name = "quoted \" string"`. Every quantifier is possessive.
_PARAMETER = re.compile(
    rf'[ \t,]*+({_TOKEN})[ \t]*+=[ \t]*+(?:"((?:[^"\\]++|\\.)*+)"|({_TOKEN}))[ \t]*+(?:,|\Z)', re.DOTALL
)
_QUOTED_PAIR = re.compile(r"\\(.)", re.DOTALL)
_NONCE_COUNT = re.compile(r"[0-9A-Fa-f]{8}")


@dataclass(frozen=True)
class BasicCredentials:
    username: bytes
    password: bytes


@dataclass(frozen=True)
class DigestCredentials:
    """The parameters of a Digest Authorization header; "" for one not given."""

    username: str
    realm: str
    nonce: str
    uri: str
    response: str
    algorithm: str
    qop: str
    nc: str
    cnonce: str

    @property
    def nonce_count(self) -> int | None:
        """The nonce count, when it is the 8 hex digits RFC 7616 asks for and not 0."""
        if not _NONCE_COUNT.fullmatch(self.nc):
            return None
        return int(self.nc, 16) or None


def parse_authorization(header: str) -> BasicCredentials | DigestCredentials | None:
    """The credentials an Authorization header carries; None when it is too long, of another scheme
    or malformed."""
    if len(header) > MAX_AUTHORIZATION:
        return None
    scheme, _, rest = header.strip().partition(" ")
    scheme = scheme.lower()
    if scheme == "basic":
        return _basic(rest.strip())
    if scheme == "digest":
        return _digest(rest)
    return None


def _basic(token: str) -> BasicCredentials | None:
    try:
        decoded = base64.b64decode(token, validate=True)
    except (binascii.Error, ValueError):
        return None
    username, colon, password = decoded.partition(b":")
    return BasicCredentials(username, password) if colon else None


def _digest(text: str) -> DigestCredentials | None:
    parameters = _parameters(text)
    if parameters is None:
        return None
    get = parameters.get
    return DigestCredentials(
        username=get("username", ""),
        realm=get("realm", ""),
        nonce=get("nonce", ""),
        uri=get("uri", ""),
        response=get("response", ""),
        algorithm=get("algorithm", ""),
        qop=get("qop", ""),
        nc=get("nc", ""),
        cnonce=get("cnonce", ""),
    )


def _parameters(text: str) -> dict[str, str] | None:
    """`name=value` pairs by lower-case name; None when malformed, a name repeats or there are too many."""
    parameters: dict[str, str] = {}
    text = text.rstrip(" \t,")
    position = 0
    while position < len(text):
        found = _PARAMETER.match(text, position)
        if found is None or len(parameters) == MAX_PARAMETERS:
            return None
        name, quoted, token = found.groups()
        name = name.lower()
        if name in parameters:
            return None
        value = token if quoted is None else quoted
        parameters[name] = _QUOTED_PAIR.sub(r"\1", value) if "\\" in value else value
        position = found.end()
    return parameters


def digest_response(
    credentials: DigestCredentials,
    algorithm: str,
    username: str,
    password: str,
    method: str,
    realm: str = REALM,
) -> str:
    """The `response` RFC 7616 §3.4.1 asks for (qop=auth), for this user name and password and the
    nonce, client nonce, count and URI the client gave. What came in the header is hashed as the
    bytes it arrived as (read as Latin-1); the user name and password as UTF-8. (Another realm than
    Sonata's is for checking against the RFC's examples.)"""
    hash_function = DIGEST_HASHES[algorithm]

    def hashed(*parts: bytes) -> bytes:
        return hash_function(b":".join(parts)).hexdigest().encode()

    def sent(text: str) -> bytes:
        return text.encode("latin-1")

    secret = hashed(username.encode(), realm.encode(), password.encode())
    resource = hashed(method.encode(), sent(credentials.uri))
    qop = b"auth"
    return hashed(
        secret, sent(credentials.nonce), sent(credentials.nc), sent(credentials.cnonce), qop, resource
    ).decode()


def challenges(nonce: str, stale: bool) -> tuple[str, ...]:
    """The WWW-Authenticate values of a 401: Digest with each algorithm, one nonce for both, then Basic.

    MD5 comes first although RFC 7616 §3.7 would list SHA-256 first: HTTP stacks of devices read only
    the first Digest challenge, and give up when they do not know its algorithm instead of reading the
    next (libcurl ignores every Digest challenge after the first, and before 7.57 knew no SHA-256;
    pjsip did the same until pjsip/pjproject #2408). So every client gets an algorithm it knows; one
    that reads them all may still choose SHA-256. Which of the vendors' firmwares know SHA-256 is
    documented nowhere (verify).
    """
    flag = ", stale=true" if stale else ""
    digests = tuple(
        f'Digest realm="{REALM}", qop="auth", algorithm={algorithm}, nonce="{nonce}"{flag}'
        for algorithm in DIGEST_HASHES
    )
    return (*digests, f'Basic realm="{REALM}"')
