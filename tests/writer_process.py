"""A writer used by the reliability tests: it writes entries as fast as it can and prints
each id with the SHA-256 of its text only after the store acknowledged the save."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from attunement.core.journal import Journal


def main() -> None:
    data_dir, label, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    size = int(sys.argv[4]) if len(sys.argv) > 4 else 2000
    with Journal.open(data_dir) as journal:
        for n in range(count):
            body = f"{label} {n} " + ("attuned presence " * (size // 17))
            entry = journal.write(body, tags=[label])
            digest = hashlib.sha256(body.encode()).hexdigest()
            sys.stdout.write(f"{entry.id} {digest}\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
