"""copy and pseudo engines: never translations, and they say so."""

from __future__ import annotations

from translate.engines import create_engine
from translate.engines.simple import pseudo_translate


def test_copy_returns_the_source_and_names_itself() -> None:
    engine = create_engine("copy")
    assert [t.text for t in engine.translate(["Halo \ue000dunia\ue001."])] == ["Halo \ue000dunia\ue001."]
    assert "engine=copy" in engine.signature()


def test_pseudo_is_accented_bracketed_longer_and_keeps_codes() -> None:
    source = "Harga \ue000beras\ue001 naik di Jakarta."
    out = pseudo_translate(source)
    assert out.startswith("[") and out.endswith("]")
    assert out.count("\ue000") == 1 and out.count("\ue001") == 1
    assert out.index("\ue000") < out.index("\ue001")
    assert len(out) >= 1.3 * len(source)
    assert "Ĵåķåŕţå" in out
    assert "engine=pseudo" in create_engine("pseudo").signature()


def test_pseudo_leaves_blank_text_alone() -> None:
    assert pseudo_translate("  ") == "  "


def test_pipeline_sends_an_engine_its_chunk_size() -> None:
    from translate.engines.simple import CopyEngine
    from translate.formats import get_format
    from translate.pipeline import translate_documents
    from translate.segment import segment_document

    class Chunked(CopyEngine):
        chunk_size = 3

        def __init__(self) -> None:
            self.calls: list[int] = []

        def translate(self, texts, align=None, constraints=None):
            self.calls.append(len(texts))
            return super().translate(texts, align=align, constraints=constraints)

    words = "satu dua tiga empat lima enam tujuh".split()
    text = "\n\n".join(f"Kalimat nomor {word} di sini." for word in words)
    document = segment_document(get_format("text").read(text.encode("utf-8"), "x.txt"))
    engine = Chunked()
    translate_documents([document], engine)
    assert engine.calls == [3, 3, 1]
