"""Errors the storage layer raises; adapters translate them."""


class StorageError(Exception):
    pass


class StaleTurn(StorageError):
    """Another delivery of the same webhook already advanced this session."""


class Duplicate(StorageError):
    """A unique value (username, email, token name) is already taken; the message says which."""
