//! A whole cluster saved to IndexedDB, every in-memory object dropped, and the
//! cluster restarted from the database: same stored state (hash), then the
//! same offsets, leaders and committed offsets.

use kafkaplay_cluster::sim::persist::stored_hash;
use kafkaplay_storage_idb::Playground;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::common::{busy_cluster, settle, summary};

#[wasm_bindgen_test]
async fn a_reloaded_cluster_is_the_one_that_was_saved() {
    let name = "test-cluster-reload";
    let mut pg = crate::fresh(name).await;
    let mut sim = busy_cluster(21, 3, 150, true);
    let first = pg.commit(Some(&sim)).await.expect("first commit");
    assert!(first.bytes > 40_000, "{first:?}");
    // More records and a second commit: only the appended bytes go out.
    let producer = sim.add_producer(Default::default());
    for i in 0..30u32 {
        sim.send_record(
            producer,
            kafkaplay_cluster::producer::ProducerRecord {
                topic: "t".into(),
                partition: Some((i % 3) as i32),
                key: None,
                value: Some(vec![1; 100]),
                headers: Vec::new(),
            },
        );
    }
    sim.run_for(40_000);
    settle(&mut sim);
    pg.kv_set("shell.history", b"kafka-console-producer.sh --topic t\n");
    let second = pg.commit(Some(&sim)).await.expect("second commit");
    assert!(
        second.bytes < first.bytes / 2,
        "appends only: {second:?} after {first:?}"
    );
    let persisted = sim.persisted();
    let hash = persisted.hash();
    drop(persisted);
    let before = summary(&sim);
    let (now, seed) = (sim.now(), sim.seed());
    drop(sim);
    pg.close();

    let mut pg = Playground::open(name).await.expect("reopen");
    assert!(pg.has_cluster());
    assert_eq!(
        pg.kv_get("shell.history"),
        Some(&b"kafka-console-producer.sh --topic t\n"[..])
    );
    let data = pg.export().await.expect("export");
    let files = data
        .files
        .iter()
        .map(|(p, s)| (p.strip_prefix("c/").unwrap().to_string(), s.clone()))
        .collect();
    assert_eq!(
        stored_hash(data.cluster.as_ref().unwrap(), &files),
        hash,
        "the database holds the saved state"
    );
    let (mut restored, report) = pg.restore_cluster().expect("restore").expect("a cluster");
    assert_eq!((restored.now(), restored.seed()), (now, seed));
    assert_eq!(report.truncated_bytes, 0);
    assert!(report.orphan_files.is_empty());
    settle(&mut restored);
    restored.run_for(310_000); // leader.imbalance.check.interval.ms: leaders return to the preferred replicas
    settle(&mut restored);
    assert_eq!(summary(&restored), before);

    // The restored cluster goes on saving incrementally into the same database.
    let third = pg.commit(Some(&restored)).await.expect("commit after restore");
    assert!(third.bytes < first.bytes, "{third:?}");
    pg.close();
    let mut pg = Playground::open(name).await.unwrap();
    let (mut again, _) = pg.restore_cluster().unwrap().unwrap();
    settle(&mut again);
    assert_eq!(
        crate::common::log_ends(&again, 3),
        crate::common::log_ends(&restored, 3)
    );
}
