"""A watched data file: re-read when it changes, taken once settled, the last good read kept."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

Value = TypeVar("Value")


def pick_file(data_dir: Path, stem: str) -> Path | None:
    """`stem.parquet` when it exists, else `stem.csv`, else None."""
    for suffix in (".parquet", ".csv"):
        path = data_dir / f"{stem}{suffix}"
        if path.is_file():
            return path
    return None


@dataclass(frozen=True, slots=True)
class FileStamp:
    """What a stat says about a file; any change means it was rewritten."""

    path: Path
    size: int
    mtime_ns: int
    inode: int


def file_stamp(path: Path) -> FileStamp | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return FileStamp(path, st.st_size, st.st_mtime_ns, st.st_ino)


class FileProblem(Exception):
    """A file that cannot be used as it stands; the message names the file and the fault."""


class WatchedFile(Generic[Value]):
    """One data file polled every refresh (quotes.csv, series.csv).

    `poll(read)` stats the file (cheap) and reads it only when its stamp changed since the
    last good read, or while the last read was bad (it may be mid-write). An empty file, a
    read that raises FileProblem or a vanished file keeps the last good value and sets
    `problem` (the warning for the status line) until a good read clears it. A file that
    parsed is taken only once it is settled (`_settled`).
    """

    def __init__(self, choose: Callable[[], Path | None], noun: str) -> None:
        self.choose = choose  # which file to read this poll (None: there is none)
        self.noun = noun  # "quotes", "series": the wording of the warnings
        self.value: Value | None = None  # the last good read
        self.stamp: FileStamp | None = None  # the file the last good read came from
        self.problem: str | None = None  # the current problem, None when healthy
        self._seen: FileStamp | None = None  # the file as stat saw it at the last read
        self._settling: FileStamp | None = None  # an in-place rewrite seen once, not yet taken

    def poll(self, read: Callable[[Path], Value]) -> Value | None:
        """The last good value, after reading the file if it changed (`read` may raise
        FileProblem)."""
        path = self.choose()
        stamp = file_stamp(path) if path is not None else None
        if stamp is None:
            if self.value is not None:
                name = self.stamp.path.name if self.stamp else f"{self.noun} file"
                self._fail(f"{name}: file is gone")
            return self.value
        # a bad file is read again every poll (it may be mid-write); a good one only on change
        if stamp == self.stamp and self.problem is None:
            return self.value
        previous, self._seen = self._seen, stamp
        try:
            if stamp.size == 0:
                raise FileProblem(f"{stamp.path.name}: empty file")
            value = read(stamp.path)
        except FileProblem as problem:
            self._fail(str(problem))
            return self.value
        if not self._settled(stamp, previous):
            return self.value  # read again next poll
        self.value, self.stamp, self.problem = value, stamp, None
        return value

    def _settled(self, stamp: FileStamp, previous: FileStamp | None) -> bool:
        """Whether a file that parsed is complete, as far as a stat can tell.

        It changed while it was read: a writer is at work, try again. It was rewritten in
        place (same inode, not renamed over): a slow writer may have paused, and a CSV cut
        mid-number still parses, so it is taken once it held still for one poll.
        A rename over the file (the documented atomic write) is taken at once.
        """
        if file_stamp(stamp.path) != stamp:
            return False
        # the file seen last poll still existed when this one was made, unless it was
        # rewritten in place (or deleted and re-created: as slow, and as unsafe)
        in_place = (
            previous is not None and previous.path == stamp.path and previous.inode == stamp.inode
        )
        if in_place and stamp != self._settling:
            self._settling = stamp
            return False
        self._settling = None
        return True

    def _fail(self, problem: str) -> None:
        kept = (
            f"keeping the last good {self.noun}"
            if self.value is not None
            else f"no {self.noun} yet"
        )
        self.problem = f"{problem}; {kept}, retrying"
