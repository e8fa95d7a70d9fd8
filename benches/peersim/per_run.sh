#!/usr/bin/env bash
# Per-run cost against PeerSim 1.0.5: flood, OPPI (a broadcast along the minimum spanning tree,
# which each run builds) and periodic push gossip (P = 100 ms, f = 1, R = 100) on k-out,
# Watts-Strogatz (beta = 0.8) and Barabasi-Albert graphs, n = 10 000, k = 8, two-way links, a
# fixed delay per link uniform in 1..100 ms. A run's cost is the marginal CPU (user + sys) of one
# more run in one process: (T(E2) - T(E1)) / (E2 - E1) with E1 = 1 and E2 = 11 runs for PeerSim,
# 101 for chainlab (whose runs are too short for the timer's 0.01 s at 11), the least of
# PAIRS interleaved repeats, so that neither start-up (the JVM's, chainlab's) is counted.
#
#   benches/peersim/per_run.sh PEERSIM_SRC JEP_JAR DJEP_JAR [PAIRS]
#
# PEERSIM_SRC, JEP_JAR and DJEP_JAR as for run.sh. chainlab runs with `references = false` (the
# broadcast and what its protocol needs: OPPI's tree), like the anchors.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
src="$1"; jep="$2"; djep="$3"; pairs="${4:-2}"
# shellcheck source=build.sh
source "$here/build.sh"

cpu() { /usr/bin/time -f "%U %S" -o "$work/t" "$@" > /dev/null 2>&1; awk '{print $1 + $2}' "$work/t"; }

peersim_cfg() { # protocol topology experiments
    local class wire
    case "$1" in flood) class=Flood ;; oppi) class=Tree ;; gossip) class=Gossip ;; esac
    case "$2" in kout) wire=WireKOut ;; ws) wire=WireWS ;; ba) wire=WireScaleFreeBA ;; esac
    {
        echo "random.seed 1"
        echo "simulation.endtime 100000000"
        echo "simulation.experiments $3"
        echo "network.size 10000"
        echo "protocol.link IdleProtocol"
        echo "protocol.bc anchor.$class"
        echo "protocol.bc.linkable link"
        echo "protocol.bc.period 100"
        echo "protocol.bc.fanout 1"
        echo "protocol.bc.pushes 100"
        echo "init.wire $wire"
        echo "init.wire.protocol link"
        echo "init.wire.k 8"
        echo "init.wire.beta 0.8"
        echo "init.wire.undir true"
        echo "init.mst anchor.Mst"
        echo "init.mst.linkable link"
        echo "init.start anchor.Start"
        echo "init.start.protocol bc"
        if [ "$1" = oppi ]; then echo "include.init wire mst start"; else echo "include.init wire start"; fi
    } > "$work/ps.cfg"
}

chainlab_spec() { # protocol topology replicates
    printf 'name = "per_run"\ndescription = "per-run cost"\nmodel = "propagation"\nseed = 7\nreplicates = %d\n[params]\ntopology = "%s"\nnodes = 10000\nk = 8\nprotocol = "%s"\nrng = "peersim"\ndelay_min = "1 ms"\ndelay_max = "100 ms"\nreferences = false\n' \
        "$3" "$2" "$1" > "$work/cl.toml"
}

chainlab_run() { rm -rf "$work/out"; cpu "$root/target/release/chainlab" run "$work/cl.toml" --out "$work/out" --jobs 1 --quiet; }

printf '%-7s %-5s %12s %12s %7s\n' protocol graph "PeerSim ms" "chainlab ms" ratio
for proto in flood oppi gossip; do
    for topo in kout ws ba; do
        best_ps=1e9; best_cl=1e9
        for _ in $(seq "$pairs"); do
            peersim_cfg "$proto" "$topo" 1; a=$(cpu java -cp "$cp" peersim.Simulator "$work/ps.cfg")
            chainlab_spec "$proto" "$topo" 1; c=$(chainlab_run)
            peersim_cfg "$proto" "$topo" 11; b=$(cpu java -cp "$cp" peersim.Simulator "$work/ps.cfg")
            chainlab_spec "$proto" "$topo" 101; d=$(chainlab_run)
            best_ps=$(awk -v x="$best_ps" -v a="$a" -v b="$b" 'BEGIN { y = (b - a) / 10; print (y < x) ? y : x }')
            best_cl=$(awk -v x="$best_cl" -v c="$c" -v d="$d" 'BEGIN { y = (d - c) / 100; print (y < x) ? y : x }')
        done
        awk -v p="$proto" -v g="$topo" -v a="$best_ps" -v b="$best_cl" \
            'BEGIN { printf "%-7s %-5s %12.1f %12.2f %7.1f\n", p, g, 1000 * a, 1000 * b, a / b }'
    done
done
