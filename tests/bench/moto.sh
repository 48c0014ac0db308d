#!/usr/bin/env bash
# moto side by side (README, Performance): the load generator drives EC2 CreateFlowLogs and
# DescribeFlowLogs on a moto_server, the AWS emulator nearest to Flowplane, with the same
# connections and duration. moto is installed in its own venv under target/ and started on a
# free loopback port; it checks no signature, so the requests carry a plausible SigV4 header.
#
#   bash tests/bench/moto.sh            # FLOWPLANE_LOAD_SECONDS / _CONNECTIONS apply as usual
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=target/moto-venv
if [[ ! -x "$VENV/bin/moto_server" ]]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check 'moto[server]'
fi
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT" > target/moto-server.log 2>&1 &
MOTO=$!
trap 'kill "$MOTO" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    if python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" 2>/dev/null; then
        break
    fi
    sleep 0.1
done
echo "moto $("$VENV/bin/pip" show moto 2>/dev/null | sed -n 's/^Version: //p') on 127.0.0.1:$PORT"
cargo bench --locked --bench load -- --moto "http://127.0.0.1:$PORT"
