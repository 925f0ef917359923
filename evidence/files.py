"""Where evidence is written: packs and subject-access exports hold personal data, so their
files are the owner's only (0600, directories made 0700); an exported checkpoint is written once
and never over. Paths are checked before anything is built or recorded, so a bad one is refused
with nothing done."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from evidence.store import EvidenceError


def _usable_parent(path: Path, shown: str) -> None:
    """The nearest existing directory above `path` can take it (what is missing is made)."""
    above = path.parent
    while not above.exists() and above != above.parent:
        above = above.parent
    if not above.is_dir():
        raise EvidenceError(f"{shown}: {above} is a file, so no directory can be made under it")
    if not os.access(above, os.W_OK | os.X_OK):
        raise EvidenceError(f"{shown}: {above} is not writable")


def out_dir(text: str, option: str = "--out") -> Path:
    """A directory to write into: made if missing; never a file; never empty (which would be here)."""
    if not text.strip():
        raise EvidenceError(f"{option} is empty: name a directory")
    path = Path(text)
    if path.is_symlink() and not path.exists():
        raise EvidenceError(f"{option} {text} is a link to nothing")
    if path.exists():
        if not path.is_dir():
            raise EvidenceError(f"{option} {text} is a file, not a directory")
        if not os.access(path, os.W_OK | os.X_OK):
            raise EvidenceError(f"{option} {text} is not writable")
    else:
        _usable_parent(path, f"{option} {text}")
    return path


def new_file(text: str, option: str, held: str) -> Path:
    """A file to write once: not there yet, in a directory that is (or can be made)."""
    if not text.strip():
        raise EvidenceError(f"{option} is empty: name a file")
    path = Path(text)
    if path.is_dir():
        raise EvidenceError(f"{option} {text} is a directory: name a file")
    if path.exists() or path.is_symlink():
        raise EvidenceError(f"{text} exists: {held}; choose a new name")
    if path.parent.exists():
        if not path.parent.is_dir():
            raise EvidenceError(f"{option} {text}: {path.parent} is a file, not a directory")
        if not os.access(path.parent, os.W_OK | os.X_OK):
            raise EvidenceError(f"{option} {text}: {path.parent} is not writable")
    else:
        _usable_parent(path.parent, f"{option} {text}")
    return path


def private_dir(path: Path) -> Path:
    """`path` as a directory, each missing part made owner-only (mkdir's `parents` would not)."""
    out_dir(str(path), "directory")
    for part in reversed([path, *path.parents]):
        if not part.exists():
            part.mkdir(mode=0o700)
    return path


def own_dir(path: Path) -> Path:
    """A folder Safeguard names itself (a case's, in a subject access export): never one that is a
    link, which someone could plant to send the export elsewhere."""
    if path.is_symlink():
        raise EvidenceError(f"{path} is a link: Safeguard writes a case's folder itself, never through a link; "
                            "remove the link, or export to an empty folder")
    return private_dir(path)


def write_private(path: Path, content: bytes, once: bool = False) -> None:
    """Owner-only, created exclusively and never through a link: written to a new file beside it,
    then renamed into place (a link already at `path` is replaced, its target never touched).
    `once`: refused if anything is at `path` already."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    target = path if once else path.with_name(f".{path.name}.{secrets.token_hex(6)}.part")
    fd = os.open(target, flags, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
        if not once:
            os.replace(target, path)
    except BaseException:
        if not once:
            target.unlink(missing_ok=True)
        raise
