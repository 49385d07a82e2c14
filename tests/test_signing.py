"""Signed tokens: what they name comes back only if nothing was changed and time is left."""

from __future__ import annotations

import pytest

from sitegen.signing import BadToken, Signer

KEY = b"k" * 32


def test_a_token_names_its_fields_until_it_expires():
    signer = Signer(KEY, "moderation")
    token = signer.sign(("approve", "20261126T131740Z-3f9a1c2b"), 1000)
    assert token.startswith("approve.20261126T131740Z-3f9a1c2b.1000.")
    assert signer.verify(token, 999.5) == ("approve", "20261126T131740Z-3f9a1c2b")
    with pytest.raises(BadToken) as caught:
        signer.verify(token, 1000)
    assert (caught.value.reason, caught.value.expires) == ("expired", 1000)


@pytest.mark.parametrize("change", [
    lambda t: t.replace("approve", "reject"),
    lambda t: t.replace(".1000.", ".9999."),
    lambda t: t.replace("c1", "c2"),
    lambda t: t[:-1],
    lambda t: t + "x",
    lambda t: t.rsplit(".", 1)[0],
    lambda t: "",
], ids=["action", "expiry", "field", "cut", "longer", "no mac", "empty"])
def test_any_change_is_tampering(change):
    signer = Signer(KEY, "moderation")
    with pytest.raises(BadToken) as caught:
        signer.verify(change(signer.sign(("approve", "c1"), 1000)), 0)
    assert caught.value.reason == "tampered"


def test_a_token_is_good_for_its_purpose_and_key_only():
    token = Signer(KEY, "moderation").sign(("c1",), 1000)
    for other in (Signer(KEY, "unsubscribe"), Signer(b"x" * 32, "moderation")):
        with pytest.raises(BadToken):
            other.verify(token, 0)


def test_fields_that_would_make_tokens_ambiguous_are_refused():
    with pytest.raises(ValueError, match="letters, digits"):
        Signer(KEY, "moderation").sign(("a.b",), 1000)
