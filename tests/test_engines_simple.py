"""copy and pseudo engines: never translations, and they say so."""

from __future__ import annotations

from pathlib import Path

import pytest

from translate.engines import create_engine
from translate.engines.simple import pseudo_translate
from translate.errors import ModelError


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


def test_a_folder_run_sends_each_article_to_the_engine_on_its_own(tmp_path) -> None:
    """A document's batches never hold another's segments (19.4: outputs must not depend on them)."""
    from translate.engines.simple import CopyEngine
    from translate.pipeline import run

    class Counting(CopyEngine):
        def __init__(self, chunk_size: int) -> None:
            self.chunk_size, self.calls = chunk_size, []

        def translate(self, texts, align=None, constraints=None):
            self.calls.append(sorted(texts))
            return super().translate(texts, align=align, constraints=constraints)

    texts = {"a": "Berita satu.\n\nKalimat dua.\n", "b": "Berita tiga.\n\nBerita satu.\n",
             "c": "Berita empat. Kalimat lima.\n"}
    for name, text in texts.items():
        (tmp_path / f"{name}.id.txt").write_text(text, encoding="utf-8")
    engine = Counting(chunk_size=100)
    report = run([tmp_path], engine, tmp_path / "out")
    assert not report.failures
    assert engine.calls == [["Berita satu.", "Kalimat dua."], ["Berita satu.", "Berita tiga."],
                            ["Berita empat.", "Kalimat lima."]]  # "Berita satu." again: b's own
    for name, text in texts.items():
        assert (tmp_path / "out" / f"{name}.en.txt").read_text(encoding="utf-8") == text
    small = Counting(chunk_size=1)
    run([tmp_path], small, tmp_path / "out2")
    assert [len(call) for call in small.calls] == [1] * 6


# -- the protocol and engine options ---------------------------------------------------------

REGISTERED = ("marian", "ct2", "copy", "pseudo")


@pytest.mark.parametrize("name", REGISTERED)
def test_every_engine_offers_the_whole_protocol(name: str) -> None:
    engine = create_engine(name)  # cheap: nothing is loaded before load() or translate()
    assert engine.name == name
    for flag in ("keeps_codes", "translates", "localizes"):
        assert isinstance(getattr(engine, flag), bool), flag
    assert isinstance(engine.chunk_size, int) and engine.chunk_size >= 1
    for method in ("load", "signature", "translate"):
        assert callable(getattr(engine, method)), method
    assert engine.translates == (name not in ("copy", "pseudo"))
    assert engine.localizes == (name != "copy")


def test_copy_and_pseudo_load_nothing() -> None:
    for name in ("copy", "pseudo"):
        engine = create_engine(name)
        engine.load()
        assert engine.translate(["Halo."])[0].text


def test_an_engine_refuses_an_option_it_does_not_take() -> None:
    with pytest.raises(ModelError) as caught:
        create_engine("marian", quantization="int8")
    message = str(caught.value)
    assert "'quantization'" in message and "model, beam, batch_size, max_length, device, revision" in message
    with pytest.raises(ModelError, match="engine 'copy' takes no option 'beam'"):
        create_engine("copy", beam=4)
    assert create_engine("pseudo", model=None, beam=None).name == "pseudo"  # None: not given


def test_the_cli_gives_copy_and_pseudo_no_model_options(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    from translate.cli import main

    source = tmp_path / "berita.id.txt"
    source.write_text("Harga beras naik.\n", encoding="utf-8")
    assert main(["run", str(source), "--engine", "pseudo", "-q", "--no-glossary"]) == 0
    refused = ["run", str(source), "--engine", "copy", "--beam", "2", "-q", "--overwrite", "--no-glossary"]
    assert main(refused) == 4
    err = capsys.readouterr().err
    assert "engine 'copy' takes no option 'beam'" in err and "Traceback" not in err
