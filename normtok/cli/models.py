"""``normtok models``: every registered tokenizer, what it serves, where its files come from."""

from __future__ import annotations

import click

from ..registry import entries, registry_version
from .output import emit, format_option


@click.command()
@click.option("--available", is_flag=True, help="Only tokenizers whose vocab is available here.")
@format_option()
def models(available: bool, fmt: str) -> None:
    """List every registered tokenizer: id, vendor, models served, format, source, SHA-256, status."""
    rows = []
    for e in entries().values():
        if available and not e.available:
            continue
        rows.append({
            "id": e.id, "vendor": e.vendor, "format": e.format, "status": e.status,
            "models": list(e.models), "sha256": e.sha256,
            "source": e.files[0].source() if e.files else None,
            "alternate_files": [{"source": f.source(), "sha256": f.sha256} for f in e.alternate_files],
            "normalization": e.normalization, "mapping_source": e.mapping_source, "notes": e.notes,
        })
    if fmt == "table":
        table = [{**r, "models": ", ".join(r["models"][:4]) + (" ..." if len(r["models"]) > 4 else ""),
                  "sha256": (r["sha256"] or "")[:12]} for r in rows]
        emit(table, fmt, columns=["id", "vendor", "format", "status", "sha256", "models"])
    else:
        emit(rows, fmt, document={"schema": "normtok.models/1", "registry_version": registry_version(),
                                  "tokenizers": rows})
