"""The CLI's one error boundary: every failure becomes a short message on
stderr naming the file, and exit 2; never a traceback.

Why one place: a traceback tells a finance user nothing and exit 1 means
"--strict found un-invoiced usage" (README), so a crash must never reach the
shell as Python's default exit 1 with a stack.  Operating-system failures
(permissions, read-only or full disk, name too long, a folder given as a
file), memory and recursion exhaustion, decimal and float overflows are each
mapped to what happened and what to do; anything else gets a last-resort
message with the exception type only (set XLBILLING_DEBUG=1 for the stack).
"""
from __future__ import annotations

import decimal
import errno
import os
import re
import sys
import traceback

from xlbilling.errors import XlbillingError

# errno -> what it means for the user (the OS wording is kept in brackets).
_OS_HINTS = {getattr(errno, name): hint for name, hint in (
    ("EACCES", "permission denied: check the file's and the folder's permissions"),
    ("EPERM", "operation not permitted: check the file's and the folder's permissions"),
    ("EROFS", "the file system is read-only: write to another folder"),
    ("ENOSPC", "the disk is full: free some space or write to another disk"),
    ("EDQUOT", "the disk quota is exceeded: free some space or write elsewhere"),
    ("ENAMETOOLONG", "the file name is too long: choose a shorter name"),
    ("EISDIR", "is a folder, expected a file"),
    ("ENOTDIR", "a part of the path is not a folder"),
    ("ENOENT", "file or folder not found"),
    ("EEXIST", "already exists: use --force to replace it, or choose another name"),
    ("EMFILE", "too many open files: close other programs and try again"),
    ("ENFILE", "too many open files on this system: try again later"),
    ("EIO", "input/output error from the disk or network share"),
    ("ELOOP", "too many symbolic links in the path"),
    ("ETXTBSY", "the file is busy (in use by another program)"),
    ("EFBIG", "the file would be too large for this file system"),
) if hasattr(errno, name)}

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


def escape_control(text: str) -> str:
    """Control characters (ANSI escape sequences, carriage returns, bidi
    overrides, zero-width characters) shown as \\x1b / \\u202e, so text from a
    report or a server can never drive the terminal.  Newlines and tabs stay."""
    def _one(m: re.Match) -> str:
        ch = m.group()
        return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"
    return _CONTROL.sub(_one, text)


def os_error_text(err: OSError) -> str:
    """'FILE: what happened (OS text)' for any OSError, naming the file."""
    name = err.filename or getattr(err, "xlbilling_file", None)
    # A temporary beside an output is an implementation detail: name the output.
    target = getattr(err, "xlbilling_file", None)
    if target and name and os.path.basename(str(name)).startswith(".") and str(name).endswith(".tmp"):
        name = target
    hint = _OS_HINTS.get(err.errno or -1)
    oswords = err.strerror or type(err).__name__
    what = f"{hint} ({oswords})" if hint else oswords
    if err.filename2:
        what += f" [also {err.filename2}]"
    return f"{name}: {what}" if name else what


def _where(err: BaseException) -> str:
    name = getattr(err, "xlbilling_file", None)
    return f"{name}: " if name else ""


def message_for(err: BaseException) -> str:
    """The one-paragraph message for any exception (never a traceback)."""
    if isinstance(err, XlbillingError):
        return str(err)
    if isinstance(err, OSError):
        return os_error_text(err) + "; nothing was written"
    if isinstance(err, MemoryError):
        return (f"{_where(err)}ran out of memory: the input is far larger than a vendor report should be, or"
                " malformed; nothing was written")
    if isinstance(err, RecursionError):
        return f"{_where(err)}the input is nested too deeply to read; nothing was written"
    if isinstance(err, (decimal.DecimalException, OverflowError)):
        return (f"{_where(err)}value out of range ({type(err).__name__}): a number or date is far outside what"
                " a bill can hold; nothing was written")
    if isinstance(err, UnicodeError):
        return f"{_where(err)}text in an unexpected encoding ({type(err).__name__}); nothing was written"
    if isinstance(err, ModuleNotFoundError) and err.name and not err.name.startswith("xlbilling"):
        # A third-party package missing from this install (e.g. a --no-deps install that
        # left one out): say which, not "internal error".
        from xlbilling.optional import missing

        optional = missing(err)          # xlwings / httpx / keyring: the exact package to install
        if optional is not None:
            return f"{_where(err)}{optional}"
        top = err.name.split(".")[0]
        return (f"{_where(err)}this install lacks the '{top}' package that this command needs; nothing was written."
                " Reinstall xlbilling with its dependencies (`xlbilling help install`)")
    return (f"{_where(err)}unexpected internal error ({type(err).__name__}); nothing was written. Please report"
            " it with the command you ran (XLBILLING_DEBUG=1 shows the details)")


def run_guarded(command: str, func, args) -> int:
    """Call func(args) and map every failure to exit 2 with a message."""
    try:
        return int(func(args) or 0)
    except KeyboardInterrupt:
        _say("interrupted: nothing was written")
        return 130
    except BrokenPipeError:
        _quiet_stdout()
        return 0
    except SystemExit:
        raise
    except BaseException as err:  # noqa: BLE001 - this is the boundary
        if os.environ.get("XLBILLING_DEBUG") and not isinstance(err, XlbillingError):
            traceback.print_exc()
        _say(f"xlbilling {command}: error: {message_for(err)}")
        return 2


def _say(text: str) -> None:
    try:
        print(escape_control(text), file=sys.stderr, flush=True)
    except Exception:  # stderr itself gone: nothing left to tell
        pass


def _quiet_stdout() -> None:
    """After a closed pipe, point stdout at /dev/null so the interpreter's
    final flush does not print 'Exception ignored ... BrokenPipeError'."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
