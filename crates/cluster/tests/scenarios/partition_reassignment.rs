//! KIP-455 partition reassignment: a partition moves from brokers [1, 2] to
//! [2, 3]. Meanwhile its replicas are the union, with 3 adding and 1 removing;
//! once 3 is in the ISR the controller completes the move, leadership leaves
//! the removed broker, broker 1 deletes its replica and 3 holds the same log.

use kafkaplay_cluster::error::KafkaError;
use kafkaplay_cluster::invariants::InvariantChecker;
use kafkaplay_cluster::protocol::{AdminRequest, AdminResponse, AdminResult, OngoingReassignment};
use kafkaplay_cluster::{ClusterConfig, Fault, NodeId, Simulation, TopicPartition};

use crate::support::*;

fn create_assigned(sim: &mut Simulation, name: &str, assignment: Vec<Vec<NodeId>>) {
    let request = AdminRequest::CreateTopic {
        name: name.to_string(),
        partitions: -1,
        replication_factor: -1,
        assignment: Some(assignment),
        configs: Vec::new(),
        validate_only: false,
    };
    match sim.admin_and_wait(request, 30_000) {
        Some(AdminResponse::CreateTopic(Ok(_))) => sim.run_for(3_000),
        other => panic!("seed {}: create {name}: {other:?}", sim.seed()),
    }
}

fn reassign(
    sim: &mut Simulation,
    reassignments: Vec<(TopicPartition, Option<Vec<NodeId>>)>,
) -> Vec<(TopicPartition, AdminResult)> {
    match sim.admin_and_wait(AdminRequest::AlterPartitionReassignments { reassignments }, 30_000) {
        Some(AdminResponse::AlterPartitionReassignments(r)) => r,
        other => panic!("seed {}: reassign: {other:?}", sim.seed()),
    }
}

fn ongoing(sim: &mut Simulation) -> Vec<OngoingReassignment> {
    match sim.admin_and_wait(AdminRequest::ListPartitionReassignments { partitions: None }, 30_000) {
        Some(AdminResponse::ListPartitionReassignments(Ok(r))) => r,
        other => panic!("seed {}: list: {other:?}", sim.seed()),
    }
}

/// Every record (offset, value) a broker's replica holds.
fn replica_records(sim: &Simulation, broker: NodeId, tp: &TopicPartition) -> Vec<(i64, Option<Vec<u8>>)> {
    let log = sim.broker(broker).and_then(|b| b.log(tp)).expect("a replica");
    log.batches()
        .flat_map(|(_, batch)| batch.records().expect("stored batch decodes"))
        .map(|r| (r.offset, r.value))
        .collect()
}

scenario! {
    fn reassignment_moves_a_partition_off_its_leader() {
        let mut sim = cluster(ClusterConfig::new(3, 1), 7);
        let mut checker = InvariantChecker::new();
        create_assigned(&mut sim, "t", vec![vec![1, 2]]);
        let tp = TopicPartition::new("t", 0);
        assert_eq!(partition(&sim, "t", 0).leader, 1);
        let p = producer(&mut sim, -1);
        let mut values = Vec::new();
        for i in 0..30 {
            let v = format!("v{i}");
            let id = send(&mut sim, p, "t", Some(0), None, &v);
            values.push((id, v.into_bytes()));
        }
        run_checked(&mut sim, &mut checker, 3_000);

        let results = reassign(&mut sim, vec![(tp.clone(), Some(vec![2, 3]))]);
        assert_eq!(results, vec![(tp.clone(), Ok(()))]);
        // Answered once the records commit: broker 3 has not caught up yet.
        let mid = sim.metadata().unwrap().partition(&tp).unwrap().clone();
        assert_eq!(mid.replicas, vec![2, 3, 1], "target first, then the replicas being removed");
        assert_eq!(mid.adding_replicas, vec![3]);
        assert_eq!(mid.removing_replicas, vec![1]);
        assert_eq!(mid.leader, 1, "the leader stays until the move completes");
        assert_eq!(
            ongoing(&mut sim),
            vec![OngoingReassignment { tp: tp.clone(), replicas: vec![2, 3, 1], adding: vec![3], removing: vec![1] }]
        );

        run_checked(&mut sim, &mut checker, 10_000);
        let done = sim.metadata().unwrap().partition(&tp).unwrap().clone();
        assert_eq!(done.replicas, vec![2, 3]);
        assert!(done.adding_replicas.is_empty() && done.removing_replicas.is_empty());
        assert_eq!(done.leader, 2, "leadership left the removed broker for the first target replica");
        assert!(done.leader_epoch > mid.leader_epoch);
        let mut isr = done.isr.clone();
        isr.sort_unstable();
        assert_eq!(isr, vec![2, 3]);
        assert!(ongoing(&mut sim).is_empty());
        assert!(sim.broker(1).unwrap().replica_info(&tp).is_none(), "broker 1 deleted its replica");
        assert_eq!(sim.broker(3).unwrap().replica_info(&tp).unwrap().role, "follower");

        let on_2 = replica_records(&sim, 2, &tp);
        assert_eq!(on_2.len(), 30);
        assert_eq!(replica_records(&sim, 3, &tp), on_2, "the new replica holds the same log");
        let report = check_history(&sim, &values, &["t"]);
        assert!(report.is_clean(), "seed 7: {report}");
        assert_eq!(report.acked, 30);

        // Nothing left to cancel.
        let results = reassign(&mut sim, vec![(tp.clone(), None)]);
        assert_eq!(
            results,
            vec![(tp.clone(), Err((KafkaError::NoReassignmentInProgress, "No partition reassignment is in progress.".to_string())))]
        );
    }
}

scenario! {
    fn reassignment_is_cancelled_back_to_the_original_replicas() {
        let mut sim = cluster(ClusterConfig::new(3, 1), 8);
        create_assigned(&mut sim, "t", vec![vec![1, 2]]);
        let tp = TopicPartition::new("t", 0);
        // Broker 3 cannot catch up while it is paused.
        sim.apply_fault(Fault::Pause(3));
        let results = reassign(&mut sim, vec![(tp.clone(), Some(vec![1, 3]))]);
        assert_eq!(results, vec![(tp.clone(), Ok(()))]);
        sim.run_for(2_000);
        let mid = sim.metadata().unwrap().partition(&tp).unwrap().clone();
        assert_eq!((mid.replicas.clone(), mid.adding_replicas.clone(), mid.removing_replicas.clone()), (vec![1, 3, 2], vec![3], vec![2]));

        let results = reassign(&mut sim, vec![(tp.clone(), None)]);
        assert_eq!(results, vec![(tp.clone(), Ok(()))]);
        let back = sim.metadata().unwrap().partition(&tp).unwrap().clone();
        assert_eq!(back.replicas, vec![1, 2], "the adding replica is dropped, the removing one kept");
        assert!(back.adding_replicas.is_empty() && back.removing_replicas.is_empty());
        assert_eq!(back.leader, 1);
        sim.apply_fault(Fault::Resume(3));
        sim.run_for(5_000);
        assert!(sim.broker(3).unwrap().replica_info(&tp).is_none(), "broker 3 dropped the replica it had started");
        assert!(ongoing(&mut sim).is_empty());
    }
}

scenario! {
    fn reassignment_errors_are_kafkas() {
        let mut sim = cluster(ClusterConfig::new(3, 1), 9);
        create_assigned(&mut sim, "t", vec![vec![1, 2]]);
        let t0 = TopicPartition::new("t", 0);
        let t5 = TopicPartition::new("t", 5);
        let nope = TopicPartition::new("nope", 0);
        let results = reassign(
            &mut sim,
            vec![
                (t0.clone(), Some(vec![2, 2])),
                (t0.clone(), Some(vec![2, 9])),
                (t0.clone(), Some(vec![])),
                (t5.clone(), Some(vec![1])),
                (nope.clone(), Some(vec![1])),
            ],
        );
        let invalid = |m: &str| Err((KafkaError::InvalidReplicaAssignment, m.to_string()));
        assert_eq!(
            results,
            vec![
                (t0.clone(), invalid("The manual partition assignment includes the broker 2 more than once.")),
                (t0.clone(), invalid("The manual partition assignment includes broker 9, but no such broker is registered.")),
                (t0.clone(), invalid("The manual partition assignment includes an empty replica list.")),
                (t5, Err((KafkaError::UnknownTopicOrPartition, "Unable to find partition t:5.".to_string()))),
                (nope, Err((KafkaError::UnknownTopicOrPartition, "Unable to find a topic named nope.".to_string()))),
            ]
        );
        let p = sim.metadata().unwrap().partition(&t0).unwrap().clone();
        assert_eq!((p.replicas, p.adding_replicas.len()), (vec![1, 2], 0), "nothing changed");

        // Only removing a replica completes at once.
        let results = reassign(&mut sim, vec![(t0.clone(), Some(vec![2]))]);
        assert_eq!(results, vec![(t0.clone(), Ok(()))]);
        let p = sim.metadata().unwrap().partition(&t0).unwrap().clone();
        assert_eq!((p.replicas.clone(), p.isr.clone(), p.leader), (vec![2], vec![2], 2));
        assert!(!p.is_reassigning());
    }
}
