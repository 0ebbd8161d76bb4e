#!/usr/bin/env bash
# Package test: packs RnnGen, checks the package's layout and metadata, then builds a fresh project
# (tests/package/Consumer, copied to a temporary folder) against the package from a local folder
# feed, runs it (declare, train, save, load, run) and checks the RNNG100 warning of the package's
# buildTransitive targets. Called by .ci/run; usable alone: bash tests/package/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)

version=$(dotnet msbuild runtime/RnnGen.Runtime/RnnGen.Runtime.csproj -getProperty:Version)
work=$(mktemp -d)
# RNNGEN_KEEP_WORK=1 keeps the temporary folder (feed, project, logs) for a look.
trap '[[ -n "${RNNGEN_KEEP_WORK:-}" ]] && echo "kept $work" || rm -rf "$work"' EXIT
fail() { echo "package test: FAILED: $*" >&2; exit 1; }

echo "-- dotnet pack runtime/RnnGen.Runtime (RnnGen $version)"
dotnet pack runtime/RnnGen.Runtime -c Release -o "$work/feed" -v quiet -nologo
nupkg="$work/feed/RnnGen.$version.nupkg"
[[ -f "$nupkg" && -f "$work/feed/RnnGen.$version.snupkg" ]] || fail "dotnet pack made no RnnGen.$version.nupkg and .snupkg"
[[ $(ls "$work/feed" | wc -l) == 2 ]] || fail "dotnet pack made more than the one package: $(ls "$work/feed")"

# Layout: the runtime for net10.0, the generator as an analyzer only (never under lib/), the targets, the readme.
entries=$(unzip -Z1 "$nupkg")
for entry in lib/net10.0/RnnGen.Runtime.dll lib/net10.0/RnnGen.Runtime.xml analyzers/dotnet/cs/RnnGen.Generator.dll \
             buildTransitive/RnnGen.targets README.md; do
    grep -qxF "$entry" <<<"$entries" || fail "$entry is missing from the package"
done
[[ $(grep -c '^lib/' <<<"$entries") == 2 ]] || fail "lib/ holds more than the runtime: $(grep '^lib/' <<<"$entries")"
grep -qxF lib/net10.0/RnnGen.Runtime.pdb <<<"$(unzip -Z1 "$work/feed/RnnGen.$version.snupkg")" || fail "the symbol package has no RnnGen.Runtime.pdb"
nuspec=$(unzip -p "$nupkg" RnnGen.nuspec)
for field in '<id>RnnGen</id>' "<version>$version</version>" '<license type="expression">MIT</license>' '<readme>README.md</readme>' \
             '<authors>' '<description>' '<tags>' '<repository type="git"'; do
    grep -qF "$field" <<<"$nuspec" || fail "the nuspec lacks $field"
done
grep -q '<dependency ' <<<"$nuspec" && fail "the package has dependencies (the generator must not be one): $nuspec"

# A fresh project: nothing from the repository but its two source files. RnnGen comes only from the
# local feed (source mapping); other packages from nuget.org, or from this machine's cache without a
# download (fallback folder). Its own packages folder keeps a stale RnnGen of the same version out.
echo "-- a fresh project against the package"
cp "$repo/tests/package/Consumer/Consumer.csproj" "$repo/tests/package/Consumer/Program.cs" "$work/"
machine_cache=$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')
cat > "$work/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <config>
    <add key="globalPackagesFolder" value="$work/packages" />
  </config>
  <packageSources>
    <clear />
    <add key="local" value="$work/feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="local"><package pattern="RnnGen" /></packageSource>
    <packageSource key="nuget.org"><package pattern="*" /></packageSource>
  </packageSourceMapping>
  <fallbackPackageFolders>
    <clear />
    <add key="machine" value="$machine_cache" />
  </fallbackPackageFolders>
</configuration>
XML
cd "$work"
dotnet build Consumer.csproj -c Release -p:RnnGenVersion="$version" -nologo > build.log 2>&1 || { cat build.log; fail "the fresh project does not build"; }
grep -q 'warning' build.log && { cat build.log; fail "the fresh project builds with warnings"; }
# The RnnGen it restored is the package just packed, byte for byte.
expected=$(openssl dgst -sha512 -binary "$nupkg" | base64 -w0)
[[ "$(cat "$work/packages/rnngen/$version/rnngen.$version.nupkg.sha512")" == "$expected" ]] \
    || fail "the restored RnnGen $version is not the package just packed"
dotnet run --no-build -c Release || fail "the fresh project's program failed"

echo "-- RNNG100: PublishAot without IlcInstructionSet"
dotnet build Consumer.csproj -c Release --no-restore -p:RnnGenVersion="$version" -p:IlcInstructionSet= -nologo > aot.log 2>&1 || { cat aot.log; fail "the build without IlcInstructionSet failed"; }
grep -q 'warning RNNG100: PublishAot is true but IlcInstructionSet is not set' aot.log || { cat aot.log; fail "no RNNG100 warning without IlcInstructionSet"; }
dotnet build Consumer.csproj -c Release --no-restore -p:RnnGenVersion="$version" -p:IlcInstructionSet= -p:NoWarn=RNNG100 -nologo > nowarn.log 2>&1 || { cat nowarn.log; fail "the build with NoWarn=RNNG100 failed"; }
grep -q 'RNNG100' nowarn.log && { cat nowarn.log; fail "NoWarn=RNNG100 does not silence RNNG100"; }
echo "RNNG100 is reported without IlcInstructionSet, silenced by NoWarn, absent with x86-64-v3"
echo "package test: OK"
