#!/usr/bin/env bash
# Side-by-side benchmark: Shrink against scikit-learn and glmnet on the anchors' data and λ grids.
#
# Installs nothing. Once per machine (Debian packages, as the anchors' README says):
#     apt-get update && apt-get install -y python3-sklearn r-cran-glmnet libopenblas0-pthread
# and the .NET 10 SDK.
#
# Usage: bench/run.sh [DATA:TASK ...]      default: the six runs below
# Environment:
#   ANCHORS  the anchors' scripts (default: ../shared/anchors beside the repository root)
#   DATA     where the data sets are generated, outside the repository (default /tmp/shrink-bench-data;
#            diabetes, dense and wide take ~400 MB; sparse and tall, ~1 GB more, only when asked for)
#   REPEATS  timings per tool and task (default 3; the table shows medians)
#   TIMEOUT  seconds one run may take, its process start and data loading included (glmnet's read.csv of the
#            dense set alone takes ~40 s), before it is stopped and recorded as a timeout (default 300); a tool
#            that times out is not repeated on that task
#   SHRINK_FLAGS  extra flags for Shrink's side runner, e.g. --warmup (time a second, warm call; the anchors and the
#            default time the first call in a fresh process)
#   MACHINE  results folder name (default: CPU model and core count, e.g. amd-epyc-2c)
#   OUT      results folder (default bench/results/$MACHINE/<UTC date>)
#
# Per (data, task) it runs sk_bench.py, glmnet_bench.R (not for ridgecv: glmnet has no leave-one-out) and
# Shrink's side runner (Native AOT, and the JIT build as shrink-jit), round-robin, REPEATS times; it saves each JSON line as DATA-TASK-TOOL-REP.json (and
# Shrink's per-λ trace as DATA-TASK-shrink-REP.log), with each process's peak resident memory added to its line as
# peak_rss_mb (GNU time), and the machine description in machine.txt, then prints the anchors' compare.py table and bench/summarize.py's table
# (also written to summary.md).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ANCHORS=$(cd "${ANCHORS:-$ROOT/../shared/anchors}" && pwd)
DATA=${DATA:-/tmp/shrink-bench-data}
REPEATS=${REPEATS:-3}
TIMEOUT=${TIMEOUT:-300}
PY=/usr/bin/python3   # the interpreter Debian's python3-sklearn installs into
slug() { tr 'A-Z' 'a-z' | sed -E 's/\(r\)|\(tm\)|processor|[0-9]+-core//g; s/[^a-z0-9]+/-/g; s/^-+|-+$//g'; }
MACHINE=${MACHINE:-$(lscpu | sed -n 's/^Model name: *//p' | head -1 | slug)-$(nproc)c}
OUT=${OUT:-$ROOT/bench/results/$MACHINE/$(date -u +%Y-%m-%d)}
RUNS=("$@")
[ ${#RUNS[@]} -gt 0 ] || RUNS=(diabetes:lasso dense:lasso dense:enet wide:lasso dense:lassocv dense:ridgecv)

case "$DATA" in "$ROOT"|"$ROOT"/*) echo "run.sh: DATA ($DATA) must be outside the repository" >&2; exit 2 ;; esac
for tool in "$PY" Rscript dotnet timeout /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool not found (see the set-up line at the top of this script)" >&2; exit 2; }
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# Shrink's side runner twice: published as Native AOT (tool "shrink", the one the targets are about: compiled ahead of
# time as the peers' code is) and as the ordinary JIT build (tool "shrink-jit", JIT compilation inside the timed call,
# as a library user's first call in a process pays it).
SHRINK=("$("$ROOT/bench/publish-side.sh")")
dotnet build -c Release "$ROOT/bench/Shrink.Side" -v quiet -nologo >&2
SHRINK_JIT=("dotnet" "$ROOT/bench/Shrink.Side/bin/Release/net10.0/Shrink.Side.dll")
mkdir -p "$OUT" "$DATA"

{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "shrink: $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo ' (src/ modified)')"
  lscpu | grep -E '^(Model name|CPU\(s\)|Thread\(s\) per core|Core\(s\) per socket|L2 cache|L3 cache|Hypervisor vendor):' || true
  echo "memory: $(free -g | awk '/^Mem:/ {print $2 " GB"}')"
  echo "os: $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
  echo "dotnet: $(dotnet --version) (runtime $(dotnet --list-runtimes | awk '/Microsoft.NETCore.App/ {v=$2} END {print v}'))"
  echo "python: $($PY -c 'import sys, numpy, scipy, sklearn; print(sys.version.split()[0], "numpy", numpy.__version__, "scipy", scipy.__version__, "scikit-learn", sklearn.__version__)')"
  echo "R: $(Rscript -e 'cat(R.version.string, "glmnet", format(packageVersion("glmnet")))' 2>/dev/null)"
  echo "blas: $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo unknown)"
  echo "repeats: $REPEATS, timeout: $TIMEOUT s${SHRINK_FLAGS:+, Shrink flags: $SHRINK_FLAGS}"
} > "$OUT/machine.txt"
cat "$OUT/machine.txt" >&2

# One run: its JSON line to FILE (Shrink's --trace lines to FILE minus .json plus .log), or a timeout record
# (with how far Shrink got). Returns 1 on a timeout.
run_one() {
  local file=$1 tool=$2 data=$3 task=$4; shift 4
  local status=0 log="" progress=""
  # Peak resident memory of the whole process (data loading included), from GNU time.
  if [ "${tool%-jit}" = shrink ]; then
    log=${file%.json}.log
    timeout "$TIMEOUT" /usr/bin/time -f %M -o "$file.rss" "$@" > "$file.tmp" 2> "$log" || status=$?
  else
    timeout "$TIMEOUT" /usr/bin/time -f %M -o "$file.rss" "$@" > "$file.tmp" || status=$?
  fi
  if [ $status -eq 124 ]; then
    [ -n "$log" ] && progress=$(sed -n 's/^progress \([0-9]*\/[0-9]*\) .*/\1/p' "$log" | tail -1)
    printf '{"tool": "%s", "task": "%s", "data": "%s", "seconds": null, "timeout": %s%s}\n' \
      "${tool/#sklearn/scikit-learn}" "$task" "$data" "$TIMEOUT" "${progress:+, \"progress\": \"$progress\"}" > "$file"
    rm -f "$file.tmp"
    echo "  $tool: timeout after $TIMEOUT s${progress:+ (λ fits done: $progress)}" >&2
    return 1
  elif [ $status -ne 0 ]; then
    echo "run.sh: $tool failed on $data $task (exit $status): $*" >&2
    [ -n "$log" ] && tail -5 "$log" >&2
    exit 1
  fi
  "$PY" -c 'import json, sys; r = json.loads(open(sys.argv[1]).read()); r["peak_rss_mb"] = int(open(sys.argv[2]).read().split()[-1]) / 1024; r["tool"] = "shrink-jit" if sys.argv[3] == "shrink-jit" else r["tool"]; print(json.dumps(r))' "$file.tmp" "$file.rss" "$tool" > "$file"
  rm -f "$file.tmp" "$file.rss"
  echo "  $tool: $($PY -c 'import json, sys; print("%.3f s" % json.load(open(sys.argv[1]))["seconds"])' "$file")" >&2
}

for spec in "${RUNS[@]}"; do
  data=${spec%%:*} task=${spec##*:}
  if [ ! -f "$DATA/$data/y.npy" ]; then
    echo "generating $data into $DATA" >&2
    "$PY" "$ANCHORS/gen.py" "$DATA" "$data" >&2
  fi
  # The sparse set is X.npz; glmnet_bench.R reads it as X.mtx with y.txt, which the anchors' README says to write
  # (scipy.io.mmwrite, numpy.savetxt) and gen.py does not.
  if [ -f "$DATA/$data/X.npz" ] && [ ! -f "$DATA/$data/X.mtx" ]; then
    echo "writing $data's X.mtx and y.txt for glmnet" >&2
    "$PY" -c 'import sys, numpy as np, scipy.io, scipy.sparse as sp; d = sys.argv[1]; scipy.io.mmwrite(d + "/X.mtx", sp.load_npz(d + "/X.npz"), precision=17); np.savetxt(d + "/y.txt", np.load(d + "/y.npy"), fmt="%.17g")' "$DATA/$data"
  fi
  # The anchors' README: λmin ratio 1e-3 when n > p, 1e-2 when p > n (the scripts default to 1e-3, so pass it to all).
  eps=$("$PY" -c 'import numpy as np, scipy.sparse as sp, sys, os; f = sys.argv[1]; s = sp.load_npz(f + "/X.npz").shape if os.path.exists(f + "/X.npz") else np.load(f + "/X.npy", mmap_mode="r").shape; print("1e-2" if s[1] > s[0] else "1e-3")' "$DATA/$data")
  tools=(sklearn glmnet shrink shrink-jit)
  [ "$task" = ridgecv ] && tools=(sklearn shrink shrink-jit)
  # cv.glmnet once more on Shrink's folds (contiguous, as LassoCV's KFold(10)): λmin compared exactly (bench/README.md).
  [ "$task" = lassocv ] && tools=(sklearn glmnet glmnet-samefolds shrink shrink-jit)
  rm -f "$OUT/$data-$task-"*.json "$OUT/$data-$task-"*.log   # no stale repeats from an earlier run into the same folder
  declare -A stopped=()
  for rep in $(seq 1 "$REPEATS"); do
    echo "$data $task (eps $eps), repeat $rep/$REPEATS" >&2
    for tool in "${tools[@]}"; do
      [ -n "${stopped[$tool]:-}" ] && continue
      file="$OUT/$data-$task-$tool-$rep.json"
      case $tool in
        sklearn) cmd=("$PY" "$ANCHORS/sk_bench.py" "$DATA" "$data" "$task" "$eps") ;;
        glmnet) cmd=(Rscript "$ANCHORS/glmnet_bench.R" "$DATA" "$data" "$task" "$eps") ;;
        glmnet-samefolds) cmd=(Rscript "$ROOT/bench/cvglmnet_folds.R" "$DATA" "$data" "$eps") ;;
        shrink) cmd=("${SHRINK[@]}" "$DATA" "$data" "$task" "$eps" --trace ${SHRINK_FLAGS:-}) ;;
        shrink-jit) cmd=("${SHRINK_JIT[@]}" "$DATA" "$data" "$task" "$eps" --trace ${SHRINK_FLAGS:-}) ;;
      esac
      run_one "$file" "$tool" "$data" "$task" "${cmd[@]}" || stopped[$tool]=1
    done
  done
  unset stopped
done

echo >&2
"$PY" "$ROOT/bench/summarize.py" "$OUT" "$ANCHORS"
echo "results in $OUT" >&2
