"""HTML format: the shared format suite, plus what the reader finds and how it writes it back."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from format_suite import DATA, FormatSuite, assert_codes_well_formed
from lxml import etree

from translate.document import CodeKind, Document, InlineCode, strip_codes
from translate.engines import create_engine
from translate.engines.base import TokenAlignment
from translate.errors import InputError
from translate.formats import detect_format
from translate.formats.html import HtmlFormat
from translate.formats.html_lexer import TokenKind, tokenize
from translate.inline import place_codes
from translate.nesting import nest_dangling
from translate.pipeline import translate_documents
from translate.segment import segment_document

FMT = HtmlFormat()
#: Attributes whose values are translated or switched: the shape compares their presence only.
TRANSLATED = {"alt", "title", "placeholder", "aria-label", "value", "label", "content", "lang", "xml:lang"}


def element_shape(data: bytes) -> list[tuple]:
    """The element tree as lxml's HTML parser builds it: (depth, tag, attributes) in document order."""
    root = etree.fromstring(data, etree.HTMLParser(encoding="utf-8", no_network=True))
    if root is None:
        return []
    shape = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions
        depth = sum(1 for _ in element.iterancestors())
        attributes = tuple(
            (name, "*" if name in TRANSLATED else value)
            for name, value in element.attrib.items()
            if not (element.tag == "html" and name == "lang")
        )
        shape.append((depth, element.tag, attributes))
    return shape


class TestHtmlSuite(FormatSuite):
    format_name = "html"
    extension = ".html"

    def shape(self, data: bytes) -> object:
        return element_shape(data)


def read(text: str, name: str = "berita.html") -> Document:
    return segment_document(FMT.read(text.encode("utf-8"), name))


def sources(document: Document) -> list[str]:
    return [strip_codes(s.source) for s in document.segments()]


def upper(document: Document) -> str:
    for segment in document.segments():
        segment.target = segment.source.upper()
    return FMT.write(document).decode("utf-8")


# --------------------------------------------------------------------------- the lexer


def test_tokens_cover_the_input_exactly() -> None:
    text = (DATA / "html" / "markup.html").read_text(encoding="utf-8")
    tokens = tokenize(text)
    assert "".join(text[t.start : t.end] for t in tokens) == text
    assert all(a.end == b.start for a, b in zip(tokens, tokens[1:], strict=False))


def test_lexer_keeps_quoted_gt_and_records_value_offsets() -> None:
    text = """<p data-x="1>0" title='a "b"' class=lead hidden>x</p>"""
    start = tokenize(text)[0]
    assert (start.kind, start.name, start.end) == (TokenKind.START, "p", text.index(">x") + 1)
    values = {a.name: (a.value, text[a.start : a.end], a.quote) for a in start.attributes}
    assert values["data-x"] == ("1>0", "1>0", '"')
    assert values["title"] == ('a "b"', 'a "b"', "'")
    assert values["class"] == ("lead", "lead", "")
    assert values["hidden"][0] is None


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("<!-- a --> b", ["comment", "text"]),
        ("<!--> b", ["comment", "text"]),
        ("<!-- a --!> b", ["comment", "text"]),
        ("<!--[if IE]><p>x</p><![endif]-->", ["comment"]),
        ("<?xml version='1.0'?><!DOCTYPE html>", ["bogus", "declaration"]),
        ("a < b</ x>c", ["text", "bogus", "text"]),
        ("<script>if (a<b) x = '</p>';</script>", ["start", "text", "end"]),
        ("<p class='open", ["bogus"]),
        ("x <", ["text"]),
    ],
)
def test_lexer_token_kinds(text: str, kinds: list[str]) -> None:
    assert [t.kind.value for t in tokenize(text)] == kinds


# --------------------------------------------------------------------------- blocks and codes


def test_blocks_kinds_and_inline_codes() -> None:
    document = read(
        "<html><head><title>Judul &amp; Berita</title></head><body>"
        "<h2>Sub<i>judul</i></h2><p>Harga <b>naik <i>tajam</i></b> hari ini.</p>"
        "<ul><li>Satu</li></ul><table><tr><td>Sel</td></tr></table><div>Teks bebas</div></body></html>"
    )
    kinds = ["title", "heading", "paragraph", "list_item", "table_cell", "div"]
    assert [b.kind for b in document.blocks] == kinds
    assert sources(document) == ["Judul & Berita", "Subjudul", "Harga naik tajam hari ini.", "Satu", "Sel",
                                 "Teks bebas"]
    paragraph = document.blocks[2]
    kinds = [(c.kind, c.data) for c in paragraph.codes.values()]
    assert kinds == [(CodeKind.OPEN, "<b>"), (CodeKind.OPEN, "<i>"), (CodeKind.CLOSE, "</i>"),
                     (CodeKind.CLOSE, "</b>")]


def test_entities_are_text_for_the_model_and_come_back_verbatim() -> None:
    text = "<p>Harga &mdash; Rp&nbsp;5.000 &amp; &#8220;murah&#8221;\n   sekali.</p>"
    document = read(text)
    assert sources(document) == ["Harga — Rp\xa05.000 & “murah” sekali."]
    assert FMT.write(document).decode() == text
    assert upper(document) == "<p>HARGA — RP&nbsp;5.000 &amp; “MURAH” SEKALI.</p>"


def test_skipped_elements_stay_untouched() -> None:
    text = (
        '<body><script type="application/ld+json">{"headline": "Berita"}</script>'
        "<style>p{}</style><pre>kode mentah</pre><template><p>Templat</p></template>"
        '<div translate="no">Nama Merek</div><noscript>Aktifkan skrip</noscript>'
        "<p>Lihat <code>x = 1</code> dan <span class='a notranslate'>Jernih.co</span> di sini.</p></body>"
    )
    document = read(text)
    assert sources(document) == ["Lihat  dan  di sini."]  # the codes stood between the spaces
    isolated = [c.data for c in document.blocks[0].codes.values() if c.kind is CodeKind.ISOLATED]
    assert isolated == ["<code>x = 1</code>", "<span class='a notranslate'>Jernih.co</span>"]
    out = upper(document)
    for kept in ('{"headline": "Berita"}', "kode mentah", "<p>Templat</p>", "Nama Merek", "Aktifkan skrip",
                 "<code>x = 1</code>", "Jernih.co"):
        assert kept in out


def test_attribute_blocks_are_escaped_for_their_quotes() -> None:
    text = (
        '<html lang="id"><head><meta name="description" content="Ringkasan berita">'
        "<meta property='og:description' content='Kata &quot;kunci&quot;'>"
        '<meta name="viewport" content="width=device-width"></head>'
        "<body><img src=a.jpg alt=Foto><input type=submit value='Kirim'><input type=text value=isi>"
        '<input placeholder="Cari"><button aria-label="Tutup menu">X</button>'
        '<link rel="alternate" title="Umpan RSS" href="/feed"></body></html>'
    )
    document = read(text)
    attributes = [strip_codes(b.source) for b in document.blocks if b.kind == "attribute"]
    assert attributes == ["Ringkasan berita", 'Kata "kunci"', "Foto", "Kirim", "Cari", "Tutup menu"]
    for block in document.blocks:
        for segment in block.segments:
            segment.target = segment.source + ' & "x\''
    out = FMT.write(document).decode()
    assert 'content="Ringkasan berita &amp; &quot;x\'"' in out
    assert "content='Kata \"kunci\" &amp; \"x&#39;'" in out
    assert 'alt="Foto &amp; &quot;x\'"' in out  # an unquoted value gets quotes when it changes
    assert 'content="width=device-width"' in out and 'title="Umpan RSS"' in out and "value=isi" in out


def test_attributes_of_tags_inside_a_sentence_are_translated_in_place() -> None:
    text = '<p>Baca <a href="/x" title="Laporan lengkap">laporan</a> dan <img src=a alt="Grafik"> ini.</p>'
    document = read(text)
    assert [b.kind for b in document.blocks] == ["paragraph", "attribute", "attribute"]
    assert [b.embedded for b in document.blocks] == [False, True, True]
    assert FMT.write(document).decode() == text
    assert upper(document) == (
        '<p>BACA <a href="/x" title="LAPORAN LENGKAP">LAPORAN</a> DAN <img src=a alt="GRAFIK"> INI.</p>'
    )


def test_lang_switches_only_when_something_was_translated() -> None:
    text = '<html lang="id"><head><meta property="og:locale" content="id_ID"></head><p>Halo dunia.</p></html>'
    document = read(text)
    assert FMT.write(document).decode() == text
    translate_documents([document], create_engine("copy"))
    assert FMT.write(document).decode() == text
    assert upper(document) == (
        '<html lang="en"><head><meta property="og:locale" content="en_US"></head><p>HALO DUNIA.</p></html>'
    )
    assert upper(read("<html><p>Halo dunia.</p></html>")) == '<html lang="en"><p>HALO DUNIA.</p></html>'


def test_malformed_markup_gives_isolated_codes() -> None:
    document = read("<p>Teks <b>tebal tanpa penutup.<p>Ada </i>tag liar. <b><i>x</b> y</i> z</p>")
    first, second = document.blocks
    assert [(c.kind, c.data) for c in first.codes.values()] == [(CodeKind.ISOLATED, "<b>")]
    kinds = [(c.kind, c.data) for c in second.codes.values()]
    assert kinds == [
        (CodeKind.ISOLATED, "</i>"),
        (CodeKind.OPEN, "<b>"),
        (CodeKind.ISOLATED, "<i>"),  # closed only by </b>'s end: stands alone
        (CodeKind.CLOSE, "</b>"),
        (CodeKind.ISOLATED, "</i>"),
    ]


def test_a_link_spanning_two_sentences_nests_after_translation(tiny_model_dir: Path) -> None:
    text = '<p>Kata <b>dia</b> <a href="/a">Presiden tiba. Warga <i>senang</i> sekali</a> hari itu.</p>'
    document = read(text)
    assert len(document.blocks[0].segments) == 2
    engine = create_engine("marian", model=str(tiny_model_dir), beam=2, max_length=16)
    translate_documents([document], engine)
    assert_codes_well_formed(document)
    out = FMT.write(document)
    assert element_shape(out) == element_shape(text.encode())


def test_nest_dangling_moves_codes_out_of_pairs() -> None:
    codes = {
        "\ue000": InlineCode("\ue000", CodeKind.OPEN, "<b>", "\ue001"),
        "\ue001": InlineCode("\ue001", CodeKind.CLOSE, "</b>", "\ue000"),
        "\ue002": InlineCode("\ue002", CodeKind.OPEN, "<a>", "\ue009"),  # closes in the next segment
        "\ue003": InlineCode("\ue003", CodeKind.CLOSE, "</i>", "\ue008"),  # opened in the previous one
    }
    order = ["\ue003", "\ue000", "\ue001", "\ue002"]
    assert nest_dangling("x \ue000a \ue002b\ue001 c", order, codes) == "x \ue002\ue000a b\ue001 c"
    assert nest_dangling("\ue000a \ue003b\ue001 c", order, codes) == "\ue000a b\ue001\ue003 c"
    # an open placed before a dangling close goes after it
    assert nest_dangling("\ue002a \ue003b", order, codes) == "a \ue003\ue002b"


def test_place_codes_never_crosses_a_dangling_code() -> None:
    codes = {
        "\ue000": InlineCode("\ue000", CodeKind.OPEN, "<b>", "\ue001"),
        "\ue001": InlineCode("\ue001", CodeKind.CLOSE, "</b>", "\ue000"),
        "\ue002": InlineCode("\ue002", CodeKind.OPEN, "<a>", "\ue009"),
    }
    # source "A B C": <b>A B</b> then <a> before C; target "c a b" aligned in reverse
    alignment = TokenAlignment([(0, 1), (2, 3), (4, 5)], [(0, 1), (2, 3), (4, 5)],
                               [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    target = place_codes("c a b", [(0, "\ue000"), (3, "\ue001"), (4, "\ue002")], codes, alignment)
    stack: list[str] = []
    for char in target:
        if char == "\ue000":
            stack.append(char)
        elif char == "\ue001":
            assert stack.pop() == "\ue000"
        elif char == "\ue002":
            assert not stack, f"dangling open inside a pair: {target!r}"


# --------------------------------------------------------------------------- bad input


def test_bad_input() -> None:
    with pytest.raises(InputError):
        FMT.read(b"<p>\xff\xfe</p>", "rusak.html")
    assert detect_format("berita.id.htm") == "html"
    empty = read("")
    assert empty.blocks == [] and FMT.write(empty) == b""


def test_mangled_pages_never_crash_and_round_trip() -> None:
    """Random cuts and insertions of markup characters: reading never fails, output stays as well-formed."""
    rng = random.Random(5)
    seeds = [p.read_text(encoding="utf-8") for p in sorted((DATA / "html").glob("*.html"))
             if ".pseudo." not in p.name]
    pieces = ["<", ">", "</", "<!--", "-->", '"', "'", "&", "&amp", "<b>", "</p>", "<p ", "=", "<script>"]
    for _ in range(150):
        text = rng.choice(seeds)
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(len(text) + 1)
            if rng.random() < 0.5:
                text = text[:at] + rng.choice(pieces) + text[at:]
            else:
                text = text[:at] + text[at + rng.randint(1, 40) :]
        document = read(text)
        assert FMT.write(document).decode() == text
        assert element_shape(upper(document).encode()) == element_shape(text.encode()), text


def test_segments_rewritten_by_the_localizer_are_found_and_written_as_text() -> None:
    from translate.localize import Localizer, protect_document

    text = "<p>Harga naik &mdash; kata dia.\n  Biaya Rp&nbsp;45&nbsp;juta &amp; lain-lain.</p>"
    document = read(text)
    protect_document(document, Localizer())
    first, second = document.blocks[0].segments
    assert second.source != "Biaya Rp\xa045\xa0juta & lain-lain."  # the quantity is a code now
    for segment in (first, second):
        segment.target = segment.source
    out = FMT.write(document).decode()
    assert out.startswith("<p>Harga naik &mdash; kata dia.\n  Biaya ")  # untouched text and gap verbatim
    assert "45" in out and "juta" not in out and out.endswith(" &amp; lain-lain.</p>")


WINDOWS_1252_PAGE = (
    '<!DOCTYPE html>\n<html lang="id"><head><meta http-equiv="Content-Type" content="text/html; '
    'charset=ISO-8859-1">\n<title>Banjir \x97 Bekasi</title></head>\n'
    '<body><p title="Foto \x93Antara\x94">Warga berkata \x93cukup\x94 \x96 air naik 50\xa0cm.</p>'
    '</body></html>\n'
).encode("latin-1")


def test_a_page_declared_latin1_is_read_as_windows_1252_and_written_back_in_it() -> None:
    document = segment_document(FMT.read(WINDOWS_1252_PAGE, "lama.html"))
    assert document.encoding == "cp1252"
    assert [strip_codes(s.source) for s in document.segments()] == [
        "Banjir — Bekasi", "Foto “Antara”", "Warga berkata “cukup” – air naik 50\xa0cm."]
    assert FMT.write(document) == WINDOWS_1252_PAGE  # untouched: byte for byte
    translate_documents([document], create_engine("pseudo"))
    written = FMT.write(document)
    assert b"charset=ISO-8859-1" in written and b"&#" in written  # "ĵ" is not in windows-1252
    root = etree.fromstring(written, etree.HTMLParser(encoding="cp1252", no_network=True))
    paragraph = root.find(".//p")
    assert paragraph.text.startswith("[Ŵåŕĝå") and "“" in paragraph.text  # references read back
    assert paragraph.get("title").startswith("[Föţö")


def test_undeclared_or_wrongly_declared_encodings_are_clear_errors() -> None:
    undeclared = WINDOWS_1252_PAGE.replace(b"charset=ISO-8859-1", b"x=y")
    with pytest.raises(InputError, match="not valid UTF-8") as error:
        FMT.read(undeclared, "lama.html")
    assert "<meta charset" in str(error.value) and "lama.html" in str(error.value)
    undefined = WINDOWS_1252_PAGE.replace(b"\x93cukup", b"\x81cukup")  # 0x81: no windows-1252 character
    with pytest.raises(InputError, match=r"not valid cp1252.*0x81.*line 4"):
        FMT.read(undefined, "lama.html")
    with pytest.raises(InputError, match="declares 'klingon', an unknown encoding"):
        FMT.read(WINDOWS_1252_PAGE.replace(b"ISO-8859-1", b"klingon"), "lama.html")
    # an unknown label on a UTF-8 page is ignored, as browsers do
    assert FMT.read('<meta charset="klingon"><p>Harga “naik”.</p>'.encode(), "x.html").blocks
    utf8 = '<meta charset="utf-8"><p>Harga “naik”.</p>'.encode()
    assert FMT.read(utf8, "baru.html").encoding is None


def test_og_locale_names_the_runs_locale() -> None:
    from translate.localize import Localizer
    from translate.pipeline import translate_text

    text = '<html lang="id"><head><meta property="og:locale" content="id_ID"></head><p>Halo dunia.</p></html>'
    pseudo = create_engine("pseudo")
    assert 'content="en_GB"' in translate_text(text, pseudo, "html", localizer=Localizer("en_GB"))
    assert 'content="en_AU"' in translate_text(text, pseudo, "html", localizer=Localizer("en-AU"))
    assert 'content="en_US"' in translate_text(text, pseudo, "html", localizer=Localizer("en"))
    assert 'content="en_US"' in translate_text(text, pseudo, "html")
