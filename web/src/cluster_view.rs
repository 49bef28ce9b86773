//! A broker box's replicas, grouped by topic so that a box stays short and
//! cheap to draw however many partitions the cluster holds.
//!
//! - A topic with few replicas on the broker lists each replica: its role by
//!   icon, text, border and colour, its LEO and the partition's HW.
//! - An internal topic (`__consumer_offsets`: 50 partitions) and a topic with
//!   more than [`GROUP_LIST_MAX`] replicas on the broker show one summary line
//!   instead (`__consumer_offsets: 17 replicas · ★ 6 leader · ● 11 in-sync`),
//!   which opens to the list. An open list shows at most [`OPEN_LIST_MAX`]
//!   replicas; `kafka-topics --describe` in the terminal shows every one.
//!
//! [`Replicas`] is its own component with equality-compared props, so a box
//! whose replicas did not change is not re-rendered on a clock tick.

use kafkaplay_flatmap::FlatSet;
use std::rc::Rc;

use kafkaplay_cluster::{NodeId, TopicPartition};
use yew::prelude::*;

use crate::i18n::Lang;
use crate::playground::{FaultKind, NodeKind, NodeState, NodeView, PartitionView, ReplicaRole, ReplicaView};

/// A topic with more replicas than this on one broker is summarised.
pub const GROUP_LIST_MAX: usize = 12;
/// An opened summary lists at most this many replicas.
pub const OPEN_LIST_MAX: usize = 100;

/// Kafka's internal topics (`__consumer_offsets`, `__transaction_state`).
pub fn is_internal(topic: &str) -> bool {
    topic.starts_with("__")
}

/// The replicas of one topic on one broker, in partition order.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicGroup<'a> {
    pub topic: &'a str,
    pub replicas: &'a [ReplicaView],
}

impl TopicGroup<'_> {
    /// Whether the group shows as one summary line until opened.
    pub fn collapsed_by_default(&self) -> bool {
        is_internal(self.topic) || self.replicas.len() > GROUP_LIST_MAX
    }

    /// How many replicas have each role: leader, in-sync, out-of-sync, offline.
    pub fn counts(&self) -> [usize; 4] {
        let mut counts = [0; 4];
        for r in self.replicas {
            counts[role_index(r.role)] += 1;
        }
        counts
    }
}

fn role_index(role: ReplicaRole) -> usize {
    match role {
        ReplicaRole::Leader => 0,
        ReplicaRole::InSyncFollower => 1,
        ReplicaRole::OutOfSyncFollower => 2,
        ReplicaRole::Offline => 3,
    }
}

const ROLES: [ReplicaRole; 4] = [
    ReplicaRole::Leader,
    ReplicaRole::InSyncFollower,
    ReplicaRole::OutOfSyncFollower,
    ReplicaRole::Offline,
];

/// Splits a broker's replicas (sorted by topic, then partition, as
/// `Playground::nodes` gives them) into one group per topic.
pub fn group_by_topic(replicas: &[ReplicaView]) -> Vec<TopicGroup<'_>> {
    let mut groups = Vec::new();
    let mut start = 0;
    for i in 1..=replicas.len() {
        if i == replicas.len() || replicas[i].tp.topic != replicas[start].tp.topic {
            groups.push(TopicGroup {
                topic: &replicas[start].tp.topic,
                replicas: &replicas[start..i],
            });
            start = i;
        }
    }
    groups
}

/// The role's icon and its CSS class / `data-role`.
pub fn role_icon_class(role: ReplicaRole) -> (&'static str, &'static str) {
    match role {
        ReplicaRole::Leader => ("★", "leader"),
        ReplicaRole::InSyncFollower => ("●", "in-sync"),
        ReplicaRole::OutOfSyncFollower => ("◐", "out-of-sync"),
        ReplicaRole::Offline => ("✕", "offline"),
    }
}

/// The summary line's text parts.
struct Text {
    replicas: fn(usize) -> String,
    role_count: fn(ReplicaRole) -> &'static str,
    more: fn(usize) -> String,
    show: &'static str,
    hide: &'static str,
}

const EN: Text = Text {
    replicas: |n| {
        if n == 1 {
            "1 replica".into()
        } else {
            format!("{n} replicas")
        }
    },
    role_count: |r| match r {
        ReplicaRole::Leader => "leader",
        ReplicaRole::InSyncFollower => "in-sync",
        ReplicaRole::OutOfSyncFollower => "out-of-sync",
        ReplicaRole::Offline => "offline",
    },
    more: |n| format!("… and {n} more: `kafka-topics --describe` in the terminal lists every partition."),
    show: "show each replica",
    hide: "hide the list",
};

const KO: Text = Text {
    replicas: |n| format!("복제본 {n}개"),
    role_count: |r| match r {
        ReplicaRole::Leader => "리더",
        ReplicaRole::InSyncFollower => "동기화",
        ReplicaRole::OutOfSyncFollower => "동기화 안 됨",
        ReplicaRole::Offline => "오프라인",
    },
    more: |n| format!("… 외 {n}개: 터미널의 `kafka-topics --describe`가 모든 파티션을 보여 줍니다."),
    show: "복제본 모두 보기",
    hide: "목록 숨기기",
};

fn text(lang: Lang) -> &'static Text {
    lang.pick(&EN, &KO)
}

#[derive(Properties, PartialEq)]
pub struct ReplicasProps {
    pub broker: NodeId,
    pub lang: Lang,
    /// The broker's replicas, sorted by topic and partition.
    pub replicas: Rc<Vec<ReplicaView>>,
}

pub enum ReplicasMsg {
    /// Opens or closes a topic's list.
    Toggle(String),
}

/// The partition table lists at most this many partitions of one topic.
pub const TABLE_ROWS_PER_TOPIC_MAX: usize = 50;

/// A row of the partition table, as shown: a partition (not its replicas'
/// LEOs, which change with every record and are not in the table), or how
/// many of a topic's partitions are left out (beyond
/// [`TABLE_ROWS_PER_TOPIC_MAX`]).
#[derive(Debug, Clone, PartialEq)]
pub enum TableRow {
    Partition {
        tp: TopicPartition,
        leader: NodeId,
        leader_epoch: i32,
        replicas: Vec<NodeId>,
        isr: Vec<NodeId>,
        high_watermark: Option<i64>,
    },
    More {
        topic: String,
        hidden: usize,
    },
}

/// The partition table's rows: each topic's first [`TABLE_ROWS_PER_TOPIC_MAX`]
/// partitions, then one row saying how many more it has.
pub fn table_rows(partitions: &[PartitionView]) -> Vec<TableRow> {
    let mut rows = Vec::new();
    let mut i = 0;
    while i < partitions.len() {
        let topic = &partitions[i].tp.topic;
        let end = i + partitions[i..].iter().take_while(|p| &p.tp.topic == topic).count();
        let shown = (end - i).min(TABLE_ROWS_PER_TOPIC_MAX);
        rows.extend(partitions[i..i + shown].iter().map(|p| TableRow::Partition {
            tp: p.tp.clone(),
            leader: p.leader,
            leader_epoch: p.leader_epoch,
            replicas: p.replicas.clone(),
            isr: p.isr.clone(),
            high_watermark: p.high_watermark,
        }));
        if end - i > shown {
            rows.push(TableRow::More {
                topic: topic.to_string(),
                hidden: end - i - shown,
            });
        }
        i = end;
    }
    rows
}

/// The table row that stands for a topic's partitions left out.
pub fn view_more_row(lang: Lang, topic: &str, hidden: usize, columns: usize) -> Html {
    let text = match lang {
        Lang::En => format!("… {hidden} more partitions of {topic}: `kafka-topics --describe --topic {topic}` in the terminal lists them all."),
        Lang::Ko => format!("… {topic}의 파티션 {hidden}개 더: 터미널의 `kafka-topics --describe --topic {topic}`가 모두 보여 줍니다."),
    };
    html! {
        <tr data-testid="partition-more" data-topic={topic.to_string()}>
            <td colspan={columns.to_string()} class="muted small">{ text }</td>
        </tr>
    }
}

#[derive(Properties, PartialEq)]
pub struct OptionsProps {
    pub values: Rc<Vec<String>>,
    pub selected: String,
}

/// The `<option>`s of a long `<select>` (the message browser's partitions):
/// a component of its own, so they are re-rendered only when they change.
#[function_component]
pub fn Options(props: &OptionsProps) -> Html {
    html! {
        <>
            { for props.values.iter().map(|v| html! { <option value={v.clone()} selected={*v == props.selected}>{ v.clone() }</option> }) }
        </>
    }
}

/// A broker's replicas, grouped by topic.
pub struct Replicas {
    /// Topics whose list the learner switched from its default (opened a
    /// summary, or closed a short list).
    toggled: FlatSet<String>,
}

impl Component for Replicas {
    type Message = ReplicasMsg;
    type Properties = ReplicasProps;

    fn create(_ctx: &Context<Self>) -> Self {
        Replicas {
            toggled: FlatSet::new(),
        }
    }

    fn update(&mut self, _ctx: &Context<Self>, msg: ReplicasMsg) -> bool {
        match msg {
            ReplicasMsg::Toggle(topic) => {
                if !self.toggled.remove(&topic) {
                    self.toggled.insert(topic);
                }
            }
        }
        true
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let props = ctx.props();
        let groups = group_by_topic(&props.replicas);
        html! {
            <ul class="replicas">
                { for groups.iter().map(|g| self.view_group(ctx, g)) }
            </ul>
        }
    }
}

impl Replicas {
    fn view_group(&self, ctx: &Context<Self>, g: &TopicGroup<'_>) -> Html {
        let props = ctx.props();
        let lang = props.lang;
        if !g.collapsed_by_default() {
            return html! { <>{ for g.replicas.iter().map(|r| view_replica(lang, r)) }</> };
        }
        let tx = text(lang);
        let open = self.toggled.contains(g.topic);
        let counts = g.counts();
        let topic = g.topic.to_string();
        let onclick = ctx.link().callback(move |e: MouseEvent| {
            e.prevent_default();
            ReplicasMsg::Toggle(topic.clone())
        });
        let parts = ROLES
            .iter()
            .filter(|r| counts[role_index(**r)] > 0 || **r == ReplicaRole::Leader)
            .map(|r| {
                let (icon, class) = role_icon_class(*r);
                html! {
                    <span class={classes!("count", class)} data-role={class}>
                        <span class="icon" aria-hidden="true">{ icon }</span>
                        { format!(" {} {}", counts[role_index(*r)], (tx.role_count)(*r)) }
                    </span>
                }
            });
        let shown = g.replicas.len().min(OPEN_LIST_MAX);
        html! {
            <li class={classes!("replica-group", (counts[3] > 0).then_some("has-offline"), (counts[2] > 0).then_some("has-out-of-sync"))}
                data-testid="replica-group" data-topic={g.topic.to_string()} data-broker={props.broker.to_string()}>
                <details open={open}>
                    <summary {onclick} title={if open { tx.hide } else { tx.show }}>
                        <code class="tpname">{ g.topic.to_string() }</code>
                        { ": " }
                        <span data-testid="replica-group-count">{ (tx.replicas)(g.replicas.len()) }</span>
                        { " " }
                        <span class="counts">{ for parts.enumerate().map(|(i, p)| html! { <>{ if i == 0 { "" } else { " · " } }{ p }</> }) }</span>
                    </summary>
                    if open {
                        <ul class="replicas">
                            { for g.replicas[..shown].iter().map(|r| view_replica(lang, r)) }
                        </ul>
                        if shown < g.replicas.len() {
                            <p class="note small">{ (tx.more)(g.replicas.len() - shown) }</p>
                        }
                    }
                </details>
            </li>
        }
    }
}

/// One replica: its role by icon, text, border and colour, its LEO and the HW.
fn view_replica(lang: Lang, r: &ReplicaView) -> Html {
    let t = lang.nodes();
    let (icon, role) = role_icon_class(r.role);
    let opt = |v: Option<i64>| v.map_or("–".to_string(), |v| v.to_string());
    html! {
        <li class={classes!("replica", role)} data-testid="replica" data-tp={r.tp.to_string()} data-role={role}>
            <span class="icon" aria-hidden="true">{ icon }</span>
            <code class="tpname">{ r.tp.to_string() }</code>
            <span class="role">{ (t.role)(r.role) }</span>
            <span class="offsets num">
                <span data-testid="replica-leo">{ format!("LEO {}", opt(r.log_end_offset)) }</span>
                { " · " }
                <span data-testid="replica-hw">{ format!("HW {}", opt(r.high_watermark)) }</span>
            </span>
        </li>
    }
}

/// A node's box: its name, state and badges, a controller's role or a
/// broker's replicas ([`Replicas`]), and its fault buttons, which call
/// `on_fault`; without one (a read-only widget) the box has no buttons.
pub fn node_box(
    lang: Lang,
    n: &NodeView,
    replicas: &Rc<Vec<ReplicaView>>,
    on_fault: Option<&Callback<(FaultKind, NodeId)>>,
) -> Html {
    let t = lang.nodes();
    let name = (t.node_name)(n.kind, n.id);
    let kind = match n.kind {
        NodeKind::Controller => "controller",
        NodeKind::Broker => "broker",
    };
    let state = match n.state {
        NodeState::Running => "running",
        NodeState::Paused => "paused",
        NodeState::Stopped => "stopped",
    };
    let button = |f: FaultKind, enabled: bool| {
        let id = n.id;
        let fault = f.word();
        html! {
            <button type="button" class={classes!("small", fault)} disabled={!enabled}
                aria-label={(t.fault_label)(f, n.kind, n.id)}
                data-testid={format!("{fault}-{id}")}
                onclick={on_fault.map(|cb| cb.reform(move |_| (f, id)))}>{ (t.fault_button)(f) }</button>
        }
    };
    let up = n.state != NodeState::Stopped;
    html! {
        <article class={classes!("node", kind, state, n.fenced.then_some("fenced"), n.cut.then_some("cut"), n.active.then_some("active"))}
            aria-label={name.clone()} data-testid={format!("node-{}", n.id)} data-state={state}>
            <div class="node-head">
                <h3>{ name }</h3>
                <span class={classes!("badge", state)} data-testid="node-state">{ (t.state)(n.state) }</span>
                if n.fenced && up { <span class="badge fenced">{ t.fenced }</span> }
                if n.cut { <span class="badge cut" data-testid="node-cut">{ t.network_cut }</span> }
                if n.slow { <span class="badge cut" data-testid="node-slow">{ t.slow_badge }</span> }
            </div>
            if n.kind == NodeKind::Controller {
                <p class="ctl">
                    if n.active { <span class="badge active" data-testid="active-controller">{ t.active_controller }</span> }
                    if let Some(role) = n.raft_role { <span class="muted">{ format!("{}: {role}", t.raft_role) }</span> }
                </p>
            } else if replicas.is_empty() {
                <p class="muted small">{ t.no_replicas }</p>
            } else {
                <Replicas broker={n.id} lang={lang} replicas={replicas.clone()} />
            }
            if on_fault.is_some() {
            <div class="actions">
                { button(FaultKind::Kill, up) }
                { button(FaultKind::Shutdown, n.state == NodeState::Running) }
                { button(FaultKind::Restart, !up) }
                if n.state == NodeState::Paused {
                    { button(FaultKind::Resume, true) }
                } else {
                    { button(FaultKind::Pause, n.state == NodeState::Running) }
                }
                { button(FaultKind::Isolate, !n.cut) }
                if n.kind == NodeKind::Broker {
                    if n.slow {
                        { button(FaultKind::Unslow, true) }
                    } else {
                        { button(FaultKind::Slow, up) }
                    }
                }
            </div>
            }
        </article>
    }
}

#[cfg(test)]
mod tests {
    use kafkaplay_cluster::TopicPartition;

    use super::*;

    fn replica(topic: &str, p: i32, role: ReplicaRole) -> ReplicaView {
        ReplicaView {
            tp: TopicPartition::new(topic, p),
            role,
            log_end_offset: Some(0),
            high_watermark: Some(0),
        }
    }

    #[test]
    fn groups_by_topic_in_order() {
        let mut rs: Vec<ReplicaView> = (0..50)
            .map(|p| {
                replica(
                    "__consumer_offsets",
                    p,
                    if p % 3 == 0 {
                        ReplicaRole::Leader
                    } else {
                        ReplicaRole::InSyncFollower
                    },
                )
            })
            .collect();
        rs.extend((0..3).map(|p| replica("orders", p, ReplicaRole::OutOfSyncFollower)));
        rs.extend((0..13).map(|p| replica("wide", p, ReplicaRole::Offline)));
        let groups = group_by_topic(&rs);
        let names: Vec<&str> = groups.iter().map(|g| g.topic).collect();
        assert_eq!(names, ["__consumer_offsets", "orders", "wide"]);
        assert_eq!(groups[0].replicas.len(), 50);
        assert_eq!(groups[0].counts(), [17, 33, 0, 0]);
        assert_eq!(groups[1].counts(), [0, 0, 3, 0]);
        assert_eq!(groups[2].counts(), [0, 0, 0, 13]);
        // Internal topics and wide topics are summarised; short ones listed.
        assert!(groups[0].collapsed_by_default());
        assert!(!groups[1].collapsed_by_default());
        assert!(groups[2].collapsed_by_default());
        assert!(group_by_topic(&[]).is_empty());
    }

    #[test]
    fn a_short_internal_topic_is_still_summarised() {
        let rs = [replica("__transaction_state", 0, ReplicaRole::Leader)];
        assert!(group_by_topic(&rs)[0].collapsed_by_default());
        assert!(is_internal("__consumer_offsets"));
        assert!(!is_internal("_private"));
    }

    #[test]
    fn summary_texts() {
        assert_eq!((EN.replicas)(1), "1 replica");
        assert_eq!((EN.replicas)(17), "17 replicas");
        assert_eq!((KO.replicas)(17), "복제본 17개");
        assert_eq!((EN.role_count)(ReplicaRole::Leader), "leader");
    }
}
