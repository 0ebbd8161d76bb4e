#!/usr/bin/env bash
# Side-by-side RnnGen vs ONNX Runtime vs PyTorch on the benchmark shapes, one command:
#
#   bash benchmarks/compare.sh [--threads N] [--shapes key,key] [--quick] [--no-build | --bin DIR]
#                              [--no-pytorch] [--no-onnx] [--torch-onnx]
#
# Builds benchmarks/RnnGen.Compare in Release (--no-build: use the last build; --bin DIR: use the executable a
# `benchmarks/publish.sh` folder holds, which needs no .NET at all; a copy of this script inside such a folder uses
# it by itself), runs benchmarks/pytorch_peer.py when python3 can import torch, then RnnGen.Compare, which times
# RnnGen and ONNX Runtime (C#, IntraOpNumThreads = N) alternately in one process. Every process is pinned with
# taskset to the same N CPUs, one per physical core (no two SMT siblings), lowest numbers first. Prints a markdown
# table: median ms per call, ORT/RnnGen and PyTorch/RnnGen ratios, RnnGen GFLOP/s and % of the FMA peak measured
# in the same run, the CPU model, the streaming step against the time to read its weights once, and a
# cache-bandwidth table.
# The ONNX models are the graphs torch.onnx.export writes, built in memory with RnnGen's weights (the details table
# shows that the two engines' outputs agree); --torch-onnx times torch.onnx.export's own files instead (needs torch).
# PyTorch: torch.set_num_threads(N) plus OMP/OPENBLAS/MKL_NUM_THREADS=N. RnnGen: RNNGEN_THREADS=N.
# Environment: PYTHON=/path/to/python3 picks the interpreter (default: the first of /usr/bin/python3, python3
# that imports torch). Extra timing knobs (all sides): WARMUP_SECONDS, TARGET_SECONDS, MIN_REPS.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

threads=1
shapes=""
build=1
bin=""
pytorch=1
onnx_args=()
torch_onnx=0
warmup_seconds="${WARMUP_SECONDS:-2}"
target_seconds="${TARGET_SECONDS:-3}"
min_reps="${MIN_REPS:-5}"
max_reps=1000
while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --threads=*) threads="${1#*=}"; shift ;;
    --shapes) shapes="$2"; shift 2 ;;
    --shapes=*) shapes="${1#*=}"; shift ;;
    --quick) warmup_seconds=0.5; target_seconds=0.5; min_reps=2; shift ;;
    --no-build) build=0; shift ;;
    --bin) bin="$2"; shift 2 ;;
    --bin=*) bin="${1#*=}"; shift ;;
    --no-pytorch) pytorch=0; shift ;;
    --no-onnx) onnx_args=(--no-onnx); shift ;;
    --torch-onnx) torch_onnx=1; shift ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "compare.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
if ! [[ "$threads" =~ ^[1-9][0-9]*$ ]]; then
  echo "compare.sh: --threads needs a positive integer" >&2; exit 2
fi

cpus_available="$(nproc --all)"
if (( threads > cpus_available )); then
  echo "compare.sh: --threads $threads but this machine has $cpus_available CPUs" >&2; exit 2
fi
# N logical CPUs on N different physical cores (SMT siblings would share one core's FMA units and L2), lowest first.
cpu_list=""
declare -A seen_core=()
for cpu_dir in $(ls -d /sys/devices/system/cpu/cpu[0-9]* 2>/dev/null | sort -V); do
  cpu="${cpu_dir##*cpu}"
  core="$(cat "$cpu_dir/topology/physical_package_id" 2>/dev/null || echo 0):$(cat "$cpu_dir/topology/core_id" 2>/dev/null || echo "$cpu")"
  [[ -n "${seen_core[$core]:-}" ]] && continue
  seen_core[$core]=1
  cpu_list+="${cpu_list:+,}$cpu"
  (( $(tr ',' '\n' <<< "$cpu_list" | wc -l) >= threads )) && break
done
if [[ -z "$cpu_list" ]] || (( $(tr ',' '\n' <<< "$cpu_list" | wc -l) < threads )); then
  cpu_list="0"
  for ((c = 1; c < threads; c++)); do cpu_list+=",$c"; done
fi

pin=()
if command -v taskset >/dev/null 2>&1; then
  pin=(taskset -c "$cpu_list")
else
  echo "compare.sh: taskset not found; processes are NOT pinned" >&2
fi

timing=(--warmup-iters 3 --warmup-seconds "$warmup_seconds" --target-seconds "$target_seconds" --min-reps "$min_reps" --max-reps "$max_reps")
shape_args=()
[[ -n "$shapes" ]] && shape_args=(--shapes "$shapes")

# Which RnnGen.Compare: a published folder (this script's own, or --bin), else the build output.
if [[ -z "$bin" && -x "$here/RnnGen.Compare" && ! -d "$here/RnnGen.Compare" ]]; then
  bin="$here"
fi
if [[ -n "$bin" ]]; then
  harness=("$bin/RnnGen.Compare")
  if [[ ! -x "${harness[0]}" ]]; then
    echo "compare.sh: no executable RnnGen.Compare in $bin (make one with benchmarks/publish.sh)" >&2; exit 2
  fi
  echo "RnnGen.Compare: published folder $bin ($(tr '\n' ' ' < "$bin/PUBLISHED" 2>/dev/null || echo 'no PUBLISHED file'))" >&2
else
  root="$(cd "$here/.." && pwd)"
  dll="$root/benchmarks/RnnGen.Compare/bin/Release/net10.0/RnnGen.Compare.dll"
  if (( build )); then
    echo "building benchmarks/RnnGen.Compare (Release) ..." >&2
    dotnet build "$root/benchmarks/RnnGen.Compare/RnnGen.Compare.csproj" -c Release -nologo -v quiet >&2
  elif [[ ! -f "$dll" ]]; then
    echo "compare.sh: --no-build but $dll is missing" >&2; exit 2
  fi
  harness=(dotnet "$dll")
fi

python=""
if (( pytorch || torch_onnx )); then
  for candidate in ${PYTHON:-} /usr/bin/python3 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c "import torch" >/dev/null 2>&1; then
      python="$candidate"; break
    fi
  done
fi

work="$(mktemp -d -t rnngen-compare.XXXXXX)"
trap 'rm -rf "$work"' EXIT
peer_args=()
if [[ -n "$python" ]]; then
  export_args=()
  if (( torch_onnx )); then
    export_args=(--export-onnx "$work/onnx")
    onnx_args+=(--onnx-dir "$work/onnx")
  fi
  if (( pytorch )); then
    echo "PyTorch peer: $python, $threads thread(s), pinned to CPUs $cpu_list" >&2
    OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads" \
      "${pin[@]}" "$python" "$here/pytorch_peer.py" --threads "$threads" --out "$work/pytorch.tsv" \
      "${timing[@]}" "${shape_args[@]}" "${export_args[@]}"
    peer_args=(--peer "$work/pytorch.tsv")
  else
    "$python" "$here/pytorch_peer.py" --export-only "${export_args[@]}" "${shape_args[@]}"
    peer_args=(--peer-status "not run (--no-pytorch)")
  fi
elif (( pytorch )); then
  echo "PyTorch is missing (no python3 that can 'import torch'; on Debian: apt-get install python3-torch libopenblas0-pthread); no PyTorch column" >&2
  peer_args=(--peer-status "missing: no python3 that can import torch (Debian: apt-get install python3-torch libopenblas0-pthread)")
else
  peer_args=(--peer-status "not run (--no-pytorch)")
fi
if (( torch_onnx )) && [[ -z "$python" ]]; then
  echo "compare.sh: --torch-onnx needs a python3 that can import torch" >&2; exit 2
fi

echo "RnnGen and ONNX Runtime: RNNGEN_THREADS=$threads, IntraOpNumThreads=$threads, pinned to CPUs $cpu_list" >&2
RNNGEN_THREADS="$threads" "${pin[@]}" "${harness[@]}" --threads "$threads" "${peer_args[@]}" "${onnx_args[@]}" "${timing[@]}" "${shape_args[@]}"
