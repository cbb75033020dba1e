"""Hand-made XLSX files for the reading tests: minimal workbooks from sheet XML, and zip bombs.

- :func:`workbook` — an XLSX (bytes) from the XML of its first sheet, optional shared strings
  and styles: enough for any reader (Excel's own layout: workbook, relations, content types).
- :func:`zip_bomb` — an XLSX whose sheet expands to ``expanded`` bytes of valid rows while
  the file stays a few megabytes; ``declared`` writes another uncompressed size in the zip
  directory (a lying archive). Written to ``path`` by streaming: the expanded XML never exists
  in memory.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
    '<workbookPr{date1904}/><sheets><sheet name="Feuil1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'styles" Target="styles.xml"/></Relationships>'
)


def sheet(rows_xml: str) -> str:
    """A worksheet's XML around ``<row>`` elements."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>{rows_xml}</sheetData></worksheet>'
    )


def shared_strings(strings: list[str]) -> str:
    items = "".join(f"<si><t>{s}</t></si>" for s in strings)
    return f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="{len(strings)}">{items}</sst>'


def styles(num_fmt_ids: list[int], custom: dict[int, str] | None = None) -> str:
    """``cellXfs`` with these number formats (style ``s=i`` uses ``num_fmt_ids[i]``)."""
    fmts = "".join(f'<numFmt numFmtId="{k}" formatCode="{v}"/>' for k, v in (custom or {}).items())
    xfs = "".join(f'<xf numFmtId="{n}" fontId="0" fillId="0" borderId="0"/>' for n in num_fmt_ids)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}"><numFmts>{fmts}</numFmts>'
        f'<cellStyleXfs><xf numFmtId="14"/></cellStyleXfs><cellXfs>{xfs}</cellXfs></styleSheet>'
    )


def workbook(sheet_xml: str, strings: list[str] | None = None, style_xml: str | None = None, date1904=False) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK.format(date1904=' date1904="1"' if date1904 else ""))
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        zf.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        if strings is not None:
            zf.writestr("xl/sharedStrings.xml", shared_strings(strings))
        if style_xml is not None:
            zf.writestr("xl/styles.xml", style_xml)
    return buf.getvalue()


#: One repeated chunk of the bomb's rows (valid cells, one inline string and one number).
_ROWS = b'<row><c t="inlineStr"><is><t>aaaaaaaaaa</t></is></c><c><v>1</v></c></row>' * 14_000


def zip_bomb(path: Path, expanded: int = 2_000_000_000, declared: int | None = None) -> Path:
    """Write an XLSX whose sheet XML is ``expanded`` bytes (about 3.4 MB per GB compressed).

    ``declared`` (default: the truth) is the uncompressed size written in the archive's
    headers; a smaller one makes a lying archive.
    """
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'.encode()
    head += b'<row><c t="inlineStr"><is><t>nom</t></is></c><c t="inlineStr"><is><t>n</t></is></c></row>'
    tail = b"</sheetData></worksheet>"
    repeats = max(1, (expanded - len(head) - len(tail)) // len(_ROWS))
    small = {
        "[Content_Types].xml": CONTENT_TYPES.encode(),
        "_rels/.rels": ROOT_RELS.encode(),
        "xl/workbook.xml": WORKBOOK.format(date1904="").encode(),
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS.encode(),
    }
    central = []
    with path.open("wb") as out:
        for name, data in small.items():
            central.append(_write_member(out, name, [data], None))
        parts = [head, *([_ROWS] * repeats), tail]
        central.append(_write_member(out, "xl/worksheets/sheet1.xml", parts, declared))
        start = out.tell()
        for entry in central:
            out.write(entry)
        size = out.tell() - start
        out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central), size, start, 0))
    return path


def _write_member(out, name: str, parts, declared: int | None) -> bytes:
    """Write one deflated member by streaming ``parts``; return its central directory entry."""
    offset = out.tell()
    encoded = name.encode()
    out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0x08, 8, 0, 0, 0, 0, 0, len(encoded), 0))
    out.write(encoded)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    crc = 0
    size = 0
    compressed = 0
    for part in parts:
        crc = zlib.crc32(part, crc)
        size += len(part)
        chunk = comp.compress(part)
        compressed += len(chunk)
        out.write(chunk)
    chunk = comp.flush()
    compressed += len(chunk)
    out.write(chunk)
    told = size if declared is None else declared
    out.write(struct.pack("<4s3L", b"PK\x07\x08", crc, compressed, told))  # data descriptor
    return (
        struct.pack(
            "<4s6H3L5H2L",
            b"PK\x01\x02",
            20,
            20,
            0x08,
            8,
            0,
            0,
            crc,
            compressed,
            told,
            len(encoded),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        + encoded
    )
