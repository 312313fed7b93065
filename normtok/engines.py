"""Fast counting engines: the fastest library proven to count exactly like the reference adapter.

The reference adapters (``normtok.adapters``) define what a count is. An engine here is another
library that produces the *same* counts faster, and it is used for a tokenizer only if

* the test suite proved it exact for that tokenizer (``PROVEN``: differential tests against the
  reference on the corpus and on adversarial text, ``tests/test_engines.py``), keyed by a
  fingerprint of the vocabulary file's SHA-256, the pattern and the normalisation, so a changed
  registry entry or a user-supplied file is never counted by an unproven engine; and
* the installed library is the version the proof was made with.

Which proven engine counts depends on the work (``choose``): a small input wants an engine that
loads in milliseconds (bpe-openai embeds its vocabulary; tiktoken and kitoken load from the
binary cache in ``vocab_cache``); a large one wants throughput (fastokens: 60-350 MB/s on two
cores, but 0.25-2.4 s to load: it rebuilds its tables every time, ``LOAD_S``). An engine that
cannot load falls back to the next one, and the reason is kept (``Choice.fallback``) so that
every output can say which engine counted and why.

Engines:

``fastokens``   Rust, PCRE2 JIT, multi-threaded batches. BPE vocabularies: tiktoken rank files
                (directly, or converted exactly to ``tokenizer.json`` when fastokens rejects them),
                HF ``tokenizer.json``, and SentencePiece BPE models with byte fallback (Mistral),
                converted exactly to ``tokenizer.json`` (``vocab_cache.sentencepiece_to_hf``; the
                dummy prefix is added to every text by the adapter).
``bpe-openai``  Rust, vocabulary embedded (o200k_base, cl100k_base); 0.06 s to load; holds the GIL.
``tiktoken``    the reference library itself, with the rank table loaded from the binary cache.
``kitoken``     Rust; every format, from a cached binary (0.02-0.1 s); holds the GIL.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from . import vocab_cache
from .adapters import Adapter, LoadedFile, TiktokenAdapter, parse_tekken_ranks, parse_tiktoken_ranks, read_verified
from .adapters import tokenizer as reference_tokenizer
from .errors import NormtokError, VocabUnavailableError
from .nfc import nfc
from .registry import TokenizerEntry

REFERENCE = "reference"
AUTO = "auto"


class EngineUnavailable(Exception):
    """This engine cannot count this tokenizer here (not installed, not proven, failed to load)."""


@dataclass(frozen=True)
class EngineInfo:
    """What the cost model knows about an engine (measured on a 2-core EPYC VM, mixed text)."""

    name: str
    module: str
    dist: str
    verified: str | None  # the version the exactness proof was made with (None: it is the reference library)
    load_s: float         # load time with a warm vocab cache
    mbps: float           # MB/s on one core
    thread_gain: float    # extra speed per extra core from the engine's own threads (0: it holds the GIL)


INFO: dict[str, EngineInfo] = {
    "fastokens": EngineInfo("fastokens", "fastokens", "fastokens", "0.3.5", 2.5, 60.0, 0.9),
    "bpe-openai": EngineInfo("bpe-openai", "bpe_openai", "bpe-openai", "0.1.4", 0.05, 14.0, 0.0),
    "tiktoken": EngineInfo("tiktoken", "tiktoken", "tiktoken", None, 0.3, 9.0, 0.3),
    "kitoken": EngineInfo("kitoken", "kitoken", "kitoken", "0.11.1", 0.08, 7.0, 0.0),
    # the reference libraries, for the cost model of --engine auto
    "tokenizers": EngineInfo("tokenizers", "tokenizers", "tokenizers", None, 1.0, 1.5, 0.5),
    "sentencepiece": EngineInfo("sentencepiece", "sentencepiece", "sentencepiece", None, 0.1, 3.0, 0.5),
}
ENGINES = ("fastokens", "bpe-openai", "tiktoken", "kitoken")

#: A GIL-holding engine is run in worker processes when the input is at least this large.
POOL_MIN_BYTES = 32 << 20
POOL_START_S = 0.5


def fingerprint(entry: TokenizerEntry, sha256: str | None = None) -> str:
    """What an exactness proof is about: vocabulary file, format, pattern and normalisation."""
    sha = sha256 or entry.sha256 or ""
    raw = "\0".join([entry.format or "", sha, entry.pattern or "", entry.normalization or ""])
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


#: engine -> {tokenizer id: fingerprint} proven exact by tests/test_engines.py (differential tests).
PROVEN: dict[str, dict[str, str]] = {
    "fastokens": {
        "openai/o200k_base": "62460f877790812a",
        "openai/cl100k_base": "92cf88b8b5c020ae",
        "meta/llama3": "00d21bc862542bb4",
        "meta/llama4": "0f7e344b2f57c7ec",
        "qwen/qwen2.5": "186cac8145e9e709",
        "qwen/qwen3.5": "13f0d598f5677a95",
        "deepseek/v3": "85c78b1e62561779",
        "mistral/tekken": "b78ba3f0874bb292",
        "mistral/spm": "96a3dbc731dcbb0a",
    },
    "bpe-openai": {
        "openai/o200k_base": "62460f877790812a",
        "openai/cl100k_base": "92cf88b8b5c020ae",
    },
    "kitoken": {
        "openai/o200k_base": "62460f877790812a",
        "openai/cl100k_base": "92cf88b8b5c020ae",
        "meta/llama3": "00d21bc862542bb4",
        "meta/llama4": "0f7e344b2f57c7ec",
        "qwen/qwen2.5": "186cac8145e9e709",
        "qwen/qwen3.5": "13f0d598f5677a95",
        "deepseek/v3": "85c78b1e62561779",
        "mistral/tekken": "b78ba3f0874bb292",
        "mistral/spm": "96a3dbc731dcbb0a",
    },
}
# Not proven, so never used: kitoken's own tekken loader (' [PREFIX]' is one token too many: normtok loads the
# tekken ranks as a rank file instead), kitoken on AI21 J2 (70 of 120 sample texts differ), tokie on anything
# (over-counts tabs and blank lines). fastokens cannot read AI21 J2 (a Unigram model with an NFKC charsmap:
# fastokens 0.3.5 has neither the Unigram model nor the Precompiled normaliser).

#: Measured warm load times per vocabulary, where they differ from ``INFO[engine].load_s`` (2-core EPYC,
#: seconds; ``pytest benchmarks/test_throughput.py -k load``). fastokens rebuilds its tables at every load.
LOAD_S: dict[tuple[str, str], float] = {
    ("fastokens", "openai/o200k_base"): 1.4,
    ("fastokens", "openai/cl100k_base"): 0.5,
    ("fastokens", "meta/llama3"): 1.0,
    ("fastokens", "meta/llama4"): 1.4,
    ("fastokens", "qwen/qwen2.5"): 1.2,
    ("fastokens", "qwen/qwen3.5"): 2.4,
    ("fastokens", "deepseek/v3"): 1.05,
    ("fastokens", "mistral/tekken"): 0.8,
    ("fastokens", "mistral/spm"): 0.25,
}

#: bpe-openai embeds these vocabularies; the key is the SHA-256 of the rank file they were built from.
BPE_OPENAI_ENCODINGS = {
    "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d": "o200k_base",
    "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7": "cl100k_base",
}


@cache
def installed_version(name: str) -> str | None:
    """The installed version of an engine's distribution, without importing it (None if absent)."""
    info = INFO[name]
    spec = importlib.util.find_spec(info.module)
    if spec is None:
        return None
    roots = list(spec.submodule_search_locations or [])
    parent = Path(roots[0]).parent if roots else Path(spec.origin or ".").parent
    stem = info.dist.replace("-", "_")
    for d in parent.glob(f"{stem}-*.dist-info"):
        return d.name[len(stem) + 1: -len(".dist-info")]
    from importlib import metadata  # slow import: only when the fast lookup fails

    try:
        return metadata.version(info.dist)
    except metadata.PackageNotFoundError:
        return None


def proven(name: str, entry: TokenizerEntry) -> bool:
    """Whether ``name`` was proven exact for this exact vocabulary/pattern/normalisation."""
    if name == "tiktoken":
        return entry.format in ("tiktoken", "tekken")  # the reference library itself
    fp = PROVEN.get(name, {}).get(entry.id)
    return fp is not None and fp == fingerprint(entry)


def _check_version(name: str) -> str:
    version = installed_version(name)
    if version is None:
        raise EngineUnavailable(f"{INFO[name].dist} is not installed")
    verified = INFO[name].verified
    if verified is not None and version != verified:
        raise EngineUnavailable(f"{INFO[name].dist} {version} is installed, but exactness was proven for {verified}")
    return version


# --- adapters ----------------------------------------------------------------------------------------------------


class _Base:
    """Common parts of the fast adapters (the ``Adapter`` protocol plus what the pipeline needs)."""

    engine = ""
    #: True if the library holds the GIL while counting: the pipeline then uses worker processes.
    holds_gil = False

    def __init__(self, entry: TokenizerEntry, sha256: str, version: str) -> None:
        self.entry = entry
        self.sha256 = sha256
        self.version = version
        self._nfc = entry.normalization == "NFC"

    @property
    def pool_spec(self) -> tuple[TokenizerEntry, str]:
        """How a worker process rebuilds this adapter (cheaply, from the vocab cache)."""
        return self.entry, self.engine

    def _prep(self, text: str) -> str:
        return nfc(text) if self._nfc else text

    def count(self, text: str) -> int:
        return self.count_many([text])[0]

    def count_many(self, texts: Sequence[str]) -> list[int]:  # pragma: no cover - overridden
        raise NotImplementedError


class FastokensAdapter(_Base):
    """fastokens: ``encode_batch_flat`` counts a batch on all cores with no per-token Python objects."""

    engine = "fastokens"

    def __init__(self, entry: TokenizerEntry, sha256: str, version: str, tok: Any, route: str) -> None:
        super().__init__(entry, sha256, version)
        self._tok = tok
        self.route = route

    def encode(self, text: str) -> list[int]:
        return list(self._tok.encode_ordinary(self._prep(text)).ids)

    def count_many(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        _, offsets = self._tok.encode_batch_flat([self._prep(t) for t in texts])
        off = memoryview(offsets).cast("Q")
        return [off[i + 1] - off[i] for i in range(len(texts))]


class FastokensSentencePieceAdapter(FastokensAdapter):
    """fastokens on a converted SentencePiece BPE model: every non-empty text gets the dummy-prefix space.

    sentencepiece puts one ``▁`` before the normalised text; the converted ``tokenizer.json`` turns
    spaces into ``▁``, so a leading space here is that ``▁``. (A ``Prepend`` normaliser cannot be used:
    HF would put it after every user-defined piece too.)
    """

    def _prep(self, text: str) -> str:
        return " " + text if text else text

    def encode(self, text: str) -> list[int]:
        # not encode_ordinary: it ignores the added tokens, which here are sentencepiece's user-defined pieces
        return list(self._tok.encode(self._prep(text)).ids)


class BpeOpenAIAdapter(_Base):
    """bpe-openai (GitHub's rust-gems BPE): vocabulary compiled in, so it is ready in 0.06 s."""

    engine = "bpe-openai"
    holds_gil = True

    def __init__(self, entry: TokenizerEntry, sha256: str, version: str, tok: Any) -> None:
        super().__init__(entry, sha256, version)
        self._tok = tok

    def encode(self, text: str) -> list[int]:
        return list(self._tok.encode(self._prep(text)))

    def count(self, text: str) -> int:
        return self._tok.count(self._prep(text))

    def count_many(self, texts: Sequence[str]) -> list[int]:
        count = self._tok.count
        return [count(self._prep(t)) for t in texts]


class KitokenAdapter(_Base):
    """kitoken, loaded from its own binary format (cached): SentencePiece and HF BPE."""

    engine = "kitoken"
    holds_gil = True

    def __init__(self, entry: TokenizerEntry, sha256: str, version: str, tok: Any) -> None:
        super().__init__(entry, sha256, version)
        self._tok = tok

    def encode(self, text: str) -> list[int]:
        return list(self._tok.encode(self._prep(text), False))

    def count(self, text: str) -> int:
        return len(self._tok.encode(self._prep(text), False))

    def count_many(self, texts: Sequence[str]) -> list[int]:
        enc = self._tok.encode
        return [len(enc(self._prep(t), False)) for t in texts]


class CachedTiktokenAdapter(TiktokenAdapter):
    """The reference tiktoken adapter, built from the cached rank table instead of re-parsing base64."""

    holds_gil = False

    def __init__(self, entry: TokenizerEntry, ranks: dict[bytes, int], pattern: str, sha256: str,
                 version: str) -> None:
        super().__init__(entry, ranks, pattern, sha256)
        self.version = version

    @property
    def pool_spec(self) -> tuple[TokenizerEntry, str]:
        return self.entry, "tiktoken"


# --- loaders -----------------------------------------------------------------------------------------------------


class _Vocab:
    """A tokenizer's vocabulary file: its verified SHA-256 at once, its bytes only when a cache must be built."""

    def __init__(self, entry: TokenizerEntry) -> None:
        self.ref = entry.files[0]
        self.path = self.ref.locate()
        self._file: LoadedFile | None = None
        self.sha256 = vocab_cache.verified_sha256(self.path, self.ref.sha256, lambda: self._read().sha256)

    def _read(self) -> LoadedFile:
        if self._file is None:
            self._file = read_verified(self.ref)
        return self._file

    @property
    def data(self) -> bytes:
        return self._read().data


def _bpe_ranks(entry: TokenizerEntry, f: _Vocab) -> tuple[dict[bytes, int], str]:
    """Rank table and pattern of a tiktoken/tekken file, through the binary cache."""
    def parse() -> tuple[dict[bytes, int], str | None]:
        if entry.format == "tekken":
            return parse_tekken_ranks(f.data, str(f.path))
        return parse_tiktoken_ranks(f.data, str(f.path)), None

    ranks, file_pattern = vocab_cache.ranks(f.sha256, parse)
    pattern = entry.pattern or file_pattern
    if not pattern:
        raise NormtokError(f"{entry.id}: a tiktoken rank file needs a pre-tokenizer pattern in the registry")
    return ranks, pattern


def _hf_without_added_tokens(entry: TokenizerEntry, data: bytes) -> str:
    """The tokenizer.json with its added-token table emptied, as the reference adapter loads it."""
    try:
        spec = json.loads(data)
    except ValueError as exc:
        raise NormtokError(f"{entry.id}: not a usable tokenizer.json ({exc})") from exc
    spec["added_tokens"] = []
    return json.dumps(spec)


def _load_tiktoken(entry: TokenizerEntry) -> Adapter:
    if entry.format not in ("tiktoken", "tekken"):
        raise EngineUnavailable(f"tiktoken does not read {entry.format!r} files")
    version = installed_version("tiktoken") or "?"
    f = _Vocab(entry)
    ranks, pattern = _bpe_ranks(entry, f)
    return CachedTiktokenAdapter(entry, ranks, pattern, f.sha256, version)


def _load_fastokens(entry: TokenizerEntry) -> Adapter:
    version = _check_version("fastokens")
    f = _Vocab(entry)
    import fastokens

    if entry.format == "hf":
        tok = fastokens.Tokenizer.from_json_str(_hf_without_added_tokens(entry, f.data))
        return FastokensAdapter(entry, f.sha256, version, tok, "tokenizer.json")
    if entry.format == "spm":
        try:
            data = vocab_cache.sp_hf_json(f.sha256, lambda: f.data)
        except ValueError as exc:
            raise EngineUnavailable(f"fastokens cannot count {entry.id} exactly: {exc}") from exc
        tok = fastokens.Tokenizer.from_json_str(data.decode("utf-8"))
        return FastokensSentencePieceAdapter(entry, f.sha256, version, tok, "sentencepiece tokenizer.json")
    if entry.format not in ("tiktoken", "tekken"):
        raise EngineUnavailable(f"fastokens does not read {entry.format!r} files")
    pattern = entry.pattern or (parse_tekken_ranks(f.data, str(f.path))[1] if entry.format == "tekken" else None)
    if not pattern:
        raise NormtokError(f"{entry.id}: a tiktoken rank file needs a pre-tokenizer pattern in the registry")

    def ranks() -> dict[bytes, int]:
        return _bpe_ranks(entry, f)[0]

    # fastokens reads rank files itself, except those with tokens that do not split into two lower-ranked
    # tokens (llama3, qwen3.5); those go through the exact tokenizer.json conversion. The route is remembered.
    builder = f"fastokens-{version}"
    key = f"{f.sha256}-{vocab_cache.pattern_tag(pattern)}"
    known = vocab_cache.lookup("fastokens-route", key, "txt", builder)
    if known is None or known.data == b"tiktoken":
        plain = entry.format == "tiktoken" and entry.files[0].compression is None
        path = f.path if plain else vocab_cache.rank_file(f.sha256, ranks).path
        if path is not None:
            try:
                tok = fastokens.Tokenizer.from_tiktoken(str(path), pattern=pattern, special_tokens={})
            except ValueError:
                vocab_cache.store("fastokens-route", key, "txt", builder, b"tokenizer.json")
            else:
                if known is None:
                    vocab_cache.store("fastokens-route", key, "txt", builder, b"tiktoken")
                return FastokensAdapter(entry, f.sha256, version, tok, "tiktoken")
    data = vocab_cache.hf_json(f.sha256, ranks, pattern)
    tok = fastokens.Tokenizer.from_json_str(data.decode("utf-8"))
    return FastokensAdapter(entry, f.sha256, version, tok, "tokenizer.json")


def _bpe_openai_bindings() -> ModuleType:
    """Load bpe-openai's Rust extension without its package ``__init__`` (which takes 0.9 s importing tiktoken)."""
    import sys

    name = "bpe_openai._bindings"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec("bpe_openai")
    if spec is None or not spec.submodule_search_locations:
        raise EngineUnavailable("bpe-openai is not installed")
    base = Path(next(iter(spec.submodule_search_locations)))
    found = sorted(base.glob("_bindings*.so")) + sorted(base.glob("_bindings*.pyd"))
    if not found:
        raise EngineUnavailable(f"bpe-openai's extension module is missing in {base}")
    loader = importlib.machinery.ExtensionFileLoader(name, str(found[0]))
    mspec = importlib.util.spec_from_file_location(name, str(found[0]), loader=loader)
    if mspec is None:  # pragma: no cover
        raise EngineUnavailable("cannot load bpe-openai's extension module")
    module = importlib.util.module_from_spec(mspec)
    loader.exec_module(module)
    return module


def prove_bpe_openai(tok: Any, ranks: dict[bytes, int]) -> bytes:
    """Check that bpe-openai's compiled-in vocabulary is the verified rank file: every id decodes to its bytes.

    Tokens that are not valid UTF-8 on their own (about 1% of them) cannot be decoded singly, and ids
    past the end make the library panic, so extra tokens cannot be ruled out here: the differential
    tests cover both. Raises EngineUnavailable on any difference.
    """
    by_id = {rank: tok_bytes for tok_bytes, rank in ranks.items()}
    checked = 0
    for rank, want in by_id.items():
        try:
            got = tok.decode([rank])
        except Exception:  # bpe-openai raises a plain ValueError for ids that are not UTF-8 alone
            try:
                want.decode("utf-8")
            except UnicodeDecodeError:
                continue
            raise EngineUnavailable(f"bpe-openai cannot decode id {rank}") from None
        if got.encode("utf-8", "surrogatepass") != want:
            raise EngineUnavailable(f"bpe-openai's vocabulary differs at id {rank}")
        checked += 1
    return f"ok {checked}/{len(by_id)}\n".encode()


def _load_bpe_openai(entry: TokenizerEntry) -> Adapter:
    version = _check_version("bpe-openai")
    f = _Vocab(entry)
    name = BPE_OPENAI_ENCODINGS.get(f.sha256)
    if name is None:
        raise EngineUnavailable("bpe-openai embeds only OpenAI's o200k_base and cl100k_base")
    tok = _bpe_openai_bindings().tokenizer_for_encoding(name)
    vocab_cache.get("bpe-openai-proof", f.sha256, "txt", f"bpe-openai-{version}",
                    lambda: prove_bpe_openai(tok, _bpe_ranks(entry, f)[0]))
    return BpeOpenAIAdapter(entry, f.sha256, version, tok)


def _load_kitoken(entry: TokenizerEntry) -> Adapter:
    version = _check_version("kitoken")
    f = _Vocab(entry)
    import kitoken

    key, pattern = f.sha256, None
    if entry.format in ("tiktoken", "tekken"):
        pattern = entry.pattern or (parse_tekken_ranks(f.data, str(f.path))[1] if entry.format == "tekken" else None)
        if not pattern:
            raise NormtokError(f"{entry.id}: a tiktoken rank file needs a pre-tokenizer pattern in the registry")
        key = f"{f.sha256}-{vocab_cache.pattern_tag(pattern)}"

    def build() -> bytes:
        if entry.format == "spm":
            k = kitoken.Kitoken.from_sentencepiece(f.data)
        elif entry.format == "hf":
            k = kitoken.Kitoken.from_tokenizers(_hf_without_added_tokens(entry, f.data).encode("utf-8"))
        elif entry.format in ("tiktoken", "tekken"):
            # kitoken guesses the pattern and the special tokens from the vocabulary size (and guesses
            # cl100k's for llama3 and o200k's for qwen3.5): set the registry pattern, drop the specials.
            if entry.format == "tekken":
                data = vocab_cache.rank_file(f.sha256, lambda: _bpe_ranks(entry, f)[0]).data
            else:
                data = f.data
            k = kitoken.Kitoken.from_tiktoken(data)
            definition = k.definition()
            definition["specials"] = []
            k.set_definition(definition)
            config = k.config()
            config["split"] = [{"Pattern": {"pattern": {"Regex": pattern}, "behavior": "Isolate"}}]
            k.set_config(config)
        else:
            raise EngineUnavailable(f"kitoken does not read {entry.format!r} files")
        return bytes(k.to_bytes())

    art = vocab_cache.get("kitoken", key, "kit", f"kitoken-{version}-1", build)
    return KitokenAdapter(entry, f.sha256, version, kitoken.Kitoken(art.data))


_LOADERS = {"fastokens": _load_fastokens, "bpe-openai": _load_bpe_openai, "tiktoken": _load_tiktoken,
            "kitoken": _load_kitoken}
_loaded: dict[tuple[Any, ...], Adapter] = {}
_lock = threading.Lock()


def load(entry: TokenizerEntry, name: str) -> Adapter:
    """The adapter of engine ``name`` for ``entry`` (cached per process).

    Raises EngineUnavailable if the engine is not proven for this vocabulary, not installed (at the
    proven version) or fails to load; raises NormtokError for problems with the vocabulary itself
    (missing file, SHA-256 mismatch), which no other engine could fix.
    """
    if name not in _LOADERS:
        raise NormtokError(f"unknown engine {name!r} (expected auto, reference or one of {', '.join(ENGINES)})")
    if not entry.files:
        reference_tokenizer(entry)  # raises the reference adapter's explanation (unpublished / needs a file)
    if not proven(name, entry):
        raise EngineUnavailable(f"{name} is not proven exact for {entry.id} (this vocabulary file and pattern)")
    key = (name, entry.id, entry.files, entry.pattern, entry.normalization)
    with _lock:
        if key not in _loaded:
            try:
                _loaded[key] = _LOADERS[name](entry)
            except (EngineUnavailable, NormtokError):
                raise
            except Exception as exc:  # an engine library failing on a vocabulary is a reason to fall back
                raise EngineUnavailable(f"{name} failed to load {entry.id}: {exc}") from exc
        return _loaded[key]


def unload() -> None:
    """Forget every loaded engine adapter (fastokens holds 100-300 MB per vocabulary)."""
    with _lock:
        _loaded.clear()


# --- choice ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """The adapter that counts one tokenizer, which engine it is, and why a better one was not used."""

    adapter: Adapter
    engine: str
    version: str | None
    reference: bool
    fallback: str | None = None


def uses_pool(name: str, nbytes: int | None, jobs: int) -> bool:
    """Whether a GIL-holding engine should count in worker processes for this much input."""
    info = INFO.get(name)
    return bool(info and info.thread_gain == 0 and jobs > 1 and nbytes is not None and nbytes >= POOL_MIN_BYTES)


def estimate(name: str, nbytes: int | None, jobs: int, entry: TokenizerEntry | None = None) -> float:
    """Estimated wall seconds to load ``name`` (for ``entry``) and count ``nbytes`` with ``jobs`` cores (cost model)."""
    info = INFO[name]
    load_s = LOAD_S.get((name, entry.id), info.load_s) if entry is not None else info.load_s
    size = nbytes or 0
    if uses_pool(name, nbytes, jobs):
        speed, extra = info.mbps * jobs, POOL_START_S
    else:
        speed, extra = info.mbps * (1 + info.thread_gain * (max(jobs, 1) - 1)), 0.0
    return load_s + extra + size / (speed * 1e6)


def candidates(entry: TokenizerEntry) -> list[str]:
    """Engines allowed to count ``entry``: proven ones and the cached reference library."""
    return [n for n in ENGINES if proven(n, entry)]


def _reference_choice(entry: TokenizerEntry, fallback: str | None) -> Choice:
    ad = reference_tokenizer(entry)
    return Choice(ad, ad.engine, installed_version(ad.engine) if ad.engine in INFO else None, True, fallback)


def choose(entry: TokenizerEntry, engine: str = AUTO, nbytes: int | None = None, jobs: int = 1) -> Choice:
    """The adapter that should count ``entry``'s share of ``nbytes`` of input with ``jobs`` cores.

    ``engine`` is ``auto`` (fastest proven engine for this much work), ``reference`` (the reference
    adapter) or an engine name (that engine if it is proven for this tokenizer, else the reference,
    with the reason in ``fallback``). Never substitutes another tokenizer.
    """
    if engine == REFERENCE:
        return _reference_choice(entry, None)
    if engine == AUTO:
        ranked = sorted(candidates(entry), key=lambda n: estimate(n, nbytes, jobs, entry))
    elif engine in _LOADERS:
        ranked = [engine]
    else:
        raise NormtokError(f"unknown engine {engine!r} (expected auto, reference or one of {', '.join(ENGINES)})")
    reasons: list[str] = []
    for name in ranked:
        try:
            ad = load(entry, name)
        except EngineUnavailable as exc:
            reasons.append(str(exc))
            continue
        return Choice(ad, name, getattr(ad, "version", None), False, "; ".join(reasons) or None)
    if engine == AUTO and not reasons:
        return _reference_choice(entry, None)
    return _reference_choice(entry, "; ".join(reasons) or None)


def configure_threads(jobs: int | None) -> None:
    """Limit the engines' own thread pools to ``jobs`` (before their first use; later calls cannot shrink them)."""
    if jobs:
        os.environ.setdefault("RAYON_NUM_THREADS", str(jobs))


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def tokenizer(entry: TokenizerEntry, engine: str = AUTO, nbytes: int | None = None, jobs: int = 1) -> Adapter:
    """Shortcut: the adapter ``choose`` picks."""
    return choose(entry, engine, nbytes, jobs).adapter


__all__ = ["AUTO", "ENGINES", "INFO", "PROVEN", "REFERENCE", "Choice", "EngineUnavailable", "VocabUnavailableError",
           "candidates", "choose", "configure_threads", "default_jobs", "estimate", "fingerprint", "load",
           "proven", "tokenizer", "unload", "uses_pool"]
