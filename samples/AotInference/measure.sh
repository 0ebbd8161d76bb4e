#!/usr/bin/env bash
# Prints the README's Native AOT figures: binary size, start-up time and time per Forward for the
# AOT binary built with IlcInstructionSet x86-64-v3, with native, and without any, and for the JIT
# build; one thread (RNNGEN_THREADS=1). Needs hyperfine (apt-get install hyperfine).
# Usage: bash samples/AotInference/measure.sh [ROUNDS]   (default 7 rounds of each Forward timing)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-7}
out=artifacts/aot-measure
rm -rf "$out" && mkdir -p "$out"
command -v hyperfine >/dev/null || { echo "hyperfine is needed: apt-get install hyperfine" >&2; exit 1; }

dotnet build samples/AotInference -c Release -nologo -v quiet
for isa in x86-64-v3 native none; do
    # 'none' is the build RNNG100 warns about; the warning is expected here.
    dotnet publish samples/AotInference -c Release -nologo -v quiet -o "$out/$isa" \
        -p:IlcInstructionSet="${isa/none/}" -p:MSBuildWarningsAsMessages=RNNG100
done

export RNNGEN_THREADS=1
jit="dotnet samples/AotInference/bin/Release/net10.0/AotInference.dll"
# Start-up is load the weights, one Forward, print, exit: the weights are written once, beforehand.
weights="$out/weights.safetensors"
$jit --write-weights "$weights"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| build | kernels | binary (bytes) | start-up to exit, median of 30 (ms) | min-max (ms) | CPU time, user + sys, mean (ms) |"
echo "|---|---|---:|---:|---:|---:|"
for variant in x86-64-v3 native none jit; do
    if [[ $variant == jit ]]; then cmd="$jit --weights $weights --repeat 0"; size="(needs the .NET runtime)"; else cmd="$out/$variant/AotInference --weights $weights --repeat 0"; size=$(stat -c %s "$out/$variant/AotInference"); fi
    kernels=$($cmd | sed -n 's/^kernels: \([^,]*\),.*/\1/p')
    hyperfine -N --warmup 3 --runs 30 --export-json "$out/startup-$variant.json" "$cmd" > /dev/null
    read -r median low high cpu < <(python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][0]; print(r['median']*1e3, r['min']*1e3, r['max']*1e3, (r['user']+r['system'])*1e3)" "$out/startup-$variant.json")
    printf '| %s | %s | %s | %.1f | %.1f-%.1f | %.1f |\n' "${variant/jit/JIT (dotnet AotInference.dll)}" "$kernels" "$size" "$median" "$low" "$high" "$cpu"
done

# Forward: each round runs every build once (interleaved, so a busy spell hits all alike); each run
# prints its median over 20 batches of 100 calls and its CPU time per call; the table gives the
# median and range over rounds, the fastest batch seen, and the median CPU time (on a busy machine
# the wall times include waits for a core, the CPU times do not).
declare -A times best cpu
for ((r = 0; r < rounds; r++)); do
    for variant in x86-64-v3 native none jit jit-avx2; do
        case $variant in
            jit) line=$($jit --weights "$weights" --repeat 2000 | grep '^Forward') ;;
            jit-avx2) line=$(DOTNET_EnableAVX512=0 $jit --weights "$weights" --repeat 2000 | grep '^Forward') ;;
            *) line=$("$out/$variant/AotInference" --weights "$weights" --repeat 2000 | grep '^Forward') ;;
        esac
        times[$variant]+="$(sed -n 's/^Forward: median \([0-9.]*\) us.*/\1/p' <<<"$line") "
        best[$variant]+="$(sed -n 's/^Forward: .*(min \([0-9.]*\),.*/\1/p' <<<"$line") "
        cpu[$variant]+="$(sed -n 's/^Forward: .*CPU time \([0-9.]*\) us.*/\1/p' <<<"$line") "
    done
done
echo
echo "| build | Forward, median of $rounds runs (us) | range of the run medians (us) | fastest batch of 100 calls (us per call) | CPU time per call, median of runs (us) |"
echo "|---|---:|---:|---:|---:|"
for variant in x86-64-v3 native none jit jit-avx2; do
    read -r median low high < <(python3 -c "import statistics,sys; v=[float(x) for x in sys.argv[1:]]; print(statistics.median(v), min(v), max(v))" ${times[$variant]})
    fastest=$(python3 -c "import sys; print(min(float(x) for x in sys.argv[1:]))" ${best[$variant]})
    cpu_median=$(python3 -c "import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))" ${cpu[$variant]})
    printf '| %s | %.1f | %.1f-%.1f | %.1f | %.1f |\n' "$variant" "$median" "$low" "$high" "$fastest" "$cpu_median"
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
