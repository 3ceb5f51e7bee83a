// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

/// @title SheafAnchor: epochs of Groth16 (BN254) statements anchored by their SHA-256 Merkle root.
/// @notice `anchorBatch` verifies every proof of an epoch with ONE random-linear-combination
/// pairing check (the BN254 precompiles of EIP-196 and EIP-197), computes the epoch's Merkle
/// root over the statement leaves and stores it. A rollup then calls `verifyInclusion` with
/// its statement and Merkle path. Hashing follows sheaf's design ("Inner proofs"):
/// `vk_hash = SHA-256(canonical EVM key encoding)`,
/// `leaf = SHA-256(0x00 ‖ vk_hash ‖ SHA-256(public signals as 32-byte words))`,
/// `node = SHA-256(0x01 ‖ left ‖ right)`, padded to a power of two with the all-zero leaf.
///
/// Batch verification. Proof i under key k satisfies Groth16 iff
/// `e(A_i, B_i) = e(α_k, β_k) · e(L_i, γ_k) · e(C_i, δ_k)` with
/// `L_i = IC_0 + Σ_j s_ij · IC_j`. With coefficients r_i (r_0 = 1, the others 128 bits from
/// keccak-256 of the whole calldata, so fixed only once every proof and signal is), the product
/// over i of these equations raised to r_i is checked as one pairing product:
/// `Π_i e(r_i·A_i, B_i) · Π_k e(-R_k·α_k, β_k) · e(-Σ r_i·L_i, γ_k) · e(-Σ r_i·C_i, δ_k) = 1`,
/// where `R_k = Σ_{i under k} r_i` and `Σ r_i·L_i = R_k·IC_0 + Σ_j (Σ_i r_i·s_ij)·IC_j` is
/// summed as scalars first. Cost: one pairing and two scalar multiplications per proof, plus
/// nPublic + 2 scalar multiplications and three pairings per key. A batch containing a false
/// proof passes with probability at most 2^-128 per try.
///
/// Settlement in `recursive` mode (one epoch proof whose public inputs are the root and the
/// count) will add `anchorRecursive(root, count, proof)` storing through `_record` with
/// `MODE_RECURSIVE`; `verifyInclusion` does not depend on the mode.
contract SheafAnchor {
    /// Epoch verified proof by proof in one batched pairing check.
    uint8 public constant MODE_BATCH = 1;
    /// Epoch verified by one recursive proof (reserved).
    uint8 public constant MODE_RECURSIVE = 2;
    /// Largest nPublic of a key in a batch.
    uint256 public constant MAX_PUBLIC_SIGNALS = 1024;

    /// BN254 base field modulus p.
    uint256 internal constant P = 21888242871839275222246405745257275088696311157297823662689037894645226208583;
    /// BN254 scalar field modulus r (public signals must be below it).
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;

    /// An epoch's root was stored: `count` statements, verified in `mode`.
    event EpochAnchored(bytes32 indexed root, uint256 count, uint8 mode);

    /// The batch ends before its header, a key or a proof is complete.
    error BatchTruncated();
    /// Bytes follow the last proof.
    error BatchTrailingBytes();
    /// The batch has no key or no proof.
    error EmptyBatch();
    /// Proof `proof` names a key past the batch's keys.
    error KeyIndexOutOfRange(uint256 proof);
    /// Key `key` has more than MAX_PUBLIC_SIGNALS public signals.
    error TooManyPublicSignals(uint256 key);
    /// SHA-256 of key `key`'s encoding is not the vk_hash given with it.
    error VkHashMismatch(uint256 key);
    /// Key `key` is used by no proof.
    error UnusedKey(uint256 key);
    /// Public signal `signal` of proof `proof` is not below r.
    error SignalNotInField(uint256 proof, uint256 signal);
    /// A point of proof `proof` is the identity, has a coordinate ≥ p or is not on the curve.
    error ProofPointInvalid(uint256 proof);
    /// alpha or an IC point of key `key` has a coordinate ≥ p or is not on the curve.
    error KeyPointInvalid(uint256 key);
    /// A G2 point (of a proof or a key) has a coordinate ≥ p, is not on the twist or is not in
    /// the prime-order subgroup: the pairing precompile refused its input.
    error PairingInputInvalid();
    /// The batched pairing check failed: at least one proof does not verify.
    error BatchInvalid();
    /// This root is anchored already.
    error AlreadyAnchored(bytes32 root);

    /// root => count (bits 0-63) | block (64-127) | mode (128-135) | tree depth (136-143).
    mapping(bytes32 => uint256) private _anchors;

    /// Verifies every proof of `batch` and stores the Merkle root of its statements.
    /// @param batch packed, big-endian, without padding:
    ///   `nKeys (2 bytes) ‖ nProofs (2 bytes)`,
    ///   `nKeys × (vk_hash (32) ‖ key encoding (alpha 64, beta 128, gamma 128, delta 128,
    ///   nPublic 32, IC 64·(nPublic+1)))`,
    ///   `nProofs × (key index (2) ‖ A (64) ‖ B (128) ‖ C (64) ‖ nPublic public signals (32 each))`,
    ///   G2 as `x.c1, x.c0, y.c1, y.c0`; proofs in leaf order.
    /// @return root the epoch's Merkle root.
    function anchorBatch(bytes calldata batch) external returns (bytes32 root) {
        (bytes32 r, uint256 count, uint256 depth) = _verifyBatch(batch);
        _record(r, count, depth, MODE_BATCH);
        return r;
    }

    /// The anchor of `root`: zero count when it is not anchored.
    function anchorOf(bytes32 root) external view returns (uint64 count, uint64 blockNumber, uint8 mode) {
        uint256 a = _anchors[root];
        return (uint64(a), uint64(a >> 64), uint8(a >> 128));
    }

    /// Whether the statement (vkHash, publicSignals) is leaf `index` of the anchored epoch
    /// `root`, with `path` its siblings bottom-up (bit i of `index` set: the node at level i
    /// is a right child). The path must have exactly the tree's depth and `index` must be
    /// below the epoch's count, so one statement has one accepted position.
    function verifyInclusion(
        bytes32 root,
        bytes32 vkHash,
        uint256[] calldata publicSignals,
        bytes32[] calldata path,
        uint256 index
    ) external view returns (bool ok) {
        uint256 a = _anchors[root];
        if (index >= uint64(a) || path.length != uint8(a >> 136)) return false;
        assembly ("memory-safe") {
            let m := mload(0x40)
            let l := publicSignals.length
            let so := publicSignals.offset
            ok := 1
            for { let j := 0 } lt(j, l) { j := add(j, 1) } {
                if iszero(lt(calldataload(add(so, shl(5, j))), R)) { ok := 0 }
            }
            if ok {
                // leaf = SHA-256(0x00 ‖ vkHash ‖ SHA-256(signals))
                calldatacopy(m, so, shl(5, l))
                pop(staticcall(gas(), 2, m, shl(5, l), add(m, 33), 32))
                mstore(add(m, 1), vkHash)
                mstore8(m, 0)
                pop(staticcall(gas(), 2, m, 65, 0, 32))
                let acc := mload(0)
                mstore8(m, 1)
                let po := path.offset
                for { let d := 0 } lt(d, path.length) { d := add(d, 1) } {
                    let sib := calldataload(add(po, shl(5, d)))
                    switch and(shr(d, index), 1)
                    case 0 {
                        mstore(add(m, 1), acc)
                        mstore(add(m, 33), sib)
                    }
                    default {
                        mstore(add(m, 1), sib)
                        mstore(add(m, 33), acc)
                    }
                    pop(staticcall(gas(), 2, m, 65, 0, 32))
                    acc := mload(0)
                }
                ok := eq(acc, root)
            }
        }
    }

    /// The statement leaf of a key hash and public signals (for clients and tests).
    function statementLeaf(bytes32 vkHash, uint256[] calldata publicSignals) external pure returns (bytes32) {
        return sha256(abi.encodePacked(bytes1(0x00), vkHash, sha256(abi.encodePacked(publicSignals))));
    }

    /// The Merkle root of `leaves` (at least one), padded to a power of two with zero leaves.
    function merkleRoot(bytes32[] calldata leaves) external pure returns (bytes32) {
        require(leaves.length > 0, "no leaves");
        uint256 width = 1;
        while (width < leaves.length) width <<= 1;
        bytes32[] memory level = new bytes32[](width);
        for (uint256 i = 0; i < leaves.length; i++) level[i] = leaves[i];
        for (; width > 1; width >>= 1) {
            for (uint256 i = 0; i < width / 2; i++) {
                level[i] = sha256(abi.encodePacked(bytes1(0x01), level[2 * i], level[2 * i + 1]));
            }
        }
        return level[0];
    }

    /// Stores an epoch's root once and announces it.
    function _record(bytes32 root, uint256 count, uint256 depth, uint8 mode) internal {
        if (_anchors[root] != 0) revert AlreadyAnchored(root);
        _anchors[root] = count | (block.number << 64) | (uint256(mode) << 128) | (depth << 136);
        emit EpochAnchored(root, count, mode);
    }

    /// Parses and verifies a batch (reverting on any failure) and returns its Merkle root,
    /// its number of statements and the tree's depth.
    ///
    /// Memory from the free pointer on (never handed back, so the layout needs no allocation):
    /// first a copy of the calldata to hash it, then reused as
    ///   keys:   nKeys records of 10 words: encoding offset, nPublic, vk_hash, R_k,
    ///           ΣC (2 words), r·C scratch (2 words), pointer to the Σ r·s accumulators, used;
    ///   the accumulators (nPublic words per key); leaves (n words);
    ///   pairs:  (n + 3·nKeys) × 192 bytes, the pairing precompile's input;
    ///   scr:    scratch (scalar multiplication input, leaf preimage, signals).
    /// SHA-256 calls forward all gas and their status is not checked: SHA-256 fails only for
    /// lack of gas, and a call that lacks the ~100 gas it needs leaves the caller less than
    /// 1/64 of that, so the transaction runs out of gas before it could store anything.
    function _verifyBatch(bytes calldata batch) private view returns (bytes32 root, uint256 n, uint256 depth) {
        assembly ("memory-safe") {
            // Reverts with a custom error; the data is written past the free memory pointer.
            function fail0(sel) {
                let f := mload(0x40)
                mstore(f, shl(224, sel))
                revert(f, 4)
            }
            function fail1(sel, a) {
                let f := mload(0x40)
                mstore(f, shl(224, sel))
                mstore(add(f, 4), a)
                revert(f, 36)
            }
            function fail2(sel, a, b) {
                let f := mload(0x40)
                mstore(f, shl(224, sel))
                mstore(add(f, 4), a)
                mstore(add(f, 36), b)
                revert(f, 68)
            }
            function onCurve(x, y) -> ok {
                ok := and(and(lt(x, P), lt(y, P)), eq(mulmod(y, y, P), addmod(mulmod(mulmod(x, x, P), x, P), 3, P)))
            }
            // -(x, y) written at `to`; the identity stays the identity.
            function storeNeg(to, x, y) {
                mstore(to, x)
                mstore(add(to, 32), mod(sub(P, y), P))
            }

            let end := add(batch.offset, batch.length)
            let p := batch.offset
            if lt(batch.length, 4) { fail0(0xc3490f27) } // BatchTruncated
            let nKeys := shr(240, calldataload(p))
            n := shr(240, calldataload(add(p, 2)))
            if or(iszero(nKeys), iszero(n)) { fail0(0xc2e5347d) } // EmptyBatch
            p := add(p, 4)

            let keys := mload(0x40)
            calldatacopy(keys, 0, calldatasize())
            let seed := keccak256(keys, calldatasize())

            // Keys: check each encoding against its vk_hash, set up its record.
            let cur := add(keys, mul(nKeys, 320))
            for { let k := 0 } lt(k, nKeys) { k := add(k, 1) } {
                if gt(add(p, 512), end) { fail0(0xc3490f27) }
                let e := add(p, 32)
                let l := calldataload(add(e, 448))
                if gt(l, MAX_PUBLIC_SIGNALS) { fail1(0x3e12cce8, k) } // TooManyPublicSignals
                let klen := add(480, shl(6, add(l, 1)))
                if gt(add(e, klen), end) { fail0(0xc3490f27) }
                calldatacopy(cur, e, klen)
                pop(staticcall(gas(), 2, cur, klen, 0, 32))
                let h := calldataload(p)
                if iszero(eq(mload(0), h)) { fail1(0xc3eb82b3, k) } // VkHashMismatch
                let rec := add(keys, mul(k, 320))
                mstore(rec, e)
                mstore(add(rec, 32), l)
                mstore(add(rec, 64), h)
                mstore(add(rec, 96), 0)
                mstore(add(rec, 128), 0)
                mstore(add(rec, 160), 0)
                mstore(add(rec, 256), cur)
                mstore(add(rec, 288), 0)
                for { let j := 0 } lt(j, l) { j := add(j, 1) } { mstore(add(cur, shl(5, j)), 0) }
                cur := add(cur, shl(5, l))
                p := add(e, klen)
            }
            let leaves := cur
            let pairs := add(leaves, shl(5, n))
            let scr := add(pairs, mul(add(n, mul(3, nKeys)), 192))

            // Proofs: coefficients, signal sums, leaves, r·A next to B, Σ r·C per key.
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                if gt(add(p, 2), end) { fail0(0xc3490f27) }
                let k := shr(240, calldataload(p))
                if iszero(lt(k, nKeys)) { fail1(0xfbddedcf, i) } // KeyIndexOutOfRange
                let rec := add(keys, mul(k, 320))
                let l := mload(add(rec, 32))
                let q := add(p, 2)
                let s0 := add(q, 256)
                p := add(s0, shl(5, l))
                if gt(p, end) { fail0(0xc3490f27) }
                mstore(add(rec, 288), 1)
                let r := 1
                if i {
                    mstore(0, seed)
                    mstore(32, i)
                    r := and(keccak256(0, 64), 0xffffffffffffffffffffffffffffffff)
                }
                mstore(add(rec, 96), addmod(mload(add(rec, 96)), r, R))
                let t := mload(add(rec, 256))
                for { let j := 0 } lt(j, l) { j := add(j, 1) } {
                    let s := calldataload(add(s0, shl(5, j)))
                    if iszero(lt(s, R)) { fail2(0x70fe82cc, i, j) } // SignalNotInField
                    let tj := add(t, shl(5, j))
                    mstore(tj, addmod(mload(tj), mulmod(r, s, R), R))
                }
                // leaf = SHA-256(0x00 ‖ vk_hash ‖ SHA-256(signals))
                let pre := add(scr, 128)
                calldatacopy(add(scr, 256), s0, shl(5, l))
                pop(staticcall(gas(), 2, add(scr, 256), shl(5, l), add(pre, 33), 32))
                mstore(add(pre, 1), mload(add(rec, 64)))
                mstore8(pre, 0)
                pop(staticcall(gas(), 2, pre, 65, add(leaves, shl(5, i)), 32))

                let slot := add(pairs, mul(i, 192))
                let x := calldataload(q)
                let y := calldataload(add(q, 32))
                switch i
                case 0 {
                    if iszero(onCurve(x, y)) { fail1(0x68477772, i) } // ProofPointInvalid
                    mstore(slot, x)
                    mstore(add(slot, 32), y)
                }
                default {
                    if iszero(or(x, y)) { fail1(0x68477772, i) }
                    mstore(scr, x)
                    mstore(add(scr, 32), y)
                    mstore(add(scr, 64), r)
                    if iszero(staticcall(6000, 7, scr, 96, slot, 64)) { fail1(0x68477772, i) }
                }
                calldatacopy(add(slot, 64), add(q, 64), 128)
                if iszero(or(or(mload(add(slot, 64)), mload(add(slot, 96))), or(mload(add(slot, 128)), mload(add(slot, 160))))) {
                    fail1(0x68477772, i)
                }
                x := calldataload(add(q, 192))
                y := calldataload(add(q, 224))
                if iszero(or(x, y)) { fail1(0x68477772, i) }
                switch i
                case 0 {
                    mstore(add(rec, 192), x)
                    mstore(add(rec, 224), y)
                }
                default {
                    mstore(scr, x)
                    mstore(add(scr, 32), y)
                    mstore(add(scr, 64), r)
                    if iszero(staticcall(6000, 7, scr, 96, add(rec, 192), 64)) { fail1(0x68477772, i) }
                }
                if iszero(staticcall(150, 6, add(rec, 128), 128, add(rec, 128), 64)) { fail1(0x68477772, i) }
            }
            if iszero(eq(p, end)) { fail0(0xa56030fb) } // BatchTrailingBytes

            // Keys: the three pairs of each, from the sums.
            for { let k := 0 } lt(k, nKeys) { k := add(k, 1) } {
                let rec := add(keys, mul(k, 320))
                if iszero(mload(add(rec, 288))) { fail1(0x1d32b65b, k) } // UnusedKey
                let e := mload(rec)
                let l := mload(add(rec, 32))
                let rk := mload(add(rec, 96))
                let slot := add(pairs, mul(add(n, mul(3, k)), 192))
                // (-R_k·alpha, beta)
                calldatacopy(scr, e, 64)
                mstore(add(scr, 64), rk)
                if iszero(staticcall(6000, 7, scr, 96, scr, 64)) { fail1(0xf849076b, k) } // KeyPointInvalid
                storeNeg(slot, mload(scr), mload(add(scr, 32)))
                calldatacopy(add(slot, 64), add(e, 64), 128)
                // (-(R_k·IC_0 + Σ_j t_j·IC_j), gamma), summed at scr+128 with terms at scr+192
                let ic := add(e, 480)
                calldatacopy(scr, ic, 64)
                mstore(add(scr, 64), rk)
                if iszero(staticcall(6000, 7, scr, 96, add(scr, 128), 64)) { fail1(0xf849076b, k) }
                let t := mload(add(rec, 256))
                for { let j := 0 } lt(j, l) { j := add(j, 1) } {
                    calldatacopy(scr, add(ic, shl(6, add(j, 1))), 64)
                    mstore(add(scr, 64), mload(add(t, shl(5, j))))
                    if iszero(staticcall(6000, 7, scr, 96, add(scr, 192), 64)) { fail1(0xf849076b, k) }
                    if iszero(staticcall(150, 6, add(scr, 128), 128, add(scr, 128), 64)) { fail1(0xf849076b, k) }
                }
                storeNeg(add(slot, 192), mload(add(scr, 128)), mload(add(scr, 160)))
                calldatacopy(add(slot, 256), add(e, 192), 128)
                // (-Σ r·C, delta)
                storeNeg(add(slot, 384), mload(add(rec, 128)), mload(add(rec, 160)))
                calldatacopy(add(slot, 448), add(e, 320), 128)
            }
            let pairCount := add(n, mul(3, nKeys))
            if iszero(staticcall(add(45000, mul(34000, pairCount)), 8, pairs, mul(pairCount, 192), 0, 32)) {
                fail0(0x31ac2321) // PairingInputInvalid
            }
            if iszero(mload(0)) { fail0(0x4f70f88a) } // BatchInvalid

            // Merkle root in place over the leaves; `z` is the root of an all-padding subtree
            // of the current level, so padding is never materialised.
            let m := n
            let z := 0
            mstore8(scr, 1)
            for {} gt(m, 1) {} {
                let half := shr(1, add(m, 1))
                for { let j := 0 } lt(j, half) { j := add(j, 1) } {
                    let two := shl(1, j)
                    mstore(add(scr, 1), mload(add(leaves, shl(5, two))))
                    switch lt(add(two, 1), m)
                    case 1 { mstore(add(scr, 33), mload(add(leaves, shl(5, add(two, 1))))) }
                    default { mstore(add(scr, 33), z) }
                    pop(staticcall(gas(), 2, scr, 65, add(leaves, shl(5, j)), 32))
                }
                if gt(half, 1) {
                    mstore(add(scr, 1), z)
                    mstore(add(scr, 33), z)
                    pop(staticcall(gas(), 2, scr, 65, 0, 32))
                    z := mload(0)
                }
                m := half
                depth := add(depth, 1)
            }
            root := mload(leaves)
        }
    }
}
