"""One test suite that every document format reuses (translate-toolkit's ``StoreClass`` idea).

A format's test module subclasses :class:`FormatSuite`, names the format and
its file extension, and gets, for every sample under
``tests/data/formats/<format>/`` (plus the corpus files of that format):

* an identity round trip: read, segment, write unchanged → the same file;
* the same through the pipeline with the ``copy`` engine;
* a "changed output" test (Okapi): the ``pseudo`` engine's output equals a
  reference file ``NAME.pseudo.EXT`` checked in beside the sample (write them
  anew with ``REGEN_REFERENCES=1`` after a deliberate change, and review the diff);
* real decoding with the tiny Marian model: every inline code of every block
  comes back exactly once, pairs properly nested, and the output has the same
  shape as the input.

Formats whose bytes may legitimately differ without changing the document
(DOCX: zip metadata) override :meth:`assert_same_file`; every format may refine
:meth:`shape`.
"""

from __future__ import annotations

import os
from pathlib import Path

from translate.document import CodeKind, Document, InlineCode, is_code_char
from translate.engines import create_engine
from translate.formats import get_format
from translate.pipeline import translate_documents
from translate.segment import segment_document

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "formats"
CORPORA = ROOT / "corpora"


def sample_paths(format_name: str, extension: str) -> list[Path]:
    """Inputs of a format: its data folder (references excluded) and its corpus sources."""
    folder = DATA / format_name
    own = sorted(p for p in folder.glob(f"*{extension}") if ".pseudo." not in p.name)
    corpus = sorted(CORPORA.glob(f"*.id{extension}"))
    return own + corpus


def assert_coded_well_formed(coded: str, codes: dict[str, InlineCode], expected: str,
                             where: str = "") -> None:
    """``coded`` holds exactly the codes of ``expected``; pairs open before close and nest."""
    found = [c for c in coded if is_code_char(c)]
    assert sorted(found) == sorted(c for c in expected if is_code_char(c)), f"{where}codes lost or duplicated"
    stack: list[str] = []
    for char in found:
        code = codes[char]
        if code.kind is CodeKind.OPEN and code.pair in found:
            stack.append(char)
        elif code.kind is CodeKind.CLOSE and code.pair in found:
            assert stack and stack[-1] == code.pair, f"{where}crossing or unopened close in {coded!r}"
            stack.pop()
    assert not stack, f"{where}unclosed code"


def assert_codes_well_formed(document: Document) -> None:
    """Every block's target holds exactly its source's codes, pairs open before close and nested."""
    for block in document.blocks:
        assert_coded_well_formed(block.target, block.codes, block.source, f"block {block.index}: ")


class FormatSuite:
    format_name: str = ""
    extension: str = ""

    # -- hooks -----------------------------------------------------------------------

    def assert_same_file(self, produced: bytes, original: bytes) -> None:
        assert produced == original

    def shape(self, data: bytes) -> object:
        """What must not change in translation: block kinds and the skeleton around them."""
        document = self.read(data)
        return [b.kind for b in document.blocks], [p for p in document.parts if isinstance(p, str)]

    # -- helpers ----------------------------------------------------------------------

    def read(self, data: bytes, name: str = "sample") -> Document:
        return segment_document(get_format(self.format_name).read(data, name))

    def write(self, document: Document) -> bytes:
        return get_format(self.format_name).write(document)

    def translated(self, sample: Path, engine) -> tuple[Document, bytes]:
        document = self.read(sample.read_bytes(), sample.name)
        translate_documents([document], engine)
        return document, self.write(document)

    # -- the suite ------------------------------------------------------------------

    def test_identity_round_trip(self, sample: Path) -> None:
        data = sample.read_bytes()
        self.assert_same_file(self.write(self.read(data)), data)

    def test_copy_engine_round_trip(self, sample: Path) -> None:
        _, produced = self.translated(sample, create_engine("copy"))
        self.assert_same_file(produced, sample.read_bytes())

    def test_pseudo_output_matches_reference(self, sample: Path) -> None:
        _, produced = self.translated(sample, create_engine("pseudo"))
        reference = sample.with_name(f"{sample.name.split('.')[0]}.pseudo{self.extension}")
        if ".id." in sample.name:  # corpus files keep their references in the data folder
            reference = DATA / self.format_name / reference.name
        if os.environ.get("REGEN_REFERENCES"):
            reference.parent.mkdir(parents=True, exist_ok=True)
            reference.write_bytes(produced)
        assert reference.exists(), f"missing {reference}; create it with REGEN_REFERENCES=1"
        self.assert_same_file(produced, reference.read_bytes())

    def test_tiny_model_keeps_codes_and_shape(self, sample: Path, tiny_model_dir: Path) -> None:
        engine = create_engine("marian", model=str(tiny_model_dir), beam=2, max_length=16)
        document, produced = self.translated(sample, engine)
        assert_codes_well_formed(document)
        if any(s.target != s.source for s in document.segments()):
            assert produced != sample.read_bytes()
        assert self.shape(produced) == self.shape(sample.read_bytes())
