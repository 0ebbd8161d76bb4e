#!/usr/bin/env bash
# Side-by-side RnnGen vs PyTorch on the issue-4 shapes, one command:
#
#   bash benchmarks/compare.sh [--threads N] [--shapes key,key] [--quick]
#
# Builds benchmarks/RnnGen.Compare in Release, runs benchmarks/pytorch_peer.py (when python3 can import
# torch) and then the RnnGen harness, both pinned to the same N cores with taskset (cores 0..N-1), and
# prints a markdown table (median ms per call, PyTorch/RnnGen ratio, RnnGen GFLOP/s and % of the FMA peak
# measured in the same run). PyTorch: torch.set_num_threads(N) plus OMP/OPENBLAS/MKL_NUM_THREADS=N.
# RnnGen: RNNGEN_THREADS=N is exported; the table notes whether the runtime actually used more than one core.
# Environment: PYTHON=/path/to/python3 picks the interpreter (default: the first of /usr/bin/python3,
# python3 that imports torch). Extra timing knobs (both sides): WARMUP_SECONDS, TARGET_SECONDS, MIN_REPS.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

threads=1
shapes=""
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
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
cpu_list="0"
for ((c = 1; c < threads; c++)); do cpu_list+=",$c"; done

pin=()
if command -v taskset >/dev/null 2>&1; then
  pin=(taskset -c "$cpu_list")
else
  echo "compare.sh: taskset not found; processes are NOT pinned" >&2
fi

timing=(--warmup-iters 3 --warmup-seconds "$warmup_seconds" --target-seconds "$target_seconds" --min-reps "$min_reps" --max-reps "$max_reps")
shape_args=()
[[ -n "$shapes" ]] && shape_args=(--shapes "$shapes")

echo "building benchmarks/RnnGen.Compare (Release) ..." >&2
dotnet build "$root/benchmarks/RnnGen.Compare/RnnGen.Compare.csproj" -c Release -nologo -v quiet >&2
dll="$root/benchmarks/RnnGen.Compare/bin/Release/net10.0/RnnGen.Compare.dll"

python=""
for candidate in ${PYTHON:-} /usr/bin/python3 python3; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c "import torch" >/dev/null 2>&1; then
    python="$candidate"; break
  fi
done

peer_file="$(mktemp -t rnngen-pytorch.XXXXXX)"
trap 'rm -f "$peer_file"' EXIT
peer_args=()
if [[ -n "$python" ]]; then
  echo "PyTorch peer: $python, $threads thread(s), pinned to CPUs $cpu_list" >&2
  OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads" \
    "${pin[@]}" "$python" "$here/pytorch_peer.py" --threads "$threads" --out "$peer_file" \
    "${timing[@]}" "${shape_args[@]}"
  peer_args=(--peer "$peer_file")
else
  echo "PyTorch is missing (no python3 that can 'import torch'; on Debian: apt-get install python3-torch libopenblas0-pthread); timing RnnGen only" >&2
  peer_args=(--peer-status "missing: no python3 that can import torch (Debian: apt-get install python3-torch libopenblas0-pthread); RnnGen only")
fi

echo "RnnGen: RNNGEN_THREADS=$threads, pinned to CPUs $cpu_list" >&2
RNNGEN_THREADS="$threads" "${pin[@]}" dotnet "$dll" --threads "$threads" "${peer_args[@]}" "${timing[@]}" "${shape_args[@]}"
