"""``normtok audit``: recompute billed token counts from a usage log and report discrepancies."""

from __future__ import annotations

import math
import sys
import time
from typing import Any

import click

from .. import __version__
from ..audit import (
    FLAG_MIN_RECORDS,
    SCHEMA,
    STATUSES,
    AuditOptions,
    FlatColumns,
    RecordSource,
    Report,
    RowWriter,
    Tolerance,
    breakdown_rows,
    nt_module,
)
from ..audit import audit as run_audit
from ..errors import NormtokError
from ..registry import entries, resolve
from ..templates import FORMATS
from .output import emit, format_option
from .paths import check_stdin

MALFORMED_SHOWN = 50  # on stderr; every one is in --out and counted
FINGERPRINT_SHOWN = 3


class Progress:
    """Records done and share of the input read, on stderr, at most twice a second (TTY) or every 10 s."""

    def __init__(self, enabled: bool, label: str = "normtok audit") -> None:
        self.enabled = enabled
        self.label = label
        self.tty = sys.stderr.isatty()
        self.start = self.last = time.monotonic()

    def __call__(self, done: int, fraction: float | None) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.last < (0.5 if self.tty else 10):
            return
        self.last = now
        rate = done / max(now - self.start, 1e-9)
        pct = f"{100 * fraction:5.1f}% read, " if fraction is not None else ""
        msg = f"{self.label}: {pct}{done:,} records, {rate:,.0f} records/s"
        click.echo(("\r" + msg) if self.tty else msg, err=True, nl=not self.tty)

    def close(self) -> None:
        if self.enabled and self.tty:
            click.echo("", err=True)


def summary_rows(report: Report) -> list[dict[str, Any]]:
    rows = [g.summary_row() for g in report.groups.values()]
    total = report.total.summary_row()
    total["model"] = "TOTAL"
    return rows + [total]


def document(report: Report, max_discrepancy: float, out: str | None, with_nt: bool) -> dict[str, Any]:
    opts = report.options
    groups = list(report.groups.values())
    return {
        "schema": SCHEMA, "normtok_version": __version__,
        "input": {"path": report.path, "format": report.input_format, "records": report.total.records},
        "options": {"model": opts.model, "chat_format": opts.chat_format, "tolerance": str(opts.tolerance),
                    "max_discrepancy_pct": max_discrepancy, "fingerprint_sample": opts.fingerprint_sample,
                    "shape": opts.shape, "wrap": opts.columns.wrap},
        "tokenizers": [{"id": k, **v} for k, v in sorted(report.tokenizers.items())],
        "nt_version": report.nt_version,
        "summary": summary_rows(report),
        "breakdown": [r for g in [*groups, report.total] for r in breakdown_rows(g, with_nt)],
        "fingerprint": report.fingerprints, "flags": report.flags,
        "fingerprint_not_tried": [{"id": e.id, "status": e.status} for e in entries().values()
                                  if not e.available and e.id not in opts.tokenizer_files],
        "malformed": {"count": report.malformed_count, "records": report.malformed},
        "discrepancy_pct": round(report.discrepancy_pct, 4), "results_file": out,
        "exit_code": report.exit_code(max_discrepancy),
    }


SUMMARY_COLUMNS = ["model", "tokenizer_id", "chat_format", "records", *STATUSES, "billed_total", "expected",
                   "over_tokens", "under_tokens", "discrepancy_pct", "median_prompt_diff", "unverifiable_pct"]
SUMMARY_HEADERS = ["model", "tokenizer", "format", "records", "ok", "over", "under", "not verif.", "malformed",
                   "billed", "expected", "over tok", "under tok", "discr. %", "median diff", "unverif. %"]


def print_tables(report: Report, with_nt: bool) -> None:
    t = report.total
    counts = ", ".join(f"{s.replace('_', ' ')} {t.statuses.get(s, 0):,}" for s in STATUSES)
    click.echo(f"normtok audit: {report.path} ({report.input_format}): {t.records:,} records: {counts}")
    click.echo(f"tolerance {report.options.tolerance}; expected = exact content tokens + chat-format overhead\n")
    emit(summary_rows(report), "table", columns=SUMMARY_COLUMNS, headers=SUMMARY_HEADERS)
    rows = [r for g in report.groups.values() for r in breakdown_rows(g, with_nt) if r["tokens"] or r.get("nt")]
    if rows:
        click.echo("\nWhere the billed tokens went (verified records; share of the bill)")
        cols = ["model", "side", "part", "tokens", "share_pct"] + (["nt"] if with_nt else [])
        emit(rows, "table", columns=cols, headers=["model", "side", "part", "tokens", "share %"] +
             ([report.nt_version or "NT"] if with_nt else []))
    fps = [{"model": m, **r} for m, rows_ in report.fingerprints.items() for r in rows_
           if (r["rank"] <= FINGERPRINT_SHOWN or r["claimed"]) and r["records"] >= FLAG_MIN_RECORDS]
    if fps:
        click.echo(f"\nFingerprint: tokenizers ranked by how well they explain the billed counts (top "
                   f"{FINGERPRINT_SHOWN} and the claimed one; all in --format json)")
        for r in fps:
            r["tokenizer"] = r["tokenizer_id"] + (" (claimed)" if r["claimed"] else "")
        emit(fps, "table", columns=["model", "rank", "tokenizer", "chat_format", "records", "matched_pct",
                                    "mean_error", "mean_abs_error", "fit_error"],
             headers=["model", "rank", "tokenizer", "format", "records", "matched %", "mean err", "mean |err|",
                      "fitted err"])
    for flag in report.flags:
        click.echo(f"\n! {flag}")


@click.command("audit")
@click.argument("file", type=click.Path(allow_dash=True, dir_okay=False))
@click.option("--model", "-m", metavar="MODEL", help="Claimed model for records that name none (flat logs).")
@click.option("--out", "out", metavar="RESULTS", type=click.Path(dir_okay=False),
              help="Write one result row per input record: .csv, .jsonl or .parquet.")
@click.option("--tolerance", default="0", show_default=True, metavar="N|P%|P%+N",
              help="Slack beyond the expected interval, in tokens and/or percent of the expected count.")
@click.option("--max-discrepancy", type=click.FloatRange(min=0), default=0.0, show_default=True, metavar="PCT",
              help="Exit 1 when over- plus under-billed tokens exceed PCT percent of the verified billed tokens.")
@click.option("--chat-format", type=click.Choice(sorted(FORMATS)), default=None, metavar="FORMAT",
              help="Use this chat format for every chat record instead of the model's own (see docs/audit.md).")
@click.option("--fingerprint-sample", type=click.IntRange(min=0), default=200, show_default=True, metavar="N",
              help="Records per claimed model used to rank every tokenizer (0: no fingerprint).")
@click.option("--input-format", type=click.Choice(["auto", "jsonl", "csv", "parquet"]), default="auto",
              show_default=True, help="Input format (auto: by extension; stdin is JSONL).")
@click.option("--shape", type=click.Choice(["auto", "chat", "flat"]), default="auto", show_default=True,
              help="Record shape: chat (request/response bodies) or flat (text and count columns).")
@click.option("--prompt-col", default="prompt", show_default=True, help="Flat shape: prompt text column.")
@click.option("--completion-col", default="completion", show_default=True, help="Flat shape: reply text column.")
@click.option("--prompt-tokens-col", default="prompt_tokens", show_default=True,
              help="Flat shape: billed prompt tokens column.")
@click.option("--completion-tokens-col", default="completion_tokens", show_default=True,
              help="Flat shape: billed completion tokens column.")
@click.option("--reasoning-tokens-col", default="reasoning_tokens", show_default=True,
              help="Flat shape: billed reasoning tokens column (unverifiable part of the completion).")
@click.option("--cached-tokens-col", default="cached_tokens", show_default=True,
              help="Flat shape: cached prompt tokens column.")
@click.option("--id-col", default="id", show_default=True, help="Flat shape: record id column.")
@click.option("--model-col", default="model", show_default=True, help="Flat shape: claimed model column.")
@click.option("--wrap", type=click.Choice(["raw", "chat"]), default="raw", show_default=True,
              help="Flat shape: texts billed as they are (raw), or as one user message and its reply (chat).")
@click.option("--tokenizer-file", "tokenizer_files", multiple=True, metavar="[MODEL=]PATH",
              help="Count MODEL's records with this vocabulary file (tokenizer.json, tokenizer.model, tiktoken "
                   "ranks), e.g. for a registered model whose file is not shipped. Without MODEL=, applies to "
                   "--model. Repeatable; the file's SHA-256 is reported as the tokenizer's identity.")
@click.option("--progress/--no-progress", default=None, help="Progress on stderr (default: when it is a terminal).")
@format_option()
def audit_cmd(file: str, model: str | None, out: str | None, tolerance: str, max_discrepancy: float,
              chat_format: str | None, fingerprint_sample: int, input_format: str, shape: str, prompt_col: str,
              completion_col: str, prompt_tokens_col: str, completion_tokens_col: str, reasoning_tokens_col: str,
              cached_tokens_col: str, id_col: str, model_col: str, wrap: str, tokenizer_files: tuple[str, ...],
              progress: bool | None, fmt: str) -> None:
    """Verify billed token counts in a usage log (JSONL, CSV or Parquet; '-' reads JSONL from stdin).

    Each record's expected prompt and completion tokens for the claimed model are its exact content
    tokens plus the vendor's chat-format overhead (exact, estimated with an interval, or unknown).
    Status per record: ok, over, under, not_verifiable, malformed. Every available tokenizer is
    ranked by how well it explains the bill. Exit 0 ok; 1 discrepancies above --max-discrepancy;
    2 malformed records or unusable input (the audit is incomplete).
    """
    if not math.isfinite(max_discrepancy):  # nan would disable the gate silently; both break the JSON document
        raise click.BadParameter(f"{max_discrepancy} is not a finite percentage", param_hint="'--max-discrepancy'")
    if model is not None:
        resolve(model)  # a typo in --model is an error with suggestions, not every record 'not verifiable'
    opts = AuditOptions(
        model=model, chat_format=chat_format, tolerance=Tolerance.parse(tolerance),
        columns=FlatColumns(prompt_col, completion_col, prompt_tokens_col, completion_tokens_col,
                            reasoning_tokens_col, cached_tokens_col, id_col, model_col, wrap),
        shape=shape, input_format=input_format, fingerprint_sample=fingerprint_sample,
        tokenizer_files=parse_tokenizer_files(tokenizer_files, model),
    )
    if file == "-":
        check_stdin()
    source = RecordSource(file, input_format)
    if out is not None and file != "-" and _same_file(out, file):
        raise NormtokError(f"--out {out} is the input file")
    with_nt = nt_module() is not None
    writer = RowWriter(out, with_nt) if out else None
    meter = Progress(progress if progress is not None else sys.stderr.isatty())
    shown = 0

    def on_rows(rows: list[dict[str, Any]]) -> None:
        nonlocal shown
        for r in rows:
            if r["status"] == "malformed" and shown < MALFORMED_SHOWN:
                shown += 1
                rid = f" (id {r['id']})" if r.get("id") else ""
                click.echo(f"normtok: malformed: {file}:{r['line']}{rid}: {r['reason']}", err=True)
        if writer is not None:
            writer.write(rows)

    try:
        report = run_audit(source, opts, on_rows, meter)
    finally:
        meter.close()
        if writer is not None:
            writer.close()
    if report.malformed_count > shown:
        click.echo(f"normtok: malformed: {report.malformed_count - shown:,} more malformed records not shown"
                   + (f" (all are in {out})" if out else " (use --out to list all)"), err=True)
    for flag in report.flags:
        click.echo(f"normtok: warning: {flag}", err=True)
    code = report.exit_code(max_discrepancy)
    t = report.total
    if code == 1:
        click.echo(f"normtok: audit failed: {t.statuses['over']:,} records over-billed (+{t.over_tokens:,} tokens), "
                   f"{t.statuses['under']:,} under-billed (-{t.under_tokens:,}): {report.discrepancy_pct:.4g}% of "
                   f"the verified billed tokens, above --max-discrepancy {max_discrepancy:g}%", err=True)
    if not t.records:
        click.echo(f"normtok: warning: {file} holds no records", err=True)
    elif not t.verified_billed:
        click.echo("normtok: warning: no record could be verified", err=True)

    if fmt == "json":
        emit([], fmt, document=document(report, max_discrepancy, out, with_nt))
    elif fmt == "table":
        print_tables(report, with_nt)
    else:
        emit(summary_rows(report), fmt, columns=["model", "tokenizer_id", "chat_format", "records", *STATUSES,
                                                 "billed_prompt", "billed_completion", "billed_total",
                                                 "verified_billed", "expected", "over_tokens", "under_tokens",
                                                 "discrepancy_pct", "median_prompt_diff", "unverifiable_tokens",
                                                 "unverifiable_pct", "cached_tokens"])
    if code:
        sys.exit(code)


def parse_tokenizer_files(values: tuple[str, ...], default_model: str | None) -> dict[str, str]:
    """``[MODEL=]PATH`` options -> tokenizer id -> path (unknown models and missing files are usage errors)."""
    import os

    out: dict[str, str] = {}
    for value in values:
        model, sep, path = value.partition("=")
        if not sep or os.path.exists(value):  # a path that happens to contain '='
            model, path = default_model or "", value
            if not model:
                raise NormtokError(f"--tokenizer-file {value}: say which model it is for (MODEL=PATH) or give --model")
        if not os.path.isfile(path):
            raise NormtokError(f"--tokenizer-file {value}: no such file: {path}")
        tid = resolve(model).id  # unknown model: an error with suggestions
        if out.get(tid, path) != path:
            raise NormtokError(f"--tokenizer-file: two files given for {tid}")
        out[tid] = path
    return out


def _same_file(a: str, b: str) -> bool:
    import os

    try:
        return os.path.samefile(a, b)
    except OSError:
        return False

