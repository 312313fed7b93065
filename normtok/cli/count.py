"""``normtok count``: exact tokens per file for one or more models."""

from __future__ import annotations

import sys
from typing import Any

import click

from .. import __version__
from ..adapters import Adapter, tokenizer
from ..engine import FileCount, Problem, count_sources, discover
from ..errors import NormtokError
from ..registry import default_ids, entries, resolve
from .output import emit, format_option

COUNT_SCHEMA = "normtok.count/1"


def select_adapters(models: tuple[str, ...], all_models: bool, tokenizer_file: str | None) -> list[tuple[str, Adapter]]:
    """(requested name, adapter) per distinct tokenizer, in the order given."""
    if tokenizer_file and len(models) != 1:
        raise NormtokError("--tokenizer-file needs exactly one -m/--model naming the tokenizer it is for")
    if all_models:
        names = [e.id for e in entries().values() if e.available]
    else:
        names = list(models) or default_ids()
    chosen: list[tuple[str, Adapter]] = []
    seen: set[str] = set()
    for name in names:
        entry = resolve(name)
        if entry.id in seen:
            continue
        seen.add(entry.id)
        chosen.append((name, tokenizer(entry, tokenizer_file=tokenizer_file)))
    return chosen


def model_info(name: str, ad: Adapter) -> dict[str, Any]:
    return {"model": name, "tokenizer_id": ad.entry.id, "sha256": ad.sha256, "engine": ad.engine,
            "exact": True, "status": ad.entry.status}


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@click.option("-m", "--model", "models", multiple=True, metavar="MODEL",
              help="Model name or tokenizer id (repeatable). Default: one tokenizer per major vendor.")
@click.option("--all", "all_models", is_flag=True, help="Every tokenizer whose vocab is available.")
@click.option("--include", multiple=True, metavar="GLOB", help="Only files matching GLOB (repeatable).")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip files and directories matching GLOB.")
@click.option("--errors", type=click.Choice(["strict", "replace"]), default="strict", show_default=True,
              help="Invalid UTF-8: report it (strict) or substitute U+FFFD (replace).")
@click.option("--tokenizer-file", type=click.Path(exists=True, dir_okay=False),
              help="Count with this vendor file for the single -m model (for tokenizers not shipped here).")
@click.option("--no-default-excludes", is_flag=True, help="Also descend into .git, .hg, .svn, __pycache__.")
@format_option()
def count(paths: tuple[str, ...], models: tuple[str, ...], all_models: bool, include: tuple[str, ...],
          exclude: tuple[str, ...], errors: str, tokenizer_file: str | None, no_default_excludes: bool,
          fmt: str) -> None:
    """Count exact content tokens of files, directories or stdin ('-').

    A count is the tokens of the raw text for the vendor's tokenizer: no BOS/EOS, no chat
    template, special-token strings counted as ordinary text. Exit 2 if any input could not be read.
    """
    if not paths:
        if sys.stdin.isatty():
            raise click.UsageError("give one or more PATHs, or '-' to read stdin")
        paths = ("-",)
    chosen = select_adapters(models, all_models, tokenizer_file)
    adapters = [ad for _, ad in chosen]
    found = discover(paths, include, exclude, default_excludes=not no_default_excludes)
    files: list[FileCount] = []
    problems: list[Problem] = list(found.problems)
    for item in count_sources(found.sources, adapters, errors=errors):
        (files if isinstance(item, FileCount) else problems).append(item)

    ids = [ad.entry.id for ad in adapters]
    totals = {"files": len(files), "chars": sum(f.chars for f in files), "bytes": sum(f.bytes for f in files),
              "tokens": {i: sum(f.tokens[i] for f in files) for i in ids}}
    for p in problems:
        click.echo(f"normtok: {'skipped' if p.kind == 'skipped' else 'error'}: {p.name}: {p.reason}", err=True)

    if fmt == "json":
        doc = {
            "schema": COUNT_SCHEMA, "normtok_version": __version__,
            "models": [model_info(n, ad) for n, ad in chosen],
            "files": [{"path": f.name, "chars": f.chars, "bytes": f.bytes, "tokens": f.tokens} for f in files],
            "skipped": [{"path": p.name, "reason": p.reason} for p in problems if p.kind == "skipped"],
            "errors": [{"path": p.name, "reason": p.reason} for p in problems if p.kind == "error"],
            "totals": totals,
        }
        emit([], fmt, document=doc)
    else:
        rows: list[dict[str, Any]] = [
            {"kind": "file", "path": f.name, "chars": f.chars, "bytes": f.bytes, **f.tokens} for f in files
        ]
        if fmt == "table":
            if len(files) != 1:
                rows.append({"kind": "total", "path": f"TOTAL ({len(files)} files)", "chars": totals["chars"],
                             "bytes": totals["bytes"], **totals["tokens"]})
            emit(rows, fmt, columns=["path", "chars", "bytes", *ids],
                 headers=["path", "chars", "bytes", *[n if n == i else f"{n} ({i})" for n, i in zip(
                     [n for n, _ in chosen], ids)]])
        else:
            rows.append({"kind": "total", "path": None, "chars": totals["chars"], "bytes": totals["bytes"],
                         **totals["tokens"]})
            emit(rows, fmt, columns=["kind", "path", "chars", "bytes", *ids])
    if any(p.kind == "error" for p in problems):
        sys.exit(2)
