"""The VBA source of an add-in's ``xl/vbaProject.bin``, read without Excel.

Why it exists: the add-in build (excel/addin.py) re-checks on every build what
xlwings' template VBA says (PROJECT_NAME, XLWINGS_VERSION, Sub RunMain), and the
tests compare it with xlwings' own .bas file, so the source must be readable on
any machine.  Just enough of two Microsoft formats for that:

- [MS-CFB], the OLE compound file the VBA project is stored in: the header, the
  FAT (with DIFAT sectors), the mini FAT and mini stream, the directory tree;
- [MS-OVBA] 2.4.1, the compression of the ``VBA/dir`` stream and of each
  module's source, and 2.3.4.2 the ``dir`` records naming the modules.

No dependency: olefile would replace only the compound-file half (the
decompression and the dir records would stay here), for about 80 lines.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

from xlbilling.errors import XlbillingError

_SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")
_NO_ENTRY = 0xFFFFFFFF           # NOSTREAM: no sibling / child in the directory tree
_CHAIN_END = 0xFFFFFFFA          # ENDOFCHAIN and the other sector markers are at or above
_HEADER_DIFAT = 109              # DIFAT entries held in the header itself
_ENTRY_BYTES = 128               # one directory entry
_MAX_TREE_DEPTH = 256            # a directory deeper than this is corrupt (or hostile)
_STORAGE, _STREAM = 1, 2         # directory entry object types


@dataclass(frozen=True, slots=True)
class _Entry:
    """One directory entry: a storage (folder) or a stream (file) of the compound file."""

    name: str
    kind: int
    left: int
    right: int
    child: int
    start: int   # first sector (of the FAT, or of the mini FAT for a small stream)
    size: int    # bytes


class _CompoundFile:
    """The sector tables and the directory of one compound file."""

    def __init__(self, data: bytes):
        if data[:8] != _SIGNATURE:
            raise XlbillingError("xl/vbaProject.bin is not an OLE compound file")
        self.data = data
        sector_shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
        self.sector, self.mini = 1 << sector_shift, 1 << mini_shift
        (n_fat, first_dir, _txn, self.mini_cutoff, first_minifat, n_minifat,
         first_difat, n_difat) = struct.unpack_from("<8I", data, 0x2C)
        self.fat = self._fat(n_fat, first_difat, n_difat)
        self.entries = self._directory(self.read(first_dir))
        self.ministream = self.read(self.entries[0].start)   # the root entry holds the mini stream
        self.minifat: list[int] = []
        if n_minifat:
            table = self.read(first_minifat)
            self.minifat = list(struct.unpack(f"<{len(table) // 4}I", table))

    def _sector(self, i: int) -> bytes:
        return self.data[(i + 1) * self.sector:(i + 2) * self.sector]   # sector 0 follows the header

    def _fat(self, n_fat: int, first_difat: int, n_difat: int) -> list[int]:
        """The FAT: its sectors are listed by the header's DIFAT, then by a chain of DIFAT sectors."""
        ids_per_sector = self.sector // 4
        difat = list(struct.unpack_from(f"<{_HEADER_DIFAT}I", self.data, 0x4C))
        nxt = first_difat
        for _ in range(n_difat):
            values = struct.unpack(f"<{ids_per_sector}I", self._sector(nxt))
            difat += values[:-1]
            nxt = values[-1]
        fat: list[int] = []
        for s in difat[:n_fat]:
            fat += struct.unpack(f"<{ids_per_sector}I", self._sector(s))
        return fat

    @staticmethod
    def chain(start: int, table: list[int]) -> list[int]:
        """The sectors of a chain in `table`, refusing a chain that loops."""
        out = []
        while start < _CHAIN_END:
            out.append(start)
            if len(out) > len(table):
                raise XlbillingError("xl/vbaProject.bin: sector chain loops")
            start = table[start]
        return out

    def read(self, start: int) -> bytes:
        return b"".join(self._sector(s) for s in self.chain(start, self.fat))

    @staticmethod
    def _directory(raw: bytes) -> list[_Entry]:
        entries = []
        for off in range(0, len(raw) - _ENTRY_BYTES + 1, _ENTRY_BYTES):
            e = raw[off:off + _ENTRY_BYTES]
            name_len = struct.unpack_from("<H", e, 64)[0]
            left, right, child = struct.unpack_from("<3I", e, 68)
            start, size = struct.unpack_from("<IQ", e, 116)
            entries.append(_Entry(e[:max(name_len - 2, 0)].decode("utf-16-le"), e[66], left, right, child,
                                  start, size))
        return entries

    def body(self, entry: _Entry) -> bytes:
        """A stream's bytes: from the mini stream below the cutoff, else from the sectors."""
        if entry.size < self.mini_cutoff:
            data = b"".join(self.ministream[s * self.mini:(s + 1) * self.mini]
                            for s in self.chain(entry.start, self.minifat))
        else:
            data = self.read(entry.start)
        return data[:entry.size]

    def streams(self) -> dict[str, bytes]:
        found: dict[str, bytes] = {}

        def walk(i: int, prefix: tuple[str, ...], depth: int = 0) -> None:
            if i == _NO_ENTRY or depth > _MAX_TREE_DEPTH:
                return
            entry = self.entries[i]
            walk(entry.left, prefix, depth + 1)
            walk(entry.right, prefix, depth + 1)
            if entry.kind == _STREAM:
                found["/".join(prefix + (entry.name,))] = self.body(entry)
            elif entry.kind == _STORAGE:
                walk(entry.child, prefix + (entry.name,), depth + 1)

        walk(self.entries[0].child, ())
        return found


def cfb_streams(data: bytes) -> dict[str, bytes]:
    """All streams of a compound file, keyed by path ("VBA/dir")."""
    return _CompoundFile(data).streams()


def ovba_decompress(data: bytes) -> bytes:
    """[MS-OVBA] 2.4.1.3.1: a signature byte, then chunks of up to 4096 bytes."""
    if not data or data[0] != 1:
        raise XlbillingError("VBA source is not in MS-OVBA compressed form")
    out = bytearray()
    pos = 1
    while pos + 2 <= len(data):
        header = struct.unpack_from("<H", data, pos)[0]
        chunk_end = min(pos + (header & 0x0FFF) + 3, len(data))
        pos += 2
        if not header & 0x8000:  # stored uncompressed
            out += data[pos:pos + 4096]
            pos = chunk_end
            continue
        chunk_start = len(out)
        while pos < chunk_end:
            flags = data[pos]
            pos += 1
            for bit in range(8):
                if pos >= chunk_end:
                    break
                if not flags & (1 << bit):
                    out.append(data[pos])
                    pos += 1
                    continue
                token = struct.unpack_from("<H", data, pos)[0]
                pos += 2
                bit_count = max((len(out) - chunk_start - 1).bit_length(), 4)
                length = (token & (0xFFFF >> bit_count)) + 3
                offset = (token >> (16 - bit_count)) + 1
                for _ in range(length):
                    out.append(out[-offset])
    return bytes(out)


def _module_records(dir_stream: bytes) -> list[dict]:
    """[MS-OVBA] 2.3.4.2: each module's name, stream name and source offset."""
    modules, current, pos = [], {}, 0
    while pos + 6 <= len(dir_stream):
        record_id, size = struct.unpack_from("<HI", dir_stream, pos)
        pos += 6
        if record_id == 0x0009:  # PROJECTVERSION: its size field says 4, it holds 6
            size = 6
        body = dir_stream[pos:pos + size]
        pos += size
        if record_id == 0x0019:  # MODULENAME
            current = {"name": body.decode("cp1252")}
        elif record_id == 0x001A:  # MODULESTREAMNAME
            current["stream"] = body.decode("cp1252")
        elif record_id == 0x0031:  # MODULEOFFSET: where the compressed source starts
            current["offset"] = struct.unpack("<I", body)[0]
        elif record_id == 0x002B:  # module terminator
            modules.append(current)
            current = {}
    return modules


def vba_modules(vba_project: bytes) -> dict[str, str]:
    """VBA module name -> source text, from the bytes of xl/vbaProject.bin."""
    streams = cfb_streams(vba_project)
    sources = {}
    for module in _module_records(ovba_decompress(streams["VBA/dir"])):
        stream = streams[f"VBA/{module['stream']}"]
        sources[module["name"]] = ovba_decompress(stream[module["offset"]:]).decode("cp1252")
    return sources
