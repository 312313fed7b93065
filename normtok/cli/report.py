"""``normtok report``: render the divergence report (HTML + PNG plots) from the published tables."""

from __future__ import annotations

import click

from .. import report as report_lib
from .. import tables as tables_lib
from .output import emit, format_option
from .paths import writable_dir


@click.command()
@click.option("--out", "out", type=click.Path(file_okay=False), default="normtok-report", show_default=True,
              help="Directory to write index.html and the PNG plots to.")
@click.option("--tables", "directory", type=click.Path(file_okay=False), default=None,
              help="Tables directory (default: the published tables).")
@format_option()
def report(out: str, directory: str | None, fmt: str) -> None:
    """Render the divergence report: tokens/NT heatmaps by language and domain, parity, spread.

    The page needs only a browser (no scripts, no network); open OUT/index.html.
    """
    tables = tables_lib.load(directory)
    files = report_lib.render(writable_dir(out, "--out"), tables)
    click.echo(f"normtok: report written: {files[-1]}", err=True)
    emit([{"file": str(p)} for p in files], fmt, columns=["file"])
