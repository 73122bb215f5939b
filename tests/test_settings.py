"""House settings files and their precedence (translate.settings)."""

from __future__ import annotations

from pathlib import Path

import pytest

from translate.errors import InputError
from translate.settings import Settings, curated_glossary_dir, load_settings


@pytest.fixture()
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty user config folder (platformdirs honours XDG_CONFIG_HOME on Linux)."""
    home = tmp_path / "config"
    home.mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home


def test_defaults_without_files(tmp_path: Path, config_home: Path) -> None:
    settings = load_settings(cwd=tmp_path)
    assert settings == Settings()
    assert settings.files == ()


def test_precedence_user_then_pyproject_then_translate_toml_then_command_line(
        tmp_path: Path, config_home: Path) -> None:
    (config_home / "translate").mkdir()
    (config_home / "translate" / "translate.toml").write_text(
        'locale = "en_AU"\nbeam = 2\nstyle = "ap"\ncurrency-style = "words"\n')
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n[tool.translate]\nbeam = 3\nlocale = "en_GB"\n')
    (tmp_path / "translate.toml").write_text("beam = 5\n")
    settings = load_settings({"beam": None, "max_length": 64}, cwd=tmp_path)
    assert settings.beam == 5  # ./translate.toml over pyproject over the user's file
    assert settings.locale == "en_GB"  # pyproject over the user's file
    assert settings.style == "ap" and settings.currency_style == "words"  # only in the user's file
    assert settings.max_length == 64  # the command line over everything
    assert len(settings.files) == 3
    assert load_settings({"beam": 7}, cwd=tmp_path).beam == 7


def test_unknown_key_names_the_file(tmp_path: Path, config_home: Path) -> None:
    (tmp_path / "translate.toml").write_text("beem = 5\n")
    with pytest.raises(InputError, match=r"translate\.toml.*unknown setting 'beem'") as error:
        load_settings(cwd=tmp_path)
    assert "beam" in str(error.value)  # the valid keys are listed


def test_wrong_type_and_bad_toml(tmp_path: Path, config_home: Path) -> None:
    (tmp_path / "translate.toml").write_text('beam = "five"\n')
    with pytest.raises(InputError, match="'beam' must be a whole number"):
        load_settings(cwd=tmp_path)
    (tmp_path / "translate.toml").write_text("beam = \n")
    with pytest.raises(InputError, match=r"translate\.toml.*line 1"):
        load_settings(cwd=tmp_path)


def test_relative_paths_are_relative_to_the_file(tmp_path: Path, config_home: Path) -> None:
    house = tmp_path / "house"
    (house / "models" / "mt").mkdir(parents=True)
    (house / "translate.toml").write_text('glossary = "house.tsv"\nmodel = "models/mt"\n')
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "translate.toml").write_text((house / "translate.toml").read_text())
    settings = load_settings(cwd=house)
    assert settings.glossary == (str(house / "house.tsv"),)
    assert Path(settings.model) == house / "models" / "mt"
    assert load_settings(cwd=other).model == "models/mt"  # no such folder there: a hub id


def test_curated_glossary_ships_with_the_package() -> None:
    folder = curated_glossary_dir()
    assert {p.name for p in folder.glob("*.tsv")} >= {"places-world.tsv", "titles.tsv"}


def test_glossary_paths_curated_then_house(tmp_path: Path) -> None:
    (tmp_path / "glossaries").mkdir()
    settings = Settings(glossary=("extra.tsv",))
    paths = settings.glossary_paths(cwd=tmp_path)
    assert paths[0] == curated_glossary_dir()
    assert paths[1:] == [tmp_path / "glossaries", Path("extra.tsv")]
    assert Settings(use_glossary=False).glossary_paths(cwd=tmp_path) == []
    assert Settings(curated_glossary=False).glossary_paths(cwd=tmp_path) == [tmp_path / "glossaries"]


def test_repository_glossaries_folder_is_the_curated_one_listed_once() -> None:
    repo = Path(__file__).parents[1]
    assert Settings().glossary_paths(cwd=repo) == [curated_glossary_dir()]
