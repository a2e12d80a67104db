"""A big CSV report read while pyarrow parses it, under the same checks as
integrity.read_report_bytes_hashing: a regular file within bounds, unchanged
from the first stat to the last byte, its SHA-256 of exactly the bytes parsed.

Why: reading a 75 MB report into memory before parsing it costs ~40-60 ms of
fresh pages and copying, and holds the whole file while the records are built;
pyarrow reading the file itself overlaps the reading with its parse and reuses
its buffers.  Every block pyarrow reads passes through `_seen` first: hashed
(in a thread of its own), its first bytes compared with the head the file type
and header were sniffed from, quotes and line breaks noted, the byte count
kept.  Anything the parse cannot settle alone (a quote the head did not show,
a cp1252 file, a ragged file, a cell over several lines) reads the file whole
as before - and that read must give the same head and, when the stream was
read to the end, the same SHA-256, else the file changed and is refused.
"""
from __future__ import annotations

import hashlib
import os
import queue
import sys
import threading
from pathlib import Path

from xlbilling.readers.integrity import FileStamp, PendingDigest, changed_error, checked_stat, open_checked, \
    read_report_bytes_hashing, require_same_file

# Below this size a report is read whole (a thread and a stream would cost more than they save).
STREAM_MIN_BYTES = 32 << 20
# What is read first, for the file type, the encoding, the delimiter and the header
# (at least the 64 KiB a whole read previews, after a BOM).
HEAD_BYTES = 1 << 20


class StreamDigest:
    """SHA-256 of the blocks fed to it, hashed in a thread beside the parse
    (hashlib releases the GIL on big buffers); hexdigest() waits for the end."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._hash = hashlib.sha256()
        self._thread = threading.Thread(target=self._run, name="sha256-stream", daemon=True)
        self._thread.start()
        self._closed = False

    def _run(self) -> None:
        while (block := self._queue.get()) is not None:
            self._hash.update(block)

    def feed(self, block) -> None:
        self._queue.put(block)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._queue.put(None)

    def end(self) -> None:
        """Stop and wait for the thread (a read that failed: no thread is left behind)."""
        self.close()
        self._thread.join()

    def start(self) -> None:
        """(read_report's PendingDigest protocol: this one runs already)"""

    def hexdigest(self) -> str:
        self.close()
        self._thread.join()
        return self._hash.hexdigest()


class StreamedReport:
    """A report file opened for streaming: its stat, its head, and what the
    stream saw.  One stream per report; a second use reads it whole (whole())."""

    def __init__(self, path: str | Path, before: os.stat_result, head: bytes):
        self.path, self.name = Path(path), Path(path).name or str(path)
        self.before, self.head = before, head
        self.size = before.st_size
        self.total = 0
        self.quote_seen = False
        self.newlines = 0
        self.tail = b""
        self.head_differs = False
        self.streamed = False
        self.digest: StreamDigest | PendingDigest | None = None
        self._count_newlines = False

    def arrow_input(self, count_newlines: bool):
        """The file as a pyarrow input stream whose every block passes `_seen`."""
        import pyarrow as pa

        if self.streamed:
            raise RuntimeError("a report is streamed once; read it whole for a second pass")
        self.streamed, self._count_newlines = True, count_newlines
        fd = open_checked(self.path, self.before)
        try:
            # Linux: /proc/self/fd opens the very file fd was checked to be (a FIFO swapped in
            # since cannot hang the open); elsewhere the path, checked again on pyarrow's own fd.
            proc = f"/proc/self/fd/{fd}"
            source = pa.OSFile(proc if sys.platform.startswith("linux") and os.path.exists(proc) else str(self.path))
        finally:
            os.close(fd)
        try:
            require_same_file(self.path, os.fstat(source.fileno()), self.before)
        except BaseException:
            source.close()
            raise
        self.digest = StreamDigest()
        return pa.lib.TransformInputStream(source, self._seen)

    def _seen(self, block):
        """One block on its way to the parser (pyarrow's reading thread): noted, passed on unchanged."""
        import numpy as np

        self.digest.feed(block)
        if self.total < len(self.head):
            k = min(block.size, len(self.head) - self.total)
            if block.slice(0, k).to_pybytes() != self.head[self.total:self.total + k]:  # (at most HEAD_BYTES copied)
                self.head_differs = True
        self.total += block.size
        if block.size:
            octets = np.frombuffer(block, dtype=np.uint8)
            if not self.quote_seen:
                self.quote_seen = bool((octets == 0x22).any())
            if self._count_newlines:
                self.newlines += int(np.count_nonzero(octets == 0x0A))
            self.tail = (self.tail + block.slice(max(0, block.size - 64)).to_pybytes())[-64:]
        return block

    def finish(self, parsed: bool = True) -> None:
        """After the parse: it is the file first stat'd, and - when the parse stands -
        the whole file went through (a parse that failed may stop reading early:
        the file is then read whole, and whole() checks that read)."""
        self.digest.close()
        try:
            again = os.stat(self.path)
        except OSError:
            again = None
        if again is None or self.head_differs or (parsed and self.total != self.size) or \
                FileStamp.of(again) != FileStamp.of(self.before):
            self.digest.end()
            raise changed_error(self.path)

    def whole(self) -> bytes:
        """The file read whole (integrity's read), checked to be the version streamed."""
        data, _, digest = read_report_bytes_hashing(self.path)
        if data[:len(self.head)] != self.head:
            raise changed_error(self.path)
        if self.digest is not None and self.total == self.size and self.digest.hexdigest() != digest.hexdigest():
            raise changed_error(self.path)
        self.digest = digest
        return data


def open_streamed(path: str | Path) -> StreamedReport | None:
    """A StreamedReport when the file is big enough to stream, else None (read it whole)."""
    before = checked_stat(path)
    if before.st_size < STREAM_MIN_BYTES:
        return None
    fd = open_checked(path, before)
    try:
        head = os.read(fd, HEAD_BYTES)
    finally:
        os.close(fd)
    return StreamedReport(path, before, head)
