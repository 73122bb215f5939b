"""Sentence splitting: one table row per rule, plus round-trip invariants of segment_block."""

from __future__ import annotations

import random

import pytest

from translate.document import CodeAllocator, CodeKind, Document, SegmentId, make_block
from translate.segment import (
    abbreviations,
    parse_abbreviations,
    segment_block,
    segment_document,
    split_sentences,
)

# Code characters as a CodeAllocator hands them out: an opening ** and its closing **.
OPEN, CLOSE = "\ue000", "\ue001"

#: Each case is the text with "‖" at every expected boundary; the sentences are the
#: stripped parts between the marks (the whitespace between them is the gap).
CASES: list[str] = [
    # Plain terminators.
    "Hujan turun sejak pagi.‖ Jalan di depan pasar tergenang.",
    "Siapa yang datang?‖ Tidak ada yang tahu.",
    "Awas, jembatan runtuh!‖ Warga diminta menjauh.",
    "Benarkah itu?!‖ Saya tidak percaya.",
    "Satu kalimat saja tanpa titik",
    "",
    "   \n  ",
    # Titles and degrees (never-final list, case-sensitive dr. and Dr.).
    "Pasien diperiksa oleh dr. Rina di puskesmas.‖ Ia sudah pulang.",
    "Seminar dibuka Dr. Sutrisno pagi ini.",
    "Rektor Prof. Dr. Ir. Bambang Wijaya hadir.",
    "Penulisnya Prof.Dr. Lestari dari Bogor.",
    "Gigi anak itu dirawat drg. Maya kemarin.",
    "Rombongan dipimpin Hj. Aminah dan Drs. Sulaiman.",
    "Kuasa hukumnya Andi Saputra S.H. M.H. Dia menolak.",
    "Pembicara kedua ialah Nina Kurnia, S.Sos. M.Si. Ia peneliti.",
    "Dokter anaknya Sari Dewi, Sp.A. Praktik dibuka sore.",
    "Gelarnya Ph.D. Dari Leiden.",
    "Buku itu karya Moh. Hatta muda.",
    # Ranks.
    "Upacara dipimpin Brigjen. Hartono dan Kol. Arif.",
    "Kapolda Irjen. Pol. Setiawan tiba.‖ Ia disambut Kombes. Yudi.",
    "Jenderal TNI (Purn.) Subagyo membuka acara.",
    # Addresses and numbers introduced by an abbreviation.
    "Kantornya di Jl. Merdeka No. 12, Kec. Sukajadi, Kab. Garut.",
    "Ia tinggal di RT. 03/RW. 05 Kel. Cempaka.",
    "Harga tiketnya Rp. 50.000 per orang.",
    "Kutipan itu ada di hlm. 45 buku tersebut.",
    "Surat a.n. Kepala Dinas sudah dikirim u.p. Bagian Umum.",
    "Perkara itu disebut Negara vs. Wahyudi di pengadilan.",
    "Kepada Yth. Bpk. Slamet dan Ny. Wati.",
    # May-end abbreviations: split before an upper-case word only.
    "Ia membeli beras, gula, dll.‖ Kemudian ia pulang.",
    "Ia membeli beras, gula, dll. di warung itu.",
    "Temuan Sari dkk. (2021) diragukan.",
    "Saham PT Semen Nusantara Tbk. (SMNT) naik.",
    "Laba PT Semen Nusantara Tbk.‖ Sementara itu rugi lain.",
    "Pameran dibuka 3 Okt. 2022 di Solo.",
    # Initials.
    "Bandara itu dinamai B. J. Habibie.‖ Letaknya jauh.",
    "Novel J.K. Rowling laris.‖ Filmnya juga.",
    "Ia berkunjung ke A.S. bulan lalu.",
    # Numbers with Indonesian separators, times.
    "Inflasi naik 2,5 persen.‖ Harga cabai turun.",
    "Dana Rp 1.000.000 cair.‖ Sisanya menyusul.",
    "Modalnya Rp 1.000.000.‖ Keuntungannya kecil.",
    "Rapat mulai pukul 14.00 WIB.‖ Peserta diminta hadir.",
    "Kereta tiba pukul 14.00.‖ Penumpang turun.",
    "Versi 3.5 dirilis.‖ Versi 4.0 menyusul tahun 2025.‖ 10 negara ikut.",
    # Ellipses.
    "Ia terdiam... lalu pergi begitu saja.",
    "Ia terdiam...‖ Kemudian semua orang pulang.",
    "Ia menunggu lama…‖ Tidak ada yang datang.",
    "Kata dia, [...] Pemerintah akan membantu.",
    # Closing quotes and brackets stay with the sentence before.
    'Ia berkata, "Kami siap."‖ Lalu ia duduk.',
    "Warga menyebutnya “kampung lama.”‖ Nama itu melekat.",
    "(Ia lahir di Medan.)‖ Kini ia menetap di Bali.",
    "Menurutnya, 'itu tidak adil.'‖ Ia lalu pergi.",
    "Desa itu (dulu bernama Sukamaju. Kini Sukamakmur) ramai.",
    'Ia menulis: "Saya lelah.‖ Saya pulang," katanya.',
    "Ia menjawab, “Pulang!”‖ Semua diam.",
    # Lower-case continuations.
    '"Kapan kita berangkat?" tanya Ani.',
    '"Jangan!" teriaknya keras.',
    "Nilai ujian naik. tetapi banyak yang gagal.",
    # URLs, e-mail addresses and domain names.
    "Berita itu dimuat detik.com pagi ini.",
    "Daftar di https://contoh.go.id/daftar?id=5.‖ Pendaftaran gratis.",
    "Kirim ke redaksi@koran.co.id.‖ Kami membalas.",
    # Code characters: opening codes may start a sentence, closing ones stay with the previous.
    f"Ia datang kemarin.‖ {OPEN}Pada{CLOSE} hari itu hujan.",
    f"{OPEN}Ia datang kemarin.{CLOSE}‖ Hari itu hujan.",
    f"Ia datang kemarin. {OPEN}pada{CLOSE} hari itu.",
    f"Lihat {OPEN}Dr.{CLOSE} Ani di sana.",
    f"{OPEN}Ia datang. {CLOSE}Hari itu hujan.",
    "Jalankan perintah ini.‖ \ue002 akan menghapus semua berkas.",
    # Digits, dashes and list numbers.
    "Rapat selesai.‖ - Dua orang walk out.",
    "1. Siapkan berkas lengkap.",
    "Pilihannya ada dua.‖\na. Setuju\nb. Menolak",
    # Newlines inside a block.
    "Ia pulang.‖\nAdiknya menunggu.",
    "Daftar bahan\n- beras\n- gula",
    "Bahannya sebagai berikut.‖\n- beras\n- gula",
    "Ia pulang dll.‖\n- beras",
    "Ia pulang.\nlalu tidur.",
    "  Ia pulang.‖   Adiknya menunggu.  ",
]


@pytest.mark.parametrize("case", CASES, ids=[str(i) for i in range(len(CASES))])
def test_split_sentences(case: str) -> None:
    text = case.replace("‖", "")
    expected = [part.strip() for part in case.split("‖") if part.strip()]
    assert [text[start:end] for start, end in split_sentences(text, frozenset({CLOSE}))] == expected


def test_without_closing_codes_a_code_after_the_space_may_start_a_sentence() -> None:
    text = f"{OPEN}Ia datang. {CLOSE}Hari itu hujan."
    assert len(split_sentences(text)) == 2


def test_abbreviation_file_is_packaged_with_both_classes() -> None:
    known = abbreviations()
    for word in ("Prof.", "Dr.", "dr.", "Jl.", "No.", "Rp.", "Brigjen.", "Ny.", "Tn.", "vs."):
        assert word in known.never_final
    for word in ("dll.", "dsb.", "dst.", "Tbk.", "Okt.", "Des."):
        assert word in known.may_end
    assert not known.never_final & known.may_end


def test_abbreviation_file_format_errors() -> None:
    assert parse_abbreviations("# c\n[may-end]\nx.  # note\n").may_end == {"x."}
    with pytest.raises(ValueError):
        parse_abbreviations("Dr.\n")
    with pytest.raises(ValueError):
        parse_abbreviations("[titles]\nDr.\n")


# Round-trip invariants of segment_block over many generated strings.

_PIECES = [
    "Ia",
    "pulang",
    "Dr.",
    "dr.",
    "Jl.",
    "B.",
    "2,5",
    "1.000.000.",
    "14.00",
    "...",
    "…",
    "?!",
    "!",
    "?",
    ".",
    ",",
    '"',
    "“",
    "”",
    "(",
    ")",
    "'",
    "detik.com",
    "dll.",
    "-",
    "Lalu",
    "kemarin.",
    OPEN,
    CLOSE,
    "\ue002",
    "x",
]
_SPACES = [" ", "  ", "\n", "\t", " \n ", ""]


def _random_text(rng: random.Random) -> str:
    parts = [rng.choice(_SPACES) if rng.random() < 0.3 else ""]
    for _ in range(rng.randint(0, 25)):
        parts.append(rng.choice(_PIECES))
        parts.append(rng.choice(_SPACES))
    return "".join(parts)


def _block(text: str):
    allocator = CodeAllocator()
    opener = allocator.code(CodeKind.OPEN, "**", "strong")
    closer = allocator.code(CodeKind.CLOSE, "**", "strong", pair=opener)
    allocator.code(CodeKind.ISOLATED, "`x`", "code")
    assert (opener, closer) == (OPEN, CLOSE)
    return make_block(7, "paragraph", text, allocator.codes)


def test_segment_block_round_trip_on_generated_text() -> None:
    rng = random.Random(20240501)
    for _ in range(3000):
        text = _random_text(rng)
        block = _block(text)
        segment_block(block, "doc.md")
        assert block.source == text
        assert len(block.gaps) == len(block.segments) + 1
        assert all(not gap.strip() for gap in block.gaps)
        for i, segment in enumerate(block.segments):
            assert segment.source and segment.source == segment.source.strip()
            assert segment.id == SegmentId("doc.md", 7, i)
        # Splitting again is stable.
        before = [s.source for s in block.segments]
        segment_block(block, "doc.md")
        assert [s.source for s in block.segments] == before


def test_segment_block_gaps() -> None:
    block = make_block(2, "paragraph", "\n  Ia pulang.  Adiknya menunggu.\n")
    segment_block(block, "berita")
    assert [s.source for s in block.segments] == ["Ia pulang.", "Adiknya menunggu."]
    assert block.gaps == ["\n  ", "  ", "\n"]
    assert [str(s.id) for s in block.segments] == ["berita#2.0", "berita#2.1"]


def test_segment_block_whitespace_only() -> None:
    block = make_block(0, "paragraph", "  \n")
    segment_block(block, "d")
    assert block.segments == [] and block.gaps == ["  \n"] and block.source == "  \n"


def test_segment_document_uses_document_name() -> None:
    doc = Document("artikel.id.md", "markdown")
    doc.parts = ["# ", make_block(0, "heading", "Judul"), "\n\n", make_block(1, "paragraph", "Satu. Dua.")]
    before = doc.render(target=False)
    assert segment_document(doc) is doc
    assert [str(s.id) for s in doc.segments()] == [
        "artikel.id.md#0.0",
        "artikel.id.md#1.0",
        "artikel.id.md#1.1",
    ]
    assert doc.render(target=False) == before


def test_a_line_break_code_between_sentences_goes_into_the_gap() -> None:
    from translate.document import InlineCode
    from translate.segment import segment_block

    br, bold, end = "\ue000", "\ue001", "\ue002"
    codes = {br: InlineCode(br, CodeKind.ISOLATED, "\n> ", None, "linebreak"),
             bold: InlineCode(bold, CodeKind.OPEN, "**", None, "strong"),
             end: InlineCode(end, CodeKind.CLOSE, "**", bold, "strong")}
    source = f"Kalimat {bold}satu{end}.{br}Kalimat dua.{br}lanjut di baris ini."
    block = make_block(0, "blockquote", source, codes)
    segment_block(block, "x.md")
    assert [s.source for s in block.segments] == [
        f"Kalimat {bold}satu{end}.", f"Kalimat dua.{br}lanjut di baris ini."]  # mid-sentence: stays
    assert block.gaps == ["", br, ""] and block.source == source
