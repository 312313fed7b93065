"""The published tables imported the way a billing system does: pyarrow, Python's csv module, json.

Why: spec/tables/README.md tells a billing engineer how to import the tables (check every file's
SHA-256 against metadata.json, key rows by tokenizer SHA-256 and class, refuse a mismatched
tokenizer). These tests follow that recipe literally on the committed files, so a build that breaks
an importer (a type that differs between formats, a duplicate key, an unlisted file) fails here.
"""

from __future__ import annotations

import csv
import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from normtok import tables

BASE = Path(__file__).resolve().parents[1] / "spec" / "tables"
TABLES = ("ratios", "pairs", "documents", "evaluation")
#: Tables whose rows carry nt_version, corpus_version and the tokenizer's SHA-256 (README: Files).
PROVENANCE_TABLES = ("ratios", "pairs", "documents")


@cache
def metadata() -> dict[str, Any]:
    return json.loads((BASE / "metadata.json").read_text(encoding="utf-8"))


@cache
def arrow_schema() -> dict[str, Any]:
    return json.loads((BASE / "schema.arrow.json").read_text(encoding="utf-8"))


@cache
def json_rows(name: str) -> list[dict[str, Any]]:
    return json.loads((BASE / f"{name}.json").read_text(encoding="utf-8"))["rows"]


@cache
def parquet_rows(name: str) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    return pq.read_table(BASE / f"{name}.parquet").to_pylist()


def csv_rows(name: str) -> list[dict[str, Any]]:
    """CSV cells typed by the Arrow schema, as an importer would: empty = null."""
    cast = {"string": str, "int64": int, "float64": float}
    types = {c["name"]: cast[c["type"]] for c in arrow_schema()["tables"][name]}
    with open(BASE / f"{name}.csv", newline="", encoding="utf-8") as fh:
        return [{k: None if v == "" else types[k](v) for k, v in row.items()} for row in csv.DictReader(fh)]


# --- step 1: check metadata.json -> files against the SHA-256 of the files you import --------------

def test_every_published_file_is_listed_with_its_sha256() -> None:
    files = metadata()["files"]
    on_disk = {p.name for p in BASE.iterdir() if p.is_file()} - {"metadata.json", "README.md"}
    assert set(files) == on_disk  # nothing a billing system imports escapes the check
    for name, digest in files.items():
        assert hashlib.sha256((BASE / name).read_bytes()).hexdigest() == digest, name


# --- the three formats: same rows, types as the schemas say -------------------------------------------

@pytest.mark.parametrize("name", TABLES)
def test_parquet_schema_is_the_published_arrow_schema(name: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pq.read_schema(BASE / f"{name}.parquet")
    types = {"string": pa.string(), "int64": pa.int64(), "float64": pa.float64()}
    published = arrow_schema()["tables"][name]
    assert [(f.name, f.type, f.nullable) for f in schema] == [
        (c["name"], types[c["type"]], c["nullable"]) for c in published]
    provenance = json.loads(schema.metadata[b"normtok"])
    assert provenance["table"] == name
    assert {k: provenance[k] for k in ("nt_version", "corpus_version", "registry_version")} == {
        k: metadata()[k] for k in ("nt_version", "corpus_version", "registry_version")}


@pytest.mark.parametrize("name", TABLES)
def test_parquet_csv_and_json_hold_the_same_rows(name: str) -> None:
    pq_rows, js_rows, cs_rows = parquet_rows(name), json_rows(name), csv_rows(name)
    assert len(pq_rows) == len(js_rows) == len(cs_rows) > 0
    columns = [c["name"] for c in arrow_schema()["tables"][name]]
    for i, (a, b, c) in enumerate(zip(pq_rows, js_rows, cs_rows)):
        assert list(a) == list(b) == list(c) == columns, i
        assert a == b == c, (name, i)
    # JSON numbers have the schema's type too (an integer column never holds 3.0)
    for c in arrow_schema()["tables"][name]:
        want = {"string": str, "int64": int, "float64": (int, float)}[c["type"]]
        values = [r[c["name"]] for r in js_rows]
        assert all(v is None if v is None else isinstance(v, want) and not isinstance(v, bool) for v in values)
        assert c["nullable"] or None not in values, c["name"]


def test_json_files_validate_against_the_published_json_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")  # a declared test dependency
    schema = json.loads((BASE / "schema.json").read_text(encoding="utf-8"))
    for name in TABLES:
        jsonschema.validate(json.loads((BASE / f"{name}.json").read_text(encoding="utf-8")), schema)


# --- step 2: key rows by SHA-256 and class -----------------------------------------------------------

def test_exactly_one_ratios_row_per_tokenizer_sha256_and_class() -> None:
    shas = [t["sha256"] for t in metadata()["tokenizers"]]
    classes = [c["class"] for c in metadata()["classes"]]
    assert len(set(shas)) == len(shas)  # a SHA-256 names one tokenizer
    keys = [(r["tokenizer_sha256"], r["class"]) for r in json_rows("ratios")]
    assert len(keys) == len(set(keys)) == len(shas) * len(classes)
    assert set(keys) == {(s, c) for s in shas for c in classes}


def test_exactly_one_pairs_row_per_ordered_sha256_pair_and_class() -> None:
    shas = [t["sha256"] for t in metadata()["tokenizers"]]
    classes = [c["class"] for c in metadata()["classes"]]
    keys = [(r["from_sha256"], r["to_sha256"], r["class"]) for r in json_rows("pairs")]
    assert len(keys) == len(set(keys)) == len(shas) * (len(shas) - 1) * len(classes)
    assert all(a != b for a, b, _ in keys)


@pytest.mark.parametrize("name", PROVENANCE_TABLES)
def test_rows_carry_the_metadata_versions_and_tokenizer_sha256(name: str) -> None:
    meta = metadata()
    sha = {t["id"]: t["sha256"] for t in meta["tokenizers"]}
    for r in json_rows(name):
        assert (r["nt_version"], r["corpus_version"]) == (meta["nt_version"], meta["corpus_version"])
        if name == "pairs":
            assert (r["from_sha256"], r["to_sha256"]) == (sha[r["from_tokenizer_id"]], sha[r["to_tokenizer_id"]])
        else:
            assert r["tokenizer_sha256"] == sha[r["tokenizer_id"]]


# --- the recipe, literally, against normtok's own conversion ------------------------------------------

class MismatchedTokenizer(Exception):
    pass


@cache
def _indexes() -> tuple[dict[tuple[str, str], dict[str, Any]], dict[tuple[str, str, str], dict[str, Any]]]:
    return ({(r["tokenizer_sha256"], r["class"]): r for r in json_rows("ratios")},
            {(r["from_sha256"], r["to_sha256"], r["class"]): r for r in json_rows("pairs")})


def recipe_convert(x: float, from_sha: str | None, to_sha: str | None, cls: str) -> tuple[float, float, float]:
    """spec/tables/README.md 'Importing into a billing system' as a billing engineer writes it (None = NT)."""
    ratios, pairs = _indexes()
    known = {t["sha256"] for t in metadata()["tokenizers"]}
    for sha in (from_sha, to_sha):
        if sha is not None and sha not in known:
            raise MismatchedTokenizer(sha)
    if from_sha is None:
        r = ratios[to_sha, cls]
        return x * r["ratio"], x * r["interval_low"], x * r["interval_high"]
    if to_sha is None:
        r = ratios[from_sha, cls]
        return x / r["ratio"], x / r["interval_high"], x / r["interval_low"]
    r = pairs[from_sha, to_sha, cls]
    return x * r["factor"], x * r["interval_low"], x * r["interval_high"]


@pytest.mark.parametrize(("a", "b"), [("gpt-4o", "deepseek-v3"), ("nt", "llama-3.1-8b"), ("mistral-nemo", "nt"),
                                      ("ai21/j2", "qwen/qwen3.5")])
def test_normtok_convert_equals_the_import_recipe_for_every_class(a: str, b: str) -> None:
    t = tables.load()
    sha = {u: None if u == "nt" else t.tokenizer_sha256(t.resolve_unit(u)) for u in (a, b)}
    for cls in t.classes():
        c = t.convert(125_000, a, b, cls)
        expected = recipe_convert(125_000, sha[a], sha[b], cls)
        assert (c.estimate, c.low, c.high) == pytest.approx(expected, rel=1e-12), cls
        assert (c.from_sha256, c.to_sha256) == (sha[a], sha[b])


def test_the_recipe_refuses_a_tokenizer_the_tables_were_not_measured_with() -> None:
    other = hashlib.sha256(b"a tokenizer file that differs by one byte").hexdigest()
    with pytest.raises(MismatchedTokenizer):
        recipe_convert(1000, other, None, "en")
