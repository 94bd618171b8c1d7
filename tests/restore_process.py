"""Restores a backup for the kill -9 tests. With a step number N, the process kills
itself (SIGKILL, nothing flushed, nothing cleaned up) at the Nth rename, sync or file
removal the restore makes, so every step of the switch gets its own crash."""

import os
import signal
import sys
from pathlib import Path

from attunement.storage import backup


def crash_at(step: int) -> None:
    count = [0]

    def wrap(real):
        def counted(*args, **kwargs):
            count[0] += 1
            if count[0] == step:
                os.kill(os.getpid(), signal.SIGKILL)
            return real(*args, **kwargs)

        return counted

    for name in ("replace", "fsync", "unlink", "rmdir"):
        setattr(os, name, wrap(getattr(os, name)))


if __name__ == "__main__":
    archive, data_dir, passphrase, step = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    if step:
        crash_at(step)
    backup.restore(Path(archive), Path(data_dir), passphrase, replace=True)
    print("done", flush=True)
