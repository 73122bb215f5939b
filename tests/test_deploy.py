"""The slim install and the Dockerfile stay what the README promises.

No Docker daemon runs where the tests run, so the image is not built here;
``benchmarks/slim_install.py`` runs the Dockerfile's steps (wheels, a fresh
venv, an unprivileged offline run with a converted model). These tests pin
what that script cannot see break between its runs.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("torch", "transformers")


def requirement_name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower()


def test_the_base_install_needs_no_pytorch_but_the_readme_install_has_it() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    base = {requirement_name(r) for r in project["dependencies"]}
    assert not base & set(HEAVY), "the slim install (pip install .) must translate without PyTorch"
    assert "ctranslate2" in base  # the engine it translates with
    extras = project["optional-dependencies"]
    marian = {requirement_name(r) for r in extras["marian"]}
    dev_extras = {extra for r in extras["dev"] if "[" in r
                  for extra in r.split("[")[1].split("]")[0].split(",")}  # translate-id-en[marian,ray]
    assert set(HEAVY) <= marian and "marian" in dev_extras
    assert "'.[dev]'" in (ROOT / "README.md").read_text(encoding="utf-8").split("\n```", 2)[1]


def dockerfile_stages() -> list[list[str]]:
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()]
    stages: list[list[str]] = []
    for line in lines:
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            stages.append([])
        if stages:
            stages[-1].append(line)
    return stages


def test_the_dockerfile_is_multi_stage_unprivileged_and_slim() -> None:
    stages = dockerfile_stages()
    assert len(stages) >= 2, "a build stage and a runtime stage"
    for stage in stages:
        for line in stage:
            if line.upper().startswith("COPY ") and "--from=" not in line:
                *sources, _ = line.split()[1:]
                for source in sources:
                    assert (ROOT / source).exists(), f"Dockerfile copies {source}: not in the repository"
            if re.match(r"RUN .*pip (install|wheel)", line, re.IGNORECASE):
                assert not any(name in line for name in HEAVY) and "[" not in line, line
    runtime = stages[-1]
    users = [line.split()[1] for line in runtime if line.upper().startswith("USER ")]
    assert users and users[-1].split(":")[0] not in ("0", "root"), "the image must not run as root"
    volumes = " ".join(line for line in runtime if line.upper().startswith("VOLUME "))
    assert "/data" in volumes and "/model" in volumes, "data and model come from volumes"
    copied = [line for line in runtime if line.upper().startswith(("COPY ", "ADD "))]
    assert not any("model" in line.lower() for line in copied), "the model is mounted, never in the image"


@pytest.mark.parametrize("script", ["slim_install.py", "batch_run.py"])
def test_the_readme_names_the_deployment_scripts(script: str) -> None:
    assert (ROOT / "benchmarks" / script).is_file()
    assert f"benchmarks/{script}" in (ROOT / "README.md").read_text(encoding="utf-8")
