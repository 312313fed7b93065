"""The counting engine: finds inputs, reads and decodes each once, and feeds every selected counter.

Data flows one way: paths -> ``Source`` -> byte blocks -> decoded text -> safe pieces -> batches ->
counts per counter -> ``FileCount``. Inputs are streamed: a file is read in 1 MiB blocks, decoded
incrementally (an invalid byte is reported with its absolute offset, however deep), and cut into
pieces of about 1 Mi characters only where every selected tokenizer's count is additive
(``normtok.chunking``). Pieces of many files and of one large file go into the same batches, so a
multi-threaded engine uses every core either way, and memory stays bounded by a few batches.

A reader thread prepares the next batch while the current one is counted. Counters that hold the
GIL (bpe-openai, kitoken) can run in worker processes (``pool=True``). Errors are collected per
input (never dropped), so one bad file does not hide the others; results come out in input order.

A *counter* is anything with ``count_many(texts) -> list[int]`` and an id (``.id`` or ``.entry.id``):
the tokenizer adapters, and per-text metrics such as NT. A counter may set ``cut_rule``
(``normtok.chunking.CutRule``) to allow cutting; without one its inputs are counted whole.
"""

from __future__ import annotations

import atexit
import codecs
import fnmatch
import os
import queue
import stat
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import chunking
from .adapters import Adapter
from .errors import InputDecodeError

#: Directories skipped during recursion unless --no-default-excludes: VCS metadata only.
DEFAULT_EXCLUDED_DIRS = (".git", ".hg", ".svn", "__pycache__")
BINARY_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class Source:
    """One input: a file path, or stdin when ``path`` is None (``head``: stdin bytes already read)."""

    name: str
    path: Path | None
    head: bytes | None = None


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
        if arg == "":  # Path("") is the current directory: an unset shell variable must not count it all
            found.problems.append(Problem("''", "error", "empty path argument"))
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


READ_BLOCK = 1 << 20
#: Files up to this size are read with one call; larger ones (and stdin) are streamed.
WHOLE_FILE_BYTES = 4 << 20
PIECE_CHARS = 1 << 20
BATCH_CHARS = 8 << 20
BATCH_ITEMS = 512


def read_source(src: Source) -> bytes:
    """The whole content of a source (small files; stdin and large files are streamed by ``iter_blocks``)."""
    if src.path is None:
        return (src.head or b"") + sys.stdin.buffer.read()
    return src.path.read_bytes()


def source_size(src: Source) -> int | None:
    """Size in bytes if known without reading (files, stdin redirected from a file), else None."""
    try:
        st = src.path.stat() if src.path is not None else os.fstat(sys.stdin.fileno())
    except (OSError, ValueError, AttributeError):
        return None
    return st.st_size if stat.S_ISREG(st.st_mode) else None


def peek_stdin(src: Source, limit: int) -> tuple[Source, int | None]:
    """Read up to ``limit`` bytes of stdin ahead, to learn whether it is small: (source to count, size or None)."""
    head = sys.stdin.buffer.read(limit)
    return Source(src.name, None, head), (len(head) if len(head) < limit else None)


def iter_blocks(src: Source, block: int | None = None) -> Iterator[bytes]:
    """The bytes of a source in blocks (``READ_BLOCK``); a small file is one block."""
    block = block or READ_BLOCK
    if src.path is not None:
        size = source_size(src)
        if size is not None and size <= WHOLE_FILE_BYTES:
            yield read_source(src)
            return
        fh = src.path.open("rb")
    else:
        if src.head:
            yield src.head
        fh = sys.stdin.buffer
    try:
        while True:
            data = fh.read(block)
            if not data:
                return
            yield data
    finally:
        if src.path is not None:
            fh.close()


def is_binary(data: bytes) -> bool:
    """A file is binary if its first 8 KiB contain a NUL byte (the rule git and ripgrep use)."""
    return b"\x00" in data[:BINARY_SNIFF_BYTES]


def decode(data: bytes, name: str, errors: str = "strict") -> str:
    """UTF-8 decode; invalid input names the source and the byte offset unless errors='replace'."""
    try:
        return data.decode("utf-8", errors=errors)
    except UnicodeDecodeError as exc:
        raise InputDecodeError(name, exc.start, f"invalid UTF-8 ({exc.reason})") from None


class StreamDecoder:
    """Incremental UTF-8 decoding that reports errors at their offset in the whole stream.

    Gives exactly the text (and, with errors='replace', the same U+FFFD) as decoding all at once.
    """

    def __init__(self, name: str, errors: str = "strict") -> None:
        self.name = name
        self._dec = codecs.getincrementaldecoder("utf-8")(errors)
        self.offset = 0  # bytes fed so far

    def _fail(self, exc: UnicodeDecodeError, pending: int) -> InputDecodeError:
        return InputDecodeError(self.name, self.offset - pending + exc.start, f"invalid UTF-8 ({exc.reason})")

    def decode(self, data: bytes) -> str:
        pending = len(self._dec.getstate()[0])
        try:
            text = self._dec.decode(data)
        except UnicodeDecodeError as exc:
            raise self._fail(exc, pending) from None
        self.offset += len(data)
        return text

    def finish(self) -> str:
        pending = len(self._dec.getstate()[0])
        try:
            return self._dec.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise self._fail(exc, pending) from None


def counter_id(counter: Any) -> str:
    """A counter's column key: ``.id``, else its tokenizer entry's id."""
    cid = getattr(counter, "id", None)
    return cid if isinstance(cid, str) else counter.entry.id


def count_texts(texts: Sequence[str], adapters: Sequence[Adapter]) -> list[dict[str, int]]:
    """Counts of every text for every adapter, keyed by tokenizer id (batched per adapter)."""
    out: list[dict[str, int]] = [{} for _ in texts]
    for ad in adapters:
        for i, n in enumerate(ad.count_many(texts)):
            out[i][counter_id(ad)] = n
    return out


# --- streaming pipeline ------------------------------------------------------------------------------------------


@dataclass
class _File:
    """A source being counted: totals so far, or the problem that stopped it."""

    src: Source
    counts: list[int]
    chars: int = 0
    nbytes: int = 0
    problem: Problem | None = None


@dataclass
class _Batch:
    items: list[tuple[_File, str, int]] = field(default_factory=list)  # (file, piece, how the piece begins)
    finished: list[_File] = field(default_factory=list)  # complete (or failed) after this batch, in input order
    chars: int = 0
    nbytes: int = 0


_END = object()


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def _batches(sources: Iterable[Source], ncounters: int, policy: chunking.Policy, errors: str,
             treat_binary: bool, batch_chars: int, piece_chars: int) -> Iterator[_Batch]:
    """Read, decode and cut every source, grouping pieces into batches (runs in the reader thread)."""
    batch = _Batch()
    for src in sources:
        f = _File(src, [0] * ncounters)
        chunker = chunking.Chunker(policy, piece_chars)
        dec = StreamDecoder(src.name, errors)
        first = True
        try:
            for block in iter_blocks(src):
                if first:
                    first = False
                    if not treat_binary and is_binary(block):
                        f.problem = Problem(src.name, "skipped", "binary file (NUL byte)")
                        break
                f.nbytes += len(block)
                batch.nbytes += len(block)
                text = dec.decode(block)
                f.chars += len(text)
                for piece, kind in chunker.feed(text):
                    batch.items.append((f, piece, kind))
                    batch.chars += len(piece)
                if batch.chars >= batch_chars or len(batch.items) >= BATCH_ITEMS:
                    yield batch
                    batch = _Batch()
            if f.problem is None:
                tail = dec.finish()
                f.chars += len(tail)
                pieces = chunker.feed(tail) + chunker.finish()
                for piece, kind in pieces:
                    batch.items.append((f, piece, kind))
                    batch.chars += len(piece)
        except InputDecodeError as exc:
            f.problem = Problem(src.name, "error", str(exc).split(": ", 1)[1])
        except OSError as exc:
            f.problem = Problem(src.name, "error", exc.strerror or str(exc))
        batch.finished.append(f)
        if batch.chars >= batch_chars or len(batch.items) >= BATCH_ITEMS:
            yield batch
            batch = _Batch()
    if batch.items or batch.finished:
        yield batch


def _threaded(gen: Iterator[_Batch], depth: int = 2) -> Iterator[_Batch]:
    """Run a batch generator in a reader thread, ``depth`` batches ahead (bounded memory)."""
    q: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in gen:
                while not stop.is_set():
                    try:
                        q.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(_END)
        except BaseException as exc:  # hand any failure to the consumer, which re-raises it
            q.put(_Failure(exc))

    t = threading.Thread(target=produce, name="normtok-reader", daemon=True)
    t.start()
    try:
        while True:
            item = q.get()
            if item is _END:
                return
            if isinstance(item, _Failure):
                raise item.exc
            yield item
    finally:
        stop.set()


# Worker processes for counters that hold the GIL: each rebuilds its adapters from the vocab cache.
_worker_counters: list[Any] = []


def _worker_init(specs: list[tuple[Any, str]]) -> None:
    from . import engines

    _worker_counters[:] = [engines.load(entry, name) for entry, name in specs]


def _worker_count(pieces: list[tuple[str, int]], rules: list[chunking.CutRule]) -> list[list[int]]:
    return [chunking.count_pieces(c.count_many, r, pieces) for c, r in zip(_worker_counters, rules)]


def _split(n_items: int, sizes: list[int], parts: int) -> list[tuple[int, int]]:
    """Contiguous ranges of items with about equal total size."""
    total = sum(sizes) or 1
    bounds, acc, start = [], 0, 0
    for i, size in enumerate(sizes):
        acc += size
        if acc * parts >= total * (len(bounds) + 1) and len(bounds) < parts - 1:
            bounds.append((start, i + 1))
            start = i + 1
    bounds.append((start, n_items))
    return [b for b in bounds if b[1] > b[0]]


class _Pool:
    """Worker processes that count with the GIL-holding counters, ``jobs`` ways in parallel."""

    def __init__(self, counters: list[Any], rules: list[chunking.CutRule], jobs: int) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.rules = rules
        self.jobs = jobs
        specs = [c.pool_spec for c in counters]
        self.executor = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                                            initializer=_worker_init, initargs=(specs,))

    def submit(self, pieces: list[tuple[str, int]]) -> Callable[[], list[list[int]]]:
        ranges = _split(len(pieces), [len(p) for p, _ in pieces], self.jobs)
        futures = [self.executor.submit(_worker_count, pieces[a:b], self.rules) for a, b in ranges]

        def result() -> list[list[int]]:
            parts = [f.result() for f in futures]
            return [[n for part in parts for n in part[k]] for k in range(len(self.rules))]

        return result

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


_pools: dict[tuple[Any, ...], _Pool] = {}


def _pool_for(counters: list[Any], rules: list[chunking.CutRule], jobs: int) -> _Pool:
    """A worker pool for these counters, kept for later calls in this process (starting one costs ~0.5 s)."""
    specs = tuple((e.id, e.files, e.pattern, e.normalization, name) for e, name in (c.pool_spec for c in counters))
    key = (specs, tuple(rules), jobs)
    if key not in _pools:
        if not _pools:
            atexit.register(close_pools)
        _pools[key] = _Pool(counters, rules, jobs)
    return _pools[key]


def close_pools() -> None:
    """Stop every worker process started by ``count_sources(pool=True)``."""
    while _pools:
        _pools.popitem()[1].close()


#: Engines whose batch calls build heavy per-token objects get at most this many characters per call
#: (HF ``tokenizers`` keeps offsets and strings for every token: about 250 bytes per token).
_BATCH_LIMITS = {"tokenizers": 1 << 20}


def _count_local(counter: Any, rule: chunking.CutRule, pieces: list[tuple[str, int]], newline_cost: int | None,
                 limit: int) -> list[int]:
    if not limit:
        return chunking.count_pieces(counter.count_many, rule, pieces, newline_cost)
    out: list[int] = []
    group: list[tuple[str, int]] = []
    size = 0
    for piece in pieces:
        if group and size + len(piece[0]) > limit:
            out += chunking.count_pieces(counter.count_many, rule, group, newline_cost)
            group, size = [], 0
        group.append(piece)
        size += len(piece[0])
    return out + (chunking.count_pieces(counter.count_many, rule, group, newline_cost) if group else [])


def count_sources(
    sources: Iterable[Source],
    adapters: Sequence[Any],
    errors: str = "strict",
    batch_bytes: int = BATCH_CHARS,
    treat_binary: bool = False,
    *,
    pool: bool = False,
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
    piece_chars: int = PIECE_CHARS,
) -> Iterator[FileCount | Problem]:
    """Read, decode and count each source once for every counter; yields results and problems in input order.

    ``pool``: count GIL-holding counters (``holds_gil``) in ``jobs`` worker processes.
    ``progress`` is called with the number of input bytes done after each batch.
    """
    counters = list(adapters)
    ids = [counter_id(c) for c in counters]
    rules = [chunking.rule_for(c) for c in counters]
    policy = min((r.policy for r in rules), default=chunking.Policy.PRETOKEN)
    pooled = [i for i, c in enumerate(counters) if pool and jobs > 1 and getattr(c, "holds_gil", False)
              and hasattr(c, "pool_spec")]
    local = [i for i in range(len(counters)) if i not in pooled]
    newline_cost = {i: counters[i].count_many(["\n"])[0] for i in local if rules[i].newline_prefix}
    workers = _pool_for([counters[i] for i in pooled], [rules[i] for i in pooled], jobs) if pooled else None
    gen = _threaded(_batches(sources, len(counters), policy, errors, treat_binary, batch_bytes, piece_chars))
    limits = [_BATCH_LIMITS.get(getattr(c, "engine", ""), 0) for c in counters]
    inflight: deque[tuple[_Batch, Callable[[], list[list[int]]] | None]] = deque()

    def pool_failed(exc: BaseException) -> None:
        nonlocal workers
        sys.stderr.write(f"normtok: note: worker processes failed ({type(exc).__name__}: {exc}); "
                         "counting in this process instead\n")
        close_pools()
        workers = None

    def count_pooled_locally(batch: _Batch) -> list[list[int]]:
        pieces = [(t, kind) for _, t, kind in batch.items]
        return [chunking.count_pieces(counters[i].count_many, rules[i], pieces) for i in pooled]

    def finish(batch: _Batch, pending: Callable[[], list[list[int]]] | None) -> Iterator[FileCount | Problem]:
        if pending is not None:
            try:
                results = pending()
            except (BrokenProcessPool, OSError) as exc:
                pool_failed(exc)
                results = count_pooled_locally(batch)
            for i, counts in zip(pooled, results):
                for (f, _, _), n in zip(batch.items, counts):
                    f.counts[i] += n
        if progress is not None:
            progress(batch.nbytes)
        for f in batch.finished:
            if f.problem is not None:
                yield f.problem
            else:
                yield FileCount(f.src.name, f.chars, f.nbytes, dict(zip(ids, f.counts)))

    try:
        for batch in gen:
            pending = None
            if batch.items:
                pieces = [(t, kind) for _, t, kind in batch.items]
                if workers is not None:
                    try:
                        pending = workers.submit(pieces)
                    except (BrokenProcessPool, OSError) as exc:
                        pool_failed(exc)
                        pending = lambda batch=batch: count_pooled_locally(batch)  # noqa: E731
                elif pooled:
                    pending = lambda batch=batch: count_pooled_locally(batch)  # noqa: E731
                for i in local:
                    counts = _count_local(counters[i], rules[i], pieces, newline_cost.get(i), limits[i])
                    for (f, _, _), n in zip(batch.items, counts):
                        f.counts[i] += n
            inflight.append((batch, pending))
            # with worker processes, keep one batch in flight while the next one is prepared and submitted
            while len(inflight) > (1 if workers is not None else 0):
                yield from finish(*inflight.popleft())
        while inflight:
            yield from finish(*inflight.popleft())
    finally:
        gen.close()
