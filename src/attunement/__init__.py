"""Attunement: a private, local-first practice companion for caregivers.

Importing this package is cheap: it loads no database driver, framework file or model.
The public API lives in the sub-packages (``attunement.core``, ``attunement.storage``,
``attunement.framework``); this module only names the version and the error tree.
"""

from attunement.errors import AttuneError, Conflict, InvalidInput, NotFound, StorageError

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "AttuneError",
    "Conflict",
    "InvalidInput",
    "NotFound",
    "StorageError",
]
