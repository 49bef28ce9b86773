//! Partition leader election and ISR changes: Kafka's `PartitionChangeBuilder`
//! (`metadata/.../controller/PartitionChangeBuilder.java`), as pure functions.
//!
//! Given a partition, the ISR it should have and which brokers may lead, the
//! builder says what a `PartitionChange` record must set, or `None` when nothing
//! changes:
//! - a clean election picks the first replica, in assignment order, that is in
//!   the target ISR and acceptable (unfenced, not in controlled shutdown); the
//!   current leader stays if it still qualifies;
//! - a preferred election picks the first replica if it qualifies;
//! - an unclean election (when clean fails and the topic allows it) picks the
//!   first acceptable replica and sets the ISR to just that leader;
//! - with no candidate the leader becomes -1 (`none`);
//! - the ISR is never written empty: when removing a broker would empty it,
//!   the last member stays (Kafka without ELR, KIP-966).
//!
//! - a reassignment (KIP-455) completes once every target replica is in the
//!   target ISR (`PartitionReassignmentReplicas.maybeCompleteReassignment`):
//!   the removing replicas leave the replicas and the ISR, adding/removing are
//!   cleared, and the leader is elected among the target replicas.
//!
//! Not here: ELR.

use crate::metadata::PartitionRegistration;
use crate::types::{NodeId, NO_NODE};

/// The kind of election to try (`PartitionChangeBuilder.Election`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Election {
    /// Move leadership to the first replica if it is eligible.
    Preferred,
    /// Only ISR members may lead.
    Clean,
    /// Clean first; failing that, any acceptable replica.
    Unclean,
}

/// What a `PartitionChange` record should set.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Change {
    /// `Some` when the leader changes (`Some(-1)`: no leader).
    pub leader: Option<NodeId>,
    /// `Some` when the ISR changes.
    pub isr: Option<Vec<NodeId>>,
    /// The new leader came from outside the ISR.
    pub unclean: bool,
    /// `Some` when the replicas change (a reassignment starts, completes or is
    /// cancelled).
    pub replicas: Option<Vec<NodeId>>,
    /// `Some` when the reassignment's removing replicas change.
    pub removing: Option<Vec<NodeId>>,
    /// `Some` when the reassignment's adding replicas change.
    pub adding: Option<Vec<NodeId>>,
}

/// `PartitionReassignmentReplicas(current, target)`: the replicas while the
/// reassignment runs (the target, then the replicas being removed), and the
/// replicas removed and added, each in ascending order (Kafka's `TreeSet`).
pub fn reassignment_replicas(current: &[NodeId], target: &[NodeId]) -> (Vec<NodeId>, Vec<NodeId>, Vec<NodeId>) {
    let mut removing: Vec<NodeId> = current.iter().copied().filter(|r| !target.contains(r)).collect();
    let mut adding: Vec<NodeId> = target.iter().copied().filter(|r| !current.contains(r)).collect();
    removing.sort_unstable();
    removing.dedup();
    adding.sort_unstable();
    adding.dedup();
    let mut replicas = target.to_vec();
    replicas.extend(&removing);
    (replicas, removing, adding)
}

/// `maybeCompleteReassignment`: the replicas and ISR once the reassignment of
/// `replicas` (removing `removing`, adding `adding`) completes, or `None` while
/// a target replica is missing from `target_isr`.
pub fn complete_reassignment(
    replicas: &[NodeId],
    removing: &[NodeId],
    adding: &[NodeId],
    target_isr: &[NodeId],
) -> Option<(Vec<NodeId>, Vec<NodeId>)> {
    if removing.is_empty() && adding.is_empty() {
        return None;
    }
    let isr: Vec<NodeId> = target_isr.iter().copied().filter(|r| !removing.contains(r)).collect();
    let replicas: Vec<NodeId> = replicas.iter().copied().filter(|r| !removing.contains(r)).collect();
    if isr.is_empty() || replicas.is_empty() {
        return None;
    }
    replicas.iter().all(|r| isr.contains(r)).then_some((replicas, isr))
}

/// Kafka's `shouldTryElection`.
fn should_try_election(
    p: &PartitionRegistration,
    target_isr: &[NodeId],
    election: Election,
    acceptable: &dyn Fn(NodeId) -> bool,
) -> bool {
    if !target_isr.contains(&p.leader) {
        return true;
    }
    if election == Election::Preferred {
        return p.leader != p.preferred_leader();
    }
    !acceptable(p.leader)
}

/// Elects a leader; returns the leader (maybe -1) and whether it was unclean.
pub fn elect(
    p: &PartitionRegistration,
    target_isr: &[NodeId],
    election: Election,
    acceptable: &dyn Fn(NodeId) -> bool,
) -> (NodeId, bool) {
    let valid = |r: NodeId| r != NO_NODE && target_isr.contains(&r) && acceptable(r);
    if election == Election::Preferred {
        let preferred = p.preferred_leader();
        if valid(preferred) {
            return (preferred, false);
        }
        if valid(p.leader) {
            return (p.leader, false);
        }
        return (
            p.replicas
                .iter()
                .skip(1)
                .copied()
                .find(|&r| valid(r))
                .unwrap_or(NO_NODE),
            false,
        );
    }
    if valid(p.leader) {
        return (p.leader, false);
    }
    if let Some(r) = p.replicas.iter().copied().find(|&r| valid(r)) {
        return (r, false);
    }
    if election == Election::Unclean {
        if let Some(r) = p.replicas.iter().copied().find(|&r| acceptable(r)) {
            return (r, true);
        }
    }
    (NO_NODE, false)
}

/// `PartitionChangeBuilder.build`: the change that moves `p` to `target_isr`
/// with a leader chosen by `election`, or `None` when nothing changes. A
/// reassignment in progress completes when `target_isr` holds every target
/// replica.
pub fn build(
    p: &PartitionRegistration,
    target_isr: &[NodeId],
    election: Election,
    acceptable: &dyn Fn(NodeId) -> bool,
) -> Option<Change> {
    if p.is_reassigning() {
        if let Some((replicas, isr)) =
            complete_reassignment(&p.replicas, &p.removing_replicas, &p.adding_replicas, target_isr)
        {
            return Some(build_reassignment(p, &replicas, &isr, &[], &[], election, acceptable));
        }
    }
    build_plain(p, target_isr, election, acceptable)
}

/// A change that sets the replicas and the reassignment's adding and removing
/// lists, with the ISR and leader that follow (Kafka's builder with
/// `setTargetReplicas`, `setTargetRemoving`, `setTargetAdding`). The leader is
/// elected among `replicas` in their order.
pub fn build_reassignment(
    p: &PartitionRegistration,
    replicas: &[NodeId],
    target_isr: &[NodeId],
    removing: &[NodeId],
    adding: &[NodeId],
    election: Election,
    acceptable: &dyn Fn(NodeId) -> bool,
) -> Change {
    let target = PartitionRegistration {
        replicas: replicas.to_vec(),
        ..p.clone()
    };
    let mut change = build_plain(&target, target_isr, election, acceptable).unwrap_or_default();
    // `triggerLeaderEpochBumpForReplicaReassignmentIfNeeded`: a replica that
    // leaves the list must see a new leader epoch.
    if change.leader.is_none() && !p.replicas.iter().all(|r| replicas.contains(r)) {
        change.leader = Some(p.leader);
    }
    if replicas != p.replicas.as_slice() {
        change.replicas = Some(replicas.to_vec());
    }
    if removing != p.removing_replicas.as_slice() {
        change.removing = Some(removing.to_vec());
    }
    if adding != p.adding_replicas.as_slice() {
        change.adding = Some(adding.to_vec());
    }
    change
}

fn build_plain(
    p: &PartitionRegistration,
    target_isr: &[NodeId],
    election: Election,
    acceptable: &dyn Fn(NodeId) -> bool,
) -> Option<Change> {
    let mut change = Change::default();
    if should_try_election(p, target_isr, election, acceptable) {
        let (leader, unclean) = elect(p, target_isr, election, acceptable);
        if leader != p.leader {
            change.leader = Some(leader);
            if unclean {
                // Unclean: the ISR is forced to the new leader alone (data loss).
                change.isr = Some(vec![leader]);
                change.unclean = true;
            }
        }
    }
    if change.isr.is_none() && !target_isr.is_empty() && target_isr != p.isr.as_slice() {
        change.isr = Some(target_isr.to_vec());
    }
    (change.leader.is_some() || change.isr.is_some()).then_some(change)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Uuid;

    fn partition(replicas: &[NodeId], isr: &[NodeId], leader: NodeId) -> PartitionRegistration {
        PartitionRegistration {
            topic_id: Uuid(7),
            partition: 0,
            replicas: replicas.to_vec(),
            isr: isr.to_vec(),
            leader,
            leader_epoch: 0,
            partition_epoch: 0,
            adding_replicas: Vec::new(),
            removing_replicas: Vec::new(),
        }
    }

    fn alive(ids: &'static [NodeId]) -> impl Fn(NodeId) -> bool {
        move |r| ids.contains(&r)
    }

    #[test]
    fn clean_election_picks_first_isr_replica_in_assignment_order() {
        let p = partition(&[1, 2, 3], &[1, 2, 3], 1);
        // Broker 1 is fenced: it leaves the ISR, 2 (first in assignment order) leads.
        let c = build(&p, &[2, 3], Election::Clean, &alive(&[2, 3])).unwrap();
        assert_eq!(
            c,
            Change {
                leader: Some(2),
                isr: Some(vec![2, 3]),
                unclean: false,
                ..Change::default()
            }
        );
        // Assignment order, not ISR order.
        let p = partition(&[3, 2, 1], &[1, 2], 1);
        assert_eq!(
            build(&p, &[2], Election::Clean, &alive(&[2, 3])).unwrap().leader,
            Some(2)
        );
    }

    #[test]
    fn current_leader_stays_when_still_eligible() {
        let p = partition(&[1, 2, 3], &[1, 2, 3], 2);
        let c = build(&p, &[2, 3], Election::Clean, &alive(&[2, 3])).unwrap();
        assert_eq!(
            c,
            Change {
                leader: None,
                isr: Some(vec![2, 3]),
                unclean: false,
                ..Change::default()
            }
        );
    }

    #[test]
    fn last_isr_member_fenced_leaves_no_leader_and_keeps_isr() {
        let p = partition(&[1, 2], &[1], 1);
        let c = build(&p, &[], Election::Clean, &alive(&[2])).unwrap();
        assert_eq!(
            c,
            Change {
                leader: Some(NO_NODE),
                isr: None,
                unclean: false,
                ..Change::default()
            }
        );
    }

    #[test]
    fn unclean_election_picks_first_alive_replica_and_shrinks_isr() {
        let p = partition(&[1, 2, 3], &[1], NO_NODE);
        let c = build(&p, &[1], Election::Unclean, &alive(&[2, 3])).unwrap();
        assert_eq!(
            c,
            Change {
                leader: Some(2),
                isr: Some(vec![2]),
                unclean: true,
                ..Change::default()
            }
        );
        // Clean is still preferred when possible.
        let p = partition(&[1, 2, 3], &[1, 3], 1);
        let c = build(&p, &[3], Election::Unclean, &alive(&[2, 3])).unwrap();
        assert_eq!(
            c,
            Change {
                leader: Some(3),
                isr: Some(vec![3]),
                unclean: false,
                ..Change::default()
            }
        );
    }

    #[test]
    fn no_alive_replica_means_no_change_or_none() {
        let p = partition(&[1, 2], &[1], NO_NODE);
        assert_eq!(build(&p, &[1], Election::Unclean, &alive(&[])), None);
    }

    #[test]
    fn preferred_election_moves_leadership_back() {
        let p = partition(&[1, 2, 3], &[1, 2, 3], 2);
        assert_eq!(
            build(&p, &[1, 2, 3], Election::Preferred, &alive(&[1, 2, 3]))
                .unwrap()
                .leader,
            Some(1)
        );
        // Preferred replica not in ISR: nothing to do.
        let p = partition(&[1, 2, 3], &[2, 3], 2);
        assert_eq!(build(&p, &[2, 3], Election::Preferred, &alive(&[1, 2, 3])), None);
    }

    #[test]
    fn unfenced_isr_member_becomes_leader_of_leaderless_partition() {
        let p = partition(&[1, 2], &[1], NO_NODE);
        let c = build(&p, &[1], Election::Clean, &alive(&[1])).unwrap();
        assert_eq!(
            c,
            Change {
                leader: Some(1),
                isr: None,
                unclean: false,
                ..Change::default()
            }
        );
    }

    #[test]
    fn reassignment_replicas_are_target_then_removing() {
        assert_eq!(
            reassignment_replicas(&[1, 2], &[2, 3]),
            (vec![2, 3, 1], vec![1], vec![3])
        );
        assert_eq!(
            reassignment_replicas(&[1, 2, 3], &[3]),
            (vec![3, 1, 2], vec![1, 2], vec![])
        );
        assert_eq!(reassignment_replicas(&[1], &[1, 4]), (vec![1, 4], vec![], vec![4]));
        // Removing and adding in ascending order, whatever the lists' order.
        assert_eq!(
            reassignment_replicas(&[3, 1], &[5, 2, 4]),
            (vec![5, 2, 4, 1, 3], vec![1, 3], vec![2, 4, 5])
        );
    }

    #[test]
    fn reassignment_completes_once_every_target_replica_is_in_sync() {
        // Moving [1, 2] to [2, 3]: replicas [2, 3, 1], adding 3, removing 1.
        assert_eq!(complete_reassignment(&[2, 3, 1], &[1], &[3], &[1, 2]), None);
        assert_eq!(
            complete_reassignment(&[2, 3, 1], &[1], &[3], &[1, 2, 3]),
            Some((vec![2, 3], vec![2, 3]))
        );
        assert_eq!(
            complete_reassignment(&[1, 2], &[], &[], &[1, 2]),
            None,
            "nothing in progress"
        );
    }

    #[test]
    fn completing_a_reassignment_moves_leadership_off_a_removed_leader() {
        let mut p = partition(&[2, 3, 1], &[1, 2], 1);
        p.adding_replicas = vec![3];
        p.removing_replicas = vec![1];
        let all = alive(&[1, 2, 3]);
        // 3 is not in sync yet.
        assert_eq!(
            build(&p, &[1, 2], Election::Clean, &all),
            None,
            "nothing changes while 3 catches up"
        );
        let c = build(&p, &[1, 2, 3], Election::Clean, &all).unwrap();
        assert_eq!(
            c,
            Change {
                leader: Some(2),
                isr: Some(vec![2, 3]),
                unclean: false,
                replicas: Some(vec![2, 3]),
                removing: Some(vec![]),
                adding: Some(vec![]),
            }
        );
    }

    #[test]
    fn removing_a_replica_bumps_the_leader_epoch_of_a_staying_leader() {
        let p = partition(&[1, 2, 3], &[1, 2, 3], 1);
        let c = build_reassignment(&p, &[1, 2], &[1, 2], &[], &[], Election::Clean, &alive(&[1, 2, 3]));
        assert_eq!(c.leader, Some(1), "the same leader, set again for a new epoch");
        assert_eq!(c.replicas, Some(vec![1, 2]));
        // Only adding a replica: no bump.
        let c = build_reassignment(
            &p,
            &[1, 2, 3, 4],
            &[1, 2, 3],
            &[],
            &[4],
            Election::Clean,
            &alive(&[1, 2, 3, 4]),
        );
        assert_eq!(c.leader, None);
    }
}
