#!/usr/bin/env bash
# Native AOT test: publishes samples/AotInference with PublishAot and IlcInstructionSet=x86-64-v3,
# failing on any warning (trimming and AOT analysis included), runs the binary, and checks that it
# prints what the JIT build prints (`dotnet run` of the same program):
#  - bitwise, against the JIT held to the same instruction sets (AVX2 + FMA: DOTNET_EnableAVX512=0);
#  - within 1e-6, against the JIT's own choice, which is AVX-512 on a CPU that has it: those kernels
#    add the same products in another order (16 lanes, not 8), so outputs differ in the last bits.
# Called by .ci/run; usable alone: bash tests/aot/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
out=artifacts/aot-test
rm -rf "$out" && mkdir -p "$out"
fail() { echo "AOT test: FAILED: $*" >&2; exit 1; }

# The JIT runs first: its choice of kernels says whether this CPU has AVX2 and FMA (x86-64-v3).
echo "-- dotnet run (JIT, its own choice of kernels)"
RNNGEN_THREADS=1 dotnet run -c Release --project samples/AotInference -- --repeat 400 --dump "$out/jit.txt" | tee "$out/jit.log"
isa=x86-64-v3 same_isa=DOTNET_EnableAVX512=0 extra=()
if grep -q '^kernels: portable' "$out/jit.log"; then
    # A binary for x86-64-v3 would refuse to start here: test the baseline build against the JIT's portable kernels.
    echo "This CPU lacks AVX2 or FMA: publishing for baseline x86-64, compared with the JIT under DOTNET_EnableAVX2=0."
    isa= same_isa=DOTNET_EnableAVX2=0 extra=(-p:MSBuildWarningsAsMessages=RNNG100)
fi

echo "-- dotnet publish samples/AotInference -c Release -p:IlcInstructionSet=$isa -warnaserror"
dotnet publish samples/AotInference -c Release -o "$out/bin" -p:IlcInstructionSet="$isa" "${extra[@]}" -warnaserror -nologo > "$out/publish.log" 2>&1 \
    || { cat "$out/publish.log"; fail "the AOT publish failed"; }
grep -qi 'warning' "$out/publish.log" && { cat "$out/publish.log"; fail "the AOT publish reported warnings"; }
echo "native binary: $(stat -c %s "$out/bin/AotInference") bytes"

echo "-- the AOT binary"
RNNGEN_THREADS=1 "$out/bin/AotInference" --repeat 400 --dump "$out/aot.txt" | tee "$out/aot.log"
echo "-- dotnet run (JIT, $same_isa)"
RNNGEN_THREADS=1 dotnet run -c Release --project samples/AotInference --no-build -e "$same_isa" -- --repeat 400 --dump "$out/jit-same.txt" | tee "$out/jit-same.log"

cmp -s "$out/aot.txt" "$out/jit-same.txt" || fail "the AOT binary's outputs differ from the JIT's with the same instruction sets"
[[ "$(grep '^output' "$out/aot.log")" == "$(grep '^output' "$out/jit-same.log")" ]] || fail "the printed checksums differ"
[[ $(wc -l < "$out/aot.txt") == 200 && $(wc -l < "$out/jit.txt") == 200 ]] || fail "expected 200 output values from each run"
diff=$(paste "$out/aot.txt" "$out/jit.txt" | awk '{ d = $1 - $2; if (d < 0) d = -d; if (d > m) m = d } END { printf "%.3g", m }')
awk -v d="$diff" 'BEGIN { exit !(d <= 1e-6) }' || fail "the AOT binary's outputs differ from the JIT's by $diff (> 1e-6)"
echo "AOT output equals the JIT's: bitwise with $same_isa; max |difference| $diff against the JIT's own kernels (bound 1e-6)"
echo "AOT test: OK"
