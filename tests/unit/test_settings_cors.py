"""SONATA_CORS_ORIGINS: the browser origins allowed to call the management API."""

import pytest

from sonata.settings import Settings


def test_no_origin_is_allowed_unless_the_environment_names_some() -> None:
    assert Settings.from_env({}).cors_origins == ()
    assert Settings.from_env({"SONATA_CORS_ORIGINS": ""}).cors_origins == ()


def test_origins_are_written_as_a_browser_sends_them() -> None:
    named = Settings.from_env(
        {
            "SONATA_CORS_ORIGINS": " https://Admin.Example.NET ,http://localhost:3000,"
            "HTTPS://panel.example.net:443/,http://[2001:DB8::1]:8080,http://192.0.2.7:80"
        }
    )
    assert named.cors_origins == (
        "https://admin.example.net",
        "http://localhost:3000",
        "https://panel.example.net",
        "http://[2001:db8::1]:8080",
        "http://192.0.2.7",
    )


@pytest.mark.parametrize(
    ("value", "mentions"),
    [
        ("*", ["'*'", "scheme://host[:port]", "no wildcard", "list every origin"]),
        ("admin.example.net", ["'admin.example.net'", "no scheme", "write https://admin.example.net"]),
        ("localhost:3000", ["'localhost:3000'", "no scheme", "write https://localhost:3000"]),
        ("ftp://admin.example.net", ["'ftp://admin.example.net'", "http:// or https://"]),
        ("https://", ["'https://'", "scheme://host[:port]"]),
        ("https://admin.example.net:99999", ["'https://admin.example.net:99999'", "port", "1 to 65535"]),
        ("https://admin.example.net:0", ["'https://admin.example.net:0'", "port", "1 to 65535"]),
        (
            "https://admin.example.net/app",
            ["'https://admin.example.net/app'", "path", "write https://admin.example.net"],
        ),
        ("https://Admin.example.net:443/app", ["path", "write https://admin.example.net"]),
        ("https://admin.example.net?x=1", ["'https://admin.example.net?x=1'", "scheme://host[:port]"]),
        ("https://user@admin.example.net", ["'https://user@admin.example.net'", "scheme://host[:port]"]),
        ("https://a.example.net,,https://b.example.net", ["''", "scheme://host[:port]"]),
        ("null", ["'null'", "scheme://host[:port]"]),
        ("//admin.example.net", ["'//admin.example.net'", "scheme://host[:port]"]),
        ("mailto:admin@example.net", ["'mailto:admin@example.net'", "http:// or https://"]),
        ("http://[::1", ["'http://[::1'", "scheme://host[:port]"]),
        ("https://bücher.example", ["'https://bücher.example'", "scheme://host[:port]"]),
        ("https://a b.example", ["'https://a b.example'", "scheme://host[:port]"]),
    ],
)
def test_an_entry_that_is_no_origin_is_refused_in_one_line(value: str, mentions: list[str]) -> None:
    with pytest.raises(ValueError, match=r"^SONATA_CORS_ORIGINS ") as refused:
        Settings.from_env({"SONATA_CORS_ORIGINS": value})
    message = str(refused.value)
    assert "\n" not in message
    for mention in mentions:
        assert mention in message, message
