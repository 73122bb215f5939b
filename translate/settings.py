"""Run settings: built-in defaults, house settings files, then command-line options.

One object, :class:`Settings`, describes a run (engine and its options,
glossaries, localization); the CLI builds it from its options and the Python
API takes it as it is, so both translate the same way.  A bureau keeps its
house defaults in a TOML file instead of repeating options in every cron line:

* ``translate.toml`` in the working folder,
* ``[tool.translate]`` in ``pyproject.toml`` in the working folder,
* ``translate.toml`` in the user's config folder (``~/.config/translate/`` on
  Linux, via platformdirs),

in that order of precedence, each over the built-in defaults; options given on
the command line override all of them.  Keys are the long option names
(``currency-style`` or ``currency_style``)::

    engine = "ct2"
    model = "models/opus-mt-id-en"     # relative paths are relative to the file
    beam = 5
    locale = "en_GB"
    style = "ap"
    glossary = ["house.tsv"]

An unknown key or a value of the wrong type is an error naming the file and
the key, before any work.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Mapping
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import InputError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

#: The model engines' options a settings file or the command line may set.
ENGINE_OPTIONS = ("model", "revision", "beam", "batch_size", "max_length", "device", "quantization",
                  "inter_threads", "intra_threads", "force_beam")
#: A house glossary folder picked up from the working folder, on top of the curated one.
HOUSE_GLOSSARY_DIR = "glossaries"
SETTINGS_FILE = "translate.toml"


@dataclass(frozen=True)
class Settings:
    """Everything that chooses how a run translates.

    Engine options left at None are the engine's own defaults (beam 4, batch 16,
    ...; see ``translate run --help``), so an engine that does not take one
    (copy, pseudo) is never handed it.
    """

    engine: str = "auto"
    model: str | None = None
    revision: str | None = None
    beam: int | None = None
    batch_size: int | None = None
    max_length: int | None = None
    device: str | None = None
    quantization: str | None = None
    inter_threads: int | None = None
    intra_threads: int | None = None
    force_beam: int | None = None
    #: House glossary files or folders, used on top of the curated one (each may override it).
    glossary: tuple[str, ...] = ()
    #: Use the curated glossaries shipped with the package.
    curated_glossary: bool = True
    #: False: no glossary at all (``--no-glossary``).
    use_glossary: bool = True
    locale: str = "en_US"
    currency_style: str = "code"
    style: str = "cldr"
    localize: bool = True
    #: The settings files that were read, lowest precedence first (for the run's report).
    files: tuple[str, ...] = ()
    #: Engine options given on the command line (or by a Python caller): an engine that does not
    #: take one refuses it, while a settings file's value is only used by engines that take it.
    given: frozenset[str] = frozenset()

    # ------------------------------------------------------------ building

    def merged(self, values: Mapping[str, Any], origin: str = "") -> Settings:
        """These settings with ``values`` on top; None means "not given" and keeps the current value."""
        known = {f.name: f for f in fields(self) if f.name not in ("files", "given")}
        changes: dict[str, Any] = {}
        for key, value in values.items():
            name = key.replace("-", "_")
            if name not in known:
                valid = ", ".join(sorted(n.replace("_", "-") for n in known))
                raise InputError(f"unknown setting {key!r}", path=origin or None, hint=f"valid keys: {valid}")
            if value is None:
                continue
            changes[name] = _checked(name, value, known[name].type, origin)
        return dataclasses.replace(self, **changes)

    # ------------------------------------------------------------ using

    def engine_options(self) -> dict[str, Any]:
        """The engine options that were set (by a file, the command line or a caller), by name."""
        values = {name: getattr(self, name) for name in ENGINE_OPTIONS}
        return {name: value for name, value in values.items() if value is not None}

    def create_engine(self):
        """The engine these settings describe (not loaded yet: call its ``load()``)."""
        from .engines import create_engine, engine_options

        takes = set(engine_options(self.engine))
        options = {name: value for name, value in self.engine_options().items()
                   if name in takes or name in self.given}
        return create_engine(self.engine, **options)

    def load_glossary(self, cwd: str | Path | None = None):
        """The run's :class:`~translate.glossary.Glossary` (None without one), see :meth:`glossary_paths`."""
        paths = self.glossary_paths(cwd)
        if not paths:
            return None
        from .glossary import load_glossary

        return load_glossary(paths)

    def localizer(self):
        """The run's :class:`~translate.localize.Localizer`, or None with ``localize = false``."""
        if not self.localize:
            return None
        from .localize import Localizer

        return Localizer(self.locale, self.currency_style, self.style)

    def glossary_paths(self, cwd: str | Path | None = None) -> list[Path]:
        """The glossaries a run uses, in order: curated, ``./glossaries/``, then the house files.

        A later file may override an earlier file's entry (see the glossary
        loader).  In a checkout of this repository ``./glossaries/`` is the
        curated folder itself, so it is not a house glossary there.
        """
        if not self.use_glossary:
            return []
        curated = curated_glossary_dir()
        paths: list[Path] = [curated] if self.curated_glossary else []
        house = Path(cwd) / HOUSE_GLOSSARY_DIR if cwd is not None else Path(HOUSE_GLOSSARY_DIR)
        if house.is_dir() and house.resolve() != curated.resolve():  # not this repository's own folder
            paths.append(house)
        paths += [Path(p) for p in self.glossary]
        unique: list[Path] = []
        seen: set[Path] = set()
        for path in paths:
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                unique.append(path)
        return unique


def curated_glossary_dir() -> Path:
    """The curated glossaries shipped inside the package (``glossaries/`` of the repository)."""
    return Path(str(resources.files("translate") / "data" / "glossaries"))


def _checked(name: str, value: Any, declared: Any, origin: str) -> Any:
    """``value`` for field ``name``, or an error naming the file and the key."""
    text = str(declared)
    where = f"{origin}: " if origin else ""
    if name == "glossary":
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) for i in items):
            raise InputError(f"{where}setting 'glossary' must be a path or a list of paths")
        return tuple(items)
    if text.startswith("bool"):
        if not isinstance(value, bool):
            raise InputError(f"{where}setting {name.replace('_', '-')!r} must be true or false")
        return value
    if text.startswith("int"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise InputError(f"{where}setting {name.replace('_', '-')!r} must be a whole number")
        return value
    if not isinstance(value, str):
        raise InputError(f"{where}setting {name.replace('_', '-')!r} must be a string")
    return value


def settings_files(cwd: str | Path | None = None) -> list[Path]:
    """The settings files that exist, lowest precedence first (user config, pyproject, ./translate.toml)."""
    from platformdirs import user_config_dir

    here = Path(cwd) if cwd is not None else Path.cwd()
    user = Path(user_config_dir("translate")) / SETTINGS_FILE
    candidates = [user, here / "pyproject.toml", here / SETTINGS_FILE]
    return [p for p in candidates if p.is_file()]


def read_settings_file(path: Path) -> dict[str, Any]:
    """The settings a file holds (``[tool.translate]`` of a pyproject.toml), relative paths resolved."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"not valid TOML: {error}", path=str(path), hint="fix the settings file") from None
    except OSError as error:
        raise InputError(f"cannot read settings: {error.strerror}", path=str(path)) from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("translate", {})
    if not isinstance(data, dict):
        raise InputError("[tool.translate] must be a table", path=str(path))
    return _resolve_paths(data, path.parent)


def _resolve_paths(data: dict[str, Any], base: Path) -> dict[str, Any]:
    """Glossary paths, and a model given as a path, are relative to the settings file's folder."""
    resolved = dict(data)
    glossary = data.get("glossary")
    if isinstance(glossary, str):
        glossary = [glossary]
    if isinstance(glossary, list):
        resolved["glossary"] = [str(base / g) if isinstance(g, str) else g for g in glossary]
    model = data.get("model")
    if isinstance(model, str) and (model.startswith((".", "/", "~")) or (base / model).exists()):
        resolved["model"] = str(base / Path(model).expanduser())
    return resolved


def load_settings(overrides: Mapping[str, Any] | None = None, cwd: str | Path | None = None,
                  read_files: bool = True) -> Settings:
    """Defaults, then the settings files (see the module docstring), then ``overrides`` (None = not given)."""
    settings = Settings()
    read: list[str] = []
    if read_files:
        for path in settings_files(cwd):
            values = read_settings_file(path)
            if values:
                settings = settings.merged(values, str(path))
                read.append(str(path))
    given = {key.replace("-", "_") for key, value in (overrides or {}).items() if value is not None}
    settings = settings.merged(dict(overrides or {}), "command line")
    return dataclasses.replace(settings, files=tuple(read), given=frozenset(given & set(ENGINE_OPTIONS)))


__all__ = ["ENGINE_OPTIONS", "Settings", "curated_glossary_dir", "load_settings",
           "settings_files"]
