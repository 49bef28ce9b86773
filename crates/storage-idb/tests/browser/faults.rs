//! Commits that fail: an abort mid-transaction and a full quota leave the last
//! complete commit, never a torn one; the in-memory side goes on.

use kafkaplay_cluster::sim::persist::stored_hash;
use kafkaplay_log::{SegmentStore, StoredSegment};
use kafkaplay_storage_idb::{CommitFault, ErrorKind, Playground, QUOTA_MESSAGE};
use wasm_bindgen_test::wasm_bindgen_test;

use crate::common::busy_cluster;

async fn stored(name: &str, log: &str) -> Vec<StoredSegment> {
    let mut pg = Playground::open(name).await.unwrap();
    let s = pg.store(log).load().unwrap();
    pg.close();
    s
}

#[wasm_bindgen_test]
async fn a_commit_aborted_midway_leaves_the_last_complete_commit() {
    let name = "test-abort";
    let mut pg = crate::fresh(name).await;
    let mut a = pg.store("a");
    let mut b = pg.store("b");
    for s in [&mut a, &mut b] {
        s.create(0).unwrap();
        s.append(0, b"first").unwrap();
        s.flush().unwrap();
    }
    pg.commit(None).await.unwrap();
    // Second flush: an append to both logs and a rewrite (truncation) of one.
    a.append(0, b"-second").unwrap();
    a.create(100).unwrap();
    a.append(100, b"new segment").unwrap();
    b.truncate(0, 2).unwrap();
    b.append(0, b"XY").unwrap();
    a.flush().unwrap();
    b.flush().unwrap();
    for after_ops in 1..4 {
        pg.inject_fault(CommitFault::Abort { after_ops });
        let err = pg.commit(None).await.expect_err("the injected abort");
        assert_eq!(err.kind, ErrorKind::Aborted, "{err}");
        // Reading in another connection: the first commit, whole.
        assert_eq!(
            stored(name, "a").await,
            vec![StoredSegment {
                base_offset: 0,
                bytes: b"first".to_vec()
            }]
        );
        assert_eq!(
            stored(name, "b").await,
            vec![StoredSegment {
                base_offset: 0,
                bytes: b"first".to_vec()
            }]
        );
    }
    // Nothing was lost in memory: the next commit writes all of it.
    pg.commit(None).await.unwrap();
    pg.close();
    assert_eq!(
        stored(name, "a").await,
        vec![
            StoredSegment {
                base_offset: 0,
                bytes: b"first-second".to_vec()
            },
            StoredSegment {
                base_offset: 100,
                bytes: b"new segment".to_vec()
            },
        ]
    );
    assert_eq!(
        stored(name, "b").await,
        vec![StoredSegment {
            base_offset: 0,
            bytes: b"fiXY".to_vec()
        }]
    );
}

#[wasm_bindgen_test]
async fn a_full_quota_gives_the_message_and_the_cluster_runs_on() {
    let name = "test-quota";
    let mut pg = crate::fresh(name).await;
    let mut sim = busy_cluster(31, 2, 60, false);
    pg.commit(Some(&sim)).await.unwrap();
    let saved = sim.persisted();
    let saved_hash = saved.hash();
    drop(saved);
    sim.run_for(45_000); // the clock and the metadata log move on
    pg.inject_fault(CommitFault::Quota { after_ops: 1 });
    let err = pg.commit(Some(&sim)).await.expect_err("quota");
    assert!(err.is_quota(), "{err:?}");
    assert_eq!(err.to_string(), QUOTA_MESSAGE);
    // The cluster keeps running in memory.
    let before = sim.now();
    sim.run_for(10_000);
    assert!(sim.now() > before && sim.metadata().is_some());
    // What was stored is the earlier commit, intact.
    let other = Playground::open(name).await.unwrap();
    let data = other.export().await.unwrap();
    other.close();
    let files = data
        .files
        .iter()
        .map(|(p, s)| (p[2..].to_string(), s.clone()))
        .collect();
    assert_eq!(stored_hash(data.cluster.as_ref().unwrap(), &files), saved_hash);
    // When space is back, saving resumes.
    pg.commit(Some(&sim)).await.expect("commit after the quota error");
    pg.close();
    let mut pg = Playground::open(name).await.unwrap();
    let (restored, _) = pg.restore_cluster().unwrap().unwrap();
    assert_eq!(restored.now(), sim.now());
}

#[wasm_bindgen_test]
async fn a_cluster_commit_aborted_midway_restores_the_previous_one() {
    let name = "test-cluster-abort";
    let mut pg = crate::fresh(name).await;
    let mut sim = busy_cluster(32, 2, 40, false);
    pg.commit(Some(&sim)).await.unwrap();
    let first_now = sim.now();
    let producer = sim.add_producer(Default::default());
    for i in 0..20u32 {
        sim.send_record(
            producer,
            kafkaplay_cluster::producer::ProducerRecord {
                topic: "t".into(),
                partition: Some((i % 2) as i32),
                key: None,
                value: Some(vec![2; 100]),
                headers: Vec::new(),
            },
        );
    }
    sim.run_for(45_000); // flushed: six replicas have new bytes to save
    pg.inject_fault(CommitFault::Abort { after_ops: 3 });
    let err = pg.commit(Some(&sim)).await.expect_err("aborted after 3 of the writes");
    assert_eq!(err.kind, ErrorKind::Aborted);
    pg.close();
    let mut pg = Playground::open(name).await.unwrap();
    let (restored, report) = pg.restore_cluster().unwrap().unwrap();
    assert_eq!(restored.now(), first_now, "the clock of the last complete commit");
    assert_eq!(report.truncated_bytes, 0, "nothing torn");
}

#[wasm_bindgen_test]
async fn a_torn_tail_in_the_database_is_cut_by_recovery_and_reported() {
    let name = "test-torn-tail";
    let mut pg = crate::fresh(name).await;
    let sim = busy_cluster(33, 2, 40, false);
    pg.commit(Some(&sim)).await.unwrap();
    let leader = sim
        .metadata()
        .unwrap()
        .partitions()
        .find(|(tp, _)| tp.topic == "t")
        .map(|(tp, p)| (tp, p.leader))
        .unwrap();
    let follower = [1, 2, 3].into_iter().find(|b| *b != leader.1).unwrap();
    let path = format!("c/{follower}/{}-{}", leader.0.topic, leader.0.partition);
    let persisted = sim.persisted();
    let file = persisted
        .files
        .iter()
        .find(|f| format!("c/{}", f.path()) == path)
        .unwrap();
    let last = file.segments.last().unwrap().base_offset;
    let chunks = 1; // the first commit wrote each segment as chunk 0
    drop(persisted);
    pg.close();
    // Half a batch header after the last good batch: a write cut short.
    testing_put(name, &path, last, chunks, &[0, 0, 0, 0, 0, 0, 0, 40, 0, 0, 0, 9, 0]).await;
    let mut pg = Playground::open(name).await.unwrap();
    let (mut restored, report) = pg.restore_cluster().unwrap().unwrap();
    assert_eq!(report.truncated_bytes, 13, "{report:?}");
    crate::common::settle(&mut restored);
    let leo = |b| {
        restored
            .broker(b)
            .and_then(|x| x.replica_info(&leader.0))
            .map(|i| i.log_end_offset)
    };
    assert_eq!(leo(follower), leo(leader.1));
    // The next commit replaces the torn segment; then it loads clean.
    pg.commit(Some(&restored)).await.unwrap();
    pg.close();
    let mut pg = Playground::open(name).await.unwrap();
    let (_, report) = pg.restore_cluster().unwrap().unwrap();
    assert_eq!(report.truncated_bytes, 0, "{report:?}");
}

#[wasm_bindgen_test]
async fn a_gap_in_a_segments_chunks_is_reported_and_repaired() {
    let name = "test-chunk-gap";
    let mut pg = crate::fresh(name).await;
    let mut s = pg.store("log");
    s.create(0).unwrap();
    s.append(0, b"abc").unwrap();
    s.flush().unwrap();
    pg.commit(None).await.unwrap();
    pg.close();
    testing_put(name, "s/log", 0, 5, b"stray").await;
    let mut pg = Playground::open(name).await.unwrap();
    assert_eq!(pg.open_report().damaged_files, vec!["s/log".to_string()]);
    assert_eq!(
        pg.store("log").load().unwrap()[0].bytes,
        b"abc",
        "the bytes before the gap"
    );
    pg.commit(None).await.unwrap();
    pg.close();
    let mut pg = Playground::open(name).await.unwrap();
    assert!(
        pg.open_report().damaged_files.is_empty(),
        "the commit rewrote the segment"
    );
    assert_eq!(pg.store("log").load().unwrap()[0].bytes, b"abc");
    pg.close();
}

async fn testing_put(name: &str, path: &str, base: i64, chunk: u32, bytes: &[u8]) {
    kafkaplay_storage_idb::testing::put_chunk(name, path, base, chunk, bytes)
        .await
        .unwrap();
}
