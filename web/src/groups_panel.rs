//! The consumer-groups panel: every group the cluster's coordinators hold
//! (also the ones the terminal's tools created), with its state, members and,
//! per partition, the assigned member, the committed offset, the log end
//! offset and the lag, the numbers `kafka-consumer-groups --describe` prints;
//! and consumers the learner starts (and stops) in a group from the page.
//!
//! The view is read from the simulation without sending anything, so looking
//! never changes the trace (the tools' AdminClient calls run the clock): each
//! group from the broker that coordinates it (`GroupCoordinator::describe_group`
//! answers only there), the committed offsets from that coordinator, the log
//! end offset as the tool has it (ListOffsets(latest) at the leader: its high
//! watermark). The consumers are the cluster crate's own clients, which join
//! the group, fetch and auto-commit on the simulated clock.

use kafkaplay_cluster::config::ConsumerConfig;
use kafkaplay_cluster::consumer::{ConsumerApp, ProcessingMode};
use kafkaplay_cluster::{NodeId, Simulation, TopicPartition};
use kafkaplay_flatmap::FlatMap;

use crate::playground::Playground;

/// The most consumers the page runs at once.
pub const CONSUMERS_MAX: usize = 16;
/// The longest group id the form takes.
pub const GROUP_ID_MAX: usize = 249;

/// The consumer form, as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsumerForm {
    pub group: String,
    pub topic: String,
    /// `auto.offset.reset`: `earliest` or `latest`.
    pub offset_reset: String,
}

impl Default for ConsumerForm {
    fn default() -> Self {
        ConsumerForm {
            group: "my-group".into(),
            topic: String::new(),
            offset_reset: "earliest".into(),
        }
    }
}

/// Why the consumer form was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsumerFormError {
    Group,
    Topic,
    OffsetReset,
    TooMany,
}

impl ConsumerForm {
    /// The group id, topic and reset policy, or why not.
    pub fn parse(&self) -> Result<(String, String, String), ConsumerFormError> {
        let group = self.group.trim();
        // Kafka takes any group id but the empty one for a subscribing consumer
        // (`InvalidGroupIdException`); the page also bounds its length.
        if group.is_empty() || group.len() > GROUP_ID_MAX || group.chars().any(char::is_control) {
            return Err(ConsumerFormError::Group);
        }
        let topic = self.topic.trim();
        if topic.is_empty() {
            return Err(ConsumerFormError::Topic);
        }
        let reset = self.offset_reset.trim();
        if reset != "earliest" && reset != "latest" {
            return Err(ConsumerFormError::OffsetReset);
        }
        Ok((group.to_string(), topic.to_string(), reset.to_string()))
    }
}

/// A consumer the learner started.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsumerRun {
    pub id: NodeId,
    pub group: String,
    pub topic: String,
    pub client_id: String,
    /// Stopped from the page (closed: it committed and left the group).
    pub stopped: bool,
}

/// One member of a group.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberRow {
    pub member_id: String,
    pub client_id: String,
    pub host: String,
    pub assignment: Vec<TopicPartition>,
}

/// One partition of a group, as `kafka-consumer-groups --describe` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupPartitionRow {
    pub tp: TopicPartition,
    /// The member it is assigned to (`None`: no member has it).
    pub member_id: Option<String>,
    pub client_id: Option<String>,
    pub committed: Option<i64>,
    pub log_end_offset: Option<i64>,
    pub lag: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupView {
    pub group_id: String,
    /// `Empty`, `PreparingRebalance`, `CompletingRebalance`, `Stable`, `Dead`.
    pub state: String,
    pub generation: i32,
    pub coordinator: NodeId,
    pub members: Vec<MemberRow>,
    pub partitions: Vec<GroupPartitionRow>,
}

impl GroupView {
    /// The sum of the known lags.
    pub fn total_lag(&self) -> i64 {
        self.partitions.iter().filter_map(|p| p.lag).sum()
    }
}

/// ListOffsets(latest) at the partition's leader: its high watermark (what
/// the tool prints as LOG-END-OFFSET).
fn log_end_offset(sim: &Simulation, tp: &TopicPartition) -> Option<i64> {
    let leader = sim.metadata()?.partition(tp)?.leader;
    sim.broker(leader)?.log(tp).map(|l| l.high_watermark())
}

/// Every group, by id, read from its coordinator.
pub fn groups(sim: &Simulation) -> Vec<GroupView> {
    let brokers = sim.config().brokers.clone();
    let mut ids: Vec<String> = brokers
        .iter()
        .filter_map(|b| sim.broker(*b))
        .flat_map(|b| b.group_coordinator().list_groups())
        .map(|g| g.group_id)
        .collect();
    ids.sort();
    ids.dedup();
    let all_tps: Vec<TopicPartition> = sim
        .metadata()
        .map(|m| m.partitions().map(|(tp, _)| tp).collect())
        .unwrap_or_default();
    let mut out = Vec::new();
    for id in ids {
        let Some((gc, d)) = brokers.iter().filter_map(|b| sim.broker(*b)).find_map(|b| {
            let gc = b.group_coordinator();
            match gc.describe_group(&id) {
                (None, d) => Some((gc, d)),
                _ => None,
            }
        }) else {
            continue;
        };
        if d.state == "Dead" {
            continue;
        }
        let mut members: Vec<MemberRow> = d
            .members
            .iter()
            .map(|m| MemberRow {
                member_id: m.member_id.clone(),
                client_id: m.client_id.clone(),
                host: m.host.clone(),
                assignment: m.assignment.clone(),
            })
            .collect();
        members.sort_by(|a, b| a.member_id.cmp(&b.member_id));
        let mut tps: Vec<TopicPartition> = members.iter().flat_map(|m| m.assignment.iter().cloned()).collect();
        for tp in &all_tps {
            if gc.committed_offset(&id, tp).is_some_and(|o| o >= 0) {
                tps.push(tp.clone());
            }
        }
        tps.sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
        tps.dedup();
        let partitions = tps
            .into_iter()
            .map(|tp| {
                let owner = members.iter().find(|m| m.assignment.contains(&tp));
                let committed = gc.committed_offset(&id, &tp).filter(|o| *o >= 0);
                let log_end_offset = log_end_offset(sim, &tp);
                let lag = match (committed, log_end_offset) {
                    (Some(o), Some(e)) => Some(e - o),
                    _ => None,
                };
                GroupPartitionRow {
                    member_id: owner.map(|m| m.member_id.clone()),
                    client_id: owner.map(|m| m.client_id.clone()),
                    tp,
                    committed,
                    log_end_offset,
                    lag,
                }
            })
            .collect();
        out.push(GroupView {
            group_id: id,
            state: d.state,
            generation: d.generation_id,
            coordinator: d.coordinator,
            members,
            partitions,
        });
    }
    out
}

/// The total lag of `groups` (the metrics' line), `None` without groups.
pub fn total_lag_of(groups: &[GroupView]) -> Option<i64> {
    (!groups.is_empty()).then(|| groups.iter().map(GroupView::total_lag).sum())
}

/// The most groups the lag chart draws a line for (the others are counted
/// under the legend).
pub const GROUPS_CHARTED_MAX: usize = 8;

/// One metrics sample of every group's total lag (groups that existed then).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GroupLagSample {
    pub time: kafkaplay_cluster::Ms,
    pub lags: FlatMap<String, i64>,
}

/// Each group's total lag over the last [`crate::playground::SAMPLES_MAX`]
/// metric samples, taken with the page's other metrics (every simulated
/// second) from the same coordinators' offsets the panel shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LagHistory {
    pub samples: std::collections::VecDeque<GroupLagSample>,
}

impl LagHistory {
    pub fn push(&mut self, time: kafkaplay_cluster::Ms, groups: &[GroupView]) {
        self.samples.push_back(GroupLagSample {
            time,
            lags: groups.iter().map(|g| (g.group_id.clone(), g.total_lag())).collect(),
        });
        while self.samples.len() > crate::playground::SAMPLES_MAX {
            self.samples.pop_front();
        }
    }

    /// The groups with a sample, by id.
    pub fn group_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self
            .samples
            .iter()
            .flat_map(|s| s.lags.keys().map(String::as_str))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// The largest lag sampled (0 without samples).
    pub fn max(&self) -> i64 {
        self.samples
            .iter()
            .flat_map(|s| s.lags.values().copied())
            .max()
            .unwrap_or(0)
            .max(0)
    }
}

/// The settings of a consumer the page starts in `group`: auto-commit,
/// `auto.offset.reset` as given, Kafka's defaults otherwise.
pub fn group_consumer_config(group: &str, reset: &str) -> ConsumerConfig {
    ConsumerConfig {
        group_id: Some(group.to_string()),
        auto_offset_reset: reset.to_string(),
        ..ConsumerConfig::default()
    }
}

/// Adds a consumer with `config` that subscribes to `topic` and commits
/// automatically (the consumer the groups panel starts).
pub fn add_group_consumer(sim: &mut Simulation, config: ConsumerConfig, topic: &str) -> NodeId {
    let id = sim.add_consumer(config, ConsumerApp::new(ProcessingMode::AutoCommit));
    sim.subscribe(id, &[topic]);
    id
}

impl Playground {
    /// Starts a consumer in the form's group, subscribed to its topic, with
    /// auto-commit (as `kafka-console-consumer --group` runs one).
    pub fn start_consumer(&mut self, form: &ConsumerForm) -> Result<NodeId, ConsumerFormError> {
        let (group, topic, reset) = form.parse()?;
        if self.consumers.iter().filter(|c| !c.stopped).count() >= CONSUMERS_MAX {
            return Err(ConsumerFormError::TooMany);
        }
        self.record(crate::journal::Action::StartConsumer(form.clone()));
        let config = group_consumer_config(&group, &reset);
        let id = add_group_consumer(&mut self.sim_mut(), config, &topic);
        let client_id = self
            .sim()
            .consumer(id)
            .map(|c| c.client_id().to_string())
            .unwrap_or_default();
        self.consumers.push(ConsumerRun {
            id,
            group,
            topic,
            client_id,
            stopped: false,
        });
        Ok(id)
    }

    /// Closes a consumer the page started: it commits, leaves the group and
    /// exits (the group rebalances its partitions to the others).
    pub fn stop_consumer(&mut self, id: NodeId) {
        let Some(run) = self.consumers.iter_mut().find(|c| c.id == id && !c.stopped) else {
            return;
        };
        run.stopped = true;
        self.record(crate::journal::Action::StopConsumer(id));
        self.sim_mut().close_consumer(id);
    }

    /// The groups now (see [`groups`]); empty while the terminal holds the
    /// simulation.
    pub fn group_views(&self) -> Vec<GroupView> {
        if !self.available() {
            return Vec::new();
        }
        groups(&self.sim())
    }
}

// ----- the page's panel -----

use yew::prelude::*;

use crate::i18n::Lang;
use crate::playground::PartitionView;

/// Which field of the consumer form changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsumerField {
    Group,
    Topic,
    OffsetReset,
}

/// The panel's own state in the page: the form as typed and its last error.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupsUi {
    pub form: ConsumerForm,
    pub error: Option<ConsumerFormError>,
}

impl GroupsUi {
    pub fn set(&mut self, field: ConsumerField, v: String) {
        match field {
            ConsumerField::Group => self.form.group = v,
            ConsumerField::Topic => self.form.topic = v,
            ConsumerField::OffsetReset => self.form.offset_reset = v,
        }
    }

    pub fn start(&mut self, pg: &mut Playground) {
        self.error = pg.start_consumer(&self.form).err();
    }
}

/// The panel's words.
pub struct GroupsText {
    pub heading: &'static str,
    pub intro: &'static str,
    pub group: &'static str,
    pub topic: &'static str,
    pub offset_reset: &'static str,
    pub start: &'static str,
    pub stop: &'static str,
    pub consumers: &'static str,
    pub running: &'static str,
    pub stopped: &'static str,
    pub none: &'static str,
    pub state: &'static str,
    pub members: &'static str,
    pub no_members: &'static str,
    pub coordinator: &'static str,
    pub partition: &'static str,
    pub member: &'static str,
    pub committed: &'static str,
    pub log_end: &'static str,
    pub lag: &'static str,
    pub total_lag: &'static str,
    pub unassigned: &'static str,
    pub chart_lag: &'static str,
    pub chart_lag_groups: &'static str,
    pub chart_lag_groups_note: &'static str,
    pub chart_lag_label: fn(&[(&str, i64)], i64) -> String,
    pub chart_more: fn(usize) -> String,
    pub error: fn(ConsumerFormError) -> &'static str,
    pub stop_label: fn(&str) -> String,
}

pub fn text(lang: Lang) -> &'static GroupsText {
    lang.pick(&EN, &KO)
}

static EN: GroupsText = GroupsText {
    heading: "Consumer groups",
    intro: "Every group the coordinators hold, also those started in the terminal: the numbers kafka-consumer-groups --describe prints. A consumer started here joins the group, fetches and commits automatically (enable.auto.commit, every 5 s).",
    group: "Group id",
    topic: "Topic",
    offset_reset: "auto.offset.reset",
    start: "Start consumer",
    stop: "Stop",
    consumers: "Consumers started here",
    running: "running",
    stopped: "stopped (closed, left the group)",
    none: "No consumer group yet.",
    state: "State",
    members: "Members",
    no_members: "no active members",
    coordinator: "coordinator",
    partition: "Partition",
    member: "Assigned to",
    committed: "Committed offset",
    log_end: "Log end offset",
    lag: "Lag",
    total_lag: "Total lag",
    unassigned: "– (no member)",
    chart_lag: "Consumer lag (all groups)",
    chart_lag_groups: "Lag per group over time",
    chart_lag_groups_note: "One line per group, told apart by its dash pattern and the name at its end; sampled every simulated second.",
    chart_lag_label: |now, max| {
        let groups: Vec<String> = now.iter().map(|(g, l)| format!("{g} {l}")).collect();
        format!("Lag per group over time, now: {}; highest {max}", groups.join(", "))
    },
    chart_more: |n| format!("and {n} more groups (not drawn)"),
    error: |e| match e {
        ConsumerFormError::Group => "Enter a group id (at most 249 characters).",
        ConsumerFormError::Topic => "Choose a topic.",
        ConsumerFormError::OffsetReset => "auto.offset.reset must be earliest or latest.",
        ConsumerFormError::TooMany => "Too many consumers: stop one first (at most 16).",
    },
    stop_label: |c| format!("Stop consumer {c}"),
};

static KO: GroupsText = GroupsText {
    heading: "컨슈머 그룹",
    intro: "코디네이터가 가진 모든 그룹(터미널에서 시작한 그룹 포함)을 kafka-consumer-groups --describe 가 출력하는 숫자 그대로 보여 줍니다. 여기서 시작한 컨슈머는 그룹에 참여해 데이터를 가져오고 자동으로 커밋합니다(enable.auto.commit, 5초마다).",
    group: "그룹 ID",
    topic: "토픽",
    offset_reset: "auto.offset.reset",
    start: "컨슈머 시작",
    stop: "중지",
    consumers: "여기서 시작한 컨슈머",
    running: "실행 중",
    stopped: "중지됨 (닫고 그룹을 떠남)",
    none: "아직 컨슈머 그룹이 없습니다.",
    state: "상태",
    members: "멤버",
    no_members: "활성 멤버 없음",
    coordinator: "코디네이터",
    partition: "파티션",
    member: "할당된 멤버",
    committed: "커밋된 오프셋",
    log_end: "로그 끝 오프셋",
    lag: "랙",
    total_lag: "전체 랙",
    unassigned: "– (멤버 없음)",
    chart_lag: "컨슈머 랙 (모든 그룹)",
    chart_lag_groups: "그룹별 랙 추이",
    chart_lag_groups_note: "그룹마다 선이 하나이고, 점선 모양과 선 끝의 이름으로 구별합니다. 시뮬레이션 시간 1초마다 잽니다.",
    chart_lag_label: |now, max| {
        let groups: Vec<String> = now.iter().map(|(g, l)| format!("{g} {l}")).collect();
        format!("그룹별 랙 추이, 현재: {}; 최고 {max}", groups.join(", "))
    },
    chart_more: |n| format!("그 밖의 그룹 {n}개 (그리지 않음)"),
    error: |e| match e {
        ConsumerFormError::Group => "그룹 ID를 입력하세요 (249자 이하).",
        ConsumerFormError::Topic => "토픽을 고르세요.",
        ConsumerFormError::OffsetReset => "auto.offset.reset 은 earliest 또는 latest 여야 합니다.",
        ConsumerFormError::TooMany => "컨슈머가 너무 많습니다. 먼저 하나를 중지하세요 (최대 16개).",
    },
    stop_label: |c| format!("컨슈머 {c} 중지"),
};

fn input_value(e: &InputEvent) -> String {
    e.target_unchecked_into::<web_sys::HtmlInputElement>().value()
}

fn select_value(e: &Event) -> String {
    e.target_unchecked_into::<web_sys::HtmlSelectElement>().value()
}

/// Dash patterns of the lag chart's lines (`stroke-dasharray`), one per
/// charted group, so the lines differ without colour.
const LAG_DASHES: [&str; GROUPS_CHARTED_MAX] = ["", "7 3", "2 3", "9 3 2 3", "1 2", "12 5", "5 2 1 2 1 2", "3 6"];

/// The lag chart's geometry (SVG user units): the plot, then room for the
/// names at the lines' ends.
const LAG_PLOT_W: f64 = 300.0;
const LAG_W: f64 = 420.0;
const LAG_H: f64 = 130.0;
const LAG_TOP: f64 = 8.0;
const LAG_BOTTOM: f64 = 122.0;
/// The smallest vertical distance between two end labels.
const LAG_LABEL_GAP: f64 = 11.0;
/// The longest group name an end label shows (then `…`).
const LAG_LABEL_CHARS: usize = 14;

/// One charted group: its line (`M`/`L` path, broken where the group did
/// not exist) and where it ends.
#[derive(Debug, Clone, PartialEq)]
pub struct LagLine {
    pub group: String,
    pub path: String,
    /// The last sample's point and lag.
    pub end: (f64, f64),
    pub now: i64,
}

/// The lines of the lag chart: the first [`GROUPS_CHARTED_MAX`] groups by id,
/// each over the samples it was in; and how many groups were left out.
pub fn lag_lines(history: &LagHistory) -> (Vec<LagLine>, usize) {
    let ids = history.group_ids();
    let left_out = ids.len().saturating_sub(GROUPS_CHARTED_MAX);
    let max = history.max();
    let scale = if max > 0 { max as f64 } else { 1.0 };
    let n = crate::playground::SAMPLES_MAX as f64;
    let offset = n - history.samples.len() as f64;
    let lines = ids
        .into_iter()
        .take(GROUPS_CHARTED_MAX)
        .map(|id| {
            let mut path = String::new();
            let mut pen_down = false;
            let mut end = (0.0, LAG_BOTTOM);
            let mut now = 0;
            for (i, s) in history.samples.iter().enumerate() {
                let Some(&lag) = s.lags.get(id) else {
                    pen_down = false;
                    continue;
                };
                let x = (offset + i as f64) / (n - 1.0) * LAG_PLOT_W;
                let y = LAG_BOTTOM - lag.max(0) as f64 / scale * (LAG_BOTTOM - LAG_TOP);
                path.push_str(&format!("{}{x:.1},{y:.1} ", if pen_down { "L" } else { "M" }));
                pen_down = true;
                end = (x, y);
                now = lag;
            }
            LagLine {
                group: id.to_string(),
                path: path.trim_end().to_string(),
                end,
                now,
            }
        })
        .collect();
    (lines, left_out)
}

/// The end labels' heights: each line's end, moved apart so that no two
/// labels are closer than [`LAG_LABEL_GAP`] and all stay inside the chart.
fn label_heights(ends: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..ends.len()).collect();
    order.sort_by(|&a, &b| ends[a].total_cmp(&ends[b]).then(a.cmp(&b)));
    let mut ys = vec![0.0; ends.len()];
    let mut next_min = LAG_TOP;
    for &i in &order {
        let y = ends[i].max(next_min);
        ys[i] = y;
        next_min = y + LAG_LABEL_GAP;
    }
    // Pushed below the bottom: move the lowest ones up, as little as needed.
    let mut next_max = LAG_H - 2.0;
    for &i in order.iter().rev() {
        ys[i] = ys[i].min(next_max);
        next_max = ys[i] - LAG_LABEL_GAP;
    }
    ys
}

fn short_name(group: &str) -> String {
    if group.chars().count() > LAG_LABEL_CHARS {
        let head: String = group.chars().take(LAG_LABEL_CHARS - 1).collect();
        format!("{head}…")
    } else {
        group.to_string()
    }
}

/// The chart of each group's lag over time, with a legend.
fn lag_chart(history: &LagHistory, t: &GroupsText) -> Html {
    let (lines, left_out) = lag_lines(history);
    if lines.is_empty() {
        return html! {};
    }
    let max = history.max();
    let now: Vec<(&str, i64)> = lines.iter().map(|l| (l.group.as_str(), l.now)).collect();
    let label_ys = label_heights(&lines.iter().map(|l| l.end.1).collect::<Vec<_>>());
    html! {
        <figure class="chart lag-chart" data-testid="group-lag-chart">
            <figcaption>
                <span>{ t.chart_lag_groups }</span>
                <span class="num muted">{ format!("max {max}") }</span>
            </figcaption>
            <svg viewBox={format!("0 0 {LAG_W} {LAG_H}")} role="img" aria-label={(t.chart_lag_label)(&now, max)}>
                <line x1="0" y1={LAG_BOTTOM.to_string()} x2={LAG_PLOT_W.to_string()} y2={LAG_BOTTOM.to_string()} class="axis" />
                <line x1="0" y1={LAG_TOP.to_string()} x2={LAG_PLOT_W.to_string()} y2={LAG_TOP.to_string()} class="axis faint" />
                <text x="2" y={(LAG_TOP + 9.0).to_string()} class="lag-scale">{ max.to_string() }</text>
                { for lines.iter().enumerate().map(|(i, l)| html! {
                    <g class={format!("lag-series lag-series-{i}")}>
                        <path d={l.path.clone()} class="lag-line" stroke-dasharray={LAG_DASHES[i]}
                            data-testid="group-lag-line" data-group={l.group.clone()} />
                        <circle cx={format!("{:.1}", l.end.0)} cy={format!("{:.1}", l.end.1)} r="2.5" class="lag-end" />
                        <line x1={format!("{:.1}", l.end.0)} y1={format!("{:.1}", l.end.1)}
                            x2={format!("{:.1}", LAG_PLOT_W + 4.0)} y2={format!("{:.1}", label_ys[i] - 3.0)} class="lag-leader" />
                        <text x={format!("{:.1}", LAG_PLOT_W + 6.0)} y={format!("{:.1}", label_ys[i])} class="lag-label">
                            { format!("{} {}", short_name(&l.group), l.now) }
                        </text>
                    </g>
                }) }
            </svg>
            <ul class="lag-legend" data-testid="group-lag-legend">
                { for lines.iter().enumerate().map(|(i, l)| html! {
                    <li data-testid="group-lag-legend-item" data-group={l.group.clone()} class={format!("lag-series lag-series-{i}")}>
                        <svg viewBox="0 0 30 8" width="30" height="8" aria-hidden="true">
                            <line x1="0" y1="4" x2="30" y2="4" class="lag-line" stroke-dasharray={LAG_DASHES[i]} />
                        </svg>
                        <code>{ l.group.clone() }</code>
                        <span>{ format!("{} {}", t.lag, l.now) }</span>
                    </li>
                }) }
            </ul>
            if left_out > 0 {
                <p class="muted">{ (t.chart_more)(left_out) }</p>
            }
            <p class="note">{ t.chart_lag_groups_note }</p>
        </figure>
    }
}

/// The panel: the form, the page's consumers, and every group.
pub fn view(
    ui: &GroupsUi,
    pg: &Playground,
    lang: Lang,
    partitions: &[PartitionView],
    on_field: &Callback<(ConsumerField, String)>,
    on_start: &Callback<()>,
    on_stop: &Callback<NodeId>,
) -> Html {
    let t = text(lang);
    let f = &ui.form;
    let mut topics: Vec<&str> = partitions.iter().map(|p| p.tp.topic.as_str()).collect();
    topics.dedup();
    let groups = pg.group_views();
    let onsubmit = {
        let on_start = on_start.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            on_start.emit(());
        })
    };
    let field_input = |field: ConsumerField| {
        let cb = on_field.clone();
        Callback::from(move |e: InputEvent| cb.emit((field, input_value(&e))))
    };
    let field_select = |field: ConsumerField| {
        let cb = on_field.clone();
        Callback::from(move |e: Event| cb.emit((field, select_value(&e))))
    };
    let dash = |v: Option<i64>| v.map_or("-".to_string(), |v| v.to_string());
    html! {
        <section class="card" aria-labelledby="groups-heading" data-testid="groups-panel">
            <h2 id="groups-heading">{ t.heading }</h2>
            <p class="note">{ t.intro }</p>
            <form class="grid-form" novalidate=true {onsubmit} aria-label={t.start}>
                <label class="field"><span>{ t.group }</span>
                    <input type="text" value={f.group.clone()} data-testid="consumer-group"
                        oninput={field_input(ConsumerField::Group)} /></label>
                <label class="field"><span>{ t.topic }</span>
                    <select data-testid="consumer-topic" onchange={field_select(ConsumerField::Topic)}>
                        <option value="" selected={!topics.contains(&f.topic.as_str())}>{ "–" }</option>
                        { for topics.iter().map(|name| html! {
                            <option value={name.to_string()} selected={f.topic == *name}>{ name.to_string() }</option>
                        }) }
                    </select></label>
                <label class="field"><span><code>{ t.offset_reset }</code></span>
                    <select data-testid="consumer-reset" onchange={field_select(ConsumerField::OffsetReset)}>
                        { for ["earliest", "latest"].iter().map(|a| html! { <option value={*a} selected={f.offset_reset == *a}>{ *a }</option> }) }
                    </select></label>
                <div class="buttons">
                    <button type="submit" class="primary" data-testid="consumer-start">{ t.start }</button>
                </div>
            </form>
            if let Some(e) = ui.error {
                <p class="notice error" role="alert" data-testid="consumer-error">{ (t.error)(e) }</p>
            }
            if !pg.consumers.is_empty() {
                <h3>{ t.consumers }</h3>
                <ul data-testid="consumer-list">
                    { for pg.consumers.iter().map(|c| {
                        let id = c.id;
                        let cb = on_stop.clone();
                        html! {
                            <li data-testid="consumer-run">
                                <code>{ c.client_id.clone() }</code>{ format!(" · {} · {} · ", c.group, c.topic) }
                                <strong>{ if c.stopped { t.stopped } else { t.running } }</strong>
                                if !c.stopped {
                                    { " " }
                                    <button type="button" data-testid="consumer-stop" aria-label={(t.stop_label)(&c.client_id)}
                                        onclick={Callback::from(move |_| cb.emit(id))}>{ t.stop }</button>
                                }
                            </li>
                        }
                    }) }
                </ul>
            }
            if groups.is_empty() {
                <p class="muted" data-testid="groups-none">{ t.none }</p>
            }
            { lag_chart(&pg.lag_history, t) }
            { for groups.iter().map(|g| html! {
                <div class="group" data-testid="group" data-group={g.group_id.clone()}>
                    <h3><code>{ g.group_id.clone() }</code></h3>
                    <p>
                        { format!("{}: ", t.state) }<strong data-testid="group-state">{ g.state.clone() }</strong>
                        { format!(" · {} {} · {}: ", t.coordinator, g.coordinator, t.total_lag) }
                        <strong class="num" data-testid="group-lag">{ g.total_lag() }</strong>
                    </p>
                    <p>{ format!("{}: ", t.members) }
                        if g.members.is_empty() { <span class="muted">{ t.no_members }</span> }
                        { for g.members.iter().map(|m| html! {
                            <span class="member"><code>{ m.client_id.clone() }</code>{ " (" }<code>{ m.member_id.clone() }</code>{ ") " }</span>
                        }) }
                    </p>
                    if !g.partitions.is_empty() {
                        <table class="describe" data-testid="group-table" aria-label={format!("{} {}", t.heading, g.group_id)}>
                            <thead><tr>
                                <th scope="col">{ t.partition }</th>
                                <th scope="col">{ t.member }</th>
                                <th scope="col" class="num">{ t.committed }</th>
                                <th scope="col" class="num">{ t.log_end }</th>
                                <th scope="col" class="num">{ t.lag }</th>
                            </tr></thead>
                            <tbody>
                                { for g.partitions.iter().map(|r| html! {
                                    <tr data-testid="group-row">
                                        <th scope="row"><code>{ format!("{}-{}", r.tp.topic, r.tp.partition) }</code></th>
                                        <td>{ match &r.client_id {
                                            Some(c) => html! { <code>{ c.clone() }</code> },
                                            None => html! { <span class="muted">{ t.unassigned }</span> },
                                        } }</td>
                                        <td class="num">{ dash(r.committed) }</td>
                                        <td class="num">{ dash(r.log_end_offset) }</td>
                                        <td class="num" data-testid="row-lag">{ dash(r.lag) }</td>
                                    </tr>
                                }) }
                            </tbody>
                        </table>
                    }
                </div>
            }) }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::{apply, Action};
    use crate::playground::ProducerForm;

    const MISSING: &str = "-";

    fn line(pg: &mut Playground, text: &str) -> String {
        let shell = pg.shell.clone();
        let out = shell.borrow_mut().submit(text);
        pg.refresh();
        out.stdout()
    }

    /// The rows of `kafka-consumer-groups --describe`: (topic, partition,
    /// current offset, log end offset, lag, consumer id, client id).
    fn described(pg: &mut Playground, group: &str) -> Vec<[String; 7]> {
        let out = line(
            pg,
            &format!("kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group {group}"),
        );
        let mut rows: Vec<[String; 7]> = out
            .lines()
            .filter(|l| l.starts_with(&format!("{group} ")))
            .map(|l| {
                let w: Vec<&str> = l.split_whitespace().collect();
                assert_eq!(w.len(), 9, "{l}");
                [w[1], w[2], w[3], w[4], w[5], w[6], w[8]].map(str::to_string)
            })
            .collect();
        rows.sort();
        rows
    }

    fn panel_rows(pg: &Playground, group: &str) -> Vec<[String; 7]> {
        let views = pg.group_views();
        let g = views.iter().find(|g| g.group_id == group).expect("the group is listed");
        let opt = |v: Option<i64>| v.map_or(MISSING.to_string(), |v| v.to_string());
        let mut rows: Vec<[String; 7]> = g
            .partitions
            .iter()
            .map(|r| {
                [
                    r.tp.topic.to_string(),
                    r.tp.partition.to_string(),
                    opt(r.committed),
                    opt(r.log_end_offset),
                    opt(r.lag),
                    r.member_id.clone().unwrap_or_else(|| MISSING.into()),
                    r.client_id.clone().unwrap_or_else(|| MISSING.into()),
                ]
            })
            .collect();
        rows.sort();
        rows
    }

    fn with_records() -> Playground {
        let mut pg = Playground::new(3, 7);
        pg.run_for(1_000);
        apply(
            &mut pg,
            &Action::Line(
                "kafka-topics --bootstrap-server localhost:9092 --create --topic orders --partitions 3 --replication-factor 2"
                    .into(),
            ),
        );
        pg.run_for(1_000);
        pg.start_producer(&ProducerForm {
            topic: "orders".into(),
            rate: "30".into(),
            keys: "6".into(),
            ..ProducerForm::default()
        })
        .unwrap();
        pg.run_for(4_000);
        pg.stop_producer();
        pg.run_for(1_000);
        pg
    }

    #[test]
    fn the_panel_shows_what_kafka_consumer_groups_describe_prints() {
        let mut pg = with_records();
        let produced = pg.producer.as_ref().unwrap().acked as i64;
        assert!(produced > 50, "{produced}");
        let id = pg
            .start_consumer(&ConsumerForm {
                group: "billing".into(),
                topic: "orders".into(),
                offset_reset: "earliest".into(),
            })
            .unwrap();
        pg.run_for(15_000);
        let views = pg.group_views();
        let g = views.iter().find(|g| g.group_id == "billing").unwrap();
        assert_eq!(g.state, "Stable");
        assert_eq!(g.members.len(), 1);
        assert_eq!(g.members[0].client_id, pg.consumers[0].client_id);
        assert_eq!(g.partitions.len(), 3);
        assert_eq!(
            g.partitions.iter().filter_map(|p| p.log_end_offset).sum::<i64>(),
            produced
        );
        // Consumed and committed: no lag.
        assert_eq!(g.total_lag(), 0);
        let panel = panel_rows(&pg, "billing");
        assert_eq!(panel, described(&mut pg, "billing"));

        // Stopped: the group is empty, its offsets stay; new records are lag.
        pg.stop_consumer(id);
        pg.run_for(2_000);
        pg.start_producer(&ProducerForm {
            topic: "orders".into(),
            rate: "10".into(),
            keys: "0".into(),
            ..ProducerForm::default()
        })
        .unwrap();
        pg.run_for(3_000);
        pg.stop_producer();
        pg.run_for(1_000);
        let views = pg.group_views();
        let g = views.iter().find(|g| g.group_id == "billing").unwrap();
        assert_eq!(g.state, "Empty");
        assert!(g.members.is_empty());
        assert!(g.total_lag() > 10, "{:?}", g);
        assert!(g.partitions.iter().all(|p| p.member_id.is_none()));
        let panel = panel_rows(&pg, "billing");
        assert_eq!(panel, described(&mut pg, "billing"));
        // The metric samples carry the lag.
        assert_eq!(pg.samples.back().and_then(|s| s.consumer_lag), Some(g.total_lag()));
    }

    #[test]
    fn a_group_from_the_terminal_is_listed_too() {
        let mut pg = with_records();
        line(
            &mut pg,
            "kafka-console-consumer --bootstrap-server localhost:9092 --topic orders --group from-shell --from-beginning",
        );
        pg.run_for(8_000);
        let views = pg.group_views();
        let g = views.iter().find(|g| g.group_id == "from-shell").expect("listed");
        assert_eq!(g.state, "Stable");
        assert_eq!(g.members.len(), 1);
        // Kafka's member id: the client id, a dash, a UUID.
        let m = &g.members[0];
        assert!(m.member_id.starts_with(&format!("{}-", m.client_id)), "{m:?}");
        assert!(g
            .partitions
            .iter()
            .all(|p| p.client_id.as_deref() == Some(m.client_id.as_str())));
        // Ctrl+C: the console consumer commits and leaves; the terminal is free.
        apply(&mut pg, &Action::Interrupt);
        pg.run_for(1_000);
        let views = pg.group_views();
        let g = views.iter().find(|g| g.group_id == "from-shell").expect("listed");
        assert_eq!(g.state, "Empty");
        assert_eq!(g.total_lag(), 0);
        let panel = panel_rows(&pg, "from-shell");
        assert_eq!(panel.len(), 3);
        assert_eq!(panel, described(&mut pg, "from-shell"));
    }

    #[test]
    fn the_lag_chart_draws_one_line_per_group_from_the_samples() {
        let mut pg = with_records();
        assert_eq!(lag_lines(&pg.lag_history), (Vec::new(), 0));
        let form = |group: &str| ConsumerForm {
            group: group.into(),
            topic: "orders".into(),
            offset_reset: "earliest".into(),
        };
        pg.start_consumer(&form("billing")).unwrap();
        let audit = pg.start_consumer(&form("audit")).unwrap();
        pg.run_for(12_000);
        // Audit stops; new records are its lag, not billing's.
        pg.stop_consumer(audit);
        pg.start_producer(&ProducerForm {
            topic: "orders".into(),
            rate: "20".into(),
            keys: "3".into(),
            ..ProducerForm::default()
        })
        .unwrap();
        pg.run_for(4_000);
        pg.stop_producer();
        pg.run_for(6_000);
        let views = pg.group_views();
        let (lines, left_out) = lag_lines(&pg.lag_history);
        assert_eq!(left_out, 0);
        let names: Vec<&str> = lines.iter().map(|l| l.group.as_str()).collect();
        assert_eq!(names, ["audit", "billing"]);
        for l in &lines {
            let g = views.iter().find(|g| g.group_id == l.group).unwrap();
            // The last sample is at most a second old; nothing was produced since.
            assert_eq!(l.now, g.total_lag(), "{}", l.group);
            assert!(l.path.starts_with('M') && l.path.contains(" L"), "{}", l.path);
        }
        assert!(lines[0].now >= 40, "audit fell behind: {}", lines[0].now);
        assert_eq!(lines[1].now, 0, "billing kept up");
        // The samples are the page's metric samples.
        assert_eq!(pg.lag_history.samples.len(), pg.samples.len());
        let last = pg.lag_history.samples.back().unwrap();
        assert_eq!(
            Some(last.lags.values().sum::<i64>()),
            pg.samples.back().unwrap().consumer_lag
        );
    }

    #[test]
    fn end_labels_are_kept_apart_and_inside() {
        let ys = label_heights(&[LAG_BOTTOM, LAG_BOTTOM, LAG_BOTTOM, 50.0]);
        assert_eq!(ys[3], 50.0);
        let mut sorted = ys.clone();
        sorted.sort_by(f64::total_cmp);
        for w in sorted.windows(2) {
            assert!(w[1] - w[0] >= LAG_LABEL_GAP - 1e-9, "{ys:?}");
        }
        assert!(ys.iter().all(|y| *y <= LAG_H && *y >= 0.0), "{ys:?}");
        assert_eq!(short_name("a-very-long-group-name"), "a-very-long-g…");
        // Groups beyond the chart's lines are counted, not drawn.
        let mut history = LagHistory::default();
        let views: Vec<GroupView> = (0..GROUPS_CHARTED_MAX + 2)
            .map(|i| GroupView {
                group_id: format!("g{i:02}"),
                state: "Empty".into(),
                generation: 0,
                coordinator: 1,
                members: Vec::new(),
                partitions: Vec::new(),
            })
            .collect();
        history.push(1, &views);
        history.push(2, &views[..1]);
        let (lines, left_out) = lag_lines(&history);
        assert_eq!((lines.len(), left_out), (GROUPS_CHARTED_MAX, 2));
        // g01 was in the first sample only: one point, no segment.
        assert!(!lines[1].path.contains('L'));
        assert!(lines[0].path.contains('L'));
    }

    #[test]
    fn bad_forms_are_refused_and_not_recorded() {
        let mut pg = Playground::new(1, 1);
        let before = pg.journal.borrow().entries.len();
        for (group, topic, reset, err) in [
            ("", "t", "earliest", ConsumerFormError::Group),
            ("  ", "t", "earliest", ConsumerFormError::Group),
            ("g", " ", "earliest", ConsumerFormError::Topic),
            ("g", "t", "none", ConsumerFormError::OffsetReset),
            ("a\u{7}b", "t", "latest", ConsumerFormError::Group),
        ] {
            let form = ConsumerForm {
                group: group.into(),
                topic: topic.into(),
                offset_reset: reset.into(),
            };
            assert_eq!(pg.start_consumer(&form), Err(err));
        }
        assert_eq!(pg.journal.borrow().entries.len(), before);
        assert!(pg.consumers.is_empty());
        // Stopping a consumer the page does not have does nothing.
        pg.stop_consumer(12345);
        assert_eq!(pg.journal.borrow().entries.len(), before);
    }

    #[test]
    fn a_replay_reproduces_consumers_started_and_stopped_from_the_page() {
        let mut pg = with_records();
        apply(
            &mut pg,
            &Action::StartConsumer(ConsumerForm {
                group: "g1".into(),
                topic: "orders".into(),
                offset_reset: "earliest".into(),
            }),
        );
        pg.run_for(2_500);
        let id = pg.consumers[0].id;
        apply(
            &mut pg,
            &Action::StartConsumer(ConsumerForm {
                group: "g1".into(),
                topic: "orders".into(),
                offset_reset: "earliest".into(),
            }),
        );
        pg.run_for(7_000);
        apply(&mut pg, &Action::StopConsumer(id));
        pg.run_for(4_000);
        let text = crate::journal::journal_text(&pg);
        assert!(
            text.contains("\nconsume") || text.contains("consume g1 orders earliest"),
            "{text}"
        );
        assert!(text.contains(&format!("stop-consumer {id}")), "{text}");
        let replayed = crate::journal::from_journal_text(&text).unwrap();
        assert_eq!(replayed.hash_matches, Some(true));
        let back = replayed.playground;
        assert_eq!(back.consumers, pg.consumers);
        assert_eq!(back.group_views(), pg.group_views());
        assert_eq!(back.group_views()[0].members.len(), 1);
    }
}
