"""Vendor API keys: found in an environment variable or the OS keyring, held
in an `ApiKey` that never shows its value (repr, str, pickling), so a key
cannot leak into a message, a log line, a traceback or a saved file.

Lookup order (first found wins), because an explicit per-process setting
should beat a stored one:

    altaro       XLBILLING_ALTARO_API_KEY, keyring "altaro:<link id>", keyring "altaro"
    x360recover  XLBILLING_X360RECOVER_API_KEY, keyring "x360recover"

Keyring entries live under the service name "xlbilling".  Keys are only ever
written by `xlbilling auth set` (never read from a workbook).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from dataclasses import dataclass

from xlbilling.errors import AuthError

KEYRING_SERVICE = "xlbilling"
VENDORS = ("altaro", "x360recover")
ENV_VARS = {
    "altaro": "XLBILLING_ALTARO_API_KEY",
    "x360recover": "XLBILLING_X360RECOVER_API_KEY",
}


class ApiKey:
    """A secret string that hides itself everywhere except `reveal()`.

    Why a class and not a str: f-strings, `repr()` in tracebacks, logging of
    locals and `json.dumps` would all print a plain str.
    """

    __slots__ = ("_value", "source")

    def __init__(self, value: str, source: str):
        self._value = value
        self.source = source  # where it came from, e.g. "environment variable X" (safe to show)

    def reveal(self) -> str:
        """The key itself: call only where it goes into a request header."""
        return self._value

    def __repr__(self) -> str:
        return f"ApiKey(<hidden>, source={self.source!r})"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __reduce__(self):  # no pickling: a pickle is a file the key could end up in
        raise TypeError("ApiKey cannot be pickled")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ApiKey) and other._value == self._value

    __hash__ = None  # type: ignore[assignment]


# -- a server's text, without the key in any form ------------------------------

_ESCAPES = re.compile(rb"\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})|%([0-9a-fA-F]{2})|&#[xX]([0-9a-fA-F]{1,6});|&#([0-9]{1,7});")
_ALNUM = bytes(range(48, 58)) + bytes(range(65, 91)) + bytes(range(97, 123))
_NOT_ALNUM = bytes(b for b in range(256) if b not in _ALNUM)
WITHHELD = "<hidden> (the answer echoed the API key, so none of it is shown)"
KEY_WINDOW = 8   # this many consecutive key characters anywhere in a body count as an echo


def _squash(data: bytes) -> bytes:
    """Letters and digits only, lower case, with \\uXXXX, \\xXX, %XX and &#..; escapes
    decoded first: every way a server might echo a key (JSON-escaped `\\/` or
    `\\u002B`, URL-encoded, split by NUL or zero-width characters, HTML
    entities) squashes to the key's own letters and digits."""
    def decode(m: re.Match) -> bytes:
        hexa = m.group(1) or m.group(2) or m.group(3) or m.group(4)
        code = int(hexa, 16) if hexa else int(m.group(5))
        return bytes([code]) if code < 128 and bytes([code]) in _ALNUM else b""
    for _ in range(3):  # nested encodings (%255C...) a few levels deep
        decoded = _ESCAPES.sub(decode, data)
        if decoded == data:
            break
        data = decoded
    return data.translate(None, _NOT_ALNUM).lower()


def key_in(data: bytes, key: "ApiKey") -> bool:
    """Does `data` hold the key, or KEY_WINDOW consecutive characters of it,
    in any of the forms _squash undoes?  (A leak of 14 of 27 characters is a
    leak.)"""
    if not data:
        return False
    secret = _squash(key.reveal().encode("utf-8", "replace"))
    if not secret:
        return False
    text = _squash(data)
    if len(secret) <= KEY_WINDOW:
        return secret in text
    return any(secret[i:i + KEY_WINDOW] in text for i in range(len(secret) - KEY_WINDOW + 1))


def server_summary(body: bytes, key: "ApiKey", *, limit: int = 200) -> str:
    """A short, key-free, printable summary of a server's error body for a
    message: the `message`/`error`/`detail` text of a JSON body, else the
    text itself.  When the body holds the key in any form nothing of it is
    shown, only WITHHELD."""
    if not body:
        return ""
    if key_in(body, key):
        return WITHHELD
    text = body[:64 << 10].decode("utf-8", "replace")
    try:
        obj = json.loads(text)
    except ValueError:
        obj = None
    if isinstance(obj, dict):
        parts = [str(obj[k]) for k in ("message", "error", "detail", "msg", "title", "error_description")
                 if isinstance(obj.get(k), (str, int, float))]
        if parts:
            text = " - ".join(parts)
    text = "".join(ch if ch.isprintable() and unicodedata.category(ch) not in ("Cf", "Co", "Cs") else " "
                   for ch in text)
    text = " ".join(text.split())[:limit]
    return WITHHELD if key_in(text.encode("utf-8"), key) else text


def link_id(link: str) -> str:
    """A stable, non-secret id for an Altaro report link: the first 16 hex digits
    of its SHA-256.  Used for per-link keys and the 5-minute record, so the link
    itself (which identifies the partner's report) is never stored."""
    return hashlib.sha256(link.strip().encode("utf-8")).hexdigest()[:16]


def keyring_username(vendor: str, link: str | None = None) -> str:
    _check_vendor(vendor)
    if vendor == "altaro" and link:
        return f"altaro:{link_id(link)}"
    return vendor


def clean_key(raw: str) -> str:
    """Strip whitespace; refuse empty keys and keys with control characters
    (they would break or inject into an HTTP header).  Never echoes the value."""
    text = (raw or "").strip()
    if not text:
        raise AuthError("the API key is empty: paste the key shown once when the link/key was created")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise AuthError("the API key contains control characters (a line break?): paste it again as one line")
    if not text.isascii():
        # HTTP header values are ASCII; a non-ASCII character is a copy-paste
        # artefact (typographic quote, non-breaking space), and encoding it
        # would raise an error whose message quotes the key.
        raise AuthError("the API key contains non-ASCII characters (a typographic quote or a non-breaking "
                        "space from copy-paste?): paste the key again as plain text")
    return text


def get_key(vendor: str, *, link: str | None = None) -> ApiKey:
    """The key for `vendor` (and, for Altaro, optionally a specific link)."""
    _check_vendor(vendor)
    env_name = ENV_VARS[vendor]
    env_value = os.environ.get(env_name)
    if env_value is not None and env_value.strip():
        return ApiKey(clean_key(env_value), f"environment variable {env_name}")
    names = [keyring_username(vendor, link)] if (vendor == "altaro" and link) else []
    names.append(vendor)
    keyring_problem = None
    for name in names:
        try:
            value = _keyring().get_password(KEYRING_SERVICE, name)
        except Exception as err:  # no backend, locked keychain, D-Bus missing, ...
            keyring_problem = type(err).__name__
            value = None
        if value:
            return ApiKey(clean_key(value), f"OS keyring entry {KEYRING_SERVICE}/{name}")
    hint = f" (the OS keyring could not be read: {keyring_problem})" if keyring_problem else ""
    link_opt = " --link URL" if vendor == "altaro" else ""
    raise AuthError(f"no {vendor} API key found{hint}: run `xlbilling auth set {vendor}{link_opt}` "
                    f"or set the environment variable {env_name}")


def set_key(vendor: str, value: str, *, link: str | None = None) -> str:
    """Store a key in the OS keyring; returns the entry name (safe to show)."""
    name = keyring_username(vendor, link)
    secret = clean_key(value)
    try:
        _keyring().set_password(KEYRING_SERVICE, name, secret)
    except Exception as err:
        raise AuthError(f"could not store the key in the OS keyring ({type(err).__name__}; backend "
                        f"{_backend_name()}): install/unlock a keyring, or set the environment variable "
                        f"{ENV_VARS[vendor]} instead") from None
    return f"{KEYRING_SERVICE}/{name}"


def delete_key(vendor: str, *, link: str | None = None) -> bool:
    name = keyring_username(vendor, link)
    try:
        _keyring().delete_password(KEYRING_SERVICE, name)
        return True
    except Exception:
        return False


@dataclass(frozen=True)
class KeyStatus:
    vendor: str
    found: bool
    source: str | None


def key_status(vendor: str, *, link: str | None = None) -> KeyStatus:
    """Where the key would come from, without revealing it."""
    try:
        key = get_key(vendor, link=link)
    except AuthError:
        return KeyStatus(vendor, False, None)
    return KeyStatus(vendor, True, key.source)


def _keyring():
    import keyring  # imported lazily: backend discovery is slow and not needed without a fetch

    return keyring


def _backend_name() -> str:
    try:
        return type(_keyring().get_keyring()).__module__
    except Exception:
        return "unknown"


def _check_vendor(vendor: str) -> None:
    if vendor not in VENDORS:
        raise AuthError(f"unknown vendor {vendor!r}: expected one of {', '.join(VENDORS)}")
