"""The encoding of an HTML page: the WHATWG prescan of its first 1024 bytes, labels, binary input."""

from __future__ import annotations

import pytest

from translate.errors import InputError
from translate.formats.html import HtmlFormat
from translate.formats.html_charset import declared_encoding

FMT = HtmlFormat()


@pytest.mark.parametrize(
    ("head", "encoding"),
    [
        ('<meta charset="iso-8859-1">', "windows-1252"),
        ("<META CHARSET=Latin1>", "windows-1252"),
        ('<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">', "windows-1252"),
        ("<meta content='text/html;charset=\"koi8-r\"' http-equiv=content-type>", "koi8-r"),
        ('<meta charset="utf-8">', "utf-8"),
        ('<meta charset="utf-16le">', "utf-8"),  # a page readable as ASCII is not UTF-16
        ('<meta charset="x-user-defined">', "windows-1252"),
        # not declarations: a comment, another attribute, content without http-equiv, an unknown label
        ('<!-- <meta charset="iso-8859-1"> -->', None),
        ('<meta name="x" data-charset="iso-8859-1">', None),
        ('<meta content="text/html; charset=iso-8859-1">', None),
        ('<meta charset="klingon">', None),
        ('<div title="<meta charset=iso-8859-1>">', None),
        # the first declaration wins; a comment or an unknown label before it is skipped
        ('<!-- <meta charset="iso-8859-1"> --><meta charset="utf-8">', "utf-8"),
        ('<meta charset="klingon"><meta charset="koi8-r">', "koi8-r"),
        ('<meta charset="iso-8859-2"><meta charset="koi8-r">', "iso-8859-2"),
    ],
)
def test_the_prescan_finds_what_a_browser_finds(head: str, encoding: str | None) -> None:
    assert declared_encoding(f"<!DOCTYPE html>{head}<p>Teks</p>".encode()) == encoding


def test_a_declaration_in_a_comment_is_no_declaration() -> None:
    page = '<!-- <meta charset="iso-8859-1"> -->\n<meta charset="utf-8"><p>Kafe é</p>'.encode()
    document = FMT.read(page, "kafe.html")
    assert document.encoding is None
    assert FMT.write(document) == page


def test_x_user_defined_is_read_as_windows_1252() -> None:
    page = '<meta charset="x-user-defined"><p>Harga \x93naik\x94</p>'.encode("latin-1")
    document = FMT.read(page, "lama.html")
    assert document.encoding == "cp1252"
    assert FMT.write(document) == page


@pytest.mark.parametrize("label", ["iso-2022-kr", "hz-gb-2312", "csiso2022kr", "ISO-2022-CN"])
def test_a_replacement_encoding_is_refused_in_one_line(label: str) -> None:
    with pytest.raises(InputError) as error:
        FMT.read(f'<meta charset="{label}"><p>Teks</p>'.encode(), "korea.html")
    message = str(error.value)
    assert "\n" not in message and "korea.html" in message and label.lower() in message and "UTF-8" in message


@pytest.mark.parametrize("head", ['<meta charset="windows-1252">', '<meta charset="koi8-r">', ""])
def test_binary_input_is_refused_whatever_it_declares(head: str) -> None:
    with pytest.raises(InputError, match="binary"):
        FMT.read(f"{head}<p>Teks</p>".encode() + b"\x00\x01\x02\xff", "gambar.html")
