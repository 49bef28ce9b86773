//! A commit paced over frames (`Pace`): a large write goes out a frame's
//! allowance at a time in one transaction, stores exactly what an unpaced
//! commit stores, and stores nothing when the cluster rewrote a segment it
//! was still writing.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use kafkaplay_cluster::protocol::{AdminRequest, AdminResponse};
use kafkaplay_cluster::sim::persist::stored_hash;
use kafkaplay_cluster::Simulation;
use kafkaplay_storage_idb::{ErrorKind, Pace, Playground};
use wasm_bindgen_test::wasm_bindgen_test;

use crate::common::busy_cluster;

/// A pace of `per_frame` bytes over the shared cluster, and a loop that
/// refills it every 5 ms (the page's frames) until `stop` is set.
fn pace_over(sim: &Rc<RefCell<Simulation>>, per_frame: usize, stop: &Rc<Cell<bool>>) -> Pace {
    let lent = sim.clone();
    let pace = Pace::new(per_frame, move |f| match lent.try_borrow() {
        Ok(sim) => {
            f(&sim);
            true
        }
        Err(_) => false,
    });
    let (frames, stop) = (pace.clone(), stop.clone());
    wasm_bindgen_futures::spawn_local(async move {
        while !stop.get() {
            frames.refill();
            crate::sleep(5).await;
        }
    });
    pace
}

/// 60 more records on `t`'s three partitions, then long enough for the
/// brokers' page-cache flush: every replica has bytes to save.
fn more_flushed_records(sim: &mut Simulation, byte: u8) {
    let producer = sim.add_producer(Default::default());
    for i in 0..60u32 {
        sim.send_record(
            producer,
            kafkaplay_cluster::producer::ProducerRecord {
                topic: "t".into(),
                partition: Some((i % 3) as i32),
                key: None,
                value: Some(vec![byte; 100]),
                headers: Vec::new(),
            },
        );
    }
    sim.run_for(45_000);
}

/// What the database holds, hashed as the cluster's own `persisted().hash()`.
async fn stored(name: &str) -> u64 {
    let pg = Playground::open(name).await.expect("reopen");
    let data = pg.export().await.expect("export");
    let files = data
        .files
        .iter()
        .map(|(p, s)| (p.strip_prefix("c/").unwrap().to_string(), s.clone()))
        .collect();
    let hash = stored_hash(data.cluster.as_ref().expect("a cluster"), &files);
    pg.close();
    hash
}

#[wasm_bindgen_test]
async fn a_paced_commit_spreads_its_writes_over_frames_and_stores_the_same_state() {
    let name = "test-paced-commit";
    let mut pg = crate::fresh(name).await;
    let sim = Rc::new(RefCell::new(busy_cluster(41, 3, 300, false)));
    let stop = Rc::new(Cell::new(false));
    let pace = pace_over(&sim, 2_000, &stop);
    let pending = pg.begin_commit(Some(&sim.borrow()), Some(&pace)).expect("begin");
    let stats = pg.finish_commit(pending).await.expect("a paced commit");
    stop.set(true);
    let hash = sim.borrow().persisted().hash();
    // 300 records of 100 bytes on 3 replicas of 3 partitions: well over
    // 2,000 bytes a frame, so the writes waited for later frames.
    assert!(stats.bytes > 90_000, "{stats:?}");
    assert!(stats.waits > 10, "spread over frames: {stats:?}");
    pg.close();
    assert_eq!(stored(name).await, hash, "the database holds the saved state");

    // Unpaced, the same cluster stores the same state.
    let other = "test-paced-commit-unpaced";
    let mut pg = crate::fresh(other).await;
    pg.commit(Some(&sim.borrow())).await.expect("an unpaced commit");
    pg.close();
    assert_eq!(stored(other).await, hash);
}

#[wasm_bindgen_test]
async fn a_segment_deleted_while_a_paced_commit_writes_it_leaves_the_last_commit() {
    let name = "test-paced-superseded";
    let mut pg = crate::fresh(name).await;
    let sim = Rc::new(RefCell::new(busy_cluster(42, 3, 40, false)));
    pg.commit(Some(&sim.borrow())).await.expect("first commit");
    let first = sim.borrow().persisted().hash();
    let first_now = sim.borrow().now();
    more_flushed_records(&mut sim.borrow_mut(), 3);
    // Nothing refills the allowance: the first write goes out, the rest wait.
    let stop = Rc::new(Cell::new(true));
    let pace = pace_over(&sim, 1, &stop);
    let pending = pg.begin_commit(Some(&sim.borrow()), Some(&pace)).expect("begin");
    {
        // Meanwhile the topic is deleted: its segments go.
        let mut s = sim.borrow_mut();
        let deleted = s.admin_and_wait(AdminRequest::DeleteTopic { name: "t".into() }, 30_000);
        assert!(
            matches!(deleted, Some(AdminResponse::DeleteTopic(Ok(())))),
            "{deleted:?}"
        );
        s.run_for(5_000);
    }
    pace.refill();
    let err = pg.finish_commit(pending).await.expect_err("superseded");
    assert_eq!(err.kind, ErrorKind::Superseded, "{err:?}");
    pg.close();
    assert_eq!(stored(name).await, first, "the last complete commit");

    // The next commit writes the cluster as it is now.
    let mut pg = Playground::open(name).await.unwrap();
    let (restored, _) = pg.restore_cluster().unwrap().unwrap();
    assert_eq!(restored.now(), first_now);
    pg.commit(Some(&sim.borrow())).await.expect("the next commit");
    let now = sim.borrow().persisted().hash();
    pg.close();
    assert_eq!(stored(name).await, now);
}

#[wasm_bindgen_test]
async fn a_hurried_paced_commit_finishes_without_frames() {
    // A page being hidden gets no frames: `hurry` lets the rest go at once.
    let name = "test-paced-hurry";
    let mut pg = crate::fresh(name).await;
    let sim = Rc::new(RefCell::new(busy_cluster(43, 3, 300, false)));
    let stop = Rc::new(Cell::new(true)); // nothing refills
    let pace = pace_over(&sim, 1_000, &stop);
    let pending = pg.begin_commit(Some(&sim.borrow()), Some(&pace)).expect("begin");
    pace.hurry();
    let stats = pg.finish_commit(pending).await.expect("finished");
    assert!(stats.bytes > 90_000, "{stats:?}");
    let hash = sim.borrow().persisted().hash();
    pg.close();
    assert_eq!(stored(name).await, hash);
}

#[wasm_bindgen_test]
async fn a_paced_commit_dropped_halfway_stores_nothing_of_it() {
    let name = "test-paced-dropped";
    let mut pg = crate::fresh(name).await;
    let sim = Rc::new(RefCell::new(busy_cluster(44, 3, 40, false)));
    pg.commit(Some(&sim.borrow())).await.expect("first commit");
    let first = sim.borrow().persisted().hash();
    more_flushed_records(&mut sim.borrow_mut(), 4);
    let stop = Rc::new(Cell::new(true)); // nothing refills: the writes wait
    let pace = pace_over(&sim, 1, &stop);
    let pending = pg.begin_commit(Some(&sim.borrow()), Some(&pace)).expect("begin");
    crate::sleep(20).await;
    drop(pending);
    crate::sleep(20).await;
    pg.close();
    assert_eq!(
        stored(name).await,
        first,
        "the last complete commit, nothing of the dropped one"
    );
}
