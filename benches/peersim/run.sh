#!/usr/bin/env bash
# The PeerSim comparison: 10 flood broadcasts on a k-out graph (n = 10 000, k = 8, two-way
# links, a fixed delay per link uniform in 1..100 ms), as one PeerSim 1.0.5 process and as one
# chainlab process (`--jobs 1`), interleaved, CPU seconds (user + sys) of each whole process.
#
#   benches/peersim/run.sh PEERSIM_SRC JEP_JAR DJEP_JAR [PAIRS]
#
# PEERSIM_SRC is the directory holding PeerSim 1.0.5's `peersim/` source tree (the
# peersim-1.0.5.zip release from peersim.sourceforge.net has it under src/); JEP_JAR and
# DJEP_JAR are the jep-2.3.0.jar and djep-1.0.0.jar that release ships. Needs javac (Java 8 or
# later) and a release build of chainlab (cargo build --release).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
src="$1"; jep="$2"; djep="$3"; pairs="${4:-5}"
# shellcheck source=build.sh
source "$here/build.sh"
for i in $(seq "$pairs"); do
    /usr/bin/time -f "peersim  %U + %S s CPU, %M KB" java -cp "$cp" peersim.Simulator "$here/flood.cfg" 2>&1 \
        | grep -E '^peersim '
    rm -rf "$work/out"
    /usr/bin/time -f "chainlab %U + %S s CPU, %M KB" "$root/target/release/chainlab" run \
        "$here/flood10.toml" --out "$work/out" --jobs 1 --quiet 2>&1 | grep -E '^chainlab '
done
