"""Export → a translator's edits → import, for every document format and exchange format.

The edits are those a post-editor makes: reword around an inline code, move a code,
leave units untouched.  The imported document must equal a reviewed expected file
(``tests/data/exchange/NAME.expected.EXT``; ``REGEN_REFERENCES=1`` rewrites them),
the same whichever exchange format carried the edits.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import polib
import pytest
from lxml import etree

from translate.engines import create_engine
from translate.exchange.export import export_files
from translate.exchange.importer import import_file
from translate.exchange.xliff12 import NS as NS12
from translate.exchange.xliff21 import MTC
from translate.exchange.xliff21 import NS as NS21
from translate.localize import Localizer

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = ROOT / "tests" / "data" / "exchange"

#: Per corpus article: unit id -> (a word its source must contain, the translator's target).
#: Tags are written PO-style: <1>…</1> a span, <2/> standalone.
EDITS: dict[str, dict[str, tuple[str, str]]] = {
    "banjir-bekasi.id.txt": {
        "1.0": ("Banjir", "Floods 2.5 Meters Deep Swamp Bekasi, 1,250 Residents Flee"),
        "2.1": (
            "Hujan",
            "Heavy rain upstream since Sunday night made the Bekasi River overflow before dawn.",
        ),
    },
    "kereta-cepat.id.md": {
        # codes moved: the bold "12 perjalanan" now comes first, "Jakarta" later
        "2.0": (
            "Jakarta",
            "<2>Twelve trips</2> a day will be added by PT KCIC of <1>Jakarta</1> from April 1, 2026.",
        ),
        # reworded around the code
        "2.1": (
            "Lebaran",
            "This answers the surge of passengers over the <1>Lebaran holiday</1> and long weekends.",
        ),
        "5.0": (
            "laman",
            "KCIC's president director said the full schedule is on <1>KCIC's website</1> from next week.",
        ),
    },
    "perahu-pustaka.id.html": {
        "16.0": (
            "perahu",
            "<1>Jakarta —</1> A blue wooden boat now calls at six islands of the Thousand Islands "
            "every week, carrying more than 2,000 books for children and residents.",
        ),
        "18.0": (
            "Pustaka",
            "Children of Kelapa Island read on the deck of the <1>Library Boat</1>, Saturday "
            "(April 11, 2026).",
        ),
    },
    "bus-listrik.id.docx": {
        "1.0": (
            "Surabaya",
            "For <2>two months</2> the Surabaya city government will test <1>ten electric buses</1>"
            " on a route linking three large campuses, before fares are set.",
        ),
        "2.0": (
            "Jadwal",
            "Departure times are on the <1><2>transport agency's website</2></1> and at every stop.",
        ),
    },
}
EXCHANGES = ["xliff", "xliff2", "po"]


def export(tmp_path: Path, name: str, to: str, mt_as: str = "target") -> Path:
    source = tmp_path / name
    shutil.copy(ROOT / "corpora" / name, source)
    report = export_files([source], create_engine("pseudo"), to, localizer=Localizer(), mt_as=mt_as)
    assert not report.failures, report.failures[0].error
    return report.results[0].output


def _to_xml(text: str, version: str) -> str:
    """PO-style tags as XLIFF inline elements (the ids are what import reads)."""
    span, single = ("g", "x") if version == "xliff" else ("pc", "ph")
    text = text.replace("&", "&amp;")
    text = re.sub(r"<(\d+)/>", rf'<{single} id="\1"/>', text)
    text = re.sub(r"</\d+>", f"</{span}>", text)
    return re.sub(r"<(\d+)>", rf'<{span} id="\1">', text)


def edit(path: Path, to: str, edits: dict[str, tuple[str, str]], state: str | None = None) -> None:
    """Set targets as a CAT tool would save them."""
    if to == "po":
        po = polib.pofile(str(path), wrapwidth=0)
        for entry in po:
            if entry.msgctxt in edits:
                word, text = edits[entry.msgctxt]
                assert word in entry.msgid
                entry.msgstr = text
                entry.flags = [f for f in entry.flags if f != "fuzzy"]
        po.save(str(path))
        return
    ns = NS12 if to == "xliff" else NS21
    tree = etree.parse(str(path))
    unit_tag = "trans-unit" if to == "xliff" else "unit"
    for unit in tree.iter(f"{{{ns}}}{unit_tag}"):
        if unit.get("id") not in edits:
            continue
        word, text = edits[unit.get("id")]
        parent = unit if to == "xliff" else unit.find(f"{{{ns}}}segment")
        source = parent.find(f"{{{ns}}}source")
        assert word in "".join(source.itertext())
        target = parent.find(f"{{{ns}}}target")
        if target is None:  # exported with --mt-as match: the tool adds the target after the source
            target = etree.Element(f"{{{ns}}}target")
            source.addnext(target)
        fragment = etree.fromstring(f'<target xmlns="{ns}">{_to_xml(text, to)}</target>')
        target.text, target[:] = fragment.text, list(fragment)
        if state and to == "xliff":
            target.set("state", state)
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")


def assert_same_document(produced: Path, expected: Path) -> None:
    if produced.suffix == ".docx":
        from test_format_docx import canonical, members

        got, want = members(produced.read_bytes()), members(expected.read_bytes())
        assert list(got) == list(want)
        for name, content in want.items():
            same = (
                canonical(got[name]) == canonical(content)
                if name.endswith((".xml", ".rels"))
                else (got[name] == content)
            )
            assert same, name
    else:
        assert produced.read_text(encoding="utf-8") == expected.read_text(encoding="utf-8")


@pytest.mark.parametrize("to", EXCHANGES)
@pytest.mark.parametrize("name", sorted(EDITS))
def test_export_edit_import_gives_the_expected_document(tmp_path: Path, name: str, to: str) -> None:
    exported = export(tmp_path, name, to)
    edit(exported, to, EDITS[name])
    result = import_file(exported)
    assert result.output == tmp_path / name.replace(".id.", ".en.")
    assert result.counts["edited"] == len(EDITS[name])
    assert result.counts["untouched"] > 0  # the rest keeps the machine output
    expected = EXPECTED / name.replace(".id.", ".expected.")
    if os.environ.get("REGEN_REFERENCES") and to == "xliff":
        expected.parent.mkdir(parents=True, exist_ok=True)
        expected.write_bytes(result.output.read_bytes())
    assert expected.exists(), f"missing {expected}; create it with REGEN_REFERENCES=1"
    assert_same_document(result.output, expected)


def test_translators_text_arrives_verbatim_and_codes_follow_it(tmp_path: Path) -> None:
    exported = export(tmp_path, "kereta-cepat.id.md", "xliff")
    edit(exported, "xliff", EDITS["kereta-cepat.id.md"])
    output = import_file(exported).output.read_text(encoding="utf-8")
    assert "**Twelve trips** a day will be added by PT KCIC of **Jakarta** from April 1, 2026." in output
    assert "[KCIC's website](https://example.org/kcic/jadwal)" in output
    assert "Ĵåðŵåļ ðåñ Ţåŕîf Båŕû" in output  # an untouched unit keeps the machine output


def test_empty_target_keeps_the_machine_translation_and_is_counted(tmp_path: Path) -> None:
    exported = export(tmp_path, "banjir-bekasi.id.txt", "po")
    po = polib.pofile(str(exported), wrapwidth=0)
    po[0].msgstr = ""
    po.save(str(exported))
    result = import_file(exported)
    assert result.counts["empty"] == 1
    from translate.pipeline import run

    run([tmp_path / "banjir-bekasi.id.txt"], create_engine("pseudo"), tmp_path / "run", localizer=Localizer())
    assert result.output.read_bytes() == (tmp_path / "run" / "banjir-bekasi.en.txt").read_bytes()


def test_unedited_export_imports_to_what_run_writes(tmp_path: Path) -> None:
    from translate.pipeline import run

    for name in sorted(EDITS):
        for to in EXCHANGES:
            (tmp_path / to).mkdir(exist_ok=True)
            exported = export(tmp_path / to, name, to)
            result = import_file(exported)
            run([tmp_path / to / name], create_engine("pseudo"), tmp_path / to / "run", localizer=Localizer())
            produced, written = result.output, tmp_path / to / "run" / result.output.name
            if produced.suffix == ".html":
                # run re-encodes a block whose source held a protected number (``&copy; 2026`` is
                # written ``© 2026``); import reads the original unprotected and keeps the entity.
                import html

                assert html.unescape(produced.read_text("utf-8")) == html.unescape(written.read_text("utf-8"))
            else:
                assert_same_document(produced, written)


# ------------------------------------------------------------------ --mt-as match


def _mt_units(path: Path, to: str) -> list[tuple[bool, str]]:
    """Per unit offered an MT: (has a target, the MT), as a CAT tool reads the file."""
    if to == "po":
        return [(bool(e.msgstr), next(line[4:] for line in e.comment.splitlines() if line.startswith("MT: ")))
                for e in polib.pofile(str(path), wrapwidth=0) if "MT: " in (e.comment or "")]
    ns = NS12 if to == "xliff" else NS21
    units = []
    for unit in etree.parse(str(path)).iter(f"{{{ns}}}{'trans-unit' if to == 'xliff' else 'unit'}"):
        if to == "xliff":
            alt = unit.find(f"{{{ns}}}alt-trans[@origin='machine-translation']/{{{ns}}}target")
            target = unit.find(f"{{{ns}}}target")
        else:
            alt = unit.find(f".//{{{MTC}}}match[@type='mt']/{{{ns}}}target")
            target = unit.find(f"{{{ns}}}segment/{{{ns}}}target")
        if alt is not None:
            units.append((target is not None, etree.tostring(alt, method="text", encoding="unicode")))
    return units


@pytest.mark.parametrize("to", EXCHANGES)
def test_mt_as_match_leaves_the_target_to_the_translator_and_offers_the_mt(tmp_path: Path, to: str) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    default = _mt_units(export(tmp_path / "a", "kereta-cepat.id.md", to), to)
    exported = export(tmp_path / "b", "kereta-cepat.id.md", to, mt_as="match")
    offered = _mt_units(exported, to)
    assert len(offered) == len(default) > 10
    assert all(has_target for has_target, _ in default)
    assert not any(has_target for has_target, _ in offered)  # the tool shows the source to translate
    assert [mt for _, mt in offered] == [mt for _, mt in default]  # the same MT, offered as a match
    if to == "po":
        assert not any("fuzzy" in e.flags for e in polib.pofile(str(exported)) if not e.msgstr)


@pytest.mark.parametrize("to", EXCHANGES)
def test_mt_as_match_import_keeps_the_mt_of_units_left_alone_and_counts_them_untouched(
    tmp_path: Path, to: str
) -> None:
    name = "kereta-cepat.id.md"
    exported = export(tmp_path, name, to, mt_as="match")
    untouched_all = import_file(exported, overwrite=True)
    assert untouched_all.counts["untouched"] == len(_mt_units(exported, to))
    assert untouched_all.counts["empty"] == untouched_all.counts["edited"] == 0
    first = untouched_all.output.read_bytes()
    # The translator edits two units; a third comes back as its source copied over (what a CAT tool
    # writes for a segment nobody translated): it keeps the MT, and the document is the expected one.
    edits = dict(EDITS[name])
    edits["1.0"] = ("Kereta", "Kereta Cepat Jakarta–Bandung Tambah 12 Perjalanan Mulai April")
    edit(exported, to, edits)
    result = import_file(exported, overwrite=True)
    assert result.counts["edited"] == len(EDITS[name])
    assert result.counts["untouched"] == untouched_all.counts["untouched"] - len(EDITS[name])
    assert_same_document(result.output, EXPECTED / name.replace(".id.", ".expected."))
    assert "Kereta Cepat Jakarta–Bandung Tambah" not in result.output.read_text(encoding="utf-8")
    assert first != result.output.read_bytes()
