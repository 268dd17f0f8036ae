#!/usr/bin/env bash
# Start or stop the local demo node (ganache from a versioned directory behind the `current` symlink).
# Usage: demo-nodectl.sh start|stop <node_root> <rpc_port> [node_binary]
# A host-side flock serialises two callers, so no two runs ever restart the same node at once.
set -euo pipefail
cmd=$1 root=$2 port=$3 node_bin=${4:-node}
pidfile="$root/node.pid"
exec 9>"$root/.nodectl.lock"
flock -w 120 9

stop_node() {
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

case "$cmd" in
  stop) stop_node ;;
  start)
    stop_node
    cli="$root/current/node_modules/ganache/dist/node/cli.js"
    [ -f "$cli" ] || { echo "no ganache under $root/current" >&2; exit 3; }
    mkdir -p "$root/data"
    setsid nohup "$node_bin" "$cli" --server.host 127.0.0.1 --server.port "$port" --miner.blockTime 1 \
      --database.dbPath "$root/data" --wallet.seed chainops --logging.quiet >"$root/node.log" 2>&1 </dev/null 9>&- &
    echo $! >"$pidfile"
    ;;
  *) echo "usage: $0 start|stop <root> <port> [node]" >&2; exit 2 ;;
esac
