"""Changes an encrypted journal's passphrase from OLD to NEW, for the kill -9 test."""

import sys
from pathlib import Path

from attunement.storage import vault

vault.change_passphrase(Path(sys.argv[1]), sys.argv[2], sys.argv[3])
print("done", flush=True)
