#!/usr/bin/env bash
# Publishes the side runner (bench/Shrink.Side) as Native AOT and prints the binary's path on stdout.
#
# The peers' code is compiled ahead of time (glmnet's C++/Fortran, numpy's BLAS); so is this binary: no JIT
# compilation happens inside the timed call. The instruction set is the build machine's own (`native`), as the JIT
# build would use at run time: the binary is for this machine's benchmark runs, not for distribution.
# Skips the publish (about 2 CPU-minutes) when the binary is newer than every source file it is built from.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${SIDE_AOT_DIR:-$ROOT/bench/Shrink.Side/bin/aot}
BIN=$OUT/Shrink.Side
if [ -x "$BIN" ] && [ -z "$(find "$ROOT/src/Shrink" "$ROOT/bench/Shrink.Side" "$ROOT/Directory.Build.props" "$ROOT/Directory.Packages.props" \
      -newer "$BIN" \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' \) -not -path '*/obj/*' -not -path '*/bin/*' -print -quit)" ]; then
  echo "$BIN"; exit 0
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet publish "$ROOT/bench/Shrink.Side" -c Release -r linux-x64 -p:PublishAot=true -p:IlcInstructionSet=native \
  -o "$OUT" -v quiet -nologo >&2
echo "$BIN"
