// Range checks: the lookup argument rejects a chunk outside the table even when every
// arithmetic identity still holds, and bit decompositions reject non-boolean bits.

use ark_bn254::{Fq, Fr};
use ark_ff::{AdditiveGroup, Field, One};
use sheaf_aggregator::gadgets::{FqVar, RangeMode};

use super::{finish, new_ctx};

/// A value whose limbs have non-zero second chunks, so a chunk can borrow from its neighbour.
fn value() -> Fq {
    Fq::from(0x0505_0505_0505_0505u64)
}

#[test]
fn a_chunk_outside_the_table_fails_the_lookup() {
    let bits = 8u32;
    let ctx = new_ctx(RangeMode::Lookup { chunk_bits: bits });
    let a = FqVar::witness(&ctx, Some(value())).unwrap();
    let sq = a.square(&ctx).unwrap();
    assert_eq!(sq.value(), Some(value() * value()));
    let queries = ctx.range_queries();
    let witnesses_before = ctx.cs().num_witness_variables();
    let built = finish(&ctx);
    assert!(built.satisfied());

    // Move 2^8 from chunk 1 into chunk 0 of the first limb: the limb, and so every identity,
    // is unchanged, but chunk 0 now holds a value of nine bits.
    let (c0, shift0) = queries[0];
    let (c1, _) = queries[1];
    assert_eq!(shift0, 0);
    let (i0, i1) = (built.index(c0), built.index(c1));
    let table = Fr::from(1u64 << bits);
    let new0 = built.z[i0] + table;
    let new1 = built.z[i1] - Fr::one();
    // The chunk's lookup inverse recomputed for its new value, as a cheating prover would.
    let alpha = built.z[built.num_instance - 1];
    let h0 = built.num_instance + witnesses_before + (1 << bits);
    let new_h0 = (alpha - new0).inverse().unwrap();
    assert!(!built.satisfied_with(&[(i0, new0), (i1, new1), (h0, new_h0)]));
    // Without the inverse recomputed the query's own constraint already fails.
    assert!(!built.satisfied_with(&[(i0, new0), (i1, new1)]));
    // The identities alone (the same change with the lookups ignored) would have accepted it:
    // the limb is unchanged.
    let limb_before = built.z[i0] + built.z[i1] * table;
    assert_eq!(new0 + new1 * table, limb_before);
}

#[test]
fn a_non_boolean_bit_fails_the_decomposition() {
    let ctx = new_ctx(RangeMode::Bits);
    let a = FqVar::witness(&ctx, Some(value())).unwrap();
    let _ = a.square(&ctx).unwrap();
    let built = finish(&ctx);
    assert!(built.satisfied());
    // Bits 0 and 1 of the first limb are the first two witnesses; 0x..05 has bit 0 set and
    // bit 1 clear, so bit 0 can become 3 with bit 1 lowered to −1: the limb is the same.
    let first = built.num_instance;
    let changed = [(first, Fr::from(3u8)), (first + 1, -Fr::one())];
    assert_eq!(built.z[first] + built.z[first + 1].double(), Fr::one());
    assert!(!built.satisfied_with(&changed));
}
