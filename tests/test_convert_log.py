"""``normtok convert --input LOG``: every record of a usage log converted, malformed ones kept with their line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from normtok import tables as tables_lib


def _single(amount: float, src: str, dst: str, cls: str | None = None) -> tables_lib.Conversion:
    return tables_lib.load().convert(amount, src, dst, cls)


def _jsonl(path: Path, records: list[object]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records), encoding="utf-8")
    return path


def test_every_record_is_a_row_and_malformed_ones_keep_their_line(cli, tmp_path: Path):
    log = _jsonl(tmp_path / "usage.jsonl", [
        {"id": "a", "amount": 1000, "from": "gpt-4o", "class": "en"},
        {"id": "b", "amount": 2500, "from": "deepseek-v3", "to": "gpt-4o", "class": "zh-Hans"},
        {"id": "c", "amount": -3, "from": "gpt-4o"},
        "not json",
        {"id": "e", "amount": True, "from": "gpt-4o"},
        {"id": "f", "amount": 10, "from": "claude-sonnet-4"},
        {"id": "g", "amount": 10, "from": "gpt-4o", "class": "xx"},
        {"id": "h", "amount": 7},
    ])
    rc, out, err = cli("convert", "--input", str(log), "--to", "nt", "--format", "jsonl")
    assert rc == 2
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["line"] for r in rows] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert [r["id"] for r in rows] == ["a", "b", "c", None, "e", "f", "g", "h"]
    a, b = _single(1000, "gpt-4o", "nt", "en"), _single(2500, "deepseek-v3", "gpt-4o", "zh-Hans")
    assert (rows[0]["estimate"], rows[0]["low_90"], rows[0]["high_90"]) == (a.estimate, a.low, a.high)
    assert (rows[1]["to"], rows[1]["estimate"], rows[1]["error"]) == ("openai/o200k_base", b.estimate, None)
    assert rows[0]["from_sha256"] == a.from_sha256 and rows[0]["to_sha256"] is None
    errors = {r["line"]: r["error"] for r in rows if r["error"]}
    assert set(errors) == {3, 4, 5, 6, 7, 8}
    assert ">= 0" in errors[3] and "not valid JSON" in errors[4] and "must be a number" in errors[5]
    assert "no conversion table" in errors[6] and "unknown class 'xx'" in errors[7]
    assert "no 'from' field and no --from option" in errors[8]
    for line in errors:
        assert f"line {line}:" in err
    assert "8 records, 2 converted, 6 with errors" in err


def test_csv_log_with_options_filling_missing_fields(cli, tmp_path: Path):
    log = tmp_path / "usage.csv"
    log.write_text('id,amount,class,to\nr1,"1,200",en,\nr2,300,ja/prose,deepseek-v3\n', encoding="utf-8")
    rc, out, err = cli("convert", "--input", str(log), "--from", "gpt-4o", "--to", "nt", "--format", "json")
    assert rc == 0, err
    doc = json.loads(out)
    assert doc["schema"] == "normtok.convert-log/1"
    r1, r2 = doc["rows"]
    assert (r1["line"], r1["amount"], r1["to"], r1["class"]) == (2, 1200.0, "nt", "en")
    assert (r2["line"], r2["to"], r2["class"]) == (3, "deepseek/v3", "ja/prose")
    assert r2["estimate"] == _single(300, "gpt-4o", "deepseek-v3", "ja/prose").estimate
    totals = {(t["from"], t["to"]): t for t in doc["summary"]["totals"]}
    assert totals["openai/o200k_base", "nt"]["estimate"] == r1["estimate"]
    assert doc["summary"] == {**doc["summary"], "records": 2, "converted": 2, "errors": 0}


def test_stdin_and_parquet_logs(cli, tmp_path: Path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    records = [{"amount": 100.0, "from": "gpt-4o", "to": "nt", "class": "fr"},
               {"amount": 5.0, "from": "nt", "to": "llama-3.1-8b", "class": "code"}]
    rc, out, err = cli("convert", "--input", "-", "--format", "csv",
                       input="".join(json.dumps(r) + "\n" for r in records))
    assert rc == 0, err
    assert out.splitlines()[0].startswith("line,id,amount,from,to,class,estimate")
    pq.write_table(pa.Table.from_pylist(records), tmp_path / "u.parquet")
    rc, out2, err = cli("convert", "--input", str(tmp_path / "u.parquet"), "--format", "csv")
    assert rc == 0, err
    assert out2 == out


def test_too_many_errors_are_counted_on_stderr_but_all_kept_as_rows(cli, tmp_path: Path):
    log = _jsonl(tmp_path / "bad.jsonl", [{"amount": "x"}] * 25)
    rc, out, err = cli("convert", "--input", str(log), "--from", "gpt-4o", "--to", "nt", "--format", "jsonl")
    assert rc == 2
    assert len(out.splitlines()) == 25
    assert err.count("must be a number") == 20 and "5 more records with errors" in err


@pytest.mark.parametrize("args, message", [([], "give either AMOUNT or --input"),
                                           (["5", "--input", "x.jsonl"], "give either AMOUNT or --input"),
                                           (["5", "--to", "nt"], "missing option --from")])
def test_usage_errors(cli, args, message):
    rc, out, err = cli("convert", *args)
    assert rc == 2 and out == "" and message in err


def test_a_converter_resolves_once_and_converts_like_convert():
    t = tables_lib.load()
    apply = t.converter("gpt-4o", "deepseek-v3", "ja/ui")
    for amount in (0, 1, 12_345, 2.5e9):
        assert apply(amount) == t.convert(amount, "gpt-4o", "deepseek-v3", "ja/ui")
    with pytest.raises(tables_lib.NormtokError, match=">= 0"):
        apply(-1)
    with pytest.raises(tables_lib.NormtokError, match="unknown class"):
        t.converter("gpt-4o", "nt", "xx")
