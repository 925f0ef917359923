"""Encryption of what Safeguard hands to Temporal: the payload codec and the data converter using it."""
