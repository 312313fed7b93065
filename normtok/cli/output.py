"""One renderer for every verb: ``--format table|json|csv|jsonl``.

Machine formats go to stdout and nothing else does; tables are for people.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO, TypeVar

import click

FORMATS = ("table", "json", "csv", "jsonl")
F = TypeVar("F", bound=Callable[..., Any])


def format_option(default: str = "table", choices: Sequence[str] = FORMATS) -> Callable[[F], F]:
    """The shared ``--format`` option."""
    return click.option(
        "--format", "fmt", type=click.Choice(list(choices)), default=default, show_default=True,
        help="Output format: a table for people, json/csv/jsonl for programs.",
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def _is_number(value: Any) -> bool:
    if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return True
    return isinstance(value, str) and value.replace(".", "", 1).replace(",", "").lstrip("-").isdigit()


def render_table(rows: Sequence[dict[str, Any]], columns: Sequence[str], headers: Sequence[str] | None = None) -> str:
    """Aligned plain-text table; numbers right-aligned."""
    headers = list(headers or columns)
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    widths = [max([len(h)] + [len(row[i]) for row in cells]) for i, h in enumerate(headers)]
    numeric = [bool(rows) and all(_is_number(r.get(c)) for r in rows) for c in columns]
    def line(values: Sequence[str]) -> str:
        return "  ".join(v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric)).rstrip()
    out = [line(headers), "  ".join("-" * w for w in widths)]
    out += [line(row) for row in cells]
    return "\n".join(out) + "\n"


def _plain(value: Any) -> Any:
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=isinstance(value, dict))
    return value


_SURROGATE = re.compile("[\ud800-\udfff]")


def _json(value: Any, indent: int | None = None) -> str:
    """JSON text that is valid UTF-8 even for a file name that is not.

    A name with the byte FF arrives as the lone surrogate U+DCFF (surrogateescape). Written raw, it
    makes the whole document undecodable; written as the escape backslash-u-dcff, Python's json reads
    it back to the same name (os.fsencode gives the original bytes).
    """
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) if _SURROGATE.search(text) else text


def emit(
    rows: Sequence[dict[str, Any]],
    fmt: str,
    columns: Sequence[str] | None = None,
    headers: Sequence[str] | None = None,
    document: Any = None,
    stream: TextIO | None = None,
) -> None:
    """Write ``rows`` in ``fmt``. For ``json``, ``document`` (if given) is written instead of the rows list."""
    stream = stream or sys.stdout
    columns = list(columns or (rows[0].keys() if rows else []))
    if fmt == "json":
        stream.write(_json(rows if document is None else document, indent=2) + "\n")
    elif fmt == "jsonl":
        for r in rows:
            stream.write(_json(r) + "\n")
    elif fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(columns)
        for r in rows:
            writer.writerow([_plain(r.get(c)) for c in columns])
        stream.write(buf.getvalue())
    elif fmt == "table":
        stream.write(render_table(rows, columns, headers))
    else:  # pragma: no cover - click validates choices
        raise click.BadParameter(f"unknown format {fmt!r}")
    stream.flush()
