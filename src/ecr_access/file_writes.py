"""Generated files written only when their content changes, and atomically.

`make package templates` rewrites committed and built files that tests and other processes
read at the same time (the deploy plan runs it; the suite runs on several workers). A file
whose content is the same is left alone, and a changed one is replaced in one step
(``os.replace``), so a reader never sees it half written.
"""

import os
import tempfile
from pathlib import Path


def write_if_changed(path: Path, content: str | bytes) -> bool:
    """Whether the file was (re)written."""
    data = content.encode() if isinstance(content, str) else content
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True
