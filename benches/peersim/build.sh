# Sourced by run.sh and per_run.sh, with `here`, `src`, `jep` and `djep` set: builds PeerSim
# 1.0.5 from its sources and the anchors with plain javac into a fresh directory `work`, and
# sets `cp`, the class path to run them.
work="$(mktemp -d)"
find "$src/peersim" -name '*.java' > "$work/files"
mkdir "$work/classes"
javac -nowarn -encoding ISO-8859-1 -cp "$jep:$djep" -d "$work/classes" @"$work/files"
cp="$work/classes:$jep:$djep"
javac -cp "$cp" -d "$work/classes" "$here"/anchor/*.java
