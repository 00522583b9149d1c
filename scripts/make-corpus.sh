#!/usr/bin/env bash
# Regenerates the training corpora in corpus/ from Debian packages.
#
#   corpus/austen.txt      Jane Austen's six novels (public domain), taken from
#                          Debian's r-cran-janeaustenr (package licence: MIT)
#   corpus/pride-and-prejudice.txt  the second of them alone: the default corpus
#                          of `wasm-rnn train`, and the only one the npm package ships
#   corpus/zh-poetry.txt   classical Chinese poetry, taken from Debian's
#                          fortunes-zh (package licence: GPL-3.0+)
#   corpus/COPYING.GPL-3   the GPL text that must travel with zh-poetry.txt
#
# Needs: apt-get (with package lists present: run `apt-get update` once),
# dpkg-deb, sha256sum and node >= 18. Root is not needed: `apt-get download`
# only fetches the .deb files into a temporary directory; nothing is installed.
#
# Usage: scripts/make-corpus.sh [OUTDIR]      (default: <repo>/corpus)
# The package versions are pinned and the .deb files are checked against the
# SHA-256 sums below, so the output is byte-for-byte reproducible. Set
# CORPUS_ALLOW_OTHER_VERSIONS=1 to use whatever version apt offers instead
# (the conversion then still checks its anchors and fails if they moved).
# See corpus/SOURCES.md for the provenance and licences.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${1:-$ROOT/corpus}

AUSTEN_PKG=r-cran-janeaustenr
AUSTEN_VER=1.0.0-1
AUSTEN_SHA256=df6bddf211906d1ff404f8ff662c21b34e6660e7f54a311084e749050c019c95
ZH_PKG=fortunes-zh
ZH_VER=2.98
ZH_SHA256=211c5ddee59d0ae74ce01cbfd02f7c8714740bae1835d5661eb2254edd739105
GPL3=/usr/share/common-licenses/GPL-3   # from Debian's base-files

for tool in apt-get dpkg-deb sha256sum node; do
  command -v "$tool" >/dev/null || { echo "make-corpus: '$tool' is required" >&2; exit 1; }
done
[ -r "$GPL3" ] || { echo "make-corpus: $GPL3 not found (Debian base-files)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

apt_opts=()
# As root, apt would otherwise warn that the private temp dir is not
# accessible to its sandbox user.
[ "$(id -u)" = 0 ] && apt_opts+=(-o APT::Sandbox::User=root)

fetch() { # fetch PKG VERSION SHA256 -> extracts into $work/PKG
  local pkg=$1 ver=$2 sum=$3 spec deb
  spec="$pkg=$ver"
  [ "${CORPUS_ALLOW_OTHER_VERSIONS:-0}" = 1 ] && spec=$pkg
  if ! (cd "$work" && apt-get -q download "${apt_opts[@]}" "$spec" >&2); then
    echo "make-corpus: 'apt-get download $spec' failed; run 'apt-get update' first," >&2
    echo "  or set CORPUS_ALLOW_OTHER_VERSIONS=1 if $ver is no longer in the archive." >&2
    exit 1
  fi
  deb=$(ls "$work/${pkg}"_*.deb)
  if [ "${CORPUS_ALLOW_OTHER_VERSIONS:-0}" != 1 ]; then
    echo "$sum  $deb" | sha256sum -c --quiet - >&2 ||
      { echo "make-corpus: checksum mismatch for $deb" >&2; exit 1; }
  fi
  echo "make-corpus: using $(basename "$deb")" >&2
  dpkg-deb -x "$deb" "$work/$pkg"
}

fetch "$AUSTEN_PKG" "$AUSTEN_VER" "$AUSTEN_SHA256"
fetch "$ZH_PKG" "$ZH_VER" "$ZH_SHA256"

cat >"$work/convert.mjs" <<'EOF'
// Converts the unpacked Debian packages into plain UTF-8 text files.
import fs from 'node:fs';
import zlib from 'node:zlib';
import path from 'node:path';

// ---- a minimal reader for R's serialization format (XDR) -------------------
// Enough for R lazy-load databases (data/Rdata.rdx + data/Rdata.rdb) whose
// objects are character vectors, which is what janeaustenr ships.
class RReader {
  constructor(buf) { this.b = buf; this.p = 0; this.refs = []; }
  int() { const v = this.b.readInt32BE(this.p); this.p += 4; return v; }
  bytes(n) { const s = this.b.subarray(this.p, this.p + n); this.p += n; return s; }
  len() { const n = this.int(); if (n !== -1) return n; const hi = this.int(), lo = this.int(); return hi * 2 ** 32 + lo; }
  read() {
    if (this.bytes(2).toString('latin1') !== 'X\n') throw new Error('not an XDR R serialization');
    const version = this.int(); this.int(); this.int();
    if (version === 3) this.bytes(this.int());          // native encoding name
    return this.item();
  }
  item() {
    const flags = this.int();
    const type = flags & 0xff, levels = flags >>> 12;
    const hasAttr = flags & (1 << 9), hasTag = flags & (1 << 10);
    const withAttr = (o) => { if (hasAttr) o.attr = this.item(); return o; };
    switch (type) {
      case 254: return null;                                         // R_NilValue
      case 241: case 242: case 250: case 251: case 252: case 253: return { special: type };
      case 255: { let i = flags >> 8; if (i === 0) i = this.int(); return this.refs[i - 1]; }
      case 247: case 248: case 249: {                                // persistent names
        if (this.int() !== 0) throw new Error('bad persistent string vector');
        const n = this.int(), v = []; for (let i = 0; i < n; i++) v.push(this.item());
        const o = { special: type, v }; this.refs.push(o); return o;
      }
      case 1: { const o = { sym: this.item() }; this.refs.push(o); return o; }  // SYMSXP
      case 4: {                                                      // ENVSXP
        const o = { env: true }; this.refs.push(o); this.int();
        o.enclos = this.item(); o.frame = this.item(); o.hashtab = this.item(); o.attr = this.item();
        return o;
      }
      case 2: case 3: case 5: case 6: case 17: case 239: case 240: { // pairlist-like
        const o = { type };
        if (hasAttr) o.attr = this.item();
        if (hasTag) o.tag = this.item();
        o.car = this.item(); o.cdr = this.item();
        return o;
      }
      case 9: {                                                      // CHARSXP
        const n = this.int(); if (n === -1) return null;
        const raw = this.bytes(n);
        return (levels & 4) ? raw.toString('latin1') : raw.toString('utf8');  // LATIN1_MASK
      }
      case 10: case 13: { const n = this.len(), v = []; for (let i = 0; i < n; i++) v.push(this.int()); return withAttr({ type, v }); }
      case 14: { const n = this.len(), v = []; for (let i = 0; i < n; i++) { v.push(this.b.readDoubleBE(this.p)); this.p += 8; } return withAttr({ type, v }); }
      case 16: case 19: case 20: { const n = this.len(), v = []; for (let i = 0; i < n; i++) v.push(this.item()); return withAttr({ type, v }); }
      case 24: { const n = this.len(); return withAttr({ type, v: this.bytes(n) }); }
      default: throw new Error(`unsupported R object type ${type}`);
    }
  }
}
const attrs = (o) => { const m = {}; for (let x = o.attr; x; x = x.cdr) m[x.tag.sym] = x.car; return m; };
const namedList = (o) => Object.fromEntries(attrs(o).names.v.map((n, i) => [n, o.v[i]]));

function readLazyLoadDB(base) {
  const index = namedList(new RReader(zlib.gunzipSync(fs.readFileSync(base + '.rdx'))).read());
  const compressed = index.compressed ? index.compressed.v[0] : 1;
  if (compressed !== 1) throw new Error(`only zlib lazy-load DBs are supported (compressed=${compressed})`);
  const rdb = fs.readFileSync(base + '.rdb'), out = {};
  for (const [name, pos] of Object.entries(namedList(index.variables))) {
    const [off, len] = pos.v, blob = rdb.subarray(off, off + len);
    const raw = zlib.inflateSync(blob.subarray(4));
    if (raw.length !== blob.readUInt32BE(0)) throw new Error(`bad length for ${name}`);
    out[name] = new RReader(raw).read();
  }
  return out;
}

const fail = (msg) => { throw new Error(msg); };
const tidyLines = (lines) => lines.map((l) => l.replace(/\r$/, '').replace(/[ \t\u3000]+$/, ''));

// ---- English: Jane Austen's six novels, in order of publication -------------
function austen(pkgRoot) {
  const db = readLazyLoadDB(path.join(pkgRoot, 'usr/lib/R/site-library/janeaustenr/data/Rdata'));
  const order = ['sensesensibility', 'prideprejudice', 'mansfieldpark', 'emma', 'northangerabbey', 'persuasion'];
  const books = order.map((name) => {
    const v = db[name] ?? fail(`janeaustenr has no object '${name}'`);
    if (v.type !== 16 || v.v.some((l) => l === null)) fail(`'${name}' is not a character vector without NAs`);
    let lines = tidyLines(v.v);
    if (name === 'northangerabbey') {
      // Drop the trailing editorial "A NOTE ON THE TEXT" (from the edition the
      // e-text was made from; not part of the novel).
      const i = lines.lastIndexOf('A NOTE ON THE TEXT');
      if (i < lines.length - 12) fail('Northanger Abbey: editorial note not found where expected');
      lines = lines.slice(0, i);
    }
    while (lines.length && lines[lines.length - 1] === '') lines.pop();
    while (lines.length && lines[0] === '') lines.shift();
    return lines.join('\n');
  });
  return books;
}

// ---- Chinese: classical poetry from the fortune files ----------------------
// A fortune file is a list of entries separated by lines holding only '%'.
// fortunes-zh 2.98 also has '%' lines with trailing blanks (song100) and one
// corrupted separator '%偓佺' (chinese); both are treated as separators.
const isSeparator = (line) => /^%[ \t]*$/.test(line) || line === '%偓佺';
function fortuneEntries(file) {
  const text = fs.readFileSync(file);
  const s = new TextDecoder('utf-8', { fatal: true }).decode(text);   // throws if not UTF-8
  const entries = [[]];
  for (const line of s.replace(/\r\n?/g, '\n').split('\n')) {
    if (isSeparator(line)) entries.push([]); else entries[entries.length - 1].push(line);
  }
  return entries.map((lines) => lines.join('\n'));
}
function cleanEntry(e) {
  const lines = e.replace(/\x1b(\[[0-9;]*[A-Za-z])?/g, '')  // ANSI colour codes (and stray ESCs)
    .split('\n').map((l) => l.trim());                  // indentation and trailing blanks
  const out = [];
  for (const l of lines) if (l !== '' || (out.length && out[out.length - 1] !== '')) out.push(l);
  while (out.length && out[out.length - 1] === '') out.pop();
  return out.join('\n');
}
function zhPoetry(pkgRoot) {
  const dir = path.join(pkgRoot, 'usr/share/games/fortunes');
  const tang = fortuneEntries(path.join(dir, 'tang300'));   // 唐诗三百首
  const song = fortuneEntries(path.join(dir, 'song100'));   // 宋诗一百首
  // The 'chinese' file is a miscellany (Debian documentation, proverbs,
  // modern authors, ...). Only its two classical-poetry runs are taken:
  //   A: famous lines from Tang/Song/... poems (纳兰性德 ... 牛希济) and two
  //      complete ci by 辛弃疾 (entries 1728..2829 of the 2.98 file)
  //   B: the Shijing 诗经 (in traditional characters) followed by Song ci
  //      (entries 2854..3826)
  // minus the few 20th-century poems inside those runs (Mao Zedong, Chen Yi),
  // which are not public domain. Each run is located by its first and last
  // entry and checked against its neighbours, so a changed file fails loudly.
  const misc = fortuneEntries(path.join(dir, 'chinese')).map(cleanEntry);
  const find = (head, tail) => {
    const hits = misc.flatMap((e, i) => (e.startsWith(head) && e.endsWith(tail) ? [i] : []));
    if (hits.length !== 1) fail(`'chinese': expected one entry ${head}...${tail}, found ${hits.length}`);
    return hits[0];
  };
  const a0 = find('人生若只如初见', '纳兰性德《木兰词·拟古决绝词柬友》');
  const a1 = find('永遇乐·京口北固亭怀古\n[宋]　辛弃疾', '尚能饭否？');
  const b0 = find('《詩經‧ 國風‧ 周南‧ 關雎》', '鐘鼓樂之。');
  const b1 = find('年年社日停针线', '-- 南宋无名氏《青玉案》');
  const around = [[a0 - 1, '毛泽东'], [a1 + 1, '师说'], [b0 - 1, '墨子'], [b1 + 1, '增广贤文']];
  for (const [i, s] of around) if (!misc[i]?.includes(s)) fail(`'chinese' entry ${i} should contain ${s}`);
  if (!(a0 < a1 && a1 < b0 && b0 < b1)) fail("'chinese': poetry runs out of order");
  const modern = /毛泽东|陈毅/;
  const picked = [...misc.slice(a0, a1 + 1), ...misc.slice(b0, b1 + 1)].filter((e) => !modern.test(e));
  console.error(`zh: tang300 ${tang.length}, song100 ${song.length}, chinese runs ${a0}..${a1} and ${b0}..${b1} ` +
    `(${a1 - a0 + 1 + b1 - b0 + 1} entries, ${picked.length} kept)`);
  const all = [...tang.map(cleanEntry), ...song.map(cleanEntry), ...picked].filter((e) => e !== '');
  console.error(`zh: ${all.length} poems/excerpts written`);
  const text = all.join('\n\n') + '\n';
  const bad = text.match(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  if (bad) fail(`control character U+${bad[0].codePointAt(0).toString(16)} left in zh-poetry.txt`);
  return text;
}

function stats(file) {
  const s = fs.readFileSync(file, 'utf8');
  const cps = [...s];
  return `${path.basename(file)}: ${fs.statSync(file).size} bytes, ${cps.length} code points, ` +
    `${new Set(cps).size} distinct, ${s.split('\n').length - 1} lines`;
}

const [austenRoot, zhRoot, outDir] = process.argv.slice(2);
fs.mkdirSync(outDir, { recursive: true });
const novels = austen(austenRoot);
const files = [
  ['austen.txt', novels.join('\n\n\n\n\n') + '\n'],
  ['pride-and-prejudice.txt', novels[1] + '\n'],   // the npm package's default corpus (small)
  ['zh-poetry.txt', zhPoetry(zhRoot)],
];
for (const [name, text] of files) {
  const file = path.join(outDir, name);
  fs.writeFileSync(file, text);
  console.error(stats(file));
}
EOF

mkdir -p "$OUT"
node "$work/convert.mjs" "$work/$AUSTEN_PKG" "$work/$ZH_PKG" "$OUT"
cp "$GPL3" "$OUT/COPYING.GPL-3"
(cd "$OUT" && sha256sum austen.txt pride-and-prejudice.txt zh-poetry.txt COPYING.GPL-3) >&2
