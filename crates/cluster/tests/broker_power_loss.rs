//! Disk: flushed data survives a power loss, unflushed data does not, `kill -9`
//! keeps the page cache, a clean shutdown flushes; recovery reports itself and
//! restores the high watermark from its checkpoint.

mod broker_harness;

use broker_harness::*;
use kafkaplay_cluster::trace::Observation;
use kafkaplay_cluster::TopicPartition;

fn setup() -> (Harness, TopicPartition) {
    let mut h = Harness::new(1);
    let tp = TopicPartition::new("t", 0);
    h.create_topic("t", &[&[1]], &[]);
    for i in 0..3 {
        h.produce_and_wait(1, -1, &tp, batch(&format!("old{i}"), 1), 1_000);
    }
    // page_cache_flush_interval_ms (30 s) and a HW checkpoint (5 s) pass.
    h.run_for(31_000);
    for i in 0..2 {
        h.produce_and_wait(1, -1, &tp, batch(&format!("young{i}"), 1), 1_000);
    }
    assert_eq!(h.info(1, &tp).log_end_offset, 5);
    (h, tp)
}

#[test]
fn power_loss_loses_only_unflushed_data_and_recovery_reports_it() {
    let (mut h, tp) = setup();
    let unflushed = h.broker(1).log(&tp).unwrap().store().unflushed_bytes();
    assert!(unflushed > 0);
    h.power_loss(1);
    assert_eq!(
        h.disks[&1].high_watermark_checkpoint(&tp),
        Some(3),
        "the checkpoint written before the young records"
    );
    let before = h.observations.len();
    h.start(1);
    let recovered: Vec<_> = h.observations[before..].iter().map(|(_, _, o)| o.clone()).collect();
    assert!(
        recovered.iter().any(|o| matches!(
            o,
            Observation::LogRecovered {
                broker: 1,
                partitions: 1,
                ..
            }
        )),
        "{recovered:?}"
    );
    let info = h.broker(1).replica_info(&tp).unwrap();
    assert_eq!(
        info.log_end_offset, 3,
        "the two young records were only in the page cache"
    );
    assert_eq!(info.high_watermark, 3, "restored from the checkpoint");
    assert_eq!(values(&h, 1, &tp).last().unwrap().1, "old2-0");
    // It registers again and leads again.
    assert!(h.run_until(10_000, |h| h
        .broker(1)
        .replica_info(&tp)
        .is_some_and(|i| i.role == "leader")));
    let r = h.produce_and_wait(1, -1, &tp, batch("after", 1), 1_000);
    assert_eq!(r.partitions[0].base_offset, 3);
}

#[test]
fn kill_keeps_what_the_page_cache_holds() {
    let (mut h, tp) = setup();
    h.kill(1);
    h.start(1);
    assert_eq!(h.info(1, &tp).log_end_offset, 5);
    assert_eq!(
        h.info(1, &tp).high_watermark,
        3,
        "HW from the last checkpoint, not the live one"
    );
}

#[test]
fn clean_shutdown_flushes_everything() {
    use kafkaplay_cluster::sim::Ctx;
    let (mut h, tp) = setup();
    // Nothing leads elsewhere in a one-broker cluster: move leadership away
    // first, as the controller would, so that it may shut down.
    h.change_partition(&tp, Some(-1), None);
    h.settle();
    let mut effects = Vec::new();
    let mut rng = oorandom::Rand64::new(1);
    let now = h.now;
    h.brokers
        .get_mut(&1)
        .unwrap()
        .begin_controlled_shutdown(&mut Ctx::new(now, 1, &mut rng, &mut effects));
    for e in effects {
        if let kafkaplay_cluster::sim::Effect::Send(to, m) = e {
            h.send(1, to, m);
        }
    }
    assert!(h.run_until(10_000, |h| !h.brokers.contains_key(&1)), "never shut down");
    assert_eq!(h.disks[&1].store(&tp).unwrap().unflushed_bytes(), 0);
    h.disks.get_mut(&1).unwrap().power_loss();
    h.start(1);
    assert_eq!(h.info(1, &tp).log_end_offset, 5);
    assert_eq!(h.info(1, &tp).high_watermark, 5, "checkpointed at shutdown");
}
