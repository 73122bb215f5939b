"""Glossary loading, checking, source matching and term metrics."""

from __future__ import annotations

from pathlib import Path

import pytest

from translate.errors import GlossaryError, ScoreError
from translate.glossary import (
    Glossary,
    Problem,
    Term,
    check_glossary,
    exact_match_accuracy,
    load_glossary,
    term_success_rate,
)

HEADER = "source\ttarget\talternatives\tcategory\tcase_sensitive\tnote\n"
REPO_GLOSSARIES = Path(__file__).resolve().parent.parent / "glossaries"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def tsv(tmp_path: Path, rows: list[str], name: str = "g.tsv", header: bool = True) -> Path:
    return write(tmp_path, name, (HEADER if header else "") + "".join(r + "\n" for r in rows))


def messages(problems: list[Problem]) -> list[str]:
    return [str(p) for p in problems]


# ------------------------------------------------------------------ TSV / CSV


def test_tsv_with_header_reads_every_column(tmp_path: Path) -> None:
    path = tsv(tmp_path, [
        "Amerika Serikat\tUnited States\tUS|U.S.\tplace\tno\t",
        "Presiden\tPresident\t\ttitle\t\tthe head of state",
        "Natal\tChristmas\t\tother\tyes\tthe holiday",
    ])
    glossary = load_glossary([path])
    us, president, natal = glossary.terms
    assert us == Term("Amerika Serikat", "United States", ("US", "U.S."), "place", False, "", f"{path}:2")
    assert us.targets == ("United States", "US", "U.S.")
    assert president.note == "the head of state" and president.origin == f"{path}:3"
    assert natal.case_sensitive and not president.case_sensitive


def test_tsv_without_header_and_short_rows(tmp_path: Path) -> None:
    path = tsv(tmp_path, ["Moskwa\tMoscow", "# a comment line", "", "Jenewa\tGeneva\t\tplace"], header=False)
    terms = load_glossary([path]).terms
    assert [(t.source, t.target, t.category, t.origin) for t in terms] == [
        ("Moskwa", "Moscow", "other", f"{path}:1"),
        ("Jenewa", "Geneva", "place", f"{path}:4"),
    ]


def test_header_columns_in_another_order_and_case(tmp_path: Path) -> None:
    path = write(tmp_path, "g.tsv", "Target\tSOURCE\tCase-Sensitive\nPrime Minister\tPM\tno\n")
    (term,) = load_glossary([path]).terms
    assert (term.source, term.target, term.case_sensitive) == ("PM", "Prime Minister", False)


def test_txt_is_read_as_tsv(tmp_path: Path) -> None:
    path = write(tmp_path, "g.txt", "Den Haag\tThe Hague\n")
    assert load_glossary([path]).terms[0].target == "The Hague"


def test_acronyms_default_to_case_sensitive(tmp_path: Path) -> None:
    path = tsv(tmp_path, ["PM\tPM\t\ttitle\t\t", "DPR\tHouse\t\torganization\t\t", "G20\tG20\t\tother\t\t",
                          "TNI\tTNI\t\torganization\tno\t", "Polri\tNational Police\t\torganization\t\t",
                          "Presiden\tPresident\t\ttitle\t\t"])
    flags = {t.source: t.case_sensitive for t in load_glossary([path])}
    assert flags == {"PM": True, "DPR": True, "G20": True, "TNI": False, "Polri": False, "Presiden": False}


def test_csv_with_quoted_commas_and_header(tmp_path: Path) -> None:
    path = write(tmp_path, "g.csv", (
        "source,target,alternatives,category,case_sensitive,note\n"
        '"Kementerian Pendidikan, Kebudayaan, Riset, dan Teknologi","Ministry of Education, Culture, '
        'Research and Technology",,organization,no,"pre-2024 cabinet, long name"\n'
        "Kemlu,Foreign Ministry,Ministry of Foreign Affairs,organization,no,\n"
    ))
    long_name, kemlu = load_glossary([path]).terms
    assert long_name.source == "Kementerian Pendidikan, Kebudayaan, Riset, dan Teknologi"
    assert long_name.target == "Ministry of Education, Culture, Research and Technology"
    assert long_name.note == "pre-2024 cabinet, long name"
    assert kemlu.alternatives == ("Ministry of Foreign Affairs",) and kemlu.origin == f"{path}:3"


def test_csv_without_header_counts_lines_of_multiline_cells(tmp_path: Path) -> None:
    path = write(tmp_path, "g.csv", 'Moskwa,Moscow,,place,,"two\nlines"\nJenewa,\n')
    assert messages(check_glossary([path])) == [f"{path}:3: empty target term"]


def test_csv_quote_never_closed_is_reported_where_it_opens(tmp_path: Path) -> None:
    rows = ["Jenewa,Geneva", 'Moskwa,"Moscow'] + [f"Kota{i},City{i}" for i in range(300)]
    path = write(tmp_path, "g.csv", "\n".join(rows) + "\n")
    assert messages(check_glossary([path])) == [
        f"{path}:2: a quote opened in this row is never closed: lines 2-302 would be one cell; "
        'close the quote (a quote inside a cell is written "")'
    ]
    with pytest.raises(GlossaryError):
        load_glossary([path])


def test_csv_quote_closed_lines_later_is_a_term_over_several_lines(tmp_path: Path) -> None:
    rows = ['Moskwa,"Moscow', "Kota1,City1", 'Kota2,"City2', "Roma,Rome"]
    path = write(tmp_path, "g.csv", "\n".join(rows) + "\n")
    assert messages(check_glossary([path])) == [
        f"{path}:1: the target cell runs over 3 lines: is a quote on this line not closed where the cell "
        "ends?"
    ]


def test_csv_cell_over_the_field_limit_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "g.csv", 'Jenewa,Geneva\nMoskwa,"' + "x" * 140_000 + '"\n')
    [problem] = check_glossary([path])
    assert problem.line == 2 and "longer than 131072 characters" in problem.message


@pytest.mark.parametrize("name, text", [("g.csv", "Jene\x00wa,Geneva\n"), ("g.tsv", "Jenewa\tGen\x00eva\n")])
def test_a_nul_byte_in_a_term_is_refused(tmp_path: Path, name: str, text: str) -> None:
    path = write(tmp_path, name, "Roma,Rome\n".replace(",", "\t" if name.endswith(".tsv") else ",") + text)
    assert messages(check_glossary([path])) == [f"{path}:2: control character U+0000 in a term; remove it"]


def test_a_term_of_thousands_of_words_is_refused_in_linear_time(tmp_path: Path) -> None:
    from timing import seconds

    words = [f"kata{i}" for i in range(1500)]
    baseline = tsv(tmp_path, [f"{word}\tWord" for word in words], name="many.tsv", header=False)
    linear = seconds(lambda: check_glossary([baseline]), rounds=1)  # 1500 one-word terms: linear work
    huge = tsv(tmp_path, [f"{' '.join(words)}\tWords", "Jenewa\tGeneva"], name="huge.tsv", header=False)
    assert seconds(lambda: check_glossary([huge]), rounds=1) < 5 * max(linear, 0.05)  # was cubic: minutes
    problems = check_glossary([huge])
    assert messages(problems) == [
        f"{huge}:1: a term of 1500 words; a term has at most 30 (a misplaced tab, comma or quote?)"
    ]


# ----------------------------------------------------------------------- TBX

TBX_BASIC = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE martif SYSTEM "TBXBasiccoreStructV02.dtd">
<martif type="TBX-Basic" xml:lang="en">
  <martifHeader><fileDesc><sourceDesc><p>test</p></sourceDesc></fileDesc></martifHeader>
  <text><body>
    <termEntry id="c1">
      <descrip type="subjectField">place</descrip>
      <langSet xml:lang="id">
        <tig><term>Moskwa</term><termNote type="partOfSpeech">noun</termNote></tig>
        <tig><term>Moskow</term></tig>
      </langSet>
      <langSet xml:lang="en">
        <tig><term>Moscow</term><termNote type="partOfSpeech">noun</termNote></tig>
      </langSet>
    </termEntry>
    <termEntry id="c2">
      <descrip type="subjectField">Job title</descrip>
      <langSet xml:lang="en-US"><ntig><termGrp><term>Foreign Minister</term></termGrp></ntig>
        <ntig><termGrp><term>Minister of Foreign Affairs</term></termGrp></ntig></langSet>
      <langSet xml:lang="id-ID"><ntig><termGrp><term>Menteri Luar Negeri</term></termGrp></ntig></langSet>
    </termEntry>
  </body></text>
</martif>
"""

TBX_V3 = """<?xml version="1.0" encoding="UTF-8"?>
<tbx xmlns="urn:iso:std:iso:30042:ed-2" type="TBX-Core" style="dca" xml:lang="en">
  <tbxHeader><fileDesc><sourceDesc><p>test</p></sourceDesc></fileDesc></tbxHeader>
  <text><body>
    <conceptEntry id="c1">
      <langSec xml:lang="in"><termSec><term>Perdana Menteri</term></termSec></langSec>
      <langSec xml:lang="en">
        <termSec><term>Prime Minister</term><termNote type="partOfSpeech">noun</termNote></termSec>
        <termSec><term>premier</term></termSec>
      </langSec>
    </conceptEntry>
    <conceptEntry id="c2">
      <descrip type="subjectField">politics</descrip>
      <langSec xml:lang="id"><termSec><term>DPR</term></termSec></langSec>
      <langSec xml:lang="en"><termSec><term>House of Representatives</term></termSec></langSec>
    </conceptEntry>
  </body></text>
</tbx>
"""


def test_tbx_basic(tmp_path: Path) -> None:
    path = write(tmp_path, "g.tbx", TBX_BASIC)
    terms = load_glossary([path]).terms
    assert [(t.source, t.target, t.alternatives, t.category) for t in terms] == [
        ("Moskwa", "Moscow", (), "place"),
        ("Moskow", "Moscow", (), "place"),
        ("Menteri Luar Negeri", "Foreign Minister", ("Minister of Foreign Affairs",), "title"),
    ]
    assert terms[0].origin == f"{path}:9"


def test_tbx_v3_with_namespace_and_in_code(tmp_path: Path) -> None:
    path = write(tmp_path, "g.tbx", TBX_V3)
    glossary = load_glossary([path])
    pm, dpr = glossary.terms
    assert (pm.source, pm.target, pm.alternatives, pm.category) == (
        "Perdana Menteri", "Prime Minister", ("premier",), "other")
    assert dpr.case_sensitive and dpr.category == "other"
    assert messages(glossary.warnings) == [
        f"{path}:13: warning: subjectField 'politics' is not a category "
        "(place, title, organization, person, other); using 'other'"
    ]


def test_tbx_with_entities_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "bomb.tbx", (
        '<?xml version="1.0"?>\n<!DOCTYPE martif [\n  <!ENTITY a "aaaaaaaaaa">\n'
        '  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">\n]>\n'
        '<martif><text><body><termEntry><langSet xml:lang="id"><tig><term>&b;</term></tig></langSet>'
        '<langSet xml:lang="en"><tig><term>x</term></tig></langSet></termEntry></body></text></martif>\n'
    ))
    with pytest.raises(GlossaryError) as info:
        load_glossary([path])
    assert len(info.value.problems) == 1
    assert info.value.problems[0].startswith(f"{path}:3: the DOCTYPE declares entities")


def test_tbx_external_entity_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "xxe.tbx", '<!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]><m>&x;</m>')
    (problem,) = check_glossary([path])
    assert problem.line == 1 and "entities" in problem.message


def test_tbx_problems_name_lines(tmp_path: Path) -> None:
    broken = write(tmp_path, "a.tbx", "<martif>\n<text>\n</martif>\n")
    incomplete = write(tmp_path, "b.tbx", (
        "<martif><text><body>\n<termEntry>\n<langSet xml:lang='id'><tig><term>Jenewa</term></tig></langSet>\n"
        "</termEntry>\n</body></text></martif>\n"
    ))
    found = messages(check_glossary([broken, incomplete]))
    assert found[0].startswith(f"{broken}:3: not well-formed XML")
    assert found[1] == f"{incomplete}:2: entry has no English term (langSet/langSec xml:lang='en')"


def test_tbx_term_with_a_private_use_character_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "g.tbx", TBX_BASIC.replace("<term>Moskow</term>", "<term>Mos\ue000kow</term>"))
    line = TBX_BASIC[:TBX_BASIC.index("Moskow")].count("\n") + 1
    expected = f"{path}:{line}: private-use character (U+E000-U+F8FF) in a term"
    assert messages(check_glossary([path])) == [expected]


@pytest.mark.parametrize("root", ["<html>", '<tbx xmlns="urn:example:not-tbx">', '<martif xmlns="urn:x">'])
def test_only_tbx_roots_are_tbx(tmp_path: Path, root: str) -> None:
    body = ("<text><body><termEntry><langSet xml:lang='id'><tig><term>Jenewa</term></tig></langSet>"
            "<langSet xml:lang='en'><tig><term>Geneva</term></tig></langSet></termEntry></body></text>")
    name = root[1:].split()[0].rstrip(">")
    path = write(tmp_path, "g.tbx", f'<?xml version="1.0"?>\n{root}{body}</{name}>\n')
    [problem] = check_glossary([path])
    assert problem.line == 2 and "not TBX" in problem.message


# ------------------------------------------------------------------ checking


def test_check_reports_duplicates_and_conflicts_with_both_lines(tmp_path: Path) -> None:
    path = tsv(tmp_path, [
        "Moskwa\tMoscow\t\tplace\tno\t",
        "Jenewa\tGeneva\t\tplace\tno\t",
        "moskwa\tMoscow\t\tplace\tno\t",
        "Jenewa\tGenf\t\tplace\tno\t",
    ])
    assert messages(check_glossary([path])) == [
        f"{path}:4: duplicate entry 'moskwa' -> 'Moscow' (also at {path}:2)",
        f"{path}:5: conflicting targets for 'Jenewa': 'Genf' here, 'Geneva' at {path}:3",
    ]


def test_case_sensitive_entries_with_other_case_do_not_conflict(tmp_path: Path) -> None:
    path = tsv(tmp_path, ["Natal\tChristmas\t\tother\tyes\t", "natal\tbirth\t\tother\tyes\t"])
    assert check_glossary([path]) == []


def test_duplicates_across_files_of_one_folder(tmp_path: Path) -> None:
    folder = tmp_path / "g"
    folder.mkdir()
    first = tsv(folder, ["Kairo\tCairo\t\tplace\tno\t"], name="a.tsv")
    second = tsv(folder, ["Wina\tVienna\t\tplace\tno\t", "Kairo\tKairo\t\tplace\tno\t"], name="b.tsv")
    assert messages(check_glossary([folder])) == [
        f"{second}:3: conflicting targets for 'Kairo': 'Kairo' here, 'Cairo' at {first}:2"
    ]


def test_a_later_glossary_overrides_an_earlier_one_with_a_warning(tmp_path: Path) -> None:
    """A house glossary given after the curated one wins, and says which line it overrides."""
    curated = tsv(tmp_path, ["Moskwa\tMoscow\t\tplace\tno\t", "Kairo\tCairo\t\tplace\tno\t"], name="a.tsv")
    house = tsv(tmp_path, ["Moskwa\tMoskva\t\tplace\tno\t", "Kairo\tCairo\t\tplace\tno\t"], name="house.tsv")
    assert messages(check_glossary([curated, house])) == [
        f"{house}:2: warning: overrides {curated}:2 'Moskwa' -> 'Moscow' (now 'Moskva')",
        f"{house}:3: warning: repeats {curated}:3 'Kairo' -> 'Cairo' (redundant)",
    ]
    glossary = load_glossary([curated, house])
    assert len(glossary) == 2
    [match] = glossary.match("Presiden tiba di Moskwa.")
    assert match.term.target == "Moskva" and match.term.origin == f"{house}:2"


def test_check_reports_cells_columns_categories_and_flags(tmp_path: Path) -> None:
    path = tsv(tmp_path, [
        "\tGeneva\t\tplace\tno\t",
        "Jenewa\t\t\tplace\tno\t",
        "Moskwa\tMoscow\tplace\tno\t",
        "Wina\tVienna\t\tplace\tno\t\textra",
        "Kairo\tCairo\t\tcity\tno\t",
        "Roma\tRome\t\tplace\tmaybe\t",
        "Praha Prague",
    ])
    assert messages(check_glossary([path])) == [
        f"{path}:2: empty source term",
        f"{path}:3: empty target term",
        f"{path}:4: 5 column(s), the header has 6; columns are separated by tabs",
        f"{path}:5: 7 column(s), the header has 6; columns are separated by tabs",
        f"{path}:6: unknown category 'city'; use one of place, title, organization, person, other",
        f"{path}:7: case_sensitive must be yes or no, not 'maybe'",
        f"{path}:8: 1 column(s), the header has 6; columns are separated by tabs",
    ]


def test_headerless_column_count(tmp_path: Path) -> None:
    path = tsv(tmp_path, ["Praha", "Wina\tVienna\t\tplace\tno\t\t"], header=False)
    expected = "expected 2 to 6: source, target, alternatives, category, case_sensitive, note"
    assert messages(check_glossary([path])) == [
        f"{path}:1: 1 column(s); {expected}",
        f"{path}:2: 7 column(s); {expected}",
    ]


def test_unknown_header_column(tmp_path: Path) -> None:
    path = write(tmp_path, "g.tsv", "source\ttarget\tcolour\nJenewa\tGeneva\tred\n")
    assert messages(check_glossary([path])) == [
        f"{path}:1: unknown column 'colour' in the header; known: "
        "source, target, alternatives, category, case_sensitive, note"
    ]


def test_containment_is_a_warning(tmp_path: Path) -> None:
    path = tsv(tmp_path, [
        "Menteri\tMinister\t\ttitle\tno\t",
        "Menteri Luar Negeri\tForeign Minister\t\ttitle\tno\t",
        "Luar Negeri\tforeign affairs\t\tother\tno\t",
        "Kementerian\tMinistry\t\torganization\tno\t",
    ])
    (problem,) = check_glossary([path])
    assert problem.severity == "warning"
    assert str(problem) == (
        f"{path}:3: warning: 'Menteri Luar Negeri' contains the term(s) 'Menteri' ({path}:2), "
        f"'Luar Negeri' ({path}:4); the longest match wins"
    )
    glossary = load_glossary([path])  # warnings do not stop loading
    assert len(glossary) == 4 and glossary.warnings == [problem]


def test_load_lists_every_problem_of_every_file_then_raises(tmp_path: Path) -> None:
    first = tsv(tmp_path, ["Jenewa\t\t\tplace\tno\t", "Roma\tRome\t\tplaces\tno\t"], name="a.tsv")
    second = tsv(tmp_path, ["Roma\tRoma\t\tplace\tno\t", "Wina\tVienna\t\tplace\tsure\t"], name="b.tsv")
    missing = tmp_path / "missing.tsv"
    with pytest.raises(GlossaryError) as info:
        load_glossary([first, second, missing])
    assert info.value.problems == [
        f"{missing}: no such file or folder",
        f"{first}:2: empty target term",
        f"{first}:3: unknown category 'places'; use one of place, title, organization, person, other",
        f"{second}:3: case_sensitive must be yes or no, not 'sure'",
    ]
    assert info.value.exit_code == 5 and "4 error(s)" in str(info.value)


def test_folder_reads_glossary_files_sorted_and_skips_readme(tmp_path: Path) -> None:
    tsv(tmp_path, ["Wina\tVienna\t\tplace\tno\t"], name="b.tsv")
    tsv(tmp_path, ["Kairo\tCairo\t\tplace\tno\t"], name="a.tsv")
    write(tmp_path, "c.tbx", TBX_V3)
    write(tmp_path, "README.md", "source\ttarget\nnot\ta term\n")
    write(tmp_path, "notes.txt", "Roma\tRome\n")
    assert [t.source for t in load_glossary([tmp_path])] == ["Kairo", "Wina", "Perdana Menteri", "DPR"]
    assert load_glossary(str(tmp_path)).terms == load_glossary([tmp_path]).terms


def test_empty_folder_and_unknown_extension_are_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    sheet = write(tmp_path, "g.xlsx", "")
    assert messages(check_glossary([empty, sheet])) == [
        f"{empty}: folder holds no glossary file (.tsv, .csv, .tbx)",
        f"{sheet}: unknown glossary format '.xlsx'; use .tsv, .csv, .txt (tab-separated) or .tbx",
    ]


def test_digest_ignores_order_and_notes_but_not_targets() -> None:
    a = Term("Moskwa", "Moscow", origin="a:1")
    b = Term("Jenewa", "Geneva", category="place", note="x", origin="a:2")
    digest = Glossary([a, b]).digest()
    assert len(digest) == 12
    assert Glossary([Term("Jenewa", "Geneva", category="place", note="y"), a]).digest() == digest
    assert Glossary([a, Term("Jenewa", "Genf", category="place")]).digest() != digest


# ------------------------------------------------------------------- matching


def glossary_of(*rows: tuple[str, str], exact: tuple[str, ...] = ()) -> Glossary:
    """Terms from (source, target) pairs; sources listed in ``exact`` are case-sensitive."""
    return Glossary([Term(source, target, case_sensitive=source in exact, origin=f"t:{i}")
                     for i, (source, target) in enumerate(rows, 1)])


def found(glossary: Glossary, text: str, protected: list[tuple[int, int]] | None = None) -> list[str]:
    matches = glossary.match(text, protected or [])
    for m in matches:
        assert text[m.start:m.end] == m.surface
    return [m.surface for m in matches]


NEWS = glossary_of(
    ("Presiden", "President"), ("Menteri", "Minister"), ("Menteri Luar Negeri", "Foreign Minister"),
    ("Luar Negeri", "foreign affairs"), ("PM", "PM"), ("AS", "US"), ("Bali", "Bali"),
    ("Jenewa", "Geneva"), ("Moskwa", "Moscow"), ("Kairo", "Cairo"), ("Jawa Barat", "West Java"),
    ("Barat Daya", "southwest"), exact=("PM", "AS"),
)


def test_case_rules() -> None:
    assert found(NEWS, "PM pm Pm pM PM") == ["PM", "PM"]
    assert found(NEWS, "presiden PRESIDEN Presiden") == ["presiden", "PRESIDEN", "Presiden"]
    assert found(NEWS, "as roda, AS, As") == ["AS"]


def test_longest_match_wins() -> None:
    text = "Menteri Luar Negeri Rusia dan Menteri Pertahanan"
    assert found(NEWS, text) == ["Menteri Luar Negeri", "Menteri"]
    assert [m.term.target for m in NEWS.match("Menteri  Luar\nNegeri")] == ["Foreign Minister"]


def test_word_boundaries() -> None:
    assert found(NEWS, "KASUS di Balikpapan, ASEAN, PMI, Kairox dan diBali") == []
    assert found(NEWS, "(Bali) \"AS\" Jenewa.") == ["Bali", "AS", "Jenewa"]


def test_clitics_and_hyphenated_forms() -> None:
    text = "Presidennya ke Jenewa-lah, rute Moskwa-Kairo, Balipun, ASkah, AS-nya"
    matches = NEWS.match(text)
    assert [m.surface for m in matches] == ["Presiden", "Jenewa", "Moskwa", "Kairo", "Bali", "AS", "AS"]
    assert text[matches[0].end:].startswith("nya")
    assert found(NEWS, "Menteri Luar Negerinya") == ["Menteri Luar Negeri"]
    assert found(NEWS, "Balinyaan pmnya") == []


def test_title_followed_by_a_name_matches_as_the_title() -> None:
    (match,) = NEWS.match("Presiden Joko Widodo tiba.")
    assert (match.surface, match.term.target, match.start, match.end) == ("Presiden", "President", 0, 8)


def test_never_across_an_inline_code() -> None:
    assert found(NEWS, "Menteri \ue000Luar Negeri\ue001") == ["Menteri", "Luar Negeri"]
    assert found(NEWS, "\ue000Jenewa\ue001-lah") == ["Jenewa"]
    assert found(NEWS, "Jawa\ue000 Barat") == []


def test_never_inside_a_protected_span() -> None:
    text = "lihat https://bali.example/Jenewa lalu Bali"
    url = (6, text.index(" lalu"))
    assert found(NEWS, text, [url]) == ["Bali"]
    assert found(NEWS, "Menteri Luar Negeri", [(9, 10)]) == ["Menteri"]
    assert found(NEWS, "Jawa Barat", [(4, 5)]) == []


def test_overlapping_nested_and_repeated_terms() -> None:
    assert found(NEWS, "Jawa Barat Daya") == ["Jawa Barat"]  # leftmost wins over the overlapping right one
    assert found(NEWS, "Barat Daya") == ["Barat Daya"]
    assert found(NEWS, "Bali, Bali dan Bali") == ["Bali", "Bali", "Bali"]
    matches = NEWS.match("Menteri Luar Negeri bertemu Menteri")
    assert [(m.start, m.end) for m in matches] == [(0, 19), (28, 35)]


def test_exact_case_entry_beats_case_insensitive_one() -> None:
    glossary = glossary_of(("natal", "birth"), ("Natal", "Christmas"), exact=("Natal",))
    assert [m.term.target for m in glossary.match("Natal dan natal")] == ["Christmas", "birth"]


def test_terms_with_punctuation_and_apostrophes() -> None:
    glossary = glossary_of(("Bandara Soekarno-Hatta", "Soekarno-Hatta Airport"),
                           ("Ma'ruf Amin", "Ma'ruf Amin"), ("Kementerian ATR/BPN", "Agrarian Ministry"))
    assert found(glossary, "di Bandara Soekarno-Hatta, Ma\u2019ruf Amin dan Kementerian ATR/BPN") == [
        "Bandara Soekarno-Hatta", "Ma\u2019ruf Amin", "Kementerian ATR/BPN"]


def test_empty_glossary_and_text() -> None:
    assert Glossary([]).match("Presiden") == []
    assert NEWS.match("") == []


# -------------------------------------------------------------------- metrics

METRIC = glossary_of(("Presiden", "President"), ("AS", "US"), ("Menteri", "Minister"),
                     ("Menteri Luar Negeri", "Foreign Minister"), exact=("AS",))


def test_term_success_rate_counts_occurrences_case_insensitively() -> None:
    sources = ["Presiden AS bertemu Menteri Luar Negeri dan Menteri lain.", "Presiden dan Presiden.",
               "Tanpa."]
    hypotheses = ["The US president met the Foreign Minister and another minister.",
                  "The President and his aides.", "Nothing."]
    score = term_success_rate(sources, hypotheses, METRIC)
    assert (score.found, score.total) == (5, 6)
    assert score.score == pytest.approx(100 * 5 / 6)
    assert [(m.segment, m.term.source) for m in score.misses] == [(1, "Presiden")]
    assert score.signature.startswith(f"term_success_rate|glossary:{METRIC.digest()}|case:insensitive")


def test_minister_cannot_reuse_the_one_inside_foreign_minister() -> None:
    score = term_success_rate(["Menteri Luar Negeri dan Menteri"], ["The Foreign Minister spoke."], METRIC)
    assert (score.found, score.total) == (1, 2)
    assert score.misses[0].term.source == "Menteri"


def test_case_sensitive_entries_need_exact_target_case() -> None:
    score = term_success_rate(["AS dan AS"], ["Let us talk to the US."], METRIC)
    assert (score.found, score.total) == (1, 2)


def test_exact_match_accuracy_is_case_sensitive() -> None:
    sources = ["Presiden AS bertemu Menteri Luar Negeri dan Menteri lain.", "Presiden dan Presiden."]
    hypotheses = ["The US president met the Foreign Minister and another minister.",
                  "The President and the President."]
    score = exact_match_accuracy(sources, hypotheses, METRIC)
    assert (score.found, score.total) == (4, 6)
    assert score.rate == pytest.approx(4 / 6)
    assert score.signature.startswith("exact_match_accuracy|") and "case:exact" in score.signature


def test_alternatives_count_and_word_boundaries_apply() -> None:
    glossary = Glossary([Term("Amerika Serikat", "United States", ("U.S.", "US")), Term("Kairo", "Cairo")])
    sources = ["Amerika Serikat dan Kairo", "Amerika Serikat"]
    score = term_success_rate(sources, ["The U.S. and Cairoo", "the US"], glossary)
    assert (score.found, score.total) == (2, 3)


def test_per_category_breakdown() -> None:
    glossary = Glossary([Term("Presiden", "President", category="title"),
                         Term("Jenewa", "Geneva", category="place"),
                         Term("Moskwa", "Moscow", category="place")])
    score = term_success_rate(["Presiden ke Jenewa dan Moskwa"], ["The President went to Geneva and Moskva"],
                              glossary)
    counts = {c: (n.found, n.total) for c, n in score.by_category.items()}
    assert counts == {"title": (1, 1), "place": (1, 2)}
    assert score.as_dict()["by_category"]["place"] == {"found": 1, "total": 2, "score": 50.0}


def test_no_terms_gives_zero_of_zero() -> None:
    score = exact_match_accuracy(["Tanpa istilah."], ["No terms."], METRIC)
    assert (score.found, score.total, score.rate) == (0, 0, 0.0)


def test_metrics_refuse_mismatched_lengths() -> None:
    with pytest.raises(ScoreError):
        term_success_rate(["a", "b"], ["a"], METRIC)


# ---------------------------------------------------------- the real glossaries


@pytest.mark.skipif(not REPO_GLOSSARIES.is_dir(), reason="glossaries/ folder not present")
def test_repository_glossaries_load_without_errors() -> None:
    errors = [p for p in check_glossary([REPO_GLOSSARIES]) if p.severity == "error"]
    assert errors == []
    glossary = load_glossary([REPO_GLOSSARIES])
    assert len(glossary) >= 400
    assert {t.category for t in glossary} <= {"place", "title", "organization", "person", "other"}
    targets = {m.surface: m.term.target for m in glossary.match("Presiden Joko Widodo tiba di Moskwa.")}
    assert targets == {"Presiden": "President", "Moskwa": "Moscow"}
