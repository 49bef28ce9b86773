//! CRC-32C (Castagnoli), the checksum of v2 record batches.
//!
//! Uses the `crc` crate (pure Rust, table-driven with 16 tables, `no_std`): the
//! same code runs natively and in wasm, so benchmark ratios compare like with like
//! (the `crc32c` crate would switch to SSE4.2 natively only).

use std::sync::LazyLock;

/// The 16 tables (16 KiB) are computed at the first use, not at compile time: as
/// a constant they would be data in the page's wasm, where they do not compress.
static CASTAGNOLI: LazyLock<crc::Crc<u32, crc::Table<16>>> =
    LazyLock::new(|| crc::Crc::<u32, crc::Table<16>>::new(&crc::CRC_32_ISCSI));

/// CRC-32C of `bytes`.
pub fn crc32c(bytes: &[u8]) -> u32 {
    CASTAGNOLI.checksum(bytes)
}
