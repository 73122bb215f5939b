"""Markdown format: byte-identical round trips, what the translator sees, and changed output."""

from __future__ import annotations

import html
import random
from collections.abc import Callable

import pytest
import yaml
from format_suite import DATA, FormatSuite
from markdown_it import MarkdownIt

from translate.document import CodeKind, Document, strip_codes
from translate.engines import create_engine
from translate.errors import InputError
from translate.formats import detect_format, get_format
from translate.formats.markdown import MarkdownFormat
from translate.localize import Localizer
from translate.pipeline import translate_text

try:
    import tomllib
except ImportError:  # Python 3.10: TOML front matter stays skeleton
    tomllib = None

FMT = MarkdownFormat()
needs_tomllib = pytest.mark.skipif(tomllib is None, reason="no tomllib before Python 3.11")


def read(text: str | bytes, name: str = "berita.md") -> Document:
    return FMT.read(text.encode("utf-8") if isinstance(text, str) else text, name)


def plain_texts(document: Document) -> list[str]:
    """What a translator sees: every segment's source with the code characters removed."""
    return [strip_codes(segment.source) for segment in document.segments()]


def upper_cased(document: Document) -> str:
    """Simulate a translation: upper-case every segment (code characters are unaffected)."""
    for segment in document.segments():
        segment.target = segment.source.upper()
    return FMT.write(document).decode("utf-8")


# --------------------------------------------------------------------------- round trips

ROUND_TRIPS: dict[str, str] = {
    "paragraphs": "Presiden meninjau lokasi banjir.\n\nWarga mengungsi ke balai desa.\n",
    "atx_headings": "# Judul Utama\n\n## Subjudul dengan penutup ##\n\n###### Kecil\n\n#\n\n#Bukan judul\n",
    "setext_headings": "Judul Pertama\n=============\n\nJudul kedua\nyang panjang\n---\n",
    "emphasis": "Harga *beras* naik, **cabai** turun, _gula_ __tetap__, ***campur*** dan ~~salah~~.\n",
    "links": (
        'Lihat [laporan](https://contoh.id/a "Judul laporan") dan [peta][p] serta [p] atau [p][].\n\n'
        "[p]: https://peta.contoh.id 'Peta'\n"
    ),
    "images": "![Foto *banjir* di Bogor](gambar/banjir.jpg \"Banjir\")\n\n[![logo](logo.png)](https://contoh.id)\n",
    "inline_code_html_entities": (
        "Jalankan `pip install x` atau ``kode ` aneh``; <abbr title=\"x\">BPBD</abbr>"
        " &amp; &copy; &#169; \\*.\n"
    ),
    "autolinks_and_bare_urls": (
        "Kunjungi <https://contoh.id>, <redaksi@contoh.id> atau https://bpbd.contoh.id/x?a=1.\n"
    ),
    "hard_breaks": "Baris satu  \nbaris dua\\\nbaris tiga\t\nbaris empat\n",
    "code_blocks": (
        "```python\nprint('halo')\n```\n\n~~~\nteks mentah\n~~~\n\n    kode menjorok\n    lagi\n\nSelesai.\n"
    ),
    "html_block": '<div class="iklan">\n<p>Iklan</p>\n</div>\n\n<!-- komentar -->\nParagraf.\n',
    "front_matter": "---\njudul: Banjir\ntanggal: 2024-01-02\n---\n\n# Banjir\n\nIsi berita.\n",
    "thematic_breaks": "Awal\n\n---\n\n***\n\n_ _ _\n\nAkhir\n",
    "nested_lists": (
        "- Butir satu\n  lanjutan butir\n  - Sub butir *penting*\n    1. Nomor satu\n    2. Nomor dua\n"
        "- Butir dua\n\n  Paragraf kedua butir dua.\n\n3) Daftar baru\n+ Plus\n"
    ),
    "blockquote_lazy": (
        "> Kutipan pejabat\n> yang panjang\ndengan lanjutan malas.\n>\n> > Kutipan bersarang\n> > - daftar\n"
    ),
    "table": (
        "| Kota | Curah hujan | Sumber |\n|:-----|------------:|:------:|\n"
        "| Bogor | `120 mm` | [BMKG](https://bmkg.go.id) |\n| Depok \\| Kota | 90 mm |\n"
        "Tanpa pipa | sel\n\nSetelah.\n"
    ),
    "table_in_blockquote": "> | Nama | Jabatan |\n> |---|---|\n> | Budi | Camat |\n",
    "crlf": (
        "# Judul\r\n\r\nBaris satu\r\nbaris dua  \r\nbaris tiga\r\n\r\n> kutip\r\n> lanjut\r\n\r\n"
        "| a | b |\r\n|---|---|\r\n| c | d |\r\n"
    ),
    "lone_cr": "Baris satu\rbaris dua\r\r- butir\r",
    "no_trailing_newline": "Paragraf tanpa baris baru di akhir",
    "empty": "",
    "blank_lines_only": "\n\n   \n\t\n",
    "trailing_spaces_and_tabs": "Kalimat\tdengan tab.   \n\n\t- butir\t \n   Akhir.  ",
    "malformed": (
        "Tidak **ditutup dan [kurung tak berpasangan dan `tanda petik\n\n```\nblok kode tak ditutup\n"
    ),
    "brackets_and_stars": "a * b ** c [ ] ( ) ![ ]( <tag [x](<y z>) _x* *x_ \\\n",
    "unicode_blanks": "\u00a0\nParagraf\u2003\n\u2003\n> \u2003\nlagi\u00a0\n",
    "private_use_chars": "Simbol \ue000 dan \uf8ff di teks, `\ue001` dalam kode.\n",
    "multiline_spans_in_quote": (
        '> Baca [berita\n> ini](https://a.id\n> "judul") dan `kode\n> panjang`'
        ' serta <span\n> class="x">teks</span>.\n'
    ),
    "heading_in_containers": "> # Judul kutipan\n\n- ## Judul butir\n\n1. Judul\n   ===\n",
}


@pytest.mark.parametrize("source", list(ROUND_TRIPS.values()), ids=list(ROUND_TRIPS))
def test_round_trip_is_byte_identical(source: str) -> None:
    data = source.encode("utf-8")
    document = FMT.read(data, "x.md")
    assert document.render(target=False) == source
    assert FMT.write(document) == data


def test_round_trip_with_bom() -> None:
    data = b"\xef\xbb\xbf# Judul\r\n\r\nIsi berita.\r\n"
    document = FMT.read(data, "x.md")
    assert document.bom
    assert FMT.write(document) == data
    assert plain_texts(document) == ["Judul", "Isi berita."]


def test_round_trip_of_random_markup_soup() -> None:
    """Seeded random mixes of Markdown fragments: the reader's own safety check must never fire."""
    fragments = [
        "*", "**", "_", "`", "[", "]", "(", ")", "![", "](", "<", ">", "\\", "|", "-", "# ", " ", "\t",
        "\n", "\n", "\r\n", "> ", "- ", "1. ", "kata", "https://x.id/a_b", "&amp;", "~~", "---", "===",
        "```", "    ", "<b>", "\u00a0", "\ue000", "[r]: /u", "[r]", "\"t\"", "<https://a.id>", "\\|",
        "|---|", "| a |", "\\\n", "  \n",
    ]  # fmt: skip
    rng = random.Random(20240101)
    for _ in range(400):
        source = "".join(rng.choice(fragments) for _ in range(rng.randint(0, 30)))
        document = FMT.read(source.encode("utf-8"), "acak.md")
        for segment in document.segments():
            segment.target = segment.source.upper()
        FMT.write(document)  # writing a changed document never fails either
        for segment in document.segments():
            segment.target = None
        assert FMT.write(document) == source.encode("utf-8"), repr(source)


# --------------------------------------------------------------------------- blocks and codes


def test_paragraph_with_bold_and_link_codes() -> None:
    document = read("Harga **beras** naik, lihat [data BPS](http://x) hari ini.\n")
    [block] = document.blocks
    assert block.kind == "paragraph"
    codes = list(block.codes.values())
    assert [(c.kind, c.data, c.name) for c in codes] == [
        (CodeKind.OPEN, "**", "strong"),
        (CodeKind.CLOSE, "**", "strong"),
        (CodeKind.OPEN, "[", "link"),
        (CodeKind.CLOSE, "](http://x)", "link"),
    ]
    assert codes[0].pair == codes[1].char and codes[1].pair == codes[0].char
    assert codes[2].pair == codes[3].char
    c = [code.char for code in codes]
    assert block.source == f"Harga {c[0]}beras{c[1]} naik, lihat {c[2]}data BPS{c[3]} hari ini."
    assert plain_texts(document) == ["Harga beras naik, lihat data BPS hari ini."]
    [segment] = block.segments
    assert str(segment.id) == "berita.md#0.0"


def test_block_kinds() -> None:
    source = (
        "# Judul\n\nParagraf.\n\n- Butir daftar\n\n> Kutipan\n\nSetext\n---\n\n"
        "| Kolom |\n|---|\n| Sel |\n"
    )
    document = read(source)
    assert [(b.kind, strip_codes(b.source)) for b in document.blocks] == [
        ("heading", "Judul"),
        ("paragraph", "Paragraf."),
        ("list_item", "Butir daftar"),
        ("blockquote", "Kutipan"),
        ("heading", "Setext"),
        ("table_cell", "Kolom"),
        ("table_cell", "Sel"),
    ]
    assert [b.index for b in document.blocks] == list(range(7))


def test_skeleton_keeps_markers_prefixes_and_pipes() -> None:
    document = read("## Judul ##\n\n> - Butir\n\n| A | B |\n|---|---|\n")
    skeleton = [part for part in document.parts if isinstance(part, str)]
    assert skeleton == ["## ", " ##\n\n> - ", "\n\n| ", " | ", " |\n|---|---|\n"]


def test_code_urls_html_and_front_matter_give_no_translatable_text() -> None:
    source = (
        "---\njudul: Rahasia\n---\n\n"
        "```\nkode_pagar tidak diterjemahkan\n```\n\n"
        "    kode_menjorok juga tidak\n\n"
        '<div class="iklan">iklan_html</div>\n\n'
        "https://contoh.id/berita\n\n"
        "<https://autolink.id>\n\n"
        "Pakai `perintah_kode` di https://situs.id/jalan_a sekarang &amp; nanti.\n"
    )
    document = read(source)
    texts = plain_texts(document)
    assert texts == ["Pakai  di  sekarang  nanti."]
    joined = " ".join(texts)
    hidden = ["Rahasia", "kode_pagar", "kode_menjorok", "iklan_html", "contoh.id", "autolink"]
    for text in [*hidden, "perintah_kode", "situs.id", "&amp;"]:
        assert text not in joined
    [block] = document.blocks
    names = sorted(code.name for code in block.codes.values())
    assert names == ["code", "entity", "url"]
    assert document.front_matter == "yaml"


def test_blockquote_continuation_is_one_isolated_linebreak_code() -> None:
    document = read("> Warga diminta\n> tetap tenang.\n")
    [block] = document.blocks
    [code] = block.codes.values()
    assert (code.kind, code.data, code.name) == (CodeKind.ISOLATED, "\n> ", "linebreak")
    assert block.source == f"Warga diminta{code.char}tetap tenang."


def test_list_continuation_indent_is_whitespace_text() -> None:
    document = read("- Jalan ditutup\r\n  sampai sore.\r\n")
    [block] = document.blocks
    assert block.codes == {}
    assert block.source == "Jalan ditutup\r\n  sampai sore."


def test_hard_breaks_escapes_and_autolinks_are_isolated() -> None:
    document = read("Satu  \ndua\\\ntiga \\* <https://a.id> <b>x</b>\n")
    [block] = document.blocks
    found = [(c.kind, c.data, c.name) for c in block.codes.values()]
    assert found == [
        (CodeKind.ISOLATED, "  \n", "hardbreak"),
        (CodeKind.ISOLATED, "\\\n", "hardbreak"),
        (CodeKind.ISOLATED, "\\*", "escape"),
        (CodeKind.ISOLATED, "<https://a.id>", "autolink"),
        (CodeKind.ISOLATED, "<b>", "html"),
        (CodeKind.ISOLATED, "</b>", "html"),
    ]


def test_table_cells_and_escaped_pipe() -> None:
    document = read("| Kota | Catatan |\n|---|---|\n| `Bogor` | hujan \\| angin |\n")
    cells = document.blocks
    assert [b.kind for b in cells] == ["table_cell"] * 3  # the `Bogor` cell is only code: skeleton
    assert plain_texts(document) == ["Kota", "Catatan", "hujan  angin"]
    [pipe] = cells[2].codes.values()
    assert (pipe.kind, pipe.data) == (CodeKind.ISOLATED, "\\|")


def test_image_alt_text_is_translatable() -> None:
    document = read('![Foto banjir](a.jpg "judul")\n')
    [block] = document.blocks
    opener, closer = block.codes.values()
    assert (opener.kind, opener.data, opener.name) == (CodeKind.OPEN, "![", "image")
    assert (closer.kind, closer.data) == (CodeKind.CLOSE, '](a.jpg "judul")')
    assert plain_texts(document) == ["Foto banjir"]


def test_unclosed_markup_stays_text_and_round_trips() -> None:
    source = "Tidak **ditutup dan [kurung\n"
    document = read(source)
    assert plain_texts(document) == ["Tidak **ditutup dan [kurung"]
    assert FMT.write(document) == source.encode()


# --------------------------------------------------------------------------- changed output

CHANGED_SOURCE = """\
---
judul: Banjir di Bogor
---

# Banjir melanda *Bogor*

Hujan deras sejak **Senin** malam, lihat [laporan lengkap](https://contoh.id/banjir "Laporan") \
atau https://bpbd.contoh.id.

![foto banjir](gambar/banjir.jpg)

> Warga diminta tetap
> tenang &amp; waspada.

- Jalan `Sudirman` ditutup
- Sekolah libur

| Kota | Curah hujan |
|------|------------:|
| Bogor | `120 mm` |
| [Depok](https://depok.id) | 90 mm |

```python
print("jangan diterjemahkan")
```

<div class="iklan">iklan</div>
"""

CHANGED_EXPECTED = """\
---
judul: Banjir di Bogor
---

# BANJIR MELANDA *BOGOR*

HUJAN DERAS SEJAK **SENIN** MALAM, LIHAT [LAPORAN LENGKAP](https://contoh.id/banjir "Laporan") \
ATAU https://bpbd.contoh.id.

![FOTO BANJIR](gambar/banjir.jpg)

> WARGA DIMINTA TETAP
> TENANG &amp; WASPADA.

- JALAN `Sudirman` DITUTUP
- SEKOLAH LIBUR

| KOTA | CURAH HUJAN |
|------|------------:|
| BOGOR | `120 mm` |
| [DEPOK](https://depok.id) | 90 MM |

```python
print("jangan diterjemahkan")
```

<div class="iklan">iklan</div>
"""


def test_changed_output_upper_cases_only_text() -> None:
    assert upper_cased(read(CHANGED_SOURCE)) == CHANGED_EXPECTED


def test_changed_output_keeps_crlf_and_bom() -> None:
    data = b"\xef\xbb\xbf## Judul\r\n\r\nBaris satu\r\nbaris dua\r\n"
    document = FMT.read(data, "x.md")
    upper_cased(document)
    assert FMT.write(document) == b"\xef\xbb\xbf## JUDUL\r\n\r\nBARIS SATU\r\nBARIS DUA\r\n"


def test_link_codes_moved_in_target_give_valid_markdown() -> None:
    document = read("Baca [laporan lengkap](https://contoh.id/a?b=1 \"Judul\") hari ini.\n")
    [block] = document.blocks
    opener, closer = (code.char for code in block.codes.values())
    [segment] = block.segments
    segment.target = f"Read the full {opener}report{closer} today."
    output = FMT.write(document).decode()
    assert output == 'Read the full [report](https://contoh.id/a?b=1 "Judul") today.\n'
    children = MarkdownIt("commonmark").parseInline(output)[0].children or []
    links = [token for token in children if token.type == "link_open"]
    assert [link.attrGet("href") for link in links] == ["https://contoh.id/a?b=1"]


# --------------------------------------------------------------------------- registry and errors


def test_registered_for_md_files() -> None:
    assert detect_format("berita.md") == "markdown"
    assert detect_format("berita.markdown") == "markdown"
    assert isinstance(get_format("markdown"), MarkdownFormat)
    assert FMT.name == "markdown"


def test_invalid_utf8_is_an_input_error() -> None:
    with pytest.raises(InputError, match="not valid UTF-8"):
        FMT.read(b"Judul \xff rusak\n", "rusak.md")


# --------------------------------------------------------------------------- fallbacks and the safety check


def test_block_with_too_many_codes_stays_skeleton_and_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("translate.document.CODE_CAPACITY", 6400)  # the BMP's share: a smaller test
    source = "Judul\n\n" + "kata **tebal** " * 3300 + "\n"
    document = read(source)
    assert plain_texts(document) == ["Judul"]
    assert document.untranslated == ["line 3"]
    assert FMT.write(document) == source.encode()


def test_round_trip_check_names_the_block(monkeypatch: pytest.MonkeyPatch) -> None:
    from translate.formats import markdown

    assemble = markdown._assemble

    def broken(text: str, offset: int, spans: list) -> list:
        parts = assemble(text, offset, spans)
        return [part.replace("\n\n", "\n") if isinstance(part, str) else part for part in parts]

    monkeypatch.setattr(markdown, "_assemble", broken)
    with pytest.raises(RuntimeError, match="internal error: .*berita.md at character 8, near block 1"):
        read("# Judul\n\nIsi.\n")


class TestMarkdownFormatSuite(FormatSuite):
    format_name = "markdown"
    extension = ".md"


def test_syntax_the_model_adds_is_escaped_and_renders_as_text() -> None:
    document = read("Harga **beras** naik.\n\n- Butir satu\n\n| A | B |\n|---|---|\n| x | y |\n")
    segments = list(document.segments())
    first, item, cell = segments[0], segments[1], segments[4]
    assert strip_codes(cell.source) == "x"
    first.target = first.source.replace("Harga", "# Price *up*").replace("naik", "rose_by [10%]")
    item.target = "1. Item <b> a_b"
    cell.target = "x | z"
    written = FMT.write(document).decode("utf-8")
    assert written.startswith("\\# Price \\*up\\* **beras** rose\\_by \\[10%\\].")
    assert "- 1\\. Item \\<b> a\\_b" in written and "| x \\| z | y |" in written
    html = MarkdownIt("commonmark").enable("table").render(written)
    assert "<h1>" not in html and "<em>" not in html and "<ol>" not in html and "<b>" not in html
    assert "# Price *up* <strong>beras</strong> rose_by [10%]." in html
    assert html.count("<td>") == 2  # the model's pipe did not add a cell
    assert read(written).blocks[0].kind == "paragraph"


def test_literal_syntax_of_the_source_is_written_back_as_it_was() -> None:
    text = "Harga 5 * 3 dan AT&T_2 naik [sic].\nbaris 2) kedua\n"
    document = read(text)
    segments = list(document.segments())
    for segment in segments:
        segment.target = segment.source.replace("Harga", "Price")
    written = FMT.write(document).decode("utf-8")
    assert written == text.replace("Harga", "Price")  # as many as the source had: nothing escaped
    segments[0].target = segments[0].source + " *"
    assert "\\*" in FMT.write(document).decode("utf-8")  # one more than the source: escaped


# --------------------------------------------------------------------------- reference links

REFERENCES = {
    "shortcut": "Baca [laporan] hari ini.\n\n[laporan]: /laporan\n",
    "collapsed": "Baca [laporan][] hari ini.\n\n[laporan]: /laporan\n",
    "image_shortcut": "Lihat ![laporan] di sini.\n\n[laporan]: /foto.jpg\n",
    "image_collapsed": "Lihat ![laporan][] di sini.\n\n[laporan]: /foto.jpg\n",
    "heading": "# [Laporan]\n\n[laporan]: /laporan\n",
    "in_blockquote": "> Baca [laporan\n> lengkap] ini.\n\n[laporan lengkap]: /laporan\n",
    "with_markup": "Baca [*laporan* `x`] ini.\n\n[*laporan* `x`]: /laporan\n",
}


def replaced(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        text = text.replace(old, new)
    return text


def links_and_images(markdown: str) -> list[tuple[str, str]]:
    """(type, href or src) of every link and image as a CommonMark renderer resolves them."""
    found = []
    for token in MarkdownIt("commonmark").parse(markdown):
        for child in token.children or []:
            if child.type in ("link_open", "image"):
                found.append((child.type, child.attrGet("href") or child.attrGet("src")))
    return found


@pytest.mark.parametrize("source", list(REFERENCES.values()), ids=list(REFERENCES))
def test_translated_shortcut_and_collapsed_references_still_resolve(source: str) -> None:
    document = read(source)
    for segment in document.segments():
        segment.target = replaced(segment.source, ("aporan", "eport"), ("ihat", "ook"), ("aca", "ead"))
    written = FMT.write(document).decode("utf-8")
    assert links_and_images(written) == links_and_images(source) != []
    definition = source[source.rindex("\n\n") :]
    assert written.endswith(definition)  # the definition is untouched


def test_translated_shortcut_reference_becomes_a_full_reference_to_the_same_label() -> None:
    document = read("Baca [laporan] dan ![foto][] ini.\n\n[laporan]: /a\n[foto]: /b.jpg\n")
    [segment] = document.segments()
    segment.target = replaced(segment.source, ("Baca", "Read"), ("laporan", "report"), ("foto", "photo"))
    written = FMT.write(document).decode("utf-8")
    assert written == "Read [report][laporan] dan ![photo][foto] ini.\n\n[laporan]: /a\n[foto]: /b.jpg\n"


def test_unchanged_reference_text_keeps_its_short_form() -> None:
    source = "Baca [laporan] dan [foto][] ini.\n\n[laporan]: /a\n[foto]: /b\n"
    document = read(source)
    [segment] = document.segments()
    segment.target = segment.source.replace("Baca", "Read").replace(" ini", " here")
    assert FMT.write(document).decode("utf-8") == source.replace("Baca", "Read").replace(" ini", " here")


# ---------------------------------------------------------------------------- lines that stay text


def block_structure(markdown: str) -> list[str]:
    """Block token types as a CommonMark + GFM tables renderer sees them."""
    return [token.type for token in MarkdownIt("commonmark").enable("table").parse(markdown)]


def written_with(source: str, translation: Callable[[str], str]) -> str:
    """``source`` written with ``translation`` applied to every segment that has words."""
    document = read(source)
    for segment in document.segments():
        segment.target = translation(segment.source) if any(c.isalpha() for c in segment.source) else None
    return FMT.write(document).decode("utf-8")


def suffixed(document: Document, suffix: str = " lagi") -> str:
    """A translation that adds text at the end of every segment (as the pseudo engine does)."""
    for segment in document.segments():
        segment.target = segment.source + suffix
    return FMT.write(document).decode("utf-8")


MARKER_ONLY_LINES = {
    "bullet": "Harga naik\n*\n",
    "plus": "Harga naik\n+\n",
    "ordered": "Harga naik\n1.\n",
    "ordered_paren": "Harga naik\n1)\n",
    "in_blockquote": "> Harga naik\n> *\n",
    "in_list_item": "- Harga naik\n  1.\n",
    "emphasis_before": "*Harga naik\n*\n",
}


@pytest.mark.parametrize("source", list(MARKER_ONLY_LINES.values()), ids=list(MARKER_ONLY_LINES))
def test_marker_only_line_stays_text_when_the_translation_puts_text_after_it(source: str) -> None:
    written = suffixed(read(source))
    assert block_structure(written) == block_structure(source)
    assert "lagi" in written


def test_markers_added_on_other_lines_are_escaped_when_the_source_has_a_harmless_one() -> None:
    source = "Harga naik\n2) kedua\nketiga\n"
    document = read(source)
    [segment] = document.segments()
    segment.target = "Price up\n2) second\n# third\n- fourth"
    written = FMT.write(document).decode("utf-8")
    assert written == "Price up\n2) second\n\\# third\n\\- fourth\n"  # "2) " cannot interrupt: kept
    assert block_structure(written) == block_structure(source)


@pytest.mark.parametrize("source", [
    "| Kota\n| - | -\n| Bogor\n",
    "Kota | hujan | angin\n|-|-|\nBogor\n",
    "Kota | hujan\n:-:\nBogor\n",
    "> | Kota\n> | - | -\n> | Bogor\n",
])
def test_text_before_a_pipe_does_not_turn_a_paragraph_into_a_table(source: str) -> None:
    translations = [lambda s: f"[{s} ~]", lambda s: f"Kota | {s}", lambda s: s.replace(" | angin", ""),
                    lambda s: s.replace(" hujan", "")]
    for translation in translations:
        written = written_with(source, translation)
        assert "table_open" not in block_structure(written), written
        assert block_structure(written) == block_structure(source)


def test_delimiter_like_line_of_an_unchanged_paragraph_is_written_as_it_was() -> None:
    source = "| Kota\n| - | -\n| Bogor\n"
    document = read(source)
    for segment in document.segments():
        segment.target = segment.source
    assert FMT.write(document).decode("utf-8") == source


@pytest.mark.parametrize("source", [
    "Harga | naik\n---\n",
    "# Harga naik\n|-|\n",
    "> Harga naik\n---\n",
    "- Harga naik\n---\n",
])
def test_pipes_in_a_line_above_a_dash_line_do_not_make_a_table(source: str) -> None:
    """A setext underline, or a lazy ``---``, is a delimiter row to a line with a pipe and one column."""
    for translation in (lambda s: f"| {s} |", lambda s: s.replace(" | ", " ") + " |"):
        written = written_with(source, translation)
        assert block_structure(written) == block_structure(source), written
        assert "&#124;" in written  # renders as "|", but is no cell separator
    assert suffixed(read(source), "") == source  # unchanged text: written as it was


@pytest.mark.parametrize("prefix", ["1) ", "- ", "> ", "# ", "```"])
def test_a_table_row_without_a_leading_pipe_keeps_its_first_cell_text(prefix: str) -> None:
    source = "Kota | Hujan\n--- | ---\nBogor | deras\nDepok | ringan\n"
    written = written_with(source, lambda s: prefix + s)
    assert block_structure(written) == block_structure(source), written
    rendered = html.unescape(MarkdownIt("commonmark").enable("table").render(written))
    assert f"<td>{prefix}Depok</td>" in rendered and f"<th>{prefix}Kota</th>" in rendered


# --------------------------------------------------------------------------- front matter (Hugo, Jekyll)

YAML_FRONT = (
    "---\n"
    'title: "Banjir \\"Kiriman\\" di Bekasi"\n'
    "description: Warga diminta waspada # catatan\n"
    "summary: 'Tim SAR ''siaga'' sejak pagi'\n"
    "date: 2026-03-02\n"
    "slug: banjir-bekasi\n"
    "judul: Tetap\n"
    "params:\n"
    "  title: Bersarang tetap\n"
    "---\n\n"
    "Isi berita.\n"
)


def front_matter_of(written: str) -> dict:
    """The front matter as a YAML or TOML library reads it."""
    fence = written.split("\n", 1)[0]
    body = written.split("\n", 1)[1].split(f"\n{fence}\n", 1)[0]
    return yaml.safe_load(body) if fence == "---" else tomllib.loads(body)


def test_front_matter_title_description_and_summary_are_segments() -> None:
    document = read(YAML_FRONT)
    values = [(b.kind, strip_codes(b.source)) for b in document.blocks if b.kind == "front_matter"]
    assert values == [
        ("front_matter", "Banjir Kiriman di Bekasi"),  # the escaped quotes are codes
        ("front_matter", "Warga diminta waspada"),
        ("front_matter", "Tim SAR siaga sejak pagi"),
    ]
    assert [b.index for b in document.blocks] == [0, 1, 2, 3]
    assert str(next(document.segments()).id) == "berita.md#0.0"
    assert FMT.write(document).decode("utf-8") == YAML_FRONT


def test_translated_front_matter_stays_valid_yaml_and_other_keys_stay_identical() -> None:
    targets = ['Flood: "sent" to Bekasi #1', "[Residents] asked, be alert",
               "SAR team 'ready' at 5 a.m.\\path"]
    document = read(YAML_FRONT)
    for block, target in zip(document.blocks, targets, strict=False):
        [segment] = block.segments
        segment.target = target
    written = FMT.write(document).decode("utf-8")
    loaded = front_matter_of(written)
    assert [loaded["title"], loaded["description"], loaded["summary"]] == targets
    assert loaded["params"] == {"title": "Bersarang tetap"} and loaded["judul"] == "Tetap"
    lines = written.split("\n")
    assert lines[1] == 'title: "Flood: \\"sent\\" to Bekasi #1"'  # the style is kept, quotes escaped
    assert lines[2] == 'description: "[Residents] asked, be alert" # catatan'  # plain would be a list
    assert lines[3] == "summary: 'SAR team ''ready'' at 5 a.m.\\path'"
    assert lines[4:] == YAML_FRONT.split("\n")[4:]


def test_source_escapes_in_a_translated_value_are_kept() -> None:
    document = read('---\ntitle: "Kata \\"kunci\\"\\tdan \\u00e9"\n---\n')
    [segment] = document.segments()
    segment.target = segment.source.replace("Kata", "Key").replace("dan", "and")
    written = FMT.write(document).decode("utf-8")
    assert written == '---\ntitle: "Key \\"kunci\\"\\tand \\u00e9"\n---\n'
    assert front_matter_of(written)["title"] == 'Key "kunci"\tand é'


@pytest.mark.parametrize("target", ["Flood: three dead", "yes", "2026", "- list", "a #b", "x\ny", " lead"])
def test_plain_value_whose_translation_needs_quotes_gets_them(target: str) -> None:
    document = read("---\ntitle: Banjir\n---\n")
    [segment] = document.segments()
    segment.target = target
    written = FMT.write(document).decode("utf-8")
    assert front_matter_of(written) == {"title": target}
    assert written.startswith('---\ntitle: "')


def test_plain_value_that_reads_back_stays_plain() -> None:
    document = read("---\ntitle: Banjir di Bekasi\n---\n")
    [segment] = document.segments()
    segment.target = "Flood in Bekasi, again"
    assert FMT.write(document).decode("utf-8") == "---\ntitle: Flood in Bekasi, again\n---\n"


TOML_FRONT = (
    "+++\n"
    'title = "Jembatan \\"Merah Putih\\" diresmikan"\n'
    "description = 'Warga kini menyeberang tanpa perahu'\n"
    "date = 2026-02-14\n"
    "\n[params]\n"
    'summary = "Di tabel lain: tetap"\n'
    "+++\n"
)


@needs_tomllib
def test_toml_front_matter_values_are_translated_and_stay_valid_toml() -> None:
    document = read(TOML_FRONT)
    assert [strip_codes(s.source) for s in document.segments()] == [
        "Jembatan Merah Putih diresmikan", "Warga kini menyeberang tanpa perahu"]
    assert document.front_matter == "toml"
    assert FMT.write(document).decode("utf-8") == TOML_FRONT
    title, description = document.segments()
    title.target = title.source.replace("Jembatan", 'The "Red White" bridge').replace("diresmikan", "opened")
    description.target = "Residents' boats are no longer needed"  # a literal string cannot hold "'"
    written = FMT.write(document).decode("utf-8")
    loaded = front_matter_of(written)
    assert loaded["description"] == "Residents' boats are no longer needed"
    assert loaded["title"] == 'The "Red White" bridge "Merah Putih" opened'
    assert loaded["params"] == {"summary": "Di tabel lain: tetap"}
    assert written.split("\n")[2] == 'description = "Residents\' boats are no longer needed"'


def test_front_matter_keys_are_a_reader_option() -> None:
    only_judul = MarkdownFormat(front_matter_keys=("judul",)).read(YAML_FRONT.encode(), "x.md")
    assert [strip_codes(s.source) for s in only_judul.segments()] == ["Tetap", "Isi berita."]
    none = MarkdownFormat(front_matter_keys=()).read(YAML_FRONT.encode(), "x.md")
    assert [strip_codes(s.source) for s in none.segments()] == ["Isi berita."]


@pytest.mark.parametrize("source, lines", [
    ("---\ntitle: >-\n  Banjir besar\n  di Bekasi\ndescription: Warga\n  mengungsi\nsummary: Cukup\n---\n",
     "2, 5"),
    ("---\ntitle: [tidak: valid\n---\n\nIsi.\n", "2"),
])
def test_front_matter_values_it_cannot_take_are_reported_and_kept(source: str, lines: str) -> None:
    document = read(source)
    assert document.untranslated == [f"line {n}" for n in lines.split(", ")]
    for segment in document.segments():
        segment.target = segment.source.upper()
    written = FMT.write(document).decode("utf-8")
    assert written.split("\n---\n")[0] == source.split("\n---\n")[0].replace("Cukup", "CUKUP")


@needs_tomllib
def test_copy_engine_keeps_front_matter_identical() -> None:
    for source in (YAML_FRONT, TOML_FRONT):
        assert translate_text(source, create_engine("copy"), fmt="markdown") == source


@needs_tomllib
@pytest.mark.parametrize("name", ["front-matter", "front-matter-toml", "kereta-cepat"])
def test_pseudo_references_have_translated_and_valid_front_matter(name: str) -> None:
    written = (DATA / "markdown" / f"{name}.pseudo.md").read_text(encoding="utf-8")
    loaded = front_matter_of(written)
    texts = [loaded[key] for key in ("title", "description", "summary") if key in loaded]
    assert texts and all(text.startswith("[") and text.endswith("]") for text in texts)


def test_localized_numbers_in_front_matter_are_written_inside_the_quotes() -> None:
    source = '---\ntitle: "Harga naik 2,5 persen \\"resmi\\""\ndescription: Harga Rp 12.500 per kilo\n---\n'
    written = translate_text(source, create_engine("pseudo"), fmt="markdown", localizer=Localizer("en_US"))
    loaded = front_matter_of(written)
    assert "2.5%" in loaded["title"] and '"ŕéšmî"' in loaded["title"]
    assert "IDR 12,500" in loaded["description"]
