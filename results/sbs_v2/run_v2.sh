#!/bin/bash
# Runs SymBChainSim Version-2.0 (commit 9aefe53; needs Python 3.12 with numpy 1.26 and pyyaml)
# on the configurations of this directory, seeds 1-30, and appends one JSON line per seed to
# v2_<setup>_<protocol>.jsonl here ({"seed", "error"} for a seed V2 fails on); seeds already
# in the file are skipped.
# Usage: run_v2.sh SBS_V2_CHECKOUT SETUP PROTOCOL   (e.g. run_v2.sh ~/SymBChainSim a10 Tendermint)
set -u
here=$(cd "$(dirname "$0")" && pwd)
src="$1/src"; setup=$2; cp=$3
cp "$here/run_seed.py" "$src/"
cp "$here/${setup}_${cp}.yaml" "$src/Configs/"
cd "$src"
for seed in $(seq 1 30); do
  # A seed already in the file is not run again (an interrupted set is completed).
  grep -q "\"seed\": $seed[,}]" "$here/v2_${setup}_${cp}.jsonl" 2>/dev/null && continue
  if out=$(python3.12 run_seed.py "${setup}_${cp}.yaml" "$seed" 2>/tmp/v2_err.txt); then
    echo "$out" >> "$here/v2_${setup}_${cp}.jsonl"
  else
    why=$(grep -E "^[A-Za-z_.]+(Error|Exception)" /tmp/v2_err.txt | tail -1 | tr -d '"')
    echo "{\"seed\": $seed, \"error\": \"$why\"}" >> "$here/v2_${setup}_${cp}.jsonl"
  fi
done
