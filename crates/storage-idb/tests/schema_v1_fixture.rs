//! The committed fixture of schema-1 data (`tests/fixtures/schema-v1/`) still
//! restores natively: its cluster image and segments decode and recover. The
//! browser test `schema_v1_database_upgrades_and_loads` writes the same records
//! into a real schema-1 IndexedDB database and opens it with this build.
//!
//! `KAFKAPLAY_WRITE_FIXTURES=1 cargo test -p kafkaplay-storage-idb --test
//! schema_v1_fixture` regenerates it; do that only for a new schema version,
//! never to make this test pass.
#![cfg(not(target_arch = "wasm32"))]

#[allow(dead_code)]
mod common;

use kafkaplay_flatmap::FlatMap;
use std::path::PathBuf;

use kafkaplay_cluster::Simulation;
use kafkaplay_storage_idb::PlaygroundData;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema-v1")
}

fn expected_text(sim: &Simulation) -> String {
    common::log_ends(sim, 2)
        .iter()
        .map(|(k, v)| format!("{k} {v}\n"))
        .collect()
}

#[test]
fn schema_v1_fixture_restores() {
    if std::env::var("KAFKAPLAY_WRITE_FIXTURES").is_ok_and(|v| v == "1") {
        let sim = common::busy_cluster(11, 2, 40, true);
        let persisted = sim.persisted();
        let data = PlaygroundData {
            cluster: Some(persisted.meta.clone()),
            files: common::stored_files(&persisted)
                .into_iter()
                .map(|(p, s)| (format!("c/{p}"), s))
                .collect(),
            kv: FlatMap::from([("shell.history".to_string(), b"kafka-topics.sh --list\n".to_vec())]),
        };
        std::fs::create_dir_all(dir()).unwrap();
        std::fs::write(dir().join("records.bin"), data.to_bytes()).unwrap();
        let (mut restored, _) = Simulation::restore(&persisted.meta, common::stored_files(&persisted)).unwrap();
        common::settle(&mut restored);
        std::fs::write(dir().join("expected.txt"), expected_text(&restored)).unwrap();
    }
    let bytes = std::fs::read(dir().join("records.bin")).expect("the committed fixture");
    let data = PlaygroundData::from_bytes(&bytes).expect("the fixture decodes");
    let files = data
        .files
        .iter()
        .map(|(p, s)| (p.strip_prefix("c/").unwrap().to_string(), s.clone()))
        .collect();
    let (mut sim, report) = Simulation::restore(data.cluster.as_ref().unwrap(), files).expect("restores");
    assert_eq!(report.truncated_bytes, 0);
    common::settle(&mut sim);
    let expected = std::fs::read_to_string(dir().join("expected.txt")).unwrap();
    assert_eq!(expected_text(&sim), expected);
    assert!(expected.contains("1 t-0 20"), "{expected}");
}
