"""Phone credentials written into a URL's userinfo, for phones whose phonebook or firmware download
has no user name and password settings of its own: an HTTP client reads back exactly the
credentials, and the rest of the URL is untouched."""

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sonata.domain.vendors.userinfo import with_userinfo

LINK = "http://sonata.example.net:8080/v1/device/device-key-0001"


def test_the_credentials_become_the_userinfo_and_the_rest_stays() -> None:
    url = with_userinfo(f"{LINK}/phonebook.xml", "desk-1", "s3cret")
    assert url == "http://desk-1:s3cret@sonata.example.net:8080/v1/device/device-key-0001/phonebook.xml"


def test_reserved_characters_are_percent_encoded_and_read_back_by_an_http_client() -> None:
    url = with_userinfo(LINK, "desk@acme", 'p:w/d?#[]@ %<"&=+!')
    parsed = httpx.URL(url)
    assert (parsed.username, parsed.password) == ("desk@acme", 'p:w/d?#[]@ %<"&=+!')
    assert (parsed.host, parsed.port, parsed.path) == (
        "sonata.example.net",
        8080,
        "/v1/device/device-key-0001",
    )
    # Sub-delimiters and the password's colons need no escape (RFC 3986 3.2.1): a phone that does
    # not decode percent-escapes still reads a password made of them right.
    assert url.startswith("http://desk%40acme:p:w%2Fd%3F%23%5B%5D%40%20%25%3C%22&=+!@")


def test_a_userinfo_already_in_the_url_is_replaced() -> None:
    assert (
        with_userinfo("https://old:pw@[2001:db8::1]:8443/x", "new", "pw2")
        == "https://new:pw2@[2001:db8::1]:8443/x"
    )


@pytest.mark.parametrize("url", ["", "001565aabbcc-phonebook.xml", "/v1/device/k"])
def test_a_url_without_a_host_is_left_as_it_is(url: str) -> None:
    assert with_userinfo(url, "desk", "pw") == url


def test_without_a_user_name_the_url_is_left_as_it_is() -> None:
    assert with_userinfo(LINK, "", "") == LINK


@given(st.text(min_size=1, max_size=40), st.text(max_size=40))
def test_any_credentials_round_trip_through_an_http_client(username: str, password: str) -> None:
    parsed = httpx.URL(with_userinfo(LINK, username, password))
    assert (parsed.username, parsed.password) == (username, password)
    assert parsed.host == "sonata.example.net"
