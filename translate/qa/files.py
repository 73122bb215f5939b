"""``translate qa SOURCE TARGET``: files or folders, paired by name as ``translate score`` pairs them.

``X.en.EXT`` in the target folder pairs with ``X.id.EXT`` (or ``X.EXT``) in the
source folder, in the same subfolder (:func:`translate.evaluate.inputs.pair_key`:
language tags ignored); when some target files are tagged ``.en.``, untagged
ones (a README) are not translations and are left out; source files tagged
``.en.`` are not sources and target files tagged ``.id.`` not translations, so
one folder holding both (``corpora/``) checks its references against their
sources.  Both files of a pair are read with the format of the source (its
extension, or ``--format``).  One file's problem is that file's error; the
other files are still checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, TranslateError
from ..glossary import Glossary
from .pairing import pair_documents
from .registry import Check
from .runner import QADocument, run_checks


@dataclass
class QAFiles:
    documents: list[QADocument] = field(default_factory=list)
    errors: list[TranslateError] = field(default_factory=list)


def file_pairs(source: str | Path, target: str | Path) -> list[tuple[Path, Path]]:
    """(source, target) paths to check (see the module docstring); unpaired targets are one error."""
    source, target = Path(source), Path(target)
    for path in (source, target):
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
    if source.is_dir() != target.is_dir():
        raise InputError(f"{source} and {target}: give two files or two folders")
    if not source.is_dir():
        return [(source, target)]
    sources = _by_key(source, lambda p: ".en." not in p.name)
    targets = _by_key(target, lambda p: ".id." not in p.name)
    if any(".en." in p.name for p in targets.values()):
        targets = {k: p for k, p in targets.items() if ".en." in p.name}
    missing = [f"{p.name} (no source {k} in {source})" for k, p in targets.items() if k not in sources]
    if missing:
        shown = "; ".join(missing[:5]) + (f"; and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise InputError(f"{len(missing)} unpaired file(s) in {target}: {shown}",
                         hint="files are paired by name, language tags .en./.id. ignored")
    pairs = [(sources[k], p) for k, p in targets.items() if sources[k].resolve() != p.resolve()]
    if not pairs:
        raise InputError(f"no translations to check in {target}")
    return pairs


def _by_key(folder: Path, keep) -> dict[str, Path]:
    """Files of a known format under ``folder`` by pairing key; a tagged file wins over an untagged one."""
    from ..evaluate.inputs import pair_key
    from ..formats import EXTENSIONS

    files: dict[str, Path] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts) or path.suffix.lower() not in EXTENSIONS:
            continue
        if keep(path):
            key = str(relative.parent / pair_key(path))
            if key not in files or pair_key(path) != path.name:
                files[key] = path
    return files


def check_files(source: str | Path, target: str | Path, fmt: str = "auto", glossary: Glossary | None = None,
                checks: Sequence[Check] | None = None) -> QAFiles:
    """Check every translation under ``target`` against its source under ``source``."""
    from ..formats import detect_format
    from ..pipeline import load_document

    result = QAFiles()
    for source_path, target_path in file_pairs(source, target):
        try:
            format_name = detect_format(source_path) if fmt == "auto" else fmt
            source_doc = load_document(source_path, format_name)
            target_doc = load_document(target_path, format_name)
            units = pair_documents(source_doc, target_doc)
            result.documents.append(QADocument(str(source_path), str(target_path), units,
                                               run_checks(units, checks, glossary)))
        except TranslateError as error:
            result.errors.append(error)
        except Exception as error:  # noqa: BLE001 - one file's surprise is that file's error, not the batch's end
            result.errors.append(InputError(f"{target_path}: unexpected error while checking: {error!r}",
                                            hint="report this file to the developers (--debug shows where)"))
    return result
