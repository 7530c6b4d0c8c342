#!/bin/sh
# Builds the fuzz targets with libFuzzer coverage AND AddressSanitizer by calling swiftc directly.
#
# Why not SwiftPM: `swift build --sanitize=fuzzer --sanitize=address` passes two separate
# `-sanitize=` flags to swiftc and the last one wins, so the Swift code gets ASan but no
# coverage counters (libFuzzer then reports "no interesting inputs", the corpus never grows).
# swiftc needs the combined form `-sanitize=fuzzer,address`. ModelHashes.swift is left out:
# it needs swift-crypto, which no target here calls.
#
# Usage: Fuzz/build-asan.sh [output directory, default /tmp/adiff-fuzz]
set -eu
cd "$(dirname "$0")/.."
OUT=${1:-/tmp/adiff-fuzz}
mkdir -p "$OUT"
BLAS_CFLAGS=$(pkg-config --cflags openblas)
BLAS_LIBS=$(pkg-config --libs openblas)
FLAGS="-O -g -swift-version 6 -enable-upcoming-feature ExistentialAny -parse-as-library
  -sanitize=fuzzer,address -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp
  -Xcc -fmodule-map-file=Sources/CBLAS/module.modulemap $BLAS_CFLAGS -I $OUT"
swiftc $FLAGS -module-name ADiffTensor -emit-module -emit-module-path "$OUT/ADiffTensor.swiftmodule" \
  -emit-library -static -o "$OUT/libADiffTensor.a" Sources/ADiffTensor/*.swift
swiftc $FLAGS -module-name ADiffWeights -emit-module -emit-module-path "$OUT/ADiffWeights.swiftmodule" \
  -emit-library -static -o "$OUT/libADiffWeights.a" $(ls Sources/ADiffWeights/*.swift | grep -v ModelHashes)
for target in FuzzSafetensorsHeader FuzzTorchPickle FuzzCheckpointZip; do
  swiftc $FLAGS -module-name "$target" "Fuzz/Sources/$target/main.swift" \
    -L "$OUT" -lADiffWeights -lADiffTensor $BLAS_LIBS -o "$OUT/$target"
done
echo "built $OUT/FuzzSafetensorsHeader $OUT/FuzzTorchPickle $OUT/FuzzCheckpointZip"
