//! The playground's UI text in English and Korean: one struct, one field per
//! text, so a language that misses a text does not compile (like [`crate::i18n`]).
//!
//! Kafka's own words stay as they are in both languages: `leader`, `ISR`, `LEO`,
//! `HW`, `acks`, config names, and Kafka's error texts from the controller.

use crate::playground::{FaultKind, InputError, NodeKind, NodeState, Note, ReplicaRole, ValueFormat};
use kafkaplay_cluster::NodeId;

pub struct Play {
    pub title: &'static str,
    pub subtitle: &'static str,
    pub language: &'static str,

    pub clock_heading: &'static str,
    pub play: &'static str,
    pub pause: &'static str,
    pub step: &'static str,
    pub step_label: &'static str,
    pub speed: &'static str,
    pub sim_time: &'static str,
    pub seed: &'static str,
    pub brokers: &'static str,
    /// The new-cluster form's KRaft controller count (1 or 3).
    pub controllers: &'static str,
    pub new_cluster: &'static str,
    pub new_cluster_note: &'static str,
    pub last_step: &'static str,

    pub cluster_heading: &'static str,
    pub legend: &'static str,
    pub metadata_from_controller: fn(NodeId) -> String,
    pub metadata_from_broker: fn(NodeId) -> String,
    pub metadata_none: &'static str,
    pub faults_note: &'static str,

    pub network_heading: &'static str,
    pub cut_between: &'static str,
    pub and: &'static str,
    pub cut: &'static str,
    pub heal: &'static str,
    pub cuts_none: &'static str,
    pub cuts_now: &'static str,

    pub topics_heading: &'static str,
    pub topic_name: &'static str,
    pub partitions: &'static str,
    pub replication_factor: &'static str,
    pub create_topic: &'static str,
    pub create_pending: &'static str,
    pub topics_none: &'static str,
    pub topic_id: &'static str,
    pub under_replicated: &'static str,
    pub offline: &'static str,
    pub partition: &'static str,
    pub leader: &'static str,
    pub leader_epoch: &'static str,
    pub replicas: &'static str,
    pub isr: &'static str,
    pub high_watermark: &'static str,
    pub none: &'static str,

    pub producer_heading: &'static str,
    pub topic: &'static str,
    pub rate: &'static str,
    pub keys: &'static str,
    pub keys_note: &'static str,
    pub acks: &'static str,
    /// The idempotence select's "not set" choice.
    pub idempotence_default: &'static str,
    pub value: &'static str,
    pub value_note: &'static str,
    pub start: &'static str,
    pub stop: &'static str,
    pub producer_stats: fn(sent: u64, acked: u64, failed: u64) -> String,
    pub producer_idle: &'static str,
    pub producer_running: &'static str,
    pub last_error: &'static str,

    pub browser_heading: &'static str,
    pub browser_pick: &'static str,
    pub format: &'static str,
    pub format_name: fn(ValueFormat) -> &'static str,
    pub browser_offsets: fn(leader: NodeId, start: i64, hw: i64, leo: i64) -> String,
    pub browser_note: &'static str,
    pub browser_unavailable: &'static str,
    pub browser_empty: &'static str,
    pub offset: &'static str,
    pub timestamp: &'static str,
    pub key: &'static str,
    pub headers: &'static str,
    pub null: &'static str,
    pub not_json: &'static str,

    pub metrics_heading: &'static str,
    pub chart_acked: &'static str,
    pub chart_bytes_in: &'static str,
    pub chart_under_replicated: &'static str,
    pub chart_offline: &'static str,
    pub chart_label: fn(title: &str, now: &str, max: &str) -> String,
    /// Before the chart's highest value.
    pub chart_max: &'static str,
    pub metrics_note: &'static str,

    pub events_heading: &'static str,
    pub events_none: &'static str,
    pub log_lab_heading: &'static str,

    /// The header's "copy embed code" (`crate::embed`).
    pub embed: &'static str,
    pub embed_title: &'static str,
    pub embed_label: &'static str,
    pub embed_note: &'static str,
    /// After `embed_note` for a cluster restarted from storage without its history.
    pub embed_restored: &'static str,
    pub embed_close: &'static str,

    pub note: fn(&Note) -> String,
    pub input_error: fn(InputError) -> &'static str,
}

fn node_en(kind: NodeKind, id: NodeId) -> String {
    match kind {
        NodeKind::Controller => format!("Controller {id}"),
        NodeKind::Broker => format!("Broker {id}"),
    }
}

fn node_ko(kind: NodeKind, id: NodeId) -> String {
    match kind {
        NodeKind::Controller => format!("컨트롤러 {id}"),
        NodeKind::Broker => format!("브로커 {id}"),
    }
}

/// A node id in a note: brokers are 1.., controllers 1000.. (ClusterConfig::new).
fn any_node_en(id: NodeId) -> String {
    node_en(
        if id >= 1000 {
            NodeKind::Controller
        } else {
            NodeKind::Broker
        },
        id,
    )
}

fn any_node_ko(id: NodeId) -> String {
    node_ko(
        if id >= 1000 {
            NodeKind::Controller
        } else {
            NodeKind::Broker
        },
        id,
    )
}

pub static PLAY_EN: Play = Play {
    title: "kafkaplay — a Kafka cluster in your browser",
    subtitle: "A simulated Apache Kafka cluster (KRaft controller, brokers, replication) runs in this page. Create topics, produce, then break things: kill a broker and watch the leader move.",
    language: "Language",

    clock_heading: "Simulation",
    play: "Play",
    pause: "Pause",
    step: "Step",
    step_label: "Handle the next simulation event (and any silent ones before the next trace line)",
    speed: "Speed",
    sim_time: "Simulated time",
    seed: "Seed",
    brokers: "Brokers",
    controllers: "KRaft controllers",
    new_cluster: "New cluster",
    new_cluster_note: "Same seed, same run: the simulation is deterministic.",
    last_step: "Last step",

    cluster_heading: "Cluster",
    legend: "★ leader · ● in-sync follower (ISR) · ◐ out-of-sync follower · ✕ offline. LEO = log end offset of that replica, HW = the partition's high watermark.",
    metadata_from_controller: |c| format!("Metadata from the active controller ({c})."),
    metadata_from_broker: |b| {
        format!("No active controller: this is the metadata broker {b} last applied. Nothing can change until a controller is back.")
    },
    metadata_none: "No metadata: no controller is active and no broker is running.",
    faults_note: "Kill = kill -9; Stop = controlled shutdown (leaderships move first); Pause = a GC stall; Isolate = cut this node off the network; Slow = a slow follower (its fetches arrive after replica.lag.time.max.ms, so while records are written it falls behind and leaves the ISR).",

    network_heading: "Network",
    cut_between: "Cut the network between",
    and: "and",
    cut: "Cut",
    heal: "Heal all",
    cuts_none: "No network cuts.",
    cuts_now: "Cut:",

    topics_heading: "Topics",
    topic_name: "Name",
    partitions: "Partitions",
    replication_factor: "Replication factor",
    create_topic: "Create topic",
    create_pending: "Waiting for the controller…",
    topics_none: "No topics yet.",
    topic_id: "Topic ID",
    under_replicated: "Under-replicated",
    offline: "Offline",
    partition: "Partition",
    leader: "Leader",
    leader_epoch: "Epoch",
    replicas: "Replicas",
    isr: "ISR",
    high_watermark: "HW",
    none: "none",

    producer_heading: "Producer",
    topic: "Topic",
    rate: "Records per second",
    keys: "Distinct keys",
    keys_note: "0 = null keys (sticky partitioner); N = keys key-0 … key-(N-1) (murmur2 picks the partition).",
    acks: "acks",
    idempotence_default: "not set (on with acks=all)",
    value: "Value",
    value_note: "{n} becomes the record's number. Every record also gets the header source=kafkaplay-ui.",
    start: "Start producing",
    stop: "Stop",
    producer_stats: |sent, acked, failed| format!("Sent {sent} · acknowledged {acked} · failed {failed}"),
    producer_idle: "Not producing.",
    producer_running: "Producing.",
    last_error: "Last error",

    browser_heading: "Messages",
    browser_pick: "Partition",
    format: "Show values as",
    format_name: |f| match f {
        ValueFormat::Text => "text",
        ValueFormat::Json => "JSON",
        ValueFormat::Hex => "hex",
    },
    browser_offsets: |leader, start, hw, leo| {
        format!("Read from the leader, broker {leader}: log start offset {start}, HW {hw}, LEO {leo}.")
    },
    browser_note: "The latest records below the high watermark: what a consumer can read.",
    browser_unavailable: "This partition has no leader holding its log: nothing can be read now.",
    browser_empty: "No records below the high watermark yet.",
    offset: "Offset",
    timestamp: "Timestamp",
    key: "Key",
    headers: "Headers",
    null: "null",
    not_json: "not JSON",

    metrics_heading: "Metrics",
    chart_acked: "Records acknowledged per second",
    chart_bytes_in: "Bytes in per second (BytesInPerSec)",
    chart_under_replicated: "Under-replicated partitions",
    chart_offline: "Offline partitions",
    chart_label: |title, now, max| format!("{title}: now {now}, highest {max}"),
    chart_max: "highest",
    metrics_note: "One sample per simulated second, the last two minutes.",

    events_heading: "What happened",
    events_none: "Nothing yet.",
    log_lab_heading: "Log lab: one partition log up close",

    embed: "Copy embed code",
    embed_title: "HTML that puts this cluster into a docs page as a <kafka-playground> widget",
    embed_label: "Embed code",
    embed_note: "Copied, if the browser allowed it. Paste it into a docs page: the widget starts a cluster with these brokers, seed and topics, then runs the commands typed here and the kills, stops, starts and pauses from the node boxes. Network faults, the producer form and the consumers are not included.",
    embed_restored: "This cluster was restarted from the browser's storage: what was done before that is not known, so the code has only its brokers and seed.",
    embed_close: "Close",

    note: |n| match n {
        Note::Fault { fault, node } => {
            let what = match fault {
                FaultKind::Kill => "killed",
                FaultKind::Shutdown => "asked to shut down (controlled)",
                FaultKind::Restart => "restarted",
                FaultKind::Pause => "paused",
                FaultKind::Resume => "resumed",
                FaultKind::Isolate => "cut off the network",
                FaultKind::Slow => "slowed: its fetches to other brokers are delayed past replica.lag.time.max.ms",
                FaultKind::Unslow => "no longer slowed",
            };
            format!("{} {what}.", any_node_en(*node))
        }
        Note::Cut { a, b } => format!("Network cut between {} and {}.", any_node_en(*a), any_node_en(*b)),
        Note::Healed => "Network healed.".to_string(),
        Note::LeaderChanged { tp, from, to } => match (*from, *to) {
            (_, -1) => format!("{tp}: no leader (offline); it was broker {from}."),
            (-1, to) => format!("{tp}: broker {to} is the leader again."),
            (from, to) => format!("{tp}: the leader moved from broker {from} to broker {to}."),
        },
        Note::ControllerChanged { to: Some(c) } => format!("Controller {c} is the active controller."),
        Note::ControllerChanged { to: None } => "No active controller.".to_string(),
        Note::TopicCreated { name } => format!("Created topic {name}."),
        Note::TopicFailed { name, error } => format!("Topic {name} was not created: {error}"),
    },
    input_error: |e| match e {
        InputError::Partitions => "Partitions must be a whole number.",
        InputError::ReplicationFactor => "The replication factor must be a whole number.",
        InputError::Rate => "Records per second must be a whole number from 1 to 200.",
        InputError::Keys => "Distinct keys must be a whole number from 0 to 1000.",
        InputError::Acks => "acks must be 0, 1 or all.",
        // Kafka's ConfigException text (ProducerConfig).
        InputError::Idempotence => "Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.",
        InputError::NoTopic => "Choose a topic (create one first).",
        InputError::Brokers => "Brokers must be a whole number from 1 to 9.",
        InputError::Seed => "The seed must be a whole number from 0 to 18446744073709551615.",
    },
};

pub static PLAY_KO: Play = Play {
    title: "kafkaplay — 브라우저 안의 Kafka 클러스터",
    subtitle: "시뮬레이션된 Apache Kafka 클러스터(KRaft 컨트롤러, 브로커, 복제)가 이 페이지 안에서 실행됩니다. 토픽을 만들고 메시지를 보낸 다음, 일부러 고장을 내 보세요. 브로커를 죽이면 리더가 옮겨 가는 것을 볼 수 있습니다.",
    language: "언어",

    clock_heading: "시뮬레이션",
    play: "재생",
    pause: "일시 정지",
    step: "한 단계",
    step_label: "다음 시뮬레이션 이벤트 처리 (다음 트레이스 줄이 나올 때까지)",
    speed: "속도",
    sim_time: "시뮬레이션 시간",
    seed: "시드",
    brokers: "브로커 수",
    controllers: "KRaft 컨트롤러 수",
    new_cluster: "새 클러스터",
    new_cluster_note: "시드가 같으면 실행도 같습니다. 시뮬레이션은 결정적입니다.",
    last_step: "마지막 단계",

    cluster_heading: "클러스터",
    legend: "★ 리더 · ● 동기화된 팔로워(ISR) · ◐ 동기화되지 않은 팔로워 · ✕ 오프라인. LEO = 그 복제본의 로그 끝 오프셋, HW = 파티션의 하이 워터마크.",
    metadata_from_controller: |c| format!("활성 컨트롤러({c})의 메타데이터입니다."),
    metadata_from_broker: |b| {
        format!("활성 컨트롤러가 없습니다. 브로커 {b}가 마지막으로 반영한 메타데이터입니다. 컨트롤러가 돌아올 때까지 아무것도 바뀌지 않습니다.")
    },
    metadata_none: "메타데이터가 없습니다. 활성 컨트롤러도, 실행 중인 브로커도 없습니다.",
    faults_note: "강제 종료 = kill -9, 정상 종료 = controlled shutdown(리더를 먼저 넘김), 일시 정지 = GC 멈춤, 고립 = 이 노드의 네트워크를 끊음, 느리게 = 느린 팔로워(복제 요청이 replica.lag.time.max.ms 뒤에 도착하므로, 레코드가 쓰이는 동안 뒤처져 ISR에서 빠짐).",

    network_heading: "네트워크",
    cut_between: "네트워크 끊기:",
    and: "↔",
    cut: "끊기",
    heal: "모두 복구",
    cuts_none: "끊긴 네트워크가 없습니다.",
    cuts_now: "끊김:",

    topics_heading: "토픽",
    topic_name: "이름",
    partitions: "파티션 수",
    replication_factor: "복제 계수",
    create_topic: "토픽 만들기",
    create_pending: "컨트롤러의 응답을 기다리는 중…",
    topics_none: "아직 토픽이 없습니다.",
    topic_id: "토픽 ID",
    under_replicated: "복제 부족",
    offline: "오프라인",
    partition: "파티션",
    leader: "리더",
    leader_epoch: "에포크",
    replicas: "복제본",
    isr: "ISR",
    high_watermark: "HW",
    none: "없음(none)",

    producer_heading: "프로듀서",
    topic: "토픽",
    rate: "초당 레코드 수",
    keys: "서로 다른 키 개수",
    keys_note: "0 = null 키(sticky 파티셔너), N = key-0 … key-(N-1) 키(murmur2가 파티션을 고름).",
    acks: "acks",
    idempotence_default: "설정 안 함 (acks=all이면 켜짐)",
    value: "값",
    value_note: "{n}은 레코드 번호로 바뀝니다. 모든 레코드에 source=kafkaplay-ui 헤더가 붙습니다.",
    start: "보내기 시작",
    stop: "멈추기",
    producer_stats: |sent, acked, failed| format!("보냄 {sent} · 확인(ack) {acked} · 실패 {failed}"),
    producer_idle: "보내고 있지 않습니다.",
    producer_running: "보내는 중입니다.",
    last_error: "마지막 오류",

    browser_heading: "메시지",
    browser_pick: "파티션",
    format: "값 표시 방식",
    format_name: |f| match f {
        ValueFormat::Text => "텍스트",
        ValueFormat::Json => "JSON",
        ValueFormat::Hex => "16진수",
    },
    browser_offsets: |leader, start, hw, leo| {
        format!("리더인 브로커 {leader}에서 읽음: 로그 시작 오프셋 {start}, HW {hw}, LEO {leo}.")
    },
    browser_note: "하이 워터마크 아래의 최근 레코드, 즉 컨슈머가 읽을 수 있는 레코드입니다.",
    browser_unavailable: "이 파티션에는 로그를 가진 리더가 없어서 지금은 읽을 수 없습니다.",
    browser_empty: "하이 워터마크 아래에 아직 레코드가 없습니다.",
    offset: "오프셋",
    timestamp: "타임스탬프",
    key: "키",
    headers: "헤더",
    null: "null",
    not_json: "JSON 아님",

    metrics_heading: "지표",
    chart_acked: "초당 확인(ack)된 레코드",
    chart_bytes_in: "초당 유입 바이트 (BytesInPerSec)",
    chart_under_replicated: "복제 부족 파티션",
    chart_offline: "오프라인 파티션",
    chart_label: |title, now, max| format!("{title}: 현재 {now}, 최고 {max}"),
    chart_max: "최고",
    metrics_note: "시뮬레이션 시간 1초마다 한 번, 최근 2분.",

    events_heading: "일어난 일",
    events_none: "아직 없습니다.",
    log_lab_heading: "로그 실험실: 파티션 로그 자세히 보기",

    embed: "임베드 코드 복사",
    embed_title: "이 클러스터를 <kafka-playground> 위젯으로 문서 페이지에 넣는 HTML",
    embed_label: "임베드 코드",
    embed_note: "브라우저가 허용하면 클립보드에 복사되었습니다. 문서 페이지에 붙여 넣으세요. 위젯은 이 브로커 수, 시드, 토픽으로 클러스터를 시작한 뒤, 여기서 입력한 명령과 노드 상자에서 한 kill, stop, start, pause를 실행합니다. 네트워크 장애, 프로듀서 폼, 컨슈머는 포함되지 않습니다.",
    embed_restored: "이 클러스터는 브라우저 저장소에서 다시 시작되었습니다. 그 전에 한 일은 알 수 없어, 코드에는 브로커 수와 시드만 들어 있습니다.",
    embed_close: "닫기",

    note: |n| match n {
        Note::Fault { fault, node } => {
            let what = match fault {
                FaultKind::Kill => "강제 종료했습니다",
                FaultKind::Shutdown => "정상 종료를 요청했습니다",
                FaultKind::Restart => "재시작했습니다",
                FaultKind::Pause => "일시 정지했습니다",
                FaultKind::Resume => "재개했습니다",
                FaultKind::Isolate => "네트워크에서 고립시켰습니다",
                FaultKind::Slow => "느리게 만들었습니다. 다른 브로커로 가는 요청이 replica.lag.time.max.ms보다 늦게 도착합니다",
                FaultKind::Unslow => "더 이상 느리지 않습니다",
            };
            format!("{}: {what}.", any_node_ko(*node))
        }
        Note::Cut { a, b } => format!("{} ↔ {} 사이의 네트워크를 끊었습니다.", any_node_ko(*a), any_node_ko(*b)),
        Note::Healed => "네트워크를 복구했습니다.".to_string(),
        Note::LeaderChanged { tp, from, to } => match (*from, *to) {
            (_, -1) => format!("{tp}: 리더 없음(오프라인). 이전 리더는 브로커 {from}입니다."),
            (-1, to) => format!("{tp}: 브로커 {to}가 다시 리더입니다."),
            (from, to) => format!("{tp}: 리더가 브로커 {from}에서 브로커 {to}로 옮겨 갔습니다."),
        },
        Note::ControllerChanged { to: Some(c) } => format!("컨트롤러 {c}가 활성 컨트롤러입니다."),
        Note::ControllerChanged { to: None } => "활성 컨트롤러가 없습니다.".to_string(),
        Note::TopicCreated { name } => format!("토픽 {name}을(를) 만들었습니다."),
        Note::TopicFailed { name, error } => format!("토픽 {name}을(를) 만들지 못했습니다: {error}"),
    },
    input_error: |e| match e {
        InputError::Partitions => "파티션 수는 정수여야 합니다.",
        InputError::ReplicationFactor => "복제 계수는 정수여야 합니다.",
        InputError::Rate => "초당 레코드 수는 1부터 200까지의 정수여야 합니다.",
        InputError::Keys => "서로 다른 키 개수는 0부터 1000까지의 정수여야 합니다.",
        InputError::Acks => "acks는 0, 1, all 중 하나여야 합니다.",
        InputError::Idempotence => "Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence. (멱등성 프로듀서는 acks=all 이어야 합니다.)",
        InputError::NoTopic => "토픽을 고르세요(먼저 토픽을 만드세요).",
        InputError::Brokers => "브로커 수는 1부터 9까지의 정수여야 합니다.",
        InputError::Seed => "시드는 0부터 18446744073709551615까지의 정수여야 합니다.",
    },
};

/// The texts of a node's box ([`crate::cluster_view::node_box`]): the app's
/// and the docs widget's. Apart from [`Play`] so that the widget's start-up
/// module (its split keeps what the code it runs names, and every text such
/// a table points to) holds these and not the whole page's.
pub struct NodeTexts {
    pub node_name: fn(NodeKind, NodeId) -> String,
    pub state: fn(NodeState) -> &'static str,
    pub fenced: &'static str,
    pub active_controller: &'static str,
    pub network_cut: &'static str,
    /// The badge of a slow broker.
    pub slow_badge: &'static str,
    pub raft_role: &'static str,
    pub no_replicas: &'static str,
    pub role: fn(ReplicaRole) -> &'static str,
    pub fault_button: fn(FaultKind) -> &'static str,
    /// The accessible name of a fault button: "Kill broker 2".
    pub fault_label: fn(FaultKind, NodeKind, NodeId) -> String,
}

pub static NODES_EN: NodeTexts = NodeTexts {
    node_name: node_en,
    state: |s| match s {
        NodeState::Running => "running",
        NodeState::Paused => "paused",
        NodeState::Stopped => "stopped",
    },
    fenced: "fenced",
    active_controller: "★ active controller",
    network_cut: "network cut",
    slow_badge: "slow",
    raft_role: "Raft role",
    no_replicas: "No replicas.",
    role: |r| match r {
        ReplicaRole::Leader => "leader",
        ReplicaRole::InSyncFollower => "in-sync follower",
        ReplicaRole::OutOfSyncFollower => "out-of-sync follower",
        ReplicaRole::Offline => "offline",
    },
    fault_button: |f| match f {
        FaultKind::Kill => "Kill",
        FaultKind::Shutdown => "Stop",
        FaultKind::Restart => "Restart",
        FaultKind::Pause => "Pause",
        FaultKind::Resume => "Resume",
        FaultKind::Isolate => "Isolate",
        FaultKind::Slow => "Slow",
        FaultKind::Unslow => "Unslow",
    },
    fault_label: |f, kind, id| {
        let verb = match f {
            FaultKind::Kill => "Kill (kill -9)",
            FaultKind::Shutdown => "Stop (controlled shutdown)",
            FaultKind::Restart => "Restart",
            FaultKind::Pause => "Pause (stop-the-world)",
            FaultKind::Resume => "Resume",
            FaultKind::Isolate => "Cut the network of",
            FaultKind::Slow => "Slow the replica fetches of",
            FaultKind::Unslow => "Stop slowing",
        };
        format!("{verb} {}", node_en(kind, id).to_lowercase())
    },
};

pub static NODES_KO: NodeTexts = NodeTexts {
    node_name: node_ko,
    state: |s| match s {
        NodeState::Running => "실행 중",
        NodeState::Paused => "일시 정지됨",
        NodeState::Stopped => "중지됨",
    },
    fenced: "펜스됨(fenced)",
    active_controller: "★ 활성 컨트롤러",
    network_cut: "네트워크 끊김",
    slow_badge: "느림",
    raft_role: "Raft 역할",
    no_replicas: "복제본 없음.",
    role: |r| match r {
        ReplicaRole::Leader => "리더",
        ReplicaRole::InSyncFollower => "동기화된 팔로워",
        ReplicaRole::OutOfSyncFollower => "동기화되지 않은 팔로워",
        ReplicaRole::Offline => "오프라인",
    },
    fault_button: |f| match f {
        FaultKind::Kill => "강제 종료",
        FaultKind::Shutdown => "정상 종료",
        FaultKind::Restart => "재시작",
        FaultKind::Pause => "일시 정지",
        FaultKind::Resume => "재개",
        FaultKind::Isolate => "고립",
        FaultKind::Slow => "느리게",
        FaultKind::Unslow => "느리게 해제",
    },
    fault_label: |f, kind, id| {
        let verb = match f {
            FaultKind::Kill => "강제 종료 (kill -9)",
            FaultKind::Shutdown => "정상 종료 (controlled shutdown)",
            FaultKind::Restart => "재시작",
            FaultKind::Pause => "일시 정지 (stop-the-world)",
            FaultKind::Resume => "재개",
            FaultKind::Isolate => "네트워크에서 고립",
            FaultKind::Slow => "복제 요청을 느리게",
            FaultKind::Unslow => "느리게 해제",
        };
        format!("{}: {verb}", node_ko(kind, id))
    },
};

impl crate::i18n::Lang {
    pub fn play(self) -> &'static Play {
        self.pick(&PLAY_EN, &PLAY_KO)
    }

    pub fn nodes(self) -> &'static NodeTexts {
        self.pick(&NODES_EN, &NODES_KO)
    }
}
