"""Bill audit: recompute what each billed LLM call should cost in tokens, and say where it differs.

Input is a usage log (JSONL, CSV or Parquet), read as a stream. A record is either

- a **chat record**: ``{"id", "model", "request": {chat completion request body},
  "response": {chat completion response body with "usage"}}`` (OpenAI-compatible; also the
  legacy ``prompt``/``choices[].text`` completion shape and OpenAI batch ``body`` wrappers), or
- a **flat record**: text columns plus billed-count columns, named by :class:`FlatColumns`.

For each record the expected prompt and completion counts of the claimed model are the exact
content tokens (the vendor's tokenizer) plus the chat-format overhead from
:mod:`normtok.templates` (exact, or estimated with an interval). Billed minus expected gives
a status: ``ok``, ``over``, ``under``, ``not_verifiable`` (format or tokenizer unknown,
media input, no text) or ``malformed`` (the record itself is broken: reported with its line
number, never dropped). Across records, every available tokenizer is ranked by how well it
explains the bill (the fingerprint), and the bill is broken down into content and overhead.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import os
import re
import sys
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from .adapters import Adapter, tokenizer
from .errors import HashMismatchError, NormtokError, UnknownModelError, VocabUnavailableError
from .registry import TokenizerEntry, entries, resolve
from .templates import (
    COMPLETION,
    FORMATS,
    MESSAGE,
    REASONING,
    SYSTEM,
    UNKNOWN,
    Chat,
    Choice,
    FormatChoice,
    Message,
    Tally,
    ToolCall,
    combine,
    fingerprint_formats,
    formats_for,
    render_completion,
    render_prompt,
)

SCHEMA = "normtok.audit/1"
OK, OVER, UNDER, NOT_VERIFIABLE, MALFORMED = "ok", "over", "under", "not_verifiable", "malformed"
STATUSES = (OK, OVER, UNDER, NOT_VERIFIABLE, MALFORMED)
INPUT_FORMATS = ("jsonl", "csv", "parquet")
#: Fingerprint: another tokenizer is "clearly better" when it matches this many more records (share) ...
FLAG_MATCH_MARGIN = 0.25
#: ... or its fitted error is at most half the claimed tokenizer's; never on fewer records than this.
FLAG_MIN_RECORDS = 5
MALFORMED_KEPT = 1000  # malformed records listed in the report (all are in --out and counted)
_COUNT_CACHE_MAX = 200_000

ROW_COLUMNS = (
    "line", "id", "model", "tokenizer_id", "tokenizer_sha256", "chat_format", "status", "reason",
    "prompt_billed", "prompt_expected", "prompt_low", "prompt_high", "prompt_diff", "prompt_status", "prompt_label",
    "prompt_system", "prompt_content", "prompt_tools", "prompt_template",
    "completion_billed", "completion_expected", "completion_low", "completion_high", "completion_diff",
    "completion_status", "completion_label", "completion_content", "completion_reasoning", "completion_template",
    "reasoning_tokens", "unverifiable_tokens", "cached_tokens", "billed_total", "discrepancy_tokens",
)
NT_COLUMNS = ("nt_prompt", "nt_completion")


def nt_module() -> Any:
    """normtok.nt if present (NT columns are left out otherwise)."""
    try:
        from . import nt
    except ImportError:
        return None
    return nt


# ----------------------------------------------------------------------------- options


@dataclass(frozen=True)
class Tolerance:
    """Slack added on both sides of the expected interval: ``tokens + percent`` of the expected count."""

    tokens: int = 0
    percent: float = 0.0

    @classmethod
    def parse(cls, text: str) -> Tolerance:
        """``"0"``, ``"3"`` (tokens), ``"2%"`` (of the expected count), ``"2%+3"`` (both)."""
        tokens, percent = 0, 0.0
        for term in filter(None, (t.strip() for t in str(text).split("+"))):
            m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(%?)", term)
            if not m:
                raise NormtokError(f"--tolerance: {text!r} is not N (tokens), P% or P%+N")
            if m.group(2):
                percent += float(m.group(1))
            elif "." in m.group(1):
                raise NormtokError(f"--tolerance: a token tolerance must be a whole number, got {term!r}")
            else:
                tokens += int(m.group(1))
        return cls(tokens, percent)

    def of(self, expected: int) -> int:
        return self.tokens + math.floor(self.percent * max(expected, 0) / 100)

    def __str__(self) -> str:
        parts = ([f"{self.percent:g}%"] if self.percent else []) + ([str(self.tokens)] if self.tokens else [])
        return "+".join(parts) or "0"


@dataclass(frozen=True)
class FlatColumns:
    """Column names of the flat record shape, and whether its texts are wrapped in the chat format."""

    prompt: str = "prompt"
    completion: str = "completion"
    prompt_tokens: str = "prompt_tokens"
    completion_tokens: str = "completion_tokens"
    reasoning_tokens: str = "reasoning_tokens"
    cached_tokens: str = "cached_tokens"
    id: str = "id"
    model: str = "model"
    wrap: str = "raw"  # raw: texts billed as they are; chat: one user message and one reply

    @property
    def names(self) -> tuple[str, ...]:
        return (self.prompt, self.completion, self.prompt_tokens, self.completion_tokens)


@dataclass
class AuditOptions:
    model: str | None = None  # claimed model for records that name none
    chat_format: str | None = None  # force one format for every chat record
    tolerance: Tolerance = field(default_factory=Tolerance)
    columns: FlatColumns = field(default_factory=FlatColumns)
    shape: str = "auto"  # auto | chat | flat
    input_format: str = "auto"  # auto | jsonl | csv | parquet
    fingerprint_sample: int = 200  # records per claimed model used to fingerprint (0: off)
    batch_records: int = 512
    tokenizer_files: dict[str, str] = field(default_factory=dict)
    """Tokenizer id -> a user-supplied vocabulary file for it (needs-file entries, or another copy)."""

    def entry_for(self, entry: TokenizerEntry) -> TokenizerEntry:
        """``entry`` with the user's file when one was given for it (its identity is then the file's hash)."""
        path = self.tokenizer_files.get(entry.id)
        return entry.with_file(path) if path else entry


# ----------------------------------------------------------------------------- readers


@dataclass
class RawRecord:
    """One input record before validation: its line (row for Parquet) and data, or why it could not be read."""

    line: int
    data: Any = None
    error: str | None = None
    strings: bool = False  # values are text (CSV): numbers and JSON columns are parsed from strings


class _CountingReader(io.RawIOBase):
    """Counts bytes read from a binary stream (progress for compressed and text-wrapped inputs)."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        n = self.raw.readinto(b)  # type: ignore[attr-defined]
        self.bytes += n or 0
        return n or 0


class RecordSource:
    """Streams :class:`RawRecord` from a file (or stdin as JSONL) and reports progress in bytes."""

    def __init__(self, path: str, input_format: str = "auto") -> None:
        self.path = path
        self.format = sniff_input_format(path) if input_format == "auto" else input_format
        if self.format not in INPUT_FORMATS:
            raise NormtokError(f"unknown input format {self.format!r} (expected one of {', '.join(INPUT_FORMATS)})")
        self.total_bytes: int | None = None
        self._counter: _CountingReader | None = None
        self._rows_done = 0
        self._rows_total: int | None = None
        if path != "-":
            try:
                self.total_bytes = os.stat(path).st_size
            except OSError as exc:
                raise NormtokError(f"cannot read {path}: {exc.strerror}") from exc

    @property
    def done_fraction(self) -> float | None:
        if self.format == "parquet":
            return self._rows_done / self._rows_total if self._rows_total else None
        if self._counter is None or not self.total_bytes:
            return None
        return min(self._counter.bytes / self.total_bytes, 1.0)

    def _open_binary(self) -> BinaryIO:
        if self.path == "-":
            raw: BinaryIO = sys.stdin.buffer
        else:
            try:
                raw = open(self.path, "rb")  # noqa: SIM115 - closed by the reader generators
            except OSError as exc:
                raise NormtokError(f"cannot read {self.path}: {exc.strerror}") from exc
        self._counter = _CountingReader(raw)
        buffered: BinaryIO = io.BufferedReader(self._counter, 1 << 20)
        if self.path.endswith(".gz"):
            return gzip.GzipFile(fileobj=buffered)  # type: ignore[return-value]
        return buffered

    def __iter__(self) -> Iterator[RawRecord]:
        if self.format == "jsonl":
            return self._gzip_guard(self._jsonl())
        if self.format == "csv":
            return self._gzip_guard(self._csv())
        return self._parquet()

    def _gzip_guard(self, records: Iterator[RawRecord]) -> Iterator[RawRecord]:
        """A .gz that is not gzip is unusable input; one cut short (a log still being written) keeps the
        records read so far and ends with one malformed record that says where the stream broke."""
        last = 0
        try:
            for rec in records:
                last = rec.line
                yield rec
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            if not self.path.endswith(".gz"):
                raise
            if last == 0:
                raise NormtokError(f"{self.path}: not a readable gzip file ({exc})") from None
            yield RawRecord(last + 1, error=f"gzip stream corrupt or truncated after line {last} ({exc}); "
                                            "the rest of the file could not be read")

    def _jsonl(self) -> Iterator[RawRecord]:
        with self._open_binary() as fh:
            for lineno, raw in enumerate(fh, 1):
                if not raw.strip():
                    continue
                try:
                    text = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
                except UnicodeDecodeError as exc:
                    yield RawRecord(lineno, error=f"invalid UTF-8 at byte {exc.start} of the line")
                    continue
                try:
                    data = json.loads(text)
                    # "\ud800" escapes decode to lone surrogates: not text any tokenizer (or API) accepts.
                    where = _lone_surrogate(data) if "\\u" in text else None
                    if where is not None:
                        yield RawRecord(lineno, error=f"{where}: a lone surrogate escape (\\ud800-\\udfff) is not "
                                                      "Unicode text")
                        continue
                    yield RawRecord(lineno, data)
                except json.JSONDecodeError as exc:
                    yield RawRecord(lineno, error=f"not valid JSON: {exc.msg} at column {exc.colno}")
                except RecursionError:
                    yield RawRecord(lineno, error="not a usable JSON record: nested too deeply")

    def _csv(self) -> Iterator[RawRecord]:
        csv.field_size_limit(1 << 30)
        with self._open_binary() as fh:
            text = io.TextIOWrapper(fh, encoding="utf-8-sig", errors="surrogateescape", newline="")
            reader = csv.reader(text)
            try:
                header = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise NormtokError(f"{self.path}: cannot read the CSV header ({exc})") from exc
            if any(_has_surrogates(h) for h in header):
                raise NormtokError(f"{self.path}: the CSV header is not valid UTF-8")
            width = len(header)
            while True:
                start = reader.line_num + 1
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    yield RawRecord(start, error=f"CSV syntax error ({exc})")
                    continue
                if not row or row == [""]:
                    continue
                bad = next((i for i, v in enumerate(row) if _has_surrogates(v)), None)
                if bad is not None:
                    yield RawRecord(start, error=_invalid_utf8(header, row, bad))
                elif len(row) != width:
                    yield RawRecord(start, error=f"{len(row)} fields, the header has {width}")
                else:
                    yield RawRecord(start, dict(zip(header, row)), strings=True)

    def _parquet(self) -> Iterator[RawRecord]:
        import pyarrow.parquet as pq

        if self.path == "-":
            raise NormtokError("Parquet cannot be read from stdin: give a file")
        try:
            pf = pq.ParquetFile(self.path)
        except Exception as exc:  # pyarrow raises ArrowInvalid/OSError variants
            raise NormtokError(f"{self.path}: not a readable Parquet file ({exc})") from exc
        self._rows_total = pf.metadata.num_rows
        row = 0
        for batch in pf.iter_batches(batch_size=4096):
            for d in batch.to_pylist():
                row += 1
                yield RawRecord(row, d)
            self._rows_done = row


def _lone_surrogate(value: Any, path: str = "") -> str | None:
    """Path of the first string (key or value) holding a lone surrogate, or None."""
    if isinstance(value, str):
        return (path or "record") if any("\ud800" <= ch <= "\udfff" for ch in value) else None
    if isinstance(value, dict):
        for k, v in value.items():
            sub = f"{path}.{k}" if path else str(k)
            found = _lone_surrogate(k, sub) or _lone_surrogate(v, sub)
            if found:
                return found
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found = _lone_surrogate(v, f"{path}[{i}]")
            if found:
                return found
    return None


def _has_surrogates(s: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in s)


def _invalid_utf8(header: list[str], row: list[str], col: int) -> str:
    """Where a CSV row's undecodable byte is: its column and byte offset in that field."""
    value = row[col]
    at = next(i for i, ch in enumerate(value) if "\udc80" <= ch <= "\udcff")
    offset = len(value[:at].encode("utf-8", "surrogateescape"))
    name = header[col] if col < len(header) else f"#{col + 1}"
    byte = ord(value[at]) - 0xDC00
    return f"invalid UTF-8 in column {name!r} at byte offset {offset} of the field (byte 0x{byte:02x})"


def sniff_input_format(path: str) -> str:
    name = path.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    if name.endswith((".csv", ".tsv")):
        return "csv"
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    return "jsonl"


# ----------------------------------------------------------------------------- record validation


class Malformed(Exception):
    """A record that cannot be audited as it is: the reason names the field."""


@dataclass
class Record:
    line: int
    id: str | None
    model: str | None
    shape: str  # chat | flat
    chat: Chat | None
    choices: tuple[Choice, ...] | None
    prompt_billed: int | None
    completion_billed: int | None
    reasoning_tokens: int | None = None
    cached_tokens: int | None = None
    force_format: str | None = None

    @property
    def billed_total(self) -> int:
        return (self.prompt_billed or 0) + (self.completion_billed or 0)


def _kind(v: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null",
            int: "an integer", float: "a number"}.get(type(v), type(v).__name__)


def _count_field(value: Any, where: str, strings: bool) -> int | None:
    """A billed count: a non-negative integer (CSV: its decimal text). Anything else is malformed."""
    if value is None or (strings and isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise Malformed(f"{where}: expected a non-negative integer, got {_kind(value)}")
    if isinstance(value, int) and value >= 0:
        return value
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    if strings and isinstance(value, str) and re.fullmatch(r"\s*\d+(\.0*)?\s*", value):
        return int(float(value))
    raise Malformed(f"{where}: expected a non-negative integer, got {value!r}"[:200])


def _object(value: Any, where: str, strings: bool) -> dict[str, Any]:
    if isinstance(value, str) and (strings or value.lstrip().startswith("{")):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise Malformed(f"{where}: not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise Malformed(f"{where}: expected an object, got {_kind(value)}")
    return value


def _opt_str(value: Any, where: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise Malformed(f"{where}: expected a string, got {_kind(value)}")


MEDIA_PART_TYPES = ("image_url", "input_image", "image", "input_audio", "audio", "file", "input_file", "video_url")


def _content(value: Any, where: str) -> tuple[str | None, int, int]:
    """(text, text parts, media parts) of a message content: a string, null, or a list of parts."""
    if value is None or isinstance(value, str):
        return value, 1, 0
    if not isinstance(value, list):
        raise Malformed(f"{where}: expected a string, a list of parts or null, got {_kind(value)}")
    texts: list[str] = []
    media = 0
    for j, part in enumerate(value):
        if isinstance(part, str):
            texts.append(part)
            continue
        if not isinstance(part, dict) or not isinstance(part.get("type"), str):
            raise Malformed(f"{where}[{j}]: expected a content part object with a 'type'")
        if part["type"] in ("text", "input_text", "output_text"):
            if not isinstance(part.get("text"), str):
                raise Malformed(f"{where}[{j}].text: expected a string, got {_kind(part.get('text'))}")
            texts.append(part["text"])
        elif part["type"] in MEDIA_PART_TYPES:
            media += 1
        else:
            raise Malformed(f"{where}[{j}].type: unknown content part type {part['type']!r}")
    return "\n".join(texts), max(len(texts), 1), media


def _tool_calls(value: Any, where: str) -> tuple[ToolCall, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise Malformed(f"{where}: expected a list, got {_kind(value)}")
    calls = []
    for j, c in enumerate(value):
        fn = c.get("function") if isinstance(c, dict) else None
        if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
            raise Malformed(f"{where}[{j}]: expected {{'function': {{'name': ..., 'arguments': ...}}}}")
        args = fn.get("arguments", "")
        if isinstance(args, (dict, list)):
            args = json.dumps(args, ensure_ascii=False)
        if not isinstance(args, str):
            raise Malformed(f"{where}[{j}].function.arguments: expected a string, got {_kind(args)}")
        calls.append(ToolCall(fn["name"], args, str(c.get("type") or "function")))
    return tuple(calls)


ROLES = ("system", "developer", "user", "assistant", "tool", "function")


def _message(m: Any, where: str) -> Message:
    if not isinstance(m, dict):
        raise Malformed(f"{where}: expected a message object, got {_kind(m)}")
    role = m.get("role")
    if not isinstance(role, str):
        raise Malformed(f"{where}.role: expected a string, got {_kind(role)}")
    if role not in ROLES:
        raise Malformed(f"{where}.role: unknown role {role!r}")
    text, parts, media = _content(m.get("content"), f"{where}.content")
    calls = _tool_calls(m.get("tool_calls"), f"{where}.tool_calls")
    if isinstance(m.get("function_call"), dict):
        calls += _tool_calls([{"function": m["function_call"]}], f"{where}.function_call")
    return Message(
        role="tool" if role == "function" else role, content=text, name=_opt_str(m.get("name"), f"{where}.name"),
        tool_calls=calls, tool_call_id=_opt_str(m.get("tool_call_id"), f"{where}.tool_call_id"),
        text_parts=parts, media_parts=media, reasoning=_opt_str(m.get("reasoning_content"),
                                                                 f"{where}.reasoning_content"),
    )


def _choices(resp: dict[str, Any]) -> tuple[Choice, ...] | None:
    raw = resp.get("choices")
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise Malformed(f"response.choices: expected a list, got {_kind(raw)}")
    out = []
    for i, ch in enumerate(raw):
        where = f"response.choices[{i}]"
        if not isinstance(ch, dict):
            raise Malformed(f"{where}: expected an object, got {_kind(ch)}")
        finish = _opt_str(ch.get("finish_reason"), f"{where}.finish_reason")
        if "message" in ch:
            m = _message(ch["message"], f"{where}.message")
            out.append(Choice(m.content, m.tool_calls, m.reasoning, finish, m.media_parts))
        elif "text" in ch:  # legacy completions
            out.append(Choice(_opt_str(ch["text"], f"{where}.text"), finish_reason=finish))
        else:
            raise Malformed(f"{where}: no 'message'")
    return tuple(out)


def _dig(d: Mapping[str, Any], *path: str) -> Any:
    for key in path:
        if not isinstance(d, Mapping):
            return None
        d = d.get(key)  # type: ignore[assignment]
    return d


def _first(d: Mapping[str, Any], *paths: tuple[str, ...]) -> tuple[Any, str]:
    for p in paths:
        v = _dig(d, *p)
        if v is not None:
            return v, ".".join(p)
    return None, ".".join(paths[0])


def parse_chat(d: dict[str, Any], line: int, opts: AuditOptions, strings: bool) -> Record:
    """A chat-completion record: request body, response body (with usage)."""
    req = _object(d.get("request"), "request", strings) if d.get("request") is not None else None
    if req is None:
        raise Malformed("request: missing (a chat record needs the request body)")
    if "body" in req and "messages" not in req and "prompt" not in req:  # OpenAI batch input line
        req = _object(req["body"], "request.body", strings)
    resp = _object(d.get("response"), "response", strings) if d.get("response") is not None else {}
    if "body" in resp and "choices" not in resp and "usage" not in resp:  # OpenAI batch output line
        resp = _object(resp["body"], "response.body", strings)
    force = None
    if "messages" in req:
        msgs = req["messages"]
        if not isinstance(msgs, list) or not msgs:
            raise Malformed(f"request.messages: expected a non-empty list, got {_kind(msgs)}")
        messages = tuple(_message(m, f"request.messages[{i}]") for i, m in enumerate(msgs))
    elif "prompt" in req:  # legacy completions: the prompt is billed as it is
        prompt = req["prompt"]
        if isinstance(prompt, list) and len(prompt) == 1:
            prompt = prompt[0]
        if not isinstance(prompt, str):
            raise Malformed(f"request.prompt: expected a string, got {_kind(prompt)}")
        messages, force = (Message("user", prompt),), "raw"
    else:
        raise Malformed("request.messages: missing")
    tools = req.get("tools")
    if tools is None and isinstance(req.get("functions"), list):
        tools = [{"type": "function", "function": f} for f in req["functions"]]
    if tools is not None and (not isinstance(tools, list) or not all(isinstance(t, dict) for t in tools)):
        raise Malformed(f"request.tools: expected a list of objects, got {_kind(tools)}")
    usage = resp.get("usage") if resp.get("usage") is not None else d.get("usage")
    if usage is None:
        raise Malformed("response.usage: missing (no billed counts)")
    usage = _object(usage, "response.usage", strings)
    pv, pw = _first(usage, ("prompt_tokens",), ("input_tokens",))
    cv, cw = _first(usage, ("completion_tokens",), ("output_tokens",))
    prompt_billed = _count_field(pv, f"usage.{pw}", strings)
    completion_billed = _count_field(cv, f"usage.{cw}", strings)
    if prompt_billed is None:
        raise Malformed("usage.prompt_tokens: missing")
    if completion_billed is None:
        raise Malformed("usage.completion_tokens: missing")
    rv, rw = _first(usage, ("completion_tokens_details", "reasoning_tokens"),
                    ("output_tokens_details", "reasoning_tokens"))
    kv, kw = _first(usage, ("prompt_tokens_details", "cached_tokens"), ("input_tokens_details", "cached_tokens"),
                    ("prompt_cache_hit_tokens",))
    reasoning = _count_field(rv, f"usage.{rw}", strings)
    if reasoning is not None and reasoning > completion_billed:
        raise Malformed(f"usage.{rw}: {reasoning} exceeds completion_tokens {completion_billed}")
    cached = _count_field(kv, f"usage.{kw}", strings)
    if cached is not None and cached > prompt_billed:
        raise Malformed(f"usage.{kw}: {cached} cached tokens exceed prompt_tokens {prompt_billed}")
    model = d.get("model") or req.get("model") or resp.get("model") or opts.model
    rid = d.get("id") if d.get("id") is not None else (d.get("custom_id") or resp.get("id"))
    return Record(line, None if rid is None else str(rid), _opt_str(model, "model"), "chat",
                  Chat(messages, tuple(tools or ())), _choices(resp), prompt_billed, completion_billed,
                  reasoning, cached, force)


def parse_flat(d: dict[str, Any], line: int, opts: AuditOptions, strings: bool) -> Record:
    """A flat record: text columns and billed-count columns (names from ``opts.columns``)."""
    c = opts.columns
    prompt_text = _opt_str(d.get(c.prompt), c.prompt)
    completion_text = _opt_str(d.get(c.completion), c.completion)
    prompt_billed = _count_field(d.get(c.prompt_tokens), c.prompt_tokens, strings)
    completion_billed = _count_field(d.get(c.completion_tokens), c.completion_tokens, strings)
    if prompt_billed is None and completion_billed is None:
        raise Malformed(f"no billed counts: {c.prompt_tokens!r} and {c.completion_tokens!r} are missing or empty")
    reasoning = _count_field(d.get(c.reasoning_tokens), c.reasoning_tokens, strings)
    cached = _count_field(d.get(c.cached_tokens), c.cached_tokens, strings)
    if cached is not None and prompt_billed is not None and cached > prompt_billed:
        raise Malformed(f"{c.cached_tokens}: {cached} cached tokens exceed {c.prompt_tokens} {prompt_billed}")
    if reasoning is not None and completion_billed is not None and reasoning > completion_billed:
        raise Malformed(f"{c.reasoning_tokens}: {reasoning} exceeds {c.completion_tokens} {completion_billed}")
    model = d.get(c.model) if d.get(c.model) not in (None, "") else opts.model
    rid = d.get(c.id)
    chat = Chat((Message("user", prompt_text),)) if prompt_text is not None else None
    choices = (Choice(completion_text),) if completion_text is not None else None
    return Record(line, None if rid in (None, "") else str(rid), _opt_str(model, c.model), "flat", chat, choices,
                  prompt_billed, completion_billed, reasoning, cached, "raw" if c.wrap == "raw" else None)


def parse_record(raw: RawRecord, opts: AuditOptions) -> Record:
    if raw.error is not None:
        raise Malformed(raw.error)
    d = raw.data
    if not isinstance(d, dict):
        raise Malformed(f"expected a JSON object per line, got {_kind(d)}")
    shape = opts.shape
    if shape == "auto":
        if "request" in d or "response" in d:
            shape = "chat"
        elif any(k in d for k in opts.columns.names):
            shape = "flat"
        else:
            raise Malformed("neither a chat record (request/response) nor a flat record (columns "
                            + ", ".join(opts.columns.names) + ")")
    rec = (parse_chat if shape == "chat" else parse_flat)(d, raw.line, opts, raw.strings)
    if rec.model is None:
        raise Malformed("model: missing (give --model for records that do not name one)")
    return rec


def record_id(raw: RawRecord, opts: AuditOptions) -> str | None:
    """Best-effort id of a malformed record."""
    if isinstance(raw.data, dict):
        for key in ("id", opts.columns.id, "custom_id"):
            v = raw.data.get(key)
            if isinstance(v, (str, int)) and not isinstance(v, bool) and v != "":
                return str(v)
    return None


# ----------------------------------------------------------------------------- per-record results


@dataclass
class Side:
    """One side (prompt or completion) of a record, compared."""

    billed: int | None
    tally: Tally | None = None
    status: str | None = None
    note: str | None = None
    discrepancy: int = 0

    @property
    def verified(self) -> bool:
        return self.status in (OK, OVER, UNDER)


def compare(billed: int | None, tally: Tally | None, tolerance: Tolerance, note: str | None = None,
            hidden: int = 0) -> Side:
    """Status of one side: billed vs the expected interval (+ unverifiable ``hidden`` tokens taken as billed)."""
    if billed is None:
        return Side(None)
    if tally is None:
        return Side(billed, None, NOT_VERIFIABLE, note)
    if tally.label == UNKNOWN:
        return Side(billed, tally, NOT_VERIFIABLE, "; ".join(tally.notes) or note)
    tol = tolerance.of(tally.total + hidden)
    low, high = tally.low + hidden - tol, tally.high + hidden + tol
    if billed > high:
        return Side(billed, tally, OVER, note, billed - high)
    if billed < low:
        return Side(billed, tally, UNDER, note, low - billed)
    return Side(billed, tally, OK, note)


def _overall(sides: Sequence[Side]) -> str:
    statuses = {s.status for s in sides if s.status}
    for st in (OVER, UNDER, NOT_VERIFIABLE):
        if st in statuses:
            return st
    return OK if statuses else NOT_VERIFIABLE


@dataclass
class Claim:
    """What the claimed model resolves to."""

    entry: TokenizerEntry | None
    adapter: Adapter | None
    formats: FormatChoice | None
    reason: str | None = None


# ----------------------------------------------------------------------------- aggregates


@dataclass
class Group:
    """Totals for one claimed model."""

    model: str
    tokenizer_id: str | None = None
    chat_format: str | None = None
    statuses: Counter[str] = field(default_factory=Counter)
    billed_prompt: int = 0
    billed_completion: int = 0
    verified_billed: int = 0
    verified_expected: int = 0
    over_tokens: int = 0
    under_tokens: int = 0
    hidden_reasoning: int = 0
    cached: int = 0
    unverified_billed: int = 0
    prompt_diffs: Counter[int] = field(default_factory=Counter)
    parts: Counter[str] = field(default_factory=Counter)
    nt: Counter[str] = field(default_factory=Counter)

    @property
    def records(self) -> int:
        return sum(self.statuses.values())

    @property
    def billed_total(self) -> int:
        return self.billed_prompt + self.billed_completion

    def summary_row(self) -> dict[str, Any]:
        disc = self.over_tokens + self.under_tokens
        return {
            "model": self.model, "tokenizer_id": self.tokenizer_id, "chat_format": self.chat_format,
            "records": self.records, **{s: self.statuses.get(s, 0) for s in STATUSES},
            "billed_prompt": self.billed_prompt, "billed_completion": self.billed_completion,
            "billed_total": self.billed_total, "verified_billed": self.verified_billed,
            "expected": self.verified_expected, "over_tokens": self.over_tokens, "under_tokens": self.under_tokens,
            "discrepancy_pct": round(100 * disc / self.verified_billed, 4) if self.verified_billed else None,
            "median_prompt_diff": _median(self.prompt_diffs),
            "unverifiable_tokens": self.hidden_reasoning,
            "unverifiable_pct": (round(100 * self.hidden_reasoning / self.billed_total, 4)
                                 if self.billed_total else None),
            "cached_tokens": self.cached,
        }

    def merge(self, other: Group) -> None:
        for name in ("billed_prompt", "billed_completion", "verified_billed", "verified_expected", "over_tokens",
                     "under_tokens", "hidden_reasoning", "cached", "unverified_billed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("statuses", "prompt_diffs", "parts", "nt"):
            getattr(self, name).update(getattr(other, name))


def _median(c: Counter[int]) -> float | None:
    n = sum(c.values())
    if not n:
        return None
    seen = 0
    lo = hi = None
    for v in sorted(c):
        seen += c[v]
        if lo is None and seen >= (n + 1) // 2:
            lo = v
        if seen >= n // 2 + 1:
            hi = v
            break
    return (lo + hi) / 2 if lo is not None and hi is not None else None


BREAKDOWN = (
    ("prompt", "system prompt", "prompt_system"),
    ("prompt", "messages", "prompt_message"),
    ("prompt", "tool definitions", "prompt_tools"),
    ("prompt", "template overhead", "prompt_template"),
    ("completion", "reply content", "completion_content"),
    ("completion", "reasoning (visible)", "completion_reasoning"),
    ("completion", "reasoning (unverifiable)", "completion_hidden"),
    ("completion", "template overhead", "completion_template"),
    ("both", "billed beyond expected", "residual"),
    ("both", "not verifiable", "unverified"),
)


def breakdown_rows(g: Group, with_nt: bool) -> list[dict[str, Any]]:
    """Where the billed tokens went: content vs overhead, as a share of the bill (and NT of the texts)."""
    rows = []
    for side, label, key in BREAKDOWN:
        tokens = g.parts.get(key, 0)
        row: dict[str, Any] = {"model": g.model, "side": side, "part": label, "tokens": tokens,
                               "share_pct": round(100 * tokens / g.billed_total, 2) if g.billed_total else None}
        if with_nt:
            row["nt"] = round(g.nt[key] / 1000, 3) if key in g.nt else None
        rows.append(row)
    return rows


# ----------------------------------------------------------------------------- fingerprint


@dataclass
class FpRecord:
    """A sampled record's billed counts and every candidate's expectation for it."""

    billed_prompt: int | None
    billed_completion: int | None  # visible part: billed minus unverifiable reasoning
    messages: int
    system: int  # 1 if the chat has a system message (default system prompts make overhead differ)
    hidden: int
    results: dict[tuple[str, str], tuple[Tally | None, Tally | None]] = field(default_factory=dict)


def _fit_error(xs: list[tuple[int, int, int | None, int | None, int | None, int | None]]) -> float | None:
    """Mean absolute residual once overhead is fitted as a + b*messages + c*[system message] (prompt) and a
    constant (completion).

    Explains a bill whose template is unknown: the content counts, which differ between tokenizers, must
    carry the variation between records.
    """
    import numpy as np

    prompt = [(m, sy, bp - cp) for m, sy, bp, cp, _, _ in xs if bp is not None and cp is not None]
    comp = [bc - cc for _, _, _, _, bc, cc in xs if bc is not None and cc is not None]
    if not prompt and not comp:
        return None
    total = 0.0
    if prompt:
        cols = [np.ones(len(prompt))]
        for k in (0, 1):
            x = np.array([p[k] for p in prompt], float)
            if len(set(x.tolist())) > 1:
                cols.append(x)
        design = np.column_stack(cols)
        r = np.array([p[2] for p in prompt], float)
        coef, *_ = np.linalg.lstsq(design, r, rcond=None)
        total += float(np.abs(r - design @ coef).sum())
    if comp:
        s = np.array(comp, float)
        total += float(np.abs(s - np.median(s)).sum())
    return total / max(len(prompt), len(comp))


def fingerprint_rows(records: Sequence[FpRecord], claimed: str | None, tolerance: Tolerance) -> list[dict[str, Any]]:
    """Every candidate tokenizer ranked by how well it explains the billed counts (best format each)."""
    keys = sorted({k for r in records for k in r.results})
    per: dict[str, dict[str, Any]] = {}
    for key in keys:
        tok_id, fmt = key
        n = matched = 0
        errs: list[int] = []
        fit_in = []
        for r in records:
            pt, ct = r.results.get(key, (None, None))
            sides = []
            if r.billed_prompt is not None:
                sides.append((r.billed_prompt, pt, 0))
            if r.billed_completion is not None:
                sides.append((r.billed_completion + r.hidden, ct, r.hidden))
            if not sides or any(t is None or t.label == UNKNOWN for _, t, _ in sides):
                continue
            n += 1
            ok = all(compare(b, t, tolerance, hidden=h).status == OK for b, t, h in sides)
            matched += ok
            errs.append(sum(b - (t.total + h) for b, t, h in sides))  # type: ignore[union-attr]
            fit_in.append((r.messages, r.system,
                           r.billed_prompt, (pt.content_total + pt.tools) if pt and r.billed_prompt is not None
                           else None,
                           r.billed_completion, ct.content_total if ct and r.billed_completion is not None else None))
        if not n:
            continue
        row = {"tokenizer_id": tok_id, "chat_format": fmt, "records": n, "matched": matched,
               "matched_pct": round(100 * matched / n, 2), "mean_error": round(sum(errs) / n, 3),
               "mean_abs_error": round(sum(abs(e) for e in errs) / n, 3), "fit_error": _fit_error(fit_in)}
        if row["fit_error"] is not None:
            row["fit_error"] = round(row["fit_error"], 3)
        best = per.get(tok_id)
        if best is None or (row["matched"], -row["mean_abs_error"]) > (best["matched"], -best["mean_abs_error"]):
            per[tok_id] = row
    rows = sorted(per.values(), key=lambda r: (-r["matched_pct"], r["fit_error"] if r["fit_error"] is not None
                                               else math.inf, r["mean_abs_error"]))
    for i, r in enumerate(rows, 1):
        r["rank"] = i
        r["claimed"] = r["tokenizer_id"] == claimed
    return rows


def fingerprint_flag(model: str, rows: Sequence[dict[str, Any]], claimed: str | None) -> str | None:
    """A warning when another tokenizer explains the bill clearly better than the claimed model's."""
    if claimed is None:
        return None
    mine = next((r for r in rows if r["tokenizer_id"] == claimed), None)
    other = next((r for r in rows if r["tokenizer_id"] != claimed), None)
    if mine is None or other is None or min(mine["records"], other["records"]) < FLAG_MIN_RECORDS:
        return None
    by_match = other["matched_pct"] >= mine["matched_pct"] + 100 * FLAG_MATCH_MARGIN
    fo, fm = other["fit_error"], mine["fit_error"]
    by_fit = fo is not None and fm is not None and fm >= 2 and fo <= fm / 2 and other["matched_pct"] >= \
        mine["matched_pct"]
    if not (by_match or by_fit):
        return None
    return (f"{model}: the billed counts are explained better by {other['tokenizer_id']} ({other['chat_format']}): "
            f"{other['matched_pct']:g}% of {other['records']} records match it within tolerance (fitted error "
            f"{other['fit_error']}) vs {mine['matched_pct']:g}% for the claimed tokenizer {claimed} (fitted error "
            f"{mine['fit_error']}). The goods may not match the label.")


# ----------------------------------------------------------------------------- the auditor


@dataclass
class Report:
    path: str
    input_format: str
    options: AuditOptions
    groups: dict[str, Group]
    fingerprints: dict[str, list[dict[str, Any]]]
    flags: list[str]
    malformed: list[dict[str, Any]]
    malformed_count: int
    tokenizers: dict[str, dict[str, str]]
    nt_version: str | None

    @property
    def total(self) -> Group:
        t = Group("TOTAL")
        for g in self.groups.values():
            t.merge(g)
        return t

    @property
    def discrepancy_pct(self) -> float:
        t = self.total
        return 100 * (t.over_tokens + t.under_tokens) / t.verified_billed if t.verified_billed else 0.0

    def exit_code(self, max_discrepancy: float) -> int:
        """2 if records are malformed (the audit is incomplete); 1 if discrepancies exceed the threshold."""
        if self.malformed_count:
            return 2
        t = self.total
        disc = t.over_tokens + t.under_tokens
        return 1 if disc and self.discrepancy_pct > max_discrepancy else 0


class Auditor:
    """Audits records batch by batch; keeps only aggregates, the fingerprint sample and malformed examples."""

    def __init__(self, options: AuditOptions) -> None:
        self.opts = options
        if options.chat_format and options.chat_format not in FORMATS:
            raise NormtokError(f"unknown chat format {options.chat_format!r}; known: {', '.join(FORMATS)}")
        self.groups: dict[str, Group] = {}
        self.malformed: list[dict[str, Any]] = []
        self.malformed_count = 0
        self.fp: dict[str, list[FpRecord]] = {}
        self._claims: dict[str, Claim] = {}
        self._counts: dict[str, dict[str, int]] = {}
        self._candidates: list[tuple[Adapter, str]] | None = None
        self.tokenizers: dict[str, dict[str, str]] = {}
        self.nt = nt_module()

    # -- resolution

    def claim(self, model: str) -> Claim:
        if model in self._claims:
            return self._claims[model]
        try:
            entry = self.opts.entry_for(resolve(model))
        except UnknownModelError:
            c = Claim(None, None, None, f"unknown model {model!r}: not in the tokenizer registry")
        else:
            try:
                ad = tokenizer(entry)
            except HashMismatchError:
                raise
            except VocabUnavailableError as exc:
                c = Claim(entry, None, None, str(exc).split(": ", 1)[-1])
            else:
                fc = FormatChoice((self.opts.chat_format,)) if self.opts.chat_format else formats_for(entry, model)
                c = Claim(entry, ad, fc, fc.note or None)
                self._note_tokenizer(ad)
        self._claims[model] = c
        return c

    def _note_tokenizer(self, ad: Adapter) -> None:
        self.tokenizers.setdefault(ad.entry.id, {"sha256": ad.sha256, "engine": ad.engine})

    def candidates(self) -> list[tuple[Adapter, str]]:
        if self._candidates is None:
            self._candidates = []
            for e in entries().values():
                e = self.opts.entry_for(e)
                if not e.available and e.status != "user-file":
                    continue
                try:
                    ad = tokenizer(e)
                except VocabUnavailableError:
                    continue
                self._note_tokenizer(ad)
                self._candidates += [(ad, f) for f in fingerprint_formats(e)]
        return self._candidates

    # -- counting

    def _counter(self, ad: Adapter) -> dict[str, int]:
        return self._counts.setdefault(ad.entry.id, {})

    def _count(self, needs: dict[str, tuple[Adapter, set[str]]]) -> None:
        for ad, texts in needs.values():
            cache = self._counter(ad)
            missing = [t for t in texts if t not in cache]
            if missing:
                cache.update(zip(missing, ad.count_many(missing)))

    # -- the batch

    def process(self, raws: Sequence[RawRecord]) -> list[dict[str, Any]]:
        """Audit one batch; returns one result row per input record, in order."""
        for cache in self._counts.values():
            if len(cache) > _COUNT_CACHE_MAX:
                cache.clear()
        parsed: list[Record | str] = []
        for raw in raws:
            try:
                parsed.append(parse_record(raw, self.opts))
            except Malformed as exc:
                parsed.append(str(exc))
        jobs: list[Any] = []
        needs: dict[str, tuple[Adapter, set[str]]] = {}

        def want(ad: Adapter, renders: Iterable[Any]) -> None:
            bucket = needs.setdefault(ad.entry.id, (ad, set()))[1]
            for r in renders:
                bucket |= r.texts()

        for rec in parsed:
            if isinstance(rec, str):
                jobs.append(None)
                continue
            claim = self.claim(rec.model or "")
            job: dict[str, Any] = {"claim": claim}
            fmts = (rec.force_format,) if rec.force_format else (claim.formats.formats if claim.formats else ())
            if claim.adapter is not None and fmts:
                job["fmts"] = fmts
                job["p"] = [render_prompt(f, rec.chat, rec.model or "") for f in fmts] if rec.chat else None
                job["c"] = [render_completion(f, rec.choices) for f in fmts] if rec.choices is not None else None
                want(claim.adapter, (job["p"] or []) + (job["c"] or []))
            if self._sample(rec):
                fp_jobs = []
                for ad, fmt in self._fp_candidates(claim):
                    f = rec.force_format or fmt
                    p = render_prompt(f, rec.chat, rec.model or "") if rec.chat else None
                    c = render_completion(f, rec.choices) if rec.choices is not None else None
                    want(ad, [x for x in (p, c) if x is not None])
                    fp_jobs.append((ad, f, p, c))
                job["fp"] = fp_jobs
            jobs.append(job)
        self._count(needs)
        if self.nt is not None:
            self._nt_batch(parsed, jobs)
        rows = []
        for raw, rec, job in zip(raws, parsed, jobs):
            if isinstance(rec, str):
                rows.append(self._malformed(raw, rec))
            else:
                rows.append(self._evaluate(rec, job))
        return rows

    def _fp_candidates(self, claim: Claim) -> list[tuple[Adapter, str]]:
        cands = list(self.candidates())
        if claim.adapter is not None and claim.formats is not None:
            have = {(a.entry.id, f) for a, f in cands}
            cands += [(claim.adapter, f) for f in claim.formats.formats if (claim.adapter.entry.id, f) not in have]
        return cands

    def _sample(self, rec: Record) -> bool:
        n = self.opts.fingerprint_sample
        if n <= 0 or rec.chat is None:
            return False
        if any(m.media_parts for m in rec.chat.messages):
            return False
        return len(self.fp.setdefault(rec.model or "", [])) < n

    def _malformed(self, raw: RawRecord, reason: str) -> dict[str, Any]:
        self.malformed_count += 1
        rid = record_id(raw, self.opts)
        model = self.opts.model or "(unknown)"
        if isinstance(raw.data, dict):
            for key in ("model", self.opts.columns.model):
                if isinstance(raw.data.get(key), str) and raw.data[key]:
                    model = raw.data[key]
                    break
        if len(self.malformed) < MALFORMED_KEPT:
            self.malformed.append({"line": raw.line, "id": rid, "reason": reason})
        g = self._group(model)
        g.statuses[MALFORMED] += 1
        return {"line": raw.line, "id": rid, "model": model, "status": MALFORMED, "reason": reason}

    def _group(self, model: str) -> Group:
        if model not in self.groups:
            self.groups[model] = Group(model)
        return self.groups[model]

    def _evaluate(self, rec: Record, job: dict[str, Any]) -> dict[str, Any]:
        claim: Claim = job["claim"]
        g = self._group(rec.model or "")
        row: dict[str, Any] = {"line": rec.line, "id": rec.id, "model": rec.model}
        hidden = 0
        notes: list[str] = []
        if "fmts" in job:
            ad = claim.adapter
            assert ad is not None
            counts = self._counter(ad)
            fmt_name = "|".join(job["fmts"])
            g.tokenizer_id, g.chat_format = ad.entry.id, fmt_name
            row.update(tokenizer_id=ad.entry.id, tokenizer_sha256=ad.sha256, chat_format=fmt_name)
            if claim.reason:
                notes.append(claim.reason)
            pt = combine([r.evaluate(counts) for r in job["p"]]) if job["p"] else None
            ct = combine([r.evaluate(counts) for r in job["c"]]) if job["c"] is not None else None
            visible_reasoning = bool(rec.choices and any(ch.reasoning for ch in rec.choices))
            if rec.reasoning_tokens and not visible_reasoning and ct is not None:
                hidden = rec.reasoning_tokens
            prompt = compare(rec.prompt_billed, pt, self.opts.tolerance,
                             None if rec.chat else f"no prompt text ({self.opts.columns.prompt!r} is missing)")
            completion = compare(rec.completion_billed, ct, self.opts.tolerance,
                                 None if rec.choices is not None else "no reply text (response has no choices)",
                                 hidden=hidden)
        else:
            reason = claim.reason or "no chat format is known for this tokenizer"
            prompt = Side(rec.prompt_billed, None, NOT_VERIFIABLE if rec.prompt_billed is not None else None, reason)
            completion = Side(rec.completion_billed, None,
                              NOT_VERIFIABLE if rec.completion_billed is not None else None, reason)
            if claim.entry is not None:
                row["tokenizer_id"] = claim.entry.id
        status = _overall([prompt, completion])
        notes += [s.note for s in (prompt, completion) if s.note and s.status != OK]
        if prompt.tally is not None and prompt.tally.label != UNKNOWN:
            notes += [n for n in prompt.tally.notes if n not in notes]
        row.update(status=status, reason="; ".join(dict.fromkeys(notes)) or None)
        self._side_columns(row, "prompt", prompt, 0)
        self._side_columns(row, "completion", completion, hidden)
        pt_, ct_ = prompt.tally, completion.tally
        if pt_ is not None and pt_.label != UNKNOWN:
            row.update(prompt_system=pt_.content.get(SYSTEM, 0), prompt_content=pt_.content.get(MESSAGE, 0),
                       prompt_tools=pt_.tools, prompt_template=pt_.template)
        if ct_ is not None and ct_.label != UNKNOWN:
            row.update(completion_content=ct_.content.get(COMPLETION, 0),
                       completion_reasoning=ct_.content.get(REASONING, 0),
                       completion_template=ct_.total - ct_.content_total - ct_.tools)
        row.update(reasoning_tokens=rec.reasoning_tokens, unverifiable_tokens=hidden, cached_tokens=rec.cached_tokens,
                   billed_total=rec.billed_total, discrepancy_tokens=prompt.discrepancy + completion.discrepancy)
        nt_info = job.get("nt")
        if nt_info is not None:
            self._nt_columns(row, rec, nt_info)
        self._aggregate(g, rec, row, prompt, completion, hidden, nt_info)
        if "fp" in job:
            self._fp_record(rec, job["fp"], hidden)
        return row

    @staticmethod
    def _side_columns(row: dict[str, Any], side: str, s: Side, hidden: int) -> None:
        row[f"{side}_billed"] = s.billed
        row[f"{side}_status"] = s.status
        if s.billed is not None:
            row[f"{side}_label"] = s.tally.label if s.tally is not None else UNKNOWN
        if s.tally is not None and s.tally.label != UNKNOWN:
            row[f"{side}_expected"] = s.tally.total + hidden
            row[f"{side}_low"] = s.tally.low + hidden
            row[f"{side}_high"] = s.tally.high + hidden
            if s.billed is not None:
                row[f"{side}_diff"] = s.billed - (s.tally.total + hidden)

    @staticmethod
    def _nt_texts(rec: Record) -> tuple[list[str], list[str]]:
        """Texts whose NT the breakdown reports: each prompt message; each reply's content and reasoning."""
        texts_p = [m.content or "" for m in rec.chat.messages] if rec.chat else []
        texts_c = [x for ch in rec.choices or () for x in (ch.content or "", ch.reasoning or "")]
        return texts_p, texts_c

    def _nt_batch(self, parsed: Sequence[Record | str], jobs: list[Any]) -> None:
        """NT of every record's texts in one call per batch (numpy-vectorised in normtok.nt)."""
        spans = []
        texts: list[str] = []
        for rec, job in zip(parsed, jobs):
            if job is None or isinstance(rec, str):
                continue
            tp, tc = self._nt_texts(rec)
            spans.append((job, len(texts), len(tp), len(tc)))
            texts += tp + tc
        milli = self.nt.nt_milli_many(texts) if texts else []
        for job, start, n_p, n_c in spans:
            job["nt"] = (n_p, milli[start:start + n_p + n_c])

    @staticmethod
    def _nt_columns(row: dict[str, Any], rec: Record, nt_info: tuple[int, list[int]]) -> None:
        n_p, milli = nt_info
        row["nt_prompt"] = round(sum(milli[:n_p]) / 1000, 3) if rec.chat else None
        row["nt_completion"] = round(sum(milli[n_p:]) / 1000, 3) if rec.choices is not None else None

    def _aggregate(self, g: Group, rec: Record, row: dict[str, Any], prompt: Side, completion: Side,
                   hidden: int, nt_info: tuple[int, list[int]] | None) -> None:
        g.statuses[row["status"]] += 1
        g.billed_prompt += rec.prompt_billed or 0
        g.billed_completion += rec.completion_billed or 0
        g.cached += rec.cached_tokens or 0
        g.hidden_reasoning += hidden
        for name, s in (("prompt", prompt), ("completion", completion)):
            if s.billed is None:
                continue
            if not s.verified or s.tally is None:
                g.unverified_billed += s.billed
                g.parts["unverified"] += s.billed
                continue
            t = s.tally
            expected = t.total + (hidden if name == "completion" else 0)
            g.verified_billed += s.billed
            g.verified_expected += expected
            g.over_tokens += s.discrepancy if s.status == OVER else 0
            g.under_tokens += s.discrepancy if s.status == UNDER else 0
            g.parts["residual"] += s.billed - expected
            if name == "prompt":
                g.prompt_diffs[s.billed - expected] += 1
                g.parts["prompt_system"] += t.content.get(SYSTEM, 0)
                g.parts["prompt_message"] += t.content.get(MESSAGE, 0)
                g.parts["prompt_tools"] += t.tools
                g.parts["prompt_template"] += t.template
                if nt_info and rec.chat:
                    for m, v in zip(rec.chat.messages, nt_info[1]):
                        g.nt["prompt_system" if m.role in ("system", "developer") else "prompt_message"] += v
            else:
                g.parts["completion_content"] += t.content.get(COMPLETION, 0)
                g.parts["completion_reasoning"] += t.content.get(REASONING, 0)
                g.parts["completion_hidden"] += hidden
                g.parts["completion_template"] += t.total - t.content_total - t.tools
                if nt_info:
                    rest = nt_info[1][nt_info[0]:]
                    g.nt["completion_content"] += sum(rest[0::2])
                    g.nt["completion_reasoning"] += sum(rest[1::2])

    def _fp_record(self, rec: Record, fp_jobs: list[Any], hidden: int) -> None:
        fr = FpRecord(rec.prompt_billed, None if rec.completion_billed is None else rec.completion_billed - hidden,
                      len(rec.chat.messages) if rec.chat else 0,
                      int(bool(rec.chat and any(m.role in ("system", "developer") for m in rec.chat.messages))),
                      hidden)
        for ad, fmt, p, c in fp_jobs:
            counts = self._counter(ad)
            fr.results[(ad.entry.id, fmt)] = (p.evaluate(counts) if p is not None else None,
                                              c.evaluate(counts) if c is not None else None)
        self.fp.setdefault(rec.model or "", []).append(fr)

    def report(self, path: str, input_format: str) -> Report:
        fingerprints: dict[str, list[dict[str, Any]]] = {}
        flags: list[str] = []
        for model, recs in self.fp.items():
            if not recs:
                continue
            claim = self._claims.get(model)
            claimed = claim.entry.id if claim and claim.adapter is not None else None
            rows = fingerprint_rows(recs, claimed, self.opts.tolerance)
            fingerprints[model] = rows
            flag = fingerprint_flag(model, rows, claimed)
            if flag:
                flags.append(flag)
        nt_version = getattr(self.nt, "NT_VERSION", None) if self.nt is not None else None
        return Report(path, input_format, self.opts, self.groups, fingerprints, flags, self.malformed,
                      self.malformed_count, self.tokenizers, nt_version)


def audit(source: RecordSource, options: AuditOptions,
          on_rows: Callable[[list[dict[str, Any]]], None] | None = None,
          on_progress: Callable[[int, float | None], None] | None = None) -> Report:
    """Audit every record of ``source``; ``on_rows`` receives each batch's result rows (one per record)."""
    auditor = Auditor(options)
    batch: list[RawRecord] = []
    done = 0

    def flush() -> None:
        nonlocal done
        rows = auditor.process(batch)
        done += len(batch)
        if on_rows is not None:
            on_rows(rows)
        if on_progress is not None:
            on_progress(done, source.done_fraction)

    for raw in source:
        batch.append(raw)
        if len(batch) >= options.batch_records:
            flush()
            batch = []
    if batch:
        flush()
    return auditor.report(source.path, source.format)


# ----------------------------------------------------------------------------- result writers


class RowWriter:
    """Per-record results to CSV, JSONL or Parquet (by extension), streamed batch by batch."""

    def __init__(self, path: str, with_nt: bool) -> None:
        self.path = path
        self.columns = ROW_COLUMNS + (NT_COLUMNS if with_nt else ())
        name = path.lower()
        if name.endswith(".csv"):
            self.kind = "csv"
        elif name.endswith((".jsonl", ".ndjson")):
            self.kind = "jsonl"
        elif name.endswith((".parquet", ".pq")):
            self.kind = "parquet"
        else:
            raise NormtokError(f"--out {path}: use a .csv, .jsonl or .parquet file name")
        self._pq: Any = None
        try:  # opened now, Parquet too: an unwritable --out fails before the audit, not after its first batch
            self._fh = (open(path, "wb") if self.kind == "parquet"  # noqa: SIM115
                        else open(path, "w", encoding="utf-8", newline=""))
        except OSError as exc:
            raise NormtokError(f"cannot write {path}: {exc.strerror}") from exc
        if self.kind == "csv":
            self._csv = csv.writer(self._fh, lineterminator="\n")
            self._csv.writerow(self.columns)
        self.rows = 0

    def write(self, rows: Sequence[dict[str, Any]]) -> None:
        try:
            self._write(rows)
        except OSError as exc:  # disk full, file removed: an error naming --out, not a traceback
            raise NormtokError(f"cannot write {self.path}: {exc.strerror or exc}") from None

    def _write(self, rows: Sequence[dict[str, Any]]) -> None:
        self.rows += len(rows)
        if self.kind == "csv":
            self._csv.writerows([[_csv_cell(r.get(c)) for c in self.columns] for r in rows])
        elif self.kind == "jsonl":
            assert self._fh is not None
            for r in rows:
                self._fh.write(json.dumps({c: r.get(c) for c in self.columns}, ensure_ascii=False) + "\n")
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            schema = parquet_schema(self.columns)
            table = pa.Table.from_pylist([{c: r.get(c) for c in self.columns} for r in rows], schema=schema)
            if self._pq is None:
                self._pq = pq.ParquetWriter(self._fh, schema)
            self._pq.write_table(table)

    def close(self) -> None:
        if self.kind == "parquet":
            import pyarrow.parquet as pq

            if self._pq is None:
                pq.write_table(parquet_schema(self.columns).empty_table(), self._fh)
            else:
                self._pq.close()
        self._fh.close()


def _csv_cell(v: Any) -> Any:
    return "" if v is None else v


_STRING_COLUMNS = {"id", "model", "tokenizer_id", "tokenizer_sha256", "chat_format", "status", "reason",
                   "prompt_status", "completion_status", "prompt_label", "completion_label"}


def parquet_schema(columns: Sequence[str]) -> Any:
    import pyarrow as pa

    def typ(c: str) -> Any:
        if c in _STRING_COLUMNS:
            return pa.string()
        if c.startswith("nt_"):
            return pa.float64()
        return pa.int64()

    return pa.schema([(c, typ(c)) for c in columns])


def read_rows(path: str | Path) -> list[dict[str, Any]]:
    """Read back a results file written by :class:`RowWriter` (for tests and notebooks)."""
    p = str(path)
    if p.endswith(".parquet"):
        import pyarrow.parquet as pq

        return pq.read_table(p).to_pylist()
    if p.endswith(".csv"):
        with open(p, encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))
    with open(p, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
