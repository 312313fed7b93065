"""The counting engine: finds inputs, decodes them once, and feeds every selected tokenizer.

Data flows one way: paths -> ``Source`` -> decoded text -> counts per tokenizer -> ``FileCount``.
Errors are collected per input (never dropped), so one bad file does not hide the others.
"""

from __future__ import annotations

import fnmatch
import os
import stat
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .adapters import Adapter
from .errors import InputDecodeError

#: Directories skipped during recursion unless --no-default-excludes: VCS metadata only.
DEFAULT_EXCLUDED_DIRS = (".git", ".hg", ".svn", "__pycache__")
BINARY_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class Source:
    """One input: a file path, or stdin when ``path`` is None."""

    name: str
    path: Path | None


@dataclass
class FileCount:
    name: str
    chars: int
    bytes: int
    tokens: dict[str, int]


@dataclass
class Problem:
    """An input that was not counted, and why. ``kind`` is 'skipped' (binary) or 'error'."""

    name: str
    kind: str
    reason: str


@dataclass
class Inputs:
    sources: list[Source] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _matches(rel: str, patterns: Sequence[str]) -> bool:
    base = rel.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatchcase(rel, p) or fnmatch.fnmatchcase(base, p) for p in patterns)


def discover(
    paths: Sequence[str],
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    default_excludes: bool = True,
) -> Inputs:
    """Expand paths (files, directories recursively, '-' for stdin) into sources, in a stable order.

    Symlinks are followed; a directory already visited (a symlink loop) is reported and not re-entered.
    ``include``/``exclude`` are globs matched against the path relative to the argument and its base name.
    """
    found = Inputs()
    for arg in paths:
        if arg == "-":
            found.sources.append(Source("-", None))
            continue
        p = Path(arg)
        try:
            st = p.stat()
        except FileNotFoundError:
            found.problems.append(Problem(arg, "error", "no such file or directory"))
            continue
        except OSError as exc:
            found.problems.append(Problem(arg, "error", exc.strerror or str(exc)))
            continue
        if not stat.S_ISDIR(st.st_mode):
            found.sources.append(Source(arg, p))  # an explicit file is counted even if excluded
            continue
        visited: set[tuple[int, int]] = set()
        _walk(p, p, include, exclude, default_excludes, visited, found)
    return found


def _walk(root: Path, d: Path, include: Sequence[str], exclude: Sequence[str], default_excludes: bool,
          visited: set[tuple[int, int]], found: Inputs) -> None:
    try:
        st = d.stat()
    except OSError as exc:
        found.problems.append(Problem(str(d), "error", exc.strerror or str(exc)))
        return
    key = (st.st_dev, st.st_ino)
    if key in visited:
        found.problems.append(Problem(str(d), "skipped", "directory already visited (symlink loop)"))
        return
    visited.add(key)
    try:
        children = sorted(os.scandir(d), key=lambda e: e.name)
    except OSError as exc:
        found.problems.append(Problem(str(d), "error", exc.strerror or str(exc)))
        return
    for entry in children:
        child = Path(entry.path)
        rel = child.relative_to(root).as_posix()
        try:
            is_dir = entry.is_dir(follow_symlinks=True)
        except OSError:
            is_dir = False
        if is_dir:
            if default_excludes and entry.name in DEFAULT_EXCLUDED_DIRS:
                continue
            if exclude and _matches(rel, exclude):
                continue
            _walk(root, child, include, exclude, default_excludes, visited, found)
            continue
        if exclude and _matches(rel, exclude):
            continue
        if include and not _matches(rel, include):
            continue
        if entry.is_symlink() and not child.exists():
            found.problems.append(Problem(str(child), "error", "broken symbolic link"))
            continue
        found.sources.append(Source(str(child), child))


def read_source(src: Source) -> bytes:
    if src.path is None:
        return sys.stdin.buffer.read()
    return src.path.read_bytes()


def is_binary(data: bytes) -> bool:
    """A file is binary if its first 8 KiB contain a NUL byte (the rule git and ripgrep use)."""
    return b"\x00" in data[:BINARY_SNIFF_BYTES]


def decode(data: bytes, name: str, errors: str = "strict") -> str:
    """UTF-8 decode; invalid input names the source and the byte offset unless errors='replace'."""
    try:
        return data.decode("utf-8", errors=errors)
    except UnicodeDecodeError as exc:
        raise InputDecodeError(name, exc.start, f"invalid UTF-8 ({exc.reason})") from None


def count_texts(texts: Sequence[str], adapters: Sequence[Adapter]) -> list[dict[str, int]]:
    """Counts of every text for every adapter, keyed by tokenizer id (batched per adapter)."""
    out: list[dict[str, int]] = [{} for _ in texts]
    for ad in adapters:
        for i, n in enumerate(ad.count_many(texts)):
            out[i][ad.entry.id] = n
    return out


def count_sources(
    sources: Iterable[Source],
    adapters: Sequence[Adapter],
    errors: str = "strict",
    batch_bytes: int = 8 << 20,
    treat_binary: bool = False,
) -> Iterator[FileCount | Problem]:
    """Read, decode and count each source; yields results and problems in input order."""
    batch: list[tuple[Source, bytes, str]] = []
    size = 0

    def flush() -> Iterator[FileCount]:
        counts = count_texts([t for _, _, t in batch], adapters)
        for (src, data, text), c in zip(batch, counts):
            yield FileCount(src.name, len(text), len(data), c)

    for src in sources:
        try:
            data = read_source(src)
        except OSError as exc:
            yield Problem(src.name, "error", exc.strerror or str(exc))
            continue
        if not treat_binary and is_binary(data):
            yield Problem(src.name, "skipped", "binary file (NUL byte)")
            continue
        try:
            text = decode(data, src.name, errors)
        except InputDecodeError as exc:
            yield Problem(src.name, "error", str(exc).split(": ", 1)[1])
            continue
        batch.append((src, data, text))
        size += len(data)
        if size >= batch_bytes or len(batch) >= 256:
            yield from flush()
            batch, size = [], 0
    if batch:
        yield from flush()
