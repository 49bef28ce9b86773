//! The byte-level vectors of the reference sheet.

use kafkaplay_log::crc32c::crc32c;
use kafkaplay_log::varint::{get_varint, get_varlong, put_varint, put_varlong, varint_size, varlong_size};
use kafkaplay_log::{BatchRef, DecodeError};

use crate::support::*;

const ZIGZAG: &[(i64, &[u8])] = &[
    (0, &[0x00]),
    (-1, &[0x01]),
    (1, &[0x02]),
    (63, &[0x7E]),
    (-64, &[0x7F]),
    (64, &[0x80, 0x01]),
    (-65, &[0x81, 0x01]),
    (8191, &[0xFE, 0x7F]),
    (8192, &[0x80, 0x80, 0x01]),
];

scenario! {
    fn zigzag_varints_match_kafka() {
        for &(value, expected) in ZIGZAG {
            let mut out = Vec::new();
            put_varint(&mut out, value as i32);
            assert_eq!(out, expected, "varint {value}");
            assert_eq!(varint_size(value as i32), expected.len(), "varint size {value}");
            assert_eq!(get_varint(expected).unwrap(), (value as i32, expected.len()));
            let mut out = Vec::new();
            put_varlong(&mut out, value);
            assert_eq!(out, expected, "varlong {value}");
            assert_eq!(varlong_size(value), expected.len(), "varlong size {value}");
            assert_eq!(get_varlong(expected).unwrap(), (value, expected.len()));
        }
    }
}

scenario! {
    fn varint_extremes_round_trip() {
        for v in [i32::MIN, i32::MIN + 1, -300, 300, i32::MAX] {
            let mut out = Vec::new();
            put_varint(&mut out, v);
            assert_eq!(out.len(), varint_size(v));
            assert_eq!(get_varint(&out).unwrap(), (v, out.len()));
        }
        for v in [i64::MIN, i64::MAX, -1_700_000_000_000, 1_700_000_000_000] {
            let mut out = Vec::new();
            put_varlong(&mut out, v);
            assert_eq!(out.len(), varlong_size(v));
            assert_eq!(get_varlong(&out).unwrap(), (v, out.len()));
        }
    }
}

scenario! {
    fn overlong_and_truncated_varints_are_errors() {
        assert_eq!(get_varint(&[0x80; 5]), Err(DecodeError::VarintTooLong));
        assert_eq!(get_varlong(&[0xFF; 10]), Err(DecodeError::VarlongTooLong));
        assert!(matches!(get_varint(&[0x80, 0x80]), Err(DecodeError::Truncated(_))));
        assert!(matches!(get_varlong(&[]), Err(DecodeError::Truncated(_))));
    }
}

scenario! {
    fn crc32c_check_value() {
        assert_eq!(crc32c(b"123456789"), 0xE306_9283);
        assert_eq!(crc32c(b""), 0);
    }
}

scenario! {
    /// `kafka-dump-log` shows `size: 73` for one record with a null key and the
    /// value "hello": 61 header bytes and 12 record bytes, laid out like this.
    fn hello_batch_is_73_bytes_laid_out_as_kafka() {
        let bytes = batch([rec(T0, None, Some("hello"))]);
        assert_eq!(bytes.len(), 73);
        let b = BatchRef::parse_exact(&bytes).unwrap();
        assert_eq!(&bytes[0..8], &0i64.to_be_bytes(), "base offset");
        assert_eq!(&bytes[8..12], &61i32.to_be_bytes(), "length = size - 12");
        assert_eq!(&bytes[12..16], &(-1i32).to_be_bytes(), "partition leader epoch");
        assert_eq!(bytes[16], 2, "magic");
        assert_eq!(u32::from_be_bytes(bytes[17..21].try_into().unwrap()), crc32c(&bytes[21..]), "crc covers attributes..end");
        assert_eq!(&bytes[21..23], &[0, 0], "attributes: no compression, CreateTime");
        assert_eq!(&bytes[23..27], &0i32.to_be_bytes(), "last offset delta");
        assert_eq!(&bytes[27..35], &T0.to_be_bytes(), "base timestamp");
        assert_eq!(&bytes[35..43], &T0.to_be_bytes(), "max timestamp");
        assert_eq!(&bytes[43..51], &(-1i64).to_be_bytes(), "producer id");
        assert_eq!(&bytes[51..53], &(-1i16).to_be_bytes(), "producer epoch");
        assert_eq!(&bytes[53..57], &(-1i32).to_be_bytes(), "base sequence");
        assert_eq!(&bytes[57..61], &1i32.to_be_bytes(), "records count");
        // length 11 (zigzag 0x16), attributes, ts delta 0, offset delta 0,
        // key length -1 (0x01), value length 5 (0x0a), "hello", 0 headers
        assert_eq!(&bytes[61..], &[0x16, 0, 0, 0, 0x01, 0x0a, b'h', b'e', b'l', b'l', b'o', 0]);
        assert_eq!(b.crc(), b.compute_crc());
        assert_eq!(b.last_sequence(), -1);
    }
}

/// Batches encoded by kafka-python (`tests/fixtures/kafka-python/generate.py`), an
/// implementation of the v2 format written independently of this one. The only
/// difference is kafka-python's producer leader epoch of 0 where Kafka's Java
/// producer writes -1; that field is outside the CRC.
fn independent(name: &str) -> &'static [u8] {
    match name {
        "hello" => include_bytes!("../fixtures/kafka-python/hello.bin"),
        "keys-headers-tombstone" => include_bytes!("../fixtures/kafka-python/keys-headers-tombstone.bin"),
        "idempotent-transactional" => include_bytes!("../fixtures/kafka-python/idempotent-transactional.bin"),
        _ => unreachable!(),
    }
}

scenario! {
    fn independent_encoder_agrees_byte_for_byte() {
        use kafkaplay_log::{BatchBuilder, NewRecord};
        let with_headers = |r: NewRecord, hs: &[(&str, Option<&[u8]>)]| hs.iter().fold(r, |r, (k, v)| r.with_header(k, *v));

        let mut hello = BatchBuilder::new(0).partition_leader_epoch(0);
        hello.append(rec(T0, None, Some("hello")));

        let mut mixed = BatchBuilder::new(0).partition_leader_epoch(0);
        mixed.append(with_headers(rec(T0, Some("user-1"), Some("{\"clicks\":1}")), &[("trace", Some(b"abc")), ("null-header", None)]));
        mixed.append(rec(T0 + 5, Some("user-2"), None));
        mixed.append(with_headers(rec(T0 - 7, None, Some("")), &[("", Some(b""))]));
        mixed.append(rec(T0 + 100_000, Some(&"k".repeat(200)), Some(&"v".repeat(1000))));

        let mut txn = BatchBuilder::new(0).partition_leader_epoch(0).producer(4242, 7, 99).transactional(true);
        txn.append(rec(T0, Some("a"), Some("1")));
        txn.append(rec(T0, Some("b"), Some("2")));

        for (name, ours) in [("hello", hello), ("keys-headers-tombstone", mixed), ("idempotent-transactional", txn)] {
            let theirs = independent(name);
            assert_eq!(ours.build(), theirs, "{name}: our encoding differs from kafka-python's");
            let b = kafkaplay_log::BatchRef::parse_exact(theirs).expect(name);
            assert_eq!(b.records().unwrap().len(), ours.len(), "{name}: we decode theirs");
        }
    }
}
