"""The vendor plugins Sonata knows; adding a vendor means one line here."""

from __future__ import annotations

from sonata.domain.vendors.base import PhoneIdentity, Vendor
from sonata.domain.vendors.fanvil import Fanvil
from sonata.domain.vendors.grandstream import Grandstream
from sonata.domain.vendors.htek import Htek
from sonata.domain.vendors.snom import Snom
from sonata.domain.vendors.yealink import Yealink

VENDORS: dict[str, Vendor] = {
    vendor.id: vendor for vendor in (Grandstream(), Yealink(), Fanvil(), Snom(), Htek())
}


def identify_phone(user_agent: str) -> PhoneIdentity | None:
    """The first vendor that recognises the User-Agent says who the phone is.

    Only its first MAX_USER_AGENT characters are read, by patterns linear in their length."""
    for vendor in VENDORS.values():
        identity = vendor.parse_user_agent(user_agent)
        if identity is not None:
            return identity
    return None


def mac_in_filename(filename: str) -> str | None:
    """The MAC a requested file name carries, whichever vendor's name it is."""
    for vendor in VENDORS.values():
        requested = vendor.identify_file(filename)
        if requested is not None and requested.mac is not None:
            return requested.mac
    return None


def vendor_of_mac(mac: str) -> str | None:
    """The vendor whose MAC range holds this MAC (12 lowercase hex digits), if Sonata knows it."""
    prefix = mac[:6]
    return next((vendor.id for vendor in VENDORS.values() if prefix in vendor.mac_prefixes), None)
