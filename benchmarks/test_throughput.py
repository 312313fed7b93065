"""In-process throughput (load excluded): normtok's large-input engine against the raw libraries.

For each text (English, Chinese, code; 12 MB by default) and each tokenizer family, in the same
run: normtok's pipeline (read, decode, cut, count) with the engine ``--engine auto`` picks for a
large input, and the raw baseline: tiktoken ``encode_ordinary`` on one thread, ``tokenizers``
``encode_batch``, ``sentencepiece`` ``encode``. Plus NT against tiktoken o200k, and all default
tokenizers at once. Counts are asserted equal, so a fast wrong engine cannot pass.
"""

from __future__ import annotations

import pytest

from normtok import chunking, engine, engines
from normtok.adapters import read_verified
from normtok.registry import default_ids, resolve

from .conftest import FAMILIES, KINDS, MB, corpus_file, record, timed

LARGE = 1 << 30  # the workload size the engine choice is made for


def _raw_tiktoken(tid: str):
    """tiktoken as a user would build it: ranks parsed by tiktoken itself, pattern from the registry."""
    import tiktoken
    from tiktoken.load import load_tiktoken_bpe

    e = resolve(tid)
    f = read_verified(e.files[0])
    if e.format == "tekken":
        from normtok.adapters import parse_tekken_ranks

        ranks, _ = parse_tekken_ranks(f.data)
    else:
        import tempfile

        with tempfile.NamedTemporaryFile(suffix=".tiktoken") as tmp:
            tmp.write(f.data)
            tmp.flush()
            ranks = load_tiktoken_bpe(tmp.name)
    return tiktoken.Encoding(tid, pat_str=e.pattern, mergeable_ranks=ranks, special_tokens={})


def _baseline(tid: str, pieces: list[tuple[str, int]]):
    """(library name, function counting the pieces) for the raw baseline of a tokenizer."""
    e = resolve(tid)
    rule = chunking.rule_for(e)
    if e.format in ("tiktoken", "tekken"):
        import unicodedata

        enc = _raw_tiktoken(tid)
        nfc = e.normalization == "NFC"
        prep = (lambda t: unicodedata.normalize("NFC", t)) if nfc else (lambda t: t)
        return "tiktoken encode_ordinary 1T", lambda: sum(len(enc.encode_ordinary(prep(p))) for p, _ in pieces)
    if e.format == "hf":
        import json

        from tokenizers import Tokenizer

        spec = json.loads(read_verified(e.files[0]).data)
        spec["added_tokens"] = []
        tok = Tokenizer.from_str(json.dumps(spec))

        def count_hf(texts):
            return [len(x) for x in tok.encode_batch(texts, add_special_tokens=False)]

        return "tokenizers encode_batch", lambda: sum(chunking.count_pieces(count_hf, rule, pieces))
    import sentencepiece

    sp = sentencepiece.SentencePieceProcessor()
    sp.LoadFromSerializedProto(read_verified(e.files[0]).data)

    def count_sp(texts):
        return [len(x) for x in sp.encode(list(texts))]

    return "sentencepiece encode", lambda: sum(chunking.count_pieces(count_sp, rule, pieces))


def _pieces(text: str, tid: str) -> list[tuple[str, int]]:
    """The text cut into ~1 MB pieces where counts are additive (what normtok itself would count)."""
    return chunking.split_text(text, chunking.rule_for(resolve(tid)).policy, MB)


def _normtok(path, adapters, pool: bool):
    def run():
        (fc,) = list(engine.count_sources([engine.Source(str(path), path)], adapters, pool=pool,
                                          jobs=engines.default_jobs()))
        return fc.tokens

    return run


@pytest.mark.parametrize("family", list(FAMILIES))
@pytest.mark.parametrize("kind", list(KINDS))
def test_throughput(benchmark, request, kind, family):
    tid = FAMILIES[family]
    path = corpus_file(kind, request.config.getoption("--bench-text-mb"))
    text = path.read_text(encoding="utf-8")
    nbytes = path.stat().st_size
    choice = engines.choose(resolve(tid), "auto", LARGE, engines.default_jobs())
    pool = engines.uses_pool(choice.engine, LARGE, engines.default_jobs())
    run = _normtok(path, [choice.adapter], pool)
    run()  # warm-up: engine threads, page cache
    name, base = _baseline(tid, _pieces(text, tid))
    base_s, base_n = timed(base)
    got = benchmark.pedantic(run, rounds=3, iterations=1)
    assert got[tid] == base_n, "normtok and the raw library disagree"
    mbps, base_mbps = nbytes / benchmark.stats.stats.min / 1e6, nbytes / base_s / 1e6
    goal = {"mistral-spm": ">= 2.5x"}.get(family, "")
    record("throughput", text=kind, family=family, engine=choice.engine, normtok_MBps=mbps, baseline=name,
           baseline_MBps=base_mbps, ratio=mbps / base_mbps, goal=goal)
    benchmark.extra_info.update(engine=choice.engine, MBps=mbps, baseline_MBps=base_mbps)


@pytest.mark.parametrize("kind", list(KINDS))
def test_all_default_tokenizers_at_once(benchmark, request, kind):
    path = corpus_file(kind, request.config.getoption("--bench-text-mb"))
    text = path.read_text(encoding="utf-8")
    nbytes = path.stat().st_size
    jobs = engines.default_jobs()
    chosen = [engines.choose(resolve(t), "auto", LARGE, jobs) for t in default_ids()]
    pool = any(engines.uses_pool(c.engine, LARGE, jobs) for c in chosen)
    run = _normtok(path, [c.adapter for c in chosen], pool)
    run()
    base_total = 0.0
    base_counts = {}
    for tid in default_ids():
        _, base = _baseline(tid, _pieces(text, tid))
        s, base_counts[tid] = timed(base)
        base_total += s
    got = benchmark.pedantic(run, rounds=2, iterations=1)
    assert got == base_counts
    mbps = nbytes / benchmark.stats.stats.min / 1e6
    record("all-defaults", text=kind, engines=" ".join(sorted({c.engine for c in chosen})), normtok_MBps=mbps,
           baselines_MBps=nbytes / base_total / 1e6, ratio=mbps / (nbytes / base_total / 1e6))


@pytest.mark.parametrize("kind", list(KINDS))
def test_nt_against_tiktoken_o200k(benchmark, request, kind):
    """NT-1 by the implementation normtok uses (the compiled core when built) against o200k, one thread.

    Both get the same ~1 MB pieces; both are timed best-of in this run. The numpy path is timed too
    (its own row), and all values are checked: default == numpy on every piece, == the reference on
    a sample (the reference is too slow for 12 MB).
    """
    from normtok import nt

    path = corpus_file(kind, request.config.getoption("--bench-text-mb"))
    text = path.read_text(encoding="utf-8")
    nbytes = len(text.encode("utf-8"))
    pieces = [p for p, _ in chunking.split_text(text, chunking.Policy.PRETOKEN, MB)]
    enc = _raw_tiktoken("openai/o200k_base")  # NT gets the same pieces
    tik_s, _ = timed(lambda: sum(len(enc.encode_ordinary(p)) for p in pieces), rounds=2)
    impl = nt.implementation()
    got = benchmark.pedantic(lambda: nt.nt_milli_many(pieces), rounds=5, iterations=1)
    numpy_s, numpy_got = timed(lambda: nt._numpy_many(pieces), rounds=3)
    assert got == numpy_got, "the default NT implementation and the numpy path disagree"
    sample = [p[i:i + 30_000] for p in pieces[:2] for i in (0, len(p) // 2)]
    assert nt.nt_milli_many(sample) == [nt.nt_milli_reference(s) for s in sample]
    nt_mbps, tik_mbps = nbytes / benchmark.stats.stats.min / 1e6, nbytes / tik_s / 1e6
    record("nt", text=kind, implementation=impl, nt_MBps=nt_mbps, tiktoken_o200k_MBps=tik_mbps,
           ratio=nt_mbps / tik_mbps, goal=">= 20x")
    if impl != "numpy":
        numpy_mbps = nbytes / numpy_s / 1e6
        record("nt", text=f"{kind} (numpy path)", implementation="numpy", nt_MBps=numpy_mbps,
               tiktoken_o200k_MBps=tik_mbps, ratio=numpy_mbps / tik_mbps)
    benchmark.extra_info.update(implementation=impl, MBps=nt_mbps, tiktoken_o200k_MBps=tik_mbps)


@pytest.mark.parametrize("tid", [FAMILIES[f] for f in FAMILIES])
def test_load_time(benchmark, tid):
    """Warm-cache load time of each engine normtok may pick for this tokenizer."""
    e = resolve(tid)
    for name in engines.candidates(e):
        engines.load(e, name)  # builds the cache entries
        engines.unload()

        def load(name=name):
            engines.unload()
            return engines.load(e, name)

        s, _ = timed(load, rounds=2)
        record("load", tokenizer=tid, engine=name, load_s=s)
    engines.unload()
    benchmark.pedantic(lambda: None, rounds=1)


@pytest.mark.parametrize("kind", list(KINDS))
def test_j2_against_the_vendor_wrapper(benchmark, kind):
    """AI21 J2: normtok's Jurassic adapter against ai21-tokenizer's own JurassicTokenizer, same run.

    J2 has no fast engine (fastokens has no Unigram model, kitoken differs), so the adapter is what
    counts it; its job is to equal the vendor class and not be slower. 2 MB texts: the vendor class
    runs at about 2 MB/s. The bare SentencePiece model (a wrong count) is timed for scale only.
    """
    import sentencepiece
    from ai21_tokenizer import JurassicTokenizer

    from normtok.adapters import JurassicAdapter, tokenizer

    text = corpus_file(kind, 2).read_text(encoding="utf-8")
    nbytes = len(text.encode("utf-8"))
    adapter = tokenizer("ai21/j2")
    assert isinstance(adapter, JurassicAdapter)
    model_dir = read_verified(resolve("ai21/j2").files[0]).path.parent
    vendor = JurassicTokenizer(model_dir)
    vendor_s, vendor_n = timed(lambda: len(vendor.encode(text)), rounds=2)
    bare = sentencepiece.SentencePieceProcessor(model_file=str(model_dir / "j2-tokenizer.model"))
    bare_s, _ = timed(lambda: len(bare.encode(text)), rounds=2)
    got = benchmark.pedantic(lambda: adapter.count(text), rounds=3, iterations=1)
    assert got == vendor_n, "normtok's J2 count and the vendor's JurassicTokenizer disagree"
    mbps = nbytes / benchmark.stats.stats.min / 1e6
    record("j2", text=kind, normtok_MBps=mbps, vendor_MBps=nbytes / vendor_s / 1e6,
           ratio=mbps / (nbytes / vendor_s / 1e6), bare_model_MBps=nbytes / bare_s / 1e6, goal=">= 1x")
