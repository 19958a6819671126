#!/usr/bin/env bash
# Installs what the tests need when it is missing, builds, and runs every test (browser tests included).
# Ends with a line "N passed, N failed" and exits non-zero when anything failed.
#
#   ./scripts/test.sh                # everything
#   ./scripts/test.sh --filter X     # extra arguments go to `dotnet test`
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

step() { printf '\n==> %s\n' "$*"; }

# Debian packages the tests drive: Chromium for the browser tests (never a browser downloaded by a test tool),
# nginx for the reverse-proxy test, PostgreSQL's server for the scale-out tests (each run starts a private one), and
# aiosmtpd, a real SMTP server the notification tests start to mail to.
missing=()
[ -x "${BD_CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || missing+=(python3-aiosmtpd)
if [ "${#missing[@]}" -gt 0 ]; then
    step "Installing ${missing[*]} (apt-get)"
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
    # The package starts a system nginx on port 80; the test runs its own.
    { command -v systemctl >/dev/null && $sudo_cmd systemctl stop nginx 2>/dev/null; } || $sudo_cmd service nginx stop >/dev/null 2>&1 || true
    # Likewise the system PostgreSQL: the tests start their own cluster on a free port.
    { command -v systemctl >/dev/null && $sudo_cmd systemctl stop postgresql 2>/dev/null; } || $sudo_cmd service postgresql stop >/dev/null 2>&1 || true
fi

step "Restoring local tools (dotnet-ef) and the browser tests' npm packages (axe-core)"
dotnet tool restore >/dev/null
npm ci --prefix tests/EndToEnd.Tests --no-audit --no-fund --loglevel=error >/dev/null

step "Building (warnings are errors)"
dotnet build BatchDashboard.sln --nologo -clp:ErrorsOnly

step "Checking that the cache model has no changes without a migration"
# Each provider has its own migrations: SQLite's (the default) and PostgreSQL's (scale-out).
dotnet ef migrations has-pending-model-changes --project src/Core --no-build --context BatchCacheDbContext
dotnet ef migrations has-pending-model-changes --project src/Core --no-build --context PostgresCacheDbContext

step "Running the tests"
results="$root/TestResults"
rm -rf "$results"
export BD_ARTIFACTS="${BD_ARTIFACTS:-$root/artifacts}"
# One project at a time, each into its own folder, so every project leaves exactly one TRX file.
status=0
for project in tests/*/*.Tests.csproj; do
    name=$(basename "$project" .csproj)
    dotnet test "$project" --no-build --nologo --logger "trx;LogFileName=$name.trx" --results-directory "$results/$name" "$@" || status=$?
done

# dotnet test prints one summary per project; sum them from the TRX files into the one line CI reads.
passed=0; failed=0; files=0
for trx in "$results"/*/*.trx; do
    [ -e "$trx" ] || continue
    files=$((files + 1))
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
    p=$(printf '%s' "$counters" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p')
    f=$(printf '%s' "$counters" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
    e=$(printf '%s' "$counters" | sed -n 's/.* error="\([0-9]*\)".*/\1/p')
    t=$(printf '%s' "$counters" | sed -n 's/.* timeout="\([0-9]*\)".*/\1/p')
    a=$(printf '%s' "$counters" | sed -n 's/.* aborted="\([0-9]*\)".*/\1/p')
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0} + ${e:-0} + ${t:-0} + ${a:-0}))
done

echo "Screenshots from the browser tests: $BD_ARTIFACTS/screenshots"
if [ "$files" -eq 0 ]; then
    echo "No test results were written." >&2
    status=1
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    echo "dotnet test failed (exit $status) before reporting a failing test; see the output above." >&2
fi
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
