"""``normtok compare``: exact tokens per model for the same text, NT, tokens per NT, and cost."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import click

from .. import __version__
from .. import prices as prices_lib
from ..adapters import Adapter, tokenizer
from ..engine import FileCount, Problem, count_sources, discover
from ..errors import NormtokError, UnknownModelError, VocabUnavailableError
from ..registry import default_ids, resolve
from .output import emit, format_option
from .paths import check_paths, no_stdin

COMPARE_SCHEMA = "normtok.compare/1"


@dataclass(frozen=True)
class _NTEntry:
    id: str = "nt"


class NTCounter:
    """NT-1 as a pseudo-adapter so the engine decodes each input once for tokens and NT alike."""

    entry = _NTEntry()

    def __init__(self) -> None:
        from .. import tables

        self._fn, self.version = tables._nt_functions()

    def count_many(self, texts: Sequence[str]) -> list[int]:
        return list(self._fn(texts))


def _models(models: tuple[str, ...], price_file: prices_lib.PriceFile | None) -> list[tuple[str, str | None]]:
    """(model name, where the price file names it) in order: -m models, else the price file's, else defaults.

    ``where`` is None for models the user asked for: those must resolve and load, or the command fails.
    """
    if models:  # '-m gpt-4o -m GPT-4o' is one model: one row, not a duplicate a spreadsheet would add up
        first: dict[str, str] = {}
        for m in models:
            first.setdefault(m.strip().lower(), m)
        return [(m, None) for m in first.values()]
    if price_file is not None:
        where: dict[str, tuple[str, str]] = {}  # keyed like PriceFile.find (case-insensitive): one lookup per model
        for p in price_file.prices:
            where.setdefault(p.model.lower(), (p.model, p.where or str(price_file.path)))
        return list(where.values())
    return [(m, None) for m in default_ids()]


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@click.option("-m", "--model", "models", multiple=True, metavar="MODEL",
              help="Model name or tokenizer id (repeatable). Default: the price file's models, else one "
                   "tokenizer per major vendor.")
@click.option("--prices", "prices_path", type=click.Path(dir_okay=False), default=None,
              help="Price file (JSON normtok.prices/1 or CSV); see examples/prices.example.json.")
@click.option("--errors", type=click.Choice(["strict", "replace"]), default="strict", show_default=True,
              help="Invalid UTF-8: report it (strict) or substitute U+FFFD (replace).")
@format_option()
def compare(paths: tuple[str, ...], models: tuple[str, ...], prices_path: str | None, errors: str,
            fmt: str) -> None:
    """Compare models on the same text: exact tokens, NT, tokens per NT and, with --prices, cost.

    Costs are for the whole text sent as input, as cached input, or produced as output, at the
    price file's list prices per million tokens; '.../M NT' is the price per million NT, which makes
    offers with different tokenizers comparable. Exit 2 if an input or a price entry was bad.
    """
    if not paths:
        if no_stdin():
            raise click.UsageError("give one or more PATHs, or '-' to read stdin")
        paths = ("-",)
    check_paths(paths)
    price_file = prices_lib.load(prices_path) if prices_path else None
    problems: list[str] = []
    if price_file is not None:
        problems += [str(p) for p in price_file.problems]
        if price_file.example:
            click.echo(f"normtok: note: {prices_path} is an EXAMPLE price file; check prices at their source",
                       err=True)

    chosen: list[tuple[str, Adapter]] = []
    unavailable: list[dict[str, str]] = []
    for name, where in _models(models, price_file):
        try:
            entry = resolve(name)
        except UnknownModelError as exc:
            if where is None:
                raise
            problems.append(f"{where}: {exc}")  # one bad price entry does not stop the others
            continue
        try:
            chosen.append((name, tokenizer(entry)))
        except VocabUnavailableError as exc:
            if where is None:
                raise
            unavailable.append({"model": name, "tokenizer_id": entry.id, "reason": str(exc)})
    if not chosen:
        for p in problems:  # why nothing is left to compare
            click.echo(f"normtok: error: {p}", err=True)
        raise NormtokError("no model with an available tokenizer to compare"
                           + (f" (the price file {prices_path} has no usable entry)" if price_file is not None
                              and not models else ""))
    adapters: list[Any] = list({ad.entry.id: ad for _, ad in chosen}.values())
    try:
        nt: NTCounter | None = NTCounter()
        adapters.append(nt)
    except NormtokError as exc:
        nt = None
        click.echo(f"normtok: note: {exc}; NT columns are empty", err=True)

    found = discover(paths)
    files: list[FileCount] = []
    bad: list[Problem] = list(found.problems)
    for item in count_sources(found.sources, adapters, errors=errors):
        (files if isinstance(item, FileCount) else bad).append(item)
    for p in bad:
        click.echo(f"normtok: {'skipped' if p.kind == 'skipped' else 'error'}: {p.name}: {p.reason}", err=True)
    for p in problems:
        click.echo(f"normtok: error: {p}", err=True)
    for u in unavailable:
        click.echo(f"normtok: skipped {u['model']}: {u['reason']}", err=True)

    total_nt = sum(f.tokens["nt"] for f in files) / 1000 if nt else None
    rows: list[dict[str, Any]] = []
    for name, ad in chosen:
        tokens = sum(f.tokens[ad.entry.id] for f in files)
        base = {"model": name, "tokenizer_id": ad.entry.id, "sha256": ad.sha256, "exact": True, "tokens": tokens,
                "nt": total_nt, "tokens_per_nt": tokens / total_nt if total_nt else None}
        matched = price_file.find(name) if price_file else []
        if price_file and not matched and ad.entry.id != name:
            matched = price_file.find(ad.entry.id)
        if not matched:
            rows.append(base)
            if price_file is not None:
                click.echo(f"normtok: note: no price for {name!r} in {prices_path} (prices match model names)",
                           err=True)
        for p in matched:
            rows.append({**base, "provider": p.provider, "currency": p.currency, "input_price": p.input,
                         "cached_input_price": p.cached_input, "output_price": p.output,
                         **prices_lib.costs(p, tokens, total_nt), "price_date": p.date, "price_source": p.source})

    currencies = sorted({r["currency"] for r in rows if r.get("currency")})
    if len(currencies) > 1:  # a cost column sorted across currencies would compare numbers, not offers
        click.echo(f"normtok: note: prices are in {len(currencies)} currencies ({', '.join(currencies)}); costs "
                   "are in each price's own currency, not converted", err=True)
    chars = sum(f.chars for f in files)
    if fmt == "json":
        emit([], fmt, document={
            "schema": COMPARE_SCHEMA, "normtok_version": __version__,
            "nt_version": nt.version if nt else None, "files": len(files), "chars": chars,
            "bytes": sum(f.bytes for f in files), "nt": total_nt,
            "price_file": None if price_file is None else {"path": prices_path, "example": price_file.example,
                                                           "per_tokens": prices_lib.PER_TOKENS},
            "models": rows, "unavailable": unavailable,
            "errors": [{"path": p.name, "reason": p.reason} for p in bad if p.kind == "error"] +
                      [{"path": prices_path, "reason": p} for p in problems],
        })
    else:
        columns = ["model", "tokenizer_id", "tokens", "nt", "tokens_per_nt"]
        if price_file is not None:
            columns += ["provider", "currency", "input_price", "cached_input_price", "output_price", "input_cost",
                        "cached_input_cost", "output_cost", "input_per_million_nt", "output_per_million_nt",
                        "price_date", "price_source"]
        if fmt == "table":
            shown = [{**r, **{k: _money(r.get(k)) for k in ("input_cost", "cached_input_cost", "output_cost",
                                                              "input_per_million_nt", "output_per_million_nt")},
                      "nt": None if r["nt"] is None else round(r["nt"], 1),
                      "tokens_per_nt": None if r["tokens_per_nt"] is None else round(r["tokens_per_nt"], 3)}
                     for r in rows]
            headers = [{"input_price": "in/M", "cached_input_price": "cached/M", "output_price": "out/M",
                        "input_cost": "input cost", "cached_input_cost": "cached cost",
                        "output_cost": "output cost", "input_per_million_nt": "in/M NT",
                        "output_per_million_nt": "out/M NT",
                        "tokens_per_nt": "tok/NT", "price_date": "date", "price_source": "source"}.get(c, c)
                       for c in columns]
            emit(shown, fmt, columns=columns, headers=headers)
            click.echo(f"{len(files)} file(s), {chars:,} characters"
                       + ("" if price_file is None else "; prices per 1,000,000 tokens")
                       + ("" if nt is None else f"; NT version {nt.version}"), err=True)
        else:
            emit(rows, fmt, columns=columns + ["sha256"])
    if any(p.kind == "error" for p in bad) or problems:
        sys.exit(2)


def _money(x: float | None) -> str | None:
    if x is None:
        return None
    return f"{x:.6f}" if x < 0.01 else f"{x:,.4f}"
