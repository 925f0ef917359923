"""Files that hold personal data are their owner's only: every Safeguard process creates files
0600 and directories 0700 (its umask), and the data directory is made, and kept, 0700. The
Temporal dev server `safeguard dev` starts inherits the same, so its database is private too."""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_UMASK = 0o077


def private_data_dir(data_dir: Path) -> Path:
    os.umask(PRIVATE_UMASK)  # this process's files, from now on: owner only
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    if data_dir.stat().st_mode & 0o077:
        data_dir.chmod(0o700)  # a data directory made before this was the rule
    return data_dir
