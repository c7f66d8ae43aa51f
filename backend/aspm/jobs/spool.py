"""Uploads waiting for a worker in ASPM_SPOOL_DIR: one file per queued import
(`<import id>.upload`), and per queued gate evaluation one file per report and one for its
policy (`<evaluation id>.<part>.upload`). The id a file's name starts with is its owner's.

A report can hold secrets (a gitleaks report does), so the folder is private (0700), each file
0600, and a file lives only while its owner is pending: the job deletes it when it ends, ok or
error, and the hourly sweep deletes what an API process or worker left behind.
"""

import os
import re
import tempfile
import time
import uuid
from pathlib import Path

UPLOAD_SUFFIX = ".upload"
PARTIAL_SUFFIX = ".part"
ABANDONED_SECONDS = 3600  # an upload still being written after an hour was cut off
_PART = re.compile(r"[a-z0-9-]{1,40}")


def folder(spool_dir: Path) -> Path:
    spool_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    spool_dir.chmod(0o700)
    return spool_dir


def new_partial(spool_dir: Path) -> tuple[int, Path]:
    """A new file (0600) for an upload being received; `commit` names it after its import."""
    fd, name = tempfile.mkstemp(suffix=PARTIAL_SUFFIX, dir=folder(spool_dir))
    return fd, Path(name)


def commit(partial: Path, import_id: uuid.UUID, *, part: str | None = None) -> str:
    """The received upload, named after its owner (an import, or a gate evaluation and which
    of its files: `part`); returns the name the job carries."""
    if part is not None and not _PART.fullmatch(part):
        raise ValueError(f"not a spool part name: {part!r}")
    name = f"{import_id}{'' if part is None else '.' + part}{UPLOAD_SUFFIX}"
    partial.rename(partial.with_name(name))
    return name


def path_of(spool_dir: Path, name: str) -> Path:
    """The spool file a job names (a bare file name: never a path out of the folder)."""
    if Path(name).name != name or not name.endswith(UPLOAD_SUFFIX):
        raise ValueError(f"not a spool file name: {name!r}")
    return spool_dir / name


def remove(path: Path) -> None:
    path.unlink(missing_ok=True)


def owner_of(path: Path) -> uuid.UUID | None:
    """The owner of a spool file: the import or gate evaluation its name starts with."""
    try:
        return uuid.UUID(path.name.removesuffix(UPLOAD_SUFFIX).split(".", 1)[0])
    except ValueError:
        return None


def sweep(
    spool_dir: Path,
    *,
    checked: set[uuid.UUID],
    pending: set[uuid.UUID],
    now: float | None = None,
) -> int:
    """Delete what no job will read: uploads of imports and gate evaluations `checked` and found
    not `pending` (finished, or unknown), and partial uploads abandoned for an hour. Returns how
    many went."""
    if not spool_dir.is_dir():
        return 0
    now = time.time() if now is None else now
    removed = 0
    for path in spool_dir.iterdir():
        if path.name.endswith(UPLOAD_SUFFIX):
            found = owner_of(path)
            gone = found is None or (found in checked and found not in pending)
        elif path.name.endswith(PARTIAL_SUFFIX):
            gone = now - path.stat().st_mtime > ABANDONED_SECONDS
        else:
            continue
        if gone:
            remove(path)
            removed += 1
    return removed


def spooled_ids(spool_dir: Path) -> list[uuid.UUID]:
    if not spool_dir.is_dir():
        return []
    found = {owner_of(p) for p in spool_dir.iterdir() if p.name.endswith(UPLOAD_SUFFIX)}
    return sorted(i for i in found if i is not None)


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
