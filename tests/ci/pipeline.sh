#!/usr/bin/env bash
# What a CI pipeline does with cdnform, step by step, checking every exit
# code. Run by tests/cli/ci_pipeline.rs against an emulator; it works the
# same against any project.
#
#   CDNFORM=path/to/cdnform PROJECT=dir [ARTIFACTS=dir] pipeline.sh deploy
#   (change something on the account outside cdnform)
#   CDNFORM=path/to/cdnform PROJECT=dir pipeline.sh drift
#
# deploy: plan -out (exit 2, JSON lines) -> keep the plan as an artifact ->
#   apply the artifact (no prompt) -> plan is empty (exit 0) -> a plan made
#   before another change was applied is refused as stale (exit 1) and
#   leaves the state alone -> drift finds nothing (exit 0).
# drift: drift reports the out-of-band change (exit 2, text and JSON).
#
# PROJECT must hold a configuration with changes to make and a default
# `aliyun` provider: the stale-plan step adds ci-extra.hcl with one more
# domain on it.

set -euo pipefail

usage() {
    echo "usage: CDNFORM=BIN PROJECT=DIR [ARTIFACTS=DIR] $0 deploy|drift" >&2
    exit 64
}

[[ $# -eq 1 ]] || usage
: "${CDNFORM:?set CDNFORM to the cdnform binary}"
: "${PROJECT:?set PROJECT to the project directory}"
[[ -x $CDNFORM ]] || { echo "FAIL: CDNFORM=$CDNFORM is not an executable" >&2; exit 1; }
[[ -d $PROJECT ]] || { echo "FAIL: PROJECT=$PROJECT is not a directory" >&2; exit 1; }
PROJECT=$(cd "$PROJECT" && pwd)
# Logs of every cdnform run: NAME.out (stdout) and NAME.err (stderr).
LOGS="$PROJECT/ci-logs"
mkdir -p "$LOGS"

step() { printf '\n==> %s\n' "$*"; }
fail() {
    printf 'FAIL: %s\n' "$*" >&2
    exit 1
}

# expect WANT NAME ARGS...: run `cdnform -chdir=PROJECT ARGS...` with no
# standard input (as in CI), stdout to $LOGS/NAME.out and stderr to
# $LOGS/NAME.err; fail, showing both, unless it exits WANT.
expect() {
    local want=$1 name=$2
    shift 2
    local code=0
    "$CDNFORM" -chdir="$PROJECT" "$@" >"$LOGS/$name.out" 2>"$LOGS/$name.err" </dev/null || code=$?
    printf '    cdnform %s -> exit %d\n' "$*" "$code"
    if [[ $code -ne $want ]]; then
        {
            printf 'FAIL: cdnform %s exited %d, expected %d\n' "$*" "$code" "$want"
            printf -- '--- stdout\n'
            cat "$LOGS/$name.out"
            printf -- '--- stderr\n'
            cat "$LOGS/$name.err"
        } >&2
        exit 1
    fi
}

# contains NAME.out|NAME.err TEXT: fail unless that log holds TEXT.
contains() {
    grep -qF -- "$2" "$LOGS/$1" || {
        printf 'FAIL: %s does not contain %q\n--- %s\n' "$1" "$2" "$1" >&2
        cat "$LOGS/$1" >&2
        exit 1
    }
}

deploy() {
    if [[ -z ${ARTIFACTS:-} ]]; then
        ARTIFACTS=$(mktemp -d)
        # Only a directory this script made is removed.
        trap 'rm -rf -- "$ARTIFACTS"' EXIT
    fi
    local artifacts=$ARTIFACTS
    rm -f -- "$PROJECT/plan.bin" "$PROJECT/ci-extra.hcl"

    step "plan -out plan.bin -detailed-exitcode -json: changes, exit 2"
    expect 2 plan-json plan -out plan.bin -detailed-exitcode -json
    [[ -s $PROJECT/plan.bin ]] || fail "plan -out did not write plan.bin"
    while IFS= read -r line; do
        [[ $line == "{"*"}" ]] || fail "plan -json printed a line that is not a JSON object: $line"
    done <"$LOGS/plan-json.out"
    contains plan-json.out '"type":"planned_change"'
    contains plan-json.out '"type":"change_summary"'

    step "keep the plan as a CI artifact"
    cp -- "$PROJECT/plan.bin" "$artifacts/plan.bin"
    rm -f -- "$PROJECT/plan.bin"

    step "apply the artifact: no prompt, exit 0"
    expect 0 apply-artifact apply "$artifacts/plan.bin"
    contains apply-artifact.out "Apply complete!"

    step "plan -detailed-exitcode: no changes, exit 0"
    expect 0 plan-empty plan -detailed-exitcode
    contains plan-empty.out "No changes."

    step "a saved plan goes stale once another change is applied"
    cat >"$PROJECT/ci-extra.hcl" <<'EOF'
resource "cdn_domain" "ci_extra" {
  name = "ci-extra.example.com"

  origin {
    type    = "ip"
    address = "192.0.2.200"
  }
}
EOF
    expect 2 plan-old plan -out "$artifacts/old.bin" -detailed-exitcode
    expect 2 plan-new plan -out "$artifacts/new.bin" -detailed-exitcode
    expect 0 apply-new apply "$artifacts/new.bin"
    expect 0 pull-before state pull
    expect 1 apply-old apply "$artifacts/old.bin"
    contains apply-old.err "stale"
    expect 0 pull-after state pull
    cmp -s "$LOGS/pull-before.out" "$LOGS/pull-after.out" ||
        fail "the refused stale plan changed the state: $(diff "$LOGS/pull-before.out" "$LOGS/pull-after.out" || true)"
    expect 0 plan-after-stale plan -detailed-exitcode

    step "drift: nothing changed outside cdnform, exit 0"
    expect 0 drift-clean drift
    contains drift-clean.out "No drift"
}

drift() {
    step "drift: a change made outside cdnform, exit 2"
    expect 2 drift-found drift
    contains drift-found.out "has changed"
    expect 2 drift-json drift -json
    contains drift-json.out '"type":"resource_drift"'
    contains drift-json.out '"type":"drift_summary"'
}

case $1 in
deploy) deploy ;;
drift) drift ;;
*) usage ;;
esac
printf '\nOK: pipeline %s passed\n' "$1"
