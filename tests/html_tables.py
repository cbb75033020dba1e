"""Reads the HTML tables of :mod:`tzcld.html_table` back (in AppTest pages and unit tests):
caption, header cells with their ``scope``, cells' texts, classes and links."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pandas as pd


@dataclass
class Cell:
    tag: str
    text: str = ""
    scope: str | None = None
    classes: tuple[str, ...] = ()
    links: list[str] = field(default_factory=list)


@dataclass
class Table:
    id: str
    caption: str = ""
    header: list[Cell] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    region: dict[str, str] = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        return [c.text for c in self.header]

    def frame(self) -> pd.DataFrame:
        """The cells' texts, one column per header cell."""
        return pd.DataFrame([[c.text for c in row] for row in self.rows], columns=self.columns)

    def links(self, column: str) -> list[list[str]]:
        i = self.columns.index(column)
        return [row[i].links for row in self.rows]

    def cells(self, column: str) -> list[Cell]:
        i = self.columns.index(column)
        return [row[i] for row in self.rows]


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[Table] = []
        self._region: dict[str, str] = {}
        self._table: Table | None = None
        self._cell: Cell | None = None
        self._row: list[Cell] | None = None
        self._in_head = False
        self._in_caption = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "div" and "tzcld-table" in (a.get("class") or "").split():
            self._region = {k: v or "" for k, v in a.items()}
        elif tag == "table":
            self._table = Table(a.get("id") or "", region=self._region)
        elif tag == "caption":
            self._in_caption = True
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._row = []
        elif tag in ("th", "td"):
            self._cell = Cell(tag, scope=a.get("scope"), classes=tuple((a.get("class") or "").split()))
        elif tag == "a" and self._cell is not None:
            self._cell.links.append(a.get("href") or "")

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
        elif tag == "thead":
            self._in_head = False
        elif tag in ("th", "td") and self._cell is not None and self._row is not None:
            self._cell.text = self._cell.text.strip()
            self._row.append(self._cell)
            self._cell = None
        elif tag == "tr" and self._table is not None and self._row is not None:
            if self._in_head:
                self._table.header = self._row
            else:
                self._table.rows.append(self._row)
            self._row = None
        elif tag == "table" and self._table is not None:
            self.tables.append(self._table)
            self._table = None

    def handle_data(self, data):
        if self._in_caption and self._table is not None:
            self._table.caption += data
        elif self._cell is not None:
            self._cell.text += data


def parse_tables(html: str) -> list[Table]:
    parser = _Parser()
    parser.feed(html)
    return parser.tables


def page_tables(at) -> list[Table]:
    """Every HTML table of an AppTest run, in page order."""
    return [t for h in at.get("html") for t in parse_tables(h.proto.body)]


def page_table(at, key: str) -> Table:
    """The table drawn with ``key`` (its id is ``table-<key>``)."""
    from tzcld.html_table import table_id

    wanted = table_id(key)
    found = [t for t in page_tables(at) if t.id == wanted]
    assert found, [t.id for t in page_tables(at)]
    return found[0]
