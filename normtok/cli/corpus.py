"""``normtok corpus``: verify the reference corpus and show what is in it."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import corpus as corpus_lib
from ..errors import NormtokError
from .output import emit, format_option

_ROOT_HELP = (
    "Corpus root (the directory holding LICENSES/, v1/ and v2/); "
    "default: $NORMTOK_CORPUS or the repository's corpora/."
)


def _version_option():  # noqa: ANN202
    return click.option(
        "--version", "version", type=click.Choice(list(corpus_lib.VERSIONS)), default=corpus_lib.CORPUS_VERSION,
        show_default=True,
        help="Corpus version (v1 = NT-1's calibration corpus; v2 = v1 + independent evaluation-only documents).",
    )


def _root(value: str | None) -> Path:
    root = Path(value) if value else corpus_lib.default_root()
    if not root.is_dir():
        raise NormtokError(f"corpus root {root} is not a directory")
    return root


@click.group("corpus")
def corpus() -> None:
    """The reference corpus: verify its files and show its coverage."""


@corpus.command("verify")
@click.option("--root", "root", type=click.Path(file_okay=False), default=None, help=_ROOT_HELP)
@_version_option()
@format_option()
def verify_cmd(root: str | None, version: str, fmt: str) -> None:
    """Check every file against the manifest (hash, size, UTF-8, licence, no unlisted files).

    Exits 0 when the corpus matches its manifest, 1 on any problem (each one is
    named), 2 when the corpus cannot be found.
    """
    base = _root(root)
    if not corpus_lib.manifest_path(base, version).is_file():
        raise NormtokError(f"no manifest at {corpus_lib.manifest_path(base, version)}")
    problems = corpus_lib.verify(base, version)
    if fmt == "table":
        if problems:
            for p in problems:
                click.echo(f"FAIL {p.kind}: {p.subject}: {p.message}")
            click.echo(f"corpus {version}: {len(problems)} problem(s)", err=True)
        else:
            docs = corpus_lib.load_manifest(base, version)
            total = sum(d.bytes for d in docs)
            click.echo(
                f"corpus {version} OK: {len(docs)} documents, {total:,} bytes, "
                "hashes, sizes, licences and file list match the manifest"
            )
    else:
        rows = [{"kind": p.kind, "subject": p.subject, "message": p.message} for p in problems]
        emit(rows, fmt, columns=["kind", "subject", "message"],
             document={"ok": not problems, "problems": rows})
    sys.exit(1 if problems else 0)


@corpus.command("stats")
@click.option("--root", "root", type=click.Path(file_okay=False), default=None, help=_ROOT_HELP)
@click.option(
    "--by", "by", default="language,domain", show_default=True,
    help="Comma-separated grouping fields: " + ", ".join(corpus_lib.STAT_KEYS) + " (or 'none').",
)
@click.option("--split", "split", type=click.Choice(list(corpus_lib.SPLITS)), default=None,
              help="Only one split.")
@_version_option()
@format_option()
def stats_cmd(root: str | None, by: str, split: str | None, version: str, fmt: str) -> None:
    """Documents, bytes and characters by language and domain (or other fields)."""
    keys = [] if by.strip().lower() == "none" else [k.strip() for k in by.split(",") if k.strip()]
    bad = [k for k in keys if k not in corpus_lib.STAT_KEYS]
    if bad:
        raise NormtokError(
            f"cannot group by {', '.join(bad)}; choose from {', '.join(corpus_lib.STAT_KEYS)}"
        )
    base = _root(root)
    try:
        rows = corpus_lib.stats(by=keys, split=split, root=base, version=version)
    except corpus_lib.CorpusError as exc:
        raise NormtokError(str(exc)) from None
    columns = [*keys, "documents", "bytes", "characters", "parallel_documents"]
    if fmt == "table":
        total = {k: "" for k in keys}
        if keys:
            total[keys[0]] = "TOTAL"
        for col in ("documents", "bytes", "characters", "parallel_documents"):
            total[col] = sum(r[col] for r in rows)  # type: ignore[misc]
        emit([*rows, total] if keys else rows, fmt, columns=columns)
    else:
        emit(rows, fmt, columns=columns)
