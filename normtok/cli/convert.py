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


def _amount(value: str) -> float:
    """AMOUNT as a number. A comma is a thousands separator only where it groups three digits: '1,5'
    (a decimal comma) is an error, never silently 15."""
    text = value.strip()
    number = float(text.replace(",", "").replace("_", "")) if _NUMBER.fullmatch(text) else None
    if number is None:
        try:
            number = float(text)  # inf, nan, -5
        except ValueError:
            hint = " (use '.' for decimals; ',' only separates thousands)" if "," in text else ""
            raise NormtokError(f"AMOUNT must be a number (e.g. 125000, 125,000 or 1.2e6), not {value!r}{hint}"
                               ) from None
    if not math.isfinite(number) or number < 0:
        raise NormtokError(f"AMOUNT must be a finite number >= 0, not {value!r}")
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
@click.argument("amount")
@click.option("--from", "from_", required=True, metavar="MODEL|nt", help="Unit of AMOUNT: a model name, "
              "tokenizer id, or nt.")
@click.option("--to", "to", required=True, metavar="MODEL|nt", help="Unit to convert to.")
@click.option("--class", "cls", default=None, metavar="CLASS",
              help="Text class: a language and domain (hi/ui, ja/prose: the most accurate when you know both), a "
                   "language tag (zh-Hans, en), a domain (code:python, agent) or a profile (chat-global, code-agent, "
                   f"chat-zh). Default: the {tables_lib.DEFAULT_PROFILE} profile.")
@click.option("--tables", "directory", type=click.Path(file_okay=False), default=None,
              help="Tables directory (default: the published tables).")
@format_option()
def convert(amount: str, from_: str, to: str, cls: str | None, directory: str | None, fmt: str) -> None:
    """Convert AMOUNT tokens (or NT) to another tokenizer's tokens or NT: an estimate, never exact.

    Prints the estimate, its 90% interval for one document of the class, and the table rows used.
    The interval is per document: for a total over many documents it is conservative.
    """
    t = tables_lib.load(directory)
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
