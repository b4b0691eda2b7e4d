"""One root for every error the product raises on purpose; each message says how to fix the problem."""


class OcaError(Exception):
    """Root of the product's own errors."""


class ReleaseError(OcaError):
    """An O*NET release or taxonomy directory is missing, incomplete or not in the expected layout."""


class IndexError_(OcaError):
    """The search index cannot be opened or built."""


class UnknownCodeError(OcaError):
    """An occupation code that the loaded release does not have."""
