"""The HTML format against the html5lib-tests conformance inputs.

Every ``#data`` document of ``tree-construction/*.dat`` (and every ``input``
of ``tokenizer/*.test``) is run through the library as ``translate run``
would (``translate.formats`` + ``translate.pipeline``, engines ``copy`` and
``pseudo``, numbers localized for ``pseudo``), and checked:

* accepted: the reader takes it (an :class:`~translate.errors.InputError`,
  e.g. a lone surrogate that cannot be UTF-8, is a refusal, not a failure);
* copy identical: the ``copy`` engine gives back the input bytes;
* tree identical: html5lib (an independent parser) builds the same element
  tree from the pseudo-translated output as from the input: element names
  and namespaces, nesting, attributes (the translated ones -- ``alt``,
  ``title``, ``content``... -- by presence only; ``lang`` of ``<html>``
  left out), text aside;
* protected unchanged: the text of every ``script``, ``style``, ``pre``,
  ``code`` and ``textarea`` element in html5lib's tree is the same;
* no exception other than an ``InputError``, and no document over the time
  cap (a hang is a failure, reported as such).

html5lib parses with scripting on, as a browser does (``noscript`` is raw
text); fragment tests (``#document-fragment``) are parsed as documents,
since the reader reads documents.

Usage: ``.venv/bin/python benchmarks/conformance_html.py [--suite DIR] [--cap 5] [--list N]``
(``--suite`` defaults to ``../shared/conformance`` from the repository root;
html5lib comes with ``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import html5lib

from translate.engines import create_engine
from translate.errors import InputError
from translate.formats import get_format
from translate.formats.html_lexer import TokenKind, tokenize
from translate.localize import Localizer, protect_document
from translate.pipeline import translate_documents
from translate.segment import segment_document

ROOT = Path(__file__).resolve().parent.parent
SUITE = ROOT.parent / "shared" / "conformance"
#: Attributes the HTML format translates or switches: compared by presence only.
TRANSLATED = frozenset({"alt", "title", "placeholder", "aria-label", "value", "label", "content", "lang",
                        "xml:lang"})
PROTECTED = frozenset({"script", "style", "pre", "code", "textarea"})
_HTML_NS = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class Case:
    group: str  # "tests", "adoption", "tokenizer"...
    name: str  # "tests1.dat#12"
    data: str


@dataclass
class Result:
    case: Case
    accepted: bool = False
    copy_identical: bool = False
    tree_identical: bool = False
    protected_unchanged: bool = False
    exception: str = ""
    hang: bool = False
    reason: str = ""  # why the tree (or the protected text) differs
    seconds: float = 0.0


@dataclass
class Row:
    group: str
    documents: int = 0
    accepted: int = 0
    copy_identical: int = 0
    tree_identical: int = 0
    protected_unchanged: int = 0
    exceptions: int = 0
    hangs: int = 0
    seconds: float = 0.0
    failures: list[Result] = field(default_factory=list)
    refused: list[Result] = field(default_factory=list)


# --------------------------------------------------------------------------- inputs


def _group(stem: str) -> str:
    """``tests12`` → ``tests``, ``adoption01`` → ``adoption``: one row per family of files."""
    return re.sub(r"[_-]?\d+$", "", stem) or stem


def tree_construction_cases(folder: Path) -> Iterator[Case]:
    """The ``#data`` documents of every ``.dat`` file (its final newline removed, as the README says)."""
    for path in sorted(folder.glob("*.dat")):
        text = path.read_text(encoding="utf-8")
        number = 0
        for match in re.finditer(r"(?:^|\n)#data\n(.*?)\n#errors\n", text, re.DOTALL):
            number += 1
            yield Case(_group(path.stem), f"{path.name}#{number}", match.group(1))


def _unescape_double(text: str) -> str:
    return re.sub(r"\\u([0-9A-Fa-f]{4})", lambda m: chr(int(m.group(1), 16)), text)


def tokenizer_cases(folder: Path) -> Iterator[Case]:
    """The ``input`` of every tokenizer test, as a document (whatever its initial state)."""
    for path in sorted(folder.glob("*.test")):
        tests = json.loads(path.read_text(encoding="utf-8")).get("tests", [])
        for number, test in enumerate(tests, 1):
            data = test["input"]
            if test.get("doubleEscaped"):
                data = _unescape_double(data)
            yield Case("tokenizer", f"{path.name}#{number}", data)


def load_cases(suite: Path) -> list[Case]:
    base = suite / "html5lib-tests"
    return [*tree_construction_cases(base / "tree-construction"), *tokenizer_cases(base / "tokenizer")]


# --------------------------------------------------------------------------- checks


class Hang(Exception):
    """A document ran past the time cap."""


def _alarm(_signum: int, _frame: object) -> None:
    raise Hang


def _run(data: bytes, name: str, engine_name: str) -> tuple[bytes, str]:
    """Read, translate, write through the library; the output and the codec it was read with."""
    fmt = get_format("html")
    document = segment_document(fmt.read(data, name))
    engine = create_engine(engine_name)
    if engine_name != "copy":
        protect_document(document, Localizer())
    translate_documents([document], engine)
    return fmt.write(document), document.encoding or "utf-8"


def _parse(text: str):
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"), namespaceHTMLElements=False)
    return parser.parse(text, scripting=True)


def _tag(element) -> str:
    return element.tag.replace(_HTML_NS, "")


def element_tree(root) -> list[tuple]:
    """(depth, tag, attributes) of every element in document order, translated attributes by presence."""
    shape: list[tuple] = []

    def walk(element, depth: int) -> None:
        for child in element:
            if not isinstance(child.tag, str) or child.tag.startswith("<!"):
                continue  # comments, the doctype
            tag = _tag(child)
            attributes = tuple(sorted(
                (name, "*" if name in TRANSLATED else value)
                for name, value in child.attrib.items()
                if not (tag == "html" and name in ("lang", "xml:lang"))
            ))
            shape.append((depth, tag, attributes))
            walk(child, depth + 1)

    walk(root, 0)
    return shape


def protected_texts(root) -> list[tuple[str, str]]:
    return [(_tag(e), "".join(e.itertext())) for e in root.iter()
            if isinstance(e.tag, str) and _tag(e) in PROTECTED]


def _difference(before: list[tuple], after: list[tuple]) -> str:
    for index, (a, b) in enumerate(zip(before, after, strict=False)):
        if a != b:
            return f"element {index}: {_show(a)} became {_show(b)}"
    if len(before) > len(after):
        return f"element {len(after)} {_show(before[len(after)])} lost"
    return f"element {len(before)} {_show(after[len(before)])} added"


def _show(item: tuple) -> str:
    depth, tag, attributes = item
    attrs = "".join(f" {n}={v!r}" for n, v in attributes)
    return f"<{tag}{attrs}>@{depth}"


def check(case: Case, cap: float) -> Result:
    result = Result(case)
    data = case.data.encode("utf-8", errors="surrogatepass")
    started = time.perf_counter()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, cap)
    try:
        copied, _ = _run(data, case.name, "copy")
        result.accepted = True
        result.copy_identical = copied == data
        translated, codec = _run(data, case.name, "pseudo")
        before = _parse(data.decode(codec, errors="surrogateescape"))
        after = _parse(translated.decode(codec, errors="surrogateescape"))
        tree_before, tree_after = element_tree(before), element_tree(after)
        result.tree_identical = tree_before == tree_after
        if not result.tree_identical:
            result.reason = _difference(tree_before, tree_after)
        result.protected_unchanged = protected_texts(before) == protected_texts(after)
        if not result.protected_unchanged and not result.reason:
            result.reason = "protected text changed"
        if not result.copy_identical:
            result.reason = "copy output differs; " + result.reason
    except InputError as error:
        result.reason = f"refused: {error}"
    except Hang:
        result.hang = True
        result.reason = f"over the {cap:g} s cap"
    except Exception as error:  # noqa: BLE001 - counting them is the point
        result.exception = f"{type(error).__name__}: {error}"
        result.reason = result.exception
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    result.seconds = time.perf_counter() - started
    return result


# --------------------------------------------------------------------------- the lexer alone

#: A tokenizer test's initial state, reached from the data state by a start tag of one of these.
_STATE_TAGS = {"RCDATA state": ("title", "textarea"), "RAWTEXT state": ("style", "xmp", "iframe", "noembed",
               "noframes", "noscript"), "Script data state": ("script",), "PLAINTEXT state": ("plaintext",)}


def _shape_expected(output: list) -> list[tuple]:
    shape: list[tuple] = []
    for token in output:
        kind = token[0]
        if kind == "Character":
            if not shape or shape[-1] != ("Character",):
                shape.append(("Character",))
        elif kind == "StartTag":
            shape.append((kind, token[1], tuple(token[2]), len(token) > 3 and bool(token[3])))
        elif kind == "EndTag":
            shape.append((kind, token[1]))
        else:
            shape.append((kind,))
    return shape


def _shape_lexed(text: str) -> list[tuple]:
    shape: list[tuple] = []
    for token in tokenize(text):
        source = text[token.start : token.end]
        if token.kind in (TokenKind.TEXT, TokenKind.CDATA):
            if not shape or shape[-1] != ("Character",):
                shape.append(("Character",))
        elif token.kind is TokenKind.START:
            names = tuple(dict.fromkeys(a.name.replace("\0", "\ufffd") for a in token.attributes))
            shape.append(("StartTag", token.name.replace("\0", "\ufffd"), names, token.self_closing))
        elif token.kind is TokenKind.END:
            shape.append(("EndTag", token.name.replace("\0", "\ufffd")))
        elif token.kind is TokenKind.COMMENT:
            shape.append(("Comment",))
        elif token.kind is TokenKind.DECLARATION:
            shape.append(("DOCTYPE",))
        elif source != "</>" and not (token.end == len(text) and re.match(r"</?[A-Za-z]", source)):
            shape.append(("Comment",))  # a bogus comment; "</>" and a tag cut off by the end emit nothing
    return shape


def lexer_mismatches(suite: Path) -> tuple[int, list[str]]:
    """Our lexer's tokens against ``tokenizer/*.test``: kinds, tag and attribute names, self-closing.

    A test whose initial state is RCDATA, RAWTEXT, script data or PLAINTEXT is
    run after a start tag that leads there (its ``lastStartTag``); CDATA
    section tests are left out.  Returns how many runs were compared and the
    mismatches.
    """
    runs, mismatches = 0, []
    for path in sorted((suite / "html5lib-tests" / "tokenizer").glob("*.test")):
        for test in json.loads(path.read_text(encoding="utf-8")).get("tests", []):
            data = _unescape_double(test["input"]) if test.get("doubleEscaped") else test["input"]
            for state in test.get("initialStates", ["Data state"]):
                tag = test.get("lastStartTag") or ("plaintext" if state == "PLAINTEXT state" else None)
                if state != "Data state" and tag not in _STATE_TAGS.get(state, ()):
                    continue
                prefix = f"<{tag}>" if state != "Data state" else ""
                runs += 1
                got = _shape_lexed(prefix + data)[1 if prefix else 0 :]
                if got != _shape_expected(test["output"]):
                    mismatches.append(f"{path.name} {state} {data[:50]!r}")
    return runs, mismatches


# --------------------------------------------------------------------------- the table


def table_rows(results: list[Result]) -> list[Row]:
    """One row per group of suite files, then a ``total`` row."""
    rows: dict[str, Row] = {}
    total = Row("total")
    for result in results:
        for row in (rows.setdefault(result.case.group, Row(result.case.group)), total):
            row.documents += 1
            row.accepted += result.accepted
            row.copy_identical += result.copy_identical
            row.tree_identical += result.tree_identical
            row.protected_unchanged += result.protected_unchanged
            row.exceptions += bool(result.exception)
            row.hangs += result.hang
            row.seconds += result.seconds
            if result.accepted and not (result.copy_identical and result.tree_identical
                                        and result.protected_unchanged) or result.exception or result.hang:
                row.failures.append(result)
            elif not result.accepted and result.reason.startswith("refused"):
                row.refused.append(result)
    return [rows[name] for name in sorted(rows)] + [total]


def run(suite: Path = SUITE, cap: float = 5.0) -> list[Row]:
    """Check every document of the suite; the table's rows (``total`` last)."""
    return table_rows([check(case, cap) for case in load_cases(suite)])


HEADER = ("group", "documents", "accepted", "copy identical", "tree identical", "protected unchanged",
          "exceptions", "hangs")


def format_table(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for row in rows:
        cells = (row.group, row.documents, row.accepted, row.copy_identical, row.tree_identical,
                 row.protected_unchanged, row.exceptions, row.hangs)
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", type=Path, default=SUITE, help="folder holding html5lib-tests/")
    parser.add_argument("--cap", type=float, default=5.0, help="seconds one document may take")
    parser.add_argument("--list", type=int, default=200, help="list at most N failing documents")
    args = parser.parse_args(argv)
    if not (args.suite / "html5lib-tests").is_dir():
        print(f"{args.suite / 'html5lib-tests'} is missing (--suite DIR points elsewhere)", file=sys.stderr)
        return 2
    started = time.perf_counter()
    rows = run(args.suite, args.cap)
    print(format_table(rows))
    total = rows[-1]
    print(f"\n{total.documents} documents in {time.perf_counter() - started:.1f} s")
    if total.failures:
        print(f"\nNot identical ({len(total.failures)}):")
        for result in total.failures[: args.list]:
            print(f"- {result.case.name} {result.case.data[:60]!r}: {result.reason}")
    refused = Counter(r.reason.split(": ", 2)[-1] for row in rows[:-1] for r in row.refused)
    if refused:
        print(f"\nRefused ({sum(refused.values())}), by reason:")
        for reason, count in refused.most_common():
            print(f"- {count} x {reason}")
    runs, mismatches = lexer_mismatches(args.suite)
    print(f"\nLexer against tokenizer/*.test (token kinds, tag and attribute names): "
          f"{runs - len(mismatches)} of {runs} runs match")
    for mismatch in mismatches[: args.list]:
        print(f"- {mismatch}")
    return 0 if not (total.exceptions or total.hangs) else 1


if __name__ == "__main__":
    sys.exit(main())
