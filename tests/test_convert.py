"""``normtok convert`` and ``normtok compare``: estimates with intervals, prices, and every error path."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

import normtok
from normtok import prices, tables
from normtok.errors import NormtokError

from .test_tables import synthetic_tables

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_PRICES = REPO / "examples" / "prices.example.json"


@pytest.fixture
def tdir(tmp_path: Path) -> Path:
    synthetic_tables(tmp_path / "tables")
    return tmp_path / "tables"


@pytest.fixture
def t(tdir: Path) -> tables.Tables:
    return tables.Tables(tdir)


# --- convert: the API ---------------------------------------------------------------------------

def test_nt_to_tokens_uses_the_ratio_row(t) -> None:  # noqa: ANN001
    c = t.convert(10_000, "nt", "llama-3.1-8b", "ja")
    row = t.ratio_row("meta/llama3", "ja")
    assert (c.from_unit, c.to_unit, c.cls, c.class_kind) == ("nt", "meta/llama3", "ja", "language")
    assert c.estimate == pytest.approx(10_000 * row["ratio"])
    assert (c.low, c.high) == pytest.approx((10_000 * row["interval_low"], 10_000 * row["interval_high"]))
    assert c.low < c.estimate < c.high and not c.exact
    assert [r["table"] for r in c.rows] == ["ratios"] and c.rows[0]["tokenizer_sha256"] == c.to_sha256


def test_tokens_to_nt_inverts_the_ratio_and_its_interval(t) -> None:  # noqa: ANN001
    c = t.convert(5_000, "gpt-4o", "nt", "en")
    row = t.ratio_row("openai/o200k_base", "en")
    assert c.estimate == pytest.approx(5_000 / row["ratio"])
    assert c.low == pytest.approx(5_000 / row["interval_high"]) and c.high == pytest.approx(5_000 / row["interval_low"])


def test_tokenizer_to_tokenizer_uses_the_measured_pair(t) -> None:  # noqa: ANN001
    c = t.convert(1_000, "gpt-4o", "meta/llama3", "agent")
    pair = t.pair_row("openai/o200k_base", "meta/llama3", "agent")
    assert c.estimate == pytest.approx(1_000 * pair["factor"])
    assert c.rows[0]["table"] == "pairs" and c.rows[0]["to_sha256"] == c.to_sha256
    # converting back lands near the start (the tables are consistent both ways)
    back = t.convert(c.estimate, "llama-3.1-8b", "gpt-4o", "agent")
    assert back.estimate == pytest.approx(1_000, rel=1e-4)


def test_same_unit_is_exact(t) -> None:  # noqa: ANN001
    c = t.convert(123, "gpt-4o", "gpt-4.1")
    assert c.exact and c.estimate == c.low == c.high == 123 and c.rows == ()


def test_default_class_is_the_default_profile(t) -> None:  # noqa: ANN001
    assert t.convert(100, "nt", "gpt-4o").cls == t.metadata["default_class"] == "mix"


def test_class_names_are_case_insensitive(t) -> None:  # noqa: ANN001
    assert t.convert(100, "nt", "gpt-4o", "CODE:Python").cls == "code:python"


def test_unknown_class_lists_the_choices(t) -> None:  # noqa: ANN001
    with pytest.raises(NormtokError) as exc:
        t.convert(100, "nt", "gpt-4o", "klingon")
    msg = str(exc.value)
    assert "unknown class 'klingon'" in msg and "language: de, en, hi, ja" in msg and "code:python" in msg
    with pytest.raises(NormtokError, match="Did you mean: code:python"):
        t.convert(100, "nt", "gpt-4o", "code:pyton")


def test_unknown_or_uncovered_model_lists_what_the_tables_cover(t) -> None:  # noqa: ANN001
    with pytest.raises(NormtokError, match="Tables cover: nt, openai/o200k_base, meta/llama3"):
        t.convert(100, "nt", "no-such-model-xyz")
    with pytest.raises(NormtokError, match="no conversion table .*Anthropic publishes no tokenizer"):
        t.convert(100, "claude-sonnet-4", "nt")
    with pytest.raises(NormtokError, match="no conversion table for 'deepseek-v3'"):
        t.convert(100, "deepseek-v3", "nt")  # registered, but not in these tables


def test_tables_of_another_tokenizer_file_are_refused(tmp_path: Path) -> None:
    synthetic_tables(tmp_path, sha={"openai/o200k_base": "0" * 64, "meta/llama3": "1" * 64})
    t = tables.Tables(tmp_path)
    with pytest.raises(NormtokError, match="tokenizer mismatch for openai/o200k_base.*refusing"):
        t.convert(100, "gpt-4o", "nt", "en")


@pytest.mark.parametrize("amount", [-1, float("nan"), float("inf"), "lots"])
def test_bad_amounts_are_errors(t, amount) -> None:  # noqa: ANN001
    with pytest.raises(NormtokError, match="amount must be"):
        t.convert(amount, "nt", "gpt-4o", "en")


def test_module_level_convert_and_load_use_the_env_directory(tdir: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv(tables.ENV_VAR, str(tdir))
    assert tables.default_dir() == tdir
    c = tables.convert(100, "nt", "gpt-4o", cls="en")
    assert c.nt_version == "test-nt" and c.corpus_version == "v1"


# --- convert: the CLI ---------------------------------------------------------------------------

def test_cli_convert_json_matches_the_api(cli, tdir: Path, t) -> None:  # noqa: ANN001
    code, out, err = cli("convert", "125,000", "--from", "gpt-4o", "--to", "llama-3.1-8b", "--class", "ja",
                         "--tables", str(tdir), "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    api = t.convert(125_000, "gpt-4o", "llama-3.1-8b", "ja")
    assert doc["estimate"] == pytest.approx(api.estimate) and doc["interval"] == pytest.approx([api.low, api.high])
    assert doc["level"] == 0.9 and doc["exact"] is False
    assert doc["from_sha256"] == normtok.tokenizer("gpt-4o").sha256
    assert doc["rows_used"][0]["table"] == "pairs" and doc["rows_used"][0]["class"] == "ja"


def test_cli_convert_table_shows_estimate_interval_and_rows(cli, tdir: Path, t) -> None:  # noqa: ANN001
    code, out, _ = cli("convert", "1000", "--from", "nt", "--to", "gpt-4o", "--class", "en", "--tables", str(tdir))
    assert code == 0
    row = t.ratio_row("openai/o200k_base", "en")
    assert f"{1000 * row['ratio']:,.0f}" in out and f"{1000 * row['interval_low']:,.0f}" in out
    assert "rows used" in out and "openai/o200k_base tokens per NT" in out and row["tokenizer_sha256"][:12] in out


def test_cli_convert_csv_is_one_machine_row(cli, tdir: Path) -> None:  # noqa: ANN001
    code, out, _ = cli("convert", "1000", "--from", "nt", "--to", "gpt-4o", "--class", "en", "--tables", str(tdir),
                       "--format", "csv")
    lines = out.strip().splitlines()
    assert code == 0 and len(lines) == 2 and lines[0].startswith("amount,from,to,class,estimate,low_90,high_90")


@pytest.mark.parametrize("args, message", [
    (("100", "--from", "gpt-4o", "--to", "nt", "--class", "zh"), "unknown class 'zh'"),
    (("100", "--from", "gpt-9000-ultra", "--to", "nt"), "Tables cover: nt"),
    (("ten", "--from", "gpt-4o", "--to", "nt"), "AMOUNT must be a number"),
])
def test_cli_convert_errors_exit_2_without_traceback(cli, tdir: Path, args, message) -> None:  # noqa: ANN001
    code, out, err = cli("convert", *args, "--tables", str(tdir))
    assert code == 2 and out == ""
    assert err.startswith("normtok: error:") and message in err and "Traceback" not in err


def test_cli_convert_with_a_language_domain_cell(cli, tdir: Path, t) -> None:  # noqa: ANN001
    code, out, err = cli("convert", "1000", "--from", "gpt-4o", "--to", "llama-3.1-8b", "--class", "hi/ui",
                         "--tables", str(tdir), "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    pair = t.pair_row("openai/o200k_base", "meta/llama3", "hi/ui")
    assert doc["class"] == "hi/ui" and doc["class_kind"] == "language-domain"
    assert doc["estimate"] == pytest.approx(1000 * pair["factor"]) and doc["rows_used"][0]["class"] == "hi/ui"
    # the register matters: hi UI strings and hi prose convert with different factors
    assert t.convert(1000, "nt", "llama-3.1-8b", "hi/ui").estimate < t.convert(1000, "nt", "llama-3.1-8b",
                                                                             "hi/prose").estimate


@pytest.mark.parametrize("cls, message", [
    ("ja/ui", "no class 'ja/ui': the calibration split has no ja documents in ui. Use 'ja'"),
    ("zz/ui", "unknown class 'zz/ui'"),
    ("hi/agent", "cells exist only for natural text"),
])
def test_cli_convert_missing_cell_exits_2_with_a_suggestion(cli, tdir: Path, cls, message) -> None:  # noqa: ANN001
    code, out, err = cli("convert", "100", "--from", "gpt-4o", "--to", "nt", "--class", cls, "--tables", str(tdir))
    assert code == 2 and out == "" and message in err and "Traceback" not in err


def test_cli_convert_without_tables_is_a_clear_error(cli, tmp_path: Path) -> None:
    code, _, err = cli("convert", "1", "--from", "nt", "--to", "gpt-4o", "--tables", str(tmp_path / "none"))
    assert code == 2 and "no published tables" in err


# --- price files --------------------------------------------------------------------------------

def test_example_price_file_is_valid_marked_dated_and_sourced() -> None:
    pf = prices.load(EXAMPLE_PRICES)
    assert pf.example is True and "EXAMPLE" in pf.description and pf.problems == []
    assert len(pf.prices) >= 8
    for p in pf.prices:
        assert p.source.startswith("https://") and p.date[:4].isdigit() and p.currency == "USD"
        normtok.tokenizer(p.model)  # every example model has an exact tokenizer available offline


def test_malformed_price_entries_are_reported_with_lines_and_skipped() -> None:
    text = """{"schema": "normtok.prices/1", "prices": [
  {"model": "gpt-4o", "currency": "USD", "input": 2.5, "output": 10, "date": "2026-10-14", "source": "x"},
  {"model": "gpt-4o-mini", "currency": "usd", "input": -1, "output": 0.6, "date": "yesterday",
   "source": "x"},
  "not an object",
  {"model": "deepseek-chat", "currency": "USD", "input": 0.27, "output": 1.1, "date": "2026-11",
   "source": "x", "colour": "blue"}
]}"""
    pf = prices.parse(text, "p.json")
    assert [p.model for p in pf.prices] == ["gpt-4o"]
    assert len(pf.problems) == 3
    first = str(pf.problems[0])
    assert first.startswith("p.json: prices[1] (line 3)")
    assert "currency" in first and "'input' must be a finite number >= 0" in first and "'date'" in first
    assert "prices[2] (line 5)" in str(pf.problems[1]) and "not an object" in str(pf.problems[1])
    assert "unknown field(s) colour" in str(pf.problems[2])


def test_csv_price_file_reports_line_numbers() -> None:
    text = ("model,currency,input,output,date,source\n"
            "gpt-4o,USD,2.5,10,2026-10-14,https://example.org\n"
            "llama-3.1-8b,USD,abc,0.1,2026-11,https://example.org\n")
    pf = prices.parse(text, "p.csv")
    assert [p.model for p in pf.prices] == ["gpt-4o"]
    assert str(pf.problems[0]).startswith("p.csv: line 3: 'input' must be a number")


def test_price_file_that_is_not_json_is_a_clear_error() -> None:
    with pytest.raises(NormtokError, match="not valid JSON: .* at line 1"):
        prices.parse("{oops", "p.json")


def test_costs_per_million_tokens_and_per_million_nt() -> None:
    p = prices.Price("gpt-4o", "USD", 2.5, 10.0, "2026-10-14", "x", cached_input=1.25)
    c = prices.costs(p, tokens=2_000_000, nt=1_000_000)
    assert c == {"input_cost": 5.0, "cached_input_cost": 2.5, "output_cost": 20.0,
                 "input_per_million_nt": 5.0, "output_per_million_nt": 20.0}


# --- compare ------------------------------------------------------------------------------------

@pytest.fixture
def fake_nt(monkeypatch):  # noqa: ANN201
    """NT as 1/4 token per character (so the test does not depend on NT-1's constants)."""
    monkeypatch.setattr(tables, "_nt_functions", lambda: (lambda ts: [len(t) * 250 for t in ts], "fake-nt"))


TEXT = "Invoices are counted in tokens. 发票按词元计费。\n" * 20


def test_compare_counts_exactly_and_prices_each_model(cli, tmp_path: Path, fake_nt) -> None:  # noqa: ANN001
    f = tmp_path / "prompt.txt"
    f.write_text(TEXT, encoding="utf-8")
    code, out, err = cli("compare", str(f), "--prices", str(EXAMPLE_PRICES), "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["schema"] == "normtok.compare/1" and doc["nt"] == len(TEXT) / 4 and doc["nt_version"] == "fake-nt"
    assert doc["price_file"]["example"] is True and "EXAMPLE price file" in err
    rows = {r["model"]: r for r in doc["models"]}
    pf = prices.load(EXAMPLE_PRICES)
    assert set(rows) == {p.model for p in pf.prices}
    for p in pf.prices:
        r = rows[p.model]
        assert r["tokens"] == normtok.count(TEXT, p.model) and r["exact"] is True
        assert r["input_cost"] == pytest.approx(r["tokens"] * p.input / 1e6)
        assert r["output_cost"] == pytest.approx(r["tokens"] * p.output / 1e6)
        assert r["input_per_million_nt"] == pytest.approx(p.input * r["tokens"] / doc["nt"])
        assert (r["price_date"], r["price_source"], r["currency"]) == (p.date, p.source, p.currency)


def test_compare_without_prices_shows_tokens_and_tokens_per_nt(cli, tmp_path: Path, fake_nt) -> None:  # noqa: ANN001
    f = tmp_path / "a.txt"
    f.write_text(TEXT, encoding="utf-8")
    code, out, _ = cli("compare", str(f), "-m", "gpt-4o", "-m", "deepseek-v3", "--format", "csv")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0] == "model,tokenizer_id,tokens,nt,tokens_per_nt,sha256"
    gpt = lines[1].split(",")
    assert gpt[:3] == ["gpt-4o", "openai/o200k_base", str(normtok.count(TEXT, "gpt-4o"))]
    assert float(gpt[4]) == pytest.approx(int(gpt[2]) / (len(TEXT) / 4))


def test_compare_bad_price_rows_exit_2_but_keep_the_good_ones(cli, tmp_path: Path, fake_nt) -> None:  # noqa: ANN001
    f = tmp_path / "a.txt"
    f.write_text(TEXT, encoding="utf-8")
    pfile = tmp_path / "p.csv"
    pfile.write_text("model,currency,input,output,date,source\n"
                     "gpt-4o,USD,2.5,10,2026-10-14,https://example.org\n"
                     "llama-3.1-8b,USD,,0.1,2026-11,https://example.org\n", encoding="utf-8")
    code, out, err = cli("compare", str(f), "--prices", str(pfile), "--format", "json")
    assert code == 2
    assert "line 3: 'input' is required" in err
    doc = json.loads(out)
    assert [r["model"] for r in doc["models"]] == ["gpt-4o"] and len(doc["errors"]) == 1


def test_compare_price_file_model_without_vocab_is_skipped_visibly(cli, tmp_path: Path, fake_nt) -> None:  # noqa: ANN001
    f = tmp_path / "a.txt"
    f.write_text(TEXT, encoding="utf-8")
    pfile = tmp_path / "p.json"
    pfile.write_text(json.dumps({"schema": "normtok.prices/1", "prices": [
        {"model": "gpt-4o", "currency": "USD", "input": 2.5, "output": 10, "date": "2026-10-14", "source": "s"},
        {"model": "claude-sonnet-4", "currency": "USD", "input": 3, "output": 15, "date": "2026-11", "source": "s"},
    ]}), encoding="utf-8")
    code, out, err = cli("compare", str(f), "--prices", str(pfile), "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert [r["model"] for r in doc["models"]] == ["gpt-4o"]
    assert doc["unavailable"][0]["tokenizer_id"] == "anthropic/claude" and "skipped claude-sonnet-4" in err
    # named explicitly, a model without a tokenizer is an error, never a substitute
    code, out, err = cli("compare", str(f), "-m", "claude-sonnet-4")
    assert code == 2 and "will not substitute" in err


def test_compare_undecodable_input_is_reported_and_others_counted(cli, tmp_path: Path, fake_nt) -> None:  # noqa: ANN001
    (tmp_path / "good.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"ok \xff\xfe")
    code, out, err = cli("compare", str(tmp_path), "-m", "gpt-4o", "--format", "json")
    assert code == 2 and "bad.txt" in err and "byte offset 3" in err
    assert json.loads(out)["models"][0]["tokens"] == normtok.count(TEXT, "gpt-4o")


def test_published_tables_convert_with_the_installed_tokenizers(cli) -> None:  # noqa: ANN001
    c = tables.convert(125_000, "gpt-4o", "deepseek-v3", cls="zh-Hans")
    assert c.from_sha256 == normtok.tokenizer("gpt-4o").sha256
    assert c.to_sha256 == normtok.tokenizer("deepseek-v3").sha256
    assert c.low < c.estimate < c.high and c.nt_version == tables.load().nt_version
    code, out, err = cli("convert", "1000000", "--from", "nt", "--to", "gpt-4o", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["class"] == "chat-global" and doc["class_kind"] == "profile"
    assert doc["rows_used"][0]["tokenizer_sha256"] == normtok.tokenizer("gpt-4o").sha256


# --- convert and compare as a billing engineer uses them ----------------------------------------------

@pytest.mark.parametrize("amount, shown", [("1.5", "1.5"), ("1,234.5", "1,234.5"), ("125,000", "125,000"),
                                           ("0.0001", "0.0001")])
def test_cli_convert_table_shows_the_amount_as_given(cli, tdir: Path, amount, shown) -> None:  # noqa: ANN001
    code, out, err = cli("convert", amount, "--from", "gpt-4o", "--to", "nt", "--class", "en", "--tables", str(tdir))
    assert code == 0, err
    first = out.splitlines()[2].split()
    assert first[0] == shown  # a fractional count is not rounded to a whole one (1.5 was shown as 2)


def test_cli_convert_table_of_a_huge_amount_invents_no_digits(cli, tdir: Path, t) -> None:  # noqa: ANN001
    code, out, err = cli("convert", "1e300", "--from", "nt", "--to", "gpt-4o", "--class", "en", "--tables", str(tdir))
    assert code == 0, err
    row = out.splitlines()[2].split()
    ratio = t.ratio_row("openai/o200k_base", "en")["ratio"]
    assert row[0] == "1e+300" and float(row[4]) == pytest.approx(1e300 * ratio, rel=1e-5)
    assert max(len(line) for line in out.splitlines()) < 200  # was 300-digit numbers of float noise


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_cli_convert_machine_rows_carry_the_tokenizer_sha256(cli, tdir: Path, t, fmt) -> None:  # noqa: ANN001
    code, out, err = cli("convert", "1000", "--from", "gpt-4o", "--to", "llama-3.1-8b", "--class", "hi/ui",
                         "--tables", str(tdir), "--format", fmt)
    assert code == 0, err
    row = next(iter(csv.DictReader(out.splitlines()))) if fmt == "csv" else json.loads(out)
    assert row["from_sha256"] == t.tokenizer_sha256("openai/o200k_base")
    assert row["to_sha256"] == t.tokenizer_sha256("meta/llama3") and row["class_kind"] == "language-domain"


def test_compare_a_model_named_twice_is_one_row(cli, tmp_path: Path, fake_nt) -> None:  # noqa: ANN001
    f = tmp_path / "a.txt"
    f.write_text(TEXT, encoding="utf-8")
    code, out, _ = cli("compare", str(f), "-m", "gpt-4o", "-m", "deepseek-v3", "-m", "GPT-4o", "--format", "json")
    assert code == 0
    assert [r["model"] for r in json.loads(out)["models"]] == ["gpt-4o", "deepseek-v3"]


def test_compare_price_entries_differing_only_in_case_are_each_priced_once(cli, tmp_path: Path, fake_nt) -> None:  # noqa: ANN001
    f = tmp_path / "a.txt"
    f.write_text(TEXT, encoding="utf-8")
    pfile = tmp_path / "p.json"
    pfile.write_text(json.dumps({"schema": "normtok.prices/1", "prices": [
        {"model": "gpt-4o", "provider": "OpenAI", "currency": "USD", "input": 2.5, "output": 10, "date": "2026-10-14",
         "source": "s"},
        {"model": "GPT-4o", "provider": "Azure", "currency": "USD", "input": 2.75, "output": 11, "date": "2026-10-14",
         "source": "s2"},
    ]}), encoding="utf-8")
    code, out, err = cli("compare", str(f), "--prices", str(pfile), "--format", "json")
    assert code == 0, err
    assert [r["provider"] for r in json.loads(out)["models"]] == ["OpenAI", "Azure"]  # was each price twice


def test_compare_csv_has_the_output_price_per_million_nt(cli, tmp_path: Path, fake_nt) -> None:  # noqa: ANN001
    f = tmp_path / "a.txt"
    f.write_text(TEXT, encoding="utf-8")
    code, out, err = cli("compare", str(f), "-m", "gpt-4o", "--prices", str(EXAMPLE_PRICES), "--format", "csv")
    assert code == 0, err
    row = next(iter(csv.DictReader(out.splitlines())))
    tokens, nt = int(row["tokens"]), len(TEXT) / 4
    assert float(row["input_per_million_nt"]) == pytest.approx(2.5 * tokens / nt)
    assert float(row["output_per_million_nt"]) == pytest.approx(10.0 * tokens / nt)  # by hand: price * tokens / NT


def test_compare_without_prices_does_not_mention_prices(cli, tmp_path: Path, fake_nt) -> None:  # noqa: ANN001
    f = tmp_path / "a.txt"
    f.write_text(TEXT, encoding="utf-8")
    code, _, err = cli("compare", str(f), "-m", "gpt-4o")
    assert code == 0 and "1 file(s)" in err and "prices" not in err


def test_csv_price_file_with_spaces_after_the_commas() -> None:
    text = ("model, provider, currency, input, cached_input, output, date, source\n"
            "gpt-4o, OpenAI, USD, 2.5, 1.25, 10, 2026-10-14, https://example.org\n")
    pf = prices.parse(text, "p.csv")
    assert pf.problems == []  # every column was 'unknown' (' currency') and every value missing
    assert pf.prices == [prices.Price("gpt-4o", "USD", 2.5, 10.0, "2026-10-14", "https://example.org",
                                      cached_input=1.25, provider="OpenAI")]


def test_compare_says_when_prices_are_in_several_currencies(cli, tmp_path: Path, fake_nt) -> None:  # noqa: ANN001
    f = tmp_path / "a.txt"
    f.write_text(TEXT, encoding="utf-8")
    pfile = tmp_path / "p.csv"
    pfile.write_text("model,provider,currency,input,output,date,source\n"
                     "gpt-4o,OpenAI,USD,2.5,10,2026-10-14,https://example.org\n"
                     "gpt-4o,Azure EU,EUR,2.3,9.2,2026-10-14,https://example.org\n", encoding="utf-8")
    code, out, err = cli("compare", str(f), "--prices", str(pfile), "--format", "json")
    assert code == 0, err
    assert [r["currency"] for r in json.loads(out)["models"]] == ["USD", "EUR"]
    assert "prices are in 2 currencies (EUR, USD)" in err and "not converted" in err
    code, _, err = cli("compare", str(f), "--prices", str(EXAMPLE_PRICES), "-m", "gpt-4o")
    assert code == 0 and "currencies" not in err  # one currency: no note
