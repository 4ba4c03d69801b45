"""Finding the submissions in what an instructor hands the grader.

    files, folders, folders of per-student folders, LMS .zip downloads
    -> ``collect`` -> [Submission(student_id, path, source)], plus notes for people.

Archives are extracted defensively (no absolute paths, no ``..``, no links, a size
counted while writing); nothing here reads a notebook's content or runs it.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from grader.errors import UsageError

MAX_ZIP_BYTES = 2 * 2**30  # total uncompressed size accepted from one archive
MAX_ZIP_MEMBERS = 20_000
RESERVED_IDS = frozenset({"summary", "gradebook", "results"})  # file names the batch writes itself
_SKIP_PARTS = {".ipynb_checkpoints", "__MACOSX"}


@dataclass(frozen=True)
class Submission:
    """One notebook to grade.

    Attributes:
        student_id: unique within the batch; the result is ``<student_id>.json``.
        path: the notebook (inside a temporary folder when it came from a .zip).
        source: where it came from, for people ("subs.zip:alice/Gradient_Checking.ipynb").
    """

    student_id: str
    path: Path
    source: str


def _safe_id(raw: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._@+-]+", "_", raw).strip("._") or "submission"
    return cleaned[:120]


def extract_zip(archive: Path, dest: Path, *, max_bytes: int = MAX_ZIP_BYTES) -> Path:
    """Extract an LMS bulk download safely; return the folder that holds its content.

    Members with absolute paths or ``..`` components, links, and archives that would
    expand past ``max_bytes`` (counted while writing, not trusted from the header) are
    refused with a UsageError: the instructor is handed a bad archive, not a student
    mistake. A single top-level folder is descended into.
    """
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UsageError(f"{archive} is not a readable .zip: {exc}") from None
    with zf:
        members = zf.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise UsageError(f"{archive} has {len(members)} members, over the limit of {MAX_ZIP_MEMBERS}.")
        declared = sum(m.file_size for m in members)
        if declared > max_bytes:
            raise UsageError(f"{archive} would expand to {declared / 2**20:.0f} MiB, "
                             f"over the {max_bytes / 2**20:.0f} MiB limit (zip bomb?).")
        dest.mkdir(parents=True, exist_ok=True)
        written = 0
        for m in members:
            name = m.filename.replace("\\", "/")
            parts = PurePosixPath(name).parts
            if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in parts:
                raise UsageError(f"{archive} has an unsafe member {m.filename!r} (absolute path or '..').")
            if (m.external_attr >> 16) & 0o170000 == 0o120000:
                raise UsageError(f"{archive} has a symbolic link {m.filename!r}; refusing to extract it.")
            target = dest.joinpath(*parts)
            if m.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(m) as src, open(target, "wb") as out:
                while chunk := src.read(1 << 20):
                    written += len(chunk)
                    if written > max_bytes:
                        raise UsageError(f"{archive} expands past the {max_bytes / 2**20:.0f} MiB limit "
                                         "(its headers understate the size: zip bomb?).")
                    out.write(chunk)
    root = dest
    entries = [p for p in root.iterdir() if p.name not in _SKIP_PARTS]
    while len(entries) == 1 and entries[0].is_dir():
        root = entries[0]
        entries = [p for p in root.iterdir() if p.name not in _SKIP_PARTS]
    return root


def _folder(root: Path, label: str, preferred: str | None) -> list[tuple[str, Path, str]]:
    """Notebooks in a folder: top-level files are named by their stem, notebooks in a
    subfolder by the subfolder (a folder of per-student folders)."""
    found: list[tuple[str, Path, str]] = []
    per_student: dict[str, list[Path]] = {}
    for nb in sorted(root.rglob("*.ipynb")):
        rel = nb.relative_to(root)
        if _SKIP_PARTS & set(rel.parts):
            continue
        if len(rel.parts) == 1:
            found.append((nb.stem, nb, f"{label}/{rel.as_posix()}"))
        else:
            per_student.setdefault(rel.parts[0], []).append(nb)
    for student, notebooks in sorted(per_student.items()):
        chosen = [n for n in notebooks if n.name == preferred] or notebooks
        for nb in chosen:
            found.append((student, nb, f"{label}/{nb.relative_to(root).as_posix()}"))
    return found


def collect(inputs: Iterable[str], workdir: Path, *, preferred: str | None = None) -> tuple[list[Submission], list[str]]:
    """Every submission named by ``inputs``, with unique student ids.

    Args:
        inputs: notebook files, folders of notebooks, folders of per-student folders,
            or .zip archives of either.
        workdir: an empty temporary folder where archives are extracted.
        preferred: the assignment's notebook file name; in a student folder holding
            several notebooks, only this one is graded if present.

    Returns:
        (submissions sorted by source, notes): one note per id that had to be changed
        to keep two submissions from writing the same result file.

    Raises:
        UsageError: a path does not exist, an archive is unsafe, or nothing was found.
    """
    raw: list[tuple[str, Path, str]] = []
    for n, item in enumerate(inputs):
        p = Path(item)
        if p.is_dir():
            raw += _folder(p, str(p), preferred)
        elif p.is_file() and p.suffix.lower() == ".zip":
            raw += _folder(extract_zip(p, workdir / f"zip{n}"), f"{p}:", preferred)
        elif p.is_file():
            raw.append((p.stem, p, str(p)))
        else:
            raise UsageError(f"no such file or folder: {item}")
    if not raw:
        raise UsageError("no notebooks to grade", hint="pass .ipynb files, folders that contain them, or a .zip of either")
    raw.sort(key=lambda r: (_safe_id(r[0]).lower(), r[2]))
    taken: set[str] = set()
    subs: list[Submission] = []
    notes: list[str] = []
    for name, path, source in raw:
        base = _safe_id(name)
        sid, k = base, 1
        while sid.lower() in taken or sid.lower() in RESERVED_IDS:
            k += 1
            sid = f"{base}-{k}"
        if sid != base:
            why = "is a reserved name" if base.lower() in RESERVED_IDS else "is already taken"
            notes.append(f"student id {base!r} {why}: {source} is graded as {sid!r}.")
        taken.add(sid.lower())
        subs.append(Submission(sid, path, source))
    return subs, notes


# --- resuming -----------------------------------------------------------------------
