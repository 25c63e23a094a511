#!/bin/sh
# bench/init-scavenges.ts's exec wrapper: starts node with --trace-gc (not allowed in NODE_OPTIONS),
# then runs the function's own wrapper (BENCH_INNER_WRAPPER: the layer's or the floor's), if any.
node="$1"
shift
if [ -n "${BENCH_INNER_WRAPPER:-}" ]; then exec "$BENCH_INNER_WRAPPER" "$node" --trace-gc "$@"; fi
exec "$node" --trace-gc "$@"
