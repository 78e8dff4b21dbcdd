"""Reading Authorization headers (Basic, Digest) and the Digest arithmetic, hostile headers included."""

import base64
import time

import pytest

from sonata.domain.http_auth import (
    MAX_AUTHORIZATION,
    MAX_PARAMETERS,
    BasicCredentials,
    DigestCredentials,
    challenges,
    digest_response,
    parse_authorization,
)


def basic(user_pass: bytes) -> str:
    return "Basic " + base64.b64encode(user_pass).decode()


def test_basic_credentials_split_at_the_first_colon() -> None:
    assert parse_authorization(basic(b"phone-1:pa:ss")) == BasicCredentials(b"phone-1", b"pa:ss")
    assert parse_authorization("bAsIc  " + basic(b"u:")[6:]) == BasicCredentials(b"u", b"")


@pytest.mark.parametrize("header", ["Basic " + base64.b64encode(b"no colon").decode(), "Basic %%%", "Basic"])
def test_unreadable_basic_credentials_are_none(header: str) -> None:
    assert parse_authorization(header) is None


def test_a_digest_header_as_curl_writes_it() -> None:
    header = (
        'Digest username="phone-1", realm="Sonata", nonce="abc-_1", uri="/v1/device/k/x.cfg?a=1", '
        'cnonce="ZTI4", nc=00000001, qop=auth, response="0123abcd", algorithm=SHA-256'
    )
    assert parse_authorization(header) == DigestCredentials(
        username="phone-1",
        realm="Sonata",
        nonce="abc-_1",
        uri="/v1/device/k/x.cfg?a=1",
        response="0123abcd",
        algorithm="SHA-256",
        qop="auth",
        nc="00000001",
        cnonce="ZTI4",
    )


def test_digest_parameters_in_any_case_spacing_and_quoting() -> None:
    header = 'DIGEST  UserName = "a\\"b" ,, REALM=Sonata,nc="00000002"  ,qop="auth",opaque="x", '
    credentials = parse_authorization(header)
    assert isinstance(credentials, DigestCredentials)
    assert (credentials.username, credentials.realm, credentials.nc, credentials.qop) == (
        'a"b',
        "Sonata",
        "00000002",
        "auth",
    )
    assert credentials.nonce_count == 2 and credentials.response == ""


@pytest.mark.parametrize("nc", ["0000001", "000000001", "0000000g", "00000000", ""])
def test_a_nonce_count_must_be_eight_hex_digits_and_not_zero(nc: str) -> None:
    credentials = parse_authorization(f"Digest nc={nc}" if nc else "Digest realm=x")
    assert isinstance(credentials, DigestCredentials) and credentials.nonce_count is None


@pytest.mark.parametrize(
    "header",
    [
        'Digest username="phone-1", username="other"',  # a parameter given twice
        'Digest username="unclosed',
        "Digest username",
        "Digest =x",
        'Digest username="a" realm="b"',  # no comma between
        "Digest username=a b",
        "Bearer abc",
        "",
        "Digest " + ", ".join(f"p{i}=1" for i in range(MAX_PARAMETERS + 1)),
    ],
)
def test_malformed_or_other_headers_are_none(header: str) -> None:
    assert parse_authorization(header) is None


def test_a_header_over_the_limit_is_not_read() -> None:
    header = 'Digest username="' + "u" * MAX_AUTHORIZATION + '"'
    assert parse_authorization(header) is None
    longest_basic = basic(b"u:" + b"p" * (MAX_AUTHORIZATION * 3 // 4 - 8))
    assert len(longest_basic) <= MAX_AUTHORIZATION and parse_authorization(longest_basic) is not None


@pytest.mark.parametrize(
    "hostile",
    [
        "Digest " + "," * (MAX_AUTHORIZATION - 7),
        'Digest a="' + "\\" * (MAX_AUTHORIZATION - 12),
        'Digest a="' + '\\"' * ((MAX_AUTHORIZATION - 12) // 2),
        "Digest " + "a" * (MAX_AUTHORIZATION - 7),
        "Digest " + "a=" * ((MAX_AUTHORIZATION - 7) // 2),
        "Digest " + ' \t"' * ((MAX_AUTHORIZATION - 7) // 3),
        "Digest " + "x=1, " * ((MAX_AUTHORIZATION - 7) // 5),
        "Digest x=" + '"' * (MAX_AUTHORIZATION - 9),
        'Digest a="' + "x" * (MAX_AUTHORIZATION - 10),  # never closed
        'Digest a="' + "x" * (MAX_AUTHORIZATION - 12) + '"x',  # closed, then no comma
        "Basic " + "A" * (MAX_AUTHORIZATION - 6),
        'Digest username="' + "x" * 100_000,
        "Digest " + "," * 100_000,
    ],
)
def test_hostile_headers_are_read_in_linear_time(hostile: str) -> None:
    started = time.perf_counter()
    for _ in range(20):
        parse_authorization(hostile)
    # Twenty reads of 4 KB: well under a millisecond each when linear; a backtracking pattern
    # would take seconds on the quotes and backslashes.
    assert time.perf_counter() - started < 0.5


def test_digest_responses_are_those_of_rfc_7616_section_3_9_1() -> None:
    """The example of RFC 7616 §3.9.1 (user Mufasa, password "Circle of Life")."""
    given = DigestCredentials(
        username="Mufasa",
        realm="http-auth@example.org",
        nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
        uri="/dir/index.html",
        response="",
        algorithm="",
        qop="auth",
        nc="00000001",
        cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
    )
    realm = "http-auth@example.org"
    assert digest_response(given, "MD5", "Mufasa", "Circle of Life", "GET", realm) == (
        "8ca523f5e9506fed4657c9700eebdbec"
    )
    assert digest_response(given, "SHA-256", "Mufasa", "Circle of Life", "GET", realm) == (
        "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
    )


def test_the_challenges_offer_md5_then_sha_256_with_one_nonce_then_basic() -> None:
    assert challenges("n0nce", stale=False) == (
        'Digest realm="Sonata", qop="auth", algorithm=MD5, nonce="n0nce"',
        'Digest realm="Sonata", qop="auth", algorithm=SHA-256, nonce="n0nce"',
        'Basic realm="Sonata"',
    )
    assert all("stale=true" in c for c in challenges("n0nce", stale=True)[:2])
