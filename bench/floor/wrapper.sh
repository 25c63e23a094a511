#!/bin/sh
# The floor's exec wrapper (bench/floor-layer.ts installs it as /opt/floor-wrapper): the shape of
# the layer's own (layer/after-response), with the floor's preload.
preload="--import=/opt/floor/preload.mjs"
case " ${NODE_OPTIONS:-} " in
  *" $preload "*) ;;
  *) export NODE_OPTIONS="$preload${NODE_OPTIONS:+ $NODE_OPTIONS}" ;;
esac
exec "$@"
