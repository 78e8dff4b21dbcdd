"""Sealing secrets at rest: AES-GCM values that open only with their key and in their place."""

from typing import Any

import pytest

from sonata.adapters.secret_box import (
    SecretBox,
    SecretKeyError,
    is_sealed,
    key_id,
    key_text,
    new_key,
    parse_key,
)
from sonata.adapters.sql.sealed_fields import open_secrets, reseal_secrets, seal_secrets

KEY, OTHER_KEY = bytes(range(32)), bytes(range(1, 33))
BOX = SecretBox([KEY], "SONATA_SECRET_KEY")
MAC = "001565a1b2c3"


def document() -> dict[str, Any]:
    """The parts of a stored device document that matter here, with every kind of secret."""
    return {
        "title": "Reception",
        "admin_password": "admin-secret",
        "provisioning_password": "",
        "config_encryption_key": "0123456789abcdef",
        "accounts": [
            {"line": 1, "sip_user": "100", "sip_password": "sip-secret-1"},
            {"line": 2, "sip_user": "101", "sip_password": ""},
        ],
    }


def test_a_sealed_value_opens_in_its_place_only() -> None:
    sealed = BOX.seal_text("sip-secret", f"{MAC}/accounts.0.sip_password")

    assert is_sealed(sealed) and "sip-secret" not in sealed
    assert sealed.startswith(f"enc:v1:{key_id(KEY)}:")
    assert BOX.open_text(sealed, f"{MAC}/accounts.0.sip_password") == "sip-secret"
    with pytest.raises(SecretKeyError, match="does not open with key") as refused:
        BOX.open_text(sealed, "001565ffffff/accounts.0.sip_password")  # another device's
    assert "sip-secret" not in str(refused.value)
    with pytest.raises(SecretKeyError):
        BOX.open_text(sealed, f"{MAC}/admin_password")  # another field


def test_the_same_secret_seals_differently_each_time() -> None:
    assert BOX.seal_text("same", "place") != BOX.seal_text("same", "place")


def test_another_key_is_one_clear_error_naming_both_key_ids() -> None:
    sealed = SecretBox([OTHER_KEY], "the key file /srv/sonata.db.key").seal_text("x", "place")

    with pytest.raises(SecretKeyError) as refused:
        BOX.open_text(sealed, "place")

    assert str(refused.value) == (
        f"the secrets in the database are encrypted under key {key_id(OTHER_KEY)}, but SONATA_SECRET_KEY"
        f" holds key {key_id(KEY)}: start Sonata with the key it was using (README: Secrets at rest)"
    )


def test_a_box_with_an_earlier_key_opens_both_and_seals_with_the_first() -> None:
    earlier = BOX.seal_text("x", "place")
    rotating = SecretBox([OTHER_KEY, KEY], "the key file k")

    assert rotating.open_text(earlier, "place") == "x"
    assert not rotating.is_current(earlier)
    assert rotating.is_current(rotating.seal_text("x", "place"))


def test_keys_are_43_base64url_characters() -> None:
    key = new_key()

    assert parse_key(key_text(key), "SONATA_SECRET_KEY") == key
    assert parse_key(key_text(key) + "=\n", "SONATA_SECRET_KEY") == key
    for wrong in ("", "short", key_text(key)[:-1], key_text(key) + "A", "+" * 43, key.hex()):
        with pytest.raises(SecretKeyError, match=r"^SONATA_SECRET_KEY must be a key of 32 random bytes"):
            parse_key(wrong, "SONATA_SECRET_KEY")


def test_every_secret_of_a_document_is_sealed_and_opened_and_nothing_else() -> None:
    sealed = seal_secrets(document(), MAC, BOX)

    assert is_sealed(sealed["admin_password"]) and is_sealed(sealed["config_encryption_key"])
    assert is_sealed(sealed["accounts"][0]["sip_password"])
    assert sealed["provisioning_password"] == "" and sealed["accounts"][1]["sip_password"] == ""
    assert sealed["title"] == "Reception"
    assert open_secrets(sealed, MAC, BOX) == document()


def test_a_document_stored_in_clear_reads_as_it_is_and_reseals() -> None:
    assert open_secrets(document(), MAC, BOX) == document()

    resealed = reseal_secrets(document(), MAC, BOX)

    assert resealed is not None and "secret" not in str(resealed)
    assert open_secrets(resealed, MAC, BOX) == document()
    assert reseal_secrets(resealed, MAC, BOX) is None  # nothing left to do


def test_resealing_moves_secrets_from_an_earlier_key_to_the_new_one() -> None:
    earlier = seal_secrets(document(), MAC, BOX)
    rotating = SecretBox([OTHER_KEY, KEY], "the key file k")

    moved = reseal_secrets(earlier, MAC, rotating)

    assert moved is not None
    assert open_secrets(moved, MAC, SecretBox([OTHER_KEY], "k")) == document()
    with pytest.raises(SecretKeyError):
        open_secrets(moved, MAC, BOX)
