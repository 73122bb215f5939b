"""Each QA check fires on a constructed bad case and stays silent on a good one."""

from __future__ import annotations

import pytest

from translate.document import CodeKind, InlineCode
from translate.glossary import Glossary, Term
from translate.qa import QAUnit, check_names, findings_by_segment, run_checks, select_checks
from translate.qa.checks.length import ratio_range

GLOSSARY = Glossary([
    Term("Jawa Barat", "West Java", category="place", origin="test.tsv:2"),
    Term("Jepang", "Japan", category="place", origin="test.tsv:3"),
    Term("kelurahan", "urban village", origin="test.tsv:4"),
    Term("Kementerian Luar Negeri", "Foreign Ministry", category="organization", origin="test.tsv:5"),
])

LONG_ID = ("Kepala Badan Penanggulangan Bencana Daerah mengatakan sebanyak seribu warga telah dievakuasi ke "
           "empat belas titik pengungsian di kota itu sejak Senin pagi.")
LONG_EN = ("The head of the Regional Disaster Management Agency said a thousand residents had been evacuated "
           "to fourteen shelters in the city since Monday morning.")


def _findings(check: str, source: str, target: str, **unit) -> list[tuple[str, str]]:
    issues = run_checks([QAUnit("doc#0.0", source, target, **unit)], select_checks([check]), GLOSSARY)
    assert all(i.check == check for i in issues)
    return [(i.code, i.severity) for i in issues]


# (check, source, bad target, the code it must raise, a good target)
CASES = [
    ("numbers", "Sebanyak 1.250 warga mengungsi.", "Many residents fled.", "number-missing",
     "As many as 1,250 residents fled."),
    ("numbers", "Sebanyak 1.250 warga mengungsi.", "As many as 1.250 residents fled.", "number-changed",
     "Some 1,250 residents fled."),
    ("numbers", "Sebanyak 1.250 warga mengungsi.", "As many as 1,250 residents, 1,250 people, fled.",
     "number-repeated", "1,250 residents fled."),
    ("numbers", "Harga naik 2,5 persen pada pukul 14.30 WIB.", "Prices rose 2.5 percent at 2 p.m. WIB.",
     "number-missing", "Prices rose 2.5 percent at 2:30 p.m. WIB."),
    ("numbers", "Rapat dimulai pukul 07.55 pagi selama 10 tahun.", "The meeting began at 7.45am.",
     "number-changed", "The meeting began at 7.55am for ten years."),
    ("glossary", "Banjir melanda Jawa Barat.", "Floods hit the west.", "term-missing",
     "Floods hit West Java."),
    ("glossary", "Banjir melanda Jawa Barat.", "Floods hit west java.", "term-form", "Floods hit west Java."),
    ("glossary", "Kedutaan Besar Jepang dan tujuh kelurahan.", "The embassy and seven villages.",
     "term-missing",
     "The Japanese Embassy and seven urban villages."),
    ("untranslated", "Warga diminta tetap tenang dan mengikuti arahan petugas.",
     "Warga diminta tetap tenang dan mengikuti arahan petugas.", "identical",
     "Residents were asked to stay calm and follow the officers' instructions."),
    ("untranslated", "Warga diminta tetap tenang dan mengikuti arahan petugas.",
     "Residents diminta tetap tenang dan mengikuti arahan dari petugas.", "indonesian",
     "Residents were asked to stay calm and follow the officers' directions."),
    ("truncated", "Warga diminta tetap tenang dan mengikuti arahan petugas.",
     "Residents were asked to stay calm and follow the", "truncated",
     "Residents were asked to stay calm and follow the officers' instructions."),
    ("truncated", "Warga diminta tetap tenang.", " ", "empty", "Residents were asked to stay calm."),
    ("truncated", LONG_ID, "The head of the agency said", "truncated", LONG_EN),
    ("length", LONG_ID, "The head said residents left.", "too-short", LONG_EN),
    ("length", "Warga diminta tetap tenang.",
     "Residents were asked, again and again, by every officer in every street of the city, to stay calm "
     "whatever happened.", "too-long", "Residents were asked to stay calm."),
    ("repetition", "Banjir merendam Bekasi.", "Sever Sever Sever Sever Sever Sever", "repeated",
     "Floods submerged Bekasi."),
    ("repetition", "Banjir merendam kota itu.", "Floods submerged of the city of the city.", "repeated",
     "Floods submerged the city."),
    ("repetition", "Banjir merendam Bekasi dan Jakarta.", "Sever Bekasi the Sever Jakarta Sever and Sever",
     "repeated", "Floods submerged Bekasi and Jakarta."),
    ("brackets", "Badan (BPBD) menyatakan siaga.", "The agency (BPBD declared an alert.", "unbalanced",
     "The agency (BPBD) declared an alert."),
    ("brackets", "Dia berkata, “Kami siap.”", "He said, \"We are ready.", "unbalanced",
     "He said, 'We are ready.'"),
    ("spacing", "Badan itu menyatakan siaga.", "The agency  declared an alert.", "double-space",
     "The agency declared an alert."),
    ("spacing", "Badan itu menyatakan siaga, kata dia.", "The agency declared an alert , he said .",
     "space-before-punctuation", "The agency declared an alert, he said..."),
    ("initial-capital", "Badan itu menyatakan siaga.", "the agency declared an alert.", "initial-capital",
     "“The agency declared an alert.”"),
    ("final-punctuation", "Apakah air sudah surut?", "Has the water receded.", "final-punctuation",
     "Has the water receded?"),
    ("final-punctuation", "Banjir Rendam Bekasi", "Floods Submerge Bekasi.", "final-punctuation",
     "Floods Submerge Bekasi"),
]


@pytest.mark.parametrize(("check", "source", "bad", "code", "good"), CASES,
                         ids=[f"{c[0]}-{c[3]}-{n}" for n, c in enumerate(CASES)])
def test_check_fires_on_bad_and_is_silent_on_good(check: str, source: str, bad: str, code: str,
                                                  good: str) -> None:
    assert code in [found for found, _ in _findings(check, source, bad)]
    assert _findings(check, source, good) == []


@pytest.mark.parametrize(("check", "source", "target"), [
    ("untranslated", "Site icon Kabarpesisir.co", "Site icon Kabarpesisir.co"),  # English boilerplate, copied
    ("untranslated", "Hendra Wijanarko", "Hendra Wijanarko"),  # a byline: names stay
    ("untranslated", "Kali Bekasi meluap.", "The Kali Bekasi overflowed near Pondok Gede Permai."),
    ("truncated", "Sisa badai Rosa membawa hujan deras ke barat daya Amerika Serikat.",
     "Storm Rosa's remnants bring heavy rain to the US southwest"),  # an English headline drops the period
    ("final-punctuation", "pukul 06.00", "6 a.m."),  # the abbreviation's period is not punctuation
    ("brackets", "“Kami siap.", "\"We are ready."),  # a quotation split over segments, in both languages
    ("spacing", "Satu.  Dua kalimat.", "One.  Two sentences."),  # the article's own double spaces
    ("repetition", "Mereka berteriak, “Ha ha ha!”", "They shouted, \"Ha ha ha!\""),  # the source loops too
    ("numbers", "Sebanyak 1.250 warga, 10 tahun, nomor 1.", "As many as 1,250 residents, ten years, No.1."),
    ("numbers", "Bus berangkat antara 06.30 dan 07.30.", "Buses leave between 06:30 and 07:30."),
    ("glossary", "Kementerian Luar Negeri menyatakan, dan Kementerian Luar Negeri menambahkan.",
     "The Foreign Ministry said so, and the ministry added."),  # the short mention after the full one
])
def test_good_human_translations_stay_quiet(check: str, source: str, target: str) -> None:
    assert _findings(check, source, target) == []


def _codes(*specs: tuple[str, CodeKind, str, str, str | None]) -> dict[str, InlineCode]:
    return {char: InlineCode(char, kind, data, pair, name) for char, kind, data, name, pair in specs}


B_OPEN, B_CLOSE, I_OPEN, I_CLOSE, CODE_A, CODE_B = "\ue000\ue001\ue002\ue003\ue004\ue005"
CODES = _codes((B_OPEN, CodeKind.OPEN, "**", "strong", B_CLOSE),
               (B_CLOSE, CodeKind.CLOSE, "**", "strong", B_OPEN),
               (I_OPEN, CodeKind.OPEN, "*", "emphasis", I_CLOSE),
               (I_CLOSE, CodeKind.CLOSE, "*", "emphasis", I_OPEN),
               (CODE_A, CodeKind.ISOLATED, "`KCIC-2026`", "code", None),
               (CODE_B, CodeKind.ISOLATED, "`#NaikKereta`", "code", None))


@pytest.mark.parametrize(("target", "code"), [
    (f"Use {B_OPEN}the code{B_CLOSE} {CODE_A} and {I_OPEN}tag{I_CLOSE} {CODE_B}.", None),
    (f"Use {I_OPEN}tag{I_CLOSE} {CODE_B} and {B_OPEN}the code{B_CLOSE} {CODE_A}.", "code-order"),
    (f"Use the code {CODE_A} and {I_OPEN}tag{I_CLOSE} {CODE_B}.", "code-missing"),
    (f"Use {B_OPEN}the code{B_CLOSE} {CODE_A} {CODE_A} and {I_OPEN}tag{I_CLOSE} {CODE_B}.", "code-extra"),
    (f"Use {B_OPEN}the code {I_OPEN}{B_CLOSE} {CODE_A} and tag{I_CLOSE} {CODE_B}.", "code-nesting"),
])
def test_inline_codes(target: str, code: str | None) -> None:
    source = f"Pakai {B_OPEN}kode{B_CLOSE} {CODE_A} dan {I_OPEN}tagar{I_CLOSE} {CODE_B}."
    found = _findings("inline-codes", source, target, source_codes=CODES)
    assert [c for c, _ in found] == ([code] if code else [])


def test_inline_codes_compare_markup_across_two_code_tables() -> None:
    """Two files read separately number their codes differently; the markup is what counts."""
    target_codes = _codes(("\ue010", CodeKind.ISOLATED, "`KCIC-2026`", "code", None))
    unit = dict(source_codes=_codes(("\ue000", CodeKind.ISOLATED, "`KCIC-2026`", "code", None)),
                target_codes=target_codes)
    assert _findings("inline-codes", "Kode \ue000 berlaku.", "The code \ue010 applies.", **unit) == []
    assert [c for c, _ in _findings("inline-codes", "Kode \ue000 berlaku.", "The code applies.", **unit)] == [
        "code-missing"]


def test_confidence_flags_the_worst_segment_of_a_document_and_skips_without_scores() -> None:
    scores = [-0.4, -0.5, -0.45, -0.55, -0.5, -0.48, -2.9]
    units = [QAUnit(f"doc#{n}.0", "Warga tenang.", "Residents are calm.", score=s)
             for n, s in enumerate(scores)]
    issues = run_checks(units, select_checks(["confidence"]))
    assert [(i.segment, i.code) for i in issues] == [("doc#6.0", "low-confidence")]
    unscored = [QAUnit(u.id, u.source, u.target) for u in units]
    assert run_checks(unscored, select_checks(["confidence"])) == []


@pytest.mark.parametrize("scores", [
    [-0.62, -0.60, -0.61, -0.63, -0.60, -0.61, -0.95],  # a low outlier, but only 0.34 below the median
    [-5.0126, -5.0125, -5.0127, -5.0124, -5.0126, -5.0125, -5.0299],  # the tiny model: uniform
    [-0.5] * 8,  # MAD 0
    [-0.5, -0.9, -1.3, -0.7, -1.1, -0.6, -1.2],  # spread out, nothing stands apart
])
def test_confidence_is_silent_on_a_uniformly_scored_document(scores: list[float]) -> None:
    units = [QAUnit(f"doc#{n}.0", "Warga tenang.", "Residents are calm.", score=score)
             for n, score in enumerate(scores)]
    assert run_checks(units, select_checks(["confidence"])) == []


def test_confidence_flags_a_segment_far_below_identical_scores_and_says_how_sure() -> None:
    scores = [-0.5] * 6 + [-1.2]
    units = [QAUnit(f"doc#{n}.0", "Warga tenang.", "Residents are calm.", score=score)
             for n, score in enumerate(scores)]
    [issue] = run_checks(units, select_checks(["confidence"]))
    assert issue.segment == "doc#6.0" and issue.severity == "warning"
    assert "confidence 30%" in issue.message and "median is 61%" in issue.message
    assert run_checks(units[-4:], select_checks(["confidence"])) == []  # too few scored units to judge


def test_truncated_trusts_the_engine_report() -> None:
    source, target = "Banjir merendam Bekasi.", "The floods submerged Bekasi."
    assert _findings("truncated", source, target) == []
    assert _findings("truncated", source, target, truncated=True) == [("truncated", "error")]
    # a headline without a period: nothing to infer a cut from, but the engine knows
    assert _findings("truncated", "Banjir di Bekasi", "Floods in", truncated=True) == [("truncated", "error")]
    assert _findings("truncated", "Banjir di Bekasi", "Floods in") == []


def test_identical_output_keeps_only_the_untranslated_finding() -> None:
    source = "Harga beras naik 2,5 persen di Jawa Barat, kata dia."
    issues = run_checks([QAUnit("doc#0.0", source, source)], None, GLOSSARY)
    assert [(i.check, i.code) for i in issues] == [("untranslated", "identical")]


def test_findings_carry_ids_severity_excerpts_and_spans_for_xliff() -> None:
    units = [QAUnit("a#0.0", "Sebanyak 1.250 warga mengungsi.", "Many residents fled."),
             QAUnit("a#1.0", "Banjir merendam Bekasi.", "Sever Sever Sever Sever.")]
    issues = run_checks(units)
    grouped = findings_by_segment(issues)
    assert set(grouped) == {"a#0.0", "a#1.0"}
    missing = next(i for i in grouped["a#0.0"] if i.check == "numbers")
    assert missing.severity == "error" and missing.expected == "1,250"
    assert units[0].source_plain.text[slice(*missing.source_span)] == "1.250"
    loop = next(i for i in grouped["a#1.0"] if i.check == "repetition")
    assert units[1].target_plain.text[slice(*loop.target_span)].startswith("Sever Sever Sever")
    assert loop.as_dict()["target_span"] == list(loop.target_span) and "Sever" in loop.target


def test_checks_and_skip_choose_by_name_and_unknown_names_are_one_error() -> None:
    from translate.errors import InputError

    assert [c.name for c in select_checks(["numbers", "length"])] == ["length", "numbers"]
    assert "numbers" not in [c.name for c in select_checks(skip=["numbers"])]
    assert len(select_checks()) == len(check_names()) >= 12
    with pytest.raises(InputError, match="unknown QA check.*nope") as error:
        select_checks(["nope"])
    assert "numbers" in (error.value.hint or "")


def test_length_range_narrows_with_length() -> None:
    short, long = ratio_range(20), ratio_range(640)
    assert short[0] < long[0] < 0.8845 < long[1] < short[1]
