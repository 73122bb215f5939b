"""``translate run --ray`` on a local Ray instance: the local run's bytes, faults, resuming, the CLI.

One Ray instance (2 CPUs) serves the module; each run starts its own actors.
Engines use one thread per actor, so the instance holds two actors and the
local run they are compared with decodes with the same batches.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import ray

from translate.cli import main
from translate.cluster import MANIFEST_NAME, RayOptions, run_on_ray
from translate.cluster.actors import CRASH_ENV
from translate.cluster.resources import ClusterError
from translate.engines import create_engine
from translate.pipeline import run
from translate.settings import Settings

CORPORA = Path(__file__).resolve().parent.parent / "corpora"
OPTIONS = {"beam": 2, "max_length": 12, "inter_threads": 1, "intra_threads": 1}


@pytest.fixture(scope="module", autouse=True)
def ray_instance():
    ray.init(num_cpus=2, object_store_memory=100 * 1024 * 1024, include_dashboard=False,
             log_to_driver=False, logging_level="WARNING")
    yield
    ray.shutdown()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """The repository's corpus sources (text, Markdown, HTML, DOCX) and a second copy in a subfolder."""
    folder = tmp_path / "in"
    for copy in (folder, folder / "more"):
        copy.mkdir(parents=True)
        for path in CORPORA.glob("*.id.*"):
            shutil.copyfile(path, copy / path.name)
    return folder


def engine(model: Path):
    return create_engine("ct2", model=str(model), **OPTIONS)


def settings_run(model: Path) -> dict:
    """The glossary and localizer of a default run (curated glossary, en_US), on the tiny model."""
    settings = Settings()
    return {"glossary": settings.load_glossary(), "localizer": settings.localizer()}


def outputs(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def local_outputs(tiny_model_dir: Path, corpus: Path, tmp_path: Path) -> dict[str, bytes]:
    local = engine(tiny_model_dir)
    local.load()
    report = run([corpus], local, tmp_path / "local", **settings_run(tiny_model_dir))
    assert not report.failures and len(report.results) == 10
    return outputs(tmp_path / "local")


def test_outputs_equal_the_local_run(tiny_model_dir: Path, corpus: Path, tmp_path: Path,
                                     local_outputs: dict[str, bytes]) -> None:
    (corpus / "broken.id.txt").write_bytes(b"Harga beras \xff naik.\n")  # not UTF-8: fails alone
    out = tmp_path / "ray"
    seen = []
    report = run_on_ray([corpus], engine(tiny_model_dir), out, manifest=out / MANIFEST_NAME,
                        progress=seen.append, **settings_run(tiny_model_dir))
    written = outputs(out)
    manifest = [json.loads(line) for line in written.pop(MANIFEST_NAME).splitlines()]
    assert written == local_outputs  # byte for byte, every format
    [failure] = report.failures
    assert failure.job.source.name == "broken.id.txt" and "not valid UTF-8" in str(failure.error)
    assert "broken.id.txt" in str(failure.error)
    local = run([corpus], engine(tiny_model_dir), tmp_path / "again", **settings_run(tiny_model_dir))
    assert report.signature == local.signature
    assert [r.segments for r in report.results] == [r.segments for r in local.results]
    assert len(report.qa) == len(local.qa) and len(report.terms) == len(local.terms)
    assert manifest[0]["kind"] == "run"
    assert sorted(m["kind"] for m in manifest[1:]) == ["failed"] + ["written"] * 10
    assert manifest[0]["signature"] == report.signature and manifest[0]["documents"] == 11
    for line in manifest[1:]:
        if line["kind"] == "written":
            output = Path(line["output"])
            assert local_outputs[str(output.relative_to(out))] == output.read_bytes()
            assert line["bytes"] == output.stat().st_size and line["segments"] > 0
    # two actors, both used, each reporting its throughput; the driver's progress ends complete
    assert len(report.actors) == 2 and sum(a.documents for a in report.actors) == 10
    assert all(a.rate > 0 for a in report.actors if a.documents)
    assert seen[-1].done == 11 and seen[-1].failed == 1 and seen[-1].segments == sum(
        r.segments for r in report.results if not r.error)


def test_a_killed_actor_is_restarted_and_its_documents_retried(
        tiny_model_dir: Path, corpus: Path, tmp_path: Path, local_outputs: dict[str, bytes],
        monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "crashed"
    monkeypatch.setenv(CRASH_ENV, str(marker))
    out = tmp_path / "ray"
    report = run_on_ray([corpus], engine(tiny_model_dir), out, **settings_run(tiny_model_dir))
    assert marker.exists()  # an actor did exit in the middle of the run
    assert not report.failures
    assert outputs(out) == local_outputs  # nothing partial, nothing missing, nothing else


def test_skip_existing_completes_an_interrupted_run(tiny_model_dir: Path, corpus: Path, tmp_path: Path,
                                                    local_outputs: dict[str, bytes]) -> None:
    out = tmp_path / "ray"

    def interrupt(progress) -> None:
        if progress.done >= 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_on_ray([corpus], engine(tiny_model_dir), out, progress=interrupt, **settings_run(tiny_model_dir))
    first = outputs(out)
    assert 3 <= len(first) < len(local_outputs)
    assert all(local_outputs[name] == data for name, data in first.items())  # whole files only
    report = run_on_ray([corpus], engine(tiny_model_dir), out, skip_existing=True,
                        **settings_run(tiny_model_dir))
    assert len(report.existing) == len(first) and len(report.results) == len(local_outputs) - len(first)
    assert not report.failures
    assert outputs(out) == local_outputs


def test_cli_run_with_ray(tiny_model_dir: Path, corpus: Path, tmp_path: Path, local_outputs: dict[str, bytes],
                          capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no translate.toml or glossaries/ of the repository
    out = tmp_path / "cli"
    args = ["run", str(corpus), "-o", str(out), "--ray", "--engine", "ct2", "--model", str(tiny_model_dir),
            "--beam", "2", "--max-length", "12", "--inter-threads", "1", "--intra-threads", "1", "-q"]
    assert main(args) == 0
    err = capsys.readouterr().err
    written = outputs(out)
    manifest = written.pop(MANIFEST_NAME).decode()
    assert written == local_outputs
    assert "signature: engine=ct2" in err and "wrote 10 file(s)" in err
    assert manifest.count('"kind": "written"') == 10
    assert main([*args, "--skip-existing"]) == 0
    assert "kept 10 existing output(s)" in capsys.readouterr().err


def test_cli_refuses_a_translation_memory_on_a_cluster(tiny_model_dir: Path, corpus: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", str(corpus), "-o", str(tmp_path / "out"), "--ray", "--engine", "ct2",
                 "--model", str(tiny_model_dir), "--tm", str(tmp_path / "tm.sqlite")])
    assert code == ClusterError.exit_code
    assert "translation memory is not shared" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_model_that_cannot_load_is_the_runs_error(tiny_model_dir: Path, corpus: Path,
                                                    tmp_path: Path) -> None:
    from translate.errors import ModelError

    broken = tmp_path / "broken-model"
    shutil.copytree(engine(tiny_model_dir).prepare(), broken)  # a converted directory...
    (broken / "model.bin").write_bytes(b"truncated")  # ...whose weights are damaged
    with pytest.raises(ModelError, match="cannot load the CTranslate2 model"):
        run_on_ray([corpus], create_engine("ct2", model=str(broken), **OPTIONS), tmp_path / "out",
                   options=RayOptions(actors=1))
    assert not (tmp_path / "out").exists()


def test_copy_engine_runs_without_a_model(corpus: Path, tmp_path: Path) -> None:
    report = run_on_ray([corpus / "more"], create_engine("copy"), tmp_path / "ray")
    local = run([corpus / "more"], create_engine("copy"), tmp_path / "local")
    assert not report.failures and report.signature == local.signature
    assert outputs(tmp_path / "ray") == outputs(tmp_path / "local")
