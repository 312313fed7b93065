"""``normtok tables build|evaluate``: measure the corpus into the published tables, and score them."""

from __future__ import annotations

import json
import sys
import time

import click

from .. import tables as tables_lib
from .output import emit, format_option
from .paths import writable_dir


@click.group("tables")
def tables() -> None:
    """The published conversion tables (tokens per NT by tokenizer and class)."""


@tables.command("build")
@click.option("--out", "out", type=click.Path(file_okay=False), default=None,
              help="Directory to write (default: the published spec/tables, or $NORMTOK_TABLES).")
@click.option("-m", "--model", "models", multiple=True, metavar="MODEL",
              help="Only these tokenizers (repeatable; default: every tokenizer available offline).")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
@format_option()
def build_cmd(out: str | None, models: tuple[str, ...], quiet: bool, fmt: str) -> None:
    """Count every tokenizer on the corpus and write ratios, pairs and documents (Parquet, CSV, JSON).

    Deterministic: the same corpus, registry and NT version rebuild byte-identical files.
    """
    start = time.monotonic()

    def progress(msg: str) -> None:
        if not quiet:
            click.echo(f"normtok: {msg} ({time.monotonic() - start:.1f}s)", err=True)

    ids = None
    if models:
        from ..registry import resolve

        ids = list(dict.fromkeys(resolve(m).id for m in models))
    target = writable_dir(out if out else tables_lib.default_dir(), "--out")
    built, files = tables_lib.build(target, progress=progress, tokenizer_ids=ids)
    meta = json.loads((target / "metadata.json").read_text(encoding="utf-8"))
    rows = [{"file": str(p), "sha256": meta["files"].get(p.name, "")} for p in files if p.name != "metadata.json"]
    progress(f"wrote {len(files)} files to {target}")
    emit(rows, fmt, columns=["file", "sha256"],
         document={"directory": str(target), "nt_version": meta["nt_version"],
                   "corpus_version": meta["corpus_version"], "registry_version": meta["registry_version"],
                   "files": meta["files"]})


EVAL_COLUMNS = ["from", "to", "class", "class_kind", "documents", "median_abs_error", "p90_abs_error",
                "mean_error", "coverage", "meets_targets"]


@tables.command("evaluate")
@click.option("--tables", "directory", type=click.Path(file_okay=False), default=None,
              help="Tables directory (default: the published tables).")
@click.option("--by", type=click.Choice(["kind", "pair", "class"]), default="kind", show_default=True,
              help="Aggregate per class kind, per tokenizer pair and kind, or per pair and class.")
@click.option("--min-characters", type=click.IntRange(min=0), default=tables_lib.LONG_DOCUMENT_CHARS,
              show_default=True, help="Score only evaluation documents at least this long.")
@click.option("--write", "write_dir", type=click.Path(file_okay=False), default=None,
              help="Also write evaluation.{csv,json,parquet} (per pair and class) to this directory.")
@click.option("--check", is_flag=True,
              help="Exit 1 unless every row of kind 'specific' (each document scored once with its most specific "
                   "class: the class-is-known case) meets both targets. --by kind checks the one row pooled over "
                   "all unit pairs, --by pair every unit pair, --by class every pair and class.")
@format_option()
def evaluate_cmd(directory: str | None, by: str, min_characters: int, write_dir: str | None, check: bool,
                 fmt: str) -> None:
    """Convert each evaluation-split document's count between every pair of units via the tables.

    Reports the median absolute error of the estimate and the share of documents whose true count
    lies inside the stated 90% interval. Targets (issue 5): median |error| <= 3% for documents of
    2,000+ characters when the class is known; 90% intervals covering 85-95%. Kind 'specific' scores
    each document with its most specific class (language/domain cell such as hi/ui, else language,
    else domain, else family); the other kinds score it with every class of that kind it belongs to.
    """
    if write_dir:
        writable_dir(write_dir, "--write")
    t = tables_lib.load(directory)
    rows = tables_lib.evaluate(t, by=by, min_characters=min_characters)
    for r in rows:
        r["meets_targets"] = tables_lib.meets_targets(r)
    if write_dir:
        detail = rows if by == "class" else tables_lib.evaluate(t, by="class", min_characters=min_characters)
        written = tables_lib.write_evaluation(detail, t.metadata, write_dir)
        click.echo(f"normtok: wrote {', '.join(p.name for p in written)} to {write_dir}", err=True)
    known = [r for r in rows if r["class_kind"] == tables_lib.SPECIFIC]
    ok = sum(r["meets_targets"] for r in known)
    click.echo(f"normtok: {ok}/{len(known)} rows with the class known (kind '{tables_lib.SPECIFIC}') meet the "
               f"targets (median |error| <= 3%, coverage 85-95%); tables nt {t.nt_version}, corpus "
               f"{t.corpus_version}", err=True)
    emit(rows, fmt, columns=EVAL_COLUMNS,
         document={"nt_version": t.nt_version, "corpus_version": t.corpus_version, "targets": tables_lib.TARGETS,
                   "min_characters": min_characters, "rows": rows})
    if check and not known:  # a gate that scored nothing must not pass
        click.echo(f"normtok: --check: no evaluation row of kind '{tables_lib.SPECIFIC}' to check (documents of "
                   f"{min_characters:,}+ characters)", err=True)
        sys.exit(1)
    if check and ok < len(known):
        sys.exit(1)
