"""Planning: pure functions from the desired and the live state to a plan. No I/O here."""
