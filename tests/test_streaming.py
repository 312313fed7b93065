"""Streaming, chunking and parallel counting never change a count, and memory stays bounded.

The cut rules of ``normtok.chunking`` are proven here per tokenizer: for hypothesis-generated
adversarial text cut into small pieces, the sum of the reference counts of the pieces equals the
reference count of the whole text. The pipeline (``normtok.engine``) is then checked end to end:
large files, stdin, UTF-8 errors deep in a stream, worker processes, input order, one read per
input, and peak memory that does not grow with the input.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normtok import chunking, engine, engines
from normtok.adapters import tokenizer as reference
from normtok.chunking import Policy
from normtok.corpus import iter_documents
from normtok.errors import InputDecodeError
from normtok.progress import Progress
from normtok.registry import entries, resolve

from .samples import ALL

AVAILABLE = sorted(e.id for e in entries().values() if e.available)
CUTTABLE = [t for t in AVAILABLE if chunking.rule_for(entries()[t]).policy is not Policy.NONE]


pytestmark = pytest.mark.usefixtures("fresh_vocab_cache")  # a fresh vocab cache: the build path runs too


@pytest.fixture(scope="module")
def corpus_text() -> str:
    return "\n\n".join(text for _, text in iter_documents())


# --- the cut rules -----------------------------------------------------------------------------------------------

ATOMS = ["\n", "\n\n", " ", "  ", "\t", "\r\n", "\r", "/", "//", "a", "Z", "ab", "1", "123", "'s", "'", "\"", "-",
         ".\n", "x/", "é", "e\u0301", "\u0301", "東京", "こんにちは", "й", "٣", "²", "ͺ", "¨", "\u00a0", "\u3000",
         "\u2028", "\x85", "\x0c", "<|endoftext|>", "[INST]", " [PREFIX]", "😀", "👨‍👩‍👧", "\u200d", "_", "#", "{", "}"]
TEXTS = st.one_of(
    st.lists(st.sampled_from(ATOMS), max_size=60).map("".join),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=80),
    st.sampled_from(list(ALL.values())),
)


def _pieces_total(tid: str, text: str, target: int) -> tuple[int, list[tuple[str, int]]]:
    rule = chunking.rule_for(entries()[tid])
    pieces = chunking.split_text(text, rule.policy, target)
    return sum(chunking.count_pieces(reference(tid).count_many, rule, pieces)), pieces


@pytest.mark.parametrize("tid", CUTTABLE)
@settings(max_examples=150)
@given(text=TEXTS, target=st.integers(1, 40))
def test_cut_pieces_add_up_to_the_whole(tid, text, target):
    total, pieces = _pieces_total(tid, text, target)
    assert "".join(p for p, _ in pieces) == text
    assert total == reference(tid).count(text), pieces


@pytest.mark.parametrize("tid", CUTTABLE)
def test_cut_corpus_adds_up(tid, corpus_text):
    text = corpus_text[:300_000]
    total, pieces = _pieces_total(tid, text, 2000)
    assert len(pieces) > 50
    assert total == reference(tid).count(text)


def test_cut_positions_follow_the_rules(corpus_text):
    for policy in (Policy.PRETOKEN, Policy.NEWLINE_ASCII, Policy.SPACE_ASCII):
        pos = 0
        kinds = set()
        for piece, kind in chunking.split_text(corpus_text[:200_000], policy, 500)[1:]:
            pos = corpus_text.index(piece, pos)
            before, here = corpus_text[pos - 1], corpus_text[pos]
            kinds.add(kind)
            if kind == chunking.SPACE:
                assert here == " " and before != " " and corpus_text[pos + 1] != " "
                if policy is not Policy.PRETOKEN:
                    assert before.isascii() and before.isalnum() and corpus_text[pos + 1].isascii()
            else:
                assert kind == chunking.NEWLINE and policy >= Policy.NEWLINE_ASCII
                assert before == "\n" and here not in " \t\r\n/"
        assert kinds == ({chunking.SPACE} if policy is Policy.SPACE_ASCII else {chunking.SPACE, chunking.NEWLINE})


def test_sentencepiece_newline_cut_is_counted_with_a_prefix():
    rule = chunking.rule_for(resolve("mistral/spm"))
    assert rule.newline_prefix and rule.strip_space
    sp = reference("mistral/spm")
    text = "第一行\n第二行\n第三行"
    pieces = chunking.split_text(text, rule.policy, 1)
    assert [k for _, k in pieces] == [chunking.START, chunking.NEWLINE, chunking.NEWLINE]
    assert sum(sp.count_many([p for p, _ in pieces])) != sp.count(text)  # the dummy prefix would be counted 3 times
    assert sum(chunking.count_pieces(sp.count_many, rule, pieces)) == sp.count(text)


def test_text_without_a_safe_cut_stays_whole():
    assert chunking.split_text("a" * 5000, Policy.PRETOKEN, 10) == [("a" * 5000, False)]
    assert chunking.split_text("x y\nz" * 100, Policy.NONE, 10) == [("x y\nz" * 100, False)]
    assert chunking.split_text("東京東京 東京", Policy.SPACE_ASCII, 1) == [("東京東京 東京", False)]


def test_j2_has_no_cut_rule_because_pieces_span_spaces():
    assert chunking.rule_for(resolve("ai21/j2")).policy is Policy.NONE
    sp = reference("ai21/j2")
    text = "All human beings are born free and equal in dignity and rights."
    assert sp.count(text) < sum(sp.count(w) if i == 0 else sp.count(" " + w)
                                for i, w in enumerate(text.split(" ")))


# --- incremental UTF-8 -------------------------------------------------------------------------------------------

BYTES = st.lists(st.one_of(st.text(max_size=6).map(lambda s: s.encode("utf-8", "surrogatepass")),
                           st.binary(max_size=3)), max_size=20).map(b"".join)


@settings(max_examples=400)
@given(data=BYTES, cuts=st.lists(st.integers(0, 60), max_size=6))
def test_stream_decoder_equals_one_shot_decoding(data, cuts):
    blocks, prev = [], 0
    for c in sorted(set(cuts)):
        blocks.append(data[prev:c])
        prev = max(prev, c)
    blocks.append(data[prev:])
    dec = engine.StreamDecoder("x", "replace")
    assert "".join(dec.decode(b) for b in blocks) + dec.finish() == data.decode("utf-8", "replace")
    dec = engine.StreamDecoder("x", "strict")
    try:
        want = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        with pytest.raises(InputDecodeError) as got:
            for b in blocks:
                dec.decode(b)
            dec.finish()
        assert got.value.offset == exc.start
    else:
        assert "".join(dec.decode(b) for b in blocks) + dec.finish() == want


# --- the pipeline ------------------------------------------------------------------------------------------------


def _big_file(path: Path, text: str, size: int) -> str:
    reps = size // len(text.encode()) + 1
    body = (text + "\n") * reps
    path.write_text(body, encoding="utf-8")
    return body


class _Spy:
    """Wraps a counter and records how many pieces it was given."""

    def __init__(self, inner) -> None:
        self.inner, self.entry, self.pieces = inner, inner.entry, 0

    def count_many(self, texts):
        self.pieces += len(texts)
        return self.inner.count_many(texts)


@pytest.fixture
def small_blocks(monkeypatch):
    """Stream every file over 64 KiB in blocks of 16001 bytes (multi-byte characters get split)."""
    monkeypatch.setattr(engine, "WHOLE_FILE_BYTES", 64 << 10)
    monkeypatch.setattr(engine, "READ_BLOCK", 16_001)


@pytest.mark.parametrize("tids", [[t for t in CUTTABLE if entries()[t].format != "spm"], AVAILABLE],
                         ids=["bpe-only", "all"])
def test_streamed_file_counts_equal_whole_text_counts(tmp_path, corpus_text, tids, small_blocks):
    """A file read in many blocks and cut into many pieces counts exactly like the whole text, for every tokenizer."""
    big = tmp_path / "big.txt"
    text = corpus_text[-700_000:]
    big.write_text(text, encoding="utf-8")
    spies = [_Spy(reference(t)) for t in tids]
    (fc,) = list(engine.count_sources([engine.Source(str(big), big)], spies, piece_chars=4096))
    assert fc.bytes == big.stat().st_size and fc.chars == len(text)
    assert fc.tokens == {t: reference(t).count(text) for t in tids}
    policy = min(chunking.rule_for(entries()[t]).policy for t in tids)
    assert spies[0].pieces == 1 if policy is Policy.NONE else spies[0].pieces > 100


def test_fast_engines_through_the_pipeline_equal_the_reference(tmp_path, corpus_text):
    big = tmp_path / "big.txt"
    text = _big_file(big, corpus_text[:1_500_000], 1_500_000)
    tids = ["openai/o200k_base", "meta/llama3", "deepseek/v3", "mistral/spm"]
    chosen = [engines.choose(resolve(t), "auto", 1000) for t in tids]
    assert [c.engine for c in chosen] == ["bpe-openai", "kitoken", "kitoken", "kitoken"]
    (fc,) = list(engine.count_sources([engine.Source(str(big), big)], [c.adapter for c in chosen],
                                      piece_chars=20_000))
    assert fc.tokens == {t: reference(t).count(text) for t in tids}


def test_large_input_engines_through_the_pipeline_equal_the_reference(tmp_path, corpus_text):
    """fastokens (with its converted SentencePiece model and Qwen's block-wise NFC) cut into small pieces."""
    big = tmp_path / "big.txt"
    text = _big_file(big, corpus_text[:1_500_000], 1_500_000)
    tids = ["mistral/spm", "qwen/qwen3.5"]
    adapters = [engines.load(resolve(t), "fastokens") for t in tids]
    (fc,) = list(engine.count_sources([engine.Source(str(big), big)], adapters, piece_chars=20_000))
    assert fc.tokens == {t: reference(t).count(text) for t in tids}
    engines.unload()


def test_worker_processes_count_like_the_main_process(tmp_path, corpus_text):
    files = []
    for i in range(4):
        p = tmp_path / f"f{i}.txt"
        p.write_text(corpus_text[i * 200_000:(i + 1) * 200_000], encoding="utf-8")
        files.append(engine.Source(str(p), p))
    adapters = [engines.load(resolve(t), n) for t, n in
                [("openai/o200k_base", "bpe-openai"), ("mistral/spm", "kitoken"), ("deepseek/v3", "kitoken")]]
    assert all(a.holds_gil for a in adapters)
    serial = list(engine.count_sources(files, adapters, piece_chars=30_000))
    pooled = list(engine.count_sources(files, adapters, piece_chars=30_000, pool=True, jobs=2))
    assert [f.tokens for f in pooled] == [f.tokens for f in serial]
    assert [f.name for f in pooled] == [s.name for s in files]


def test_broken_worker_pool_falls_back_to_this_process(tmp_path, corpus_text, monkeypatch, capsys):
    from concurrent.futures.process import BrokenProcessPool

    p = tmp_path / "f.txt"
    p.write_text(corpus_text[:300_000], encoding="utf-8")
    ad = engines.load(resolve("mistral/spm"), "kitoken")

    def broken(self, pieces):
        raise BrokenProcessPool("a worker died")

    monkeypatch.setattr(engine._Pool, "submit", broken)
    (fc,) = list(engine.count_sources([engine.Source(str(p), p)], [ad], pool=True, jobs=2, piece_chars=20_000))
    assert fc.tokens["mistral/spm"] == reference("mistral/spm").count(corpus_text[:300_000])
    assert "worker processes failed" in capsys.readouterr().err


def test_utf8_error_deep_in_a_large_file_reports_its_absolute_offset(cli, tmp_path):
    bad = tmp_path / "bad.txt"
    offset = engine.WHOLE_FILE_BYTES + engine.READ_BLOCK + 12345
    bad.write_bytes(b"x" * offset + b"\xff tail")
    good = tmp_path / "good.txt"
    good.write_text("fine")
    code, out, err = cli("count", str(bad), str(good), "-m", "gpt-4o", "--format", "json")
    assert code == 2 and f"byte offset {offset}" in err
    doc = json.loads(out)
    assert [f["path"] for f in doc["files"]] == [str(good)] and doc["errors"][0]["path"] == str(bad)


def test_utf8_error_split_across_read_blocks(tmp_path):
    p = tmp_path / "split.txt"
    offset = engine.WHOLE_FILE_BYTES + engine.READ_BLOCK - 1  # a 3-byte character cut by the block boundary
    p.write_bytes(b"a" * offset + "€".encode()[:2] + b"b")
    (problem,) = list(engine.count_sources([engine.Source(str(p), p)], [reference("gpt-4o")]))
    assert problem.kind == "error" and f"byte offset {offset}" in problem.reason


def test_utf8_error_in_stdin_stream(cli):
    data = b"ok " * 200_000 + b"\xc3\x28"
    code, _, err = cli("count", "-", "-m", "gpt-4o", input=data)
    assert code == 2 and "byte offset 600000" in err


def test_stdin_read_ahead_is_replayed(cli, monkeypatch, corpus_text):
    count_cli = sys.modules["normtok.cli.count"]
    monkeypatch.setattr(count_cli, "STDIN_PEEK_BYTES", 1000)
    text = corpus_text[:50_000]
    code, out, _ = cli("count", "-", "-m", "llama-3.1-8b", "--engine", "tiktoken", "--format", "json",
                       input=text.encode())
    doc = json.loads(out)
    assert code == 0 and doc["files"][0]["chars"] == len(text)
    assert doc["totals"]["tokens"]["meta/llama3"] == reference("meta/llama3").count(text)


def test_each_input_is_read_once_for_all_tokenizers(cli, tmp_path, monkeypatch):
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text(f"text of {name}\n" * 100)
    reads: list[str] = []
    real = engine.iter_blocks

    def spy(src, *args, **kwargs):
        reads.append(src.name)
        return real(src, *args, **kwargs)

    monkeypatch.setattr(engine, "iter_blocks", spy)
    code, out, _ = cli("count", str(tmp_path), "--format", "json")
    assert code == 0 and sorted(reads) == sorted(str(tmp_path / n) for n in ("a.txt", "b.txt", "c.txt"))
    assert len(json.loads(out)["models"]) == 5


def test_results_come_in_input_order_with_problems_in_place(tmp_path):
    names = []
    for i in range(40):
        p = tmp_path / f"{i:02d}.txt"
        if i % 7 == 3:
            p.write_bytes(b"\x00binary")
        elif i % 11 == 5:
            p.write_bytes(b"bad \xff")
        else:
            p.write_text(f"file {i} " * (i * 500))
        names.append(str(p))
    srcs = [engine.Source(n, Path(n)) for n in names]
    items = list(engine.count_sources(srcs, [reference("gpt-4o")], batch_bytes=20_000, piece_chars=3000))
    assert [it.name for it in items] == names
    kinds = [getattr(it, "kind", "ok") for it in items]
    assert kinds.count("skipped") == 6 and kinds.count("error") == 3


class _WholeTextCounter:
    """A per-text metric without a cut rule (like NT before it declares one): it must see whole texts."""

    id = "whole"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def count_many(self, texts):
        self.seen.extend(texts)
        return [len(t) for t in texts]


def test_counter_without_cut_rule_gets_whole_texts(tmp_path, corpus_text):
    p = tmp_path / "big.txt"
    text = _big_file(p, corpus_text[:400_000], engine.WHOLE_FILE_BYTES + 10)
    extra = _WholeTextCounter()
    (fc,) = list(engine.count_sources([engine.Source(str(p), p)], [reference("gpt-4o"), extra], piece_chars=5000))
    assert extra.seen == [text] and fc.tokens["whole"] == len(text)
    assert fc.tokens["openai/o200k_base"] == reference("gpt-4o").count(text)


def test_a_counter_may_declare_a_cut_rule(tmp_path, corpus_text):
    extra = _WholeTextCounter()
    extra.cut_rule = chunking.CutRule(Policy.PRETOKEN)
    p = tmp_path / "t.txt"
    p.write_text(corpus_text[:100_000], encoding="utf-8")
    list(engine.count_sources([engine.Source(str(p), p)], [extra], piece_chars=5000))
    assert len(extra.seen) > 5 and "".join(extra.seen) == corpus_text[:100_000]


MEMORY_PROBE = textwrap.dedent("""
    import resource, sys
    from pathlib import Path
    from normtok import chunking, engine

    class Chars:
        id = "chars"
        cut_rule = chunking.CutRule(chunking.Policy.PRETOKEN)
        def count_many(self, texts):
            return [len(t) for t in texts]

    p = Path(sys.argv[1])
    (fc,) = engine.count_sources([engine.Source(str(p), p)], [Chars()])
    assert fc.bytes == p.stat().st_size, fc
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
""")


def test_peak_memory_does_not_grow_with_input_size(tmp_path, corpus_text):
    rss = {}
    block = (corpus_text + "\n").encode()
    for mb in (20, 160):
        p = tmp_path / f"{mb}.txt"
        with p.open("wb") as fh:
            for _ in range((mb << 20) // len(block) + 1):
                fh.write(block)
        out = subprocess.run([sys.executable, "-c", MEMORY_PROBE, str(p)], capture_output=True, text=True,
                             check=True)
        rss[mb] = int(out.stdout)
        p.unlink()
    assert rss[160] < rss[20] + 40, rss  # MB: 8x the input, about the same peak


# --- the command line --------------------------------------------------------------------------------------------


def test_json_names_the_engine_and_the_reference_option(cli, tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("hello world")
    _, out, _ = cli("count", str(f), "-m", "gpt-4o", "--format", "json")
    (m,) = json.loads(out)["models"]
    assert m["engine"] == "bpe-openai" and m["engine_version"] and m["engine_is_reference"] is False
    _, out, _ = cli("count", str(f), "-m", "gpt-4o", "--engine", "reference", "--format", "json", "-j", "1")
    (m,) = json.loads(out)["models"]
    assert m["engine"] == "tiktoken" and m["engine_is_reference"] is True and m["engine_fallback"] is None


def test_fallback_is_visible(cli, tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("hello world")
    code, out, err = cli("count", str(f), "-m", "ai21/j2", "--engine", "kitoken", "--format", "json")
    (m,) = json.loads(out)["models"]
    assert code == 0 and m["engine"] == "sentencepiece" and "not proven" in m["engine_fallback"]
    assert "counted with sentencepiece because kitoken is not proven" in err


def test_table_names_engines_and_quiet_keeps_stderr_clean(cli, tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("hello world")
    _, out, _ = cli("count", str(f), "-m", "gpt-4o")
    assert out.rstrip().splitlines()[-1].startswith("engines: openai/o200k_base=bpe-openai")
    _, out, err = cli("count", str(f), "-m", "gpt-4o", "--format", "csv")
    assert "engines:" in err and "engines:" not in out
    _, _, err = cli("count", str(f), "-m", "gpt-4o", "--format", "csv", "--quiet")
    assert err == ""


def test_progress_line_has_bytes_rate_and_eta():
    buf = io.StringIO()
    p = Progress(1000, stream=buf, delay=0, interval=0, enabled=True)
    p(250)
    assert "25.0%" in buf.getvalue() and "/s" in buf.getvalue() and "ETA" in buf.getvalue()
    p.close()
    assert buf.getvalue().endswith("\r\x1b[2K")
    quiet = io.StringIO()
    q = Progress(1000, stream=quiet, delay=0, interval=0)  # not a terminal: silent
    q(500)
    q.close()
    assert quiet.getvalue() == ""
