"""ingest_connectors.xlsx_rows gives, row for row, the values openpyxl's own read-only reader gives.

The fast path only replaces how plain inline strings are read and skips sizing the sheet; these
workbooks hold what departments send: Excel-style files (shared strings, numbers, dates by number
format, booleans, formulas, gaps), streamed files (inline strings, no <dimension>) and inline rich
text with phonetic runs.
"""

from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl
import pytest

from ingest_connectors.simulator import writers
from ingest_connectors.xlsx_rows import open_workbook, sheet_values


def _non_empty(numbered_rows) -> dict[int, tuple]:
    """{sheet row number: values} of the rows with a value, trailing empty cells dropped."""
    rows = {}
    for number, values in numbered_rows:
        values = list(values)
        while values and values[-1] is None:
            values.pop()
        if values:
            rows[number] = tuple(values)
    return rows


def _openpyxl_rows(path) -> dict[int, tuple]:
    """The rows as openpyxl's read-only iter_rows gives them."""
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return _non_empty(enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1))
    finally:
        workbook.close()


def _fast_rows(path) -> dict[int, tuple]:
    workbook = open_workbook(str(path))
    try:
        return _non_empty(sheet_values(workbook.worksheets[0]))
    finally:
        workbook.close()


def _excel_style(path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["名称", "金额", "日期", "是否", "备注"])
    sheet.append(["上海某某有限公司", 1200.5, dt.datetime(2026, 3, 1), True, None])
    sheet.append(["个体户 张三", 7, dt.date(2025, 12, 31), False, "  带空格  "])
    sheet["A6"] = "隔行"  # rows 4 and 5 missing
    sheet["E6"] = "=A6"    # a formula: no cached value, read as None with data_only
    sheet["C7"] = 45000
    sheet["C7"].number_format = "yyyy/mm/dd"  # a date by number format
    workbook.create_sheet("second")
    workbook.save(path)


def _streamed(path) -> None:
    out = writers.XlsxFile(path, ["统一社会信用代码", "名称", "数量"], numeric=[False, False, True])
    out.write(["91310000MA1FL0LX1N", "某某公司 & <Co>", "0012"])
    out.write(["", "只有名称", "3.50"])
    out.write(["", "", ""])
    out.write(["x", "", "1e5"])
    out.close()


_RICH_SHEET = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>标题</t></is></c><c r="C1" t="inlineStr"><is><t>第三列</t></is></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><r><t>富</t></r><r><rPr><b/></rPr><t xml:space="preserve">文本 </t></r>'
    '<rPh sb="0" eb="1"><t>フ</t></rPh></is></c>'
    '<c t="inlineStr"><is><t></t></is></c><c t="inlineStr"><is/></c></row>'
    '<row><c r="B3" t="inlineStr"><is><t xml:space="preserve"> 无行号 </t></is></c><c r="C3"><v>42</v></c></row>'
    '<row r="5"><c r="A5" t="b"><v>1</v></c><c r="B5" t="e"><v>#N/A</v></c><c r="C5" t="str"><v>公式结果</v></c></row>'
    '</sheetData></worksheet>'
)


def _rich_inline(path) -> None:
    _streamed(path)  # a valid package; its sheet is replaced below
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts["xl/worksheets/sheet1.xml"] = _RICH_SHEET.encode("utf-8")
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)


@pytest.mark.parametrize("build", [_excel_style, _streamed, _rich_inline], ids=lambda f: f.__name__.strip("_"))
def test_rows_equal_openpyxl(tmp_path, build):
    path = tmp_path / "book.xlsx"
    build(path)
    expected = _openpyxl_rows(path)
    assert expected  # the workbook has rows to compare
    assert _fast_rows(path) == expected


def test_inline_rich_text_is_its_plain_text_without_phonetic_runs(tmp_path):
    path = tmp_path / "rich.xlsx"
    _rich_inline(path)
    assert _fast_rows(path)[2] == ("富文本 ", "", "")


def test_sheet_without_dimension_is_not_sized(tmp_path):
    path = tmp_path / "streamed.xlsx"
    _streamed(path)
    sheet = open_workbook(str(path)).worksheets[0]
    assert sheet._max_row is None  # not parsed once just to size it
    assert [number for number, _ in sheet_values(sheet)] == [1, 2, 3, 5]
