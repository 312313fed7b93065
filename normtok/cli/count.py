"""``normtok count``: exact tokens per file for one or more models."""

from __future__ import annotations

import sys
from typing import Any

import click

from .. import __version__, engines
from ..adapters import Adapter
from ..engine import FileCount, Problem, Source, count_sources, discover, peek_stdin, source_size
from ..errors import NormtokError
from ..progress import Progress
from ..registry import TokenizerEntry, default_ids, entries, resolve
from .output import emit, format_option
from .paths import check_paths, no_stdin

COUNT_SCHEMA = "normtok.count/1"
NT_VERSION = "NT-1"  # the version normtok.nt implements; checked equal in tests


def _format_nt(milli: int) -> str:
    from ..nt import format_nt

    return format_nt(milli)
#: stdin is read this far ahead to tell a small input (fast-loading engine) from a large one.
STDIN_PEEK_BYTES = 32 << 20
#: What the cost model assumes for a pipe longer than the peek.
STDIN_LARGE_BYTES = 1 << 30


def select_entries(models: tuple[str, ...], all_models: bool, tokenizer_file: str | None
                   ) -> list[tuple[str, TokenizerEntry]]:
    """(requested name, registry entry) per distinct tokenizer, in the order given."""
    if all_models and (models or tokenizer_file):
        # --all would silently win over -m, or apply one user file to every tokenizer.
        raise click.UsageError("--all counts every available tokenizer: give either --all or -m/--model "
                               "(with --tokenizer-file), not both")
    if tokenizer_file and len(models) != 1:
        raise NormtokError("--tokenizer-file needs exactly one -m/--model naming the tokenizer it is for")
    if all_models:
        names = [e.id for e in entries().values() if e.available]
    else:
        names = list(models) or default_ids()
    chosen: list[tuple[str, TokenizerEntry]] = []
    seen: set[str] = set()
    for name in names:
        entry = resolve(name)
        if entry.id in seen:
            continue
        seen.add(entry.id)
        chosen.append((name, entry.with_file(tokenizer_file) if tokenizer_file else entry))
    return chosen


def select_adapters(models: tuple[str, ...], all_models: bool, tokenizer_file: str | None,
                    engine: str = engines.REFERENCE, nbytes: int | None = None, jobs: int = 1
                    ) -> list[tuple[str, engines.Choice]]:
    """(requested name, engine choice) per distinct tokenizer, in the order given."""
    return [(name, engines.choose(entry, engine, nbytes, jobs))
            for name, entry in select_entries(models, all_models, tokenizer_file)]


def model_info(name: str, choice: engines.Choice | Adapter) -> dict[str, Any]:
    if not isinstance(choice, engines.Choice):
        choice = engines.Choice(choice, choice.engine, None, True)
    ad = choice.adapter
    return {"model": name, "tokenizer_id": ad.entry.id, "sha256": ad.sha256, "engine": choice.engine,
            "engine_version": choice.version, "engine_is_reference": choice.reference,
            "engine_fallback": choice.fallback, "exact": True, "status": ad.entry.status}


def _engine_summary(chosen: list[tuple[str, engines.Choice]]) -> str:
    parts = []
    for _, c in chosen:
        label = f"{c.engine} {c.version}" if c.version else c.engine
        parts.append(f"{c.adapter.entry.id}={label}{' (reference)' if c.reference else ''}")
    return "engines: " + ", ".join(parts)


def _workload(sources: list[Source]) -> tuple[list[Source], int]:
    """The sources (stdin read ahead if its size is unknown) and the total input size for the cost model."""
    total = 0
    out = []
    for src in sources:
        size = source_size(src)
        if size is None and src.path is None:
            src, size = peek_stdin(src, STDIN_PEEK_BYTES)
        out.append(src)
        total += STDIN_LARGE_BYTES if size is None else size
    return out, total


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
@click.option("--engine", "engine", type=click.Choice([engines.AUTO, engines.REFERENCE, *engines.ENGINES]),
              default=engines.AUTO, show_default=True,
              help="Counting engine: auto picks, per tokenizer, the fastest engine proven to count exactly like "
                   "the reference for this much input; reference uses the vendor's own library.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Cores to use (default: all).")
@click.option("--nt/--no-nt", "with_nt", default=True, show_default=True,
              help="Also report NT-1 (normalized tokens, computed from the text alone).")
@click.option("-q", "--quiet", is_flag=True, help="No progress display and no engine note on stderr.")
@format_option()
def count(paths: tuple[str, ...], models: tuple[str, ...], all_models: bool, include: tuple[str, ...],
          exclude: tuple[str, ...], errors: str, tokenizer_file: str | None, no_default_excludes: bool,
          engine: str, jobs: int | None, with_nt: bool, quiet: bool, fmt: str) -> None:
    """Count exact content tokens of files, directories or stdin ('-').

    A count is the tokens of the raw text for the vendor's tokenizer: no BOS/EOS, no chat
    template, special-token strings counted as ordinary text. Every engine gives the same
    counts; the output says which one counted. Exit 2 if any input could not be read.
    """
    if not paths:
        if no_stdin():
            raise click.UsageError("give one or more PATHs, or '-' to read stdin")
        paths = ("-",)
    check_paths(paths)
    wanted = select_entries(models, all_models, tokenizer_file)  # unknown models fail before any reading
    cores = engines.default_jobs()
    if jobs and jobs > cores:  # -j 1000 would start 1000 workers, each with its own copy of the vocabulary
        if not quiet:
            click.echo(f"normtok: note: -j {jobs} is more than the {cores} core(s) here; using {cores}", err=True)
        jobs = cores
    engines.configure_threads(jobs)
    jobs = jobs or cores
    found = discover(paths, include, exclude, default_excludes=not no_default_excludes)
    sources, nbytes = _workload(found.sources)
    chosen = [(name, engines.choose(entry, engine, nbytes, jobs)) for name, entry in wanted]
    for _, c in chosen:
        if c.fallback:
            click.echo(f"normtok: note: {c.adapter.entry.id}: counted with {c.engine} because {c.fallback}", err=True)
    adapters = [c.adapter for _, c in chosen]
    counters: list[Any] = list(adapters)
    if with_nt:
        from .. import nt

        counters.append(nt.Counter())
    pool = any(engines.uses_pool(c.engine, nbytes, jobs) for _, c in chosen)
    progress = Progress(nbytes or None, enabled=None if not quiet else False)
    files: list[FileCount] = []
    problems: list[Problem] = list(found.problems)
    try:
        for item in count_sources(sources, counters, errors=errors, pool=pool, jobs=jobs, progress=progress):
            (files if isinstance(item, FileCount) else problems).append(item)
    finally:
        progress.close()

    ids = [ad.entry.id for ad in adapters]
    # By position, not name: two inputs may share a name (the same file twice).
    nt_milli = [f.tokens.pop("nt") for f in files] if with_nt else []
    totals: dict[str, Any] = {"files": len(files), "chars": sum(f.chars for f in files),
                              "bytes": sum(f.bytes for f in files),
                              "tokens": {i: sum(f.tokens[i] for f in files) for i in ids}}
    if with_nt:
        totals["nt_milli"] = sum(nt_milli)
    for p in problems:
        click.echo(f"normtok: {'skipped' if p.kind == 'skipped' else 'error'}: {p.name}: {p.reason}", err=True)
    if not files and not problems:
        click.echo("normtok: warning: no input files (directories empty, or nothing matched --include/--exclude)",
                   err=True)

    if fmt == "json":
        doc = {
            "schema": COUNT_SCHEMA, "normtok_version": __version__,
            "models": [model_info(n, c) for n, c in chosen],
            "nt_version": NT_VERSION if with_nt else None,
            "files": [{"path": f.name, "chars": f.chars, "bytes": f.bytes, "tokens": f.tokens,
                       **({"nt_milli": nt_milli[i]} if with_nt else {})} for i, f in enumerate(files)],
            "skipped": [{"path": p.name, "reason": p.reason} for p in problems if p.kind == "skipped"],
            "errors": [{"path": p.name, "reason": p.reason} for p in problems if p.kind == "error"],
            "totals": totals,
        }
        emit([], fmt, document=doc)
    else:
        nt_cols = ["nt_milli"] if with_nt else []
        rows: list[dict[str, Any]] = [
            {"kind": "file", "path": f.name, "chars": f.chars, "bytes": f.bytes, **f.tokens,
             **({"nt_milli": nt_milli[i]} if with_nt else {})} for i, f in enumerate(files)
        ]
        total_row = {"chars": totals["chars"], "bytes": totals["bytes"], **totals["tokens"],
                     **({"nt_milli": totals["nt_milli"]} if with_nt else {})}
        if fmt == "table":
            if len(files) != 1:
                rows.append({"kind": "total", "path": f"TOTAL ({len(files)} files)", **total_row})
            for r in rows:
                if with_nt:
                    r["nt"] = _format_nt(r["nt_milli"])
            emit(rows, fmt, columns=["path", "chars", "bytes", *ids, *(["nt"] if with_nt else [])],
                 headers=["path", "chars", "bytes", *[n if n == i else f"{n} ({i})" for n, i in zip(
                     [n for n, _ in chosen], ids)], *([NT_VERSION] if with_nt else [])])
            click.echo(_engine_summary(chosen))
        else:
            rows.append({"kind": "total", "path": None, **total_row})
            emit(rows, fmt, columns=["kind", "path", "chars", "bytes", *ids, *nt_cols])
            if not quiet:
                click.echo(f"normtok: {_engine_summary(chosen)}", err=True)
    if any(p.kind == "error" for p in problems):
        sys.exit(2)
