"""Import refuses what does not fit the original, listing every problem, and writes nothing.

Also: the XLIFF written validates against the OASIS schemas, hostile XML is
refused, PO escaping round-trips, and apply_targets checks codes and nesting.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import polib
import pytest
from lxml import etree

from translate.document import SegmentId
from translate.engines import create_engine
from translate.engines.base import confidence_of
from translate.errors import InputError
from translate.exchange.export import export_files
from translate.exchange.importer import ImportProblems, import_file
from translate.exchange.model import END, ISOLATED, START, Tag
from translate.exchange.po import read_text, write_text
from translate.exchange.xliff12 import NS as NS12
from translate.exchange.xliff21 import MTC
from translate.exchange.xliff21 import NS as NS21
from translate.formats import get_format
from translate.localize import Localizer
from translate.memory import MemoryEntry
from translate.memory_store import SQLiteMemory
from translate.pipeline import load_document
from translate.segment import segment_document
from translate.targets import TargetError, apply_targets

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "tests" / "data" / "xliff-schemas"
CORPUS = sorted(p.name for p in (ROOT / "corpora").glob("*.id.*"))


def export(tmp_path: Path, name: str, to: str = "xliff", **options) -> Path:
    shutil.copy(ROOT / "corpora" / name, tmp_path / name)
    report = export_files([tmp_path / name], create_engine("pseudo"), to, localizer=Localizer(), **options)
    assert not report.failures, report.failures[0].error
    return report.results[0].output


def replace_in(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ImportProblems) as raised:
        import_file(path)
    assert not list(path.parent.glob("*.en.*")), "nothing may be written"
    return raised.value.problems


# ------------------------------------------------------------------ import problems


def test_missing_code_is_listed_with_unit_and_line(tmp_path: Path) -> None:
    exported = export(tmp_path, "kereta-cepat.id.md")
    text = exported.read_text(encoding="utf-8")
    # unit 2.1's target: drop the <g> but keep its words
    unit = re.search(r'<trans-unit id="2.1".*?</trans-unit>', text, re.S).group()
    target = re.search(r"<target [^>]*>.*?</target>", unit, re.S).group()
    edited = re.sub(r"<g [^>]*>|</g>", "", target)
    exported.write_text(text.replace(target, edited, 1), encoding="utf-8")
    line = text[: text.index('<trans-unit id="2.1"')].count("\n") + 1
    problems = problems_of(exported)
    assert problems == [f"line {line}: unit 2.1: tag 1 ('*…*') is missing from the target"]


def test_duplicated_code_and_unknown_unit_are_all_listed(tmp_path: Path) -> None:
    exported = export(tmp_path, "kereta-cepat.id.md")
    replace_in(exported, 'mt-suggestion">[Péñåmbåĥåñ', 'mt-suggestion">[<x id="1"/>Péñåmbåĥåñ')
    replace_in(exported, '<trans-unit id="3.0"', '<trans-unit id="99.0"')
    problems = problems_of(exported)
    assert any(
        "unit 2.1: tag 1 (start) is not in the source; there it is a start tag" in p
        or "unit 2.1: tag 1" in p
        and "isolated" in p
        for p in problems
    ), problems
    assert any("unit 99.0: unknown unit id" in p for p in problems), problems
    assert any(p == "unit 3.0: missing from the file (the export had it)" for p in problems), problems


def set_po_target(path: Path, unit: str, text: str) -> None:
    po = polib.pofile(str(path), wrapwidth=0)
    next(e for e in po if e.msgctxt == unit).msgstr = text
    po.save(str(path))


def test_duplicated_span_is_refused(tmp_path: Path) -> None:
    exported = export(tmp_path, "kereta-cepat.id.md", "po")
    set_po_target(exported, "2.1", "<1>x</1> This answers the surge over <1>Lebaran</1>.")
    problems = problems_of(exported)
    assert len(problems) == 1 and "unit 2.1: tag 1 ('*…*') appears 2 times" in problems[0], problems
    assert problems[0].startswith("line ")


def test_crossing_spans_are_refused(tmp_path: Path) -> None:
    exported = export(tmp_path, "bus-listrik.id.docx", "po")
    set_po_target(
        exported, "2.0", "Departure times are on the <1><2>agency's</1> website</2> and at every stop."
    )
    problems = problems_of(exported)
    assert any("unit 2.0" in p and "spans must nest" in p for p in problems), problems


def test_changed_original_is_a_clear_error(tmp_path: Path) -> None:
    exported = export(tmp_path, "banjir-bekasi.id.txt")
    original = tmp_path / "banjir-bekasi.id.txt"
    original.write_text(original.read_text(encoding="utf-8") + "\nTambahan.\n", encoding="utf-8")
    with pytest.raises(InputError, match="changed since the export"):
        import_file(exported)
    assert not (tmp_path / "banjir-bekasi.en.txt").exists()


def test_moved_original_needs_source(tmp_path: Path) -> None:
    exported = export(tmp_path, "banjir-bekasi.id.txt")
    moved = tmp_path / "elsewhere" / "artikel.id.txt"
    moved.parent.mkdir()
    (tmp_path / "banjir-bekasi.id.txt").rename(moved)
    with pytest.raises(InputError, match="pass --source FILE"):
        import_file(exported)
    result = import_file(exported, source=moved)
    assert result.output == moved.parent / "artikel.en.txt" and result.output.exists()


def test_malformed_xml_names_the_line(tmp_path: Path) -> None:
    exported = export(tmp_path, "banjir-bekasi.id.txt")
    replace_in(exported, "</trans-unit>", "</trans-unt>")
    with pytest.raises(InputError, match=r"line \d+: malformed XML"):
        import_file(exported)
    assert not (tmp_path / "banjir-bekasi.en.txt").exists()


def test_source_edited_in_the_tool_is_refused(tmp_path: Path) -> None:
    exported = export(tmp_path, "banjir-bekasi.id.txt", "xliff2")
    replace_in(exported, "<source>Hujan deras", "<source>Hujan lebat", count=2)  # the match's and the unit's
    problems = problems_of(exported)
    assert len(problems) == 1 and "unit 2.1: the source differs" in problems[0]


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE xliff [
 <!ENTITY a "aaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file><body>
<trans-unit id="0.0"><source>&c;</source></trans-unit></body></file></xliff>
"""


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.xlf"
    path.write_bytes(BILLION_LAUGHS)
    with pytest.raises(InputError, match="document type declaration .* is refused"):
        import_file(path)


def test_external_entity_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.xlf"
    path.write_bytes(b'<!DOCTYPE x SYSTEM "file:///etc/passwd"><xliff version="1.2">&x;</xliff>')
    with pytest.raises(InputError, match="entity reference &x; is refused"):
        import_file(path)


# ------------------------------------------------------------------ schemas


def _schema(name: str) -> etree.XMLSchema:
    """An OASIS schema from tests/data, its xml.xsd import pointed at the local copy (no network)."""
    document = etree.parse(str(SCHEMAS / name))
    for element in document.getroot().iter("{http://www.w3.org/2001/XMLSchema}import"):
        if element.get("namespace") == "http://www.w3.org/XML/1998/namespace":
            element.set("schemaLocation", (SCHEMAS / "xml.xsd").resolve().as_uri())
    return etree.XMLSchema(document)


@pytest.fixture(scope="module")
def approved_memory(tmp_path_factory: pytest.TempPathFactory) -> SQLiteMemory:
    """A memory with a post-edit similar to a corpus sentence, so exports carry fuzzy matches."""
    from translate.memory import normalise

    memory = SQLiteMemory(tmp_path_factory.mktemp("tm") / "tm.sqlite")
    norm = normalise("Penambahan ini dilakukan untuk menjawab lonjakan penumpang selama libur Natal.", {})
    memory.store(
        [
            MemoryEntry(
                norm.key("id", "en-US"),
                "This was done to meet the surge over Christmas.",
                norm.code_data,
                "older.md",
                "post-edit",
                True,
            )
        ]
    )
    return memory


@pytest.mark.parametrize("mt_as", ["target", "match"])
@pytest.mark.parametrize("name", CORPUS)
@pytest.mark.parametrize(
    ("to", "schema"), [("xliff", "xliff-core-1.2-strict.xsd"), ("xliff2", "xliff-core-2.0.xsd")]
)
def test_export_validates_against_the_oasis_schema(
    tmp_path: Path, name: str, to: str, schema: str, mt_as: str, approved_memory: SQLiteMemory
) -> None:
    exported = export(tmp_path, name, to, memory=approved_memory, fuzzy_threshold=60, mt_as=mt_as)
    validator = _schema(schema)
    assert validator.validate(etree.parse(str(exported))), validator.error_log


def test_fuzzy_match_appears_in_both_xliff_versions(tmp_path: Path, approved_memory: SQLiteMemory) -> None:
    for to in ("xliff", "xliff2"):
        (tmp_path / to).mkdir()
        exported = export(tmp_path / to, "kereta-cepat.id.md", to, memory=approved_memory, fuzzy_threshold=60)
        text = exported.read_text(encoding="utf-8")
        assert "This was done to meet the surge over Christmas." in text
        if to == "xliff":
            assert re.search(r'<alt-trans origin="translation-memory" match-quality="\d+"', text)
        else:
            root = etree.parse(str(exported)).getroot()
            matches = [m for m in root.iter(f"{{{MTC}}}match") if m.get("similarity") not in (None, "100.0")]
            assert len(matches) == 1 and 60 <= float(matches[0].get("similarity")) < 100
            assert matches[0].get("ref") == "#s1"
            unit = matches[0].getparent().getparent()
            assert unit.find(f"{{{NS21}}}segment").get("id") == "s1"
            assert [etree.QName(c).localname for c in matches[0]] == ["source", "target"]


def test_fuzzy_match_appears_in_po_as_a_comment(tmp_path: Path, approved_memory: SQLiteMemory) -> None:
    """Issue 15: PO has no alternatives element; the fuzzy match is an extracted comment with its
    similarity and origin, beside the unit it resembles, and the target stays the MT."""
    exported = export(tmp_path, "kereta-cepat.id.md", "po", memory=approved_memory, fuzzy_threshold=60)
    [entry] = [e for e in polib.pofile(str(exported)) if "TM " in e.comment and "post-edit" in e.comment]
    [line] = [c for c in entry.comment.splitlines() if c.startswith("TM ")]
    assert re.fullmatch(r"TM (\d+)% \(post-edit\): Penambahan .* => This was done to meet the surge over "
                        r"Christmas\.", line)
    assert 60 <= int(re.match(r"TM (\d+)%", line).group(1)) < 100
    assert entry.msgid.startswith("Penambahan ini") and "Christmas" not in entry.msgstr


def test_quantities_show_indonesian_in_source_and_english_in_target(tmp_path: Path) -> None:
    exported = export(tmp_path, "banjir-bekasi.id.txt", "xliff2")
    root = etree.parse(str(exported)).getroot()
    unit = root.find(f".//{{{NS21}}}unit[@id='1.0']")
    source = "".join(unit.find(f"{{{NS21}}}segment/{{{NS21}}}source").itertext())
    target = "".join(unit.find(f"{{{NS21}}}segment/{{{NS21}}}target").itertext())
    assert "2,5 Meter" in source and "1.250" in source and "2.5 meters" not in source
    assert "2.5 meters" in target and "1,250" in target
    notes = [n.text for n in unit.iter(f"{{{NS21}}}note")]
    assert "2,5 Meter → 2.5 meters (localized)" in notes


# ------------------------------------------------------------------ PO text and apply_targets


def test_po_tags_and_escapes_round_trip() -> None:
    content = ["a\\b <1> literal ", Tag(START, "1"), "x", Tag(END, "1"), " ", Tag(ISOLATED, "2")]
    text = write_text(content)
    assert text == "a\\\\b \\<1> literal <1>x</1> <2/>"
    spans = {"1": type("Info", (), {"role": START})()}
    assert read_text(text, spans) == content


def _document(markdown: str):
    return segment_document(get_format("markdown").read(markdown.encode(), "doc.md"))


def test_apply_targets_sets_all_or_nothing() -> None:
    document = _document("Satu **dua** tiga. Empat lima.\n")
    first, second = document.blocks[0].segments
    bold = [c for c in first.source if ord(c) >= 0xE000]
    with pytest.raises(TargetError) as raised:
        apply_targets(
            document,
            {
                str(first.id): "One two three.",
                str(second.id): "Four five.",
                str(SegmentId("doc.md", 7, 0)): "x",
            },
        )
    messages = [str(p) for p in raised.value.problems]
    assert "segment doc.md#7.0: no such segment in the document" in messages
    assert any("appears 0 time(s), expected 1" in m for m in messages)
    assert first.target is None and second.target is None
    moved = f"{bold[0]}One{bold[1]} two three."
    apply_targets(document, {str(first.id): moved, str(second.id): "Four five."})
    assert get_format("markdown").write(document).decode() == "**One** two three. Four five.\n"


def test_apply_targets_refuses_crossing_spans() -> None:
    document = _document("Satu **dua *tiga* empat** lima.\n")
    (segment,) = document.blocks[0].segments
    b1, i1, i2, b2 = [c for c in segment.source if ord(c) >= 0xE000]
    with pytest.raises(TargetError, match="1 problem"):
        apply_targets(document, {str(segment.id): f"One {b1}two {i1}three{b2} four{i2} five."})


def test_import_reads_a_document_freshly(tmp_path: Path) -> None:
    """The document import writes is read anew, never the protected one export used."""
    exported = export(tmp_path, "banjir-bekasi.id.txt", "po")
    result = import_file(exported)
    assert load_document(result.original).blocks[0].codes == {}


@pytest.mark.parametrize("to", ["xliff", "xliff2", "po"])
def test_memory_match_left_empty_keeps_the_memory_target(tmp_path: Path, to: str) -> None:
    """A unit filled from the memory and emptied by the translator keeps that target, not the source."""
    from translate.memory import normalise

    memory = SQLiteMemory(tmp_path / "tm.sqlite")
    norm = normalise("Jadwal dan Tarif Baru", {})
    memory.store(
        [MemoryEntry(norm.key("id", "en-US"), "New Schedule and Fares", [], "a.md", "post-edit", True)]
    )
    exported = export(tmp_path, "kereta-cepat.id.md", to, memory=memory, fuzzy_threshold=90)
    text = exported.read_text(encoding="utf-8")
    assert text.count("New Schedule and Fares") >= 2  # the target, and the exact match beside it
    if to == "po":
        set_po_target(exported, "4.0", "")
    else:
        pattern = r'(<trans-unit id="4.0".*?<target[^>]*>)New Schedule and Fares(</target>)'
        if to == "xliff2":
            pattern = r'(<unit id="4.0".*?<segment[^>]*>.*?<target>)New Schedule and Fares(</target>)'
        exported.write_text(re.sub(pattern, r"\1\2", text, count=1, flags=re.S), encoding="utf-8")
    result = import_file(exported)
    assert result.counts["empty"] == 1
    assert "## New Schedule and Fares" in result.output.read_text(encoding="utf-8")


# ------------------------------------------------------------------ what each unit tells the translator


@pytest.mark.parametrize("to", ["xliff", "xliff2", "po"])
def test_units_carry_terms_quantities_qa_flags_the_mt_state_and_the_originals_hash(
    tmp_path: Path, tiny_model_dir: Path, to: str
) -> None:
    """Issue 15: glossary terms with their required English, localized quantities and QA flags as
    notes (each once, however often the term occurs), the MT marked as machine output, and the
    original's SHA-256."""
    from translate.exchange.export import sha256
    from translate.glossary import load_glossary

    source = tmp_path / "banjir-bekasi.id.txt"
    shutil.copy(ROOT / "corpora" / source.name, source)
    glossary = tmp_path / "g.tsv"
    glossary.write_text("Bekasi\tBekasi City\nwarga\tresidents\n", encoding="utf-8")
    engine = create_engine("marian", model=str(tiny_model_dir), beam=1, max_length=8)  # cut short: QA flags
    report = export_files([source], engine, to, localizer=Localizer(), glossary=load_glossary([glossary]))
    assert not report.failures
    exported = report.results[0].output
    text = exported.read_text(encoding="utf-8")
    assert sha256(source.read_bytes()) in text
    if to == "po":
        units = {entry.msgctxt: entry.comment.splitlines() for entry in polib.pofile(str(exported))}
        assert all("fuzzy" in entry.flags for entry in polib.pofile(str(exported)) if entry.msgstr)
    else:
        ns, unit_tag = (NS12, "trans-unit") if to == "xliff" else (NS21, "unit")
        root = etree.parse(str(exported)).getroot()
        units = {}
        for unit in root.iter(f"{{{ns}}}{unit_tag}"):
            prefix = (lambda note: f"{note.get('category')}: ") if to == "xliff2" else (lambda note: "")
            units[unit.get("id")] = [prefix(n) + n.text for n in unit.iter(f"{{{ns}}}note")]
        if to == "xliff":
            targets = list(root.iter(f"{{{ns}}}target"))
            states = {(t.get("state"), t.get("state-qualifier")) for t in targets if t.get("state")}
            assert states == {("needs-review-translation", "mt-suggestion")}
        else:
            segments = list(root.iter(f"{{{ns}}}segment"))
            assert {s.get("state") for s in segments} == {"initial"}
            assert len([m for m in root.iter(f"{{{MTC}}}match") if m.get("type") == "mt"]) == len(segments)
    title, lead = units["1.0"], units["2.0"]  # "Bekasi" twice in the lead ("Bekasi —", "Kota Bekasi")
    assert f"glossary: Bekasi → Bekasi City (required; {glossary}:1)" in title
    assert f"glossary: Warga → residents (required; {glossary}:2)" in title
    assert "quantity: 1.250 → 1,250 (localized)" in title
    assert "quantity: Senin, 2 Maret 2026 → Monday, March 2, 2026 (localized)" in lead
    assert any(n.startswith("qa: error (truncated): the engine stopped at its length limit") for n in lead)
    assert lead.count(f"glossary: Bekasi → Bekasi City (required; {glossary}:1)") == 1


@pytest.mark.parametrize(
    ("to", "schema", "opening", "closing", "markup"),
    [
        ("xliff", "xliff-core-1.2-strict.xsd", '<bx id="1" equiv-text="**" ctype="bold"/>',
         '<ex id="1" equiv-text="**"/>', 'equiv-text="**"'),
        ("xliff2", "xliff-core-2.0.xsd", '<sc dataRef="d1" isolated="yes" id="1"',
         '<ec dataRef="d1" isolated="yes" id="1"', '<data id="d1">**</data>'),
    ],
)
def test_a_span_across_sentences_is_split_into_halves_that_import_back(
    tmp_path: Path, to: str, schema: str, opening: str, closing: str, markup: str
) -> None:
    """Issue 15: bold over a sentence boundary is <bx/>…<ex/> (1.2) or isolated <sc/>…<ec/> (2.1),
    each half in its own unit and carrying the markup; the file validates and imports unchanged."""
    source = tmp_path / "silang.id.md"
    source.write_text("Harga **beras naik. Warga mengeluh** di pasar.\n", encoding="utf-8")
    report = export_files([source], create_engine("pseudo"), to, localizer=Localizer())
    exported = report.results[0].output
    text = exported.read_text(encoding="utf-8")
    assert f"Harga {opening}" in text and f"Warga mengeluh{closing}" in text and markup in text
    validator = _schema(schema)
    assert validator.validate(etree.parse(str(exported))), validator.error_log
    from translate.pipeline import run

    run([source], create_engine("pseudo"), tmp_path / "run", localizer=Localizer())
    written = import_file(exported).output.read_bytes()
    assert written == (tmp_path / "run" / "silang.en.md").read_bytes() and written.count(b"**") == 2

# ------------------------------------------------------------------ engine confidence and QA notes


def test_engine_confidence_and_qa_findings_travel_into_every_exchange_format(
    tmp_path: Path, tiny_model_dir: Path
) -> None:
    """Each MT unit notes the engine's confidence and its QA findings; XLIFF 2.1 puts the
    confidence on the MT match too, XLIFF 1.2 never as match-quality (CAT tools read a fuzzy %)."""
    from translate.qa import findings_by_segment

    name = "banjir-bekasi.id.txt"
    shutil.copy(ROOT / "corpora" / name, tmp_path / name)
    document = load_document(tmp_path / name)
    engine = create_engine("marian", model=str(tiny_model_dir), beam=1, max_length=4)
    from translate.pipeline import translate_documents
    from translate.qa import check_documents

    translate_documents([document], engine)  # what export does, to know the expected numbers
    segment = next(s for s in document.segments() if s.score is not None)
    unit_id = f"{segment.id.block}.{segment.id.index}"
    confidence = confidence_of(segment.score)
    findings = findings_by_segment(check_documents([document]))[str(segment.id)]
    assert any(f.check == "truncated" for f in findings)  # max_length 4 cuts every sentence
    schemas = {"xliff": "xliff-core-1.2-strict.xsd", "xliff2": "xliff-core-2.0.xsd", "po": None}
    for to, schema in schemas.items():
        (tmp_path / to).mkdir()
        report = export_files([tmp_path / name], engine, to, tmp_path / to)
        assert not report.failures, report.failures[0].error
        exported = report.results[0].output
        notes = _unit_notes(exported, to, unit_id)
        assert (f"mt-confidence: {confidence:.0%} (the engine's average log-probability "
                f"{segment.score:.2f} per token)") in notes, to
        for finding in findings:
            assert f"qa: {finding.severity} ({finding.check}): {finding.message}" in notes, to
        if schema is not None:
            validator = _schema(schema)
            assert validator.validate(etree.parse(str(exported))), validator.error_log
        if to == "xliff":
            assert 'origin="machine-translation" match-quality' not in exported.read_text(encoding="utf-8")
        if to == "xliff2":
            unit = etree.parse(str(exported)).getroot().find(f".//{{{NS21}}}unit[@id='{unit_id}']")
            [match] = [m for m in unit.iter(f"{{{MTC}}}match") if m.get("type") == "mt"]
            assert float(match.get("matchQuality")) == pytest.approx(confidence * 100, abs=0.05)


def _unit_notes(exported: Path, to: str, unit_id: str) -> list[str]:
    """A unit's notes as ``category: text``, however the exchange format writes them."""
    if to == "po":
        [entry] = [e for e in polib.pofile(str(exported)) if e.msgctxt == unit_id]
        return entry.comment.splitlines()
    root = etree.parse(str(exported)).getroot()
    if to == "xliff":
        unit = root.find(f".//{{{NS12}}}trans-unit[@id='{unit_id}']")
        return [note.text for note in unit.findall(f"{{{NS12}}}note")]
    unit = root.find(f".//{{{NS21}}}unit[@id='{unit_id}']")
    return [f"{note.get('category')}: {note.text}" for note in unit.iter(f"{{{NS21}}}note")]
