"""Binary vocabulary cache: parse each vocabulary once, load it in milliseconds afterwards.

Parsing a tiktoken rank file in Python takes 0.2-0.6 s, and some fast engines need a
converted form (a decompressed rank file, an HF ``tokenizer.json``, a kitoken binary).
Each such artifact is built once and stored as a plain payload file plus a JSON sidecar::

    $NORMTOK_CACHE_DIR (default ~/.cache/normtok)/
      <kind>/<source sha256>.<ext>        the payload (what the engine loads)
      <kind>/<source sha256>.<ext>.json   {"source_sha256", "payload_sha256", "payload_bytes", "builder", ...}

Why it is safe:

* the key is the SHA-256 of the *verified* source file (callers hash the source with
  ``adapters.read_verified`` first), so a different vocabulary never hits a stale entry;
* every read re-hashes the payload and compares it with the sidecar; a mismatch (corruption,
  a half-written file, an older builder) rebuilds the entry;
* writes go to a temporary file in the same directory followed by ``os.replace``, so two
  processes building the same entry at once each publish a complete file and the last
  rename wins; builders are deterministic, so both results are identical anyway;
* an unwritable cache directory is not an error: the artifact is built in memory each time.
"""

from __future__ import annotations

import base64
import hashlib
import json
import marshal
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

CACHE_ENV = "NORMTOK_CACHE_DIR"
#: Bumped when the layout of the cache changes; part of every entry's directory name.
LAYOUT = 1


def cache_dir() -> Path:
    """Where cached artifacts live: ``$NORMTOK_CACHE_DIR``, else ``$XDG_CACHE_HOME/normtok`` or ``~/.cache/normtok``."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "normtok"


@dataclass(frozen=True)
class Artifact:
    """A verified cached payload: its bytes (if read) and the path an engine can load from."""

    path: Path | None
    data: bytes
    sha256: str
    built: bool  # True if it was (re)built by this call


def _paths(kind: str, key: str, ext: str) -> tuple[Path, Path]:
    d = cache_dir() / f"{kind}-v{LAYOUT}"
    payload = d / f"{key}.{ext}"
    return payload, payload.with_name(payload.name + ".json")


def _read(payload: Path, meta: Path, key: str, builder: str) -> Artifact | None:
    try:
        info = json.loads(meta.read_text(encoding="utf-8"))
        data = payload.read_bytes()
    except (OSError, ValueError):
        return None
    if not isinstance(info, dict) or info.get("source_sha256") != key or info.get("builder") != builder:
        return None
    digest = hashlib.sha256(data).hexdigest()
    if info.get("payload_bytes") != len(data) or info.get("payload_sha256") != digest:
        return None
    return Artifact(payload, data, digest, built=False)


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def lookup(kind: str, key: str, ext: str, builder: str) -> Artifact | None:
    """The verified cached artifact, or None if it is missing, stale or corrupt."""
    payload, meta = _paths(kind, key, ext)
    return _read(payload, meta, key, builder)


def get(kind: str, key: str, ext: str, builder: str, build: Callable[[], bytes]) -> Artifact:
    """The cached artifact ``kind`` for source SHA-256 ``key``, built with ``build()`` if missing or stale.

    ``builder`` names the code and library versions that produce the payload; an entry written
    by a different builder is stale. The payload is returned verified against its sidecar hash.
    """
    found = lookup(kind, key, ext, builder)
    if found is not None:
        return found
    return store(kind, key, ext, builder, build())


def store(kind: str, key: str, ext: str, builder: str, data: bytes) -> Artifact:
    """Publish ``data`` as the artifact ``kind`` for ``key`` (atomically; never fails for an unwritable cache)."""
    payload, meta = _paths(kind, key, ext)
    digest = hashlib.sha256(data).hexdigest()
    info = {"source_sha256": key, "kind": kind, "builder": builder, "payload_sha256": digest,
            "payload_bytes": len(data)}
    try:
        payload.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(payload, data)
        _atomic_write(meta, json.dumps(info, sort_keys=True).encode())
    except OSError:
        return Artifact(None, data, digest, built=True)  # read-only or full disk: still correct, just slower
    return Artifact(payload, data, digest, built=True)


def verified_sha256(path: Path, expected: str | None, verify: Callable[[], str]) -> str:
    """The SHA-256 of a source file, re-read and re-hashed only when the file changed since its last check.

    ``verify()`` reads, decompresses and hashes the file (raising on a mismatch with ``expected``).
    Its result is remembered under the file's identity and change stamp (path, size, inode, mtime and
    ctime in nanoseconds; any write to the file changes its ctime), the way git's index and ccache
    avoid re-hashing unchanged files. Saves 5-40 ms per vocabulary at start-up.
    """
    try:
        st = path.stat()
        stamp = f"{path.resolve()}|{st.st_size}|{st.st_ino}|{st.st_dev}|{st.st_mtime_ns}|{st.st_ctime_ns}"
    except OSError:
        return verify()
    key = hashlib.sha256(stamp.encode("utf-8", "surrogateescape")).hexdigest()
    known = lookup("verified", key, "txt", "stat1")
    if known is not None:
        digest = known.data.decode("ascii", "replace")
        if expected is None or digest == expected.lower():
            return digest
    digest = verify()
    store("verified", key, "txt", "stat1", digest.encode("ascii"))
    return digest


# --- artifacts -------------------------------------------------------------------------------------------------

MARSHAL_BUILDER = f"ranks-marshal{marshal.version}-py{sys.version_info[0]}.{sys.version_info[1]}"


def ranks(key: str, parse: Callable[[], tuple[dict[bytes, int], str | None]]) -> tuple[dict[bytes, int], str | None]:
    """A BPE rank table and the file's own pattern (tekken), parsed once and reloaded with ``marshal``.

    ``marshal`` is Python's fastest loader for a dict of bytes (0.07 s for o200k against 0.3-0.6 s of
    base64 parsing); its format depends on the Python version, which is part of the builder name.
    """
    art = get("ranks", key, "marshal", MARSHAL_BUILDER, lambda: marshal.dumps(parse()))
    table, pattern = marshal.loads(art.data)
    return table, pattern


def rank_file(key: str, ranks_: Callable[[], dict[bytes, int]]) -> Artifact:
    """A plain (decompressed, canonical) tiktoken rank file, for engines that load one from a path or bytes."""
    def build() -> bytes:
        items = sorted(ranks_().items(), key=lambda kv: kv[1])
        return b"".join(base64.b64encode(tok) + b" " + str(rank).encode() + b"\n" for tok, rank in items)

    return get("tiktoken", key, "tiktoken", "tiktoken-file1", build)


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's byte -> printable character table used by byte-level BPE in ``tokenizer.json``."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def tiktoken_to_hf(ranks_: dict[bytes, int], pattern: str) -> dict:
    """Exact ``tokenizer.json`` form of a tiktoken BPE (pattern split, byte-level, BPE).

    tiktoken looks a whole pre-token up before merging (``ignore_merges``) and then repeatedly
    merges the adjacent pair whose concatenation has the lowest rank. Listing, for every token in
    rank order, every split into two tokens reproduces that order: HF merges by list position,
    which is the merged token's rank. Ids are the ranks. ``verify_hf_conversion`` checks the result.
    """
    b2u = bytes_to_unicode()

    def enc(tok: bytes) -> str:
        return "".join(b2u[x] for x in tok)

    vocab = {enc(tok): rank for tok, rank in ranks_.items()}
    merges: list[list[str]] = []
    for tok, _ in sorted(ranks_.items(), key=lambda kv: kv[1]):
        if len(tok) < 2:
            continue
        splits = [(ranks_[tok[:i]], ranks_[tok[i:]], i) for i in range(1, len(tok))
                  if tok[:i] in ranks_ and tok[i:] in ranks_]
        splits.sort()
        merges.extend([enc(tok[:i]), enc(tok[i:])] for _, _, i in splits)
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": [], "normalizer": None,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": pattern}, "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]},
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": True,
                  "vocab": vocab, "merges": merges},
    }


def verify_hf_conversion(spec: dict, ranks_: dict[bytes, int], pattern: str) -> None:
    """Check a converted ``tokenizer.json`` against its rank table; raises ValueError on any difference.

    Every id must map to the same bytes, every token longer than one byte must be reachable by a
    merge of two tokens or be a whole-pre-token lookup, the merges must be in rank order, and the
    pre-tokenizer must be the vendor pattern verbatim.
    """
    b2u = bytes_to_unicode()
    u2b = {c: b for b, c in b2u.items()}
    model = spec["model"]
    if spec["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] != pattern:
        raise ValueError("pattern differs")
    if not model.get("ignore_merges"):
        raise ValueError("ignore_merges must be set (tiktoken looks whole pre-tokens up first)")
    vocab = model["vocab"]
    if len(vocab) != len(ranks_):
        raise ValueError(f"vocab size {len(vocab)} != {len(ranks_)}")
    for text, rank in vocab.items():
        tok = bytes(u2b[c] for c in text)
        if ranks_.get(tok) != rank:
            raise ValueError(f"token {tok!r}: id {rank} != rank {ranks_.get(tok)}")
    last = -1
    for left, right in model["merges"]:
        merged = vocab.get(left + right)
        if merged is None or left not in vocab or right not in vocab:
            raise ValueError(f"merge {left!r}+{right!r} names unknown tokens")
        if merged < last:
            raise ValueError("merges are not in rank order")
        last = merged


def pattern_tag(pattern: str) -> str:
    """Short digest of a pre-tokenizer pattern, for artifacts that depend on it as well as on the file."""
    return hashlib.sha256(pattern.encode("utf-8")).hexdigest()[:16]


def hf_json(key: str, ranks_: Callable[[], dict[bytes, int]], pattern: str) -> bytes:
    """The verified ``tokenizer.json`` conversion of a tiktoken vocabulary, cached."""
    def build() -> bytes:
        table = ranks_()
        spec = tiktoken_to_hf(table, pattern)
        verify_hf_conversion(spec, table, pattern)
        return json.dumps(spec, ensure_ascii=False).encode()

    return get("hf-json", f"{key}-{pattern_tag(pattern)}", "json", "tiktoken_to_hf1", build).data
