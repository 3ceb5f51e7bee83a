#!/usr/bin/env bash
# Regenerates the snarkjs fixtures in aggregator/testdata/snarkjs/: for every circuit in
# ci/circuits/*.circom, a verification key and PROOFS (default 12) proofs with their public
# signals, made by third-party tools (circom2 compiles, snarkjs sets up, proves and verifies).
#
#   aggregator/testdata/snarkjs/<circuit>/verification_key.json
#   aggregator/testdata/snarkjs/<circuit>/proof_<i>.json, public_<i>.json   (i = 0 .. PROOFS-1)
#
# The setup is a TEST setup: a 2^8 powers of tau and one phase-2 contribution per circuit, both
# made with snarkjs "beacons" from fixed strings, so the keys come out the same on every run
# (snarkjs mixes OS randomness into `contribute -e`, beacons are deterministic). Proofs are
# randomised by snarkjs, so they differ from run to run; every one is checked with
# `snarkjs groth16 verify` before it is written. Only the JSON outputs are committed; the
# ptau, r1cs, wasm, zkey and witness files live in a temporary folder that is removed on exit
# (set KEEP_WORK=1 to keep it). Needs Node.js 18+ and npm; installs ci/js with `npm ci`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

root=$PWD
proofs="${PROOFS:-12}"
out="$root/aggregator/testdata/snarkjs"
js="$root/ci/js"
snarkjs="$js/node_modules/.bin/snarkjs"
circom="$js/node_modules/.bin/circom2"

started=$SECONDS
step() { printf '\n==> %s  (t = %ds)\n' "$*" "$((SECONDS - started))"; }
run() {
    printf '+ %s\n' "$*"
    "$@"
}

work=$(mktemp -d "${TMPDIR:-/tmp}/sheaf-fixtures.XXXXXX")
if [[ "${KEEP_WORK:-0}" == 1 ]]; then
    echo "intermediate files stay in $work"
else
    trap 'rm -rf "$work"' EXIT
fi

# Inputs for proof number $2 of circuit $1, as the JSON circom's witness generator reads.
# Every proof gets different inputs, so every fixture proves a different statement.
input_json() {
    local circuit=$1 i=$2
    case "$circuit" in
        multiplier)
            printf '{"a": "%d", "b": "%d"}\n' "$((1000003 * (i + 1)))" "$((7 * i + 2))"
            ;;
        cubic)
            printf '{"x": "%d"}\n' "$((i * i + 3))"
            ;;
        chain)
            printf '{"s": "%d", "k": "%d"}\n' "$((7 * i + 2))" "$((i + 1))"
            ;;
        poly_eval)
            printf '{"c": ["%d", "%d", "5", "%d"], "x": ["%d", "%d", "%d", "%d"]}\n' \
                "$((i + 1))" "$((2 * i + 3))" "$((i * i + 1))" \
                "$i" "$((i + 1))" "$((2 * i + 5))" "$((1000 + i))"
            ;;
        *)
            echo "no inputs defined for circuit '$circuit' in ci/fixtures.sh" >&2
            return 1
            ;;
    esac
}

step "install the JS tools (ci/js: npm ci)"
node --version
run npm ci --prefix "$js" --no-audit --no-fund --loglevel=error
"$snarkjs" --version 2>/dev/null | head -n 1 || true
"$circom" --version

step "powers of tau (phase 1, 2^8, beacon)"
ptau="$work/pot"
run "$snarkjs" powersoftau new bn128 8 "$ptau"_0000.ptau
beacon1=$(printf 'sheaf test setup: phase 1' | sha256sum | cut -d' ' -f1)
run "$snarkjs" powersoftau beacon "$ptau"_0000.ptau "$ptau"_beacon.ptau "$beacon1" 10 \
    -n="sheaf test beacon"
run "$snarkjs" powersoftau prepare phase2 "$ptau"_beacon.ptau "$ptau"_final.ptau
run "$snarkjs" powersoftau verify "$ptau"_final.ptau >/dev/null

for source in "$root"/ci/circuits/*.circom; do
    circuit=$(basename "$source" .circom)
    dir="$work/$circuit"
    mkdir -p "$dir"

    step "$circuit: compile (circom2)"
    run "$circom" "$source" --r1cs --wasm -o "$dir" >"$dir/circom.log"
    grep -E 'constraints|public|private' "$dir/circom.log" | sed 's/\x1b\[[0-9;]*m//g'

    step "$circuit: groth16 setup and one phase-2 contribution (beacon)"
    run "$snarkjs" groth16 setup "$dir/$circuit.r1cs" "$ptau"_final.ptau "$dir/key_0000.zkey" \
        >/dev/null
    beacon2=$(printf 'sheaf test setup: phase 2, %s' "$circuit" | sha256sum | cut -d' ' -f1)
    run "$snarkjs" zkey beacon "$dir/key_0000.zkey" "$dir/key.zkey" "$beacon2" 10 \
        -n="sheaf test contribution" >/dev/null
    run "$snarkjs" zkey verify "$dir/$circuit.r1cs" "$ptau"_final.ptau "$dir/key.zkey" >/dev/null
    run "$snarkjs" zkey export verificationkey "$dir/key.zkey" "$dir/verification_key.json" \
        >/dev/null

    step "$circuit: $proofs proofs, each checked by snarkjs groth16 verify"
    for ((i = 0; i < proofs; i++)); do
        input_json "$circuit" "$i" >"$dir/input_$i.json"
        run "$snarkjs" wtns calculate "$dir/${circuit}_js/$circuit.wasm" "$dir/input_$i.json" \
            "$dir/witness_$i.wtns"
        run "$snarkjs" groth16 prove "$dir/key.zkey" "$dir/witness_$i.wtns" \
            "$dir/proof_$i.json" "$dir/public_$i.json"
        run "$snarkjs" groth16 verify "$dir/verification_key.json" "$dir/public_$i.json" \
            "$dir/proof_$i.json"
    done

    # Replace the committed fixtures of this circuit only once all of its proofs verified.
    rm -rf "$out/$circuit"
    mkdir -p "$out/$circuit"
    cp "$dir/verification_key.json" "$out/$circuit/"
    for ((i = 0; i < proofs; i++)); do
        cp "$dir/proof_$i.json" "$dir/public_$i.json" "$out/$circuit/"
    done
    echo "wrote $out/$circuit: verification_key.json and $proofs proofs"
done

step "done in $((SECONDS - started))s"
