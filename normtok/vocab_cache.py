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


def bpe_last_merge(ranks_: dict[bytes, int], token: bytes) -> tuple[bytes, bytes] | None:
    """The two parts tiktoken's byte-pair merge joins last when it encodes ``token`` alone (None: never one token).

    tiktoken repeatedly merges the adjacent pair whose concatenation has the lowest rank (leftmost on
    ties). Merges inside a span never depend on what lies outside it, so wherever ``token`` forms in
    a longer text, it forms from exactly these two parts: no other split of it can ever be merged.
    """
    parts = [token[i:i + 1] for i in range(len(token))]
    while len(parts) > 2:
        best = bi = -1
        for i in range(len(parts) - 1):
            r = ranks_.get(parts[i] + parts[i + 1])
            if r is not None and (best < 0 or r < best):
                best, bi = r, i
        if best < 0:
            return None
        parts[bi:bi + 2] = [parts[bi] + parts[bi + 1]]
    return (parts[0], parts[1]) if len(parts) == 2 else None


def tiktoken_to_hf(ranks_: dict[bytes, int], pattern: str) -> dict:
    """Exact ``tokenizer.json`` form of a tiktoken BPE (pattern split, byte-level, BPE).

    tiktoken looks a whole pre-token up before merging (``ignore_merges``) and then repeatedly
    merges the adjacent pair whose concatenation has the lowest rank. HF merges by list position;
    listing, in rank order, for every token the one split tiktoken can ever merge it from
    (``bpe_last_merge``) reproduces that order. Tokens that tiktoken never forms by merging (a few
    hundred in Llama 3 and Qwen 3.5) get no merge: they are reached only by the whole-pre-token
    lookup, as in tiktoken. Listing every split instead is also exact but doubles the merges, and
    fastokens' load time grows with them. Ids are the ranks. ``verify_hf_conversion`` checks the result.
    """
    b2u = bytes_to_unicode()

    def enc(tok: bytes) -> str:
        return "".join(b2u[x] for x in tok)

    vocab = {enc(tok): rank for tok, rank in ranks_.items()}
    merges: list[list[str]] = []
    for tok, _ in sorted(ranks_.items(), key=lambda kv: kv[1]):
        if len(tok) < 2:
            continue
        split = bpe_last_merge(ranks_, tok)
        if split is not None:
            merges.append([enc(split[0]), enc(split[1])])
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

    Every id must map to the same bytes, the merges must join known tokens, be in rank order and
    make each token at most once, and the pre-tokenizer must be the vendor pattern verbatim.
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
        if merged <= last:
            raise ValueError("merges are not in rank order (or a token is made twice)")
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

    return get("hf-json", f"{key}-{pattern_tag(pattern)}", "json", "tiktoken_to_hf2", build).data


# --- SentencePiece BPE -> tokenizer.json -------------------------------------------------------------------------
#
# ``sentencepiece``'s BPE merges, anywhere in the text, the adjacent pair of symbols whose concatenation is a
# piece with the highest score (ties: the leftmost pair), starting from characters; user-defined pieces are
# matched first (longest match, left to right) and never merged; a final symbol that is not a piece becomes
# its UTF-8 bytes (``<0xXX>``, byte fallback). The normaliser of an ``identity`` model only turns spaces into
# ``▁`` and adds one ``▁`` at the start (the dummy prefix). HF's BPE merges the pair of lowest merge rank, so
# listing every split of every normal piece into two normal pieces, by descending score of the piece,
# reproduces that order: this is what ``transformers``' LlamaConverter does, which is not a dependency here.
# Equal scores are where the two could part (HF orders them by list position, sentencepiece by text
# position); the differential tests (tests/test_sp_conversion.py, tests/test_engines.py) are the proof.

_SP_NORMAL, _SP_UNKNOWN, _SP_CONTROL, _SP_USER, _SP_UNUSED, _SP_BYTE = 1, 2, 3, 4, 5, 6


def _pb_varint(buf: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if i >= len(buf):
            raise ValueError("truncated varint")
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return value, i


def _pb_fields(buf: bytes) -> list[tuple[int, int | bytes]]:
    """(field number, value) of one protobuf message: an int for varints, bytes for the other wire types."""
    out: list[tuple[int, int | bytes]] = []
    i = 0
    while i < len(buf):
        key, i = _pb_varint(buf, i)
        field, wire = key >> 3, key & 7
        value: int | bytes
        if wire == 0:
            value, i = _pb_varint(buf, i)
        elif wire == 1:
            value, i = buf[i:i + 8], i + 8
        elif wire == 2:
            n, i = _pb_varint(buf, i)
            value, i = buf[i:i + n], i + n
        elif wire == 5:
            value, i = buf[i:i + 4], i + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        if i > len(buf):
            raise ValueError("truncated protobuf message")
        out.append((field, value))
    return out


@dataclass(frozen=True)
class SentencePieceModel:
    """The parts of a SentencePiece ``ModelProto`` that decide segmentation (read without ``protobuf``)."""

    pieces: list[tuple[str, float, int]]  # (piece, score, type) in id order
    model_type: int                       # 1 unigram (the default), 2 BPE, 3 word, 4 char
    byte_fallback: bool
    treat_whitespace_as_suffix: bool
    normalizer: str
    precompiled_charsmap: bytes
    rule_tsv: bytes
    add_dummy_prefix: bool
    remove_extra_whitespaces: bool
    escape_whitespaces: bool


def parse_sentencepiece(data: bytes) -> SentencePieceModel:
    """Read a serialized SentencePiece model (sentencepiece_model.proto field numbers, proto2 defaults)."""
    import struct

    pieces: list[tuple[str, float, int]] = []
    trainer: dict[int, int | bytes] = {}
    norm: dict[int, int | bytes] = {}
    for field, value in _pb_fields(data):
        if field == 1 and isinstance(value, bytes):
            piece, score, kind = "", 0.0, _SP_NORMAL
            for f, v in _pb_fields(value):
                if f == 1 and isinstance(v, bytes):
                    piece = v.decode("utf-8")
                elif f == 2 and isinstance(v, bytes):
                    score = struct.unpack("<f", v)[0]
                elif f == 3 and isinstance(v, int):
                    kind = v
            pieces.append((piece, score, kind))
        elif field == 2 and isinstance(value, bytes):
            trainer.update(_pb_fields(value))
        elif field == 3 and isinstance(value, bytes):
            norm.update(_pb_fields(value))
    if not pieces:
        raise ValueError("no pieces: not a SentencePiece model")

    def text(d: dict[int, int | bytes], f: int) -> bytes:
        v = d.get(f, b"")
        return v if isinstance(v, bytes) else b""

    return SentencePieceModel(
        pieces=pieces, model_type=int(trainer.get(3, 1)), byte_fallback=bool(trainer.get(35, 0)),
        treat_whitespace_as_suffix=bool(trainer.get(24, 0)), normalizer=text(norm, 1).decode("utf-8", "replace"),
        precompiled_charsmap=text(norm, 2), rule_tsv=text(norm, 6), add_dummy_prefix=bool(norm.get(3, 1)),
        remove_extra_whitespaces=bool(norm.get(4, 1)), escape_whitespaces=bool(norm.get(5, 1)))


def sentencepiece_to_hf(model: SentencePieceModel) -> dict:
    """Exact ``tokenizer.json`` form of a SentencePiece BPE model with byte fallback and no normalisation rules.

    The dummy prefix is left to the caller (prepend one space to every non-empty text): a ``Prepend``
    normaliser would also put a ``▁`` after every user-defined piece, which sentencepiece does not.
    User-defined pieces are added tokens (matched in the raw text, longest first, never merged).
    Raises ValueError for any model this conversion does not reproduce exactly.
    """
    m = model
    if m.model_type != 2:
        raise ValueError(f"model type {m.model_type} is not BPE")
    if not m.byte_fallback:
        raise ValueError("no byte fallback")
    if m.normalizer != "identity" or m.precompiled_charsmap or m.rule_tsv:
        raise ValueError(f"normaliser {m.normalizer!r} is not the identity")
    if m.remove_extra_whitespaces or not m.escape_whitespaces or m.treat_whitespace_as_suffix:
        raise ValueError("whitespace handling other than escape + dummy prefix")
    vocab = {piece: i for i, (piece, _, _) in enumerate(m.pieces)}
    if len(vocab) != len(m.pieces):
        raise ValueError("duplicate pieces")
    kinds = {piece: kind for piece, _, kind in m.pieces}
    if any(kind == _SP_UNUSED for kind in kinds.values()):
        raise ValueError("unused pieces (sentencepiece re-segments them; not converted)")
    if [p for p, _, k in m.pieces if k == _SP_BYTE] != [f"<0x{b:02X}>" for b in range(256)]:
        raise ValueError("byte pieces are not <0x00>..<0xFF>")
    if any(len(p) == 1 and k not in (_SP_NORMAL, _SP_USER) for p, _, k in m.pieces):
        raise ValueError("a one-character piece is a control piece (HF would match it, sentencepiece not)")
    users = [p for p, _, k in m.pieces if k == _SP_USER]
    if any(" " in u or "\u2581" in u or not u for u in users):
        raise ValueError("a user-defined piece contains whitespace")
    normal = {p for p, _, k in m.pieces if k == _SP_NORMAL}
    for piece in normal:
        if any(c not in normal for c in piece):  # HF starts from characters of the vocabulary only
            raise ValueError(f"piece {piece!r} has a character that is not a piece")
    unk = [p for p, _, k in m.pieces if k == _SP_UNKNOWN]
    if len(unk) != 1:
        raise ValueError("no unknown piece")
    merges: list[tuple[float, str, str]] = []
    for piece, score, kind in m.pieces:
        if kind != _SP_NORMAL:
            continue
        local = [(piece[:k], piece[k:]) for k in range(1, len(piece)) if piece[:k] in normal and piece[k:] in normal]
        local.sort(key=lambda lr: (vocab[lr[0]], vocab[lr[1]]))
        merges.extend((score, left, right) for left, right in local)
    merges.sort(key=lambda t: -t[0])  # stable: equal scores keep id order
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": vocab[u], "content": u, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": False} for u in users],
        "normalizer": {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"},
        "pre_tokenizer": None, "post_processor": None, "decoder": None,
        "model": {"type": "BPE", "dropout": None, "unk_token": unk[0], "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True, "ignore_merges": False,
                  "vocab": vocab, "merges": [[left, right] for _, left, right in merges]},
    }


def verify_sp_conversion(spec: dict, model: SentencePieceModel) -> None:
    """Check a converted SentencePiece ``tokenizer.json`` against the model; raises ValueError on any difference.

    Every id maps to its piece, every merge joins two normal pieces into a normal piece, merges come in
    non-increasing score order, every normal piece of two or more characters is reachable by a merge,
    and the added tokens are exactly the user-defined pieces.
    """
    vocab = spec["model"]["vocab"]
    if len(vocab) != len(model.pieces) or any(vocab.get(p) != i for i, (p, _, _) in enumerate(model.pieces)):
        raise ValueError("vocabulary ids differ from the model's piece ids")
    info = {p: (s, k) for p, s, k in model.pieces}
    last = float("inf")
    reached = set()
    for left, right in spec["model"]["merges"]:
        merged = left + right
        if any(info.get(x, (0, 0))[1] != _SP_NORMAL for x in (left, right, merged)):
            raise ValueError(f"merge {left!r}+{right!r} is not between normal pieces")
        score = info[merged][0]
        if score > last:
            raise ValueError("merges are not in score order")
        last = score
        reached.add(merged)
    missing = [p for p, (_, k) in info.items() if k == _SP_NORMAL and len(p) > 1 and p not in reached]
    if missing:
        raise ValueError(f"{len(missing)} pieces are unreachable by merges, e.g. {missing[0]!r}")
    users = sorted(p for p, (_, k) in info.items() if k == _SP_USER)
    if sorted(t["content"] for t in spec["added_tokens"]) != users:
        raise ValueError("added tokens differ from the user-defined pieces")


def sp_hf_json(key: str, data: Callable[[], bytes]) -> bytes:
    """The verified ``tokenizer.json`` conversion of a SentencePiece BPE model, cached (ValueError if unsupported)."""
    def build() -> bytes:
        model = parse_sentencepiece(data())
        spec = sentencepiece_to_hf(model)
        verify_sp_conversion(spec, model)
        return json.dumps(spec, ensure_ascii=False).encode()

    return get("sp-hf-json", key, "json", "sentencepiece_to_hf1", build).data
