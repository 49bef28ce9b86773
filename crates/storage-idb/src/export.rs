//! A whole playground as one file, and a partition as Kafka's segment files.
//!
//! The playground file (`.kafkaplay`) is:
//!
//! ```text
//! magic "KPPLAY\r\n" | u32 format version (1)
//! u32 entry count, then per entry: u8 kind | u32 name length | name | u32 length | bytes
//!   kind 0: the cluster image   (name "cluster")
//!   kind 1: a segment           (name "<path>\0<base offset as 20 digits>")
//!   kind 2: an app key/value    (name = key)
//! u32 CRC-32C of everything before it
//! ```
//!
//! Little-endian sized integers throughout. Reading checks the CRC first and
//! every length against the bytes there, so a damaged file is an error, never a
//! panic, and importing it changes nothing.

use kafkaplay_flatmap::FlatMap;

use kafkaplay_log::crc32c::crc32c;
use kafkaplay_log::StoredSegment;

const MAGIC: &[u8; 8] = b"KPPLAY\r\n";
pub const EXPORT_FORMAT_VERSION: u32 = 1;

/// The contents of a playground, owned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlaygroundData {
    /// The cluster image (`Simulation::persisted().meta`), if a cluster was saved.
    pub cluster: Option<Vec<u8>>,
    /// Segment files by path (`c/<node>/<topic>-<partition>` for the cluster's,
    /// `s/<name>` for stand-alone logs).
    pub files: FlatMap<String, Vec<StoredSegment>>,
    /// The app's key/value area.
    pub kv: FlatMap<String, Vec<u8>>,
}

impl PlaygroundData {
    /// The playground as one file.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&EXPORT_FORMAT_VERSION.to_le_bytes());
        let count = self.cluster.is_some() as usize + self.files.values().map(Vec::len).sum::<usize>() + self.kv.len();
        out.extend_from_slice(&(count as u32).to_le_bytes());
        let mut entry = |kind: u8, name: &[u8], bytes: &[u8]| {
            out.push(kind);
            out.extend_from_slice(&(name.len() as u32).to_le_bytes());
            out.extend_from_slice(name);
            out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
            out.extend_from_slice(bytes);
        };
        if let Some(c) = &self.cluster {
            entry(0, b"cluster", c);
        }
        for (path, segments) in &self.files {
            for s in segments {
                entry(1, format!("{path}\0{:020}", s.base_offset).as_bytes(), &s.bytes);
            }
        }
        for (k, v) in &self.kv {
            entry(2, k.as_bytes(), v);
        }
        let crc = crc32c(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        out
    }

    /// Reads a playground file.
    pub fn from_bytes(input: &[u8]) -> Result<PlaygroundData, String> {
        let bad = |why: &str| format!("this is not a usable kafkaplay playground file: {why}");
        if input.len() < MAGIC.len() + 12 || &input[..MAGIC.len()] != MAGIC {
            return Err(bad("it does not start with the kafkaplay header"));
        }
        let (body, crc) = input.split_at(input.len() - 4);
        if crc32c(body).to_le_bytes() != crc {
            return Err(bad("its checksum does not match (the file is damaged or incomplete)"));
        }
        let mut pos = MAGIC.len();
        let u32_at = |pos: &mut usize| -> Result<u32, String> {
            let b = body.get(*pos..*pos + 4).ok_or_else(|| bad("it ends too early"))?;
            *pos += 4;
            Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        };
        let version = u32_at(&mut pos)?;
        if version != EXPORT_FORMAT_VERSION {
            return Err(format!(
                "the playground file has format version {version}; this build reads version {EXPORT_FORMAT_VERSION}"
            ));
        }
        let count = u32_at(&mut pos)?;
        let mut data = PlaygroundData::default();
        for _ in 0..count {
            let kind = *body.get(pos).ok_or_else(|| bad("it ends too early"))?;
            pos += 1;
            let n = u32_at(&mut pos)? as usize;
            let name = body
                .get(pos..pos.saturating_add(n))
                .ok_or_else(|| bad("a name runs past the end"))?;
            pos += n;
            let n = u32_at(&mut pos)? as usize;
            let bytes = body
                .get(pos..pos.saturating_add(n))
                .ok_or_else(|| bad("an entry runs past the end"))?;
            pos += n;
            let name = std::str::from_utf8(name).map_err(|_| bad("a name is not UTF-8"))?;
            match kind {
                0 => data.cluster = Some(bytes.to_vec()),
                1 => {
                    let (path, base) = name
                        .split_once('\0')
                        .ok_or_else(|| bad("a segment name has no offset"))?;
                    let base_offset: i64 = base.parse().map_err(|_| bad("a segment offset is not a number"))?;
                    let segments = data.files.entry(path.to_string()).or_default();
                    if segments.last().is_some_and(|s| s.base_offset >= base_offset) {
                        return Err(bad("segments are out of order"));
                    }
                    segments.push(StoredSegment {
                        base_offset,
                        bytes: bytes.to_vec(),
                    });
                }
                2 => {
                    data.kv.insert(name.to_string(), bytes.to_vec());
                }
                k => return Err(bad(&format!("unknown entry kind {k}"))),
            }
        }
        if pos != body.len() {
            return Err(bad("bytes follow the last entry"));
        }
        Ok(data)
    }
}

/// One partition replica of a cluster as Kafka's files
/// (`00000000000000000000.log`, `.index`, `.timeindex`,
/// `leader-epoch-checkpoint`), as the replica holds it now. `None` if the
/// broker is down or holds no such replica.
pub fn export_partition(
    sim: &kafkaplay_cluster::Simulation,
    broker: kafkaplay_cluster::NodeId,
    tp: &kafkaplay_cluster::TopicPartition,
) -> Option<Vec<kafkaplay_log::KafkaFile>> {
    Some(sim.broker(broker)?.log(tp)?.export_files())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> PlaygroundData {
        let mut d = PlaygroundData {
            cluster: Some(vec![1, 2, 3]),
            ..Default::default()
        };
        d.files.insert(
            "c/1/t-0".into(),
            vec![
                StoredSegment {
                    base_offset: 0,
                    bytes: vec![9; 100],
                },
                StoredSegment {
                    base_offset: 7,
                    bytes: vec![],
                },
            ],
        );
        d.kv.insert("shell.history".into(), b"kafka-topics.sh --list".to_vec());
        d
    }

    #[test]
    fn a_playground_file_round_trips() {
        let d = sample();
        assert_eq!(PlaygroundData::from_bytes(&d.to_bytes()), Ok(d));
        let empty = PlaygroundData::default();
        assert_eq!(PlaygroundData::from_bytes(&empty.to_bytes()), Ok(empty));
    }

    #[test]
    fn every_damaged_file_is_an_error_not_a_panic() {
        let bytes = sample().to_bytes();
        for n in 0..bytes.len() {
            assert!(PlaygroundData::from_bytes(&bytes[..n]).is_err(), "prefix {n}");
        }
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0x40;
            assert!(PlaygroundData::from_bytes(&b).is_err(), "flipped byte {i}");
        }
    }
}
