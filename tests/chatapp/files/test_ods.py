"""An .ods file's text, row by row, from spreadsheets built here as LibreOffice writes them."""

from __future__ import annotations

import io
import itertools

import pytest

from chatapp.files import ods
from chatapp.files.extraction import ODS, NoText, extract
from tests.chatapp.files.conftest import ods_bytes, ods_cell


def row(cells: str, repeated: int = 1) -> str:
    return f'<table:table-row table:number-rows-repeated="{repeated}">{cells}</table:table-row>'


def text_of(sheets: str) -> str:
    return "".join(ods.pieces(io.BytesIO(ods_bytes(sheets))))


def test_sheets_as_rows_of_their_displayed_text():
    number = ods_cell("1,200.50", 'office:value-type="float"', 'office:value="1200.5"')
    sales = (
        '<table:table table:name="Sales"><table:table-column table:number-columns-repeated="3"/>'
        f"<table:table-row>{ods_cell('north')}{number}</table:table-row>"
        f"<table:table-row>{ods_cell('south')}{ods_cell('7')}</table:table-row></table:table>"
    )
    notes = f'<table:table table:name="Notes">{row(ods_cell("ok"))}</table:table>'
    assert text_of(sales + notes) == "# Sales\nnorth,1,200.50\nsouth,7\n\n# Notes\nok\n"


def test_lo_padding_is_dropped_and_repeats_are_spelled_out():
    twice = ods_cell("x", 'table:number-columns-repeated="2"')
    padding = '<table:table-cell table:number-columns-repeated="16380"/>'
    sheet = (
        '<table:table table:name="S">'
        f"{row(twice + '<table:covered-table-cell/>' + ods_cell('y') + padding)}"
        f"{row(ods_cell('same'), 2)}"
        f"{row(padding, 1048570)}</table:table>"
    )
    assert text_of(sheet) == "# S\nx,x,,y\nsame\nsame\n"


def test_a_cells_spaces_tabs_breaks_and_spans_but_not_its_comment():
    cell = (
        "<table:table-cell><office:annotation><dc:creator>A</dc:creator>"
        "<text:p>a comment</text:p></office:annotation>"
        '<text:p>one<text:s text:c="3"/>two<text:tab/>three<text:line-break/>'
        "<text:span>four</text:span></text:p><text:p>five</text:p></table:table-cell>"
    )
    sheet = f'<table:table table:name="S">{row(cell)}</table:table>'
    assert text_of(sheet) == "# S\none   two\tthree\nfour\nfive\n"


def test_a_cell_without_displayed_text_shows_its_value():
    cells = (
        '<table:table-cell office:value-type="float" office:value="42"/>'
        '<table:table-cell office:value-type="date" office:date-value="2026-12-02"/>'
    )
    assert text_of(f'<table:table table:name="S">{row(cells)}</table:table>') == (
        "# S\n42,2026-12-02\n"
    )


def test_repeats_claimed_by_a_small_file_are_bounded_and_read_lazily():
    wide = ods_cell("x", 'table:number-columns-repeated="999999999"')
    sheet = f'<table:table table:name="S">{row(wide, 999_999_999)}</table:table>'

    rows = ods.pieces(io.BytesIO(ods_bytes(sheet)))
    first = list(itertools.islice(rows, 3))
    assert first[0] == "# S\n"
    assert first[1] == first[2] == ",".join(["x"] * ods.MAX_COLUMNS) + "\n"
    rows.close()


def test_a_row_is_at_most_max_row_chars():
    long = "y" * (ods.MAX_ROW_CHARS // 2)
    cells = ods_cell(long, 'table:number-columns-repeated="100"')
    line = text_of(f'<table:table table:name="S">{row(cells)}</table:table>').splitlines()[1]
    assert line.split(",") == [long] * 2  # the cell that passes the bound is the last


def test_reading_ends_after_the_xml_cap_with_the_rows_before_it():
    rows = "".join(row(ods_cell(f"row {n}")) for n in range(2000))
    data = ods_bytes(f'<table:table table:name="S">{rows}</table:table>')
    text = "".join(ods.pieces(io.BytesIO(data), xml_limit=20_000))
    lines = text.splitlines()
    assert lines[:3] == ["# S", "row 0", "row 1"] and 10 < len(lines) < 2000


def test_an_entity_bomb_is_refused():
    laughs = '<!DOCTYPE office:document-content [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
    sheet = f'<table:table table:name="S">{row(ods_cell("&b;"))}</table:table>'
    with pytest.raises(NoText, match="cannot be read"):
        extract(io.BytesIO(ods_bytes(sheet, prologue=laughs)), ODS, 1000)


def test_a_broken_spreadsheet_says_so():
    sheet = '<table:table table:name="S"><table:table-row>'  # never closed
    with pytest.raises(NoText, match="cannot be read"):
        extract(io.BytesIO(ods_bytes(sheet)), ODS, 1000)
