"""``normtok nt`` (NT-1 of files) and ``normtok spec`` (calibrate, measure, vectors)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from .. import __version__
from .. import nt as ntmod
from ..engine import Problem, decode, discover, is_binary, read_source
from ..errors import InputDecodeError, NormtokError
from .output import emit, format_option
from .paths import check_paths, no_stdin, writable_dir

NT_SCHEMA = "normtok.nt/1"
SPEC_DIR = Path(__file__).resolve().parent.parent.parent / "spec"


def _spec_dir() -> Path:
    """The repository's spec/ directory (absent when normtok is installed from a wheel)."""
    if not SPEC_DIR.is_dir():
        raise NormtokError(f"no spec/ directory at {SPEC_DIR}: run from a checkout, or give --dir/--output")
    return SPEC_DIR


@click.command("nt")
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@click.option("-t", "--text", "texts", multiple=True, metavar="STRING", help="Compute NT of STRING (repeatable).")
@click.option("--explain", is_flag=True, help="Show the runs and what each contributes (one input only).")
@click.option("--include", multiple=True, metavar="GLOB", help="Only files matching GLOB (repeatable).")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip files and directories matching GLOB.")
@click.option("--errors", type=click.Choice(["strict", "replace"]), default="strict", show_default=True,
              help="Invalid UTF-8: report it (strict) or substitute U+FFFD (replace).")
@format_option()
def nt_command(paths: tuple[str, ...], texts: tuple[str, ...], explain: bool, include: tuple[str, ...],
               exclude: tuple[str, ...], errors: str, fmt: str) -> None:
    """NT-1 (normalized tokens) of files, directories, stdin ('-') or --text strings.

    NT is computed from the text alone (spec/nt-1.md): no tokenizer, no vocabulary. Values are
    exact; 'nt' is the decimal form of 'nt_milli' (thousandths). Exit 2 if an input could not be read.
    """
    if not paths and not texts:
        if no_stdin():
            raise click.UsageError("give one or more PATHs, '-' for stdin, or --text STRING")
        paths = ("-",)
    check_paths(paths)
    problems: list[Problem] = []
    inputs: list[tuple[str, str, int]] = []
    for i, t in enumerate(texts):
        # An argument that is not UTF-8 reaches Python as lone surrogates (surrogateescape): decode its
        # original bytes like a file's, so it is an error with its byte offset (or U+FFFD with --errors replace).
        raw = os.fsencode(t)
        try:
            inputs.append((f"--text[{i}]", decode(raw, f"--text[{i}]", errors), len(raw)))
        except InputDecodeError as exc:
            problems.append(Problem(f"--text[{i}]", "error", str(exc).split(": ", 1)[1]))
    found = discover(paths, include, exclude) if paths else None
    problems += list(found.problems) if found else []
    for src in found.sources if found else []:
        try:
            data = read_source(src)
        except OSError as exc:
            problems.append(Problem(src.name, "error", exc.strerror or str(exc)))
            continue
        if is_binary(data):
            problems.append(Problem(src.name, "skipped", "binary file (NUL byte)"))
            continue
        try:
            inputs.append((src.name, decode(data, src.name, errors), len(data)))
        except InputDecodeError as exc:
            problems.append(Problem(src.name, "error", str(exc).split(": ", 1)[1]))
    for p in problems:
        click.echo(f"normtok: {'skipped' if p.kind == 'skipped' else 'error'}: {p.name}: {p.reason}", err=True)
    if not inputs and not problems:
        click.echo("normtok: warning: no input files (directories empty, or nothing matched --include/--exclude)",
                   err=True)
    if explain:
        if len(inputs) != 1:
            raise NormtokError("--explain needs exactly one input")
        _explain(inputs[0][1], fmt)
    else:
        _report(inputs, fmt, errors, problems)
    if any(p.kind == "error" for p in problems):
        sys.exit(2)


def _report(inputs: list[tuple[str, str, int]], fmt: str, errors: str = "strict",
            problems: list[Problem] | None = None) -> None:
    values = ntmod.nt_milli_many([t for _, t, _ in inputs])
    rows: list[dict[str, Any]] = [
        {"kind": "file", "path": name, "chars": len(text), "bytes": size, "nt": ntmod.format_nt(v), "nt_milli": v}
        for (name, text, size), v in zip(inputs, values)
    ]
    total = {"kind": "total", "path": None, "chars": sum(r["chars"] for r in rows),
             "bytes": sum(r["bytes"] for r in rows), "nt_milli": sum(values)}
    total["nt"] = ntmod.format_nt(total["nt_milli"])
    if fmt == "json":
        emit([], fmt, document={
            "schema": NT_SCHEMA, "normtok_version": __version__, "nt_version": ntmod.NT_VERSION,
            "unicode_version": ntmod.unicode_version(), "nt_implementation": ntmod.implementation(),
            "decode_errors": errors,
            "files": [{k: r[k] for k in ("path", "chars", "bytes", "nt", "nt_milli")} for r in rows],
            "totals": {"files": len(rows), **{k: total[k] for k in ("chars", "bytes", "nt", "nt_milli")}},
            # As in normtok.count/1: an input that was not measured is listed, never just absent.
            "skipped": [{"path": p.name, "reason": p.reason} for p in problems or [] if p.kind == "skipped"],
            "errors": [{"path": p.name, "reason": p.reason} for p in problems or [] if p.kind == "error"],
        })
    elif fmt == "table":
        if len(rows) != 1:
            rows.append({**total, "path": f"TOTAL ({len(rows)} inputs)"})
        emit(rows, fmt, columns=["path", "chars", "bytes", "nt"], headers=["path", "chars", "bytes",
                                                                           ntmod.NT_VERSION])
    else:
        emit(rows + [total], fmt, columns=["kind", "path", "chars", "bytes", "nt", "nt_milli"])


def _explain(text: str, fmt: str) -> None:
    runs = ntmod.explain(text)
    rows = [{"run": i + 1, "text": r.text, "codepoints": " ".join(f"U+{ord(c):04X}" for c in r.text),
             "class": r.cls, "weights": r.weight, "run_weight": r.run_weight, "milli": r.milli}
            for i, r in enumerate(runs)]
    total = sum(r.milli for r in runs)
    if fmt == "json":
        emit([], fmt, document={"nt_version": ntmod.NT_VERSION, "runs": rows, "nt_milli": total,
                                "nt": ntmod.format_nt(total)})
        return
    if fmt == "table":
        shown = [{**r, "text": json.dumps(r["text"], ensure_ascii=False)[1:-1]} for r in rows]
        shown.append({"run": None, "text": "TOTAL", "class": None, "weights": None, "run_weight": None,
                      "milli": total})
        emit(shown, fmt, columns=["run", "text", "class", "weights", "run_weight", "milli"])
        click.echo(f"{ntmod.format_nt(total)} NT ({ntmod.NT_VERSION})")
        return
    emit(rows, fmt, columns=["run", "text", "codepoints", "class", "weights", "run_weight", "milli"])


@click.group()
def spec() -> None:
    """The NT-1 specification: re-derive its constants, check its vectors, measure it."""


@spec.command("calibrate")
@click.option("--corpus", "root", type=click.Path(exists=True, file_okay=False), default=None,
              help="Corpus root (default: the repository's corpora/, or $NORMTOK_CORPUS).")
@format_option()
def calibrate_command(root: str | None, fmt: str) -> None:
    """Re-derive the NT-1 constants from corpus v1's calibration split; exit 1 if any differs.

    The procedure is spec/calibration.md (normtok/calibrate.py): policy values, the letter/word
    split, a fit to the anchor tokenizers, the English-prose scale, and script weights from
    parallel text. Always corpus v1 (NT-1's frozen constants come from it), whatever the latest
    corpus version is. Progress goes to stderr.
    """
    from .. import calibrate
    from ..corpus import CorpusError

    click.echo("normtok: deriving NT-1 constants from the calibration split...", err=True)
    try:
        result = calibrate.calibrate(root)
    except CorpusError as exc:
        raise NormtokError(str(exc)) from exc
    rows = calibrate.compare(result)
    if fmt == "json":
        emit([], fmt, document={"nt_version": ntmod.NT_VERSION, "rho": result.rho, "scale": result.scale,
                                "documents": result.documents, "provenance": result.provenance,
                                "constants": rows, "match": all(r["match"] for r in rows)})
    else:
        emit(rows, fmt, columns=["constant", "frozen", "derived", "unrounded", "source", "match"])
    bad = [r["constant"] for r in rows if not r["match"]]
    if bad:
        click.echo(f"normtok: {len(bad)} constant(s) differ from the frozen NT-1 values: {', '.join(bad)}", err=True)
        sys.exit(1)
    click.echo(f"normtok: all {len(rows)} constants match {ntmod.NT_VERSION} "
               f"(rho={result.rho}, scale={result.scale:.4f})", err=True)


@spec.command("vectors")
@click.option("--check/--write", "check", default=True, show_default=True,
              help="Check spec/vectors/*.json against this implementation, or regenerate them.")
@click.option("--dir", "directory", type=click.Path(file_okay=False), default=None,
              help="Vector directory (default: the repository's spec/vectors).")
@format_option()
def vectors_command(check: bool, directory: str | None, fmt: str) -> None:
    """Check (default) or write the NT-1 test vectors. Exit 1 if any vector fails."""
    from .. import calibrate

    vdir = Path(directory) if directory else _spec_dir() / "vectors"
    if not check:
        written = calibrate.write_vectors(writable_dir(vdir, "--dir"))
        emit([{"file": str(p), "cases": n} for p, n in written], fmt)
        return
    files = sorted(vdir.glob("*.json"))
    if not files:
        raise NormtokError(f"no vector files in {vdir}")
    rows, failed = [], 0
    for path in files:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            cases = doc["cases"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise NormtokError(f"{path}: not a vector file ({exc})") from exc
        if doc.get("nt_version") != ntmod.NT_VERSION:
            raise NormtokError(f"{path}: vectors are for {doc.get('nt_version')!r}, this is {ntmod.NT_VERSION}")
        if not isinstance(cases, list):
            raise NormtokError(f"{path}: 'cases' must be a list of test vectors")
        for i, c in enumerate(cases):
            if not (isinstance(c, dict) and isinstance(c.get("input"), str) and type(c.get("nt_milli")) is int):
                raise NormtokError(f"{path}: cases[{i}] is not a test vector (needs 'input': string, "
                                   "'nt_milli': integer)")
        got = ntmod.nt_milli_many([c["input"] for c in cases])
        bad = [(c, g) for c, g in zip(cases, got) if g != c["nt_milli"] or ntmod.nt_milli_reference(c["input"]) != g]
        failed += len(bad)
        rows.append({"file": path.name, "cases": len(cases), "passed": len(cases) - len(bad), "failed": len(bad)})
        for c, g in bad:
            click.echo(f"normtok: FAIL {path.name} {c.get('id', '?')}: expected {c['nt_milli']}, got {g}", err=True)
    emit(rows, fmt)
    if failed:
        sys.exit(1)


@spec.command("measure")
@click.option("--output", type=click.Path(dir_okay=False), default=None,
              help="Where to write the report (default: the repository's spec/measurements.md; '-' for stdout).")
@click.option("--speed/--no-speed", default=True, show_default=True, help="Include the speed measurement.")
@click.option("--corpus", "root", type=click.Path(exists=True, file_okay=False), default=None,
              help="Corpus root (default: the repository's corpora/).")
@format_option()
def measure_command(output: str | None, speed: bool, root: str | None, fmt: str) -> None:
    """Measure NT-1 against its targets on corpus v1 and write spec/measurements.md.

    Scale (English prose, anchor tokenizers), parity across languages (parallel groups), the
    coefficient of variation of tokens/NT per (language, domain) class for every registered
    tokenizer, and speed against o200k counting. stdout gets the target summary.
    """
    from .. import calibrate
    from ..corpus import CorpusError

    dest = _spec_dir() / "measurements.md" if output is None else output
    if dest == "-" and fmt != "table":
        raise click.UsageError("--output - writes the Markdown report to stdout; with --format "
                               f"{fmt} give --output FILE (the target summary is then written to stdout as {fmt})")
    if dest != "-":
        writable_dir(Path(dest).parent, "--output")  # before the measurement, not after it
    click.echo("normtok: measuring NT-1 on the corpus (every registered tokenizer)...", err=True)
    try:
        report = calibrate.measure(root=root, speed=speed, progress=lambda m: click.echo(f"normtok: {m}", err=True))
    except CorpusError as exc:
        raise NormtokError(str(exc)) from exc
    text = calibrate.render_measurements(report)
    if dest == "-":
        click.echo(text, nl=False)
    else:
        try:
            Path(dest).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise NormtokError(f"cannot write {dest}: {exc.strerror or exc}") from exc
        click.echo(f"normtok: wrote {dest}", err=True)
    if dest != "-":
        emit(report["targets"], fmt, columns=["target", "goal", "measured", "met"])
