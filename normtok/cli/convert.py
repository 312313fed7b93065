"""``normtok convert``: a count in one tokenizer (or NT) as an estimate in another, with its interval."""

from __future__ import annotations

import math
import re
from typing import Any

import click

from .. import tables as tables_lib
from ..errors import NormtokError
from .output import emit, format_option

#: Digits with optional thousands separators (',' or '_' every three digits), a fraction, an exponent.
_NUMBER = re.compile(r"[+]?(\d{1,3}([,_]\d{3})+|\d+)(\.\d*)?([eE][+-]?\d+)?|[+]?\.\d+([eE][+-]?\d+)?")


def _amount(value: str, name: str = "AMOUNT") -> float:
    """``name`` (AMOUNT, or a log's 'amount') as a number. A comma is a thousands separator only where it
    groups three digits: '1,5' (a decimal comma) is an error, never silently 15."""
    text = value.strip()
    number = float(text.replace(",", "").replace("_", "")) if _NUMBER.fullmatch(text) else None
    if number is None:
        try:
            number = float(text)  # inf, nan, -5
        except ValueError:
            hint = " (use '.' for decimals; ',' only separates thousands)" if "," in text else ""
            raise NormtokError(f"{name} must be a number (e.g. 125000, 125,000 or 1.2e6), not {value!r}{hint}"
                               ) from None
    if not math.isfinite(number) or number < 0:
        raise NormtokError(f"{name} must be a finite number >= 0, not {value!r}")
    return number


#: Beyond this a float has no digits left to show after the 6 significant digits of the tables' factors.
_HUGE = 1e15


def _fmt(x: float, unit: str) -> str:
    """An estimate for people: whole tokens, NT to 3 decimals below 100; never hundreds of invented digits."""
    if x >= _HUGE:
        return f"{x:.6g}"
    return f"{x:,.3f}" if unit == tables_lib.NT_UNIT and x < 100 else f"{x:,.0f}"


def _fmt_amount(x: float) -> str:
    """AMOUNT as given: an amount of 1.5 is shown as 1.5, not rounded to 2 like an estimate."""
    if x >= _HUGE or 0 < x < 1e-3:
        return f"{x:.6g}"
    return f"{x:,.0f}" if x == int(x) else f"{x:,.6f}".rstrip("0").rstrip(".")


@click.command()
@click.argument("amount", required=False)
@click.option("--from", "from_", default=None, metavar="MODEL|nt", help="Unit of AMOUNT: a model name, "
              "tokenizer id, or nt (with --input: for records without a 'from' field).")
@click.option("--to", "to", default=None, metavar="MODEL|nt",
              help="Unit to convert to (with --input: for records without a 'to' field).")
@click.option("--class", "cls", default=None, metavar="CLASS",
              help="Text class: a language and domain (hi/ui, ja/prose: the most accurate when you know both), a "
                   "language tag (zh-Hans, en), a domain (code:python, agent) or a profile (chat-global, code-agent, "
                   f"chat-zh). Default: the {tables_lib.DEFAULT_PROFILE} profile.")
@click.option("--tables", "directory", type=click.Path(file_okay=False), default=None,
              help="Tables directory (default: the published tables).")
@click.option("--input", "input_path", default=None, metavar="PATH",
              help="Convert every record of a usage log instead of AMOUNT: JSONL, CSV or Parquet (.gz too; '-' is "
                   "JSONL on stdin). Fields: amount (required), from, to, class, id (optional; the options fill "
                   "what a record leaves out).")
@click.option("--input-format", type=click.Choice(["auto", "jsonl", "csv", "parquet"]), default="auto",
              show_default=True, help="Format of --input (auto: by file extension, else JSONL).")
@click.option("--progress/--no-progress", default=None,
              help="With --input: progress on stderr (default: when it is a terminal).")
@format_option()
def convert(amount: str | None, from_: str | None, to: str | None, cls: str | None, directory: str | None,
            input_path: str | None, input_format: str, progress: bool | None, fmt: str) -> None:
    """Convert AMOUNT tokens (or NT) to another tokenizer's tokens or NT: an estimate, never exact.

    Prints the estimate, its 90% interval for one document of the class, and the table rows used.
    The interval is per document: for a total over many documents it is conservative.

    With --input, converts every record of a usage log, one output row per record in input order; a
    record that cannot be converted is a row with its line and the reason (and a line on stderr), never
    dropped, and the exit code is then 2.
    """
    if (amount is None) == (input_path is None):
        raise click.UsageError("give either AMOUNT or --input PATH (one of them)")
    t = tables_lib.load(directory)
    if input_path is not None:
        _convert_log(t, input_path, input_format, from_, to, cls, fmt, progress)
        return
    for name, value in (("--from", from_), ("--to", to)):
        if value is None:
            raise click.UsageError(f"missing option {name}")
    assert amount is not None and from_ is not None and to is not None
    c = t.convert(_amount(amount), from_, to, cls)
    d = c.to_dict()
    if fmt == "json":
        emit([], fmt, document=d)
        return
    row: dict[str, Any] = {
        "amount": c.amount, "from": c.from_unit, "to": c.to_unit, "class": c.cls, "estimate": c.estimate,
        "low_90": c.low, "high_90": c.high, "factor": c.factor, "exact": c.exact,
        "nt_version": c.nt_version, "corpus_version": c.corpus_version,
        # a billing system logging conversions keys them by tokenizer file, as the tables do
        "class_kind": c.class_kind, "from_sha256": c.from_sha256, "to_sha256": c.to_sha256,
    }
    if fmt != "table":
        emit([row], fmt)
        return
    shown = {**row, "amount": _fmt_amount(c.amount), "estimate": _fmt(c.estimate, c.to_unit),
             "low_90": _fmt(c.low, c.to_unit), "high_90": _fmt(c.high, c.to_unit), "factor": f"{c.factor:.4f}"}
    emit([shown], fmt, columns=["amount", "from", "to", "class", "estimate", "low_90", "high_90", "factor"])
    if c.exact:
        click.echo("\nsame unit: the amount is unchanged (exact)")
        return
    click.echo(f"\nrows used (nt {c.nt_version}, corpus {c.corpus_version}, class kind {c.class_kind}):")
    used = []
    for r in c.rows:
        if r["table"] == "pairs":
            used.append({"table": "pairs", "unit": f"{r['from_tokenizer_id']} -> {r['to_tokenizer_id']}",
                         "class": r["class"], "documents": r["documents"], "value": r["factor"],
                         "interval": f"{r['interval_low']:.4f} - {r['interval_high']:.4f}",
                         "sha256": f"{r['from_sha256'][:12]} -> {r['to_sha256'][:12]}"})
        else:
            used.append({"table": "ratios", "unit": f"{r['tokenizer_id']} tokens per NT", "class": r["class"],
                         "documents": r["documents"], "value": r["ratio"],
                         "interval": f"{r['interval_low']:.4f} - {r['interval_high']:.4f}",
                         "sha256": r["tokenizer_sha256"][:12]})
    emit(used, fmt, columns=["table", "unit", "class", "documents", "value", "interval", "sha256"])


#: Output columns of a converted usage log (every format); the table shows the first ones.
LOG_COLUMNS = ["line", "id", "amount", "from", "to", "class", "estimate", "low_90", "high_90", "factor",
               "class_kind", "from_sha256", "to_sha256", "nt_version", "corpus_version", "error"]
_LOG_TABLE = ["line", "id", "amount", "from", "to", "class", "estimate", "low_90", "high_90", "error"]


#: Errors echoed to stderr one by one; the rest are counted (every one is a row of the output).
_ERRORS_SHOWN = 20


def _records(n: int) -> str:
    return f"{n:,} record" + ("" if n == 1 else "s")


def _short(error: str | None, width: int = 100) -> str | None:
    """An error for the table: its first sentence, cut to ``width`` (machine formats keep it whole)."""
    if error is None:
        return None
    first = error.split(". Choose ", 1)[0]
    return first if len(first) <= width else first[: width - 1] + "\u2026"


def _field(data: dict[str, Any], key: str, default: str | None) -> str | None:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if not isinstance(value, str):
        raise NormtokError(f"'{key}' must be text, not {type(value).__name__}")
    return value


def _record_amount(data: dict[str, Any], strings: bool) -> float:
    value = data.get("amount")
    if value is None or value == "":
        raise NormtokError("'amount' is required")
    if strings or isinstance(value, str):
        return _amount(str(value), "'amount'")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise NormtokError(f"'amount' must be a number, not {value!r}")
    return value


def _convert_log(t: tables_lib.Tables, path: str, input_format: str, from_: str | None, to: str | None,
                 cls: str | None, fmt: str, progress: bool | None = None) -> None:
    """Every record of a usage log converted; malformed records are rows with their reason, exit code 2."""
    import sys

    from ..audit import RecordSource
    from .audit import Progress
    from .paths import check_stdin

    if path == "-":
        check_stdin()
    source = RecordSource(path, input_format)
    meter = Progress(progress if progress is not None else sys.stderr.isatty(), "normtok convert")
    try:
        rows = _convert_records(t, source, path, from_, to, cls, meter)
    finally:
        meter.close()
    _emit_log(t, path, rows, fmt)


def _convert_records(t: tables_lib.Tables, source: Any, path: str, from_: str | None, to: str | None,
                     cls: str | None, meter: Any) -> list[dict[str, Any]]:
    """One output row per record, in input order; a record that cannot be converted has its ``error``."""
    rows: list[dict[str, Any]] = []
    converters: dict[tuple[str, str, str | None], Any] = {}  # resolved once per (from, to, class), errors too
    errors = 0
    for rec in source:
        meter(len(rows), source.done_fraction)
        row: dict[str, Any] = dict.fromkeys(LOG_COLUMNS)
        row["line"] = rec.line
        try:
            if rec.error is not None:
                raise NormtokError(rec.error)
            if not isinstance(rec.data, dict):
                raise NormtokError(f"expected an object with 'amount', got {type(rec.data).__name__}")
            ident = rec.data.get("id")
            row["id"] = None if ident is None else str(ident)
            src, dst = _field(rec.data, "from", from_), _field(rec.data, "to", to)
            if src is None or dst is None:
                raise NormtokError(f"no '{'from' if src is None else 'to'}' field and no "
                                   f"--{'from' if src is None else 'to'} option")
            amount = _record_amount(rec.data, rec.strings)
            key = (src, dst, _field(rec.data, "class", cls))
            if key not in converters:
                try:
                    converters[key] = t.converter(*key)
                except NormtokError as exc:
                    converters[key] = exc
            conv = converters[key]
            if isinstance(conv, NormtokError):
                raise conv
            c = conv(amount)
        except NormtokError as exc:
            row["error"] = str(exc)
            errors += 1
            if errors <= _ERRORS_SHOWN:
                click.echo(f"normtok: {path}: line {rec.line}: {exc}", err=True)
            rows.append(row)
            continue
        row.update(amount=c.amount, **{"from": c.from_unit, "to": c.to_unit}, estimate=c.estimate, low_90=c.low,
                   high_90=c.high, factor=c.factor, class_kind=c.class_kind, from_sha256=c.from_sha256,
                   to_sha256=c.to_sha256, nt_version=c.nt_version, corpus_version=c.corpus_version)
        row["class"] = c.cls
        rows.append(row)
    return rows


def _emit_log(t: tables_lib.Tables, path: str, rows: list[dict[str, Any]], fmt: str) -> None:
    bad = sum(r["error"] is not None for r in rows)
    totals: dict[tuple[str, str], list[float]] = {}  # per unit pair: amount, estimate, low, high, records
    for r in rows:
        if r["error"] is None:
            acc = totals.setdefault((r["from"], r["to"]), [0.0, 0.0, 0.0, 0.0, 0])
            for i, v in enumerate((r["amount"], r["estimate"], r["low_90"], r["high_90"], 1)):
                acc[i] += v
    if bad > _ERRORS_SHOWN:
        click.echo(f"normtok: {path}: {bad - _ERRORS_SHOWN:,} more records with errors (see the error column)",
                   err=True)
    summary = {
        "records": len(rows), "converted": len(rows) - bad, "errors": bad,
        "totals": [{"from": a, "to": b, "records": int(v[4]), "amount": v[0], "estimate": v[1],
                    "sum_of_low_90": v[2], "sum_of_high_90": v[3]} for (a, b), v in sorted(totals.items())],
        "nt_version": t.nt_version, "corpus_version": t.corpus_version,
    }
    if fmt == "json":
        emit([], fmt, document={"schema": "normtok.convert-log/1", "rows": rows, "summary": summary})
    elif fmt == "table":
        shown = [{**r, "amount": None if r["amount"] is None else _fmt_amount(r["amount"]),
                  **{k: None if r[k] is None else _fmt(r[k], r["to"]) for k in ("estimate", "low_90", "high_90")},
                  "error": _short(r["error"])}
                 for r in rows]
        emit(shown, fmt, columns=_LOG_TABLE)
    else:
        emit(rows, fmt, columns=LOG_COLUMNS)
    for s in summary["totals"]:
        click.echo(f"normtok: {_records(s['records'])} {s['from']} -> {s['to']}: {s['amount']:,.0f} -> estimate "
                   f"{s['estimate']:,.0f} (sum of the per-record 90% intervals {s['sum_of_low_90']:,.0f} - "
                   f"{s['sum_of_high_90']:,.0f}, conservative for a total)", err=True)
    click.echo(f"normtok: {_records(len(rows))}, {len(rows) - bad:,} converted, {bad:,} with errors "
               f"(tables nt {t.nt_version}, corpus {t.corpus_version})", err=True)
    if bad:
        raise SystemExit(2)
