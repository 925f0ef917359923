"""A command the case cannot take."""


class Rejected(ValueError):
    """A command the case cannot take; the message says why. Nothing is recorded."""
