#!/usr/bin/env bash
# End-to-end conformance run: starts a fresh Flowplane server and drives it with the official SDKs,
# unmodified: the Huawei Cloud Python SDK (huawei_check.py: flow logs; huawei_lts_check.py: LTS
# groups, streams and the flow-log records read back; huawei_network_check.py:
# VPCs, subnets, ports, tags, strict flow logs on a second server of its own), the Alibaba Cloud
# Python SDKs (alibaba_check.py: flow logs in V3, V1 and the legacy SDK, a manual transition
# completed by tick?all=true; alibaba_ecs_check.py: ENIs;
# alibaba_network_check.py: VPCs, vSwitches, route tables; alibaba_sls_check.py: SLS projects,
# logstores and flow-log records read back; https_check.py: every Python SDK over HTTPS on the same
# port, trusting the CA the server generated in $TMP; faults_check.py: fault rules as each SDK
# sees them), both clouds' identity APIs
# (identity_check.py, with a second server on the same database for expiry), the providers'
# flow-log examples on a fresh strict server (examples_check.py), snapshots exported, reset and
# imported, and a seed at start, on servers of its own (snapshot_check.py), the web console in
# headless Chromium on a server of its own (console_check.py), and the Alibaba Node.js SDK
# (node/check.js); it fuzzes every REST face (Huawei VPC, IAM, LTS, then the control API) with
# schemathesis from openapi/flowplane.json, the document generated from the code. The server
# runs with `--auth verify` and a credentials file
# holding the keys the checks sign with (each script prints its own entries); schemathesis signs
# its requests through tests/sdk/schemathesis_hooks.py.
#
# `run.sh --prepare` only installs the SDKs (see below) and exits.
#
# Environment:
#   FLOWPLANE_BIN           use this server binary instead of `cargo build --release --locked`
#   FLOWPLANE_DATABASE_URL  database URL for the server (default: sqlite in a temp dir)
#   FLOWPLANE_EXAMPLES_DATABASE_URL  a fresh database for examples_check.py's own strict server
#                           (default: sqlite in a temp dir)
#   FLOWPLANE_CONSOLE_DATABASE_URL  a fresh database for console_check.py's own server
#                           (default: sqlite in a temp dir)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
# A relative FLOWPLANE_BIN is taken relative to the caller's directory.
if [[ -n "${FLOWPLANE_BIN:-}" && "$FLOWPLANE_BIN" != /* ]]; then
    FLOWPLANE_BIN="$PWD/$FLOWPLANE_BIN"
fi
cd "$REPO"

# --- What the checks need, installed once: a Python venv with the pinned SDKs (reinstalled only
# when requirements.txt changes) and the Node.js SDK pinned by package-lock.json (Node is the
# machine's, or Debian's when there is none), and Debian's chromium and chromium-driver for the
# console's browser check. `run.sh --prepare` installs them and exits, so that
# several runs can then start side by side without racing on the installs. ------------------
VENV="$REPO/target/sdk-venv"
NODE_DIR="$HERE/node"
prepare_python() {
    local stamp="$VENV/.requirements.sha256" hash
    hash="$(sha256sum "$HERE/requirements.txt" | cut -d' ' -f1)"
    if [[ ! -x "$VENV/bin/python" || ! -f "$stamp" || "$(cat "$stamp")" != "$hash" ]]; then
        echo "sdk: installing the Huawei Cloud and Alibaba Cloud SDKs into $VENV"
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install -q --disable-pip-version-check -r "$HERE/requirements.txt"
        echo "$hash" > "$stamp"
    fi
}
prepare_node() {
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        echo "sdk: no Node.js here; installing Debian's nodejs and npm"
        local sudo=()
        [[ "$(id -u)" == 0 ]] || sudo=(sudo)
        "${sudo[@]}" apt-get update -qq
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
    fi
    local stamp="$NODE_DIR/node_modules/.lock.sha256" hash
    hash="$(sha256sum "$NODE_DIR/package-lock.json" | cut -d' ' -f1)"
    if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$hash" ]]; then
        echo "sdk: installing the Alibaba Cloud Node.js SDK (npm ci)"
        (cd "$NODE_DIR" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
        echo "$hash" > "$stamp"
    fi
}
prepare_browser() {
    if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
        echo "sdk: no Chromium here; installing Debian's chromium and chromium-driver (console_check.py)"
        local sudo=()
        [[ "$(id -u)" == 0 ]] || sudo=(sudo)
        "${sudo[@]}" apt-get update -qq
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
    fi
}
prepare_python
prepare_node
prepare_browser
if [[ "${1:-}" == "--prepare" ]]; then
    exit 0
fi

# --- Server binary --------------------------------------------------------------------------
if [[ -n "${FLOWPLANE_BIN:-}" ]]; then
    BIN="$FLOWPLANE_BIN"
else
    cargo build --release --locked
    BIN="$REPO/target/release/flowplane"
fi
[[ -x "$BIN" ]] || { echo "sdk: server binary $BIN is missing or not executable" >&2; exit 1; }

# --- Start the server on a free loopback port ------------------------------------------------
PORT="$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
TMP="$(mktemp -d)"
DATABASE_URL="${FLOWPLANE_DATABASE_URL:-sqlite://$TMP/flowplane.db}"
ENDPOINT="http://127.0.0.1:$PORT"
SERVER_PID=""
CHECK_PID=""

show_log() {
    echo "----- server log ($TMP/server.log) -----" >&2
    cat "$TMP/server.log" >&2 || true
    echo "----- end of server log -----" >&2
}

# On exit: SIGTERM the server, require a clean exit within 10 s, clean up the temp dir.
finish() {
    local rc=$?
    if [[ -n "$CHECK_PID" ]] && kill -0 "$CHECK_PID" 2>/dev/null; then
        kill -TERM "$CHECK_PID" 2>/dev/null || true
        wait "$CHECK_PID" 2>/dev/null || true
    fi
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID"
        local waited=0
        while kill -0 "$SERVER_PID" 2>/dev/null && (( waited < 100 )); do
            sleep 0.1
            waited=$((waited + 1))
        done
        if kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "sdk: server did not exit within 10 s of SIGTERM" >&2
            kill -KILL "$SERVER_PID" 2>/dev/null || true
            wait "$SERVER_PID" 2>/dev/null || true
            rc=1
        else
            local server_rc=0
            wait "$SERVER_PID" || server_rc=$?
            if (( server_rc != 0 )); then
                echo "sdk: server exited with status $server_rc after SIGTERM" >&2
                rc=1
            fi
        fi
    elif [[ -n "$SERVER_PID" ]]; then
        echo "sdk: server was no longer running at the end" >&2
        rc=1
    fi
    (( rc == 0 )) || show_log
    rm -rf "$TMP"
    exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A short transition delay: alibaba_check.py polls through Alibaba's transitional states, and must
# see each of them (it knows the delay from FLOWPLANE_TRANSITION_DELAY).
TRANSITION_DELAY=1s
CREDENTIALS="$TMP/credentials.toml"
{
    "$VENV/bin/python" "$HERE/alibaba_network_check.py" --print-credentials
    "$VENV/bin/python" "$HERE/huawei_check.py" --print-credentials
    "$VENV/bin/python" "$HERE/huawei_lts_check.py" --print-credentials
    "$VENV/bin/python" "$HERE/alibaba_check.py" --print-credentials
    "$VENV/bin/python" "$HERE/huawei_network_check.py" --print-credentials
    "$VENV/bin/python" "$HERE/identity_check.py" --print-credentials
    "$VENV/bin/python" "$HERE/alibaba_ecs_check.py" --print-credentials
    "$VENV/bin/python" "$HERE/alibaba_sls_check.py" --print-credentials
    "$VENV/bin/python" "$HERE/https_check.py" --print-credentials
    "$VENV/bin/python" "$HERE/faults_check.py" --print-credentials
} > "$CREDENTIALS"
# The server gets only these flags: a FLOWPLANE_* variable of the caller's (a control token, say)
# would change the server the checks expect.
UNSET_FLOWPLANE=()
for name in $(compgen -e | grep '^FLOWPLANE_' || true); do UNSET_FLOWPLANE+=(-u "$name"); done
env "${UNSET_FLOWPLANE[@]}" "$BIN" serve --listen "127.0.0.1:$PORT" --database-url "$DATABASE_URL" --log-format json \
    --transition-delay "$TRANSITION_DELAY" --auth verify --credentials "$CREDENTIALS" \
    --tls on --tls-dir "$TMP" > "$TMP/server.log" 2>&1 &
SERVER_PID=$!

# --- Wait for GET /_flowplane/health -> 200 (30 s deadline, 100 ms polls) ---------------------
deadline=$((SECONDS + 30))
healthy() {
    "$VENV/bin/python" - "$ENDPOINT/_flowplane/health" <<'PY'
import sys, urllib.request
try:
    sys.exit(0 if urllib.request.urlopen(sys.argv[1], timeout=1).status == 200 else 1)
except Exception:
    sys.exit(1)
PY
}
until healthy; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "sdk: server exited before becoming healthy" >&2
        exit 1
    fi
    if (( SECONDS >= deadline )); then
        echo "sdk: server not healthy at $ENDPOINT/_flowplane/health after 30 s" >&2
        exit 1
    fi
    sleep 0.1
done
echo "sdk: server healthy at $ENDPOINT (database ${DATABASE_URL%%:*})"  # scheme only: no passwords

# --- Checks --------------------------------------------------------------------------------
# Run in the background and `wait`, so a SIGTERM/SIGINT to this script reaches the trap at once.
FLOWPLANE_ENDPOINT="$ENDPOINT" "$VENV/bin/python" "$HERE/huawei_check.py" &
CHECK_PID=$!
wait "$CHECK_PID"

# LTS: log groups and streams, a flow log delivering into one, its records read back (ListLogs).
echo "sdk: Huawei Cloud LTS SDK checks (log groups, streams, TTLs, flow-log records via ListLogs)"
FLOWPLANE_ENDPOINT="$ENDPOINT" "$VENV/bin/python" "$HERE/huawei_lts_check.py" &
CHECK_PID=$!
wait "$CHECK_PID"

# The network checks start a second server of their own, with --references strict.
echo "sdk: Huawei Cloud SDK network checks (VPCs, subnets, ports, tags; strict flow logs)"
FLOWPLANE_ENDPOINT="$ENDPOINT" FLOWPLANE_BIN="$BIN" FLOWPLANE_CREDENTIALS="$CREDENTIALS" \
    "$VENV/bin/python" "$HERE/huawei_network_check.py" &
CHECK_PID=$!
wait "$CHECK_PID"

echo "sdk: Alibaba Cloud SDK checks (V3, V1 and legacy clients)"
FLOWPLANE_ENDPOINT="$ENDPOINT" FLOWPLANE_TRANSITION_DELAY="$TRANSITION_DELAY" \
    "$VENV/bin/python" "$HERE/alibaba_check.py" &
CHECK_PID=$!
wait "$CHECK_PID"

echo "sdk: identity checks (Huawei IAM, Alibaba STS and Resource Manager; a second server for expiry)"
FLOWPLANE_ENDPOINT="$ENDPOINT" FLOWPLANE_SERVER_BIN="$BIN" FLOWPLANE_SERVER_DATABASE_URL="$DATABASE_URL" \
    FLOWPLANE_SERVER_CREDENTIALS="$CREDENTIALS" "$VENV/bin/python" "$HERE/identity_check.py" &
CHECK_PID=$!
wait "$CHECK_PID"

# The VPC product has CreateVpc and CreateVSwitch: the ENI scenario must run, not be skipped.
echo "sdk: Alibaba Cloud ECS SDK checks (network interfaces, V3 and V1)"
FLOWPLANE_ENDPOINT="$ENDPOINT" FLOWPLANE_TRANSITION_DELAY="$TRANSITION_DELAY" FLOWPLANE_ECS_REQUIRE_VPC=1 \
    "$VENV/bin/python" "$HERE/alibaba_ecs_check.py" &
CHECK_PID=$!
wait "$CHECK_PID"

# --- Alibaba SLS (tests/sdk/alibaba_sls_check.py): projects, logstores and GetLogs with LogClient
# (V1 and V4) and the TEA client, reaching Flowplane as their HTTP proxy; a flow log delivering into
# the logstore, its records read back and queried, delivery FAILED while the logstore is gone. --------
echo "sdk: Alibaba Cloud SLS SDK checks (LogClient V1/V4 and the TEA client through HTTP_PROXY; flow-log records)"
FLOWPLANE_ENDPOINT="$ENDPOINT" "$VENV/bin/python" "$HERE/alibaba_sls_check.py" &
CHECK_PID=$!
wait "$CHECK_PID"

# --- Fault rules (tests/sdk/faults_check.py): throttling as each SDK's own throttling error (and
# retried where the SDK retries), latency and a dropped connection, each rule scoped to the
# check's own project or account. -------------------------------------------------------------
echo "sdk: fault rules (throttling, retries, latency, dropped connections) through each SDK"
FLOWPLANE_ENDPOINT="$ENDPOINT" "$VENV/bin/python" "$HERE/faults_check.py" &
CHECK_PID=$!
wait "$CHECK_PID"

# --- HTTPS on the same port (tests/sdk/https_check.py): each Python SDK trusting the CA the server
# generated in its --tls-dir, the way the README tells users to; without it each call is refused. ---
echo "sdk: HTTPS on the same port (Huawei VPC and LTS, Alibaba TEA, legacy and SLS clients trusting the generated CA)"
FLOWPLANE_ENDPOINT="$ENDPOINT" FLOWPLANE_CA="$TMP/flowplane-ca.pem" "$VENV/bin/python" "$HERE/https_check.py" &
CHECK_PID=$!
wait "$CHECK_PID"

# --- Fuzzing from the OpenAPI document generated from the code (openapi/flowplane.json), signed.
# The flow-log API's wire types carry its rules (enums, patterns, required fields), so it gets
# every check: no 5xx, documented statuses, content types and schemas, invalid input refused,
# valid input accepted, links followed (create, then show, update, delete). The other Huawei
# faces (VPC network, IAM, LTS) get every check but two: that schema-valid input is accepted
# (their wire types are looser than the handlers' rules, which answer 400 naming the field), and
# 405 for an undocumented method (Huawei's gateway answers 404 APIGW.0101, as the cloud does). A
# fixed seed makes every run try the same cases. The control API is fuzzed last (below): its
# resets and fault rules would disturb the other checks. ------------------------------------
SCHEMATHESIS=(
    env PYTHONPATH="$HERE${PYTHONPATH:+:$PYTHONPATH}" SCHEMATHESIS_HOOKS=schemathesis_hooks
    "$VENV/bin/schemathesis" run "$REPO/openapi/flowplane.json" --url "$ENDPOINT" --seed 1
)
LOOSE_CHECKS=(--checks all --exclude-checks positive_data_acceptance,unsupported_method)
echo "sdk: schemathesis against openapi/flowplane.json: Huawei flow logs (signed requests, every check)"
"${SCHEMATHESIS[@]}" --include-path-regex '/fl/flow_logs' --checks all --max-examples 100 &
CHECK_PID=$!
wait "$CHECK_PID"
echo "sdk: schemathesis against openapi/flowplane.json: Huawei VPC network, IAM, LTS (signed requests)"
"${SCHEMATHESIS[@]}" --include-path-regex '^/v[0-9]' --exclude-path-regex '/fl/flow_logs' \
    "${LOOSE_CHECKS[@]}" --max-examples 30 &
CHECK_PID=$!
wait "$CHECK_PID"

# --- Alibaba VPC networking (tests/sdk/alibaba_network_check.py): VPCs, vSwitches, the system
# route table and flow logs on them, with the V3, V1 and legacy clients. ----------------------
echo "sdk: Alibaba Cloud VPC networking checks (VPC, vSwitch, route table; V3, V1 and legacy clients)"
FLOWPLANE_ENDPOINT="$ENDPOINT" FLOWPLANE_TRANSITION_DELAY="$TRANSITION_DELAY" \
    "$VENV/bin/python" "$HERE/alibaba_network_check.py" &
CHECK_PID=$!
wait "$CHECK_PID"

# --- The providers' flow-log examples, call for call, on a fresh server of their own with
# --references strict (FLOWPLANE_EXAMPLES_DATABASE_URL names its database; default SQLite). --------
echo "sdk: the providers' flow-log examples (Huawei and Alibaba; a fresh strict server)"
FLOWPLANE_BIN="$BIN" "$VENV/bin/python" "$HERE/examples_check.py" &
CHECK_PID=$!
wait "$CHECK_PID"

# --- Snapshots and seeds (tests/sdk/snapshot_check.py), on servers of its own (its reset touches
# no other check): a world made with the Huawei and Alibaba SDKs, exported, reset, imported, every
# SDK list answer the same; a newer snapshot version refused; a second server started with
# --seed on the export answers the same lists. --------------------------------------------------
echo "sdk: snapshots (export, reset, import, compared through the SDKs' list calls; --seed at start)"
FLOWPLANE_BIN="$BIN" "$VENV/bin/python" "$HERE/snapshot_check.py" &
CHECK_PID=$!
wait "$CHECK_PID"

# --- The web console (tests/sdk/console_check.py) in Debian's headless Chromium through Selenium
# and Debian's chromedriver, on a fresh server of its own: resources made with the Huawei and
# Alibaba SDKs appear on the open pages without a reload, a failed call is a failed row, and
# ticks, fault rules, record windows, a snapshot round trip and a tenant reset are done through
# the page. Screenshots (CI artifacts) in target/console-screenshots/. ---------------------------
echo "sdk: the web console in headless Chromium (SDK resources appear live; acting through the page)"
FLOWPLANE_BIN="$BIN" "$VENV/bin/python" "$HERE/console_check.py" &
CHECK_PID=$!
wait "$CHECK_PID"

# --- The official Alibaba Cloud Node.js SDK (tests/sdk/node): the provider's flow-log example,
# call for call. ----------------------------------------------------------------------------
echo "sdk: Alibaba Cloud Node.js SDK ($(node --version)): the provider's flow-log example"
read -r NODE_KEY NODE_SECRET < <("$VENV/bin/python" "$HERE/alibaba_check.py" --print-key LTAIcheckNode)
node "$NODE_DIR/check.js" "127.0.0.1:$PORT" "$NODE_KEY" "$NODE_SECRET" &
CHECK_PID=$!
wait "$CHECK_PID"

# --- Last, once no other check runs: schemathesis against the control API from the same document
# (resets, transition settings, fault rules, snapshot imports: nothing after it minds them). ----
echo "sdk: schemathesis against openapi/flowplane.json: the control API (/_flowplane/, /metrics)"
"${SCHEMATHESIS[@]}" --include-path-regex '^/(_flowplane|metrics)' "${LOOSE_CHECKS[@]}" --max-examples 30 &
CHECK_PID=$!
wait "$CHECK_PID"
