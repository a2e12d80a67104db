"""Writing outputs safely: never over an input or a template, an existing file
only with --force, and atomically (temp file in the same folder + os.replace)
so a crash never leaves half a file where a good one was."""
from __future__ import annotations

import errno
import hashlib
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterable, Sequence

from xlbilling.errors import OutputError, working_on

# atomic_write's guard: called with the publish step, runs it inside its transaction
Guard = Callable[[Callable[[], None]], None]


def _templates_dir() -> Path:
    """workbooks/ in a checkout; the installed xlbilling.workbooks package in a wheel."""
    try:
        import importlib.resources as resources

        return Path(str(resources.files("xlbilling.workbooks"))).resolve()
    except (ModuleNotFoundError, TypeError):
        return Path(__file__).resolve().parents[2] / "workbooks"


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
    _check_name_length(path, target.parent)
    return path


# The random part of a temporary's name: mkstemp's 8 characters, or the 12 hex digits
# of the second name _keep_old gives a file --force replaces (the longer counts).
_TEMP_RANDOM = 12


def _check_name_length(path: Path, folder: Path) -> None:
    """The output is written through a temporary file beside it whose name is
    longer than its own: a name the folder allows may still be too long for
    that, which would fail only after every report was read and priced."""
    try:
        name_max = os.pathconf(folder, "PC_NAME_MAX")
    except (AttributeError, ValueError, OSError):  # (Windows: no pathconf; NTFS allows 255)
        name_max = 255
    extra = len(os.fsencode(_temp_name(path))) - len(os.fsencode(path.name)) + _TEMP_RANDOM + len(".tmp")
    length = len(os.fsencode(path.name))
    if length + extra > name_max:
        raise OutputError(f"{path}: the file name is too long ({length} bytes): xlbilling writes through a"
                          f" temporary file beside it whose name is {extra} bytes longer, and this folder allows"
                          f" {name_max} bytes per name; use a name of at most {name_max - extra} bytes (plain"
                          " letters and digits are a byte each); nothing was written")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Temporaries are named after the output, the writer's process id and a random
# part, so the next run can tell a temporary whose writer is gone (killed: no
# `finally` ran) from one being written right now, and remove it.
TEMP_MARK = "xlbilling"
_TEMP_NAME = re.compile(r"^\.(?P<name>.+)\.xlbilling-(?P<pid>\d+)-[0-9a-z_]+\.tmp$")
# Temporaries of earlier versions (mkstemp: '.NAME.<random>.tmp') carry no pid:
# removed once they are this old.
STALE_UNMARKED_S = 3600


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True   # exists (another user's) or cannot tell: keep it
    return True


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Delete temporaries in `target`'s folder left by writers that were killed."""
    removed: list[Path] = []
    folder = target.parent if str(target.parent) else Path(".")
    prefix = f".{target.name}."
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        # any xlbilling temporary in the folder whose writer is gone (whatever output
        # it was for); unmarked ones of earlier versions only for this output
        marked = f".{TEMP_MARK}-" in entry.name and _TEMP_NAME.match(entry.name) is not None
        if not (entry.name.endswith(".tmp") and entry.name.startswith(".")
                and (marked or entry.name.startswith(prefix))):
            continue
        m = _TEMP_NAME.match(entry.name)
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            stale = (not _alive(int(m["pid"]))) if m else \
                now - entry.stat(follow_symlinks=False).st_mtime > STALE_UNMARKED_S
            if stale:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def fsync_folder(folder: Path) -> None:
    """Make a rename or link durable: fsync the folder holding it (POSIX; a
    no-op where folders cannot be opened, e.g. Windows)."""
    try:
        fd = os.open(folder if str(folder) else ".", os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: str | os.PathLike, write: Callable[[str], None], *, overwrite: bool = True,
                 guard: Guard | None = None) -> None:
    """Call write(temp_path) for a temp file beside `path`, flush it to disk, then
    publish it: `path` is either the old file or the complete new one, and no
    temp file is left behind on failure (nor, after a kill, past the next run).

    overwrite=False (no --force): the new file is published with a hard link,
    which fails if `path` appeared meanwhile - so of two runs racing onto the
    same new --out, the second gets "already exists, use --force" instead of
    silently replacing the first.  overwrite=True: os.replace.  The folder is
    fsynced after either, so the new name survives a power cut.

    `guard` (the ledger record of build, lines, export): called with the
    publish step, which it runs inside its transaction just before committing,
    so the file and the record appear together.  If publishing fails, the
    guard's transaction rolls back; if the guard fails after publishing (its
    commit), the publish is undone: the old file put back, or the new name
    removed.  Several files published together: atomic_write_all.

    The one atomic writer of xlbilling (workbooks, CSV exports, fetched
    reports, the add-in).  The result gets the permissions an ordinary file
    would (0666 less the umask), because billing workbooks are shared.
    """
    target = Path(path)
    with working_on(target):  # an OSError on the temporary is reported against the output's name
        remove_stale_temporaries(target)
        _atomic_write(target, write, overwrite, guard)


def _temp_name(target: Path) -> str:
    return f".{target.name}.{TEMP_MARK}-{os.getpid()}-"


def _folder_of(target: Path) -> Path:
    return target.parent if str(target.parent) else Path(".")


def _atomic_write(target: Path, write: Callable[[str], None], overwrite: bool,
                  guard: Guard | None) -> None:
    fd, tmp = tempfile.mkstemp(prefix=_temp_name(target), suffix=".tmp", dir=_folder_of(target))
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        if guard is None:
            _publish(tmp, target, overwrite)
        else:
            _guarded_publish(tmp, target, overwrite, guard)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _publish(tmp: str, target: Path, overwrite: bool) -> None:
    if overwrite:
        os.replace(tmp, target)
    else:
        _publish_exclusive(tmp, target)
    fsync_folder(_folder_of(target))


def _guarded_publish(tmp: str, target: Path, overwrite: bool, guard: Guard) -> None:
    """Publish inside `guard`; undo the publish when `guard` fails after it."""
    old = _keep_old(target) if overwrite and target.is_file() else None
    published = []

    def publish() -> None:
        _publish(tmp, target, overwrite)
        published.append(True)
    try:
        guard(publish)
    except BaseException:
        if published:
            try:
                if old is not None:
                    os.replace(old, target)     # the file --force was replacing, back in place
                    old = None
                else:
                    os.unlink(target)
                fsync_folder(_folder_of(target))
            except OSError:
                pass                            # the guard's own error is the one to report
        raise
    finally:
        if old is not None:
            try:
                os.unlink(old)
            except OSError:
                pass


def _keep_old(target: Path) -> str:
    """A second name for the file about to be replaced (a hard link, else a
    copy), marked as a temporary so a kill leaves nothing past the next run."""
    import secrets
    import shutil

    keep = str(target.with_name(f"{_temp_name(target)}{secrets.token_hex(_TEMP_RANDOM // 2)}.tmp"))
    try:
        os.link(target, keep)
    except OSError:
        shutil.copy2(target, keep)
    return keep


def _publish_exclusive(tmp: str, target: Path) -> None:
    """Give the finished temporary its name only if no file has that name."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise OutputError(f"{target}: already exists (another run wrote it meanwhile?); nothing was written."
                          " Use --force to replace it, or choose another --out file") from None
    except OSError as err:
        if err.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK, errno.ENOSYS):
            raise
        # No hard links here (FAT, some network shares): claim the name with
        # O_EXCL, then replace the empty placeholder with the complete file.
        try:
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            raise OutputError(f"{target}: already exists; nothing was written. Use --force to replace it, or"
                              " choose another --out file") from None
        os.replace(tmp, target)
        return
    os.unlink(tmp)


def _run(publish: Callable[[], None]) -> None:
    publish()


def atomic_write_all(files: Sequence[tuple[str | os.PathLike, Callable[[str], None]]], *, overwrite: bool = True,
                     guard: Guard | None = None) -> None:
    """atomic_write for several files (path, write) that appear together: every
    temporary is written first, then all are published inside `guard` (or
    alone); if one publish or the guard fails, those already published are
    undone.  Each file's publish runs inside the guard of the next one's
    atomic_write, the last inside `guard`."""
    if not files:
        raise ValueError("atomic_write_all: no file to write")
    (path, write), rest = files[0], files[1:]
    if not rest:
        atomic_write(path, write, overwrite=overwrite, guard=guard)
        return
    outer = guard or _run

    def with_the_rest(publish_first: Callable[[], None]) -> None:
        def publish_all(publish_rest: Callable[[], None]) -> None:
            outer(lambda: (publish_first(), publish_rest()))
        atomic_write_all(rest, overwrite=overwrite, guard=publish_all)
    atomic_write(path, write, overwrite=overwrite, guard=with_the_rest)


def atomic_write_bytes(path: str | os.PathLike, data: bytes, *, overwrite: bool = True) -> None:
    def _write(tmp: str) -> None:
        with open(tmp, "wb") as fh:
            fh.write(data)
    atomic_write(path, _write, overwrite=overwrite)


def text_writer(text: str, encoding: str = "utf-8") -> Callable[[str], None]:
    """The write step of atomic_write for a text file (newlines as given)."""
    def _write(tmp: str) -> None:
        with open(tmp, "w", encoding=encoding, newline="") as fh:
            fh.write(text)
    return _write


def atomic_write_text(path: str | os.PathLike, text: str, *, encoding: str = "utf-8", overwrite: bool = True,
                      guard: Guard | None = None) -> None:
    atomic_write(path, text_writer(text, encoding), overwrite=overwrite, guard=guard)


def sha256_file(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes, read in 1 MiB chunks (Imports sheet, duplicate
    reports, outputs that would overwrite a copy of an input)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
