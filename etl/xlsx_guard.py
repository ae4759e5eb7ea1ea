"""An xlsx package measured against the reading limits before calamine opens it.

calamine builds a dense grid for a sheet, from its first to its last cell holding a
value, before anything can look at it: one cell at XFD1048576 asks for 549 GB (the
process aborts) and one at Z1048576 costs 1.2 GB. So before calamine sees a workbook,
every part of it is decompressed here, its bytes counted against the unpacked limit (a
zip bomb stops there), and every part holding sheet data has the extent of its cells
measured against the rows, columns and cells limits:

- fast, for the sheets spreadsheet programs write: the extent the sheet declares in its
  `<dimension>` (rounded up, so that sheets share a few patterns), verified by one scan
  that every cell tag is `<c r="REF" …>` with REF inside it and no second reference (a
  cell calamine places elsewhere needs a tag of another form);
- exact, for anything else (no, or a wrong, dimension; cells without a reference;
  namespace prefixes; unusual attributes): the part is parsed as XML and every cell
  placed as calamine places it — at its reference, or after the previous cell and row.

A cell of shared text (`t="s"`) gets its own copy of the string it points at, so a small
file can point a million cells at one long string: the bytes of the strings the cells
of every sheet point at are summed and held to the unpacked limit too.

A cell counts if it may hold a value (it has a `<v>` or `<is>`); formatting alone does
not count. The extent is measured from A1, as the reader pads rows and columns from A1.
A sheet over a limit makes the whole file unreadable, the limit named. The parts checked
are what calamine reads: repacked uncompressed (unless the workbook is large), which also
spares calamine inflating them a second time. The custom document properties part, which
calamine does not read, is kept for the reader when it is small, and so are the cells
calamine reads otherwise than they show (`xieshang.etl.xlsx_shown`), found in the same pass.
"""

from __future__ import annotations

import io
import re
import struct
import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from xml.parsers import expat

import numpy as np

from xieshang.contract.settings import ReadLimits
from xieshang.etl.limits import (
    MB,
    column_letters,
    shared_text_too_large,
    sheet_over_limit,
    sheet_too_many_cells,
    unpacks_too_large,
)
from xieshang.etl.xlsx_shown import Shown, column_number, percent_styles, shown_cells

# calamine reads a part as a sheet only from this element on; like calamine (quick-xml),
# everything here reads a part's bytes as ASCII-compatible (a UTF-16 part has no sheet)
_SHEET_DATA = b"sheetData"
_DIMENSION = re.compile(
    rb"<(?:[^\s<>/:]+:)?dimension\s[^<>]*?\bref\s*=\s*[\"']"
    rb"([A-Z]+)([1-9][0-9]*)(?::([A-Z]+)([1-9][0-9]*))?[\"']"
)
_PREFIXED_CELL = re.compile(rb":c[\s/>]")
_REFERENCE = re.compile(r"([A-Za-z]*)([0-9]+)")
# After a cell's reference, the attributes spreadsheet programs write, in schema order:
# the usual forms spelt out (quick to match), then any combination.
_TYPE = "(?:inlineStr|str|s|n|b|e|d)"
_CELL_TAG_END = (
    f'(?:/?>| t="{_TYPE}"/?>| s="[0-9]{{1,9}}"(?:/?>| t="{_TYPE}"/?>)'
    f'|(?: s="[0-9]{{1,9}}")?+(?: t="{_TYPE}")?+(?: cm="[0-9]{{1,9}}")?+'
    '(?: vm="[0-9]{1,9}")?+(?: ph="[01]")?+/?>)'
)
# a shared string's start, and a cell of shared text with (usually) its string's index
_SHARED_ITEM = re.compile(rb"<(?:[^\s<>/:]+:)?si[\s/>]")
# (?>…) and *+: a tag's first t="s" only, never a later one tried again when the tag does not
# end; a 5 KB sheet of one unended tag of many t="s" took 20 s, growing with its square
_SHARED_TAG = rb"<(?:[^\s<>/:]+:)?c\s(?>[^<>]*?\bt\s*=\s*[\"']s[\"'])[^<>]*+>"
_SHARED_CELL = re.compile(_SHARED_TAG)
_SHARED_INDEX = re.compile(_SHARED_TAG + rb"\s*+<(?:[^\s<>/:]+:)?v>\s*([0-9]{1,10})\s*<")
_SHARED_STRINGS = "sharedstrings.xml"  # the part's name, in whichever folder
_NAMING_PART_BYTES = MB  # the parts that name sheets are parsed only when this small
_CUSTOM_PROPERTIES = "docprops/custom.xml"
_STYLES = "xl/styles.xml"
_REPACK_BYTES = 64 * MB  # a workbook unpacking to no more is handed to calamine uncompressed
_DOS_DATE = 33  # 1980-01-01, the earliest date a zip entry can carry


@dataclass
class Package:
    """A workbook that passed the checks: the bytes for calamine to read — the parts checked
    here, repacked uncompressed so calamine does not inflate them again (unless the
    workbook is large) — and the size of each part."""

    data: bytes
    original: bytes
    part_bytes: dict[str, int]  # every part, by lower-case path
    sheet_bytes: dict[str, int]  # the parts holding sheet data
    custom_properties: bytes | None = None  # docProps/custom.xml, when at most a MB
    shown_cells: dict[str, list[Shown]] = field(default_factory=dict)  # by part

    def shown_of(self, name: str) -> list[Shown]:
        """The cells of the sheet `name` that calamine reads otherwise than they show
        (`xieshang.etl.xlsx_shown`): error cells and percents."""
        if not self.shown_cells:
            return []
        return self.shown_cells.get(self.sheet_parts.get(name, ""), [])

    @cached_property
    def sheet_parts(self) -> dict[str, str]:
        """Sheet name -> lower-case path of its part (`_sheet_parts`), resolved once: for
        each sheet read, it unzipped and parsed the workbook's naming parts again, and a
        workbook of 2,000 sheets each with an error cell took 94 s, growing with the square."""
        return _sheet_parts(self.original)

    def check_loads(self, names: list[str], limits: ReadLimits) -> None:
        """Raise OverLimit if loading the sheets `names` parses more than the unpacked limit
        (a workbook may point many sheets at one part)."""
        budget = limits.unpacked_mb * MB
        largest = max(self.sheet_bytes.values(), default=0)
        if len(names) * largest <= budget:
            return
        parts = self.sheet_parts
        if sum(self.part_bytes.get(parts.get(name, ""), largest) for name in names) > budget:
            raise unpacks_too_large(limits)


class _TooManyCells(Exception):
    pass


def check_workbook(data: bytes, limits: ReadLimits) -> Package:
    """Check an xlsx file's parts against the limits before calamine reads it.

    Raises OverLimit for a limit; any other exception means the file is not a readable
    workbook (not a zip, a damaged or encrypted part, malformed sheet XML).
    """
    archive = zipfile.ZipFile(io.BytesIO(data))
    budget = limits.unpacked_mb * MB
    used = 0
    part_bytes: dict[str, int] = {}
    sheet_bytes: dict[str, int] = {}
    parts: list[tuple[zipfile.ZipInfo, bytes]] | None = []  # kept while it may be repacked
    custom: bytes | None = None
    items: list[np.ndarray] = []  # each shared-strings part's string sizes
    pointers: list[tuple[np.ndarray, int]] = []  # each sheet's: indexes, cells without one
    shown: dict[str, list[Shown]] = {}
    percent = _percent_styles(archive)
    for info in archive.infolist():
        if info.is_dir():
            continue
        content = _unpack(archive, data, info, budget - used + 1)
        used += len(content)
        if used > budget:
            raise unpacks_too_large(limits)
        path = _normal(info.filename)
        if path in part_bytes or not info.filename.isascii() or used > _REPACK_BYTES:
            parts = None  # two parts of one name (calamine picks one), or too much to hold
        part_bytes[path] = len(content)
        if path == _CUSTOM_PROPERTIES and len(content) <= _NAMING_PART_BYTES:
            custom = content
        if path.endswith(_SHARED_STRINGS):
            items.append(_item_bytes(content))
        if _SHEET_DATA in content:
            pointers.append(_shared_cells(content))
            sheet_bytes[path] = len(content)
            cells = shown_cells(content, percent)
            if cells:
                shown[path] = cells
            try:
                extent = _extent(content, limits)
            except _TooManyCells:
                raise sheet_too_many_cells(_sheet_name(data, path), limits) from None
            if extent and sheet_over_limit("", *extent, limits):
                raise sheet_over_limit(_sheet_name(data, path), *extent, limits)
        if parts is not None:
            parts.append((info, content))
    if _shared_text_bytes(items, pointers) > budget:
        raise shared_text_too_large(limits)
    repacked = data if parts is None or len(parts) > 0xFFFF else _stored(parts)
    return Package(repacked, data, part_bytes, sheet_bytes, custom, shown)


def _percent_styles(archive: zipfile.ZipFile) -> frozenset[int]:
    """The cell formats of the workbook's styles part that show a percent; none if the
    part is missing, too large to parse for this or not XML (calamine then judges it)."""
    info = next((i for i in archive.infolist() if _normal(i.filename) == _STYLES), None)
    if info is None or info.file_size > _NAMING_PART_BYTES:
        return frozenset()
    try:
        with archive.open(info) as member:
            return percent_styles(ET.fromstring(member.read(_NAMING_PART_BYTES + 1)))
    except Exception:  # noqa: BLE001 — a cell's format only decides how a number reads
        return frozenset()


def _item_bytes(content: bytes) -> np.ndarray:
    """The bytes of each shared string of a shared-strings part, its markup with it: no
    fewer than the UTF-8 bytes of the text calamine copies into each cell that uses it."""
    starts = np.fromiter((m.start() for m in _SHARED_ITEM.finditer(content)), np.int64)
    return np.diff(starts, append=len(content))


def _shared_cells(content: bytes) -> tuple[np.ndarray, int]:
    """The shared-string indexes a sheet's cells of shared text give, and how many such
    cells give none the plain way (counted as the longest string)."""
    indexes = np.array(_SHARED_INDEX.findall(content), dtype=np.bytes_).astype(np.int64)
    cells = sum(1 for _ in _SHARED_CELL.finditer(content))  # counted, not each tag kept
    return indexes, cells - len(indexes)


def _shared_text_bytes(items: list[np.ndarray], pointers: list[tuple[np.ndarray, int]]) -> int:
    """The bytes of shared text the sheets' cells copy: each cell its string's, the longest
    for an index out of range, for a cell written another way, or when several parts
    hold shared strings."""
    if not items or not any(len(i) or extra for i, extra in pointers):
        return 0
    sizes = items[0] if len(items) == 1 else np.zeros(0, np.int64)
    longest = max((int(i.max()) for i in items if len(i)), default=0)
    total = 0
    for indexes, extra in pointers:
        known = indexes[(indexes >= 0) & (indexes < len(sizes))]
        total += int(sizes[known].sum()) + (len(indexes) - len(known) + extra) * longest
    return total


def _normal(path: str) -> str:
    # calamine finds parts by lower-case path, backslashes read as slashes
    return path.replace("\\", "/").lower()


def _unpack(archive: zipfile.ZipFile, data: bytes, info: zipfile.ZipInfo, most: int) -> bytes:
    """A part's bytes, at most `most` of them. Deflated and stored parts are inflated here
    directly (the CRC is left to calamine, which reads these very bytes); others by zipfile."""
    offset = info.header_offset
    header = data[offset : offset + 30]
    if info.compress_type not in (0, 8) or info.flag_bits & 1 or header[:4] != b"PK\x03\x04":
        with archive.open(info) as member:
            return member.read(most)
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    start = offset + 30 + name_length + extra_length
    raw = data[start : start + info.compress_size]
    if info.compress_type == 0:
        return raw[:most]
    inflater = zlib.decompressobj(-15)
    content = inflater.decompress(raw, most)
    if not inflater.eof and len(content) < most:
        raise zipfile.BadZipFile(f"{info.filename}: the compressed data ends early")
    return content


def _stored(parts: list[tuple[zipfile.ZipInfo, bytes]]) -> bytes:
    """A zip of `parts`, uncompressed, under their names and CRCs (calamine checks them)."""
    local: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for info, content in parts:
        name = info.filename.encode("ascii")
        sizes = (info.CRC, len(content), len(content), len(name), 0)
        header = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, _DOS_DATE, *sizes)
        central.append(
            struct.pack(
                "<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 0, 0, _DOS_DATE, *sizes, 0, 0, 0, 0, offset
            )
            + name
        )
        local += [header, name, content]
        offset += len(header) + len(name) + len(content)
    directory = b"".join(central)
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, len(parts), len(parts), len(directory), offset, 0
    )
    return b"".join([*local, directory, end])


def _sheet_name(data: bytes, path: str) -> str:
    """The name of the sheet whose part is `path`, for a message (else the part's path)."""
    return next((name for name, part in _sheet_parts(data).items() if part == path), path)


def _extent(content: bytes, limits: ReadLimits) -> tuple[int, int] | None:
    """None if the sheet's declared extent, verified, is within the limits; else the exact
    (last row, last column) of its cells that may hold a value."""
    declared = _declared_extent(content)
    if declared is not None:
        for last_row, last_column in _rounded(*declared):
            if sheet_over_limit("", last_row, last_column, limits) is None:
                start = content.find(_SHEET_DATA)
                if not _outside(last_row, last_column).search(content, start) and (
                    content.find(b":", start) < 0 or not _PREFIXED_CELL.search(content, start)
                ):
                    return None
                break
    return _exact_extent(content, limits)


def _rounded(last_row: int, last_column: int) -> list[tuple[int, int]]:
    """The declared extent rounded up, coarsely and then finely, so that sheets share a
    handful of patterns: rows to 9…9 (1260 -> 9999) or to two digits (1260 -> 1299),
    columns to a multiple of 26 (G -> Z) or not at all."""
    digits = len(str(last_row))
    step = 10 ** max(0, digits - 2)
    coarse = (10**digits - 1, -(-last_column // 26) * 26)
    return [coarse, ((last_row // step + 1) * step - 1, last_column)]


def _declared_extent(content: bytes) -> tuple[int, int] | None:
    """(last row, last column) of the sheet's `<dimension>`, before its data; 1-based."""
    end = content.find(_SHEET_DATA)
    match = _DIMENSION.search(content, 0, end if end >= 0 else len(content))
    if match is None:
        return None
    letters, digits = match.group(3, 4) if match.group(3) else match.group(1, 2)
    return int(digits), column_number(letters.decode("ascii"))


@lru_cache(maxsize=256)
def _outside(last_row: int, last_column: int) -> re.Pattern[bytes]:
    """A cell tag not of the form `<c r="REF" s="…" t="…" …>` with REF inside the extent."""
    inside = _up_to_column(last_column) + _up_to_number(last_row)
    return re.compile(f'<c(?=[\\s/>])(?! r="{inside}"{_CELL_TAG_END})'.encode())


def _up_to_number(limit: int) -> str:
    """A regular expression for the whole numbers 1 to `limit`, written without leading zeros."""
    digits = str(limit)
    if set(digits) == {"9"}:
        return f"[1-9][0-9]{{0,{len(digits) - 1}}}"
    branches = [rf"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    for i, digit in enumerate(digits):
        low = 1 if i == 0 else 0
        if int(digit) > low:
            rest = len(digits) - i - 1
            tail = f"[0-9]{{{rest}}}" if rest else ""
            branches.append(f"{digits[:i]}[{low}-{int(digit) - 1}]{tail}")
    branches.append(digits)
    return "(?:" + "|".join(branches) + ")"


def _up_to_column(limit: int) -> str:
    """A regular expression for the column letters A to the `limit`th column's."""
    letters = column_letters(limit)
    if set(letters) == {"Z"}:
        return f"[A-Z]{{1,{len(letters)}}}"
    branches = [f"[A-Z]{{1,{len(letters) - 1}}}"] if len(letters) > 1 else []
    for i, letter in enumerate(letters):
        if letter > "A":
            rest = len(letters) - i - 1
            tail = f"[A-Z]{{{rest}}}" if rest else ""
            branches.append(f"{letters[:i]}[A-{chr(ord(letter) - 1)}]{tail}")
    branches.append(letters)
    return "(?:" + "|".join(branches) + ")"


class _Placer:
    """Places every cell of a sheet's XML as calamine does, keeping the extent of those that
    may hold a value (expat events; `<x/>` is a start and an end, as calamine reads it)."""

    def __init__(self, limits: ReadLimits) -> None:
        self.limits = limits
        self.row = self.column = 0  # 0-based position of the next cell without a reference
        self.cell: tuple[int, int] | None = None
        self.valued = False
        self.cells = 0
        self.last_row = self.last_column = 0

    def start(self, name: str, attributes: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if local == "c":
            self.cells += 1
            if self.cells > self.limits.cells:
                raise _TooManyCells
            reference = attributes.get("r")
            if reference is None:
                self.cell = (self.row, self.column)
            else:
                self.cell = _position(reference)
                self.column = self.cell[1]
            self.valued = False
        elif local == "row":
            reference = attributes.get("r")
            if reference is not None:
                self.row = _position(reference, needs_column=False)[0]
        elif local in ("v", "is") and self.cell is not None:
            self.valued = True

    def end(self, name: str) -> None:
        local = name.rpartition(":")[2]
        if local == "c" and self.cell is not None:
            self.column += 1
            if self.valued:
                self.last_row = max(self.last_row, self.cell[0] + 1)
                self.last_column = max(self.last_column, self.cell[1] + 1)
            self.cell = None
        elif local == "row":
            self.row += 1
            self.column = 0


def _position(reference: str, needs_column: bool = True) -> tuple[int, int]:
    """0-based (row, column) of a reference like B5, as calamine reads it (row 5 -> 4)."""
    match = _REFERENCE.fullmatch(reference)
    if match is None or int(match.group(2)) == 0 or (needs_column and not match.group(1)):
        raise ValueError(f"bad cell reference {reference!r}")
    return int(match.group(2)) - 1, column_number(match.group(1)) - 1


def _exact_extent(content: bytes, limits: ReadLimits) -> tuple[int, int]:
    """(last row, last column) of the cells that may hold a value; (0, 0) when none."""
    placer = _Placer(limits)
    parser = expat.ParserCreate(encoding="iso-8859-1")  # bytes as calamine reads them
    parser.StartElementHandler = placer.start
    parser.EndElementHandler = placer.end
    parser.Parse(content, True)
    return placer.last_row, placer.last_column


def _sheet_parts(data: bytes) -> dict[str, str]:
    """Sheet name -> lower-case path of its part, resolved as calamine does; {} if unsure."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = {_normal(info.filename): info for info in archive.infolist()}
        office = next(
            link.get("Target", "")
            for link in _elements(archive, members, "_rels/.rels", "Relationship")
            if link.get("Type", "").endswith("/relationships/officeDocument")
        )
        folder = office[: office.rfind("/") + 1]
        folder = folder[1:] if folder.startswith("/") else folder
        targets = {
            link.get("Id"): link.get("Target", "")
            for link in _elements(
                archive, members, f"{folder}_rels/workbook.xml.rels", "Relationship"
            )
        }
        parts: dict[str, str] = {}
        for sheet in _elements(archive, members, f"{folder}workbook.xml", "sheet"):
            link = next((v for k, v in sheet.attrib.items() if k.rpartition("}")[2] == "id"), "")
            target = targets[link]
            path = target[1:] if target.startswith("/") else folder + target
            parts.setdefault(sheet.get("name", ""), _normal(path))
        return parts
    except Exception:  # noqa: BLE001 — names only label messages and size the sheet loads
        return {}


def _elements(
    archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], path: str, local: str
) -> list[ET.Element]:
    info = members[_normal(path)]
    if info.file_size > _NAMING_PART_BYTES:
        raise ValueError(f"{path} is too large to read for names")
    with archive.open(info) as member:
        root = ET.fromstring(member.read(_NAMING_PART_BYTES + 1))
    return [e for e in root.iter() if e.tag.rpartition("}")[2] == local]
