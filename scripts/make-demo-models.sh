#!/usr/bin/env bash
# Trains the two pretrained models the browser demo loads, with the CLI, and keeps their weights only
# (no optimizer state) in web/models/. Seeded: the same commands make the same files on one machine.
#   web/models/austen/  character LSTM language model on the bundled Austen corpus (`npm start`'s job)
#   web/models/austen-int8/  the same with int8 weights (`wasm-rnn quantize`)
#   web/models/dates/   seq2seq date normaliser (human-written date → YYYY-MM-DD), attention
# Takes about 15 minutes on 2 cores. Run after `npm install` (it uses dist/).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

node dist/cli/main.js train --out "$work/austen" --steps 3000 --seed 1 --quiet
node scripts/date-pairs.mjs 12000 1 > "$work/dates.tsv"
node dist/cli/main.js train-seq2seq --data "$work/dates.tsv" --out "$work/dates" --hidden 64 --embedding 16 \
  --bidirectional --attention general --epochs 4 --seed 1 --quiet

node scripts/weights-only.mjs "$work/austen" web/models/austen
node scripts/weights-only.mjs "$work/dates" web/models/dates
node dist/cli/main.js quantize --model web/models/austen --out web/models/austen-int8
