"""Price files: list prices per million tokens, each with its currency, date and source.

Why a file and not built-in prices: prices change often and differ by provider, contract and
region. normtok never ships prices as facts; ``examples/prices.example.json`` shows the format.

Format (JSON; a CSV with the same column names, one price per line, is also accepted)::

    {
      "schema": "normtok.prices/1",
      "example": false,                 # true marks illustrative files
      "description": "...",             # optional
      "prices": [
        {
          "model": "gpt-4o",            # a model name or tokenizer id normtok knows (normtok models)
          "provider": "OpenAI",         # who sells at this price (optional)
          "currency": "USD",            # ISO 4217
          "input": 2.5,                 # per 1,000,000 input tokens
          "cached_input": 1.25,         # per 1,000,000 cached input tokens, or null
          "output": 10.0,               # per 1,000,000 output tokens
          "date": "2026-11-28",         # YYYY-MM-DD (or YYYY-MM) the price was valid
          "source": "https://...",      # where the price was published
          "notes": "..."                # optional
        }
      ]
    }

A malformed entry is reported with its position (JSON: entry index and line; CSV: line number)
and skipped; the others are still used.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from .errors import NormtokError

PRICES_SCHEMA = "normtok.prices/1"
PER_TOKENS = 1_000_000
FIELDS = ("model", "provider", "currency", "input", "cached_input", "output", "date", "source", "notes")
_DATE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class Price:
    """One list price: per million tokens, in ``currency``, valid on ``date``, published at ``source``."""

    model: str
    currency: str
    input: float
    output: float
    date: str
    source: str
    cached_input: float | None = None
    provider: str = ""
    notes: str = ""
    #: Where the entry is in its file ("prices.csv: line 3"), so a later problem with it can point there.
    where: str = field(default="", compare=False)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        del d["where"]
        return d


@dataclass(frozen=True)
class PriceProblem:
    """A malformed entry: where it is and what is wrong."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class PriceFile:
    path: str
    prices: list[Price]
    problems: list[PriceProblem]
    example: bool = False
    description: str = ""

    def find(self, model: str) -> list[Price]:
        """Prices whose model is ``model`` (case-insensitive), in file order."""
        key = model.strip().lower()
        return [p for p in self.prices if p.model.lower() == key]


def _number(entry: dict[str, Any], key: str, required: bool) -> float | None:
    value = entry.get(key)
    if value is None or value == "":
        if required:
            raise ValueError(f"'{key}' is required")
        return None
    if isinstance(value, bool):
        raise ValueError(f"'{key}' must be a number, not {value!r}")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"'{key}' must be a number, not {value!r}") from None
    if not math.isfinite(x) or x < 0:
        raise ValueError(f"'{key}' must be a finite number >= 0, not {value!r}")
    return x


def _text(entry: dict[str, Any], key: str, required: bool) -> str:
    value = entry.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValueError(f"'{key}' is required")
        return ""
    if not isinstance(value, str):
        raise ValueError(f"'{key}' must be a string, not {value!r}")
    return value.strip()


def parse_entry(entry: Any) -> Price:
    """One price from a JSON object or CSV row; ``ValueError`` naming every problem."""
    if not isinstance(entry, dict):
        raise ValueError("entry is not an object")
    errors: list[str] = []
    values: dict[str, Any] = {}
    for key, fn, req in (("model", _text, True), ("provider", _text, False), ("currency", _text, True),
                         ("input", _number, True), ("cached_input", _number, False), ("output", _number, True),
                         ("date", _text, True), ("source", _text, True), ("notes", _text, False)):
        try:
            values[key] = fn(entry, key, req)
        except ValueError as exc:
            errors.append(str(exc))
    if values.get("currency") and not _CURRENCY.match(values["currency"]):
        errors.append(f"'currency' must be an ISO 4217 code such as USD, not {values['currency']!r}")
    if values.get("date") and not _DATE.match(values["date"]):
        errors.append(f"'date' must be YYYY-MM-DD or YYYY-MM, not {values['date']!r}")
    unknown = sorted(set(entry) - set(FIELDS))
    if unknown:
        errors.append(f"unknown field(s) {', '.join(unknown)} (expected {', '.join(FIELDS)})")
    if errors:
        raise ValueError("; ".join(errors))
    return Price(**values)


def _entry_lines(text: str, count: int) -> list[int | None]:
    """Best-effort line number of each entry of the 'prices' array (where each object starts)."""
    start = text.find('"prices"')
    lines: list[int | None] = []
    if start < 0:
        return [None] * count
    depth, i, in_str, esc = 0, text.index("[", start) + 1, False, False
    while i < len(text) and len(lines) < count:
        ch = text[i]
        if in_str:
            esc = ch == "\\" and not esc
            if ch == '"' and not esc:
                in_str = False
        elif ch == '"':
            if depth == 0:
                lines.append(text.count("\n", 0, i) + 1)
            in_str = True
        elif ch in "{[":
            if depth == 0:
                lines.append(text.count("\n", 0, i) + 1)
            depth += 1
        elif ch in "}]":
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and ch not in " \t\r\n,":
            lines.append(text.count("\n", 0, i) + 1)
            while i + 1 < len(text) and text[i + 1] not in ",]":
                i += 1
        i += 1
    return lines + [None] * (count - len(lines))


def parse(text: str, name: str = "<prices>") -> PriceFile:
    """Parse a price file's text (JSON, or CSV when it does not start with '{')."""
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise NormtokError(f"{name}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
        if not isinstance(data, dict) or not isinstance(data.get("prices"), list):
            raise NormtokError(f"{name}: expected an object with a 'prices' list (schema {PRICES_SCHEMA})")
        if data.get("schema", PRICES_SCHEMA) != PRICES_SCHEMA:
            raise NormtokError(f"{name}: schema {data.get('schema')!r} is not {PRICES_SCHEMA!r}")
        entries = data["prices"]
        lines = _entry_lines(text, len(entries))
        out = PriceFile(name, [], [], bool(data.get("example", False)), str(data.get("description", "")))
        for i, (entry, line) in enumerate(zip(entries, lines)):
            where = f"{name}: prices[{i}]" + (f" (line {line})" if line else "")
            try:
                out.prices.append(replace(parse_entry(entry), where=where))
            except ValueError as exc:
                out.problems.append(PriceProblem(where, str(exc)))
        return out
    # 'model, currency, input' (a space after each comma, as spreadsheets and people write it) names the
    # same columns as 'model,currency,input': without this every column would be unknown
    reader = csv.DictReader(io.StringIO(text), skipinitialspace=True)
    if reader.fieldnames:
        reader.fieldnames = [f.strip() for f in reader.fieldnames]
    if not reader.fieldnames or "model" not in reader.fieldnames:
        raise NormtokError(f"{name}: not a price file: expected JSON ({PRICES_SCHEMA}) or CSV with columns "
                           f"{', '.join(FIELDS)}")
    out = PriceFile(name, [], [])
    for row in reader:
        where = f"{name}: line {reader.line_num}"
        if None in row:
            out.problems.append(PriceProblem(where, "more values than columns"))
            continue
        if not any((v or "").strip() for v in row.values()):
            continue
        try:
            out.prices.append(replace(parse_entry({k: v for k, v in row.items() if k is not None}), where=where))
        except ValueError as exc:
            out.problems.append(PriceProblem(where, str(exc)))
    return out


def load(path: str | Path) -> PriceFile:
    """Read and parse a price file; unreadable or undecodable files raise ``NormtokError``."""
    p = Path(path)
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise NormtokError(f"cannot read price file {p}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise NormtokError(f"{p}: not UTF-8 at byte offset {exc.start}") from None
    return parse(text, str(p))


def costs(price: Price, tokens: int, nt: float | None) -> dict[str, Any]:
    """Cost of ``tokens`` as input, cached input and output, and the input price per million NT."""
    per = tokens / PER_TOKENS
    tpn = tokens / nt if nt else None
    return {
        "input_cost": price.input * per,
        "cached_input_cost": None if price.cached_input is None else price.cached_input * per,
        "output_cost": price.output * per,
        "input_per_million_nt": None if tpn is None else price.input * tpn,
        "output_per_million_nt": None if tpn is None else price.output * tpn,
    }
