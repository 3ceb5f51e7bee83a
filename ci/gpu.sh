#!/usr/bin/env bash
# The CUDA backend on a GPU machine: run from the repository root on a machine with the
# NVIDIA driver and the CUDA 13 toolkit (or the nvidia-cuda-nvrtc wheel) but no Rust toolchain
# and no network, with the binaries that ci/gpu-build.sh collected beforehand in ci/gpu-bin/.
# Correctness first, then timings; every step is bounded, and the whole run takes about ten
# minutes on an H100/H200. Results go to $OUT (default ./gpu-out): one log per step and
# RESULTS-gpu.md, a table to paste into benches/RESULTS.md.
#
#   ci/gpu-build.sh            # here, with Rust
#   OUT=/tmp/out ci/gpu.sh     # there
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BIN="${SHEAF_GPU_BIN:-ci/gpu-bin}"
OUT="${OUT:-gpu-out}"
mkdir -p "$OUT"
started=$SECONDS
step() { printf '\n==> %s  (t = %ds)\n' "$*" "$((SECONDS - started))" | tee -a "$OUT/steps.log"; }
status=0
# The whole run stops starting steps past this many seconds (the device budget is small).
DEADLINE="${SHEAF_GPU_DEADLINE:-570}"
# run NAME SECONDS CMD...: runs CMD under a time limit (cut to what is left before the
# deadline), logs to $OUT/NAME.log, records the result.
run() {
    local name=$1 limit=$2
    shift 2
    local left=$((DEADLINE - SECONDS + started))
    if [ "$left" -lt "$limit" ]; then limit=$left; fi
    if [ "$limit" -lt 15 ]; then
        echo "$name: skipped (deadline)" | tee -a "$OUT/steps.log"
        status=1
        return 0
    fi
    timeout --kill-after=10 "$limit" "$@" >"$OUT/$name.log" 2>&1
    local rc=$?
    tail -n 25 "$OUT/$name.log"
    echo "$name: exit $rc" | tee -a "$OUT/steps.log"
    if [ "$rc" -ne 0 ]; then status=1; fi
    return 0
}

for b in cuda-bench compare cuda-conformance; do
    if [ ! -x "$BIN/$b" ]; then
        echo "missing $BIN/$b: run ci/gpu-build.sh on a machine with Rust first" >&2
        exit 2
    fi
done

# NVRTC: the toolkit's, else a pip wheel's.
for dir in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib \
    $(python3 -c 'import nvidia, os; print(os.path.join(nvidia.__path__[0], "cu13", "lib"))' 2>/dev/null); do
    if [ -e "$dir/libnvrtc.so.13" ]; then
        export LD_LIBRARY_PATH="$dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
        break
    fi
done
export SHEAF_REQUIRE_GPU=1
# Compiled kernels are shared by the steps (each binary would otherwise compile them again).
export SHEAF_CUDA_CACHE="${SHEAF_CUDA_CACHE:-/tmp/sheaf-cuda-cache}"
export RUST_LOG="${RUST_LOG:-info}"

step "device"
{ nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv; date -u; } \
    | tee "$OUT/device.txt"
device=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -n 1)

step "compile the kernels (NVRTC) and a first check"
run warmup 90 "$BIN/cuda-bench" --msm-g1 12..=12 --msm-g2 10..=10 --ntt 12..=12 --runs 1

step "conformance suite (SHEAF_REQUIRE_GPU=1: a skip fails)"
run conformance 150 "$BIN/cuda-conformance" --test-threads 4

step "compute-sanitizer: memcheck on MSM and NTT, racecheck on the NTT's shared memory"
if command -v compute-sanitizer >/dev/null; then
    run memcheck 60 compute-sanitizer --tool memcheck --error-exitcode 1 \
        "$BIN/cuda-conformance" --test-threads 1 --exact \
        cuda::g1::msm_all_sizes_up_to_64_vs_naive cuda::g2::msm_random_small_sizes \
        cuda::ntt_all_directions_vs_naive
    run racecheck 40 compute-sanitizer --tool racecheck --error-exitcode 1 \
        "$BIN/cuda-conformance" --test-threads 1 --exact cuda::prop_ntt_roundtrip
else
    echo "compute-sanitizer not found" | tee -a "$OUT/steps.log"
    status=1
fi

step "timings: device-event medians, inputs resident"
run bench 180 "$BIN/cuda-bench" --runs 11

step "Groth16 prover end to end on the CUDA backend (vs ark-groth16 on the CPU)"
run groth16 90 "$BIN/compare" groth16 --backend cuda --only prove --prove-logs 16,18,20 --runs 2

step "summary"
{
    echo "## CUDA kernels on $device"
    echo
    echo "- Date: $(date -u +%Y-%m-%d)"
    echo "- Device: $(tr '\n' ' ' <"$OUT/device.txt")"
    echo "- Command: \`ci/gpu-build.sh\`, then \`ci/gpu.sh\` on the GPU machine"
    echo "- Steps: $(grep -c 'exit 0' "$OUT/steps.log") passed, $(grep -c 'exit [1-9]' "$OUT/steps.log") failed"
    echo
    sed -n '/^| bench |/,$p' "$OUT/bench.log"
    echo
    echo "Groth16 prover (compare groth16 --backend cuda):"
    echo
    echo '```'
    grep -v '^#' "$OUT/groth16.log" | tail -n 8
    echo '```'
} >"$OUT/RESULTS-gpu.md"
cat "$OUT/RESULTS-gpu.md"
echo "done in $((SECONDS - started))s, status $status"
exit "$status"
