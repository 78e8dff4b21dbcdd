"""Settings read from the environment, and the command line's choices winning over them."""

from pathlib import Path

import pytest

from sonata.settings import Settings, TlsFiles


def test_one_worker_unless_the_environment_or_the_command_line_asks_for_more() -> None:
    assert Settings.from_env({}).workers == 1
    from_env = Settings.from_env({"SONATA_WORKERS": "4"})
    assert from_env.workers == 4
    assert from_env.listening_on(None, None, None).workers == 4
    assert from_env.listening_on(None, None, "2").workers == 2


def test_the_cache_bound_is_read_in_megabytes_and_must_be_a_whole_number_above_zero() -> None:
    assert Settings.from_env({}).cache_mb == 512
    assert Settings.from_env({"SONATA_CACHE_MB": "64"}).cache_mb == 64
    for value in ("0", "-1", "1.5", "lots"):
        with pytest.raises(ValueError, match=r"^SONATA_CACHE_MB must be a whole number greater than 0"):
            Settings.from_env({"SONATA_CACHE_MB": value})


def test_the_audit_log_is_kept_a_year_unless_the_environment_says_how_many_days() -> None:
    assert Settings.from_env({}).audit_retention_days == 365
    assert Settings.from_env({"SONATA_AUDIT_RETENTION_DAYS": "30"}).audit_retention_days == 30
    for value in ("0", "-1", "1.5", "a year", "36501", "9" * 400):
        with pytest.raises(
            ValueError, match=r"^SONATA_AUDIT_RETENTION_DAYS must be a whole number of days from 1 to 36500"
        ):
            Settings.from_env({"SONATA_AUDIT_RETENTION_DAYS": value})


def test_provisioning_events_are_kept_30_days_unless_the_environment_says_how_many() -> None:
    assert Settings.from_env({}).event_retention_days == 30
    assert Settings.from_env({"SONATA_EVENT_RETENTION_DAYS": "7"}).event_retention_days == 7
    for value in ("0", "-1", "1.5", "a month", "36501", "9" * 400):
        with pytest.raises(
            ValueError, match=r"^SONATA_EVENT_RETENTION_DAYS must be a whole number of days from 1 to 36500"
        ):
            Settings.from_env({"SONATA_EVENT_RETENTION_DAYS": value})


def test_trusted_proxies_are_the_loopback_addresses_unless_the_environment_names_others() -> None:
    assert [str(n) for n in Settings.from_env({}).trusted_proxies] == ["127.0.0.1/32", "::1/128"]
    named = Settings.from_env({"SONATA_TRUSTED_PROXIES": " 10.0.0.0/8,192.0.2.7 , 2001:db8::/32,::1"})
    assert [str(n) for n in named.trusted_proxies] == [
        "10.0.0.0/8",
        "192.0.2.7/32",
        "2001:db8::/32",
        "::1/128",
    ]


@pytest.mark.parametrize(
    ("value", "mentions"),
    [
        ("proxy.example.net", ["'proxy.example.net'", "address or network"]),
        ("10.0.0.0/8,,192.0.2.7", ["''", "address or network"]),
        ("10.0.0.1/8", ["'10.0.0.1/8'", "host bits", "10.0.0.0/8"]),
        ("10.0.0.0/33", ["'10.0.0.0/33'", "address or network"]),
        ("*", ["'*'", "address or network", "0.0.0.0/0"]),
    ],
)
def test_a_trusted_proxy_that_is_no_address_or_network_is_refused(value: str, mentions: list[str]) -> None:
    with pytest.raises(ValueError, match=r"^SONATA_TRUSTED_PROXIES ") as refused:
        Settings.from_env({"SONATA_TRUSTED_PROXIES": value})
    for mention in mentions:
        assert mention in str(refused.value)


def test_tls_comes_from_the_environment_or_the_command_line_and_makes_links_https() -> None:
    plain = Settings.from_env({"SONATA_HOST": "192.0.2.1"})
    assert plain.tls is None and plain.link_base("") == "http://192.0.2.1:8080"
    tls = {"SONATA_TLS_CERT": "a.crt", "SONATA_TLS_KEY": "a.key"}
    env = Settings.from_env({"SONATA_HOST": "192.0.2.1", **tls})
    assert env.tls == TlsFiles(Path("a.crt"), Path("a.key"))
    assert env.link_base("") == "https://192.0.2.1:8080"
    assert env.listening_on(None, None, None).tls == env.tls
    assert env.listening_on(None, None, None, tls_cert="b.crt").tls == TlsFiles(Path("b.crt"), Path("a.key"))
    cli = plain.listening_on(None, None, None, tls_cert="c.crt", tls_key="c.key")
    assert cli.tls == TlsFiles(Path("c.crt"), Path("c.key"))
    half = Settings.from_env({"SONATA_TLS_CERT": "a.crt"})
    assert half.listening_on(None, None, None, tls_key="d.key").tls == TlsFiles(Path("a.crt"), Path("d.key"))
    public = Settings.from_env({**tls, "SONATA_PUBLIC_URL": "http://sonata.example.net"})
    assert public.link_base("https://ignored") == "http://sonata.example.net"


def test_a_certificate_without_its_key_or_a_key_without_its_certificate_is_refused() -> None:
    half = Settings.from_env({"SONATA_TLS_CERT": "a.crt"})
    with pytest.raises(
        ValueError,
        match=r"^the TLS certificate a.crt needs its private key: give --tls-key or SONATA_TLS_KEY",
    ):
        assert half.tls
    with pytest.raises(
        ValueError, match=r"^the TLS key a.key needs its certificate: give --tls-cert or SONATA_TLS_CERT"
    ):
        assert Settings.from_env({}).listening_on(None, None, None, tls_key="a.key").tls
