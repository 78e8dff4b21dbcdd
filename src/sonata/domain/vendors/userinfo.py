"""Phone credentials in a URL's userinfo (`http://user:password@host/…`, RFC 3986 3.2.1).

For the files Sonata points a phone at whose download has no user name and password settings of
its own (Yealink's remote phonebooks, Htek's phonebook download, Fanvil's firmware directory): the
phone's HTTP client answers Sonata's challenge with the userinfo, as libcurl-based clients do.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

# RFC 3986 sub-delimiters stay as they are, beside the unreserved characters `quote` never escapes:
# the fewer escapes, the fewer passwords depend on a phone decoding them (verify per firmware that
# percent-escapes in userinfo are decoded; libcurl decodes them). The user name's colon is escaped,
# the password's may stay: the first colon ends the user name.
_SUB_DELIMS = "!$&'()*+,;="


def with_userinfo(url: str, username: str, password: str) -> str:
    """`url` with `username:password@` before its host, replacing any userinfo it had; unchanged
    without a user name or when `url` names no host (a relative file name)."""
    parts = urlsplit(url)
    if not username or not parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    userinfo = f"{quote(username, safe=_SUB_DELIMS)}:{quote(password, safe=_SUB_DELIMS + ':')}"
    return urlunsplit(parts._replace(netloc=f"{userinfo}@{host}"))
