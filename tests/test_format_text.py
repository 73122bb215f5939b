"""Plain-text reader/writer: blocks, whitespace and line endings preserved exactly."""

from __future__ import annotations

import re

import pytest
from format_suite import FormatSuite

from translate.document import CodeKind
from translate.formats.text import TextFormat

FMT = TextFormat()

ROUND_TRIP = [
    b"",
    b"satu baris tanpa akhir baris",
    b"Judul Berita\n\nParagraf pertama. Kalimat kedua.\n",
    b"Judul\r\n\r\nBaris dengan CRLF.\r\nBaris kedua.\r\n",
    b"Mac lama\rbaris kedua\r",
    b"\xef\xbb\xbfDengan BOM di awal.\n",
    b"  indentasi di depan\n\ttab juga  \n\n\n\n",
    b"spasi di akhir   \n   \n",
    b"Baca Juga:\n\xe2\x80\x94 Judul terkait satu\n\xe2\x80\x94 Judul terkait dua\n",
    b"Kunjungi https://contoh.id/berita?id=3 atau surel redaksi@contoh.id.\n",
    "karakter \ue000 pribadi tetap utuh\n".encode(),
    b"Paragraf yang dibungkus pada kolom tujuh puluh dua karakter supaya\n"
    b"lebih mudah dibaca di terminal, lalu selesai di baris kedua.\n",
]


@pytest.mark.parametrize("data", ROUND_TRIP)
def test_identity_round_trip_is_byte_for_byte(data: bytes) -> None:
    assert FMT.write(FMT.read(data, "x.txt")) == data


def _sources(data: bytes) -> list[str]:
    return [b.source for b in FMT.read(data, "x.txt").blocks]


def test_blank_lines_separate_paragraphs_and_short_lines_are_blocks() -> None:
    data = "Site icon Contoh\n\nJudul Berita Hari Ini\n\nBaca Juga:\n— Satu\n— Dua\n".encode()
    assert _sources(data) == ["Site icon Contoh", "Judul Berita Hari Ini", "Baca Juga:", "— Satu", "— Dua"]


def test_hard_wrapped_paragraph_is_one_block_with_its_line_break() -> None:
    data = (
        b"Paragraf yang dibungkus pada kolom tujuh puluh dua karakter supaya\r\n"
        b"lebih mudah dibaca. Kalimat berikutnya.\r\n\r\nBerikutnya.\r\n"
    )
    blocks = FMT.read(data, "x.txt").blocks
    assert len(blocks) == 2
    assert "\r\n" in blocks[0].source


def test_lines_ending_a_sentence_are_not_joined() -> None:
    data = b"Ini adalah paragraf pertama yang cukup panjang untuk diuji.\nIni paragraf kedua.\n"
    assert len(_sources(data)) == 2


def test_headline_is_marked_heading() -> None:
    blocks = FMT.read(b"Banjir Melanda Bekasi\n\nHujan turun sejak pagi.\n", "x.txt").blocks
    assert [b.kind for b in blocks] == ["heading", "paragraph"]


def test_urls_and_emails_become_isolated_codes() -> None:
    block = FMT.read(b"Lihat https://contoh.id/a. Surel: tim@contoh.id\n", "x.txt").blocks[0]
    codes = list(block.codes.values())
    assert [c.data for c in codes] == ["https://contoh.id/a", "tim@contoh.id"]
    assert all(c.kind is CodeKind.ISOLATED for c in codes)
    assert "https" not in block.source


def test_written_target_replaces_only_the_blocks() -> None:
    document = FMT.read(b"Judul\r\n\r\n  Kalimat satu.  \r\n", "x.txt")
    for block in document.blocks:
        for segment in block.segments:
            segment.target = segment.source.upper()
    assert FMT.write(document) == b"JUDUL\r\n\r\n  KALIMAT SATU.  \r\n"


class TestTextFormatSuite(FormatSuite):
    format_name = "text"
    extension = ".txt"

    def shape(self, data: bytes) -> object:
        """Paragraphs and line-ending style: a line's punctuation may change in translation,
        and with it whether the reader joins it to the next line, but paragraphs may not."""
        lf = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        paragraphs = re.split(rb"\n[ \t]*\n", lf.strip())
        return len(paragraphs), b"\r\n" in data, data.startswith(b"\xef\xbb\xbf")
