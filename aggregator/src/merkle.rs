//! The epoch's binary SHA-256 Merkle tree (`shared/DESIGN.md`): inner node
//! `SHA-256(0x01 ‖ left ‖ right)`, leaves padded to a power of two with the all-zero leaf, a
//! tree of one leaf has that leaf as its root, paths list siblings bottom-up, and bit `i` of the
//! leaf index says whether the node at level `i` is a right child.

use sha2::{Digest, Sha256};

use crate::statement::Hash32;

/// Domain tag of an inner node.
pub const NODE_TAG: u8 = 0x01;
/// The padding leaf.
pub const ZERO_LEAF: Hash32 = [0u8; 32];

/// `SHA-256(0x01 ‖ left ‖ right)`.
pub fn node(left: &Hash32, right: &Hash32) -> Hash32 {
    let mut h = Sha256::new();
    h.update([NODE_TAG]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// A complete tree: `levels[0]` are the padded leaves, the last level is the root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerkleTree {
    levels: Vec<Vec<Hash32>>,
    len: usize,
}

impl MerkleTree {
    /// Builds the tree over `leaves` (at least one).
    pub fn new(leaves: &[Hash32]) -> Option<Self> {
        if leaves.is_empty() {
            return None;
        }
        let mut level = leaves.to_vec();
        level.resize(leaves.len().next_power_of_two(), ZERO_LEAF);
        let mut levels = vec![level];
        while let Some(last) = levels.last().filter(|l| l.len() > 1) {
            let next = last.chunks_exact(2).map(|p| node(&p[0], &p[1])).collect();
            levels.push(next);
        }
        Some(Self {
            levels,
            len: leaves.len(),
        })
    }

    /// The root.
    pub fn root(&self) -> Hash32 {
        self.levels
            .last()
            .and_then(|l| l.first())
            .copied()
            .unwrap_or(ZERO_LEAF)
    }

    /// Number of leaves before padding.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always false: a tree has at least one leaf.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The siblings of leaf `index`, bottom-up, or `None` past the last real leaf.
    pub fn path(&self, index: usize) -> Option<Vec<Hash32>> {
        if index >= self.len {
            return None;
        }
        let depth = self.levels.len() - 1;
        Some(
            (0..depth)
                .map(|level| self.levels[level][(index >> level) ^ 1])
                .collect(),
        )
    }
}

/// Whether `leaf` at `index` with siblings `path` (bottom-up) hashes to `root`. An index with
/// bits at or above the path length is rejected, so one leaf has one accepted index.
pub fn verify_path(root: &Hash32, leaf: &Hash32, index: u64, path: &[Hash32]) -> bool {
    if path.len() < 64 && index >> path.len() != 0 {
        return false;
    }
    let mut acc = *leaf;
    for (level, sibling) in path.iter().enumerate() {
        acc = if level < 64 && (index >> level) & 1 == 1 {
            node(sibling, &acc)
        } else {
            node(&acc, sibling)
        };
    }
    acc == *root
}
