#!/usr/bin/env bash
# Mutation check (not run in CI: one build and test run per mutant). For each tests/mutation/patches/NN-name.patch:
# apply it, build the test projects, run the tests its "# filter:" line names, and report caught (some test failed)
# or MISSED (every test passed). A mutant that does not build counts as neither: it is reported as BUILD-FAILED.
# The tree is restored after every mutant and on any exit (trap), so no mutation is left applied.
# Usage: bash tests/mutation/run.sh [--full] [pattern...]   (patterns select patches by file name, e.g. "03-*" "1?-*";
# default all). --full runs each mutant against its whole test projects, as plain `dotnet test` would, instead of
# the patch's filter: slower, and the count is then every test the bug breaks.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
full=0
if [ "${1:-}" = --full ]; then
    full=1
    shift
fi
patterns=("$@")
[ ${#patterns[@]} -gt 0 ] || patterns=("*")
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! git diff --quiet -- runtime generator; then
    echo "runtime/ or generator/ has uncommitted changes; commit or stash them first (the script reverts those folders)." >&2
    exit 2
fi

current=""
restore() {
    if [ -n "$current" ]; then
        git apply -R "$current" 2>/dev/null || git checkout -- runtime generator
        current=""
    fi
}
trap restore EXIT INT TERM

log=$(mktemp -d)
caught=0 missed=0 broken=0
patches=()
for pattern in "${patterns[@]}"; do
    for patch in tests/mutation/patches/$pattern.patch; do
        [ -e "$patch" ] || { echo "no patch matches $pattern" >&2; exit 2; }
        patches+=("$patch")
    done
done
for patch in "${patches[@]}"; do
    name=$(basename "$patch" .patch)
    filter=$(sed -n 's/^# filter: //p' "$patch" | head -n 1)
    projects=$(sed -n 's/^# projects: //p' "$patch" | head -n 1)
    projects=${projects:-tests/RnnGen.Tests}
    # A patch is tied to the source it was made against; once that code changes, it must be remade.
    if ! git apply --check "$patch" 2>/dev/null; then
        printf '%-40s %-12s (the patch no longer applies; remake it against the current source)\n' "$name" NO-APPLY
        broken=$((broken + 1))
        continue
    fi
    git apply "$patch"
    current="$root/$patch"
    start=$SECONDS
    status=caught
    if ! dotnet build tests/RnnGen.Tests -c Release --no-restore >"$log/$name.build" 2>&1 || \
       { [[ $projects == *Generator.Tests* ]] && ! dotnet build tests/RnnGen.Generator.Tests -c Release --no-restore >>"$log/$name.build" 2>&1; }; then
        status=BUILD-FAILED
    else
        failed=0
        for project in $projects; do
            selection=(--filter "$filter")
            [ "$full" -eq 0 ] || selection=()
            if ! dotnet test "$project" -c Release --no-build "${selection[@]}" >>"$log/$name.test" 2>&1; then
                failed=1
            fi
        done
        [ "$failed" -eq 1 ] || status=MISSED
    fi
    restore
    count=$(grep -c '^ *Failed ' "$log/$name.test" 2>/dev/null || true)
    # The distinct test methods (theory rows folded), most failing cases first.
    first=$(sed -n 's/^ *Failed \([^ (]*\).*/\1/p' "$log/$name.test" 2>/dev/null | sort | uniq -c | sort -rn | head -n 3 | awk '{print $2}' | tr '\n' ' ')
    printf '%-40s %-12s %4s failed  %4ss  %s\n' "$name" "$status" "${count:-0}" "$((SECONDS - start))" "$first"
    case $status in caught) caught=$((caught + 1)) ;; MISSED) missed=$((missed + 1)) ;; *) broken=$((broken + 1)) ;; esac
done

# Rebuild the unmutated tree so that later --no-build runs test the real code.
dotnet build tests/RnnGen.Tests -c Release >"$log/restore.build" 2>&1 || echo "rebuild of the restored tree failed: $log/restore.build" >&2
echo "caught $caught, missed $missed, build failed or no longer applying $broken (logs in $log)"
[ "$missed" -eq 0 ] && [ "$broken" -eq 0 ]
