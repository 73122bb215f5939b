"""Shared fixtures: a tiny Marian model in the real opus-mt file layout, and a real browser."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from translate.testing.marian_factory import TINY_SHAPE, ModelSpec, build_marian_model

# A few sentences written for these tests; the tokenizers learn their pieces from them.
_SOURCE = """\
Presiden Joko Widodo mengunjungi Jawa Barat pada hari Senin.
Menteri Luar Negeri Rusia berbicara kepada wartawan di Moskwa.
Harga beras naik 2,5 persen di pasar Jakarta pekan lalu.
Gubernur Sumatra Utara meresmikan jembatan baru di Medan.
Hujan deras menyebabkan banjir di beberapa desa di Kabupaten Bogor.
Perdana Menteri Selandia Baru tiba di Jenewa untuk pembicaraan damai.
Warga diminta tetap tenang dan mengikuti arahan petugas.
Pemerintah akan membangun sekolah dan rumah sakit di daerah terpencil.
"""
_TARGET = """\
President Joko Widodo visited West Java on Monday.
The Russian Foreign Minister spoke to reporters in Moscow.
Rice prices rose 2.5 percent in Jakarta markets last week.
The Governor of North Sumatra opened a new bridge in Medan.
Heavy rain caused flooding in several villages in Bogor Regency.
The Prime Minister of New Zealand arrived in Geneva for peace talks.
Residents were asked to stay calm and follow the officers' instructions.
The government will build schools and hospitals in remote areas.
"""


# Every printable ASCII character once, so that any English term can be written by the
# tiny target vocabulary (the real model's 54k pieces can write them all).
_ALPHABET = " ".join("ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz 0123456789 .,;:!?'\"()-/&%$#@+*=")


@pytest.fixture(scope="session", autouse=True)
def _translate_cache(tmp_path_factory: pytest.TempPathFactory):
    """Model conversions (ct2) go to a per-session folder, never to ~/.cache; once per session."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRANSLATE_CACHE", str(tmp_path_factory.mktemp("translate-cache")))
        yield


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised Marian model with opus-mt's files, built once per run."""
    directory = tmp_path_factory.mktemp("models") / "opus-mt-tiny-id-en"
    spec = ModelSpec(_SOURCE * 3, _TARGET * 3 + _ALPHABET + "\n", TINY_SHAPE, spm_vocab_size=150)
    return build_marian_model(directory, spec)


_REPOSITORY = Path(__file__).resolve().parent.parent


def _untracked_files() -> set[str] | None:
    """Files in the repository that git neither tracks nor ignores (None outside a git checkout)."""
    try:
        done = subprocess.run(["git", "ls-files", "--others", "--exclude-standard", "-z"], cwd=_REPOSITORY,
                              capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return set(done.stdout.decode("utf-8", "replace").split("\0")) - {""} if done.returncode == 0 else None


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_UNTRACKED] = _untracked_files()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when a test left a file in the repository (a test writes under tmp_path only)."""
    before = session.config.stash.get(_UNTRACKED, None)
    after = _untracked_files() if before is not None else None
    if before is None or after is None or not after - before:
        return
    added = sorted(after - before)
    session.config.get_terminal_writer().line(f"tests wrote into the repository: {added}", red=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


_UNTRACKED = pytest.StashKey[set[str] | None]()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Give every FormatSuite test one run per sample file of its format."""
    cls = metafunc.cls
    if cls is not None and "sample" in metafunc.fixturenames and getattr(cls, "format_name", ""):
        from format_suite import sample_paths

        paths = sample_paths(cls.format_name, cls.extension)
        metafunc.parametrize("sample", paths, ids=[p.name for p in paths])


# Debian's Chromium (Playwright's own browser downloads are not reachable here).
CHROMIUM = os.environ.get("TRANSLATE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


def _browser_missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[dev]')"
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        return f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Chromium through Playwright, one per test module.

    Skips and says why when Playwright or Chromium is missing, unless
    ``TRANSLATE_REQUIRE_BROWSER`` is set (``.ci/run`` sets it): then a missing
    browser fails, so browser tests cannot pass quietly by not running.
    """
    reason = _browser_missing()
    if reason:
        if os.environ.get("TRANSLATE_REQUIRE_BROWSER"):
            pytest.fail(f"browser tests are required here (TRANSLATE_REQUIRE_BROWSER): {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
