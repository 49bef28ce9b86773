//! The assignors against the expected results of Kafka's own tests
//! (`clients/src/test/java/org/apache/kafka/clients/consumer/RangeAssignorTest.java`,
//! `RoundRobinAssignorTest.java`, `internals/AbstractStickyAssignorTest.java`,
//! `CooperativeStickyAssignorTest.java`; each case names its test), plus
//! stickiness across rebalances and the cooperative two-phase revocation.

use kafkaplay_flatmap::FlatMap;

use kafkaplay_cluster::assignor::{self, COOPERATIVE_STICKY, RANGE, ROUND_ROBIN, STICKY};
use kafkaplay_cluster::protocol::Subscription;
use kafkaplay_cluster::TopicPartition;

type Assignment = FlatMap<String, Vec<TopicPartition>>;

fn topics(counts: &[(&str, i32)]) -> FlatMap<String, i32> {
    counts.iter().map(|(t, n)| (t.to_string(), *n)).collect()
}

fn sub(topics: &[&str]) -> Subscription {
    Subscription {
        topics: topics.iter().map(|t| t.to_string()).collect(),
        owned_partitions: vec![],
        generation_id: -1,
    }
}

fn owned(topics: &[&str], owned: &[TopicPartition], generation_id: i32) -> Subscription {
    Subscription {
        owned_partitions: owned.to_vec(),
        generation_id,
        ..sub(topics)
    }
}

fn tp(t: &str, p: i32) -> TopicPartition {
    TopicPartition::new(t, p)
}

/// `topic-p` names, sorted, as the assignor returns them.
fn show(a: &Assignment) -> FlatMap<&str, Vec<String>> {
    a.iter()
        .map(|(m, tps)| (m.as_str(), tps.iter().map(|t| t.to_string()).collect()))
        .collect()
}

fn run(name: &str, ppt: &FlatMap<String, i32>, subs: &[(&str, Subscription)]) -> Assignment {
    let subs: FlatMap<String, Subscription> = subs.iter().map(|(m, s)| (m.to_string(), s.clone())).collect();
    let a = assignor::assign(name, ppt, &subs).unwrap();
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        subs.keys().collect::<Vec<_>>(),
        "every member present"
    );
    a
}

fn expect(a: &Assignment, expected: &[(&str, &[&str])]) {
    let expected: FlatMap<&str, Vec<String>> = expected
        .iter()
        .map(|(m, tps)| (*m, tps.iter().map(|s| s.to_string()).collect()))
        .collect();
    assert_eq!(show(a), expected);
}

/// Next round's subscriptions: each member owns what it was given, in `generation`.
fn next_round(topics_of: &[(&str, &[&str])], prev: &Assignment, generation: i32) -> Vec<(String, Subscription)> {
    topics_of
        .iter()
        .map(|(m, t)| (m.to_string(), owned(t, prev.get(*m).map_or(&[][..], |v| v), generation)))
        .collect()
}

fn run_owned(name: &str, ppt: &FlatMap<String, i32>, subs: &[(String, Subscription)]) -> Assignment {
    let subs: Vec<(&str, Subscription)> = subs.iter().map(|(m, s)| (m.as_str(), s.clone())).collect();
    run(name, ppt, &subs)
}

fn sizes(a: &Assignment) -> Vec<usize> {
    a.values().map(Vec::len).collect()
}

// ----- range -----

#[test]
fn range_kafka_cases() {
    // RangeAssignorTest.testOneConsumerNoTopic / testOneConsumerNonexistentTopic
    expect(
        &run(RANGE, &topics(&[]), &[("consumer", sub(&[]))]),
        &[("consumer", &[])],
    );
    expect(
        &run(RANGE, &topics(&[]), &[("consumer", sub(&["topic"]))]),
        &[("consumer", &[])],
    );
    // testOneConsumerOneTopic
    expect(
        &run(RANGE, &topics(&[("topic1", 3)]), &[("consumer1", sub(&["topic1"]))]),
        &[("consumer1", &["topic1-0", "topic1-1", "topic1-2"])],
    );
    // testOnlyAssignsPartitionsFromSubscribedTopics
    expect(
        &run(
            RANGE,
            &topics(&[("topic1", 3), ("other", 3)]),
            &[("consumer1", sub(&["topic1"]))],
        ),
        &[("consumer1", &["topic1-0", "topic1-1", "topic1-2"])],
    );
    // testTwoConsumersOneTopicOnePartition: a consumer beyond the partition count gets nothing
    expect(
        &run(
            RANGE,
            &topics(&[("topic1", 1)]),
            &[("consumer1", sub(&["topic1"])), ("consumer2", sub(&["topic1"]))],
        ),
        &[("consumer1", &["topic1-0"]), ("consumer2", &[])],
    );
    // testMultipleConsumersMixedTopics
    expect(
        &run(
            RANGE,
            &topics(&[("topic1", 3), ("topic2", 2)]),
            &[
                ("consumer1", sub(&["topic1"])),
                ("consumer2", sub(&["topic1", "topic2"])),
                ("consumer3", sub(&["topic1"])),
            ],
        ),
        &[
            ("consumer1", &["topic1-0"]),
            ("consumer2", &["topic1-1", "topic2-0", "topic2-1"]),
            ("consumer3", &["topic1-2"]),
        ],
    );
    // testTwoConsumersTwoTopicsSixPartitions (and the RangeAssignor javadoc example)
    expect(
        &run(
            RANGE,
            &topics(&[("topic1", 3), ("topic2", 3)]),
            &[
                ("consumer1", sub(&["topic1", "topic2"])),
                ("consumer2", sub(&["topic1", "topic2"])),
            ],
        ),
        &[
            ("consumer1", &["topic1-0", "topic1-1", "topic2-0", "topic2-1"]),
            ("consumer2", &["topic1-2", "topic2-2"]),
        ],
    );
    // testStaticMemberRangeAssignmentPersistent's dynamic part: 5 and 4 partitions over 4 members, sorted by id
    let all = ["topic1", "topic2"];
    let subs: Vec<(&str, Subscription)> = ["consumer1", "consumer2", "consumer3", "consumer4"]
        .iter()
        .map(|m| (*m, sub(&all)))
        .collect();
    expect(
        &run(RANGE, &topics(&[("topic1", 5), ("topic2", 4)]), &subs),
        &[
            ("consumer1", &["topic1-0", "topic1-1", "topic2-0"]),
            ("consumer2", &["topic1-2", "topic2-1"]),
            ("consumer3", &["topic1-3", "topic2-2"]),
            ("consumer4", &["topic1-4", "topic2-3"]),
        ],
    );
}

// ----- roundrobin -----

#[test]
fn round_robin_kafka_cases() {
    // RoundRobinAssignorTest.testOneConsumerMultipleTopics
    expect(
        &run(
            ROUND_ROBIN,
            &topics(&[("topic1", 1), ("topic2", 2)]),
            &[("consumer", sub(&["topic1", "topic2"]))],
        ),
        &[("consumer", &["topic1-0", "topic2-0", "topic2-1"])],
    );
    // testTwoConsumersOneTopicOnePartition
    expect(
        &run(
            ROUND_ROBIN,
            &topics(&[("topic", 1)]),
            &[("consumer1", sub(&["topic"])), ("consumer2", sub(&["topic"]))],
        ),
        &[("consumer1", &["topic-0"]), ("consumer2", &[])],
    );
    // testMultipleConsumersMixedTopics
    expect(
        &run(
            ROUND_ROBIN,
            &topics(&[("topic1", 3), ("topic2", 2)]),
            &[
                ("consumer1", sub(&["topic1"])),
                ("consumer2", sub(&["topic1", "topic2"])),
                ("consumer3", sub(&["topic1"])),
            ],
        ),
        &[
            ("consumer1", &["topic1-0"]),
            ("consumer2", &["topic1-1", "topic2-0", "topic2-1"]),
            ("consumer3", &["topic1-2"]),
        ],
    );
    // testTwoDynamicConsumersTwoTopicsSixPartitions
    expect(
        &run(
            ROUND_ROBIN,
            &topics(&[("topic1", 3), ("topic2", 3)]),
            &[
                ("consumer1", sub(&["topic1", "topic2"])),
                ("consumer2", sub(&["topic1", "topic2"])),
            ],
        ),
        &[
            ("consumer1", &["topic1-0", "topic1-2", "topic2-1"]),
            ("consumer2", &["topic1-1", "topic2-0", "topic2-2"]),
        ],
    );
}

#[test]
fn unknown_assignor_is_an_error() {
    let subs: FlatMap<String, Subscription> = [("c".to_string(), sub(&["t"]))].into();
    assert!(assignor::assign("uniform", &topics(&[("t", 1)]), &subs).is_err());
    assert!(assignor::is_cooperative(COOPERATIVE_STICKY));
    assert!(!assignor::is_cooperative(RANGE) && !assignor::is_cooperative(STICKY));
    assert_eq!(assignor::DEFAULT_STRATEGIES, &["range", "cooperative-sticky"]);
}

// ----- sticky and cooperative-sticky: AbstractStickyAssignorTest -----

#[test]
fn sticky_kafka_cases_fresh_group() {
    for name in [STICKY, COOPERATIVE_STICKY] {
        // testTwoConsumersOneTopicTwoPartitions
        expect(
            &run(
                name,
                &topics(&[("topic", 2)]),
                &[("consumer1", sub(&["topic"])), ("consumer2", sub(&["topic"]))],
            ),
            &[("consumer1", &["topic-0"]), ("consumer2", &["topic-1"])],
        );
        // testTwoConsumersOneTopicOnePartition: one of them gets nothing
        let a = run(
            name,
            &topics(&[("topic", 1)]),
            &[("consumer1", sub(&["topic"])), ("consumer2", sub(&["topic"]))],
        );
        assert_eq!(sizes(&a).iter().sum::<usize>(), 1);
        // testMultipleConsumersMixedTopicSubscriptions (the general path)
        expect(
            &run(
                name,
                &topics(&[("topic1", 3), ("topic2", 2)]),
                &[
                    ("consumer1", sub(&["topic1"])),
                    ("consumer2", sub(&["topic1", "topic2"])),
                    ("consumer3", sub(&["topic1"])),
                ],
            ),
            &[
                ("consumer1", &["topic1-0", "topic1-2"]),
                ("consumer2", &["topic2-0", "topic2-1"]),
                ("consumer3", &["topic1-1"]),
            ],
        );
        // testTwoConsumersTwoTopicsSixPartitions
        expect(
            &run(
                name,
                &topics(&[("topic1", 3), ("topic2", 3)]),
                &[
                    ("consumer1", sub(&["topic1", "topic2"])),
                    ("consumer2", sub(&["topic1", "topic2"])),
                ],
            ),
            &[
                ("consumer1", &["topic1-0", "topic1-2", "topic2-1"]),
                ("consumer2", &["topic1-1", "topic2-0", "topic2-2"]),
            ],
        );
    }
}

#[test]
fn sticky_kafka_cases_with_owned_partitions() {
    let both = ["topic1", "topic2"];
    for name in [STICKY, COOPERATIVE_STICKY] {
        // testConsumerOwningMinQuotaExpectedMaxQuota
        expect(
            &run(
                name,
                &topics(&[("topic1", 2), ("topic2", 3)]),
                &[
                    ("consumer1", owned(&both, &[tp("topic1", 0), tp("topic2", 1)], 1)),
                    ("consumer2", owned(&both, &[tp("topic1", 1), tp("topic2", 2)], 1)),
                ],
            ),
            &[
                ("consumer1", &["topic1-0", "topic2-0", "topic2-1"]),
                ("consumer2", &["topic1-1", "topic2-2"]),
            ],
        );
        // testAllConsumersAreUnderMinQuota
        expect(
            &run(
                name,
                &topics(&[("topic1", 2), ("topic2", 3)]),
                &[
                    ("consumer1", owned(&both, &[tp("topic1", 0)], 1)),
                    ("consumer2", owned(&both, &[tp("topic1", 1)], 1)),
                    ("consumer3", owned(&both, &[], 1)),
                ],
            ),
            &[
                ("consumer1", &["topic1-0", "topic2-1"]),
                ("consumer2", &["topic1-1", "topic2-2"]),
                ("consumer3", &["topic2-0"]),
            ],
        );
    }
    // testMaxQuotaConsumerMoreThanNumExpectedMaxCapacityMembers: topic2-0 moves from consumer1 to consumer3,
    // so the cooperative assignor first revokes it.
    let subs = [
        ("consumer1", owned(&both, &[tp("topic1", 0), tp("topic2", 0)], 1)),
        ("consumer2", owned(&both, &[tp("topic1", 1), tp("topic2", 1)], 1)),
        ("consumer3", owned(&both, &[], 1)),
    ];
    let ppt = topics(&[("topic1", 2), ("topic2", 2)]);
    expect(
        &run(STICKY, &ppt, &subs),
        &[
            ("consumer1", &["topic1-0"]),
            ("consumer2", &["topic1-1", "topic2-1"]),
            ("consumer3", &["topic2-0"]),
        ],
    );
    expect(
        &run(COOPERATIVE_STICKY, &ppt, &subs),
        &[
            ("consumer1", &["topic1-0"]),
            ("consumer2", &["topic1-1", "topic2-1"]),
            ("consumer3", &[]),
        ],
    );
}

#[test]
fn sticky_add_remove_two_consumers_two_topics() {
    // AbstractStickyAssignorTest.testAddRemoveTwoConsumersTwoTopics (StickyAssignor's results)
    let all: &[&str] = &["topic1", "topic2"];
    let ppt = topics(&[("topic1", 3), ("topic2", 4)]);
    let a = run(STICKY, &ppt, &[("consumer1", sub(all)), ("consumer2", sub(all))]);
    expect(
        &a,
        &[
            ("consumer1", &["topic1-0", "topic1-2", "topic2-1", "topic2-3"]),
            ("consumer2", &["topic1-1", "topic2-0", "topic2-2"]),
        ],
    );
    let members = [
        ("consumer1", all),
        ("consumer2", all),
        ("consumer3", all),
        ("consumer4", all),
    ];
    let b = run_owned(STICKY, &ppt, &next_round(&members, &a, 1));
    expect(
        &b,
        &[
            ("consumer1", &["topic1-0", "topic2-1"]),
            ("consumer2", &["topic1-1", "topic2-0"]),
            ("consumer3", &["topic1-2", "topic2-3"]),
            ("consumer4", &["topic2-2"]),
        ],
    );
    let c = run_owned(STICKY, &ppt, &next_round(&members[2..], &b, 1));
    expect(
        &c,
        &[
            ("consumer3", &["topic1-0", "topic1-2", "topic2-1", "topic2-3"]),
            ("consumer4", &["topic1-1", "topic2-0", "topic2-2"]),
        ],
    );

    // The cooperative assignor first only revokes what moves (topic1-2, topic2-3 from consumer1, topic2-2
    // from consumer2); the newcomers get them in the follow-up rebalance.
    let b1 = run_owned(COOPERATIVE_STICKY, &ppt, &next_round(&members, &a, 1));
    expect(
        &b1,
        &[
            ("consumer1", &["topic1-0", "topic2-1"]),
            ("consumer2", &["topic1-1", "topic2-0"]),
            ("consumer3", &[]),
            ("consumer4", &[]),
        ],
    );
    let b2 = run_owned(COOPERATIVE_STICKY, &ppt, &next_round(&members, &b1, 2));
    assert_eq!(b2, b);
}

// ----- CooperativeStickyAssignorTest -----

#[test]
fn cooperative_partition_claimed_twice_in_one_generation() {
    // CooperativeStickyAssignorTest.testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultipleConsumers
    // InSameGenerationWithEqualPartitionsPerConsumer
    let t: &[&str] = &["topic"];
    let subs = [
        ("consumer1", owned(t, &[tp("topic", 0), tp("topic", 1)], 1)),
        ("consumer2", owned(t, &[tp("topic", 0), tp("topic", 2)], 1)),
        ("consumer3", owned(t, &[], 1)),
    ];
    expect(
        &run(COOPERATIVE_STICKY, &topics(&[("topic", 3)]), &subs),
        &[
            ("consumer1", &["topic-1"]),
            ("consumer2", &["topic-2"]),
            ("consumer3", &[]),
        ],
    );
    // ...WithUnequalPartitionsPerConsumer
    expect(
        &run(COOPERATIVE_STICKY, &topics(&[("topic", 4)]), &subs),
        &[
            ("consumer1", &["topic-1", "topic-3"]),
            ("consumer2", &["topic-2"]),
            ("consumer3", &[]),
        ],
    );
}

#[test]
fn cooperative_old_version_subscriptions() {
    // CooperativeStickyAssignorTest.testAssignorWithOldVersionSubscriptions (no generation in the subscription)
    let t: &[&str] = &["topic1"];
    expect(
        &run(
            COOPERATIVE_STICKY,
            &topics(&[("topic1", 3)]),
            &[
                ("consumer1", owned(t, &[tp("topic1", 0)], -1)),
                ("consumer2", owned(t, &[tp("topic1", 1)], -1)),
                ("consumer3", owned(t, &[], 1)),
            ],
        ),
        &[
            ("consumer1", &["topic1-0"]),
            ("consumer2", &["topic1-1"]),
            ("consumer3", &["topic1-2"]),
        ],
    );
}

#[test]
fn sticky_higher_generation_wins_a_doubly_claimed_partition() {
    // AbstractStickyAssignorTest.testEnsurePartitionsAssignedToHighestGeneration-like: consumer2 (generation 2)
    // and consumer1 (generation 1) both claim topic-0; the newer claim is kept.
    let t: &[&str] = &["topic"];
    let subs = [
        ("consumer1", owned(t, &[tp("topic", 0), tp("topic", 1)], 1)),
        ("consumer2", owned(t, &[tp("topic", 0)], 2)),
        ("consumer3", owned(t, &[], 2)),
    ];
    let a = run(STICKY, &topics(&[("topic", 3)]), &subs);
    assert_eq!(a["consumer2"], vec![tp("topic", 0)]);
    assert_eq!(a["consumer1"], vec![tp("topic", 1)]);
    assert_eq!(a["consumer3"], vec![tp("topic", 2)]);
}

// ----- stability across rebalances -----

fn members(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("consumer-{i:02}")).collect()
}

fn moved(before: &Assignment, after: &Assignment) -> usize {
    after
        .iter()
        .map(|(m, tps)| {
            tps.iter()
                .filter(|tp| !before.get(m).is_some_and(|b| b.contains(tp)))
                .count()
        })
        .sum()
}

fn rebalance(
    name: &str,
    ppt: &FlatMap<String, i32>,
    ms: &[String],
    t: &[&str],
    prev: &Assignment,
    g: i32,
) -> Assignment {
    let subs: Vec<(String, Subscription)> = ms
        .iter()
        .map(|m| (m.clone(), owned(t, prev.get(m).map_or(&[][..], |v| v), g)))
        .collect();
    run_owned(name, ppt, &subs)
}

#[test]
fn sticky_member_leaves_only_its_partitions_move() {
    let t: &[&str] = &["orders", "payments"];
    let ppt = topics(&[("orders", 12), ("payments", 7)]);
    for name in [STICKY, COOPERATIVE_STICKY] {
        let ms = members(4);
        let a = rebalance(name, &ppt, &ms, t, &FlatMap::new(), -1);
        assert!(sizes(&a).iter().max().unwrap() - sizes(&a).iter().min().unwrap() <= 1);
        let leaver = &ms[1];
        let rest: Vec<String> = ms.iter().filter(|m| *m != leaver).cloned().collect();
        let b = rebalance(name, &ppt, &rest, t, &a, 1);
        // Nobody loses a partition; exactly the leaver's partitions move, and the result is balanced.
        for m in &rest {
            assert!(a[m].iter().all(|tp| b[m].contains(tp)), "{name}: {m} lost a partition");
        }
        assert_eq!(moved(&a, &b), a[leaver].len());
        assert!(sizes(&b).iter().max().unwrap() - sizes(&b).iter().min().unwrap() <= 1);
        assert_eq!(sizes(&b).iter().sum::<usize>(), 19);
    }
}

#[test]
fn sticky_member_joins_minimal_movement() {
    let t: &[&str] = &["orders"];
    let ppt = topics(&[("orders", 12)]);
    let ms = members(3);
    let a = rebalance(STICKY, &ppt, &ms, t, &FlatMap::new(), -1);
    assert_eq!(sizes(&a), vec![4, 4, 4]);
    let ms4 = members(4);
    let b = rebalance(STICKY, &ppt, &ms4, t, &a, 1);
    assert_eq!(sizes(&b), vec![3, 3, 3, 3]);
    // Only the three partitions the newcomer needs move.
    assert_eq!(moved(&a, &b), 3);
    assert_eq!(b[&ms4[3]].len(), 3);

    // Cooperative: the first round only revokes those three; the second hands them to the newcomer.
    let c1 = rebalance(COOPERATIVE_STICKY, &ppt, &ms4, t, &a, 1);
    assert_eq!(sizes(&c1), vec![3, 3, 3, 0]);
    assert_eq!(moved(&a, &c1), 0);
    let c2 = rebalance(COOPERATIVE_STICKY, &ppt, &ms4, t, &c1, 2);
    assert_eq!(sizes(&c2), vec![3, 3, 3, 3]);
    assert_eq!(moved(&c1, &c2), 3);
    assert_eq!(c2, b);
    // A third round changes nothing.
    assert_eq!(rebalance(COOPERATIVE_STICKY, &ppt, &ms4, t, &c2, 3), c2);
}

#[test]
fn sticky_general_path_member_leaves() {
    // Unequal subscriptions (the general path): consumer-03 leaves; its partitions move, the rest stay.
    let ppt = topics(&[("a", 4), ("b", 3), ("c", 2)]);
    let subs_of = |m: &str| -> Vec<&str> {
        match m {
            "consumer-01" => vec!["a", "b"],
            "consumer-02" => vec!["b", "c"],
            _ => vec!["a", "b", "c"],
        }
    };
    for name in [STICKY, COOPERATIVE_STICKY] {
        let ms = members(3);
        let first: Vec<(String, Subscription)> = ms.iter().map(|m| (m.clone(), sub(&subs_of(m)))).collect();
        let a = run_owned(name, &ppt, &first);
        assert_eq!(sizes(&a).iter().sum::<usize>(), 9);
        let second: Vec<(String, Subscription)> = ms[..2]
            .iter()
            .map(|m| (m.clone(), owned(&subs_of(m), &a[m], 1)))
            .collect();
        let b = run_owned(name, &ppt, &second);
        for m in &ms[..2] {
            assert!(a[m].iter().all(|tp| b[m].contains(tp)), "{name}: {m} lost a partition");
        }
        assert_eq!(sizes(&b).iter().sum::<usize>(), 9);
    }
}

// ----- protocol selection and the offsets partition -----

#[test]
fn select_protocol_votes() {
    let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(assignor::select_protocol(&[]), None);
    assert_eq!(assignor::select_protocol(&[v(&["range"]), v(&["roundrobin"])]), None);
    // GroupMetadataTest.testSelectProtocol: both support range and roundrobin; two of three prefer roundrobin.
    assert_eq!(
        assignor::select_protocol(&[
            v(&["range", "roundrobin"]),
            v(&["roundrobin", "range"]),
            v(&["roundrobin", "range"])
        ]),
        Some("roundrobin".into())
    );
    // Only the protocols all members support are candidates.
    assert_eq!(
        assignor::select_protocol(&[v(&["sticky", "range"]), v(&["range"]), v(&["roundrobin", "range"])]),
        Some("range".into())
    );
    // A tie goes to the first in Java HashMap order: "range" hashes to bucket 9, "cooperative-sticky" to 15.
    let tie = [v(&["cooperative-sticky", "range"]), v(&["range", "cooperative-sticky"])];
    assert_eq!(assignor::select_protocol(&tie), Some("range".into()));
    let tie = [v(&["range", "sticky"]), v(&["sticky", "range"])];
    assert_eq!(
        assignor::select_protocol(&tie),
        Some("sticky".into()),
        "sticky is bucket 8"
    );
}

#[test]
fn group_partition_vectors() {
    // Java String.hashCode, computed independently: "my-group" = -1906497762, "test-consumer-group" =
    // -1793216381, "console-consumer-12345" = 158455506, "group" = 98629247, "polygenelubricants" =
    // Integer.MIN_VALUE (Utils.abs gives 0), "ß€😀" (UTF-16, a surrogate pair) = 16454096.
    assert_eq!(assignor::group_partition("my-group", 50), 12);
    assert_eq!(assignor::group_partition("test-consumer-group", 50), 31);
    assert_eq!(assignor::group_partition("console-consumer-12345", 50), 6);
    assert_eq!(assignor::group_partition("group", 50), 47);
    assert_eq!(assignor::group_partition("", 50), 0);
    assert_eq!(assignor::group_partition("polygenelubricants", 50), 0);
    assert_eq!(assignor::group_partition("ß€😀", 50), 46);
    assert_eq!(assignor::group_partition("my-group", 3), 0);
    assert_eq!(assignor::group_partition("test-consumer-group", 3), 2);
}
