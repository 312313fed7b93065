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


LEAVE_OUT_COLUMNS = ["units", "from", "to", "class", "class_kind", "family", "documents", "median_abs_error",
                     "p90_abs_error", "mean_error", "coverage", "meets_targets"]


@tables.command("evaluate")
@click.option("--tables", "directory", type=click.Path(file_okay=False), default=None,
              help="Tables directory (default: the published tables).")
@click.option("--by", type=click.Choice(list(tables_lib.LEAVE_OUT_BY)), default="kind", show_default=True,
              help="Aggregate per class kind, per tokenizer pair and kind, or per pair and class; 'source' (per "
                   "corpus source) only with --leave-out.")
@click.option("--min-characters", type=click.IntRange(min=0), default=tables_lib.LONG_DOCUMENT_CHARS,
              show_default=True, help="Score only documents at least this long.")
@click.option("--leave-out", "leave_out", type=click.Choice(list(tables_lib.LEAVE_OUT_MODES)), default=None,
              help="Score the calibration split instead, each document with the row its class would have had "
                   "without it ('document') or without every document of its corpus source ('source': the guide "
                   "for text from a source the tables have never seen). Default: off (the evaluation split).")
@click.option("--write", "write_dir", type=click.Path(file_okay=False), default=None,
              help="Also write evaluation.{csv,json,parquet} (per pair and class) to this directory.")
@click.option("--check", is_flag=True,
              help="Exit 1 unless every row of kind 'specific' (each document scored once with its most specific "
                   "class: the class-is-known case) meets both targets. --by kind checks the one row pooled over "
                   "all unit pairs, --by pair every unit pair, --by class every pair and class.")
@format_option()
def evaluate_cmd(directory: str | None, by: str, min_characters: int, leave_out: str | None, write_dir: str | None,
                 check: bool, fmt: str) -> None:
    """Convert each evaluation-split document's count between every pair of units via the tables.

    Reports the median absolute error of the estimate and the share of documents whose true count
    lies inside the stated 90% interval. Targets (issue 5): median |error| <= 3% for documents of
    2,000+ characters when the class is known; 90% intervals covering 85-95%. Kind 'specific' scores
    each document with its most specific class (language/domain cell such as hi/ui, else language,
    else domain, else family); the other kinds score it with every class of that kind it belongs to.

    With --leave-out the calibration split is scored instead, each document with its most specific
    class refitted without the held-out documents (a cell left empty falls back to the language, and so
    on); rows are split by unit group, by the kind of class used and by family (prose, ui, other).
    """
    if leave_out is not None:
        if check:
            raise click.UsageError("--check judges the evaluation split against the targets; the --leave-out "
                                   "figures are a guide for unseen text, not a gate. Drop one of the two.")
        if write_dir:
            raise click.UsageError("--write publishes the evaluation split's results (evaluation.*); it cannot "
                                   "be combined with --leave-out")
        _evaluate_leave_out(directory, by, min_characters, leave_out, fmt)
        return
    if by == "source":
        raise click.UsageError("--by source groups the leave-out results by corpus source: it needs --leave-out "
                               "document or --leave-out source")
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


def _evaluate_leave_out(directory: str | None, by: str, min_characters: int, leave_out: str, fmt: str) -> None:
    """``evaluate --leave-out``: the calibration split, each document predicted without the held-out documents."""
    t = tables_lib.load(directory)
    scored, info = tables_lib.score_leave_out(t, leave_out, min_characters, with_sources=by == "source")
    rows = tables_lib.leave_out_rows(scored, info, leave_out, by, min_characters)
    for r in rows:
        r["meets_targets"] = tables_lib.meets_targets(r)
    fallback = len({s.doc_id for s in scored if s.kind != tables_lib.CELL_KIND
                    and info[s.doc_id][0] != tables_lib.OTHER_FAMILY})
    held = "itself" if leave_out == "document" else "every document of its corpus source"
    click.echo(f"normtok: leave-out ({leave_out}) on the calibration split: {len(info)} documents of "
               f"{min_characters:,}+ characters, each predicted from its most specific class without {held} "
               f"({fallback} natural-text documents fell back to a coarser class); a guide for unseen text, not "
               f"the published evaluation; tables nt {t.nt_version}, corpus {t.corpus_version}", err=True)
    columns = LEAVE_OUT_COLUMNS if by != "source" else [*LEAVE_OUT_COLUMNS[:6], "source", *LEAVE_OUT_COLUMNS[6:]]
    if fmt != "table":
        columns = ["leave_out", *columns, "min_characters"]
    emit(rows, fmt, columns=columns,
         document={"nt_version": t.nt_version, "corpus_version": t.corpus_version, "split": "calibration",
                   "leave_out": leave_out, "targets": tables_lib.TARGETS, "min_characters": min_characters,
                   "documents": len(info), "rows": rows})
