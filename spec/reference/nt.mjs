// NT-1, the normalized token: an independent implementation in JavaScript (no dependencies).
//
// Written from spec/nt-1.md alone: section 4 (classification, Tables 1 and 2) and section 5 (the
// algorithm). It shares no code with the Python reference implementation; the test suite runs it
// under Node against spec/vectors/*.json and against the reference corpus.
//
// Library use:   import { ntMilli, formatNt } from "./nt.mjs";  ntMilli("Hello, world!")  // 3914
// Command line:  node nt.mjs text STRING...          print the milli-NT of each argument
//                node nt.mjs files PATH...           print "<milli-NT>\t<path>" for UTF-8 files
//                node nt.mjs check VECTORS.json...   check test vectors; exit 1 on any failure

export const NT_VERSION = "NT-1";

// Table 2: code-point weights and run parameters, in milli-NT.
export const WEIGHTS = Object.freeze({
  SPACE: 51,
  DIGIT: 10,
  LETTER: 98,
  SEA: 205,
  SYLLABARY: 308,
  HAN: 637,
  KANA: 260,
  HANGUL: 308,
  PUNCT: 100,
  EXTEND: 100,
  CONTROL: 1000,
  OTHER: 2000
});
export const RUN = Object.freeze({
  RUN_W: 964,
  RUN_L: 579,
  RUN_P: 788,
  DIGIT_GROUP: 1212
});

// Table 1: first, last (hexadecimal), class, weight name. Code points in no row: class X, weight OTHER.
const TABLE = `
0000 0008 X CONTROL
0009 000D W SPACE
000E 001F X CONTROL
0020 0020 W SPACE
0021 002F P PUNCT
0030 0039 D DIGIT
003A 0040 P PUNCT
0041 005A L LETTER
005B 0060 P PUNCT
0061 007A L LETTER
007B 007E P PUNCT
007F 0084 X CONTROL
0085 0085 W SPACE
0086 009F X CONTROL
00A0 00A0 W SPACE
00A1 00A9 P PUNCT
00AA 00AA L LETTER
00AB 00B4 P PUNCT
00B5 00B5 L LETTER
00B6 00B9 P PUNCT
00BA 00BA L LETTER
00BB 00BF P PUNCT
00C0 00D6 L LETTER
00D7 00D7 P PUNCT
00D8 00F6 L LETTER
00F7 00F7 P PUNCT
00F8 02FF L LETTER
0300 036F M EXTEND
0370 037D L LETTER
037E 037E P PUNCT
037F 0386 L LETTER
0387 0387 P PUNCT
0388 0588 L LETTER
0589 0589 P PUNCT
058A 05FF L LETTER
0600 060B L LETTER
060C 060D P PUNCT
060E 061A L LETTER
061B 061F P PUNCT
0620 065F L LETTER
0660 0669 D DIGIT
066A 066D P PUNCT
066E 06D3 L LETTER
06D4 06D4 P PUNCT
06D5 06EF L LETTER
06F0 06F9 D DIGIT
06FA 07BF L LETTER
07C0 07C9 D DIGIT
07CA 0963 L LETTER
0964 0965 P PUNCT
0966 096F D DIGIT
0970 09E5 L LETTER
09E6 09EF D DIGIT
09F0 0A65 L LETTER
0A66 0A6F D DIGIT
0A70 0AE5 L LETTER
0AE6 0AEF D DIGIT
0AF0 0B65 L LETTER
0B66 0B6F D DIGIT
0B70 0BE5 L LETTER
0BE6 0BEF D DIGIT
0BF0 0C65 L LETTER
0C66 0C6F D DIGIT
0C70 0CE5 L LETTER
0CE6 0CEF D DIGIT
0CF0 0D65 L LETTER
0D66 0D6F D DIGIT
0D70 0DFF L LETTER
0E00 0E4F L SEA
0E50 0E59 D DIGIT
0E5A 0ECF L SEA
0ED0 0ED9 D DIGIT
0EDA 0F1F L SEA
0F20 0F29 D DIGIT
0F2A 103F L SEA
1040 1049 D DIGIT
104A 108F L SEA
1090 1099 D DIGIT
109A 109F L SEA
10A0 10FF L LETTER
1100 11FF L HANGUL
1200 167F L SYLLABARY
1680 1680 W SPACE
1780 17DF L SEA
17E0 17E9 D DIGIT
17EA 17FF L SEA
1800 180F L LETTER
1810 1819 D DIGIT
181A 18AF L LETTER
19E0 19FF L SEA
1AB0 1AFF M EXTEND
1C80 1CBF L LETTER
1CD0 1CFF L LETTER
1D00 1DBF L LETTER
1DC0 1DFF M EXTEND
1E00 1FFF L LETTER
2000 200A W SPACE
200B 200F M EXTEND
2010 2027 P PUNCT
2028 2029 W SPACE
202A 202E M EXTEND
202F 202F W SPACE
2030 205E P PUNCT
205F 205F W SPACE
2060 206F M EXTEND
2070 20CF P PUNCT
20D0 20FF M EXTEND
2100 2BFF P PUNCT
2C60 2C7F L LETTER
2D00 2D7F L LETTER
2D80 2DDF L SYLLABARY
2DE0 2DFF L LETTER
2E00 2E7F P PUNCT
2E80 2FDF L HAN
2FF0 2FFF P PUNCT
3000 3000 W SPACE
3001 3004 P PUNCT
3005 3007 L HAN
3008 3020 P PUNCT
3021 3029 L HAN
302A 302F M EXTEND
3030 3030 P PUNCT
3031 3035 L KANA
3036 303A P PUNCT
303B 303C L HAN
303D 303F P PUNCT
3040 312F L KANA
3130 318F L HANGUL
3190 319F P PUNCT
31A0 31BF L KANA
31C0 31EF P PUNCT
31F0 31FF L KANA
3200 33FF P PUNCT
3400 4DBF L HAN
4DC0 4DFF P PUNCT
4E00 9FFF L HAN
A000 A4CF L SYLLABARY
A640 A69F L LETTER
A720 A7FF L LETTER
A8E0 A8FF L LETTER
A960 A97F L HANGUL
A9E0 A9FF L SEA
AA60 AA7F L SEA
AB00 AB2F L SYLLABARY
AB30 AB6F L LETTER
AB70 ABBF L SYLLABARY
AC00 D7FF L HANGUL
F900 FAFF L HAN
FB00 FB4F L LETTER
FB50 FDCF L LETTER
FDF0 FDFF L LETTER
FE00 FE0F M EXTEND
FE10 FE1F P PUNCT
FE20 FE2F M EXTEND
FE30 FE6F P PUNCT
FE70 FEFE L LETTER
FEFF FEFF M EXTEND
FF01 FF0F P PUNCT
FF10 FF19 D DIGIT
FF1A FF20 P PUNCT
FF21 FF3A L LETTER
FF3B FF40 P PUNCT
FF41 FF5A L LETTER
FF5B FF65 P PUNCT
FF66 FF9F L KANA
FFA0 FFDF L HANGUL
FFE0 FFEF P PUNCT
1B000 1B16F L KANA
20000 3FFFF L HAN
E0000 E007F M EXTEND
E0100 E01EF M EXTEND
`;

const FIRST = [];
const LAST = [];
const CLASS = [];
const WEIGHT = [];
for (const line of TABLE.trim().split("\n")) {
  const [first, last, cls, weight] = line.trim().split(/\s+/);
  FIRST.push(parseInt(first, 16));
  LAST.push(parseInt(last, 16));
  CLASS.push(cls);
  WEIGHT.push(WEIGHTS[weight]);
}

// Section 4: the row of a code point (binary search over the sorted, disjoint rows).
export function classify(cp) {
  let lo = 0;
  let hi = FIRST.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < FIRST[mid]) hi = mid - 1;
    else if (cp > LAST[mid]) lo = mid + 1;
    else return [CLASS[mid], WEIGHT[mid]];
  }
  return ["X", WEIGHTS.OTHER];
}

// Section 5.3: the weight of a closed run.
function runWeight(cls, length, digits, firstIsSpace, pending) {
  if (cls === "W") return length === 1 && firstIsSpace ? 0 : pending + RUN.RUN_W;
  if (cls === "L") return pending + RUN.RUN_L;
  if (cls === "P") return pending + RUN.RUN_P;
  if (cls === "D") return pending + RUN.DIGIT_GROUP * Math.ceil(digits / 3);
  return pending; // X
}

// Section 5: NT-1 of a string in milli-NT (an integer). One pass over the NFC code points.
export function ntMilli(text) {
  const s = text.normalize("NFC");
  let total = 0;
  let cur = null; // effective class of the current run
  let length = 0; // code points in the current run
  let digits = 0; // code points of class D in the current run
  let pending = 0; // sum of the code-point weights of the current run
  let firstIsSpace = false;
  for (const ch of s) {
    const cp = ch.codePointAt(0);
    const [own, weight] = classify(cp);
    let cls = own;
    if (own === "M") cls = cur === null ? "X" : cur; // an M continues the run before it
    if (cls !== cur) {
      if (cur !== null) total += runWeight(cur, length, digits, firstIsSpace, pending);
      cur = cls;
      length = 0;
      digits = 0;
      pending = 0;
      firstIsSpace = cp === 0x20;
    }
    length += 1;
    pending += weight;
    if (own === "D") digits += 1;
  }
  if (cur !== null) total += runWeight(cur, length, digits, firstIsSpace, pending);
  return total;
}

// Section 6: the reporting form, a decimal with exactly three fractional digits.
export function formatNt(milli) {
  const sign = milli < 0 ? "-" : "";
  const m = Math.abs(milli);
  return `${sign}${Math.floor(m / 1000)}.${String(m % 1000).padStart(3, "0")}`;
}

async function main(argv) {
  const [command, ...args] = argv;
  if (command === "text") {
    for (const a of args) console.log(ntMilli(a));
    return 0;
  }
  const { readFileSync } = await import("node:fs");
  if (command === "files") {
    const decoder = new TextDecoder("utf-8", { fatal: true });
    for (const path of args) console.log(`${ntMilli(decoder.decode(readFileSync(path)))}\t${path}`);
    return 0;
  }
  if (command === "check") {
    let passed = 0;
    const failed = [];
    for (const path of args) {
      const doc = JSON.parse(readFileSync(path, "utf8"));
      if (doc.nt_version !== NT_VERSION) throw new Error(`${path}: vectors are for ${doc.nt_version}`);
      for (const c of doc.cases) {
        const got = ntMilli(c.input);
        if (got === c.nt_milli) passed += 1;
        else failed.push({ file: path, id: c.id, expected: c.nt_milli, got });
      }
    }
    console.log(JSON.stringify({ implementation: "spec/reference/nt.mjs", nt_version: NT_VERSION,
      unicode: process.versions.unicode, passed, failed }));
    return failed.length ? 1 : 0;
  }
  console.error("usage: node nt.mjs text STRING... | files PATH... | check VECTORS.json...");
  return 2;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
