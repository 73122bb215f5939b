"""Glossaries: load and check them, find their terms in Indonesian text, score their use.

A glossary maps Indonesian source terms (places, titles, institutions...) to the
English form a newsroom wants.  Three things are built on it:

* **loading and checking** (TSV, CSV, TBX): every problem of every file is
  collected first and reported as ``file:line: message``, then loading raises
  one :class:`~translate.errors.GlossaryError`, so an editor fixes all lines in
  one pass instead of one per run;
* **source matching** (:meth:`Glossary.match`) on coded text: leftmost-longest,
  word-bounded, tolerant of Indonesian clitics (``Presidennya``,
  ``Jenewa-lah``), never across an inline code or a protected span, so the
  constraint given to an engine is exactly the span that holds the term;
* **term metrics** (:func:`term_success_rate`, :func:`exact_match_accuracy`),
  whose counting rules are documented on each function.

Matching works on tokens (``\\w+`` runs, whitespace runs, single other
characters) walked through a trie of lower-cased term tokens: one dict look-up
per token, whatever the glossary size, and word boundaries come for free
because a term can only start and end on token edges.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .document import CODE_CHARS, is_code_char, strip_codes
from .errors import GlossaryError, ScoreError

CATEGORIES = ("place", "title", "organization", "person", "other")
COLUMNS = ("source", "target", "alternatives", "category", "case_sensitive", "note")
CLITICS = ("nya", "lah", "kah", "pun")  # Indonesian enclitics/particles written onto a word

TABLE_SUFFIXES = {".tsv": "\t", ".txt": "\t", ".csv": ","}
FOLDER_SUFFIXES = (".tsv", ".csv", ".tbx")

_COLUMN_ALIASES = {
    "alternative": "alternatives",
    "alternates": "alternatives",
    "case": "case_sensitive",
    "casesensitive": "case_sensitive",
    "notes": "note",
    "comment": "note",
}
_TRUE = {"yes", "y", "true", "1"}
_FALSE = {"no", "n", "false", "0"}
_ACRONYM = re.compile(r"(?=[A-Z0-9]*[A-Z])[A-Z0-9]{2,6}")
_TOKEN = re.compile(r"\w+|\s+|.", re.DOTALL)
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'", "\u2018": "'"})
_SPACE = re.compile(r"\s+")

_SUBJECT_FIELDS = {
    "geography": "place", "location": "place", "places": "place", "toponym": "place",
    "job title": "title", "titles": "title", "position": "title",
    "organisation": "organization", "organizations": "organization", "institution": "organization",
    "institutions": "organization", "people": "person", "persons": "person", "name": "person",
}

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_SOURCE_LANGS = {"id", "in", "ind"}
_TARGET_LANGS = {"en", "eng"}


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Term:
    """One glossary entry; ``origin`` ("file:line") lets every message point back at it."""

    source: str
    target: str
    alternatives: tuple[str, ...] = ()
    category: str = "other"
    case_sensitive: bool = False
    note: str = ""
    origin: str = ""

    @property
    def targets(self) -> tuple[str, ...]:
        """Every accepted English form, the preferred one first."""
        return (self.target, *self.alternatives)


@dataclass(frozen=True)
class Problem:
    """One finding of the checker; errors stop loading, warnings are for the editor."""

    path: str
    line: int  # 1-based; 0 when the problem concerns the whole file
    message: str
    severity: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}: {prefix}{self.message}"


@dataclass(frozen=True)
class TermMatch:
    """A glossary term found in coded text; ``surface`` is ``text[start:end]`` (clitic excluded)."""

    term: Term
    start: int
    end: int
    surface: str


class _Node:
    """A trie node keyed by lower-cased tokens (a single space stands for any whitespace)."""

    __slots__ = ("children", "terms")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.terms: list[Term] = []


@dataclass
class Glossary:
    """A list of terms plus the matcher built from them; treat it as immutable once matched."""

    terms: list[Term]
    warnings: list[Problem] = field(default_factory=list, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.terms)

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)

    def digest(self) -> str:
        """A short hash of what changes matching and scoring, for run signatures.

        Notes and origins are left out and entries are sorted, so moving a line
        or rewording a note does not change the signature.
        """
        rows = sorted(
            "\t".join((t.source, t.target, "|".join(t.alternatives), t.category, str(t.case_sensitive)))
            for t in self.terms
        )
        return hashlib.sha256("\n".join(rows).encode("utf-8")).hexdigest()[:12]

    @cached_property
    def _trie(self) -> _Node:
        root = _Node()
        for term in self.terms:
            node = root
            for key in _term_keys(term.source):
                node = node.children.setdefault(key, _Node())
            node.terms.append(term)
        for node in _walk(root):  # an exact-case entry beats a case-insensitive one for the same key
            node.terms.sort(key=lambda t: not t.case_sensitive)
        return root

    def match(self, coded_text: str, protected: Sequence[tuple[int, int]] = ()) -> list[TermMatch]:
        """Every term in ``coded_text``, leftmost-longest and non-overlapping.

        ``protected`` spans (placeholders for URLs, numbers...) and inline code
        characters are walls: no match starts, ends or runs inside or across one.
        """
        starts, ends, keys = _tokenize(coded_text, protected)
        matches: list[TermMatch] = []
        i = 0
        while i < len(keys):
            found = self._longest_at(coded_text, starts, ends, keys, i)
            if found is None:
                i += 1
                continue
            match, i = found
            matches.append(match)
        return matches

    def _longest_at(self, text: str, starts: list[int], ends: list[int], keys: list[str | None],
                    i: int) -> tuple[TermMatch, int] | None:
        """The longest valid match starting at token ``i`` and the token index after it."""
        key = keys[i]
        if key is None or key == " ":
            return None
        node = self._trie
        best: tuple[TermMatch, int] | None = None
        j = i
        while j < len(keys) and (key := keys[j]) is not None:
            for clitic in CLITICS:  # "Presidennya": the term is the stem, the clitic stays outside
                if len(key) > len(clitic) and key.endswith(clitic):
                    stem = node.children.get(key[: -len(clitic)])
                    if stem is not None and stem.terms:
                        best = _pick(stem.terms, text, starts[i], ends[j] - len(clitic), j + 1) or best
            node = node.children.get(key)  # type: ignore[assignment]
            if node is None:
                break
            j += 1
            if node.terms:
                best = _pick(node.terms, text, starts[i], ends[j - 1], j) or best
        return best


def _walk(node: _Node) -> Iterator[_Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.children.values())


def _pick(terms: list[Term], text: str, start: int, end: int,
          next_index: int) -> tuple[TermMatch, int] | None:
    """The first term of a trie node whose case rule accepts the surface."""
    surface = text[start:end]
    for term in terms:
        if not term.case_sensitive or _same_case(surface, term.source):
            return TermMatch(term, start, end, surface), next_index
    return None


def _normal(text: str) -> str:
    """Whitespace runs squashed to one space: what the loaders store."""
    return _SPACE.sub(" ", text).strip()


def _same_case(surface: str, source: str) -> bool:
    """Exact comparison for case-sensitive entries, blind only to spacing and apostrophe style."""
    return _normal(surface).translate(_APOSTROPHES) == _normal(source).translate(_APOSTROPHES)


def _token_key(token: str) -> str | None:
    """The trie key of one token: lower-cased word, " " for any whitespace, None for a wall."""
    if token[0].isspace():
        return " "
    if is_code_char(token[0]):
        return None
    return token.translate(_APOSTROPHES).lower()


def _term_keys(source: str) -> list[str]:
    return [k for k in (_token_key(m.group()) for m in _TOKEN.finditer(source.strip())) if k is not None]


def _tokenize(text: str,
              protected: Sequence[tuple[int, int]]) -> tuple[list[int], list[int], list[str | None]]:
    """Token starts, ends and keys; tokens touching a protected span become walls (None)."""
    starts: list[int] = []
    ends: list[int] = []
    keys: list[str | None] = []
    for m in _TOKEN.finditer(text):
        starts.append(m.start())
        ends.append(m.end())
        keys.append(_token_key(m.group()))
    for span_start, span_end in protected:
        if span_end <= span_start:
            continue
        k = max(bisect_right(starts, span_start) - 1, 0)
        while k < len(starts) and starts[k] < span_end:
            if ends[k] > span_start:
                keys[k] = None
            k += 1
    return starts, ends, keys


# --------------------------------------------------------------------------- loading


def load_glossary(paths: Sequence[str | Path] | str | Path) -> Glossary:
    """Load glossary files and folders; raise one GlossaryError listing every error.

    Warnings (e.g. a term containing another) do not stop loading; they are kept
    in ``Glossary.warnings``.
    """
    terms, problems = _collect(_as_list(paths))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        shown = "; ".join(str(p) for p in errors[:3]) + ("; ..." if len(errors) > 3 else "")
        raise GlossaryError(
            f"{len(errors)} error(s) in the glossary: {shown}",
            problems=[str(p) for p in errors],
            hint="fix every line listed (check_glossary lists them all, warnings included)",
        )
    return Glossary(terms, [p for p in problems if p.severity == "warning"])


def check_glossary(paths: Sequence[str | Path] | str | Path) -> list[Problem]:
    """Every problem in the given glossary files and folders, errors and warnings, in file order."""
    return _collect(_as_list(paths))[1]


def _as_list(paths: Sequence[str | Path] | str | Path) -> list[str | Path]:
    return [paths] if isinstance(paths, (str, Path)) else list(paths)


def _collect(paths: list[str | Path]) -> tuple[list[Term], list[Problem]]:
    """Read every file, then run the checks that need all terms at once."""
    files, problems = _expand(paths)
    terms: list[Term] = []
    for path in files:
        file_terms, file_problems = _read_file(path)
        terms.extend(file_terms)
        problems.extend(file_problems)
    problems.extend(_check_pairs(terms))
    problems.extend(_check_containment(terms))
    order = {str(p): i for i, p in enumerate(files)}
    problems.sort(key=lambda p: (order.get(p.path, -1), p.line))
    return terms, problems


def _expand(paths: list[str | Path]) -> tuple[list[Path], list[Problem]]:
    """Files named directly, plus every glossary file of each folder (sorted, README skipped)."""
    files: list[Path] = []
    problems: list[Problem] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found = sorted(
                p for p in path.iterdir()
                if p.is_file() and p.suffix.lower() in FOLDER_SUFFIXES
                and not p.name.startswith(".") and not p.stem.upper().startswith("README")
            )
            if not found:
                problems.append(Problem(str(path), 0, "folder holds no glossary file (.tsv, .csv, .tbx)"))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(str(path), 0, "no such file or folder"))
    return files, problems


def _read_file(path: Path) -> tuple[list[Term], list[Problem]]:
    suffix = path.suffix.lower()
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [], [Problem(str(path), 0, f"cannot read: {exc.strerror or exc}")]
    if suffix == ".tbx":
        return _read_tbx(path, data)
    if suffix not in TABLE_SUFFIXES:
        return [], [Problem(str(path), 0, f"unknown glossary format {suffix or '(no extension)'!r}; "
                                          "use .tsv, .csv, .txt (tab-separated) or .tbx")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return [], [Problem(str(path), line, "not UTF-8 text; save the file as UTF-8")]
    return _read_table(str(path), text, TABLE_SUFFIXES[suffix])


# ----------------------------------------------------------------- TSV / CSV


def _rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(first line number, stripped cells) of each non-blank, non-comment row."""
    if delimiter == "\t":  # no quoting in TSV: a quote is an ordinary character
        numbered: Iterable[tuple[int, list[str]]] = (
            (n, line.rstrip("\r").split("\t")) for n, line in enumerate(text.split("\n"), 1)
        )
    else:
        numbered = _csv_rows(text)
    for number, cells in numbered:
        cells = [c.strip() for c in cells]
        if not any(cells) or cells[0].startswith("#"):
            continue
        yield number, cells


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    for cells in reader:
        yield start, cells
        start = reader.line_num + 1


def _column_name(cell: str) -> str:
    name = re.sub(r"[\s\-]+", "_", cell.strip().lower())
    return _COLUMN_ALIASES.get(name.replace("_", ""), _COLUMN_ALIASES.get(name, name))


def _is_header(cells: list[str]) -> bool:
    names = [_column_name(c) for c in cells if c]
    return names[:2] == ["source", "target"] or (bool(names) and all(n in COLUMNS for n in names))


def _read_table(path: str, text: str, delimiter: str) -> tuple[list[Term], list[Problem]]:
    terms: list[Term] = []
    problems: list[Problem] = []
    columns: list[str] | None = None
    try:
        for index, (line, cells) in enumerate(_rows(text, delimiter)):
            if index == 0 and _is_header(cells):
                columns, header_problems = _header(path, line, cells)
                problems.extend(header_problems)
                if header_problems:
                    return [], problems
                continue
            term, row_problems = _parse_row(path, line, cells, columns)
            problems.extend(row_problems)
            if term is not None:
                terms.append(term)
    except csv.Error as exc:  # e.g. a NUL byte; the reader cannot go on
        problems.append(Problem(path, 0, f"unreadable CSV: {exc}"))
    return terms, problems


def _header(path: str, line: int, cells: list[str]) -> tuple[list[str], list[Problem]]:
    names = [_column_name(c) for c in cells]
    problems = [Problem(path, line, f"unknown column {cell!r} in the header; known: {', '.join(COLUMNS)}")
                for cell, name in zip(cells, names, strict=True) if name not in COLUMNS]
    problems += [Problem(path, line, f"column {name!r} appears twice in the header")
                 for name in sorted({n for n in names if names.count(n) > 1})]
    return names, problems


def _parse_row(path: str, line: int, cells: list[str],
               columns: list[str] | None) -> tuple[Term | None, list[Problem]]:
    """One row to a Term, or the reasons it is not one."""
    if columns is not None and len(cells) != len(columns):
        sep = "tabs" if path.lower().endswith((".tsv", ".txt")) else "commas"
        return None, [Problem(path, line, f"{len(cells)} column(s), the header has {len(columns)}; "
                                          f"columns are separated by {sep}")]
    if columns is None and not 2 <= len(cells) <= len(COLUMNS):
        return None, [Problem(path, line, f"{len(cells)} column(s); expected 2 to {len(COLUMNS)}: "
                                          f"{', '.join(COLUMNS)}")]
    row = dict(zip(columns or COLUMNS, cells, strict=False))  # missing trailing cells are empty
    return _make_term(path, line, row)


def _make_term(path: str, line: int, row: dict[str, str]) -> tuple[Term | None, list[Problem]]:
    problems = []
    source, target = _normal(row.get("source", "")), _normal(row.get("target", ""))
    if not source:
        problems.append(Problem(path, line, "empty source term"))
    if not target:
        problems.append(Problem(path, line, "empty target term"))
    if CODE_CHARS.search(source + target):
        problems.append(Problem(path, line, "private-use character (U+E000-U+F8FF) in a term"))
    category = row.get("category", "").strip().lower() or "other"
    if category not in CATEGORIES:
        problems.append(Problem(path, line, f"unknown category {category!r}; "
                                            f"use one of {', '.join(CATEGORIES)}"))
    flag = row.get("case_sensitive", "").strip().lower()
    if flag and flag not in _TRUE | _FALSE:
        problems.append(Problem(path, line, f"case_sensitive must be yes or no, not {flag!r}"))
    if problems:
        return None, problems
    alternatives = tuple(a for a in (_normal(x) for x in row.get("alternatives", "").split("|")) if a)
    case_sensitive = flag in _TRUE if flag else default_case_sensitive(source)
    return Term(source, target, alternatives, category, case_sensitive, row.get("note", "").strip(),
                f"{path}:{line}"), []


def default_case_sensitive(source: str) -> bool:
    """Acronyms (PM, AS, DPR, TNI, G20) are case-sensitive unless an entry says otherwise.

    Otherwise "AS" (Amerika Serikat) would match the everyday word "as" (axle).
    """
    return bool(_ACRONYM.fullmatch(source))


# ----------------------------------------------------------------------- TBX


def _local(element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _text(element) -> str:
    return _normal("".join(element.itertext()))


def _read_tbx(path: Path, data: bytes) -> tuple[list[Term], list[Problem]]:
    """TBX-Basic (termEntry/langSet/tig|ntig/term), TBX v3 (conceptEntry|termEntry/langSec/termSec/term).

    Parsed with entity expansion, DTD loading and network access off; a DOCTYPE
    that declares entities is refused outright (billion laughs, XXE).
    """
    from lxml import etree

    name = str(path)
    entity = re.search(rb"<!ENTITY", data)
    if entity:
        line = data.count(b"\n", 0, entity.start()) + 1
        return [], [Problem(name, line, "the DOCTYPE declares entities, which glossaries may not use "
                                        "(entity expansion attacks); remove the entity declarations")]
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return [], [Problem(name, exc.lineno or 0, f"not well-formed XML: {exc.msg}")]
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        return [], [Problem(name, 1, "the DOCTYPE declares entities, which glossaries may not use")]
    terms: list[Term] = []
    problems: list[Problem] = []
    entries = [e for e in root.iter() if _local(e) in ("termEntry", "conceptEntry")]
    if not entries:
        problems.append(Problem(name, root.sourceline or 0,
                                "no termEntry/conceptEntry element: not a TBX file?"))
    for entry in entries:
        entry_terms, entry_problems = _tbx_entry(name, entry)
        terms.extend(entry_terms)
        problems.extend(entry_problems)
    return terms, problems


def _tbx_entry(path: str, entry) -> tuple[list[Term], list[Problem]]:
    """One concept: each Indonesian term becomes a Term; the first English term is the target."""
    line = entry.sourceline or 0
    langs: dict[str, list] = {"source": [], "target": []}
    for section in (e for e in entry.iter() if _local(e) in ("langSet", "langSec")):
        lang = (section.get(_XML_LANG) or section.get("lang") or "").lower().replace("_", "-").split("-")[0]
        side = "source" if lang in _SOURCE_LANGS else "target" if lang in _TARGET_LANGS else None
        if side:
            langs[side].extend(t for t in section.iter() if _local(t) == "term")
    problems = [Problem(path, t.sourceline or line, "empty term") for t in langs["source"] + langs["target"]
                if not _text(t)]
    sources = [t for t in langs["source"] if _text(t)]
    targets = [_text(t) for t in langs["target"] if _text(t)]
    if not sources:
        problems.append(Problem(path, line, "entry has no Indonesian term (langSet/langSec xml:lang='id')"))
    if not targets:
        problems.append(Problem(path, line, "entry has no English term (langSet/langSec xml:lang='en')"))
    category, warning = _tbx_category(path, entry)
    problems.extend(warning)
    if not sources or not targets:
        return [], problems
    note = next((_text(e) for e in entry.iter() if _local(e) == "note"
                 or (_local(e) == "descrip" and e.get("type") == "definition")), "")
    terms = []
    for element in sources:
        source = _text(element)
        origin = f"{path}:{element.sourceline or line}"
        terms.append(Term(source, targets[0], tuple(targets[1:]), category, default_case_sensitive(source),
                          note, origin))
    return terms, problems


def _tbx_category(path: str, entry) -> tuple[str, list[Problem]]:
    """``descrip type="subjectField"`` mapped to a category; an unknown field warns and gives "other"."""
    for element in entry.iter():
        if _local(element) == "descrip" and element.get("type") == "subjectField":
            value = _text(element).lower()
            category = value if value in CATEGORIES else _SUBJECT_FIELDS.get(value)
            if category:
                return category, []
            message = f"subjectField {value!r} is not a category ({', '.join(CATEGORIES)}); using 'other'"
            return "other", [Problem(path, element.sourceline or 0, message, "warning")]
    return "other", []


# ----------------------------------------------------------------- whole-glossary checks


def _where(term: Term) -> tuple[str, int]:
    path, _, line = term.origin.rpartition(":")
    return (path, int(line)) if line.isdigit() else (term.origin, 0)


def _overlap(a: Term, b: Term) -> bool:
    """Whether two entries with the same lower-cased key can match the same text."""
    return not a.case_sensitive or not b.case_sensitive or a.source == b.source


def _check_pairs(terms: list[Term]) -> list[Problem]:
    """Duplicates (same source, same target) and conflicts (same source, other target)."""
    groups: dict[tuple[str, ...], list[Term]] = {}
    for term in terms:
        groups.setdefault(tuple(_term_keys(term.source)), []).append(term)
    problems = []
    for group in groups.values():
        for index, later in enumerate(group):
            earlier = next((t for t in group[:index] if _overlap(t, later)), None)
            if earlier is None:
                continue
            path, line = _where(later)
            if earlier.target == later.target:
                message = f"duplicate entry {later.source!r} -> {later.target!r} (also at {earlier.origin})"
            else:
                message = (f"conflicting targets for {later.source!r}: {later.target!r} here, "
                           f"{earlier.target!r} at {earlier.origin}")
            problems.append(Problem(path, line, message))
    return problems


def _check_containment(terms: list[Term]) -> list[Problem]:
    """Warn where a term holds another one: the longer match wins, the shorter never fires there."""
    by_key: dict[tuple[str, ...], list[Term]] = {}
    for term in terms:
        by_key.setdefault(tuple(_term_keys(term.source)), []).append(term)
    problems = []
    for term in terms:
        keys = _term_keys(term.source)
        inner = []
        for i in range(len(keys)):
            for j in range(i + 1, len(keys) + 1):
                if (i, j) == (0, len(keys)) or " " in (keys[i], keys[j - 1]):
                    continue
                for other in by_key.get(tuple(keys[i:j]), ()):
                    if not other.case_sensitive or other.source in term.source:
                        inner.append(f"{other.source!r} ({other.origin})")
        if inner:
            path, line = _where(term)
            names = ", ".join(dict.fromkeys(inner))
            problems.append(Problem(path, line, f"{term.source!r} contains the term(s) {names}; "
                                                "the longest match wins", "warning"))
    return problems


# --------------------------------------------------------------------------- metrics


@dataclass
class TermCount:
    found: int = 0
    total: int = 0

    @property
    def rate(self) -> float:
        """found / total; 0.0 when no source term occurred (check ``total``)."""
        return self.found / self.total if self.total else 0.0


@dataclass(frozen=True)
class TermMiss:
    """A source term occurrence whose target form was not found, for reports and QA."""

    segment: int
    term: Term


@dataclass
class TermScore:
    metric: str
    found: int
    total: int
    by_category: dict[str, TermCount]
    signature: str
    misses: list[TermMiss] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.found / self.total if self.total else 0.0

    @property
    def score(self) -> float:
        """The rate as a percentage, on sacrebleu's scale."""
        return 100.0 * self.rate

    def as_dict(self) -> dict:
        return {
            "score": round(self.score, 2), "found": self.found, "total": self.total,
            "signature": self.signature,
            "by_category": {c: {"found": n.found, "total": n.total, "score": round(100 * n.rate, 2)}
                            for c, n in sorted(self.by_category.items())},
        }

    def __str__(self) -> str:
        return f"{self.metric} = {self.score:.2f} ({self.found}/{self.total}) {self.signature}"


def term_success_rate(sources: list[str], hypotheses: list[str], glossary: Glossary) -> TermScore:
    """Share of source term occurrences whose English form is in the hypothesis (WMT25 track 1).

    Following the WMT25 terminology task's term success rate (matched / total
    over glossary terms whose source occurs in a segment), with these choices:

    * source terms are found with :meth:`Glossary.match` (word-bounded,
      leftmost-longest, clitics tolerated), not by substring search;
    * every occurrence counts: a term occurring k times in a source segment
      needs k separate occurrences of a target form in that hypothesis
      (WMT25's script counts a term once per segment);
    * a target form is the target or any alternative, matched as whole words
      and **case-insensitively** ("president" counts for "President"), except
      for case-sensitive entries (acronyms), whose target must match exactly,
      so that "us" does not count for AS -> "US";
    * no lemmatisation (WMT25 also accepts stanza lemma matches).
    """
    return _score("term_success_rate", sources, hypotheses, glossary, exact=False)


def exact_match_accuracy(sources: list[str], hypotheses: list[str], glossary: Glossary) -> TermScore:
    """Share of source term occurrences whose target form appears exactly (WMT21 terminology task).

    As in the WMT21 shared task on MT using terminologies (Alam et al., 2021,
    "On the Evaluation of Machine Translation for Terminology Consistency",
    arXiv:2106.11891; script ``evaluate_term_wmt.py``, ``compare_EXACT``): each
    source term occurrence is one trial; it is correct when the target or an
    alternative appears in the hypothesis as whole words with **exactly the
    same case**, at a position not already used by another occurrence.  Unlike
    the task, source terms are found by :meth:`Glossary.match` (the task had
    annotated terms) and there is no lemma fallback.
    """
    return _score("exact_match_accuracy", sources, hypotheses, glossary, exact=True)


def _score(metric: str, sources: list[str], hypotheses: list[str], glossary: Glossary,
           exact: bool) -> TermScore:
    if len(sources) != len(hypotheses):
        raise ScoreError(f"source has {len(sources)} segments but hypothesis has {len(hypotheses)}",
                         hint="score files with one hypothesis line per source line")
    by_category: dict[str, TermCount] = {}
    misses: list[TermMiss] = []
    found = total = 0
    patterns: dict[Term, re.Pattern[str]] = {}
    for index, (source, hypothesis) in enumerate(zip(sources, hypotheses, strict=True)):
        counts = _segment_counts(glossary.match(source), strip_codes(hypothesis), exact, patterns)
        for term, wanted, got in counts:
            count = by_category.setdefault(term.category, TermCount())
            count.found += got
            count.total += wanted
            found += got
            total += wanted
            misses.extend(TermMiss(index, term) for _ in range(wanted - got))
    case = "exact" if exact else "insensitive"  # case-sensitive entries are always exact
    signature = f"{metric}|glossary:{glossary.digest()}|case:{case}|count:occurrence|match:word|version:1"
    return TermScore(metric, found, total, by_category, signature, misses)


def _segment_counts(matches: list[TermMatch], hypothesis: str, exact: bool,
                    patterns: dict[Term, re.Pattern[str]]) -> list[tuple[Term, int, int]]:
    """(term, occurrences in source, occurrences credited in hypothesis) for one segment.

    Longer target forms claim their hypothesis spans first, so "Minister" for
    Menteri cannot use up the one inside "Foreign Minister".
    """
    wanted: dict[Term, int] = {}
    for m in matches:
        wanted[m.term] = wanted.get(m.term, 0) + 1
    used: list[tuple[int, int]] = []
    counts = []
    for term in sorted(wanted, key=lambda t: -max(len(x) for x in t.targets)):
        pattern = patterns.get(term) or patterns.setdefault(term, target_pattern(term, exact))
        got = 0
        for m in pattern.finditer(hypothesis):
            if got == wanted[term]:
                break
            if all(m.end() <= s or m.start() >= e for s, e in used):
                used.append(m.span())
                got += 1
        counts.append((term, wanted[term], got))
    return counts


def target_pattern(term: Term, exact: bool) -> re.Pattern[str]:
    """Any target form of ``term`` as whole words (case-insensitive unless ``exact`` or the entry says)."""
    forms = sorted(set(term.targets), key=len, reverse=True)
    body = "|".join(r"\s+".join(re.escape(w) for w in form.split()) for form in forms)
    flags = 0 if exact or term.case_sensitive else re.IGNORECASE
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", flags)
