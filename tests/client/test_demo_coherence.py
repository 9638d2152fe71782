"""The demo is one world: every sample card of the simulated reader is a platform resident."""

from __future__ import annotations

from hardware.card_reader.samples import sample_cards


def test_every_simulated_card_is_verified_by_the_demo_platform(client):
    for card in sample_cards():
        profile = client.verify_card({"name": card.name, "id_number": card.id_number})
        assert profile["resident_token"]
        assert profile["display_name"].startswith(card.name[0])
