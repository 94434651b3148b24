#!/usr/bin/env bash
# Checks the tool as it is released: publishes the Native AOT binary (`dotnet publish -c Release src/Shrink.Cli`,
# incremental, about 2 CPU-minutes when anything changed) into artifacts/shrink-aot/, then runs every test that runs
# the tool (commands, errors, CSV/TSV, Parquet, LIBSVM, streaming statistics, plots, demo, the README's examples)
# against that binary, each command a child process (SHRINK_EXE), instead of in-process. Not part of .ci/run, which
# tests the JIT build; run it after changing the tool, its dependencies or the publish settings.
#
# Usage: tools/aot-check.sh [dotnet publish options, e.g. -p:IlcInstructionSet=native]
#
# Some tests compare the tool's output with the library's, computed in the test process, to the last bit. The binary
# is compiled for x86-64-v3 (AVX2, 256-bit vectors; see Shrink.Cli.csproj), so the test process's JIT is kept to the
# same vector width (DOTNET_EnableAVX512=0): on an AVX-512 machine it would otherwise sum in a different order.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/artifacts/shrink-aot
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet publish -c Release "$ROOT/src/Shrink.Cli" -o "$OUT" -nologo -v quiet "$@"
ls -l "$OUT/shrink"
avx512=0
for arg in "$@"; do case $arg in *IlcInstructionSet=native*) avx512=1 ;; esac; done
dotnet build -c Release "$ROOT/tests/Shrink.Tests" -nologo -v quiet
classes=(CliTests ControlCliTests MultiTargetCliTests PathCliTests BadInputTests CsvReaderTests LibSvmTests ParquetTests StreamingTests ReadmeTests)
filter=$(printf 'FullyQualifiedName~Shrink.Tests.%s.|' "${classes[@]}")
SHRINK_EXE=$OUT/shrink DOTNET_EnableAVX512=$avx512 dotnet test -c Release --no-build "$ROOT/tests/Shrink.Tests" --filter "${filter%|}"

# The binary alone, without Skia's native libraries beside it: every command but the plots works, and a plot is a
# one-line error (exit 2) naming the missing library.
alone=$(mktemp -d)
trap 'rm -rf "$alone"' EXIT
cp "$OUT/shrink" "$alone/"
"$alone/shrink" fit "$ROOT/src/Shrink.Cli/Demo/students_train.csv" --target test_score --lambda 0.5 > /dev/null
set +e
"$alone/shrink" path "$ROOT/src/Shrink.Cli/Demo/students_train.csv" --target test_score --plot "$alone/p.png" > /dev/null 2> "$alone/err"
code=$?
set -e
if [ "$code" != 2 ] || ! grep -q "cannot draw plots" "$alone/err" || [ "$(wc -l < "$alone/err")" != 1 ]; then
  echo "aot-check: the binary without libSkiaSharp.so: exit $code, stderr:" >&2; cat "$alone/err" >&2; exit 1
fi
echo "aot-check: without its native libraries the binary fits, and a plot is a one-line error (exit 2)"
