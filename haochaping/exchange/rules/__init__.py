"""Pure rules of the exchange (no ORM): canonical records, profiles, mapping, signing."""
