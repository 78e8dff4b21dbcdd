"""How large each part of a device may be.

Every bound sits well above what any phone Sonata serves can hold, so no real device meets
it; it only stops one request from making Sonata store, render and serve megabytes. The
README lists them (section "Sizes of a device").
"""

from __future__ import annotations

MAX_PASSWORD = 128
"""SIP and admin passwords."""
MAX_PROVISIONING_USERNAME = 64
"""The user name a phone gives to fetch its files (HTTP Digest or Basic)."""
MAX_TEXT = 256
"""Names, labels, titles, user ids, numbers, host names and every other short text."""
MAX_URL = 1024
"""Firmware and remote phonebook URLs."""
MAX_ACCOUNTS = 32
"""Accounts in one device (the largest model Sonata knows has 20; each model bounds its own)."""
MAX_LINE_KEYS = 256
"""Line keys in one device, before the model's own count is checked."""
MAX_CONTACTS = 2000
"""Contacts in a device's phonebook (Grandstream GXP21xx hold 2000, Yealink 1000)."""
MAX_NUMBERS_PER_CONTACT = 10
"""Numbers of one contact (phones keep three: work, mobile, home)."""
MAX_REMOTE_PHONEBOOKS = 10
"""Remote phonebooks of one device (Yealink takes five)."""
MAX_ALLOWED_IPS = 64
"""Addresses or networks in a device's `allowed_ips` rule."""
MAX_ADDRESS = 64
"""One `allowed_ips` entry (`ffff:…/128` has 43 characters) or one MAC address as written."""
MAX_VENDOR_PARAMS = 500
"""Raw vendor settings of one device."""
MAX_VENDOR_KEY = 128
"""The name of one raw vendor setting."""
MAX_VENDOR_VALUE = 1024
"""The value of one raw vendor setting."""
MAX_SECRET = 128
"""Personal keys and group tokens."""


def shown_key(key: str) -> str:
    """A client-given key as an error's field path shows it: cut at MAX_VENDOR_KEY characters."""
    return key if len(key) <= MAX_VENDOR_KEY else key[:MAX_VENDOR_KEY] + "…"
