"""Writing outputs safely: never over an input or a template, an existing file
only with --force, and atomically (temp file in the same folder + os.replace)
so a crash never leaves half a file where a good one was."""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Callable, Iterable

from xlbilling.errors import OutputError, working_on



def _templates_dir() -> Path:
    """workbooks/ in a checkout; the installed xlbilling.workbooks package in a wheel."""
    try:
        import importlib.resources as resources

        return Path(str(resources.files("xlbilling.workbooks"))).resolve()
    except (ModuleNotFoundError, TypeError):
        return Path(__file__).resolve().parents[1] / "workbooks"


TEMPLATES_DIR = _templates_dir()


def check_output(out: str | os.PathLike, *, inputs: Iterable[str | os.PathLike] = (), force: bool = False,
                 protect_templates: bool = True) -> Path:
    """Refuse `out` when it is one of `inputs` (or a template in workbooks/), or
    exists and `force` is not set.  Returns the path."""
    path = Path(out)
    target = path.resolve()
    for inp in inputs:
        try:
            same = Path(inp).resolve() == target or (path.exists() and os.path.samefile(inp, path))
        except OSError:
            same = False
        if same:
            raise OutputError(f"{path}: is also an input ({inp}); refusing to overwrite an input: choose another"
                              " --out file")
    if protect_templates and target.parent == TEMPLATES_DIR and target.suffix.lower() == ".xlsx":
        raise OutputError(f"{path}: is a template in workbooks/; write your copy somewhere else")
    if path.exists() and not force:
        raise OutputError(f"{path}: already exists; nothing was written. Use --force to replace it, or choose"
                          " another --out file")
    if not target.parent.is_dir():
        raise OutputError(f"{path}: folder {target.parent} does not exist")
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: str | os.PathLike, write: Callable[[str], None]) -> None:
    """Call write(temp_path) for a temp file beside `path`, flush it to disk, then
    os.replace it in place: `path` is either the old file or the complete new
    one, and no temp file is left behind on failure.

    The one atomic writer of xlbilling (workbooks, CSV exports, fetched
    reports, the add-in).  mkstemp creates files owner-only; the result gets
    the permissions an ordinary file would (0666 less the umask), because
    billing workbooks are shared with colleagues.
    """
    target = Path(path)
    with working_on(target):  # an OSError on the temporary is reported against the output's name
        _atomic_write(target, write)


def _atomic_write(target: Path, write: Callable[[str], None]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    def _write(tmp: str) -> None:
        with open(tmp, "wb") as fh:
            fh.write(data)
    atomic_write(path, _write)


def atomic_write_text(path: str | os.PathLike, text: str, *, encoding: str = "utf-8") -> None:
    def _write(tmp: str) -> None:
        with open(tmp, "w", encoding=encoding, newline="") as fh:
            fh.write(text)
    atomic_write(path, _write)


def sha256_file(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes, read in 1 MiB chunks (Imports sheet, duplicate
    reports, outputs that would overwrite a copy of an input)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
