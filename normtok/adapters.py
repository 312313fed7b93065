"""Reference adapters: one per vocabulary format, each wrapping the vendor's own library.

Counting semantics (the same for every adapter, see README "What a count means"):
content tokens of the raw text; no BOS/EOS, no chat template; special-token and
added-token strings in the text are ordinary text; normalisation is only what the
vendor's tokenizer itself applies (Qwen: NFC).

Every file is checked against its registered SHA-256 before it is parsed.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from .errors import HashMismatchError, NormtokError, VocabUnavailableError
from .registry import FileRef, TokenizerEntry, identity, resolve


@dataclass(frozen=True)
class LoadedFile:
    path: Path
    data: bytes
    sha256: str


def read_verified(ref: FileRef) -> LoadedFile:
    """Read a tokenizer file, decompress it if needed, and check its SHA-256."""
    path = ref.locate()
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise VocabUnavailableError(f"tokenizer file not found: {path}") from exc
    except OSError as exc:
        raise VocabUnavailableError(f"cannot read tokenizer file {path}: {exc.strerror}") from exc
    if ref.compression == "gzip":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise HashMismatchError(f"{path}: not a valid gzip file ({exc})") from exc
    digest = hashlib.sha256(raw).hexdigest()
    if ref.sha256 is not None and digest != ref.sha256.lower():
        raise HashMismatchError(
            f"SHA-256 mismatch for {path}: expected {ref.sha256}, got {digest}. "
            "The file was modified or replaced; refusing to load it."
        )
    return LoadedFile(path=path, data=raw, sha256=digest)


class Adapter(Protocol):
    """What every counting engine offers."""

    entry: TokenizerEntry
    sha256: str
    engine: str

    def count(self, text: str) -> int: ...

    def count_many(self, texts: Sequence[str]) -> list[int]: ...


def parse_tiktoken_ranks(data: bytes, source: str = "") -> dict[bytes, int]:
    """Parse a tiktoken rank file (``base64 rank`` per line)."""
    ranks: dict[bytes, int] = {}
    for lineno, line in enumerate(data.splitlines(), 1):
        if not line:
            continue
        try:
            token, rank = line.split()
            ranks[base64.b64decode(token, validate=True)] = int(rank)
        except ValueError as exc:
            raise NormtokError(f"{source}: line {lineno} is not a tiktoken rank line") from exc
    return ranks


def parse_tekken_ranks(data: bytes, source: str = "") -> tuple[dict[bytes, int], str]:
    """Content ranks and pattern of a Mistral tekken JSON (as mistral_common's Tekkenizer builds them)."""
    try:
        model = json.loads(data)
        config = model["config"]
        inner = config["default_vocab_size"] - config["default_num_special_tokens"]
        vocab = model["vocab"][:inner]
        ranks = {base64.b64decode(t["token_bytes"]): t["rank"] for t in vocab}
        pattern = config["pattern"]
    except (ValueError, KeyError, TypeError) as exc:
        raise NormtokError(f"{source}: not a tekken tokenizer file ({exc!r})") from exc
    return ranks, pattern


class TiktokenAdapter:
    """BPE rank files (tiktoken and tekken formats), counted with tiktoken's ``encode_ordinary``."""

    engine = "tiktoken"

    def __init__(self, entry: TokenizerEntry, ranks: dict[bytes, int], pattern: str, sha256: str) -> None:
        import tiktoken

        self.entry = entry
        self.sha256 = sha256
        self.pattern = pattern
        self._nfc = entry.normalization == "NFC"
        if not ranks:
            raise NormtokError(f"{entry.id}: the vocabulary file has no tokens")
        try:
            self.encoding = tiktoken.Encoding(
                name=entry.id, pat_str=pattern, mergeable_ranks=ranks, special_tokens={}
            )
        except (ValueError, TypeError) as exc:  # a bad pre-tokenizer pattern or rank table (registry override)
            raise NormtokError(f"{entry.id}: tiktoken cannot use this vocabulary and pattern ({exc})") from exc

    @classmethod
    def load(cls, entry: TokenizerEntry) -> TiktokenAdapter:
        f = read_verified(entry.files[0])
        if entry.format == "tekken" or (entry.format is None and f.data.lstrip().startswith(b"{")):
            ranks, pattern = parse_tekken_ranks(f.data, str(f.path))
            pattern = entry.pattern or pattern
        else:
            ranks = parse_tiktoken_ranks(f.data, str(f.path))
            if not entry.pattern:
                raise NormtokError(f"{entry.id}: a tiktoken rank file needs a pre-tokenizer pattern in the registry")
            pattern = entry.pattern
        return cls(entry, ranks, pattern, f.sha256)

    def _prep(self, text: str) -> str:
        return unicodedata.normalize("NFC", text) if self._nfc else text

    def encode(self, text: str) -> list[int]:
        return self.encoding.encode_ordinary(self._prep(text))

    def count(self, text: str) -> int:
        return len(self.encoding.encode_ordinary(self._prep(text)))

    def count_many(self, texts: Sequence[str]) -> list[int]:
        batch = self.encoding.encode_ordinary_batch([self._prep(t) for t in texts])
        return [len(ids) for ids in batch]


class HFAdapter:
    """Hugging Face ``tokenizer.json``, counted with the ``tokenizers`` library.

    Added tokens are removed from the table before loading so that control strings in
    the content (``<｜User｜>``, ``<think>``) are tokenized as text, like any other text.
    """

    engine = "tokenizers"

    def __init__(self, entry: TokenizerEntry, data: bytes, sha256: str) -> None:
        from tokenizers import Tokenizer

        self.entry = entry
        self.sha256 = sha256
        try:
            spec = json.loads(data)
            spec["added_tokens"] = []
            self.tokenizer = Tokenizer.from_str(json.dumps(spec))
        except Exception as exc:  # tokenizers raises plain Exception subclasses
            raise NormtokError(f"{entry.id}: not a usable tokenizer.json ({exc})") from exc

    @classmethod
    def load(cls, entry: TokenizerEntry) -> HFAdapter:
        f = read_verified(entry.files[0])
        return cls(entry, f.data, f.sha256)

    def encode(self, text: str) -> list[int]:
        return self.tokenizer.encode(text, add_special_tokens=False).ids

    def count(self, text: str) -> int:
        return len(self.tokenizer.encode(text, add_special_tokens=False))

    def count_many(self, texts: Sequence[str]) -> list[int]:
        return [len(e) for e in self.tokenizer.encode_batch_fast(list(texts), add_special_tokens=False)]


class SentencePieceAdapter:
    """SentencePiece ``.model`` files, counted with ``sentencepiece``'s ``encode`` (no BOS/EOS)."""

    engine = "sentencepiece"

    def __init__(self, entry: TokenizerEntry, data: bytes, sha256: str) -> None:
        import sentencepiece

        self.entry = entry
        self.sha256 = sha256
        self.processor = sentencepiece.SentencePieceProcessor()
        try:
            self.processor.LoadFromSerializedProto(data)
        except Exception as exc:  # sentencepiece raises RuntimeError/OSError variants
            raise NormtokError(f"{entry.id}: not a SentencePiece model ({exc})") from exc

    @classmethod
    def load(cls, entry: TokenizerEntry) -> SentencePieceAdapter:
        f = read_verified(entry.files[0])
        return cls(entry, f.data, f.sha256)

    def encode(self, text: str) -> list[int]:
        return self.processor.encode(text)

    def count(self, text: str) -> int:
        return len(self.processor.encode(text))

    def count_many(self, texts: Sequence[str]) -> list[int]:
        return [len(ids) for ids in self.processor.encode(list(texts))]


class JurassicAdapter:
    """AI21 Jurassic-2: its SentencePiece model behind the vendor's pre- and post-processing.

    J2 text never went to the bare model: ai21-tokenizer's ``JurassicTokenizer`` (the last release with
    it is 0.12.0; the model and its ``config.json`` are still shipped) encodes each line on its own, with
    a leading space, and puts the newline piece between lines; turns tabs into spaces and writes each
    run of two or more spaces with the vocabulary's space pieces; and re-splits a run of digit pieces
    into groups of three unless the whole number is one piece. Counted here the same way, from the
    hash-checked config; ``tests/test_jurassic.py`` and ``tests/test_differential.py`` prove it against
    the vendor class.
    """

    engine = "sentencepiece"
    _space_split = re.compile("( {2,})")

    def __init__(self, entry: TokenizerEntry, data: bytes, sha256: str, config: dict[str, object]) -> None:
        """``sha256``: the tokenizer's identity, over the model and the config (:func:`registry.identity`)."""
        self.entry = entry
        self.sha256 = sha256
        self.sp = SentencePieceAdapter(entry, data, sha256).processor
        sp = self.sp
        unk = sp.unk_id()
        newline = config.get("newline_piece")
        self.newline_id = sp.piece_to_id(newline) if isinstance(newline, str) else unk
        self.manual_prefix = not config.get("add_dummy_prefix", True)
        self.space_mode = config.get("space_mode")
        self.number_mode = config.get("number_mode")
        if self.number_mode not in (None, "left", "right", "left_keep", "right_keep"):
            raise NormtokError(f"{entry.id}: unknown number_mode {self.number_mode!r} in the tokenizer config")
        #: (run length, piece id) of the space pieces ("▁" * n), longest first, as the vendor maps them.
        self.spaces = [(n, sp.piece_to_id("\u2581" * n)) for n in range(32, 0, -1)
                       if sp.piece_to_id("\u2581" * n) != unk]
        if self.space_mode is not None and (not self.spaces or self.spaces[-1][0] != 1):
            raise NormtokError(f"{entry.id}: the vocabulary has no single space piece for space_mode")
        pieces = (sp.id_to_piece(i) for i in range(sp.get_piece_size()))
        #: Piece id -> text of the pieces that are all ASCII digits (the vendor's ``is_number``).
        self.digit_pieces = {i: p for i, p in enumerate(pieces) if p.isdigit() and p.isascii()}
        self.numbers = {p: i for i, p in self.digit_pieces.items()}

    @classmethod
    def load(cls, entry: TokenizerEntry) -> JurassicAdapter:
        model = read_verified(entry.files[0])
        refs = [f for f in entry.files[1:] if f.role == "config"]
        if refs:
            raw = read_verified(refs[0]).data
        else:  # a user-supplied model: the vendor's layout keeps config.json beside it
            path = model.path.with_name("config.json")
            try:
                raw = path.read_bytes()
            except OSError as exc:
                raise VocabUnavailableError(
                    f"{entry.id}: the Jurassic config {path} is missing ({exc.strerror}); it sets the newline, "
                    "space and number handling, and the model alone would count differently") from None
            _check_user_config(entry, path, raw)
        try:
            config = json.loads(raw)
        except ValueError as exc:
            raise NormtokError(f"{entry.id}: the Jurassic config is not valid JSON ({exc})") from None
        if not isinstance(config, dict):
            raise NormtokError(f"{entry.id}: the Jurassic config is not a JSON object")
        ident = identity([(entry.files[0].role, model.sha256), ("config", hashlib.sha256(raw).hexdigest())])
        return cls(entry, model.data, ident, config)

    def _parts(self, line: str) -> list[str | int]:
        """One line as the vendor's ``_encode`` cuts it: texts to encode, and space piece ids."""
        if self.manual_prefix:
            line = " " + line
        if self.space_mode is None:
            return [line]
        parts: list[str | int] = []
        remainder = ""
        for sub in self._space_split.split(line.replace("\t", " ")):
            if not sub:
                continue
            if not sub.startswith("  "):
                parts.append(remainder + sub)
                remainder = ""
                continue
            remaining, remainder = len(sub) - 1, " "
            for n, piece in self.spaces:
                while remaining >= n:
                    parts.append(piece)
                    remaining -= n
        if remainder:
            parts.append(remainder)
        return parts

    def _numbers(self, ids: list[int]) -> list[int]:
        """The vendor's ``_encode_post_process``: runs of digit pieces re-split by ``number_mode``."""
        if self.number_mode is None:
            return ids
        out: list[int] = []
        i, n = 0, len(ids)
        while i < n:
            if ids[i] not in self.digit_pieces:
                out.append(ids[i])
                i += 1
                continue
            j = i
            while j < n and ids[j] in self.digit_pieces:
                j += 1
            num = "".join(self.digit_pieces[k] for k in ids[i:j])
            out += self._split_number(num)
            i = j
        return out

    def _split_number(self, num: str) -> list[int]:
        mode = self.number_mode or ""
        if mode.endswith("_keep"):
            if num in self.numbers:
                return [self.numbers[num]]
            mode = mode[: -len("_keep")]
        unk = self.sp.unk_id()
        head = len(num) % 3 if mode == "right" else 0
        groups = ([num[:head]] if head else []) + [num[k:k + 3] for k in range(head, len(num), 3)]
        return [self.numbers.get(g, unk) for g in groups]

    def encode(self, text: str) -> list[int]:
        ids: list[int] = []
        for k, line in enumerate(text.split("\n")):
            if k:
                ids.append(self.newline_id)
            if not line:
                continue
            parts = self._parts(line)
            encoded = iter(self.sp.encode([p for p in parts if isinstance(p, str)]))
            for p in parts:
                ids += next(encoded) if isinstance(p, str) else [p]
        return self._numbers(ids)

    def count(self, text: str) -> int:
        return self.count_many([text])[0]

    def count_many(self, texts: Sequence[str]) -> list[int]:
        """Counts without building id lists, except for the pieces of texts that hold an ASCII digit."""
        out = []
        for text in texts:
            lines = text.split("\n")
            total = len(lines) - 1
            segments: list[str] = []
            for line in lines:
                if line:
                    for p in self._parts(line):
                        if isinstance(p, str):
                            segments.append(p)
                        else:
                            total += 1
            for ids in self.sp.encode(segments):
                # NFKC makes digit pieces of other digits too (full-width, superscripts): test the ids.
                numeric = self.number_mode is not None and not self.digit_pieces.keys().isdisjoint(ids)
                total += len(self._numbers(ids)) if numeric else len(ids)
            out.append(total)
        return out


def _check_user_config(entry: TokenizerEntry, path: Path, raw: bytes) -> None:
    """A config beside a user-supplied model must be the registered one.

    The identity would record another config, but a config AI21 never shipped makes a tokenizer no
    vendor ran: normtok counts J2 as AI21's library did or not at all.
    """
    try:
        registered = [f.sha256 for f in resolve(entry.id).files if f.role == "config" and f.sha256]
    except NormtokError:
        registered = []
    digest = hashlib.sha256(raw).hexdigest()
    if registered and digest not in registered:
        raise HashMismatchError(
            f"{entry.id}: {path} (SHA-256 {digest}) is not the registered Jurassic config ({registered[0]}); "
            "a config AI21 never shipped makes a tokenizer no vendor ran, so it is refused.")


_LOADERS = {"tiktoken": TiktokenAdapter, "tekken": TiktokenAdapter, "hf": HFAdapter, "spm": SentencePieceAdapter,
            "jurassic": JurassicAdapter}
_lock = threading.Lock()


def load_entry(entry: TokenizerEntry) -> Adapter:
    """Load the reference adapter for a registry entry (hash-checked). Never substitutes."""
    if not entry.files:
        if entry.status == "unpublished":
            raise VocabUnavailableError(
                f"{entry.id}: no vocab available: {entry.vendor} publishes no tokenizer file, so exact counts "
                "are impossible and normtok will not substitute another tokenizer, nor convert to it (there is no "
                "table for it). NT measures the same text vendor-neutrally."
            )
        raise VocabUnavailableError(
            f"{entry.id}: no vocab available offline. Supply the vendor's file with "
            f"--tokenizer-file PATH (format: {entry.format}; normtok count and normtok audit take it) or a registry "
            "override ($NORMTOK_REGISTRY, for every verb)."
        )
    if entry.format not in _LOADERS:
        raise NormtokError(f"{entry.id}: unsupported format {entry.format!r}")
    return _LOADERS[entry.format].load(entry)


_cache: dict[tuple[str, tuple[FileRef, ...]], Adapter] = {}


def tokenizer(model_or_id: str | TokenizerEntry, tokenizer_file: str | None = None) -> Adapter:
    """The (cached) reference adapter for a model name, tokenizer id or entry."""
    entry = model_or_id if isinstance(model_or_id, TokenizerEntry) else resolve(model_or_id)
    if tokenizer_file is not None:
        entry = entry.with_file(tokenizer_file)
    key = (entry.id, entry.files)
    with _lock:
        if key not in _cache:
            _cache[key] = load_entry(entry)
        return _cache[key]
