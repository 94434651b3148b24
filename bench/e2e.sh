#!/usr/bin/env bash
# Whole-process benchmark (the speed issue's "whole process" target): `shrink path DATA.csv` against Rscript reading
# the same CSV and fitting glmnet, each a fresh process timed from outside, start-up included.
#
# Installs nothing; needs the .NET 10 SDK, Rscript with glmnet (data.table for fread), GNU time and python3:
#     apt-get update && apt-get install -y r-cran-glmnet r-cran-data.table
#
# Usage: bench/e2e.sh [REPEATS]      (default 5)
# Environment:
#   DATA       the CSV, the target in its last column (default /tmp/shrink-bench-data/dense/data.csv; made with the
#              anchors' gen.py if missing)
#   ANCHORS    the anchors' scripts, for gen.py (default: ../shared/anchors beside the repository root)
#   READERS    the R readers to time: read.csv (base R, as the anchors' glmnet_bench.R) and/or fread (data.table)
#              (default "read.csv fread"; fread is left out, with a note, when data.table is not installed)
#   EPS        the grid: 100 λ from λmax down to EPS·λmax (default 1e-3, the anchors' for n > p)
#   TOLERANCE  Shrink's relative duality-gap tolerance (default 1e-9, as the side-by-side benchmark)
#   MACHINE    results folder name (default: CPU model and core count, e.g. amd-epyc-2c)
#   OUT        results folder (default bench/results/$MACHINE/<UTC date>-e2e)
#   SHRINK_DIR where the tool is published (default artifacts/shrink-aot)
#   PUBLISH_ARGS more `dotnet publish` options, e.g. "-p:IlcInstructionSet=native" (then set SHRINK_DIR apart too)
#
# It publishes the tool as users get it (`dotnet publish -c Release src/Shrink.Cli`: Native AOT, x86-64-v3, as the
# project sets it) into artifacts/shrink-aot/ (incremental: nothing is recompiled when nothing changed; about 2
# CPU-minutes when something did), then, REPEATS times round-robin: the whole `shrink path` process and one Rscript
# process per reader (bench/e2e.R), each under GNU time (wall, user, sys, peak RSS). Shrink's line adds its own
# read and fit seconds, the bytes read and the CPU time the read took (from its --json); R's, its read and fit
# seconds. Before the
# repeats, both run once on a tiny file (the first 20 rows and 3 features of DATA): their fixed start-up cost.
# Each run's line goes to OUT/e2e-TOOL-REP.json, the machine to OUT/machine.txt, the medians and ratios to
# OUT/summary.md (also printed).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
REPEATS=${1:-${REPEATS:-5}}
DATA=${DATA:-/tmp/shrink-bench-data/dense/data.csv}
READERS=${READERS:-read.csv fread}
EPS=${EPS:-1e-3}
TOLERANCE=${TOLERANCE:-1e-9}
PY=/usr/bin/python3
slug() { tr 'A-Z' 'a-z' | sed -E 's/\(r\)|\(tm\)|processor|[0-9]+-core//g; s/[^a-z0-9]+/-/g; s/^-+|-+$//g'; }
MACHINE=${MACHINE:-$(lscpu | sed -n 's/^Model name: *//p' | head -1 | slug)-$(nproc)c}
OUT=${OUT:-$ROOT/bench/results/$MACHINE/$(date -u +%Y-%m-%d)-e2e}

for tool in "$PY" Rscript dotnet /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "e2e.sh: $tool not found (see the set-up line at the top of this script)" >&2; exit 2; }
done
if [ ! -f "$DATA" ]; then
  ANCHORS=$(cd "${ANCHORS:-$ROOT/../shared/anchors}" && pwd)
  name=$(basename "$(dirname "$DATA")")
  echo "generating $name into $(dirname "$(dirname "$DATA")")" >&2
  "$PY" "$ANCHORS/gen.py" "$(dirname "$(dirname "$DATA")")" "$name" >&2
fi
readers=()
for reader in $READERS; do
  if [ "$reader" = fread ] && ! Rscript -e 'quit(status = !requireNamespace("data.table", quietly = TRUE))' 2>/dev/null; then
    echo "e2e.sh: data.table is not installed; fread left out (apt-get install r-cran-data.table)" >&2
    continue
  fi
  readers+=("$reader")
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
SHRINK_DIR=${SHRINK_DIR:-$ROOT/artifacts/shrink-aot}
# shellcheck disable=SC2086
dotnet publish -c Release "$ROOT/src/Shrink.Cli" -o "$SHRINK_DIR" -v quiet -nologo ${PUBLISH_ARGS:-} >&2
SHRINK=$SHRINK_DIR/shrink
mkdir -p "$OUT"
rm -f "$OUT"/e2e-*.json

TARGET=$(head -1 "$DATA" | tr -d '\r' | awk -F, '{print $NF}')
BYTES=$(stat -c %s "$DATA")
# The tiny file: the first 20 rows, the first 3 columns and the target.
awk -F, 'NR <= 21 { print $1 "," $2 "," $3 "," $NF }' "$DATA" > "$WORK/tiny.csv"

{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "shrink: $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo ' (src/ modified)'), $([ -f "$SHRINK_DIR/shrink.dll" ] && echo "framework-dependent, ReadyToRun" || echo "Native AOT"), published with: dotnet publish -c Release ${PUBLISH_ARGS:-}"
  lscpu | grep -E '^(Model name|CPU\(s\)|Thread\(s\) per core|Core\(s\) per socket|L2 cache|L3 cache|Hypervisor vendor):' || true
  echo "memory: $(free -g | awk '/^Mem:/ {print $2 " GB"}')"
  echo "os: $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
  echo "dotnet: $(dotnet --version) (runtime $(dotnet --list-runtimes | awk '/Microsoft.NETCore.App/ {v=$2} END {print v}'))"
  echo "R: $(Rscript -e 'cat(R.version.string, "glmnet", format(packageVersion("glmnet")), if (requireNamespace("data.table", quietly = TRUE)) paste("data.table", format(packageVersion("data.table"))) else "")' 2>/dev/null)"
  echo "blas: $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo unknown)"
  echo "data: $DATA ($BYTES bytes, target '$TARGET'), eps $EPS, Shrink tolerance $TOLERANCE"
  echo "repeats: $REPEATS, readers: ${readers[*]}"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$OUT/machine.txt"
cat "$OUT/machine.txt" >&2

# One timed process: its output to FILE.out, GNU time's wall/user/sys/peak RSS to FILE.time.
timed() {
  local file=$1; shift
  /usr/bin/time -f '%e %U %S %M' -o "$file.time" "$@" > "$file.out" 2> "$file.err" || {
    echo "e2e.sh: failed (see below): $*" >&2; tail -5 "$file.err" >&2; exit 1; }
}

# The run's line: GNU time's numbers and the tool's own (Shrink's --json timing, R's e2e.R line).
record() {
  local file=$1 tool=$2 reader=$3 out=$4
  "$PY" - "$file" "$tool" "$reader" "$BYTES" <<'EOF' > "$out"
import json, sys
file, tool, reader, size = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
wall, user, sys_, rss = open(file + ".time").read().split()[-4:]
line = {"tool": tool, "reader": reader, "wall_seconds": float(wall), "cpu_seconds": round(float(user) + float(sys_), 3),
        "peak_rss_mb": round(int(rss) / 1024, 1)}
out = open(file + ".out").read()
if tool == "shrink":
    r = json.loads(out)
    line.update(read_seconds=r["timing"]["read_seconds"], read_cpu_seconds=r.get("read_cpu_seconds"), fit_seconds=r["timing"]["fit_seconds"], bytes_read=r.get("bytes_read"),
                lambdas=len(r["lambdas"]), lambda_max=r["lambdas"][0], nnz_last=int(r["nnz"][-1]),
                worst_gap=max(r["duality_gaps"]))
else:
    r = json.loads(out.strip().splitlines()[-1])
    line.update(read_seconds=r["read_seconds"], fit_seconds=r["fit_seconds"], lambda_max=r["lambda_max"], nnz_last=r["nnz_last"])
print(json.dumps(line))
EOF
}

shrink_args=(--target "$TARGET" --no-intercept --no-standardize --n-lambda 100 --lambda-min-ratio "$EPS" --tolerance "$TOLERANCE" --json)
run_shrink() { timed "$WORK/run" "$SHRINK" path "$1" "${shrink_args[@]}"; record "$WORK/run" shrink "" "$2"; }
run_r() { timed "$WORK/run" Rscript "$ROOT/bench/e2e.R" "$1" "$2" "$EPS"; record "$WORK/run" glmnet "$2" "$3"; }

echo "tiny file (fixed costs)" >&2
run_shrink "$WORK/tiny.csv" "$OUT/e2e-tiny-shrink.json"
for reader in "${readers[@]}"; do run_r "$WORK/tiny.csv" "$reader" "$OUT/e2e-tiny-glmnet-$reader.json"; done
for rep in $(seq 1 "$REPEATS"); do
  echo "repeat $rep/$REPEATS (load $(cut -d' ' -f1 /proc/loadavg))" >&2
  run_shrink "$DATA" "$OUT/e2e-shrink-$rep.json"
  echo "  shrink: $(cat "$OUT/e2e-shrink-$rep.json")" >&2
  for reader in "${readers[@]}"; do
    run_r "$DATA" "$reader" "$OUT/e2e-glmnet-$reader-$rep.json"
    echo "  glmnet ($reader): $(cat "$OUT/e2e-glmnet-$reader-$rep.json")" >&2
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"

"$PY" - "$OUT" "$BYTES" <<'EOF' | tee "$OUT/summary.md"
import glob, json, os, statistics, sys
out, size = sys.argv[1], int(sys.argv[2])
def runs(pattern): return [json.load(open(f)) for f in sorted(glob.glob(os.path.join(out, pattern)))]
def med(rs, key): return statistics.median(r[key] for r in rs)
shrink = runs("e2e-shrink-[0-9]*.json")
readers = sorted({os.path.basename(f).split("-")[2] for f in glob.glob(os.path.join(out, "e2e-glmnet-*-[0-9]*.json"))})
print(f"Whole process, medians of {len(shrink)} interleaved runs ({size / 1e6:.1f} MB CSV); wall and CPU (user + sys) seconds from GNU time.\n")
print("| process | wall | CPU | peak RSS | read (own clock) | fit (own clock) |")
print("|---|---|---|---|---|---|")
rows = [("shrink path", shrink)] + [(f"Rscript: {reader} + glmnet", runs(f"e2e-glmnet-{reader}-[0-9]*.json")) for reader in readers]
for name, rs in rows:
    print(f"| {name} | {med(rs, 'wall_seconds'):.2f} s | {med(rs, 'cpu_seconds'):.2f} s | {med(rs, 'peak_rss_mb'):.0f} MB | {med(rs, 'read_seconds'):.3f} s | {med(rs, 'fit_seconds'):.3f} s |")
print()
for (name, rs) in rows[1:]:
    print(f"Shrink / ({name}): wall {med(shrink, 'wall_seconds') / med(rs, 'wall_seconds'):.3f}, CPU {med(shrink, 'cpu_seconds') / med(rs, 'cpu_seconds'):.3f} (target: wall at most 0.2).")
rates = [size / r["read_seconds"] / 1e6 for r in shrink]
print(f"\nShrink's CSV reading: median {statistics.median(rates):.0f} MB/s (file size over its own read clock; runs: {', '.join(f'{x:.0f}' for x in rates)}; target 300 MB/s).")
cpu = [r["read_cpu_seconds"] for r in shrink if r.get("read_cpu_seconds")]
if cpu:
    print(f"Its reading CPU time (all threads): median {statistics.median(cpu):.3f} s, {size / statistics.median(cpu) / 1e6:.0f} MB per CPU-second.")
tiny = runs("e2e-tiny-*.json")
print("Tiny file (20 rows, 3 features; the fixed start-up cost): " + ", ".join(f"{r['tool']}{' ' + r['reader'] if r['reader'] else ''} {r['wall_seconds']:.2f} s wall, {r['cpu_seconds']:.2f} s CPU" for r in tiny) + ".")
lm = {(r["tool"] + " " + r["reader"]).strip(): r["lambda_max"] for r in runs("e2e-*-1.json")}
print(f"λmax: " + ", ".join(f"{k} {v:.17g}" for k, v in lm.items()) + f"; Shrink's worst duality gap {max(r['worst_gap'] for r in shrink):.1e}.")
EOF
echo "results in $OUT" >&2
