"""Reading uploaded tables: encodings, delimiters, Excel, and refusing bad files clearly."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from consulta import tables as tabular
from consulta.tables import TableError, read_table

LIMIT = 1024 * 1024
TRICKY = "Café £5 – ‘quoted’"


def xlsx(*rows: list) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_it_reads_utf8_csv():
    table = read_table(f"name,note\nA,{TRICKY}\n".encode(), "people.csv", LIMIT)
    assert table.headers == ["name", "note"]
    assert table.rows[0].cells == {"name": "A", "note": TRICKY}
    assert table.rows[0].number == 2


def test_it_reads_utf8_with_bom():
    table = read_table(f"name,note\nA,{TRICKY}\n".encode("utf-8-sig"), "people.csv", LIMIT)
    assert table.headers == ["name", "note"]  # the BOM is not part of the first header
    assert table.rows[0].cells["note"] == TRICKY


def test_it_reads_cp1252():
    data = f"name,note\nA,{TRICKY}\n".encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the test data really is not UTF-8
    assert read_table(data, "people.csv", LIMIT).rows[0].cells["note"] == TRICKY


def test_it_reads_utf16_with_bom():
    data = f"name\tnote\r\nA\t{TRICKY}\r\n".encode("utf-16")
    table = read_table(data, "export.txt", LIMIT)
    assert table.rows[0].cells == {"name": "A", "note": TRICKY}


def test_it_refuses_bytes_in_no_known_encoding():
    # 0x81 and 0x8d are invalid as UTF-8 here and undefined in Windows-1252.
    with pytest.raises(TableError) as caught:
        read_table(b"name\n\x81\x8d\x90\n", "people.csv", LIMIT)
    assert "UTF-8" in caught.value.message
    assert "Windows-1252" in caught.value.message


def test_it_refuses_a_50_mb_file_without_parsing(monkeypatch):
    def must_not_parse(*args, **kwargs):
        raise AssertionError("parsed an oversized file")

    monkeypatch.setattr(tabular, "_decode", must_not_parse)
    monkeypatch.setattr(tabular, "_xlsx_rows", must_not_parse)
    data = b"a" * (50 * 1024 * 1024)
    for filename in ("big.csv", "big.xlsx"):
        with pytest.raises(TableError) as caught:
            read_table(data, filename, 20 * 1024 * 1024)
        assert "50 MB" in caught.value.message
        assert "20 MB" in caught.value.message


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_it_sniffs_the_delimiter(delimiter):
    data = delimiter.join(["name", "note", "sector"]) + "\n"
    data += delimiter.join(["A", '"one, two; three"', "public"]) + "\n"
    table = read_table(data.encode(), "people.csv", LIMIT)
    assert table.headers == ["name", "note", "sector"]
    assert table.rows[0].cells["note"] == "one, two; three"


def test_it_keeps_formula_like_values_as_text_in_csv():
    data = b'a,b,c,d\n=1+1,+44 20,-5,@SUM(A1)\n'
    cells = read_table(data, "x.csv", LIMIT).rows[0].cells
    assert cells == {"a": "=1+1", "b": "+44 20", "c": "-5", "d": "@SUM(A1)"}


def test_it_keeps_xlsx_formulas_and_text_verbatim():
    data = xlsx(["formula", "phone", "minus", "at", "number", "blank"],
                ["=1+1", "+44 20", "-5", "@SUM(A1)", 42, None])
    table = read_table(data, "answers.xlsx", LIMIT)
    assert table.rows[0].cells == {
        "formula": "=1+1", "phone": "+44 20", "minus": "-5", "at": "@SUM(A1)",
        "number": "42", "blank": "",
    }


def test_it_never_returns_a_cached_formula_result():
    book = openpyxl.Workbook()
    book.active.append(["total"])
    book.active["A2"] = "=SUM(B1:B3)"
    buffer = io.BytesIO()
    book.save(buffer)
    assert read_table(buffer.getvalue(), "t.xlsx", LIMIT).rows[0].cells["total"] == "=SUM(B1:B3)"


def test_it_refuses_a_corrupt_workbook():
    with pytest.raises(TableError) as caught:
        read_table(b"PK\x03\x04 this is not really a zip", "broken.xlsx", LIMIT)
    assert "Excel" in caught.value.message


def test_it_refuses_a_zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(TableError):
        read_table(buffer.getvalue(), "notes.xlsx", LIMIT)


def test_it_skips_and_counts_empty_rows_keeping_row_numbers():
    data = b"name,sector\nA,public\n,\n\n  ,  \nB,private\n"
    table = read_table(data, "x.csv", LIMIT)
    assert [(row.number, row.cells["name"]) for row in table.rows] == [(2, "A"), (6, "B")]
    assert table.skipped_empty_rows == 3


def test_it_skips_empty_rows_in_a_workbook():
    table = read_table(xlsx(["name"], ["A"], [None], ["B"]), "x.xlsx", LIMIT)
    assert [(row.number, row.cells["name"]) for row in table.rows] == [(2, "A"), (4, "B")]
    assert table.skipped_empty_rows == 1


def test_it_refuses_an_unclosed_quote():
    with pytest.raises(TableError) as caught:
        read_table(b'name,note\nA,"never closed\nB,x\n', "x.csv", LIMIT)
    assert "line" in caught.value.message


def test_it_refuses_nul_bytes_naming_the_line():
    with pytest.raises(TableError) as caught:
        read_table(b"name,note\nA,x\nB,y\x00z\n", "x.csv", LIMIT)
    assert "Line 3" in caught.value.message


def test_it_refuses_duplicate_headers():
    with pytest.raises(TableError) as caught:
        read_table(b"name,email,name\nA,a@example.org,B\n", "x.csv", LIMIT)
    assert "“name”" in caught.value.message


def test_it_refuses_an_empty_header_between_named_ones():
    with pytest.raises(TableError) as caught:
        read_table(b"name,,email\nA,x,a@example.org\n", "x.csv", LIMIT)
    assert "Column 2" in caught.value.message


def test_it_ignores_blank_trailing_header_cells_with_nothing_under_them():
    table = read_table(b"name,email,\nA,a@example.org,\n", "x.csv", LIMIT)
    assert table.headers == ["name", "email"]


def test_it_refuses_a_row_longer_than_the_header():
    with pytest.raises(TableError) as caught:
        read_table(b"name,email\nA,a@example.org\nB,b@example.org,surprise\n", "x.csv", LIMIT)
    assert "Row 3" in caught.value.message


def test_it_pads_short_rows_and_strips_headers():
    table = read_table(b" name , email \nA\n", "x.csv", LIMIT)
    assert table.headers == ["name", "email"]
    assert table.rows[0].cells == {"name": "A", "email": ""}


def test_it_refuses_an_empty_file_and_an_empty_header_row():
    with pytest.raises(TableError):
        read_table(b"", "x.csv", LIMIT)
    with pytest.raises(TableError):
        read_table(b",,\nA,B,C\n", "x.csv", LIMIT)


def test_it_keeps_numbers_as_text_in_csv():
    table = read_table(b"code,amount\n007,1.50\n", "x.csv", LIMIT)
    assert table.rows[0].cells == {"code": "007", "amount": "1.50"}


def test_it_reads_multiline_cells_as_one_spreadsheet_row():
    table = read_table(b'name,note\nA,"line one\nline two"\nB,x\n', "x.csv", LIMIT)
    assert table.rows[0].cells["note"] == "line one\nline two"
    assert [row.number for row in table.rows] == [2, 3]
