#!/usr/bin/env bash
# Publishes the side-by-side harness as a folder that runs on a machine without .NET (and without PyTorch):
#
#   bash benchmarks/publish.sh [--out DIR] [--isa x86-64-v4|x86-64-v3|native] [--self-contained]
#
# Default: Native AOT (RnnGen.Compare compiled to one executable, about 3.5 MB) for the instruction set --isa
# (default x86-64-v4: AVX-512 F/BW/CD/DQ/VL, e.g. Zen 4/5, Sapphire Rapids; x86-64-v3: AVX2 + FMA; Native AOT
# fixes the instruction set at compile time, and an executable built for v4 refuses to start on a CPU without
# AVX-512), plus onnxruntime's native library (libonnxruntime.so, about 29 MB), compare.sh and pytorch_peer.py.
# --self-contained publishes the JIT instead (the .NET runtime in the folder, trimmed; it picks the instruction
# set at run time and tiers up like a normal .NET process; about 20 MB more).
# The ONNX models are not files: RnnGen.Compare writes each graph in memory with the RnnGen model's weights.
#
# On the target machine:   bash DIR/compare.sh --threads 1     (then --threads 2, ...)
# compare.sh finds the RnnGen.Compare executable next to itself and needs neither dotnet nor a build.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="$root/benchmarks/publish"
isa="x86-64-v4"
mode="aot"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --out=*) out="${1#*=}"; shift ;;
    --isa) isa="$2"; shift 2 ;;
    --isa=*) isa="${1#*=}"; shift ;;
    --self-contained) mode="selfcontained"; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "publish.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

if ! command -v dotnet >/dev/null 2>&1; then
  echo "publish.sh: the .NET 10 SDK is needed to publish (the published folder then runs without it)" >&2; exit 1
fi

rm -rf "$out"
if [[ "$mode" == "aot" ]]; then
  echo "publishing benchmarks/RnnGen.Compare (Native AOT for $isa) to $out ..." >&2
else
  echo "publishing benchmarks/RnnGen.Compare (self-contained, JIT, trimmed) to $out ..." >&2
fi
dotnet publish "$root/benchmarks/RnnGen.Compare/RnnGen.Compare.csproj" -c Release -r linux-x64 -nologo -v quiet \
  -p:RnnGenPublish="$mode" -p:RnnGenIsa="$isa" -o "$out" >&2

# Only what runs on linux-x64: the package also drops its Windows libraries, and symbols and docs are not needed.
rm -f "$out"/*.dll.bak "$out"/*.dbg "$out"/*.pdb "$out"/*.xml
if [[ "$mode" == "aot" ]]; then
  rm -f "$out"/*.dll
else
  rm -f "$out"/onnxruntime.dll "$out"/onnxruntime_providers_shared.dll
fi
cp "$here/compare.sh" "$here/pytorch_peer.py" "$out/"
printf '%s\n' "mode=$mode" "isa=$isa" "commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)" > "$out/PUBLISHED"

echo "done: $(du -sh "$out" | cut -f1) in $out" >&2
echo "run:  bash $out/compare.sh --threads 1" >&2
