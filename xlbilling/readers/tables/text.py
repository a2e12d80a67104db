"""Decoding a text report (FORMATS.md: UTF-8 with or without BOM, else cp1252;
UTF-16 with a BOM or recognised by its NUL bytes), for the HTML, JSON and
delimited loaders.
"""
from __future__ import annotations

import codecs

def utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' for text saved as UTF-16 without a BOM (Excel's
    "Unicode text" from some tools): most ASCII characters then have a NUL byte
    on the same side.  None for anything else (a binary file has NULs all over)."""
    head = data[:4096]
    if len(head) < 8 or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    head = head[: len(head) // 2 * 2]
    even, odd = head[0::2], head[1::2]
    n = len(odd)
    if odd.count(0) > 0.6 * n and even.count(0) < 0.05 * n:
        return "utf-16-le"
    if even.count(0) > 0.6 * n and odd.count(0) < 0.05 * n:
        return "utf-16-be"
    return None


def decode_text(data: bytes, file: str) -> tuple[str, str]:
    """FORMATS.md: UTF-8 with or without BOM, else cp1252 (UTF-16 when it has a BOM,
    or when its NUL bytes say so)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    elif enc := utf16_without_bom(data):
        return data.decode(enc, errors="replace"), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


# What a loader previews of a text file (the header search, the delimiter sniff):
# bytes of the body, or characters of text already decoded.
HEAD_CHARS = 65536


def _without_bom(data: bytes) -> bytes:
    return data[3:] if data.startswith(b"\xef\xbb\xbf") else data


def _utf8_so_far(head: bytes, final: bool) -> bool:
    """Whether the bytes decode as UTF-8 (a multi-byte character cut at the end of
    a head that is not the whole file is fine)."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=final)
    except UnicodeDecodeError:
        return False
    return True


class TextSource:
    """A delimited file's text, decoded only when needed: UTF-8 bytes go to
    pyarrow as they are (it checks them), so a big file is not held twice."""

    def __init__(self, data: bytes):
        self.encoding = "utf-8"
        self._text: str | None = None
        self._quote: bool | None = None
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            self._text, self.encoding = data.decode("utf-16"), "utf-16"
            self.body = b""
            return
        if enc := utf16_without_bom(data):
            self._text, self.encoding = data.decode(enc, errors="replace"), enc
            self.body = b""
            return
        self.body = _without_bom(data)
        if not _utf8_so_far(self.body[:HEAD_CHARS], final=len(self.body) <= HEAD_CHARS):
            self.encoding = "cp1252"

    def head(self) -> str:
        if self._text is not None:
            return self._text[:HEAD_CHARS]
        return self.body[:HEAD_CHARS].decode(self.encoding, errors="ignore" if self.encoding == "utf-8" else "replace")

    def text(self) -> str:
        if self._text is None:
            try:
                self._text = self.body.decode(self.encoding) if self.encoding == "utf-8" else None
            except UnicodeDecodeError:  # UTF-8 at the top, cp1252 further down
                self.encoding = "cp1252"
            if self._text is None:
                self._text = self.body.decode("cp1252", errors="replace")
        return self._text

    def line_count(self) -> int:
        """Physical lines (a last line without a line break counts)."""
        if self._text is None and self.encoding == "utf-8":
            n = self.body.count(b"\n")
            return n + (1 if self.body and not self.body.endswith(b"\n") else 0)
        text = self.text()
        return text.count("\n") + (1 if text and not text.endswith("\n") else 0)

    def has_quote(self) -> bool:
        """Whether any '"' is in the file: without one no cell can span lines.
        Asked twice per load (pyarrow's block splitting, the spanning-cell check),
        scanned once: a '"' is byte 0x22 in UTF-8 and cp1252 alike, so decoding
        the text later cannot change the answer."""
        if self._quote is None:
            self._quote = b'"' in self.body if self._text is None and self.encoding == "utf-8" else '"' in self.text()
        return self._quote

    def ends_with_newline(self) -> bool:
        if self._text is None and self.encoding == "utf-8":
            return self.body.rstrip(b" \t").endswith((b"\n", b"\r"))
        return self.text().rstrip(" \t").endswith(("\n", "\r"))

    def utf8(self) -> bytes:
        return self.body if self.encoding == "utf-8" and self._text is None else self.text().encode("utf-8")


class StreamedText:
    """A big UTF-8 CSV's text as a TextSource, parsed from the file while it is
    read (readers/streamed_read.py) instead of from bytes held in memory.

    The head (first MiB) answers the sniffing; the stream answers what the
    parse leaves to check (quotes, line count, the last bytes).  Anything else
    - a second pass, a cp1252 or ragged file, the text itself - reads the file
    whole once (`plain`, checked to be the version streamed) and is a
    TextSource from then on."""

    def __init__(self, report):
        self.report = report
        self.encoding = "utf-8"
        self.head_quote = b'"' in report.head
        self.plain: TextSource | None = None

    @staticmethod
    def accepts(head: bytes, size: int) -> bool:
        """Streamed only when the head is plain UTF-8 text (a BOM allowed), not UTF-16."""
        if head.startswith((b"\xff\xfe", b"\xfe\xff")) or utf16_without_bom(head):
            return False
        return _utf8_so_far(head, final=len(head) >= size)

    def can_stream(self) -> bool:
        return self.plain is None and not self.report.streamed

    def arrow_input(self):
        # A quote in the head: cells may span lines, so the parse allows it and the lines are counted.
        return self.report.arrow_input(count_newlines=self.head_quote)

    def stream_stands(self, parsed: bool) -> bool:
        """After the streamed parse: the file was whole and unchanged (else refused), and
        the parse read it as the whole-bytes parse would (no quote the head did not show)."""
        self.report.finish(parsed)
        return parsed and (self.head_quote or not self.report.quote_seen)

    def abandon(self) -> None:
        """The streamed parse failed unexpectedly: stop hashing (no thread left waiting)."""
        if self.report.digest is not None:
            self.report.digest.end()

    def whole(self) -> TextSource:
        if self.plain is None:
            self.plain = TextSource(self.report.whole())
        return self.plain

    def head(self) -> str:
        return _without_bom(self.report.head)[:HEAD_CHARS].decode("utf-8", errors="ignore")  # as TextSource.head

    def text(self) -> str:
        return self.whole().text()

    def utf8(self) -> bytes:
        return self.whole().utf8()

    def has_quote(self) -> bool:
        if self.plain is not None:
            return self.plain.has_quote()
        return self.head_quote or self.report.quote_seen

    def line_count(self) -> int:
        if self.plain is None and self.report.streamed and self.head_quote and self.report.total == self.report.size:
            tail = self.report.tail
            return self.report.newlines + (1 if self.report.size and not tail.endswith(b"\n") else 0)
        return self.whole().line_count()

    def ends_with_newline(self) -> bool:
        tail = self.report.tail.rstrip(b" \t")
        if self.plain is None and self.report.streamed and tail:
            return tail.endswith((b"\n", b"\r"))
        return self.whole().ends_with_newline()
