"""The local record of Altaro link calls, kept so xlbilling never calls a link
twice within the vendor's 5-minute window (BILLING_RULES.md 5): per link id
(a hash of the URL; the URL and key are never stored) the time of the last
call, the month asked for, and where the last good body was saved.

Location: $XLBILLING_STATE_DIR, else the platform's user state folder
(Linux: $XDG_STATE_HOME/xlbilling or ~/.local/state/xlbilling; macOS:
~/Library/Application Support/xlbilling; Windows: %LOCALAPPDATA%\\xlbilling).
"""
from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from xlbilling.errors import FetchError
from xlbilling.fetch.output import atomic_write_bytes

STATE_FILE = "altaro-links.json"


def state_dir() -> Path:
    override = os.environ.get("XLBILLING_STATE_DIR")
    if override:
        return Path(override)
    home = Path.home()
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", home / "AppData" / "Local")) / "xlbilling"
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "xlbilling"
    return Path(os.environ.get("XDG_STATE_HOME") or home / ".local" / "state") / "xlbilling"


@dataclass
class LinkRecord:
    link_id: str
    last_call_epoch_s: float | None = None   # last call the vendor counts (200, limit refusal, 5xx,
                                             # timeout): starts the local refusal window
    last_attempt_epoch_s: float | None = None  # last request that reached the server, counted or not
                                               # (401, allow-list 403, 404): used to explain a 403/400
    last_status: int | None = None
    saved_epoch_s: float | None = None       # when the saved copy was fetched
    saved_month: str | None = None           # the --month it was fetched for
    month: str | None = None
    saved_copy: str | None = None            # xlbilling's own copy of the last good body
    saved_sha256: str | None = None
    saved_format: str | None = None          # csv | json
    last_out: str | None = None              # where the user saved it


class LinkState:
    """Read-modify-write of the state file (written atomically)."""

    def __init__(self, directory: Path | None = None):
        self.directory = Path(directory) if directory else state_dir()
        self.path = self.directory / STATE_FILE

    def _load_all(self) -> dict[str, dict]:
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as err:
            raise FetchError(f"the fetch state file {self.path} cannot be read ({type(err).__name__}): "
                             f"delete it to start afresh (the 5-minute record is then lost)") from None
        return data if isinstance(data, dict) else {}

    def get(self, link_id: str) -> LinkRecord:
        raw = self._load_all().get(link_id) or {}
        known = {k: raw[k] for k in LinkRecord.__dataclass_fields__ if k in raw}
        known["link_id"] = link_id
        return LinkRecord(**known)

    def ensure_directory(self) -> None:
        """Private to the user (0700): saved copies hold customer report data."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)

    def put(self, record: LinkRecord) -> None:
        self.ensure_directory()
        data = self._load_all()
        data[record.link_id] = asdict(record)
        atomic_write_bytes(self.path, json.dumps(data, indent=2, sort_keys=True).encode("utf-8"))

    def copy_path(self, link_id: str, fmt: str) -> Path:
        return self.directory / f"altaro-{link_id}.{fmt}"
