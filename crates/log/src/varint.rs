//! Kafka's zigzag variable-length integers (`ByteUtils.writeVarint`/`readVarint`
//! and the `varlong` twins), as used inside v2 records.
//!
//! Decoding is bounded: a varint longer than 5 bytes (varlong: 10) is an error,
//! exactly as Kafka's `ByteUtils` rejects it, so corrupt input can never make the
//! decoder loop or overflow.

use crate::error::DecodeError;

/// Appends `value` as a zigzag varint (at most 5 bytes).
pub fn put_varint(out: &mut Vec<u8>, value: i32) {
    let mut v = ((value << 1) ^ (value >> 31)) as u32;
    while v & !0x7f != 0 {
        out.push(((v & 0x7f) | 0x80) as u8);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Appends `value` as a zigzag varlong (at most 10 bytes).
pub fn put_varlong(out: &mut Vec<u8>, value: i64) {
    let mut v = ((value << 1) ^ (value >> 63)) as u64;
    while v & !0x7f != 0 {
        out.push(((v & 0x7f) | 0x80) as u8);
        v >>= 7;
    }
    out.push(v as u8);
}

/// The number of bytes `put_varint(value)` writes.
pub fn varint_size(value: i32) -> usize {
    let v = ((value << 1) ^ (value >> 31)) as u32;
    // 1 byte per started group of 7 bits, at least 1.
    (32 - v.leading_zeros() as usize).max(1).div_ceil(7)
}

/// The number of bytes `put_varlong(value)` writes.
pub fn varlong_size(value: i64) -> usize {
    let v = ((value << 1) ^ (value >> 63)) as u64;
    (64 - v.leading_zeros() as usize).max(1).div_ceil(7)
}

/// Reads a zigzag varint from the front of `buf`, returning it and the bytes used.
pub fn get_varint(buf: &[u8]) -> Result<(i32, usize), DecodeError> {
    let mut raw: u32 = 0;
    for i in 0..5 {
        let b = *buf.get(i).ok_or(DecodeError::Truncated("varint"))?;
        raw |= ((b & 0x7f) as u32) << (7 * i);
        if b & 0x80 == 0 {
            return Ok((((raw >> 1) as i32) ^ -((raw & 1) as i32), i + 1));
        }
    }
    Err(DecodeError::VarintTooLong)
}

/// Reads a zigzag varlong from the front of `buf`, returning it and the bytes used.
pub fn get_varlong(buf: &[u8]) -> Result<(i64, usize), DecodeError> {
    let mut raw: u64 = 0;
    for i in 0..10 {
        let b = *buf.get(i).ok_or(DecodeError::Truncated("varlong"))?;
        raw |= ((b & 0x7f) as u64) << (7 * i);
        if b & 0x80 == 0 {
            return Ok((((raw >> 1) as i64) ^ -((raw & 1) as i64), i + 1));
        }
    }
    Err(DecodeError::VarlongTooLong)
}
