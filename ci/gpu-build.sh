#!/usr/bin/env bash
# Builds, on a machine with the Rust toolchain (no GPU needed), the x86-64 binaries that
# ci/gpu.sh runs on a GPU machine without Rust or network, and collects them, stripped, in
# ci/gpu-bin/ (ignored by git; about 20 MiB):
#   cuda-bench        device-time medians of the CUDA MSM and NTT kernels (benches/)
#   compare           the side-by-side runner (Groth16 prover on --backend cuda)
#   cuda-conformance  the conformance suite instantiated for CUDA (kernels/tests/cuda.rs)
# Usage: ci/gpu-build.sh [output dir]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/sheaf/target}"
out="${1:-ci/gpu-bin}"
mkdir -p "$out"
rm -f "$out"/*

cargo build --release --locked -p sheaf-benches --features cuda --bin cuda-bench --bin compare
cp "$CARGO_TARGET_DIR/release/cuda-bench" "$CARGO_TARGET_DIR/release/compare" "$out/"

# The test binary's path comes from cargo's JSON messages.
conformance=$(cargo test --release --locked -p sheaf-kernels --features cuda --test cuda --no-run \
    --message-format=json |
    python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "cuda":
        print(m["executable"])')
cp "$conformance" "$out/cuda-conformance"

strip "$out"/*
du -ch "$out"/* | tail -n 1
ls -l "$out"
