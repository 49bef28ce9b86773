//! The lessons, in Korean and English. The first three follow the seed notes
//! (`kafka-study-notes.ko.md`): the Docker set-up and `kafka-topics` with a
//! three-partition topic, then the notes' "Topic A" picture: one copy per
//! partition and a broker down, then two copies and the follower taking over.
//! Commands are written as the notes write them (`--bootstrap-server
//! localhost:9092`, `kafka-topics` without `.sh`, the Confluent image).
//!
//! The page's cluster has 3 brokers (`broker1`..`broker3`, broker 1 at
//! `localhost:9092`) and one KRaft controller. Lessons 2 onwards work from the
//! learner's machine, where `docker` runs, and reach the tools with `docker
//! exec broker1 ...`; a step that stops a broker never picks broker 1.
//! The rebalancing lesson starts its group's members from the consumer-groups
//! panel (the terminal runs one job at a time); the KRaft lesson asks for a
//! new playground with three controllers (`controller1`..`controller3`).

use kafkaplay_cluster::TopicPartition;

use super::{leader_to_stop, Bi, Check, Command, Lesson, Step};

pub static LESSONS: &[Lesson] = &[
    TOPICS, RF1, RF2, ACKS, UNCLEAN, REBALANCE, LAG, RETENTION, COMPACTION, KRAFT,
];

// ---------------------------------------------------------------------------
// Checks shared by several lessons

fn on_host(c: &Check) -> bool {
    c.on_host()
}

/// `topic` exists with `partitions` partitions of `rf` replicas each.
fn topic_is(c: &Check, topic: &str, partitions: usize, rf: usize) -> bool {
    let ps = c.partitions(topic);
    ps.len() == partitions && ps.iter().all(|p| p.replicas.len() == rf)
}

/// Some replica of `topic` is on a broker that is not running.
fn stopped_broker(shell: &kafkaplay_shell::Shell, topic: &str) -> Option<i32> {
    let sim = &shell.world().sim;
    let t = sim.metadata()?.topic(topic)?;
    t.partitions
        .values()
        .flat_map(|p| p.replicas.iter().copied())
        .find(|&b| !sim.is_up(b))
}

/// Every replica of `topic` is on a live broker and in the ISR, and every
/// partition has a leader.
fn fully_replicated(c: &Check, topic: &str) -> bool {
    let ps = c.partitions(topic);
    !ps.is_empty()
        && ps.iter().all(|p| {
            p.leader != kafkaplay_cluster::NO_NODE && p.replicas.iter().all(|&r| c.alive(r) && p.isr.contains(&r))
        })
}

const HOST_STEP_TITLE: Bi = Bi {
    en: "Back on your machine",
    ko: "호스트로 돌아오기",
};
const HOST_STEP_INSTRUCTION: Bi = Bi {
    en: "This lesson stops and starts containers, which `docker` does from your machine, not from inside a broker. \
         If your prompt is `[appuser@broker1 ~]$`, leave the container with `exit`.",
    ko: "이번 레슨에서는 컨테이너를 멈추고 다시 띄웁니다. `docker` 명령은 브로커 컨테이너 안이 아니라 호스트에서 실행해야 합니다. \
         프롬프트가 `[appuser@broker1 ~]$` 라면 `exit` 로 컨테이너에서 나오세요.",
};
const HOST_STEP_EXPLANATION: Bi = Bi {
    en: "The prompt is `learner@kafkaplay:~$`: you are on your machine, where `docker-compose.yml` lives. \
         Kafka's tools are not installed here; `docker exec broker1 kafka-topics ...` runs them inside broker1's \
         container without opening a shell there.",
    ko: "프롬프트가 `learner@kafkaplay:~$` 이면 호스트입니다. `docker-compose.yml` 이 있는 곳이죠. \
         호스트에는 Kafka 명령어가 설치되어 있지 않으므로, `docker exec broker1 kafka-topics ...` 처럼 \
         셸을 열지 않고 broker1 컨테이너 안에서 바로 실행합니다.",
};

// ---------------------------------------------------------------------------
// Lesson 1: a topic with three partitions (the seed notes)

fn ran_docker_ps(c: &Check) -> bool {
    c.ran("docker", &["ps"], None)
}

fn in_broker_container(c: &Check) -> bool {
    c.shell
        .world()
        .host
        .is_some_and(|h| c.sim().config().brokers.contains(&h))
}

/// `kafka-topics` alone (or `--help`): its usage, whatever the exit status.
fn ran_topics_usage(c: &Check) -> bool {
    c.commands.iter().any(|r| {
        super::simple_commands(&r.line).iter().any(|w| {
            w.first().is_some_and(|t| super::tool_name(t) == "kafka-topics")
                && (w.len() == 1 || w[1..].iter().any(|a| a == "--help" || a == "-h"))
        })
    })
}

fn topic_01_created(c: &Check) -> bool {
    c.partitions("test_topic_01").len() == 1
}

fn ran_list(c: &Check) -> bool {
    c.ran("kafka-topics", &["--list"], None) && c.topic("test_topic_01").is_some()
}

fn topic_02_created(c: &Check) -> bool {
    c.partitions("test_topic_02").len() == 3
}

fn described_02(c: &Check) -> bool {
    c.ran("kafka-topics", &["--describe"], Some("test_topic_02")) && c.topic("test_topic_02").is_some()
}

const TOPICS: Lesson = Lesson {
    id: "topics",
    title: Bi {
        en: "1. A topic with three partitions",
        ko: "1. 파티션 3개짜리 토픽",
    },
    intro: Bi {
        en: "As in the notes: after `docker-compose up`, go into a broker's container, look at `kafka-topics`, \
             create topics and read `--describe`. The cluster here has three brokers and a KRaft controller.",
        ko: "노트에 적힌 순서를 그대로 따라갑니다. `docker-compose` 로 띄운 브로커 컨테이너에 접속해서 `kafka-topics` 를 살펴보고, \
             토픽을 만들고, `--describe` 출력을 읽어 봅니다. 여기 클러스터는 브로커 3대와 KRaft 컨트롤러 1대로 되어 있습니다.",
    },
    steps: &[
        Step {
            title: Bi {
                en: "The containers",
                ko: "컨테이너 확인",
            },
            instruction: Bi {
                en: "The containers of `docker-compose.yml` are already up. List them.",
                ko: "`docker-compose.yml` 의 컨테이너는 이미 떠 있습니다. 목록을 확인합니다.",
            },
            command: Some(Command::Fixed("docker ps")),
            check: ran_docker_ps,
            explanation: Bi {
                en: "Four containers: `broker1`, `broker2` and `broker3`, and `controller`, the KRaft controller that \
                     keeps the cluster's metadata (no ZooKeeper). Each broker publishes its own port: \
                     broker1 answers at `localhost:9092`, broker2 at 9093, broker3 at 9094.",
                ko: "컨테이너가 4개 보입니다. 브로커 `broker1`, `broker2`, `broker3` 과, ZooKeeper 대신 클러스터 메타데이터를 \
                     관리하는 KRaft 컨트롤러 `controller` 입니다. 브로커마다 포트가 하나씩 열려 있어서 \
                     broker1 은 `localhost:9092`, broker2 는 9093, broker3 은 9094 로 접속합니다.",
            },
        },
        Step {
            title: Bi {
                en: "Into a broker's container",
                ko: "브로커 컨테이너 접속",
            },
            instruction: Bi {
                en: "Open a shell inside broker1's container.",
                ko: "broker1 컨테이너 안에서 셸을 엽니다.",
            },
            command: Some(Command::Fixed("docker exec -it broker1 bash")),
            check: in_broker_container,
            explanation: Bi {
                en: "The prompt is now `[appuser@broker1 ~]$`: you are inside the container. Kafka's commands are in \
                     `/bin` (`ls /bin | grep kafka`) and the broker's settings are in `/etc/kafka/server.properties`.",
                ko: "프롬프트가 `[appuser@broker1 ~]$` 로 바뀌었습니다. 이제 컨테이너 안입니다. \
                     kafka 관련 명령어는 `/bin` 에 있고(`ls /bin | grep kafka`), \
                     설정 값은 `/etc/kafka/server.properties` 에서 볼 수 있습니다.",
            },
        },
        Step {
            title: Bi {
                en: "What kafka-topics can do",
                ko: "kafka-topics 명령어 확인",
            },
            instruction: Bi {
                en: "Run `kafka-topics` with no options.",
                ko: "옵션 없이 `kafka-topics` 를 실행합니다.",
            },
            command: Some(Command::Fixed("kafka-topics")),
            check: ran_topics_usage,
            explanation: Bi {
                en: "Without an action the tool prints \"Create, delete, describe, or change a topic.\" and every \
                     option. The ones used next: `--bootstrap-server` (where to connect; required), `--create`, \
                     `--list`, `--describe`, `--topic`, `--partitions` and `--replication-factor`.",
                ko: "`--create` 같은 동작 옵션 없이 실행하면 \"Create, delete, describe, or change a topic.\" 과 함께 \
                     사용법과 옵션 전체를 출력합니다. \
                     이어서 쓸 옵션은 `--bootstrap-server`(접속할 브로커, 필수), `--create`, `--list`, `--describe`, \
                     `--topic`, `--partitions`, `--replication-factor` 입니다.",
            },
        },
        Step {
            title: Bi {
                en: "Create a topic",
                ko: "토픽 생성",
            },
            instruction: Bi {
                en: "Create `test_topic_01` through broker1 at `localhost:9092`, without saying how many partitions.",
                ko: "`localhost:9092`(broker1)로 접속해 `test_topic_01` 토픽을 만듭니다. 파티션 수는 지정하지 않습니다.",
            },
            command: Some(Command::Fixed(
                "kafka-topics --bootstrap-server localhost:9092 --create --topic test_topic_01",
            )),
            check: topic_01_created,
            explanation: Bi {
                en: "`Created topic test_topic_01.` With no `--partitions` the broker's default applies \
                     (`num.partitions=1`), and with no `--replication-factor` its `default.replication.factor=1`. \
                     The WARNING is Kafka's: in metric names `.` becomes `_`, so `a.b` and `a_b` could collide.",
                ko: "`Created topic test_topic_01.` 이 출력됩니다. `--partitions` 를 주지 않았으니 브로커 기본값 \
                     `num.partitions=1` 에 따라 파티션은 1개, `--replication-factor` 도 기본값 \
                     `default.replication.factor=1` 입니다. 앞의 WARNING 은 Kafka 가 실제로 내는 경고로, \
                     메트릭 이름에서는 `.` 이 `_` 로 바뀌기 때문에 `a.b` 와 `a_b` 가 겹칠 수 있다는 뜻입니다.",
            },
        },
        Step {
            title: Bi {
                en: "List the topics",
                ko: "토픽 조회",
            },
            instruction: Bi {
                en: "List the cluster's topics.",
                ko: "클러스터의 토픽 목록을 조회합니다.",
            },
            command: Some(Command::Fixed("kafka-topics --bootstrap-server localhost:9092 --list")),
            check: ran_list,
            explanation: Bi {
                en: "One name per line. `test_topic_01` is there. The broker that answered read it from the metadata \
                     the controller keeps; any broker gives the same list.",
                ko: "토픽 이름이 한 줄에 하나씩 나오고 `test_topic_01` 이 보입니다. 응답한 브로커는 컨트롤러가 관리하는 \
                     메타데이터에서 목록을 읽기 때문에, 어느 브로커에 물어도 같은 목록이 나옵니다.",
            },
        },
        Step {
            title: Bi {
                en: "Three partitions",
                ko: "파티션 3개짜리 토픽",
            },
            instruction: Bi {
                en: "Create `test_topic_02` with three partitions.",
                ko: "파티션을 3개 가지는 `test_topic_02` 를 만듭니다.",
            },
            command: Some(Command::Fixed(
                "kafka-topics --bootstrap-server localhost:9092 --create --topic test_topic_02 --partitions 3",
            )),
            check: topic_02_created,
            explanation: Bi {
                en: "The topic now has three logs, partitions 0, 1 and 2. Each is ordered and numbers its records with \
                     its own offsets; the partitions are independent of each other, which is what lets producers and \
                     consumers work on them in parallel.",
                ko: "이제 이 토픽은 로그 3개, 즉 파티션 0, 1, 2 로 이루어집니다. 파티션마다 레코드가 순서대로 쌓이고 \
                     offset 도 파티션별로 매겨집니다. 파티션끼리는 서로 독립적이라 프로듀서와 컨슈머가 병렬로 \
                     처리할 수 있습니다.",
            },
        },
        Step {
            title: Bi {
                en: "Describe it",
                ko: "상세 조회",
            },
            instruction: Bi {
                en: "Describe `test_topic_02` and read one line per partition.",
                ko: "`test_topic_02` 를 상세 조회하고, 파티션별 한 줄씩 읽어 봅니다.",
            },
            command: Some(Command::Fixed(
                "kafka-topics --bootstrap-server localhost:9092 --describe --topic test_topic_02",
            )),
            check: described_02,
            explanation: Bi {
                en: "The first line is the topic: its TopicId, `PartitionCount: 3`, `ReplicationFactor: 1`. Then one \
                     line per partition: `Leader` is the broker that serves it, `Replicas` the brokers that hold a \
                     copy, `Isr` the copies in sync, `Offline` the copies on brokers that are down.\n\n\
                     In the notes, with a single broker, every partition said `Leader: 1`. Here the controller spread \
                     the three partitions over the three brokers. With `ReplicationFactor: 1` each partition has one \
                     copy only: the next lesson stops one of those brokers.",
                ko: "첫 줄은 토픽 정보입니다. TopicId, `PartitionCount: 3`, `ReplicationFactor: 1`. 그 아래는 파티션마다 \
                     한 줄씩인데, `Leader` 는 그 파티션을 맡아 읽기/쓰기를 처리하는 브로커, `Replicas` 는 복제본을 \
                     가진 브로커들, `Isr` 은 그중 리더와 동기화된 복제본, `Offline` 은 죽은 브로커에 있는 복제본입니다.\n\n\
                     노트에서는 브로커가 1대라 모든 파티션이 `Leader: 1` 이었습니다. 여기서는 컨트롤러가 파티션 3개를 \
                     브로커 3대에 나누어 배치했습니다. `ReplicationFactor: 1` 이므로 파티션마다 복제본이 하나뿐입니다. \
                     다음 레슨에서 그중 한 브로커를 멈춰 봅니다.",
            },
        },
    ],
};

// ---------------------------------------------------------------------------
// Lesson 2: replication factor 1 and a broker down

const TOPIC_A: &str = "topic_a";

fn topic_a_created(c: &Check) -> bool {
    topic_is(c, TOPIC_A, 2, 1)
}

fn described_a(c: &Check) -> bool {
    c.ran("kafka-topics", &["--describe"], Some(TOPIC_A)) && c.topic(TOPIC_A).is_some()
}

/// Part of `topic_a` has no leader, the rest still has one.
fn half_of_a_offline(c: &Check) -> bool {
    let ps = c.partitions(TOPIC_A);
    ps.iter().any(|p| p.leader == kafkaplay_cluster::NO_NODE)
        && ps.iter().any(|p| p.leader != kafkaplay_cluster::NO_NODE)
}

fn described_a_offline(c: &Check) -> bool {
    described_a(c) && half_of_a_offline(c)
}

fn a_back(c: &Check) -> bool {
    c.topic(TOPIC_A).is_some() && fully_replicated(c, TOPIC_A)
}

fn kill_a_leader(shell: &kafkaplay_shell::Shell) -> Option<String> {
    leader_to_stop(shell, TOPIC_A).map(|b| format!("docker kill broker{b}"))
}

fn start_a(shell: &kafkaplay_shell::Shell) -> Option<String> {
    stopped_broker(shell, TOPIC_A).map(|b| format!("docker start broker{b}"))
}

const RF1: Lesson = Lesson {
    id: "rf1-broker-down",
    title: Bi {
        en: "2. Replication factor 1: a broker down",
        ko: "2. 복제 없이(RF=1) 브로커가 죽으면",
    },
    intro: Bi {
        en: "The notes' problem case: Topic A's partitions each live on one broker only. When one of those brokers \
             stops, the part of the topic it held is gone.",
        ko: "노트의 '문제 케이스'입니다. Topic A 의 파티션이 브로커마다 하나씩만 있을 때, 그중 한 브로커가 멈추면 \
             그 브로커가 가진 만큼 토픽이 사라집니다.",
    },
    steps: &[
        Step {
            title: HOST_STEP_TITLE,
            instruction: HOST_STEP_INSTRUCTION,
            command: Some(Command::Fixed("exit")),
            check: on_host,
            explanation: HOST_STEP_EXPLANATION,
        },
        Step {
            title: Bi {
                en: "Topic A, two partitions",
                ko: "파티션 2개짜리 Topic A",
            },
            instruction: Bi {
                en: "Create `topic_a` with two partitions and the default replication factor (1).",
                ko: "파티션 2개, 복제 개수는 기본값(1)으로 `topic_a` 를 만듭니다.",
            },
            command: Some(Command::Fixed(
                "docker exec broker1 kafka-topics --bootstrap-server localhost:9092 --create --topic topic_a --partitions 2",
            )),
            check: topic_a_created,
            explanation: Bi {
                en: "Two partitions, one copy each, on two different brokers: exactly the notes' first picture \
                     (partition #0 on one broker, partition #1 on another).",
                ko: "파티션 2개가 복제본 하나씩, 서로 다른 브로커에 놓였습니다. 노트의 첫 번째 그림(broker_1 에 \
                     partition #0, broker_2 에 partition #1)과 같은 모습입니다.",
            },
        },
        Step {
            title: Bi {
                en: "Where each partition lives",
                ko: "파티션 위치 확인",
            },
            instruction: Bi {
                en: "Describe `topic_a` and note which broker leads each partition.",
                ko: "`topic_a` 를 상세 조회하고 파티션마다 어느 브로커가 리더인지 봅니다.",
            },
            command: Some(Command::Fixed(
                "docker exec broker1 kafka-topics --bootstrap-server localhost:9092 --describe --topic topic_a",
            )),
            check: described_a,
            explanation: Bi {
                en: "`Replicas` has a single broker per partition, and it is also the `Leader` and the whole `Isr`. \
                     Nothing else holds these records.",
                ko: "파티션마다 `Replicas` 에 브로커가 하나뿐이고, 그 브로커가 곧 `Leader` 이자 `Isr` 전부입니다. \
                     이 레코드들을 가진 곳은 그 브로커 하나뿐입니다.",
            },
        },
        Step {
            title: Bi {
                en: "Stop a broker",
                ko: "브로커 중지",
            },
            instruction: Bi {
                en: "Kill the broker that leads one of the partitions (not broker1: the commands go through it). \
                     The controller notices when the broker's heartbeats stop, after `broker.session.timeout.ms` \
                     (9 seconds): watch its box.",
                ko: "파티션 하나를 맡은 브로커를 강제로 종료합니다(명령어가 broker1 을 거치므로 broker1 은 빼고). \
                     컨트롤러는 하트비트가 끊긴 뒤 `broker.session.timeout.ms`(9초)가 지나야 알아차리니, \
                     브로커 상자를 지켜보세요.",
            },
            command: Some(Command::Dynamic(kill_a_leader)),
            check: half_of_a_offline,
            explanation: Bi {
                en: "The controller fenced the broker and looked for another replica to lead its partition. There is \
                     none: the only copy is on the dead broker. The partition has no leader now; producers and \
                     consumers get errors for it, while the other partition works as before. Half the topic is gone.",
                ko: "컨트롤러가 브로커를 fence 하고 그 파티션을 맡을 다른 복제본을 찾았지만, 하나뿐인 복제본이 \
                     죽은 브로커에 있어서 리더를 뽑을 수 없습니다. 이제 이 파티션에는 리더가 없고 읽기도 쓰기도 \
                     실패합니다. 다른 파티션은 그대로 동작하니, 토픽의 절반이 사라진 셈입니다.",
            },
        },
        Step {
            title: Bi {
                en: "Describe it again",
                ko: "다시 상세 조회",
            },
            instruction: Bi {
                en: "Describe `topic_a` again.",
                ko: "`topic_a` 를 다시 상세 조회합니다.",
            },
            command: Some(Command::Fixed(
                "docker exec broker1 kafka-topics --bootstrap-server localhost:9092 --describe --topic topic_a",
            )),
            check: described_a_offline,
            explanation: Bi {
                en: "`Leader: none` because the only replica is on the dead broker, which `Offline` names. `Isr` \
                     still shows that broker: KRaft never empties the ISR, it keeps the last member so that it can \
                     lead again when it comes back with its data. The other partition still has its leader.",
                ko: "유일한 복제본이 죽은 브로커에 있으므로 `Leader: none` 이고, `Offline` 에 그 브로커가 나옵니다. \
                     `Isr` 에는 그 브로커가 그대로 남아 있는데, KRaft 는 ISR 을 비우지 않고 마지막 멤버를 남겨 두어 \
                     데이터를 가진 그 브로커가 돌아왔을 때 다시 리더가 되게 합니다. 다른 파티션은 여전히 리더가 있습니다.",
            },
        },
        Step {
            title: Bi {
                en: "Start it again",
                ko: "브로커 재시작",
            },
            instruction: Bi {
                en: "Start the stopped broker again.",
                ko: "멈춘 브로커를 다시 시작합니다.",
            },
            command: Some(Command::Dynamic(start_a)),
            check: a_back,
            explanation: Bi {
                en: "The broker registered again, the controller unfenced it, and it leads its partition again, with \
                     its log as it was on disk: `docker kill` stops the process, not the disk. Had the disk been \
                     lost, those records would be lost for good. That is what the notes' fix is for: copies on \
                     other brokers (next lesson).",
                ko: "브로커가 다시 등록되고 컨트롤러가 unfence 하자, 디스크에 남아 있던 로그 그대로 다시 파티션의 리더가 \
                     되었습니다. `docker kill` 은 프로세스를 멈출 뿐 디스크를 지우지는 않기 때문입니다. 디스크까지 \
                     잃었다면 그 레코드는 영영 사라집니다. 노트의 해결 방법, 즉 다른 브로커에 복제본을 두는 것이 \
                     그래서 필요합니다(다음 레슨).",
            },
        },
    ],
};

// ---------------------------------------------------------------------------
// Lesson 3: replication factor 2 and failover

const TOPIC_B: &str = "topic_b";

fn topic_b_created(c: &Check) -> bool {
    topic_is(c, TOPIC_B, 2, 2)
}

fn described_b(c: &Check) -> bool {
    c.ran("kafka-topics", &["--describe"], Some(TOPIC_B)) && c.topic(TOPIC_B).is_some()
}

/// A partition of `topic_b` is led by its follower (not the preferred
/// replica, which is down) and no partition is offline.
fn b_failed_over(c: &Check) -> bool {
    let ps = c.partitions(TOPIC_B);
    ps.iter().all(|p| p.leader != kafkaplay_cluster::NO_NODE)
        && ps.iter().any(|p| {
            let preferred = p.replicas.first().copied().unwrap_or(kafkaplay_cluster::NO_NODE);
            p.leader != preferred && !c.alive(preferred) && !p.isr.contains(&preferred)
        })
}

fn described_b_failed_over(c: &Check) -> bool {
    described_b(c) && b_failed_over(c)
}

fn b_back(c: &Check) -> bool {
    c.topic(TOPIC_B).is_some() && fully_replicated(c, TOPIC_B)
}

fn kill_b_leader(shell: &kafkaplay_shell::Shell) -> Option<String> {
    leader_to_stop(shell, TOPIC_B).map(|b| format!("docker kill broker{b}"))
}

fn start_b(shell: &kafkaplay_shell::Shell) -> Option<String> {
    stopped_broker(shell, TOPIC_B).map(|b| format!("docker start broker{b}"))
}

const RF2: Lesson = Lesson {
    id: "rf2-failover",
    title: Bi {
        en: "3. Replication factor 2: failover",
        ko: "3. 복제(RF=2)와 장애 조치",
    },
    intro: Bi {
        en: "The notes' fix: copy each partition to another broker. When a leader's broker goes down, the follower \
             takes over.",
        ko: "노트의 해결 방법입니다. 파티션을 다른 브로커에도 복제해 두면, 리더가 있는 브로커에 이상이 생겼을 때 \
             follower 가 leader 로 동작합니다.",
    },
    steps: &[
        Step {
            title: HOST_STEP_TITLE,
            instruction: HOST_STEP_INSTRUCTION,
            command: Some(Command::Fixed("exit")),
            check: on_host,
            explanation: HOST_STEP_EXPLANATION,
        },
        Step {
            title: Bi {
                en: "Two copies of each partition",
                ko: "파티션마다 복제본 2개",
            },
            instruction: Bi {
                en: "Create `topic_b` with two partitions and `--replication-factor 2`.",
                ko: "파티션 2개, `--replication-factor 2` 로 `topic_b` 를 만듭니다.",
            },
            command: Some(Command::Fixed(
                "docker exec broker1 kafka-topics --bootstrap-server localhost:9092 --create --topic topic_b --partitions 2 --replication-factor 2",
            )),
            check: topic_b_created,
            explanation: Bi {
                en: "Each partition has two replicas on two brokers. The first replica listed is the preferred \
                     leader; the other is a follower that fetches from the leader to stay in sync.",
                ko: "파티션마다 복제본이 2개씩, 서로 다른 브로커에 놓였습니다. 목록의 첫 번째 복제본이 선호 리더이고, \
                     나머지 하나는 리더에게서 계속 가져와(fetch) 동기화를 유지하는 follower 입니다.",
            },
        },
        Step {
            title: Bi {
                en: "Leader and follower",
                ko: "리더와 팔로워",
            },
            instruction: Bi {
                en: "Describe `topic_b`.",
                ko: "`topic_b` 를 상세 조회합니다.",
            },
            command: Some(Command::Fixed(
                "docker exec broker1 kafka-topics --bootstrap-server localhost:9092 --describe --topic topic_b",
            )),
            check: described_b,
            explanation: Bi {
                en: "`Replicas` lists two brokers and `Isr` the same two: the follower is in sync. Like the notes' \
                     picture, each broker leads one partition and follows another's.",
                ko: "`Replicas` 에 브로커가 둘, `Isr` 에도 같은 둘이 있습니다. follower 가 동기화되어 있다는 뜻입니다. \
                     노트의 그림처럼 한 브로커가 어떤 파티션의 leader 이면서 다른 파티션의 follower 이기도 합니다.",
            },
        },
        Step {
            title: Bi {
                en: "Kill a leader",
                ko: "리더 브로커 중지",
            },
            instruction: Bi {
                en: "Kill the broker that leads one of the partitions (not broker1). About 9 seconds later the \
                     controller notices.",
                ko: "파티션 하나의 리더인 브로커를 강제로 종료합니다(broker1 은 빼고). 9초쯤 지나면 컨트롤러가 \
                     알아차립니다.",
            },
            command: Some(Command::Dynamic(kill_b_leader)),
            check: b_failed_over,
            explanation: Bi {
                en: "The controller fenced the dead broker, removed it from the ISR and elected the other ISR \
                     member: the follower leads now, with a new leader epoch. Because the follower was in sync, \
                     this is a clean election and no acknowledged record is lost. No partition is offline.",
                ko: "컨트롤러가 죽은 브로커를 fence 하고 ISR 에서 빼낸 뒤, ISR 에 남은 복제본을 리더로 뽑았습니다. \
                     이제 follower 가 leader 로 동작하고 leader epoch 도 하나 올라갔습니다. follower 가 동기화되어 \
                     있었으므로 깨끗한(clean) 선출이고, 확인(ack)된 레코드는 하나도 잃지 않습니다. 오프라인 파티션도 \
                     없습니다.",
            },
        },
        Step {
            title: Bi {
                en: "See the failover",
                ko: "장애 조치 확인",
            },
            instruction: Bi {
                en: "Describe `topic_b` again.",
                ko: "`topic_b` 를 다시 상세 조회합니다.",
            },
            command: Some(Command::Fixed(
                "docker exec broker1 kafka-topics --bootstrap-server localhost:9092 --describe --topic topic_b",
            )),
            check: described_b_failed_over,
            explanation: Bi {
                en: "The partition's `Leader` is now the former follower, `Isr` has only that broker, and `Offline` \
                     names the dead one. `Replicas` has not changed: the dead broker is still assigned and will \
                     catch up when it returns. The topic is under-replicated, not unavailable.",
                ko: "그 파티션의 `Leader` 가 예전 follower 로 바뀌었고, `Isr` 에는 그 브로커만 남았으며, `Offline` 에 \
                     죽은 브로커가 나옵니다. `Replicas` 는 그대로입니다. 죽은 브로커도 여전히 배정되어 있어서 돌아오면 \
                     따라잡습니다. 토픽은 복제가 부족한(under-replicated) 상태일 뿐, 쓰고 읽을 수 있습니다.",
            },
        },
        Step {
            title: Bi {
                en: "The broker returns",
                ko: "브로커 복귀",
            },
            instruction: Bi {
                en: "Start the stopped broker again and wait until it is back in the ISR.",
                ko: "멈춘 브로커를 다시 시작하고 ISR 에 돌아올 때까지 기다립니다.",
            },
            command: Some(Command::Dynamic(start_b)),
            check: b_back,
            explanation: Bi {
                en: "The broker came back as a follower: it truncated its log to what the new leader had at its \
                     epoch, fetched what it missed, and the leader added it to the ISR again. It does not take its \
                     leadership back at once: the controller moves leaders back to the preferred replica every \
                     `leader.imbalance.check.interval.seconds` (300 s), or when you run `kafka-leader-election`.",
                ko: "브로커는 follower 로 돌아왔습니다. 새 리더의 epoch 기준으로 로그를 맞추고(truncate), 그동안 놓친 \
                     레코드를 가져온 뒤, 리더가 다시 ISR 에 넣어 주었습니다. 리더 자리를 곧바로 되찾지는 않습니다. \
                     컨트롤러가 `leader.imbalance.check.interval.seconds`(300초)마다 선호 리더로 되돌리거나, \
                     `kafka-leader-election` 을 실행하면 돌아갑니다.",
            },
        },
    ],
};

// ---------------------------------------------------------------------------
// Lesson 4: acks and min.insync.replicas

const ORDERS: &str = "orders";

fn orders() -> TopicPartition {
    TopicPartition::new(ORDERS, 0)
}

fn orders_created(c: &Check) -> bool {
    topic_is(c, ORDERS, 1, 3)
        && c.topic(ORDERS)
            .is_some_and(|t| t.configs.get("min.insync.replicas").map(String::as_str) == Some("2"))
}

fn orders_acked_all(c: &Check) -> bool {
    c.produced(&orders(), Ok(())) && c.offsets(&orders()).is_some_and(|(hw, _)| hw >= 1)
}

/// The ISR of `orders-0` is its leader alone.
fn orders_isr_one(c: &Check) -> bool {
    c.partitions(ORDERS)
        .first()
        .is_some_and(|p| p.leader != kafkaplay_cluster::NO_NODE && p.isr.len() == 1 && c.alive(p.leader))
}

fn orders_refused(c: &Check) -> bool {
    c.produced(&orders(), Err("NotEnoughReplicas"))
}

fn orders_acked_one_above_hw(c: &Check) -> bool {
    c.produced(&orders(), Ok(())) && c.offsets(&orders()).is_some_and(|(hw, leo)| hw < leo)
}

fn orders_back(c: &Check) -> bool {
    fully_replicated(c, ORDERS) && c.offsets(&orders()).is_some_and(|(hw, leo)| hw == leo)
}

const ACKS: Lesson = Lesson {
    id: "acks-min-insync",
    title: Bi {
        en: "4. acks and min.insync.replicas",
        ko: "4. acks 와 min.insync.replicas",
    },
    intro: Bi {
        en: "How many copies must a record reach before the producer hears \"done\"? `acks` says it for the \
             producer, `min.insync.replicas` for the topic.",
        ko: "레코드가 몇 개의 복제본에 들어가야 프로듀서가 '완료' 응답을 받을까요? 프로듀서 쪽에서는 `acks` 가, \
             토픽 쪽에서는 `min.insync.replicas` 가 정합니다.",
    },
    steps: &[
        Step {
            title: HOST_STEP_TITLE,
            instruction: HOST_STEP_INSTRUCTION,
            command: Some(Command::Fixed("exit")),
            check: on_host,
            explanation: HOST_STEP_EXPLANATION,
        },
        Step {
            title: Bi {
                en: "Three copies, two required",
                ko: "복제본 3개, 최소 2개",
            },
            instruction: Bi {
                en: "Create `orders` with three replicas and `min.insync.replicas=2`.",
                ko: "복제본 3개, `min.insync.replicas=2` 로 `orders` 토픽을 만듭니다.",
            },
            command: Some(Command::Fixed(
                "docker exec broker1 kafka-topics --bootstrap-server localhost:9092 --create --topic orders --replication-factor 3 --config min.insync.replicas=2",
            )),
            check: orders_created,
            explanation: Bi {
                en: "Every broker holds a copy of `orders-0`. `min.insync.replicas=2` is a topic config (it shows \
                     under `Configs:` in `--describe`): a write with `acks=all` is accepted only while at least \
                     two replicas are in the ISR.",
                ko: "세 브로커 모두 `orders-0` 의 복제본을 가집니다. `min.insync.replicas=2` 는 토픽 설정이라 \
                     `--describe` 의 `Configs:` 에 보입니다. `acks=all` 로 보낸 쓰기는 ISR 에 복제본이 2개 이상일 \
                     때만 받아들여집니다.",
            },
        },
        Step {
            title: Bi {
                en: "Produce with acks=all",
                ko: "acks=all 로 보내기",
            },
            instruction: Bi {
                en: "Start a console producer with `acks=all`, type a record or two (each line is a record), then \
                     press Ctrl+D to end it.",
                ko: "`acks=all` 로 콘솔 프로듀서를 띄우고, 레코드를 한두 줄 입력한 뒤(한 줄이 레코드 하나) Ctrl+D 로 \
                     끝냅니다.",
            },
            command: Some(Command::Fixed(
                "docker exec -it broker1 kafka-console-producer --bootstrap-server localhost:9092 --topic orders --producer-property acks=all",
            )),
            check: orders_acked_all,
            explanation: Bi {
                en: "With `acks=all` the leader answers only when every replica in the ISR has the record. Then the \
                     high watermark moves past it and consumers can read it: the record is committed.",
                ko: "`acks=all` 이면 리더는 ISR 의 모든 복제본이 레코드를 받은 뒤에야 응답합니다. 그때 high watermark \
                     가 그 레코드 뒤로 옮겨 가고 컨슈머가 읽을 수 있게 됩니다. 레코드가 커밋된 것입니다.",
            },
        },
        Step {
            title: Bi {
                en: "Two brokers down",
                ko: "브로커 2대 중지",
            },
            instruction: Bi {
                en: "Kill broker2 and broker3, and wait until the ISR is the leader alone (about 9 seconds).",
                ko: "broker2 와 broker3 을 강제로 종료하고, ISR 에 리더만 남을 때까지(9초쯤) 기다립니다.",
            },
            command: Some(Command::Fixed("docker kill broker2 broker3")),
            check: orders_isr_one,
            explanation: Bi {
                en: "Broker 1 is the only replica left in the ISR (if the leader was on broker 2 or 3, broker 1 \
                     took over in a clean election). One in-sync replica is fewer than `min.insync.replicas=2`.",
                ko: "ISR 에는 broker1 하나만 남았습니다(리더가 broker2 나 broker3 에 있었다면 broker1 이 깨끗하게 \
                     리더를 이어받았습니다). 동기화된 복제본 1개는 `min.insync.replicas=2` 보다 적습니다.",
            },
        },
        Step {
            title: Bi {
                en: "acks=all is refused",
                ko: "acks=all 거부",
            },
            instruction: Bi {
                en: "Produce again with `acks=all` and type a record. Ctrl+D ends the producer.",
                ko: "다시 `acks=all` 로 보내 봅니다. 레코드를 하나 입력하고 Ctrl+D 로 끝냅니다.",
            },
            command: Some(Command::Fixed(
                "docker exec -it broker1 kafka-console-producer --bootstrap-server localhost:9092 --topic orders --producer-property acks=all",
            )),
            check: orders_refused,
            explanation: Bi {
                en: "`NotEnoughReplicasException: Messages are rejected since there are fewer in-sync replicas than \
                     required.` The leader refused the write before appending it: the record is not in the log. \
                     Kafka prefers refusing a write to accepting one that a single disk failure could lose.",
                ko: "`NotEnoughReplicasException: Messages are rejected since there are fewer in-sync replicas than \
                     required.` 리더가 로그에 쓰기 전에 거부했으므로 레코드는 로그에 없습니다. 디스크 하나만 고장 나도 \
                     잃을 수 있는 쓰기를 받느니 차라리 거부하는 것이 Kafka 의 선택입니다.",
            },
        },
        Step {
            title: Bi {
                en: "acks=1 is accepted",
                ko: "acks=1 은 받아들여짐",
            },
            instruction: Bi {
                en: "Now produce with `acks=1` and type a record, then Ctrl+D.",
                ko: "이번에는 `acks=1` 로 레코드를 하나 보내고 Ctrl+D 로 끝냅니다.",
            },
            command: Some(Command::Fixed(
                "docker exec -it broker1 kafka-console-producer --bootstrap-server localhost:9092 --topic orders --producer-property acks=1",
            )),
            check: orders_acked_one_above_hw,
            explanation: Bi {
                en: "No error: with `acks=1` the leader answers as soon as its own log has the record, and \
                     `min.insync.replicas` is not consulted. But the high watermark did not move (the leader's box \
                     shows LEO one past HW): since Kafka 3.7 it does not advance while the ISR is smaller than \
                     `min.insync.replicas`, so consumers cannot read this record yet. If broker 1 died now, it \
                     would be lost although the producer was told it was written.",
                ko: "오류가 없습니다. `acks=1` 이면 리더는 자기 로그에 쓰자마자 응답하고 `min.insync.replicas` 는 \
                     보지 않습니다. 하지만 high watermark 는 그대로입니다(리더 상자에서 LEO 가 HW 보다 하나 큽니다). \
                     Kafka 3.7 부터는 ISR 이 `min.insync.replicas` 보다 작으면 HW 를 올리지 않으므로, 컨슈머는 아직 \
                     이 레코드를 읽을 수 없습니다. 지금 broker1 이 죽으면 프로듀서는 성공 응답을 받았는데도 레코드는 \
                     사라집니다.",
            },
        },
        Step {
            title: Bi {
                en: "The followers return",
                ko: "팔로워 복귀",
            },
            instruction: Bi {
                en: "Start broker2 and broker3 and wait until they are back in the ISR.",
                ko: "broker2 와 broker3 을 다시 시작하고 ISR 에 돌아올 때까지 기다립니다.",
            },
            command: Some(Command::Fixed("docker start broker2 broker3")),
            check: orders_back,
            explanation: Bi {
                en: "The followers fetched the records they missed, including the `acks=1` one, and rejoined the \
                     ISR. With enough replicas in sync the high watermark caught up with the log end: the record is \
                     committed and readable now.",
                ko: "follower 들이 놓친 레코드(`acks=1` 로 보낸 것 포함)를 가져와 ISR 에 다시 들어왔습니다. 동기화된 \
                     복제본이 충분해지자 high watermark 가 로그 끝까지 올라갔습니다. 이제 그 레코드도 커밋되어 읽을 수 \
                     있습니다.",
            },
        },
    ],
};

// ---------------------------------------------------------------------------
// Lesson 5: consumer groups and lag

const EVENTS: &str = "events";
const READERS: &str = "readers";

fn events_created(c: &Check) -> bool {
    c.partitions(EVENTS).len() == 3
}

fn events_has_100(c: &Check) -> bool {
    c.records_in(EVENTS).is_some_and(|n| n >= 100)
}

/// The group committed some offsets and is behind.
fn readers_partly(c: &Check) -> bool {
    c.group_lag(READERS, EVENTS)
        .is_some_and(|(committed, lag)| committed > 0 && lag > 0)
}

fn described_readers_lagging(c: &Check) -> bool {
    c.ran("kafka-consumer-groups", &["--describe", "--group"], None) && readers_partly(c)
}

fn readers_caught_up(c: &Check) -> bool {
    c.records_in(EVENTS).is_some_and(|n| n > 0)
        && c.group_lag(READERS, EVENTS)
            .is_some_and(|(committed, lag)| committed > 0 && lag == 0)
}

/// New records since the group caught up: it is behind again.
fn readers_behind_again(c: &Check) -> bool {
    c.records_in(EVENTS).is_some_and(|n| n >= 150)
        && c.group_lag(READERS, EVENTS)
            .is_some_and(|(committed, lag)| committed >= 100 && lag > 0)
}

fn described_readers_behind_again(c: &Check) -> bool {
    c.ran("kafka-consumer-groups", &["--describe", "--group"], None) && readers_behind_again(c)
}

const DESCRIBE_READERS: &str =
    "docker exec broker1 kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group readers";

const LAG: Lesson = Lesson {
    id: "consumer-lag",
    title: Bi {
        en: "7. Consumer groups and lag",
        ko: "7. 컨슈머 그룹과 랙(lag)",
    },
    intro: Bi {
        en: "A consumer group remembers how far it has read each partition (its committed offsets). The distance to \
             the end of the partition is its lag.",
        ko: "컨슈머 그룹은 파티션마다 어디까지 읽었는지(커밋된 offset)를 기억합니다. 거기서 파티션 끝까지의 거리가 \
             랙(lag)입니다.",
    },
    steps: &[
        Step {
            title: HOST_STEP_TITLE,
            instruction: HOST_STEP_INSTRUCTION,
            command: Some(Command::Fixed("exit")),
            check: on_host,
            explanation: HOST_STEP_EXPLANATION,
        },
        Step {
            title: Bi {
                en: "A topic to read",
                ko: "읽을 토픽 만들기",
            },
            instruction: Bi {
                en: "Create `events` with three partitions.",
                ko: "파티션 3개짜리 `events` 토픽을 만듭니다.",
            },
            command: Some(Command::Fixed(
                "docker exec broker1 kafka-topics --bootstrap-server localhost:9092 --create --topic events --partitions 3",
            )),
            check: events_created,
            explanation: Bi {
                en: "Three empty partitions. A group's progress is kept per partition, so its lag is too.",
                ko: "빈 파티션 3개가 생겼습니다. 그룹의 진행 상황은 파티션별로 기록되므로 랙도 파티션별로 셉니다.",
            },
        },
        Step {
            title: Bi {
                en: "Produce 100 records",
                ko: "레코드 100개 보내기",
            },
            instruction: Bi {
                en: "Send 100 records of 100 bytes with the producer performance tool.",
                ko: "프로듀서 성능 테스트 도구로 100바이트짜리 레코드 100개를 보냅니다.",
            },
            command: Some(Command::Fixed(
                "docker exec broker1 kafka-producer-perf-test --topic events --num-records 100 --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092",
            )),
            check: events_has_100,
            explanation: Bi {
                en: "`100 records sent`. The records have no key, so the producer's sticky partitioner fills one \
                     partition batch by batch instead of spreading each record: most partitions may still be empty \
                     (`kafka-get-offsets` shows each partition's end).",
                ko: "`100 records sent` 가 나왔습니다. 키가 없는 레코드라서 프로듀서의 sticky 파티셔너가 레코드마다 \
                     흩뿌리지 않고 배치 단위로 한 파티션을 채웁니다. 그래서 비어 있는 파티션이 있을 수 있습니다 \
                     (`kafka-get-offsets` 로 파티션별 끝 offset 을 볼 수 있습니다).",
            },
        },
        Step {
            title: Bi {
                en: "Read 30 in a group",
                ko: "그룹으로 30개 읽기",
            },
            instruction: Bi {
                en: "Read the first 30 records as group `readers`. The consumer stops after 30 messages.",
                ko: "`readers` 그룹으로 처음부터 30개만 읽습니다. 30개를 읽으면 컨슈머가 끝납니다.",
            },
            command: Some(Command::Fixed(
                "docker exec broker1 kafka-console-consumer --bootstrap-server localhost:9092 --topic events --group readers --from-beginning --max-messages 30",
            )),
            check: readers_partly,
            explanation: Bi {
                en: "`Processed a total of 30 messages`. The consumer joined group `readers`, got all three \
                     partitions (it was the only member), and committed its position when it closed: the group \
                     coordinator stored the offsets in `__consumer_offsets`.",
                ko: "`Processed a total of 30 messages` 가 나왔습니다. 컨슈머가 `readers` 그룹에 들어가 유일한 멤버로서 \
                     파티션 3개를 모두 배정받았고, 끝나면서 읽은 위치를 커밋했습니다. 그룹 코디네이터가 그 offset 을 \
                     `__consumer_offsets` 에 저장했습니다.",
            },
        },
        Step {
            title: Bi {
                en: "Read the lag",
                ko: "랙 확인",
            },
            instruction: Bi {
                en: "Describe group `readers`.",
                ko: "`readers` 그룹을 상세 조회합니다.",
            },
            command: Some(Command::Fixed(DESCRIBE_READERS)),
            check: described_readers_lagging,
            explanation: Bi {
                en: "One row per partition: `CURRENT-OFFSET` is the committed offset, `LOG-END-OFFSET` the partition's \
                     high watermark (the end a consumer can read to), and `LAG` the difference: records written but \
                     not yet read by this group. \"Consumer group 'readers' has no active members\": the consumer \
                     has exited, but the group keeps its offsets.",
                ko: "파티션마다 한 줄입니다. `CURRENT-OFFSET` 은 커밋된 offset, `LOG-END-OFFSET` 은 파티션의 high \
                     watermark(컨슈머가 읽을 수 있는 끝), `LAG` 은 그 차이, 즉 쓰였지만 이 그룹이 아직 읽지 않은 \
                     레코드 수입니다. \"Consumer group 'readers' has no active members\" 는 컨슈머는 끝났지만 그룹은 \
                     offset 을 그대로 가지고 있다는 뜻입니다.",
            },
        },
        Step {
            title: Bi {
                en: "Catch up",
                ko: "따라잡기",
            },
            instruction: Bi {
                en: "Run the group's consumer again, without `--from-beginning`. It stops after 5 seconds without \
                     new records.",
                ko: "이번에는 `--from-beginning` 없이 그룹 컨슈머를 다시 실행합니다. 새 레코드 없이 5초가 지나면 끝납니다.",
            },
            command: Some(Command::Fixed(
                "docker exec broker1 kafka-console-consumer --bootstrap-server localhost:9092 --topic events --group readers --timeout-ms 5000",
            )),
            check: readers_caught_up,
            explanation: Bi {
                en: "It went on from the committed offsets, not from the start: only the remaining records were \
                     printed. The `TimeoutException` at the end is how the console consumer reports \
                     `--timeout-ms` running out. The lag is 0 now.",
                ko: "처음부터가 아니라 커밋된 offset 부터 이어서 읽었기 때문에 남은 레코드만 출력되었습니다. 마지막의 \
                     `TimeoutException` 은 `--timeout-ms` 가 지나서 끝났다는 콘솔 컨슈머의 표시입니다. 이제 랙은 0 입니다.",
            },
        },
        Step {
            title: Bi {
                en: "Fall behind again",
                ko: "다시 뒤처지기",
            },
            instruction: Bi {
                en: "Produce 50 more records while no consumer of the group runs.",
                ko: "그룹의 컨슈머가 없는 동안 레코드 50개를 더 보냅니다.",
            },
            command: Some(Command::Fixed(
                "docker exec broker1 kafka-producer-perf-test --topic events --num-records 50 --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092",
            )),
            check: readers_behind_again,
            explanation: Bi {
                en: "The partitions grew; the group's committed offsets did not move. Lag is what a group still has \
                     to read, whether its consumers are slow or, as here, not running at all.",
                ko: "파티션은 늘어났지만 그룹의 커밋된 offset 은 그대로입니다. 컨슈머가 느려서든, 지금처럼 아예 돌고 \
                     있지 않아서든, 그룹이 아직 읽어야 할 양이 랙입니다.",
            },
        },
        Step {
            title: Bi {
                en: "The lag, again",
                ko: "랙 다시 확인",
            },
            instruction: Bi {
                en: "Describe group `readers` again.",
                ko: "`readers` 그룹을 다시 상세 조회합니다.",
            },
            command: Some(Command::Fixed(DESCRIBE_READERS)),
            check: described_readers_behind_again,
            explanation: Bi {
                en: "`LAG` is 50 in total, on the partition the new batch went to. Monitoring watches exactly this \
                     number: a lag that keeps growing means the consumers cannot keep up (add members, up to one \
                     per partition), and a group whose offsets fall behind the log's retention loses records to \
                     `auto.offset.reset`.",
                ko: "새 배치가 들어간 파티션에 `LAG` 이 합계 50 으로 나옵니다. 모니터링이 보는 숫자가 바로 이것입니다. \
                     랙이 계속 늘어나면 컨슈머가 따라가지 못한다는 뜻이고(멤버를 파티션 수까지 늘릴 수 있습니다), \
                     그룹의 offset 이 로그 보존 기간보다 뒤처지면 그 레코드는 지워져 `auto.offset.reset` 으로 건너뛰게 \
                     됩니다.",
            },
        },
    ],
};

// ---------------------------------------------------------------------------
// Lesson 6 (after acks): unclean leader election and the records it loses

const PAYMENTS: &str = "payments";

fn payments() -> TopicPartition {
    TopicPartition::new(PAYMENTS, 0)
}

fn payments_created(c: &Check) -> bool {
    c.partitions(PAYMENTS).first().is_some_and(|p| p.replicas == [2, 3])
        && c.topic(PAYMENTS)
            .is_some_and(|t| t.configs.get("unclean.leader.election.enable").map(String::as_str) == Some("true"))
}

fn payments_isr(c: &Check) -> Vec<i32> {
    c.partitions(PAYMENTS)
        .first()
        .map(|p| p.isr.clone())
        .unwrap_or_default()
}

fn payments_leader(c: &Check) -> i32 {
    c.partitions(PAYMENTS)
        .first()
        .map_or(kafkaplay_cluster::NO_NODE, |p| p.leader)
}

/// Records acknowledged and replicated to both brokers.
fn payments_on_both(c: &Check) -> bool {
    c.produced(&payments(), Ok(()))
        && payments_isr(c).len() == 2
        && c.offsets(&payments()).is_some_and(|(hw, leo)| hw >= 1 && hw == leo)
}

fn payments_leader_alone(c: &Check) -> bool {
    payments_isr(c) == [2] && payments_leader(c) == 2 && c.alive(2) && !c.alive(3)
}

fn payments_acked_on_2_only(c: &Check) -> bool {
    c.produced(&payments(), Ok(())) && payments_isr(c) == [2]
}

fn payments_offline(c: &Check) -> bool {
    c.topic(PAYMENTS).is_some() && payments_leader(c) == kafkaplay_cluster::NO_NODE
}

fn payments_unclean_leader(c: &Check) -> bool {
    payments_leader(c) == 3 && c.last_election(&payments()) == Some("unclean")
}

fn payments_truncated(c: &Check) -> bool {
    c.truncated(&payments(), 2) > 0 && fully_replicated(c, PAYMENTS)
}

const UNCLEAN: Lesson = Lesson {
    id: "unclean-election",
    title: Bi {
        en: "5. Unclean leader election",
        ko: "5. 언클린 리더 선출",
    },
    intro: Bi {
        en: "When no in-sync replica is left, Kafka can wait for one to return, or elect a replica that is behind \
             and lose what it missed. `unclean.leader.election.enable` chooses.",
        ko: "동기화된 복제본이 하나도 남지 않으면 Kafka 는 그 복제본이 돌아오기를 기다리거나, 뒤처진 복제본을 리더로 \
             뽑고 그 복제본이 놓친 레코드를 버립니다. 어느 쪽을 택할지 정하는 설정이 \
             `unclean.leader.election.enable` 입니다.",
    },
    steps: &[
        Step {
            title: HOST_STEP_TITLE,
            instruction: HOST_STEP_INSTRUCTION,
            command: Some(Command::Fixed("exit")),
            check: on_host,
            explanation: HOST_STEP_EXPLANATION,
        },
        Step {
            title: Bi {
                en: "Two replicas, unclean allowed",
                ko: "복제본 2개, 언클린 선출 허용",
            },
            instruction: Bi {
                en: "Create `payments` with its two replicas on brokers 2 and 3 (`--replica-assignment 2:3`) and \
                     unclean leader election enabled.",
                ko: "복제본 2개를 broker2 와 broker3 에 두고(`--replica-assignment 2:3`) 언클린 리더 선출을 허용한 \
                     `payments` 토픽을 만듭니다.",
            },
            command: Some(Command::Fixed(
                "docker exec broker1 kafka-topics --bootstrap-server localhost:9092 --create --topic payments --replica-assignment 2:3 --config unclean.leader.election.enable=true",
            )),
            check: payments_created,
            explanation: Bi {
                en: "`--replica-assignment 2:3` places partition 0 on brokers 2 and 3; the first, broker 2, is the \
                     preferred leader. `unclean.leader.election.enable` is `false` by default; this topic overrides \
                     it.",
                ko: "`--replica-assignment 2:3` 로 파티션 0 을 broker2 와 broker3 에 두었고, 첫 번째인 broker2 가 선호 \
                     리더입니다. `unclean.leader.election.enable` 의 기본값은 `false` 인데 이 토픽에서만 바꾸었습니다.",
            },
        },
        Step {
            title: Bi {
                en: "Records on both",
                ko: "두 복제본에 기록",
            },
            instruction: Bi {
                en: "Send five records (`seq 1 5` gives the lines 1 to 5).",
                ko: "레코드 5개를 보냅니다(`seq 1 5` 가 1 부터 5 까지 한 줄씩 만듭니다).",
            },
            command: Some(Command::Fixed(
                "seq 1 5 | docker exec -i broker1 kafka-console-producer --bootstrap-server localhost:9092 --topic payments --producer-property acks=1",
            )),
            check: payments_on_both,
            explanation: Bi {
                en: "Offsets 0 to 4 are on broker 2 and on broker 3, both in the ISR, and below the high watermark.",
                ko: "offset 0~4 가 broker2 와 broker3 모두에 있고, 둘 다 ISR 에 있으며, high watermark 아래에 있습니다.",
            },
        },
        Step {
            title: Bi {
                en: "The follower dies",
                ko: "팔로워 중지",
            },
            instruction: Bi {
                en: "Kill broker3, the follower, and wait until it leaves the ISR (about 9 seconds).",
                ko: "follower 인 broker3 을 강제로 종료하고 ISR 에서 빠질 때까지(9초쯤) 기다립니다.",
            },
            command: Some(Command::Fixed("docker kill broker3")),
            check: payments_leader_alone,
            explanation: Bi {
                en: "`Isr: 2`: the leader goes on alone. With the default `min.insync.replicas=1`, writes are still \
                     accepted and committed on broker 2 only.",
                ko: "`Isr: 2`, 리더 혼자 남았습니다. `min.insync.replicas` 가 기본값 1 이므로 쓰기는 계속 받아들여지고, \
                     broker2 한 곳에만 커밋됩니다.",
            },
        },
        Step {
            title: Bi {
                en: "Records on broker 2 only",
                ko: "broker2 에만 기록",
            },
            instruction: Bi {
                en: "Send five more records.",
                ko: "레코드 5개를 더 보냅니다.",
            },
            command: Some(Command::Fixed(
                "seq 6 10 | docker exec -i broker1 kafka-console-producer --bootstrap-server localhost:9092 --topic payments --producer-property acks=1",
            )),
            check: payments_acked_on_2_only,
            explanation: Bi {
                en: "Acknowledged, and committed: the high watermark is 10 (`kafka-get-offsets` shows it). But offsets \
                     5 to 9 exist only on broker 2.",
                ko: "성공 응답을 받았고 커밋도 되었습니다. high watermark 는 10 입니다(`kafka-get-offsets` 로 볼 수 \
                     있습니다). 하지만 offset 5~9 는 broker2 에만 있습니다.",
            },
        },
        Step {
            title: Bi {
                en: "The leader dies",
                ko: "리더 중지",
            },
            instruction: Bi {
                en: "Kill broker2 too, and wait until the partition is offline.",
                ko: "broker2 도 강제로 종료하고 파티션이 오프라인이 될 때까지 기다립니다.",
            },
            command: Some(Command::Fixed("docker kill broker2")),
            check: payments_offline,
            explanation: Bi {
                en: "`Leader: none`. Both replicas are down; the ISR still names broker 2, the last replica known to \
                     have every committed record.",
                ko: "`Leader: none` 입니다. 복제본 둘 다 죽었고, ISR 에는 커밋된 레코드를 모두 가진 마지막 복제본인 \
                     broker2 가 남아 있습니다.",
            },
        },
        Step {
            title: Bi {
                en: "The stale replica returns",
                ko: "뒤처진 복제본 복귀",
            },
            instruction: Bi {
                en: "Start broker3, which missed offsets 5 to 9.",
                ko: "offset 5~9 를 놓친 broker3 을 다시 시작합니다.",
            },
            command: Some(Command::Fixed("docker start broker3")),
            check: payments_unclean_leader,
            explanation: Bi {
                en: "Broker 3 is not in the ISR, so a clean election could not choose it. Because the topic allows \
                     it, the controller elected it anyway: an unclean election. The partition is available again \
                     (`Leader: 3`), but its log ends at offset 5: `kafka-get-offsets` says `payments:0:5`, although \
                     the high watermark had reached 10.",
                ko: "broker3 은 ISR 에 없어서 깨끗한(clean) 선출로는 뽑힐 수 없습니다. 하지만 토픽이 허용했으므로 \
                     컨트롤러가 그래도 리더로 뽑았습니다. 이것이 언클린 선출입니다. 파티션은 다시 쓸 수 있게 \
                     되었지만(`Leader: 3`) 로그는 offset 5 에서 끝납니다. high watermark 가 10 까지 갔었는데도 \
                     `kafka-get-offsets` 는 `payments:0:5` 를 보여 줍니다.",
            },
        },
        Step {
            title: Bi {
                en: "The records are gone",
                ko: "사라진 레코드",
            },
            instruction: Bi {
                en: "Start broker2 again and wait until it is back in the ISR.",
                ko: "broker2 를 다시 시작하고 ISR 에 돌아올 때까지 기다립니다.",
            },
            command: Some(Command::Fixed("docker start broker2")),
            check: payments_truncated,
            explanation: Bi {
                en: "Broker 2 came back as a follower of the new leader and truncated its log to match: offsets 5 to \
                     9, acknowledged and committed, are gone from every replica. That is the price of an unclean \
                     election. With the default (`false`) the partition would have stayed offline until broker 2 \
                     returned, and nothing would have been lost.",
                ko: "broker2 는 새 리더의 follower 로 돌아와 로그를 리더에 맞춰 잘라냈습니다(truncate). 성공 응답을 받고 \
                     커밋까지 된 offset 5~9 가 모든 복제본에서 사라졌습니다. 언클린 선출의 대가입니다. 기본값(`false`) \
                     이었다면 broker2 가 돌아올 때까지 파티션은 오프라인으로 남았겠지만 잃는 레코드는 없었을 것입니다.",
            },
        },
    ],
};

// ---------------------------------------------------------------------------
// Lesson 7: retention

const LOGS: &str = "logs";

fn logs() -> TopicPartition {
    TopicPartition::new(LOGS, 0)
}

fn logs_created(c: &Check) -> bool {
    c.partitions(LOGS).first().is_some_and(|p| p.replicas == [1])
        && c.topic(LOGS)
            .is_some_and(|t| t.configs.get("segment.ms").map(String::as_str) == Some("10000"))
}

fn logs_has_100(c: &Check) -> bool {
    c.offsets(&logs()).is_some_and(|(hw, _)| hw >= 100)
}

/// `ls` of the partition's directory.
fn listed_logs_0(c: &Check) -> bool {
    c.commands.iter().any(|r| {
        r.status.is_none_or(|s| s == 0)
            && super::simple_commands(&r.line)
                .iter()
                .any(|w| w.first().is_some_and(|t| t == "ls") && w.iter().any(|a| a.contains("logs-0")))
    })
}

fn logs_retention_set(c: &Check) -> bool {
    c.topic(LOGS)
        .is_some_and(|t| t.configs.get("retention.ms").map(String::as_str) == Some("20000"))
}

/// The log start offset moved: segments were deleted.
fn logs_start_moved(c: &Check) -> bool {
    c.sim()
        .broker(1)
        .and_then(|b| b.replica_info(&logs()))
        .is_some_and(|i| i.log_start_offset > 0)
}

fn earliest_read(c: &Check) -> bool {
    c.ran("kafka-get-offsets", &["--time"], Some(LOGS)) && logs_start_moved(c)
}

const RETENTION: Lesson = Lesson {
    id: "retention",
    title: Bi {
        en: "8. Retention: old segments are deleted",
        ko: "8. 보존 기간(retention): 오래된 세그먼트 삭제",
    },
    intro: Bi {
        en: "Kafka keeps records for a time (`retention.ms`, 7 days by default) or up to a size, whether or not \
             anyone read them, and then deletes whole segment files.",
        ko: "Kafka 는 레코드를 읽었든 안 읽었든 정해진 시간(`retention.ms`, 기본 7일)이나 크기만큼 보관하고, \
             그 뒤에는 세그먼트 파일 단위로 지웁니다.",
    },
    steps: &[
        Step {
            title: HOST_STEP_TITLE,
            instruction: HOST_STEP_INSTRUCTION,
            command: Some(Command::Fixed("exit")),
            check: on_host,
            explanation: HOST_STEP_EXPLANATION,
        },
        Step {
            title: Bi {
                en: "Short segments",
                ko: "짧은 세그먼트",
            },
            instruction: Bi {
                en: "Create `logs` with its one replica on broker 1 (`--replica-assignment 1`, so broker1's disk \
                     holds it) and a new segment every 10 seconds (`segment.ms=10000`).",
                ko: "복제본 하나를 broker1 에 두고(`--replica-assignment 1`, broker1 디스크에서 파일을 보려고) \
                     10초마다 새 세그먼트를 만드는(`segment.ms=10000`) `logs` 토픽을 만듭니다.",
            },
            command: Some(Command::Fixed(
                "docker exec broker1 kafka-topics --bootstrap-server localhost:9092 --create --topic logs --replica-assignment 1 --config segment.ms=10000",
            )),
            check: logs_created,
            explanation: Bi {
                en: "A partition's log is a series of segment files; only the last, the active segment, is written \
                     to. With `segment.ms=10000` the active segment is closed and a new one started when a record \
                     arrives more than 10 seconds after the segment began.",
                ko: "파티션의 로그는 세그먼트 파일 여러 개로 되어 있고, 쓰기는 마지막 세그먼트(active segment)에만 \
                     합니다. `segment.ms=10000` 이면 세그먼트를 연 지 10초가 지난 뒤 레코드가 오면 그 세그먼트를 닫고 \
                     새 세그먼트를 엽니다.",
            },
        },
        Step {
            title: Bi {
                en: "Fill it",
                ko: "레코드 채우기",
            },
            instruction: Bi {
                en: "Send 100 records at 10 per second.",
                ko: "초당 10개씩 레코드 100개를 보냅니다.",
            },
            command: Some(Command::Fixed(
                "docker exec broker1 kafka-producer-perf-test --topic logs --num-records 100 --record-size 100 --throughput 10 --producer-props bootstrap.servers=localhost:9092",
            )),
            check: logs_has_100,
            explanation: Bi {
                en: "Ten seconds of records: offsets 0 to 99 in the partition's log on broker 1.",
                ko: "10초 동안 레코드가 들어가 broker1 의 파티션 로그에 offset 0~99 가 쌓였습니다.",
            },
        },
        Step {
            title: Bi {
                en: "The files",
                ko: "파일 확인",
            },
            instruction: Bi {
                en: "List the partition's directory on broker1's disk.",
                ko: "broker1 디스크에서 파티션 디렉터리를 봅니다.",
            },
            command: Some(Command::Fixed("docker exec broker1 ls -l /var/lib/kafka/data/logs-0")),
            check: listed_logs_0,
            explanation: Bi {
                en: "Each segment is three files named after its first offset: `.log` (the record batches), \
                     `.index` (offset to position) and `.timeindex` (timestamp to offset). \
                     `00000000000000000000.log` starts at offset 0.",
                ko: "세그먼트 하나는 첫 offset 을 이름으로 하는 파일 세 개입니다. `.log`(레코드 배치), `.index`(offset → \
                     파일 위치), `.timeindex`(타임스탬프 → offset). `00000000000000000000.log` 는 offset 0 부터 \
                     시작하는 세그먼트입니다.",
            },
        },
        Step {
            title: Bi {
                en: "Twenty seconds of retention",
                ko: "보존 기간 20초",
            },
            instruction: Bi {
                en: "Set the topic's `retention.ms` to 20 seconds with `kafka-configs`.",
                ko: "`kafka-configs` 로 이 토픽의 `retention.ms` 를 20초로 바꿉니다.",
            },
            command: Some(Command::Fixed(
                "docker exec broker1 kafka-configs --bootstrap-server localhost:9092 --alter --entity-type topics --entity-name logs --add-config retention.ms=20000",
            )),
            check: logs_retention_set,
            explanation: Bi {
                en: "`Completed updating config for topic logs.` A topic config overrides the broker's \
                     `log.retention.hours=168` for this topic only; `kafka-configs --describe` lists both.",
                ko: "`Completed updating config for topic logs.` 토픽 설정은 이 토픽에 한해 브로커의 \
                     `log.retention.hours=168` 을 덮어씁니다. `kafka-configs --describe` 로 둘 다 볼 수 있습니다.",
            },
        },
        Step {
            title: Bi {
                en: "Wait for the cleanup",
                ko: "삭제 기다리기",
            },
            instruction: Bi {
                en: "The broker checks retention every `log.retention.check.interval.ms` (5 minutes). Let 5 minutes \
                     of simulated time pass: `sleep 300`, or speed up the clock.",
                ko: "브로커는 `log.retention.check.interval.ms`(5분)마다 보존 기간을 검사합니다. 시뮬레이션 시간을 \
                     5분 흘려보내세요. `sleep 300` 을 실행하거나 시계 속도를 올리면 됩니다.",
            },
            command: Some(Command::Fixed("sleep 300")),
            check: logs_start_moved,
            explanation: Bi {
                en: "The retention task deleted every segment whose newest record was older than 20 seconds; \
                     `docker logs broker1` says so. It deletes whole segments only, never part of one, and it \
                     rolled a new empty active segment first because every record had expired. Nobody read these \
                     records, and Kafka did not wait for anyone.",
                ko: "보존 작업이 가장 최근 레코드가 20초보다 오래된 세그먼트를 모두 지웠습니다(`docker logs broker1` \
                     에 기록이 남습니다). 세그먼트를 통째로만 지우고 일부만 지우지는 않습니다. 모든 레코드가 만료되었기 \
                     때문에 먼저 빈 active segment 를 새로 만들고 지웠습니다. 아무도 읽지 않은 레코드였지만 Kafka 는 \
                     기다려 주지 않습니다.",
            },
        },
        Step {
            title: Bi {
                en: "The earliest offset",
                ko: "가장 이른 offset",
            },
            instruction: Bi {
                en: "Ask for the partition's earliest offset (`--time -2`).",
                ko: "파티션의 가장 이른 offset 을 조회합니다(`--time -2`).",
            },
            command: Some(Command::Fixed(
                "docker exec broker1 kafka-get-offsets --bootstrap-server localhost:9092 --topic logs --time -2",
            )),
            check: earliest_read,
            explanation: Bi {
                en: "`logs:0:100`: the log start offset moved to 100. Offsets are never reused; the log now begins \
                     where the deleted segments ended. A consumer reading `--from-beginning` starts at 100, and a \
                     group whose committed offset fell below it jumps by `auto.offset.reset`.",
                ko: "`logs:0:100`, 로그 시작 offset 이 100 으로 옮겨 갔습니다. offset 은 다시 쓰이지 않고, 로그는 지워진 \
                     세그먼트가 끝난 자리부터 시작합니다. `--from-beginning` 으로 읽는 컨슈머는 100 부터 읽고, 커밋된 \
                     offset 이 그보다 뒤처진 그룹은 `auto.offset.reset` 에 따라 건너뜁니다.",
            },
        },
    ],
};

// ---------------------------------------------------------------------------
// Lesson 8: compaction

const PRICES: &str = "prices";

fn prices() -> TopicPartition {
    TopicPartition::new(PRICES, 0)
}

fn prices_log(c: &Check) -> Option<(i64, usize, Option<i64>)> {
    let log = c.sim().broker(1)?.log(&prices())?;
    let first = log.batches().next().map(|(_, b)| b.base_offset());
    Some((log.log_start_offset(), log.segment_count(), first))
}

fn prices_created(c: &Check) -> bool {
    c.partitions(PRICES).first().is_some_and(|p| p.replicas == [1])
        && c.topic(PRICES)
            .is_some_and(|t| t.configs.get("cleanup.policy").map(String::as_str) == Some("compact"))
}

fn prices_has_5(c: &Check) -> bool {
    c.offsets(&prices()).is_some_and(|(hw, _)| hw >= 5)
}

fn prices_rolled(c: &Check) -> bool {
    prices_log(c).is_some_and(|(_, segments, _)| segments >= 2)
}

/// The first records are gone while the log still starts at the same
/// offset: a gap the cleaner left, not retention.
fn prices_cleaned(c: &Check) -> bool {
    prices_log(c).is_some_and(|(start, _, first)| first.is_some_and(|f| f > start))
}

fn prices_read(c: &Check) -> bool {
    c.ran("kafka-console-consumer", &["--from-beginning"], Some(PRICES)) && prices_cleaned(c)
}

const PRODUCE_PRICES: &str = "printf 'apple:100\\nbanana:50\\napple:120\\nbanana:55\\napple:130\\n' | docker exec -i broker1 kafka-console-producer --bootstrap-server localhost:9092 --topic prices --property parse.key=true --property key.separator=:";

const COMPACTION: Lesson = Lesson {
    id: "compaction",
    title: Bi {
        en: "9. Compaction: the latest value per key",
        ko: "9. 컴팩션: 키마다 최신 값만",
    },
    intro: Bi {
        en: "With `cleanup.policy=compact` Kafka does not delete by age: the log cleaner removes records that a \
             later record with the same key has replaced. The topic becomes a table.",
        ko: "`cleanup.policy=compact` 인 토픽은 오래됐다고 지우지 않습니다. 같은 키의 더 새로운 레코드가 있으면 \
             로그 클리너가 예전 레코드를 지웁니다. 토픽이 키-값 테이블처럼 됩니다.",
    },
    steps: &[
        Step {
            title: HOST_STEP_TITLE,
            instruction: HOST_STEP_INSTRUCTION,
            command: Some(Command::Fixed("exit")),
            check: on_host,
            explanation: HOST_STEP_EXPLANATION,
        },
        Step {
            title: Bi {
                en: "A compacted topic",
                ko: "컴팩션 토픽 만들기",
            },
            instruction: Bi {
                en: "Create `prices` on broker 1 with `cleanup.policy=compact`, 10-second segments, and a cleaner \
                     eager to clean (`min.cleanable.dirty.ratio=0.01`).",
                ko: "broker1 에 `cleanup.policy=compact`, 10초 세그먼트, 조금만 쌓여도 정리하는 \
                     (`min.cleanable.dirty.ratio=0.01`) `prices` 토픽을 만듭니다.",
            },
            command: Some(Command::Fixed(
                "docker exec broker1 kafka-topics --bootstrap-server localhost:9092 --create --topic prices --replica-assignment 1 --config cleanup.policy=compact --config segment.ms=10000 --config min.cleanable.dirty.ratio=0.01",
            )),
            check: prices_created,
            explanation: Bi {
                en: "The cleaner cleans a log when the share of not-yet-cleaned (dirty) bytes passes \
                     `min.cleanable.dirty.ratio` (0.5 by default); 0.01 makes it clean almost at once.",
                ko: "클리너는 아직 정리되지 않은(dirty) 바이트의 비율이 `min.cleanable.dirty.ratio`(기본 0.5)를 넘으면 \
                     로그를 정리합니다. 0.01 이면 거의 바로 정리합니다.",
            },
        },
        Step {
            title: Bi {
                en: "Prices by key",
                ko: "키가 있는 레코드",
            },
            instruction: Bi {
                en: "Send five keyed records, `key:value` per line: apple three times, banana twice.",
                ko: "`키:값` 형식으로 키가 있는 레코드 5개를 보냅니다. apple 세 번, banana 두 번입니다.",
            },
            command: Some(Command::Fixed(PRODUCE_PRICES)),
            check: prices_has_5,
            explanation: Bi {
                en: "Offsets 0 to 4: apple 100, banana 50, apple 120, banana 55, apple 130. Until the cleaner runs, \
                     every one of them is in the log.",
                ko: "offset 0~4 에 apple 100, banana 50, apple 120, banana 55, apple 130 이 들어갔습니다. 클리너가 돌기 \
                     전까지는 모두 로그에 남아 있습니다.",
            },
        },
        Step {
            title: Bi {
                en: "Close the segment",
                ko: "세그먼트 닫기",
            },
            instruction: Bi {
                en: "The cleaner never touches the active segment. Wait 10 seconds, then send one more record: it \
                     starts a new segment.",
                ko: "클리너는 active segment 는 건드리지 않습니다. 10초를 기다린 뒤 레코드를 하나 더 보내면 새 세그먼트가 \
                     시작됩니다.",
            },
            command: Some(Command::Fixed(
                "printf 'cherry:10\\n' | docker exec -i broker1 kafka-console-producer --bootstrap-server localhost:9092 --topic prices --property parse.key=true --property key.separator=:",
            )),
            check: prices_rolled,
            explanation: Bi {
                en: "The segment that began at offset 0 was older than `segment.ms`, so the broker rolled: \
                     `00000000000000000005.log` holds cherry, and the first segment is closed, ready to clean.",
                ko: "offset 0 에서 시작한 세그먼트가 `segment.ms` 보다 오래되어 브로커가 새 세그먼트를 열었습니다. \
                     `00000000000000000005.log` 에 cherry 가 들어갔고, 첫 세그먼트는 닫혀서 정리할 수 있게 되었습니다.",
            },
        },
        Step {
            title: Bi {
                en: "Let the cleaner run",
                ko: "클리너 기다리기",
            },
            instruction: Bi {
                en: "The cleaner thread looks for work every `log.cleaner.backoff.ms` (15 seconds). Let 30 seconds \
                     pass.",
                ko: "클리너 스레드는 `log.cleaner.backoff.ms`(15초)마다 할 일을 찾습니다. 30초를 흘려보냅니다.",
            },
            command: Some(Command::Fixed("sleep 30")),
            check: prices_cleaned,
            explanation: Bi {
                en: "The cleaner copied the closed segment keeping only the latest record of each key: banana 55 \
                     (offset 3) and apple 130 (offset 4). The log still starts at offset 0, but its first record is \
                     now offset 3: offsets 0 to 2 are gone and offsets are never renumbered.",
                ko: "클리너가 닫힌 세그먼트를 다시 쓰면서 키마다 마지막 레코드만 남겼습니다. banana 55(offset 3)와 \
                     apple 130(offset 4)입니다. 로그 시작 offset 은 여전히 0 이지만 첫 레코드는 이제 offset 3 입니다. \
                     offset 0~2 는 사라졌고, offset 번호는 다시 매기지 않습니다.",
            },
        },
        Step {
            title: Bi {
                en: "Read it as a table",
                ko: "테이블처럼 읽기",
            },
            instruction: Bi {
                en: "Read `prices` from the beginning, with keys and offsets.",
                ko: "키와 offset 을 함께 출력하며 `prices` 를 처음부터 읽습니다.",
            },
            command: Some(Command::Fixed(
                "docker exec broker1 kafka-console-consumer --bootstrap-server localhost:9092 --topic prices --from-beginning --property print.key=true --property print.offset=true --timeout-ms 10000",
            )),
            check: prices_read,
            explanation: Bi {
                en: "`Offset:3 banana 55`, `Offset:4 apple 130`, `Offset:5 cherry 10`: one value per key, the latest, \
                     with gaps in the offsets. A consumer that reads a compacted topic from the start rebuilds the \
                     current state of every key; this is how `__consumer_offsets` keeps each group's latest \
                     committed offsets.",
                ko: "`Offset:3 banana 55`, `Offset:4 apple 130`, `Offset:5 cherry 10`. 키마다 최신 값 하나씩이고 offset \
                     에는 빈 자리가 있습니다. 컴팩션 토픽을 처음부터 읽는 컨슈머는 모든 키의 현재 상태를 다시 만들 수 \
                     있습니다. `__consumer_offsets` 가 그룹마다 마지막으로 커밋한 offset 을 이렇게 보관합니다.",
            },
        },
    ],
};

// ---------------------------------------------------------------------------
// Lesson 6: consumer groups and rebalancing. The terminal runs one job at a
// time (a console consumer holds it until Ctrl+C), so the group's members are
// started from the consumer-groups panel, which runs real consumers of the
// cluster crate; the terminal stays free to describe the group.

const CLICKS: &str = "clicks";
const DASHBOARD: &str = "dashboard";

fn clicks_created(c: &Check) -> bool {
    c.partitions(CLICKS).len() == 6
}

/// Group `dashboard` is `Stable` with `members` members, each owning some of
/// `clicks`'s partitions, every partition owned by exactly one.
fn dashboard_split(c: &Check, members: usize) -> bool {
    let partitions = c.partitions(CLICKS).len();
    let Some(g) = c.group(DASHBOARD) else { return false };
    if partitions == 0 || g.state != "Stable" || g.members.len() != members {
        return false;
    }
    let mut owned: Vec<i32> = g
        .members
        .iter()
        .flat_map(|m| {
            m.assignment
                .iter()
                .filter(|tp| tp.topic == CLICKS)
                .map(|tp| tp.partition)
        })
        .collect();
    let count = owned.len();
    owned.sort_unstable();
    owned.dedup();
    count == partitions && owned.len() == partitions && g.members.iter().all(|m| !m.assignment.is_empty())
}

fn dashboard_one(c: &Check) -> bool {
    dashboard_split(c, 1)
}

fn dashboard_two(c: &Check) -> bool {
    dashboard_split(c, 2)
}

fn dashboard_three(c: &Check) -> bool {
    dashboard_split(c, 3)
}

fn described_dashboard(c: &Check) -> bool {
    c.ran("kafka-consumer-groups", &["--describe", "--group"], None)
}

fn described_dashboard_one(c: &Check) -> bool {
    described_dashboard(c) && dashboard_one(c)
}

fn described_dashboard_two(c: &Check) -> bool {
    described_dashboard(c) && dashboard_two(c)
}

/// A member left (a rebalance since the step began) and two share the topic.
fn dashboard_member_left(c: &Check) -> bool {
    dashboard_two(c) && c.rebalanced(DASHBOARD)
}

fn described_members_after_leave(c: &Check) -> bool {
    c.ran("kafka-consumer-groups", &["--describe", "--group", "--members"], None) && dashboard_two(c)
}

const DESCRIBE_DASHBOARD: &str =
    "docker exec broker1 kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group dashboard";

const START_DASHBOARD: Command = Command::Page(super::PageAction::StartConsumer {
    group: DASHBOARD,
    topic: CLICKS,
});

const REBALANCE: Lesson = Lesson {
    id: "rebalance",
    title: Bi {
        en: "6. Consumer groups and rebalancing",
        ko: "6. 컨슈머 그룹과 리밸런싱",
    },
    intro: Bi {
        en: "Consumers that share a `group.id` split a topic's partitions between them: each partition is read by \
             one member of the group. When a member joins or leaves, the group rebalances: the coordinator takes \
             the partitions back and hands them out again. The terminal runs one consumer at a time, so the members \
             here are started from the Consumer groups panel.",
        ko: "같은 `group.id` 를 쓰는 컨슈머들은 토픽의 파티션을 나눠 가집니다. 파티션 하나는 그룹 안에서 한 멤버만 \
             읽습니다. 멤버가 들어오거나 나가면 그룹이 리밸런싱을 합니다. 코디네이터가 파티션을 모두 거둬들였다가 \
             다시 나눠 주는 것이죠. 터미널은 컨슈머를 한 번에 하나만 돌릴 수 있으므로, 여기서는 멤버를 \
             '컨슈머 그룹' 패널에서 띄웁니다.",
    },
    steps: &[
        Step {
            title: HOST_STEP_TITLE,
            instruction: HOST_STEP_INSTRUCTION,
            command: Some(Command::Fixed("exit")),
            check: on_host,
            explanation: HOST_STEP_EXPLANATION,
        },
        Step {
            title: Bi {
                en: "A topic with six partitions",
                ko: "파티션 6개짜리 토픽",
            },
            instruction: Bi {
                en: "Create `clicks` with six partitions.",
                ko: "파티션 6개짜리 `clicks` 토픽을 만듭니다.",
            },
            command: Some(Command::Fixed(
                "docker exec broker1 kafka-topics --bootstrap-server localhost:9092 --create --topic clicks --partitions 6",
            )),
            check: clicks_created,
            explanation: Bi {
                en: "Six partitions: at most six consumers of one group can read `clicks` at the same time. A seventh \
                     would get nothing, since a partition is never split between two members of a group.",
                ko: "파티션이 6개이므로 한 그룹에서 `clicks` 를 동시에 읽을 수 있는 컨슈머는 최대 6개입니다. 파티션 하나를 \
                     같은 그룹의 두 멤버가 나눠 읽는 일은 없으므로, 7번째 컨슈머는 아무 파티션도 받지 못합니다.",
            },
        },
        Step {
            title: Bi {
                en: "The first member",
                ko: "첫 번째 멤버",
            },
            instruction: Bi {
                en: "In the Consumer groups panel, start a consumer with group id `dashboard` on topic `clicks` \
                     (the button below fills the form in; then press Start consumer).",
                ko: "'컨슈머 그룹' 패널에서 그룹 ID `dashboard`, 토픽 `clicks` 로 컨슈머를 시작합니다 \
                     (아래 버튼이 양식을 채워 줍니다. 그다음 '컨슈머 시작'을 누르세요).",
            },
            command: Some(START_DASHBOARD),
            check: dashboard_one,
            explanation: Bi {
                en: "The consumer found the group's coordinator (the broker that leads the group's partition of \
                     `__consumer_offsets`), sent JoinGroup, and became the group's only member and its leader: it \
                     ran the assignor (`range` by default) and got all six partitions. The group is `Stable`.",
                ko: "컨슈머는 그룹 코디네이터(`__consumer_offsets` 에서 이 그룹이 쓰는 파티션의 리더 브로커)를 찾아 \
                     JoinGroup 을 보냈고, 유일한 멤버이자 그룹 리더가 되었습니다. 리더는 assignor(기본값 `range`)를 \
                     돌려 파티션 6개를 모두 자기에게 배정했습니다. 그룹 상태는 `Stable` 입니다.",
            },
        },
        Step {
            title: Bi {
                en: "Who reads what",
                ko: "누가 무엇을 읽나",
            },
            instruction: Bi {
                en: "Describe group `dashboard` in the terminal.",
                ko: "터미널에서 `dashboard` 그룹을 상세 조회합니다.",
            },
            command: Some(Command::Fixed(DESCRIBE_DASHBOARD)),
            check: described_dashboard_one,
            explanation: Bi {
                en: "Six rows, one per partition, all with the same `CONSUMER-ID` (the client id, a dash and a \
                     UUID the coordinator gave it) and the same `CLIENT-ID`. The Consumer groups panel shows the same \
                     table under \"Assigned to\".",
                ko: "파티션마다 한 줄씩 6줄이 나오고, 모두 `CONSUMER-ID`(클라이언트 ID 뒤에 코디네이터가 붙인 UUID)와 \
                     `CLIENT-ID` 가 같습니다. '컨슈머 그룹' 패널의 '할당된 멤버' 표도 같은 내용입니다.",
            },
        },
        Step {
            title: Bi {
                en: "A second member",
                ko: "두 번째 멤버",
            },
            instruction: Bi {
                en: "Start another consumer in group `dashboard` on `clicks` from the panel, and watch the \
                     \"Assigned to\" column.",
                ko: "패널에서 `dashboard` 그룹, `clicks` 토픽으로 컨슈머를 하나 더 시작하고 '할당된 멤버' 열을 지켜봅니다.",
            },
            command: Some(START_DASHBOARD),
            check: dashboard_two,
            explanation: Bi {
                en: "The new consumer's JoinGroup made the coordinator start a rebalance (`PreparingRebalance`): the \
                     first member learned it from its next heartbeat, gave up its partitions and joined again. Then \
                     the leader assigned three partitions to each (`range` gives each member a consecutive range), \
                     and the group is `Stable` again, one generation later.",
                ko: "새 컨슈머의 JoinGroup 을 받은 코디네이터가 리밸런싱을 시작했습니다(`PreparingRebalance`). 첫 번째 \
                     멤버는 다음 하트비트 응답으로 이를 알고 파티션을 내려놓은 뒤 다시 참여했습니다. 이어서 리더가 \
                     멤버마다 파티션 3개씩을 배정했고(`range` 는 연속된 구간을 하나씩 줍니다), 그룹은 세대(generation)가 \
                     하나 올라간 채로 다시 `Stable` 이 되었습니다.",
            },
        },
        Step {
            title: Bi {
                en: "Split in two",
                ko: "둘로 나뉜 파티션",
            },
            instruction: Bi {
                en: "Describe group `dashboard` again.",
                ko: "`dashboard` 그룹을 다시 상세 조회합니다.",
            },
            command: Some(Command::Fixed(DESCRIBE_DASHBOARD)),
            check: described_dashboard_two,
            explanation: Bi {
                en: "Two different `CONSUMER-ID`s now, three partitions each. While the group rebalanced, nobody \
                     read `clicks`: with the default eager protocol every member stops, then all start again.",
                ko: "이제 `CONSUMER-ID` 가 두 개이고 각자 파티션 3개씩을 맡습니다. 리밸런싱하는 동안에는 아무도 \
                     `clicks` 를 읽지 않았습니다. 기본인 eager 방식에서는 모든 멤버가 멈췄다가 다 함께 다시 시작합니다.",
            },
        },
        Step {
            title: Bi {
                en: "A third member",
                ko: "세 번째 멤버",
            },
            instruction: Bi {
                en: "Start a third consumer in group `dashboard` on `clicks`.",
                ko: "`dashboard` 그룹, `clicks` 토픽으로 세 번째 컨슈머를 시작합니다.",
            },
            command: Some(START_DASHBOARD),
            check: dashboard_three,
            explanation: Bi {
                en: "Another rebalance: two partitions each. Adding members spreads the work until there is one \
                     member per partition; this is how a group scales out.",
                ko: "다시 리밸런싱이 일어나 멤버마다 파티션 2개씩이 되었습니다. 멤버를 늘리면 파티션 수만큼까지 일이 \
                     나뉩니다. 컨슈머 그룹은 이렇게 수평 확장합니다.",
            },
        },
        Step {
            title: Bi {
                en: "A member leaves",
                ko: "멤버 하나가 떠나기",
            },
            instruction: Bi {
                en: "Stop one of the `dashboard` consumers with its Stop button in the Consumer groups panel.",
                ko: "'컨슈머 그룹' 패널에서 `dashboard` 컨슈머 하나의 '중지' 버튼을 누릅니다.",
            },
            command: Some(Command::Page(super::PageAction::StopConsumer { group: DASHBOARD })),
            check: dashboard_member_left,
            explanation: Bi {
                en: "Closing, the consumer committed its offsets and sent LeaveGroup, so the coordinator rebalanced at \
                     once and the two members left got three partitions each. A consumer that crashes sends nothing: \
                     the coordinator notices only when `session.timeout.ms` (45 s) passes without a heartbeat, and \
                     its partitions wait that long.",
                ko: "컨슈머는 닫히면서 offset 을 커밋하고 LeaveGroup 을 보냈습니다. 그래서 코디네이터가 바로 리밸런싱을 \
                     했고, 남은 두 멤버가 파티션을 3개씩 나눠 받았습니다. 컨슈머가 갑자기 죽으면 아무것도 보내지 \
                     못하므로, 코디네이터는 하트비트 없이 `session.timeout.ms`(45초)가 지나야 알아채고, 그동안 그 \
                     파티션은 아무도 읽지 않습니다.",
            },
        },
        Step {
            title: Bi {
                en: "The members and their partitions",
                ko: "멤버와 파티션",
            },
            instruction: Bi {
                en: "List the group's members with their assignment.",
                ko: "그룹의 멤버를 배정된 파티션과 함께 조회합니다.",
            },
            command: Some(Command::Fixed(
                "docker exec broker1 kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group dashboard --members --verbose",
            )),
            check: described_members_after_leave,
            explanation: Bi {
                en: "`--members` prints one row per member: `#PARTITIONS` is 3 for each, and `--verbose` adds the \
                     `ASSIGNMENT` column, the partitions of `clicks` each member has. The stopped consumer is gone from the \
                     group; its committed offsets stay with the group, so whoever got its partitions went on from \
                     there.",
                ko: "`--members` 는 멤버마다 한 줄을 출력합니다. `#PARTITIONS` 는 각자 3이고, `--verbose` 를 붙이면 \
                     `ASSIGNMENT` 열에 멤버마다 배정된 `clicks` 파티션이 나옵니다. 중지한 컨슈머는 \
                     그룹에서 빠졌지만 커밋한 offset 은 그룹에 남아 있어서, 그 파티션을 넘겨받은 멤버가 거기서부터 \
                     이어 읽습니다.",
            },
        },
    ],
};

// ---------------------------------------------------------------------------
// Lesson 10: KRaft controller failover. The page's usual cluster has one
// controller; this lesson asks for a new one with three voters.

const AFTER_FAILOVER: &str = "after_failover";

/// Three voters, one of them active, every broker unfenced.
fn three_controllers(c: &Check) -> bool {
    c.controllers().len() == 3
        && c.sim().active_controller().is_some()
        && c.sim().config().brokers.iter().all(|&b| c.alive(b))
}

fn controller_down(c: &Check) -> Option<kafkaplay_cluster::NodeId> {
    c.controllers().iter().copied().find(|&id| !c.sim().is_up(id))
}

fn quorum_status(c: &Check) -> bool {
    c.ran("kafka-metadata-quorum", &["describe", "--status"], None) && three_controllers(c)
}

fn quorum_replication(c: &Check) -> bool {
    c.ran("kafka-metadata-quorum", &["describe", "--replication"], None) && three_controllers(c)
}

/// A voter is down and another was elected since the step began.
fn controller_failed_over(c: &Check) -> bool {
    c.controllers().len() == 3 && controller_down(c).is_some() && c.controller_elected_since().is_some()
}

fn described_failed_over(c: &Check) -> bool {
    c.ran("kafka-metadata-quorum", &["describe", "--status"], None)
        && controller_down(c).is_some()
        && c.sim().active_controller().is_some()
}

fn topic_after_failover(c: &Check) -> bool {
    c.partitions(AFTER_FAILOVER).len() == 3 && controller_down(c).is_some()
}

/// Every voter runs; the ones not leading follow the active one and have its
/// whole committed log.
fn controllers_all_back(c: &Check) -> bool {
    let sim = c.sim();
    let Some(active) = sim.active_controller().and_then(|id| sim.controller(id)) else {
        return false;
    };
    c.controllers().len() == 3
        && c.controllers().iter().all(|&id| {
            sim.controller(id).is_some_and(|v| {
                v.id() == active.id()
                    || (v.role() == "follower"
                        && v.leader_id() == active.id()
                        && v.log_end_offset() >= active.high_watermark())
            })
        })
}

fn described_all_back(c: &Check) -> bool {
    c.ran("kafka-metadata-quorum", &["describe", "--replication"], None) && controllers_all_back(c)
}

fn kill_active_controller(shell: &kafkaplay_shell::Shell) -> Option<String> {
    let world = shell.world();
    let id = world.sim.active_controller()?;
    (world.sim.config().controllers.len() > 1)
        .then(|| format!("docker kill {}", kafkaplay_shell::docker::container_name(world, id)))
}

fn start_stopped_controller(shell: &kafkaplay_shell::Shell) -> Option<String> {
    let world = shell.world();
    let id = world
        .sim
        .config()
        .controllers
        .iter()
        .copied()
        .find(|&id| !world.sim.is_up(id))?;
    Some(format!(
        "docker start {}",
        kafkaplay_shell::docker::container_name(world, id)
    ))
}

const QUORUM_STATUS: &str =
    "docker exec broker1 kafka-metadata-quorum --bootstrap-server localhost:9092 describe --status";
const QUORUM_REPLICATION: &str =
    "docker exec broker1 kafka-metadata-quorum --bootstrap-server localhost:9092 describe --replication";

const KRAFT: Lesson = Lesson {
    id: "kraft-failover",
    title: Bi {
        en: "10. KRaft controller failover",
        ko: "10. KRaft 컨트롤러 장애 조치",
    },
    intro: Bi {
        en: "In KRaft mode the cluster's metadata (topics, partitions, leaders, ISR) is a log kept by a quorum of \
             controllers with Raft: one is the active controller (the leader), the others follow. With three \
             voters the quorum survives losing one.",
        ko: "KRaft 모드에서 클러스터 메타데이터(토픽, 파티션, 리더, ISR)는 컨트롤러 쿼럼이 Raft 로 관리하는 로그입니다. \
             그중 하나가 활성 컨트롤러(리더)이고 나머지는 팔로워입니다. 투표자(voter)가 3개면 하나를 잃어도 쿼럼이 \
             유지됩니다.",
    },
    steps: &[
        Step {
            title: Bi {
                en: "A cluster with three controllers",
                ko: "컨트롤러 3대짜리 클러스터",
            },
            instruction: Bi {
                en: "The usual playground has one controller, which cannot fail over. Start a new playground with \
                     three controllers (same brokers and seed) with the button below.",
                ko: "기본 플레이그라운드에는 컨트롤러가 1대뿐이라 장애 조치를 할 수 없습니다. 아래 버튼으로 컨트롤러가 \
                     3대인 새 플레이그라운드를 시작합니다(브로커 수와 시드는 그대로).",
            },
            command: Some(Command::Page(super::PageAction::NewCluster { controllers: 3 })),
            check: three_controllers,
            explanation: Bi {
                en: "Three controller boxes: `controller1`, `controller2` and `controller3` (node ids 1000 to 1002), \
                     set as `controller.quorum.voters`. They held an election when they started and one of them is \
                     marked active; the brokers registered with it.",
                ko: "컨트롤러 상자가 3개 보입니다. `controller1`, `controller2`, `controller3`(노드 ID 1000~1002)이고 \
                     `controller.quorum.voters` 에 들어 있습니다. 시작할 때 선거를 해서 그중 하나가 활성으로 표시되었고, \
                     브로커들은 그 컨트롤러에 등록했습니다.",
            },
        },
        Step {
            title: Bi {
                en: "The quorum's status",
                ko: "쿼럼 상태 확인",
            },
            instruction: Bi {
                en: "Ask for the metadata quorum's status.",
                ko: "메타데이터 쿼럼의 상태를 조회합니다.",
            },
            command: Some(Command::Fixed(QUORUM_STATUS)),
            check: quorum_status,
            explanation: Bi {
                en: "`LeaderId` is the active controller and `LeaderEpoch` the Raft term it won. `CurrentVoters` lists \
                     the three controllers, `CurrentObservers` the brokers, which read the metadata log but do not \
                     vote. `HighWatermark` is how far the log is committed: written on a majority of voters.",
                ko: "`LeaderId` 는 활성 컨트롤러, `LeaderEpoch` 는 그 컨트롤러가 이긴 Raft 임기(term)입니다. \
                     `CurrentVoters` 에는 컨트롤러 3대가, `CurrentObservers` 에는 브로커들이 나옵니다. 브로커는 \
                     메타데이터 로그를 읽기만 하고 투표는 하지 않습니다. `HighWatermark` 는 로그가 어디까지 \
                     커밋되었는지, 즉 투표자 과반에 기록된 위치입니다.",
            },
        },
        Step {
            title: Bi {
                en: "Who has what",
                ko: "누가 어디까지 가졌나",
            },
            instruction: Bi {
                en: "Show the quorum's replication: each voter's and observer's position in the metadata log.",
                ko: "쿼럼의 복제 상태, 즉 투표자와 옵저버가 메타데이터 로그의 어디까지 가졌는지 조회합니다.",
            },
            command: Some(Command::Fixed(QUORUM_REPLICATION)),
            check: quorum_replication,
            explanation: Bi {
                en: "One row per node: `Status` is `Leader`, `Follower` or `Observer`, `LogEndOffset` how much of the \
                     log it has and `Lag` how far it is behind the leader: 0 for a voter that has everything. The \
                     brokers are observers: they replicate the log to build their own copy of the metadata.",
                ko: "노드마다 한 줄입니다. `Status` 는 `Leader`, `Follower`, `Observer` 중 하나, `LogEndOffset` 은 로그를 \
                     어디까지 가졌는지, `Lag` 은 리더보다 얼마나 뒤처졌는지입니다. 다 가진 투표자는 0 입니다. \
                     브로커는 옵저버로서 이 로그를 복제해 자기 메타데이터를 만듭니다.",
            },
        },
        Step {
            title: Bi {
                en: "Kill the active controller",
                ko: "활성 컨트롤러 죽이기",
            },
            instruction: Bi {
                en: "Kill the active controller's container (or use Kill on its box), then wait for a new leader.",
                ko: "활성 컨트롤러의 컨테이너를 강제로 종료합니다(상자의 Kill 버튼도 됩니다). 그리고 새 리더가 \
                     뽑히기를 기다립니다.",
            },
            command: Some(Command::Dynamic(kill_active_controller)),
            check: controller_failed_over,
            explanation: Bi {
                en: "The followers stopped hearing from the leader. After the election timeout one became a \
                     candidate, asked the others for votes in a new epoch, and won with 2 of 3 (itself and the other \
                     follower): a majority. Its box is now marked active. The brokers found it and sent it their \
                     heartbeats; partition leaders did not move, since no broker failed.",
                ko: "팔로워들이 리더의 소식을 더 이상 듣지 못했습니다. 선거 타임아웃이 지나자 하나가 후보(candidate)가 \
                     되어 새 epoch 로 투표를 요청했고, 3표 중 2표(자신과 다른 팔로워), 즉 과반을 얻어 이겼습니다. 이제 \
                     그 상자가 활성으로 표시됩니다. 브로커들은 새 컨트롤러를 찾아 하트비트를 보냈고, 죽은 브로커가 \
                     없으므로 파티션 리더는 그대로입니다.",
            },
        },
        Step {
            title: Bi {
                en: "The new leader",
                ko: "새 리더 확인",
            },
            instruction: Bi {
                en: "Ask for the quorum's status again.",
                ko: "쿼럼 상태를 다시 조회합니다.",
            },
            command: Some(Command::Fixed(QUORUM_STATUS)),
            check: described_failed_over,
            explanation: Bi {
                en: "`LeaderId` is another controller and `LeaderEpoch` went up. `CurrentVoters` still lists all \
                     three: the dead one is still a voter, just not answering.",
                ko: "`LeaderId` 가 다른 컨트롤러로 바뀌었고 `LeaderEpoch` 가 올라갔습니다. `CurrentVoters` 에는 여전히 \
                     셋이 모두 나옵니다. 죽은 컨트롤러도 투표자에서 빠진 것이 아니라 응답하지 않을 뿐입니다.",
            },
        },
        Step {
            title: Bi {
                en: "Metadata still changes",
                ko: "메타데이터 변경은 계속된다",
            },
            instruction: Bi {
                en: "With one controller down, create topic `after_failover` with three partitions.",
                ko: "컨트롤러 하나가 죽은 채로 파티션 3개짜리 `after_failover` 토픽을 만듭니다.",
            },
            command: Some(Command::Fixed(
                "docker exec broker1 kafka-topics --bootstrap-server localhost:9092 --create --topic after_failover --partitions 3 --replication-factor 3",
            )),
            check: topic_after_failover,
            explanation: Bi {
                en: "`Created topic after_failover.` The new leader appended the topic's records and committed them \
                     once two of the three voters had them. With a second controller down there would be no \
                     majority: no election, and no topic could be created, though the brokers would keep serving \
                     the partitions they already lead.",
                ko: "`Created topic after_failover.` 새 리더가 토픽 레코드를 로그에 덧붙였고, 투표자 3대 중 2대가 \
                     가지자 커밋했습니다. 컨트롤러가 하나 더 죽으면 과반이 안 되므로 선거도 토픽 생성도 할 수 \
                     없습니다. 그래도 브로커는 이미 리더인 파티션을 계속 서비스합니다.",
            },
        },
        Step {
            title: Bi {
                en: "Bring it back",
                ko: "다시 띄우기",
            },
            instruction: Bi {
                en: "Start the killed controller again and let it catch up.",
                ko: "죽인 컨트롤러를 다시 시작하고 따라잡기를 기다립니다.",
            },
            command: Some(Command::Dynamic(start_stopped_controller)),
            check: controllers_all_back,
            explanation: Bi {
                en: "It came back with the log on its disk, learned the new epoch and leader, and fetched what it had \
                     missed (the topic created without it). It did not take the leadership back: it is a follower \
                     now.",
                ko: "디스크에 있던 로그를 가지고 돌아와 새 epoch 와 리더를 알게 되었고, 없던 동안의 기록(그사이 만든 \
                     토픽)을 가져왔습니다. 리더 자리를 되찾지는 않습니다. 이제 팔로워입니다.",
            },
        },
        Step {
            title: Bi {
                en: "A follower again",
                ko: "다시 팔로워로",
            },
            instruction: Bi {
                en: "Show the quorum's replication again.",
                ko: "쿼럼의 복제 상태를 다시 조회합니다.",
            },
            command: Some(Command::Fixed(QUORUM_REPLICATION)),
            check: described_all_back,
            explanation: Bi {
                en: "Three voters again: one `Leader` and two `Follower`s, the returned one among them with a small \
                     or zero `Lag`. Three voters tolerate one failure, five tolerate two; an even number adds no \
                     safety (four still need three votes).",
                ko: "다시 투표자 3대입니다. `Leader` 하나와 `Follower` 둘이고, 돌아온 컨트롤러도 `Lag` 이 작거나 0 \
                     입니다. 투표자 3대는 1대, 5대는 2대의 장애를 견딥니다. 짝수는 이득이 없습니다(4대여도 3표가 \
                     필요합니다).",
            },
        },
    ],
};
