"""File drops: encodings, structural defects, formats and idempotency, landed in PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
from ingest_support import (CODES, COLUMNS, NAMES, assert_conserved, csv_bytes, good_row, loads,
                      quarantined, raw_rows)

from ingest_connectors import file_drop
from ingest_connectors.file_drop import FileDropConnector, detect_encoding
from ingest_connectors.landing import land_feed


def land(conn, feed, tmp_path, **kwargs):
    return land_feed(feed, FileDropConnector(tmp_path, **kwargs), conn=conn)


@pytest.mark.parametrize("encoding, reported", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030"),
])
def test_encodings_are_detected_reported_and_decoded(conn, feed, drop, tmp_path, encoding, reported):
    rows = [good_row(i) for i in range(3)]
    if encoding != "gbk":
        rows[1][0] = "𠮷野家餐饮有限公司"  # outside GBK: four bytes in GB18030
    drop("T_20240301_1.csv", csv_bytes(NAMES, rows, encoding))

    result = land(conn, feed, tmp_path)

    assert result.rows_loaded == 3 and result.rows_quarantined == 0
    assert loads(conn)[0]["encoding"] == reported
    assert [r[0] for r in raw_rows(conn, feed, "subject_name")] == [r[0] for r in rows]
    assert_conserved(conn)


def test_undecodable_bytes_quarantine_the_row_not_the_file(conn, feed, drop, tmp_path):
    content = csv_bytes(NAMES, [good_row(1)])
    content += "黄石市坏字节公司".encode() + b"\xff\xfe" + ",x,y,2024/03/01,1,\r\n".encode()
    content += csv_bytes(NAMES, [good_row(3)]).split(b"\r\n", 1)[1]
    drop("T_20240301_1.csv", content)

    result = land(conn, feed, tmp_path)

    assert (result.rows_received, result.rows_loaded, result.rows_quarantined) == (3, 2, 1)
    [bad] = quarantined(conn)
    assert bad["row_number"] == 3 and bad["field"] == "行政相对人名称"
    assert "undecodable" in bad["reason"] and "\\xff\\xfe" in bad["reason"]
    assert bad["raw_text"].startswith("黄石市坏字节公司\\xff\\xfe,x,y")
    assert loads(conn)[0]["encoding"] == "utf-8"
    assert_conserved(conn)


def test_undecodable_bytes_in_a_gb18030_file(conn, feed, drop, tmp_path):
    rows = [good_row(i) for i in range(4)]
    content = csv_bytes(NAMES, rows, "gbk")
    lines = content.split(b"\r\n")
    lines[3] = lines[3].replace("黄石市".encode("gbk"), b"\x81\x20\xff", 1)  # invalid pair
    drop("T_20240301_1.csv", b"\r\n".join(lines))

    result = land(conn, feed, tmp_path)

    assert (result.rows_loaded, result.rows_quarantined) == (3, 1)
    [bad] = quarantined(conn)
    assert bad["row_number"] == 4 and "gb18030" in bad["reason"]
    assert_conserved(conn)


def test_detect_encoding_keeps_utf8_with_a_few_bad_bytes():
    text = ("行政相对人名称,决定书文号\n" + "黄石市某某有限公司,黄税罚〔2024〕1号\n" * 50).encode()
    assert detect_encoding(text + b"\xff")[0] == "utf-8"
    assert detect_encoding(text.decode().encode("gbk"))[0] == "gb18030"
    assert detect_encoding(b"\xef\xbb\xbf" + text)[0] == "utf-8-sig"


def test_empty_and_header_only_files_are_recorded_with_zero_rows(conn, feed, drop, tmp_path):
    drop("T_20240301_1.csv", b"")
    drop("T_20240301_2.csv", csv_bytes(NAMES, []))
    drop("T_20240301_3.json", b"[]")
    drop("T_20240301_4.jsonl", b"\n\n")  # (a second 0-byte file would be a duplicate)

    result = land(conn, feed, tmp_path)

    audit = {r["source"].rsplit("/", 1)[1]: r for r in loads(conn)}
    assert all(r["status"] == "loaded" and r["rows_received"] == 0 for r in audit.values())
    assert "empty file (0 bytes)" in audit["T_20240301_1.csv"]["message"]
    assert "header only" in audit["T_20240301_2.csv"]["message"]
    assert audit["T_20240301_3.json"]["message"] == "no rows"
    assert audit["T_20240301_4.jsonl"]["message"] == "no rows"
    assert result.sources_loaded == 4 and not result.failures
    assert_conserved(conn)


def test_missing_required_columns_are_reported(conn, feed, drop, tmp_path):
    header = [n for n in NAMES if n != "决定书文号"]
    drop("T_20240301_1.csv", csv_bytes(header, [[v for i, v in enumerate(good_row(1)) if i != 2]]))

    result = land(conn, feed, tmp_path)

    assert result.outcomes[0].missing_required == ("决定书文号 (decision_number)",)
    assert "missing required columns: 决定书文号 (decision_number)" in loads(conn)[0]["message"]
    assert result.rows_loaded == 1  # values are validated later, in the warehouse
    assert_conserved(conn)


def test_headers_match_by_name_code_or_column_after_normalising(conn, feed, drop, tmp_path):
    header = [" cf_xdr_mc ", "ＵＳＣＣ", "决定书文号", "CF_JDRQ", "罚款金额(万元)", "Remarks"]
    drop("T_20240301_1.csv", csv_bytes(header, [good_row(1)]))

    result = land(conn, feed, tmp_path)

    assert result.drift_columns == [] and result.rows_loaded == 1
    assert raw_rows(conn, feed, *COLUMNS) == [tuple(good_row(1))]


def test_unknown_columns_are_kept_in_overflow_and_reported_as_drift(conn, feed, drop, tmp_path):
    header = [*NAMES, "联系电话", "决定书文号"]  # an unknown column and a duplicate
    rows = [good_row(1) + ["0714-1234567", "重复"], good_row(2) + ["", ""]]
    drop("T_20240301_1.csv", csv_bytes(header, rows))

    result = land(conn, feed, tmp_path)

    assert result.drift_columns == ["决定书文号", "联系电话"]
    overflow = raw_rows(conn, feed, "_overflow")
    assert overflow == [({"联系电话": "0714-1234567", "决定书文号": "重复"},), (None,)]
    drift = conn.execute("select column_name, sample from audit.schema_drift order by 1").fetchall()
    assert drift == [("决定书文号", "重复"), ("联系电话", "0714-1234567")]
    assert_conserved(conn)


@pytest.mark.parametrize("quoted", [False, True], ids=["plain lines", "csv-parsed lines"])
def test_ragged_rows_and_a_truncated_last_line_are_quarantined_with_raw_text(
        conn, feed, drop, tmp_path, quoted):
    first = good_row(1)
    if quoted:  # a quoted value sends the file through the csv module instead of plain splitting
        first[5] = "甲,乙"
    content = csv_bytes(NAMES, [first])
    content += "多,了,字,段,的,行,X\r\n".encode()  # too many (line 3)
    content += "少,字段\r\n".encode()  # too few (line 4)
    content += (",".join(good_row(5)) + ",\r\n").encode()  # trailing empty field: fine (line 5)
    content += ",".join(good_row(6)).encode()[:25]  # truncated, no line end (line 6)
    drop("T_20240301_1.csv", content)

    result = land(conn, feed, tmp_path)

    assert (result.rows_received, result.rows_loaded, result.rows_quarantined) == (5, 2, 3)
    bad = {q["row_number"]: q for q in quarantined(conn)}
    assert "too many fields: 7, the header has 6" in bad[3]["reason"]
    assert bad[3]["raw_text"] == "多,了,字,段,的,行,X"
    assert "too few fields: 2" in bad[4]["reason"]
    assert "truncated last line" in bad[6]["reason"]
    assert bad[6]["raw_text"] == ",".join(good_row(6)).encode()[:25].decode("utf-8", "ignore")
    assert raw_rows(conn, feed, "_row_number", "remarks") == [(2, first[5]), (5, "")]
    assert_conserved(conn)


def test_defects_the_fast_path_cannot_see_are_caught_by_the_server_and_reparsed(
        conn, feed, drop, tmp_path):
    rows = [",".join(good_row(i)) for i in range(1, 6)]
    rows[1] += ",多一列"  # one field too many …
    rows[3] = rows[3].rsplit(",", 1)[0]  # … and one too few: the chunk's total is right
    rows[4] = rows[4].replace("0.2", "0.2\n碎片", 1)  # a bare LF in a CRLF file
    drop("T_20240301_1.csv", ("\r\n".join([",".join(NAMES), *rows]) + "\r\n").encode())

    result = land(conn, feed, tmp_path)

    bad = {q["row_number"]: q["reason"] for q in quarantined(conn)}
    assert "too many fields" in bad[3] and "too few fields" in bad[5]
    assert "too few fields" in bad[6] and "too few fields" in bad[7]
    assert [r[0] for r in raw_rows(conn, feed, "_row_number")] == [2, 4]
    assert result.rows_received == 6 and result.rows_loaded == 2
    assert_conserved(conn)


def test_an_unterminated_quote_at_the_end_is_quarantined(conn, feed, drop, tmp_path):
    content = csv_bytes(NAMES, [good_row(1)]) + '"黄石市未闭合引号公司,x,y,2024/03/01,1,'.encode()
    drop("T_20240301_1.csv", content)

    result = land(conn, feed, tmp_path)

    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    [bad] = quarantined(conn)
    assert "unterminated quoted field" in bad["reason"] and bad["row_number"] == 3


def test_sql_looking_text_embedded_newlines_and_escapes_land_verbatim(conn, feed, drop, tmp_path):
    nasty = [
        "x'); drop table raw.testing__penalty; --",
        'Robert"); delete from audit.load; --',
        "第一行\n第二行\r\n第三行",
        "tab\there \\N back\\slash \\. end",
        "\\N",
        "  padded  ",
    ]
    rows = [[v, *good_row(i)[1:]] for i, v in enumerate(nasty)]
    drop("T_20240301_1.csv", csv_bytes(NAMES, rows))

    result = land(conn, feed, tmp_path)

    assert result.rows_loaded == len(nasty) and result.rows_quarantined == 0
    assert [r[0] for r in raw_rows(conn, feed, "subject_name")] == nasty
    # the multi-line record starts on line 4 and the records after it keep their real lines
    assert [r[0] for r in raw_rows(conn, feed, "_row_number")] == [2, 3, 4, 7, 8, 9]
    assert_conserved(conn)


def test_nul_characters_quarantine_the_row(conn, feed, drop, tmp_path):
    rows = [good_row(1) + [""], [*good_row(2)[:5], "备注\x00含空字符", ""],
            good_row(3) + ["未知列\x00空字符"]]
    drop("T_20240301_1.csv", csv_bytes([*NAMES, "联系电话"], rows))

    result = land(conn, feed, tmp_path)

    assert (result.rows_loaded, result.rows_quarantined) == (1, 2)
    bad = {q["row_number"]: q for q in quarantined(conn)}
    assert bad[3]["field"] == "remarks" and "NUL" in bad[3]["reason"]
    assert "\\x00" in bad[3]["raw_text"]
    assert bad[4]["field"] == "_overflow" and "NUL" in bad[4]["reason"]
    assert_conserved(conn)


def test_xlsx_is_streamed_with_sheet_row_numbers(conn, feed, drop, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([])  # a blank first row is common in exports
    sheet.append(NAMES)
    sheet.append(["黄石市表格公司", "91420200MA4K000001", "黄税罚〔2024〕7号",
                  dt.datetime(2024, 3, 1), 0.2, None])
    sheet.append([])
    sheet.append(["黄石市整数公司", None, "黄税罚〔2024〕8号", 45352, 3, "备注"])
    sheet.append(["多余单元格", None, None, None, None, None, "溢出"])
    path = drop("T_20240301_1.xlsx", b"")
    workbook.save(path)

    result = land(conn, feed, tmp_path)

    assert (result.rows_received, result.rows_loaded, result.rows_quarantined) == (3, 2, 1)
    assert raw_rows(conn, feed, "_row_number", "subject_name", "decision_date", "fine_wan_yuan",
                    "remarks") == [(3, "黄石市表格公司", "2024-03-01", "0.2", None),
                                   (5, "黄石市整数公司", "45352", "3", "备注")]
    [bad] = quarantined(conn)
    assert bad["row_number"] == 6 and "too many cells" in bad["reason"]
    assert_conserved(conn)


def test_json_array_is_streamed_across_chunks_keyed_by_code(
        conn, feed, drop, tmp_path, monkeypatch):
    monkeypatch.setattr(file_drop, "CHUNK_BYTES", 7)  # every element spans several chunks
    items = [dict(zip(CODES, good_row(i))) for i in range(1, 6)]
    items[1]["CF_NR_FK"] = 0.20  # numbers are kept as written
    text = json.dumps(items, ensure_ascii=False, indent=1).replace("0.2,", "0.20,", 1)
    broken = text.replace('"CF_XDR_MC": "黄石市测试公司3"', '"CF_XDR_MC" "黄石市测试公司3"')
    broken = broken.replace('{\n  "CF_XDR_MC": "黄石市测试公司4"', '"不是对象",\n{\n  "CF_XDR_MC": "黄石市测试公司4"')
    drop("T_20240301_1.json", broken.encode("gb18030"))

    result = land(conn, feed, tmp_path)

    assert (result.rows_received, result.rows_loaded, result.rows_quarantined) == (6, 4, 2)
    names = [r[0] for r in raw_rows(conn, feed, "subject_name")]
    assert names == ["黄石市测试公司1", "黄石市测试公司2", "黄石市测试公司4", "黄石市测试公司5"]
    bad = {q["row_number"]: q for q in quarantined(conn)}
    assert "unparsable JSON element" in bad[3]["reason"] and "黄石市测试公司3" in bad[3]["raw_text"]
    assert "not an object" in bad[4]["reason"]
    assert loads(conn)[0]["encoding"] == "gb18030"
    assert raw_rows(conn, feed, "fine_wan_yuan")[1] == ("0.20",)
    assert_conserved(conn)


def test_truncated_json_array_quarantines_the_last_element(conn, feed, drop, tmp_path):
    items = [dict(zip(CODES, good_row(i))) for i in range(1, 4)]
    text = json.dumps(items, ensure_ascii=False)
    drop("T_20240301_1.json", text[: text.rindex("黄石市测试公司3") + 4].encode())

    result = land(conn, feed, tmp_path)

    assert (result.rows_loaded, result.rows_quarantined) == (2, 1)
    [bad] = quarantined(conn)
    assert bad["row_number"] == 3 and "truncated" in bad["reason"]
    assert "truncated JSON" in loads(conn)[0]["message"]


def test_json_that_is_not_an_array_fails_the_file_only(conn, feed, drop, tmp_path):
    drop("T_20240301_1.json", b'{"items": []}')
    drop("T_20240301_2.csv", csv_bytes(NAMES, [good_row(1)]))
    drop("T_20240301_3.txt", b"hello")
    drop("T_20240301_4.xlsx", b"not a zip file")

    result = land(conn, feed, tmp_path)

    failed = {s.rsplit("/", 1)[1]: m for s, m in result.failures}
    assert set(failed) == {"T_20240301_1.json", "T_20240301_3.txt", "T_20240301_4.xlsx"}
    assert "one array of objects" in failed["T_20240301_1.json"]
    assert "unsupported file type .txt" in failed["T_20240301_3.txt"]
    assert "not a readable XLSX" in failed["T_20240301_4.xlsx"]
    assert all(m.startswith(str(tmp_path)) for m in failed.values())  # messages name the file
    assert result.rows_loaded == 1
    assert_conserved(conn)


def test_jsonl_lines_keyed_by_chinese_names(conn, feed, drop, tmp_path):
    lines = [json.dumps(dict(zip(NAMES, good_row(i))), ensure_ascii=False) for i in range(1, 4)]
    content = (lines[0] + "\n\n").encode() + b'{"\xe8\xa1\x8c": "\xff"}\n' + (lines[1] + "\n").encode()
    content += b'["an", "array"]\n' + b"{not json}\n" + lines[2].encode()[:-3]
    drop("T_20240301_1.jsonl", content)

    result = land(conn, feed, tmp_path)

    assert (result.rows_received, result.rows_loaded, result.rows_quarantined) == (6, 2, 4)
    bad = {q["row_number"]: q["reason"] for q in quarantined(conn)}
    assert "undecodable" in bad[3] and "not an object" in bad[5] and "unparsable" in bad[6]
    assert "truncated last line" in bad[7]
    assert_conserved(conn)


def test_same_file_twice_loads_once_and_a_changed_file_loads_again(conn, feed, drop, tmp_path):
    path = drop("T_20240301_1.csv", csv_bytes(NAMES, [good_row(1), good_row(2)]))
    first = land(conn, feed, tmp_path)
    drop("T_20240302_1.csv", path.read_bytes())  # re-sent under another name
    again = land(conn, feed, tmp_path)

    assert first.rows_loaded == 2 and again.rows_loaded == 0
    assert len(again.skipped_duplicates) == 2  # the original and its copy, both already loaded
    assert len(raw_rows(conn, feed)) == 2

    path.write_bytes(csv_bytes(NAMES, [good_row(1), good_row(2), good_row(3)]))
    changed = land(conn, feed, tmp_path)

    assert changed.rows_loaded == 3 and len(changed.skipped_duplicates) == 1
    assert [r["status"] for r in loads(conn)] == ["loaded", "skipped", "skipped", "loaded",
                                                   "skipped"]
    assert_conserved(conn)


def test_a_large_json_array_is_read_without_holding_it(tmp_path, feed, drop, monkeypatch):
    import tracemalloc

    from ingest_connectors.base import Source, sha256_file

    monkeypatch.setattr(file_drop, "CHUNK_BYTES", 64 * 1024)
    item = json.dumps(dict(zip(CODES, good_row(1))), ensure_ascii=False)
    path = drop("T_20240301_1.json", ("[\n" + ",\n".join([item] * 30_000) + "\n]").encode())
    content_hash, size = sha256_file(path)
    source = Source(feed.key, str(path), "file_drop", size, content_hash)
    assert size > 4_000_000

    tracemalloc.start()
    with FileDropConnector(tmp_path).read(source) as records:
        count = sum(1 for _ in records.rows)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    assert count == 30_000
    assert peak < 1_000_000, f"peak {peak:,} bytes for a {size:,}-byte file"
