//! The virtual filesystem: files the learner writes (`> file`, heredocs) and
//! views of the simulation (`/etc/kafka/server.properties`, log directories).

use std::collections::BTreeMap;

/// Regular files by absolute path.
#[derive(Debug, Clone, Default)]
pub struct Fs {
    files: BTreeMap<String, Vec<u8>>,
}

impl Fs {
    pub fn read(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    pub fn write(&mut self, path: &str, bytes: Vec<u8>) {
        self.files.insert(path.to_string(), bytes);
    }
}
