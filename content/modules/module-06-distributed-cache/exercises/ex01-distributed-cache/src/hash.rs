//! The one hash function of the cluster.
//!
//! Every node must map a key to the same point on the ring, in every process and every version, so the
//! function is spelled out here instead of borrowed from `std` (whose `DefaultHasher` is randomly seeded per
//! process by `RandomState` and is not promised to be stable across Rust releases).

/// A stable 64-bit hash: FNV-1a over the bytes, then the MurmurHash3 finaliser to spread the bits (FNV-1a
/// alone maps keys that differ only in their last byte to nearby values, which clusters them on a ring).
pub fn hash64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}
