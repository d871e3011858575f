"""One daemon per database: an flock'ed file beside the database holding the PID."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from .errors import LockError


class DatabaseLock:
    """Exclusive, non-blocking lock on ``<database>.lock``; released on close or exit.

    The kernel drops an flock when its process dies, so a crashed daemon never
    leaves a stale lock behind: the file may remain, the lock does not.
    """

    def __init__(self, database: str | Path) -> None:
        self.database = Path(database)
        self.path = self.database.with_name(self.database.name + ".lock")
        self._fd: int | None = None

    def acquire(self) -> DatabaseLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(fd, 64).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise LockError(
                f"another figmon daemon (PID {holder}) is already running on "
                f"{self.database} (lock file {self.path})",
                f"stop it first (kill {holder}) or give this one another 'database:'"
                if holder.isdigit() else "stop the other daemon first") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        os.fsync(fd)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)  # no stale PID for the next reader
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> DatabaseLock:
        return self.acquire()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()
