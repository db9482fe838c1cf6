"""The rows of an XLSX worksheet, as openpyxl reads them, without openpyxl's cost per text cell.

openpyxl's read-only mode parses every inline-string cell (``t="inlineStr"``, what streaming
writers and many department exports produce) into a rich-text object through its descriptor
machinery (``Text.from_tree``) only to take its plain text back out: on the city preset that was
~550 µs of CPU a row, about two thirds of the landing's CPU for a fifth of its rows
(``bench/bench_xlsx.py``, docs/BENCHMARKS.md). This module keeps openpyxl's own sheet parser -- shared strings, numbers,
dates by number format, booleans, errors and formulas' cached values stay exactly as openpyxl
reads them -- and reads only plain inline strings directly: the text of the ``<t>`` element and of
each rich-text run, which is what ``Text.content`` returns.

It also opens the workbook without sizing its sheets: a read-only worksheet finds its size from
the sheet's ``<dimension>`` element and, when a writer left that out (streaming writers do),
parses the whole sheet once just for the size -- a second full parse of every file, which
streaming the rows does not need.

The parser and worksheet classes it builds on are openpyxl's internal ones (``openpyxl.worksheet.
_reader``, ``_read_only``), so openpyxl is pinned (constraints.txt); tests/unit/test_xlsx_rows.py
holds these rows to openpyxl's public reader, row for row.
"""

from __future__ import annotations

from collections.abc import Iterator

from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import INLINE_STRING, WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS

_TEXT = "{%s}t" % SHEET_MAIN_NS
_RUN = "{%s}r" % SHEET_MAIN_NS
_FORMULA = "{%s}f" % SHEET_MAIN_NS


class _UnsizedSheet(ReadOnlyWorksheet):
    def _get_size(self):
        pass  # min/max row and column stay unknown (None): rows are streamed to the sheet's end


class _RowReader(ExcelReader):
    def read_worksheets(self):
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files or "chartsheet" in rel.Type:
                continue
            worksheet = _UnsizedSheet(self.wb, sheet.name, rel.target, self.shared_strings)
            worksheet.sheet_state = sheet.state
            self.wb._sheets.append(worksheet)


def open_workbook(path: str) -> Workbook:
    """The workbook at ``path``, read-only, formulas as their cached values, worksheets unsized;
    raises what ``openpyxl.load_workbook`` raises for a file that is no readable workbook."""
    reader = _RowReader(path, read_only=True, data_only=True)
    reader.read()
    return reader.wb


class _SheetParser(WorkSheetParser):
    def parse_cell(self, element):
        if element.get("t") != "inlineStr" or (not self.data_only and element.find(_FORMULA) is not None):
            return super().parse_cell(element)
        inline = element.find(INLINE_STRING)
        if inline is None:
            return super().parse_cell(element)
        coordinate = element.get("r")
        if coordinate:
            row, column = coordinate_to_tuple(coordinate)
            self.col_counter = column
        else:
            self.col_counter += 1
            row, column = self.row_counter, self.col_counter
        plain = inline.find(_TEXT)
        snippets = [plain.text or ""] if plain is not None else []
        snippets += [run.findtext(_TEXT) or "" for run in inline.iterfind(_RUN)]
        style_id = element.get("s", 0)
        return {"row": row, "column": column, "value": "".join(snippets), "data_type": "s",
                "style_id": int(style_id) if style_id else 0}


def sheet_values(sheet: ReadOnlyWorksheet) -> Iterator[tuple[int, tuple]]:
    """(sheet row number, values) of every row of ``sheet`` that has cells, in order; values run
    from column A to the row's last cell, ``None`` where a cell is missing -- the values openpyxl's
    ``iter_rows(values_only=True)`` gives for that row."""
    workbook = sheet.parent
    with sheet._get_source() as source:
        parser = _SheetParser(source, sheet._shared_strings, data_only=workbook.data_only, epoch=workbook.epoch,
                              date_formats=workbook._date_formats, timedelta_formats=workbook._timedelta_formats)
        for number, cells in parser.parse():
            if not cells:
                continue
            values = [None] * max(cell["column"] for cell in cells)
            for cell in cells:
                values[cell["column"] - 1] = cell["value"]
            yield number, tuple(values)
