#!/usr/bin/env bash
# Streaming benchmark (issue #5, larger than memory): one pass over a 1,000,000 x 50 CSV (~1 GB, the anchors' `tall`
# set) and over a ~3 GB file made from it, timing `shrink stats`, `shrink path --streaming` and
# `shrink cv --streaming --folds 10` with /usr/bin/time -v (wall and CPU seconds, peak RSS), and comparing the
# streaming path's coefficients with the in-memory path's on the 1 GB file.
#
# Usage: bench/streaming/run.sh            (needs /usr/bin/python3 with numpy for the anchors' gen.py)
# Environment:
#   DATA  where the data is generated, outside the repository (default /tmp/shrink-bench-data); the 3 GB file is
#         written beside it and removed at the end (KEEP=1 keeps it)
#   OUT   results folder (default bench/results/<machine>/<UTC date>/streaming)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ANCHORS=$(cd "${ANCHORS:-$ROOT/../shared/anchors}" && pwd)
DATA=${DATA:-/tmp/shrink-bench-data}
slug() { tr 'A-Z' 'a-z' | sed -E 's/\(r\)|\(tm\)|processor|[0-9]+-core//g; s/[^a-z0-9]+/-/g; s/^-+|-+$//g'; }
MACHINE=${MACHINE:-$(lscpu | sed -n 's/^Model name: *//p' | head -1 | slug)-$(nproc)c}
OUT=${OUT:-$ROOT/bench/results/$MACHINE/$(date -u +%Y-%m-%d)/streaming}
mkdir -p "$OUT"
CSV=$DATA/tall/data.csv
[ -f "$CSV" ] || /usr/bin/python3 "$ANCHORS/gen.py" "$DATA" tall
BIG=$DATA/tall/data3.csv
if [ ! -f "$BIG" ]; then
  # Three copies of the rows under one header: the same per-row work, three times the bytes.
  { cat "$CSV"; tail -n +2 "$CSV"; tail -n +2 "$CSV"; } > "$BIG"
fi

dotnet build -c Release "$ROOT/src/Shrink.Cli" -nologo -v q >/dev/null
SHRINK=(dotnet "$ROOT/src/Shrink.Cli/bin/Release/net10.0/shrink.dll")
{ lscpu | sed -n 's/^Model name: *//p'; nproc; free -g | sed -n 2p; dotnet --version; uptime; } > "$OUT/machine.txt"

run() { # name, command...
  local name=$1; shift
  echo "== $name: $*" >&2
  /usr/bin/time -v "$@" > "$OUT/$name.json" 2> "$OUT/$name.time"
  grep -E "Elapsed|User time|System time|Maximum resident|Percent of CPU" "$OUT/$name.time" | sed 's/^\s*//' >&2
}
for file in "$CSV" "$BIG"; do
  tag=$(basename "$file" .csv)
  run "$tag-stats" "${SHRINK[@]}" stats "$file" --target y --folds 10 --out "$OUT/$tag.stats" --json
  run "$tag-path-streaming" "${SHRINK[@]}" path "$file" --target y --streaming --json
  run "$tag-cv-streaming" "${SHRINK[@]}" cv "$file" --target y --streaming --folds 10 --json
done
run data-path-memory "${SHRINK[@]}" path "$CSV" --target y --json
run data-fit-memory "${SHRINK[@]}" fit "$CSV" --target y --lambda 0.001 --json
run data-fit-streaming "${SHRINK[@]}" fit "$CSV" --target y --lambda 0.001 --streaming --json
rm -f "$OUT"/*.stats
/usr/bin/python3 "$(dirname "$0")/summarize.py" "$OUT" | tee "$OUT/summary.md"
[ "${KEEP:-0}" = 1 ] || rm -f "$BIG"
