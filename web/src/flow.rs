//! Records on their way: dots that move from a producer to a partition's
//! leader, from the leader to its followers and to consumers, at human speed.
//!
//! Everything drawn comes from the simulation's trace, read and never
//! written: a `recv Produce … records=N … from P` line at a broker is a
//! produce request that reached its leader; a `recv FetchResponse [… bytes=B
//! …] from L` line is a fetch response from leader `L` (at a broker: a
//! follower's replication fetch; at a client: a consumer's fetch). Only
//! messages that carry records count (`records=` > 0, `bytes=` > 0).
//!
//! At high rates the view aggregates: a path (producer → broker, broker →
//! broker, broker → consumer) gets at most one dot every [`PULSE_INTERVAL_MS`]
//! of real time, labelled with what it stands for (`×1,240` records, or the
//! bytes a fetch carried), and at most [`PULSES_MAX`] dots live at once, so the
//! DOM stays small whatever the rate. A single record on a quiet path gets a
//! dot of its own.
//!
//! The simulated network delivers in milliseconds, far too fast to see; the
//! dots take [`HOP_MS`] per hop instead, and a dot leaving a leader waits one
//! hop, so a record is seen reaching the leader before it moves on.
//!
//! The drawing is decorative (`aria-hidden`): the replica LEOs and HWs in the
//! boxes and the charts say the same in text. Under `prefers-reduced-motion`
//! nothing moves: the dots stand still halfway along their paths with their
//! counts (style.css).

use kafkaplay_flatmap::FlatMap;
use std::collections::VecDeque;
use std::rc::Rc;

use kafkaplay_cluster::{NodeId, Simulation};
use yew::prelude::*;

use crate::i18n::Lang;

/// A dot's travel time along one hop (real ms).
pub const HOP_MS: f64 = 1_200.0;
/// A path gets at most one dot this often (real ms); records in between are
/// counted into the next one. Every live dot is an animation that the
/// browser updates in every frame the page draws (about 0.02 ms each in
/// Chromium, BENCHMARKS.md): a second keeps the 9 paths of 3 brokers under
/// load to about 15 dots.
pub const PULSE_INTERVAL_MS: f64 = 1_000.0;
/// At most this many dots exist at once (the oldest go first).
pub const PULSES_MAX: usize = 60;
/// A client is drawn while it sent or received records this recently (real ms).
pub const CLIENT_SHOWN_MS: f64 = 10_000.0;
/// At most this many producers and this many consumers are drawn; the
/// others' dots start from (or go to) the last one's place.
pub const CLIENTS_MAX: usize = 4;
/// At most this many new trace lines are read per look (the newest); the
/// trace keeps 20,000 lines, so a look after a very long run sees a part.
pub const LINES_PER_LOOK_MAX: usize = 20_000;

/// Which hop of a record's way a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Hop {
    /// Producer → the partition's leader (a produce request).
    Produce,
    /// Leader → follower (a follower's fetch response).
    Replicate,
    /// Leader → consumer (a consumer's fetch response).
    Consume,
}

impl Hop {
    pub fn word(self) -> &'static str {
        match self {
            Hop::Produce => "produce",
            Hop::Replicate => "replicate",
            Hop::Consume => "consume",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Path {
    pub hop: Hop,
    pub from: NodeId,
    pub to: NodeId,
}

/// What went along a path (records for produce, bytes for fetches).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Amount {
    pub records: u64,
    pub bytes: u64,
}

/// One dot on its way.
#[derive(Debug, Clone, PartialEq)]
pub struct Pulse {
    pub id: u64,
    pub path: Path,
    pub amount: Amount,
    /// Real ms when it set off (after `delay_ms`).
    pub born_ms: f64,
    pub delay_ms: f64,
}

impl Pulse {
    fn ends_ms(&self) -> f64 {
        self.born_ms + self.delay_ms + HOP_MS
    }
}

/// A delivery the trace reports, if it carried records.
pub fn parse_line(text: &str, to: NodeId, is_broker: impl Fn(NodeId) -> bool) -> Option<(Path, Amount)> {
    let rest = text.strip_prefix("recv ")?;
    let (body, from) = rest.rsplit_once(" from ")?;
    let from: NodeId = from.trim().parse().ok()?;
    if let Some(body) = body.strip_prefix("Produce ") {
        let records = sum_after(body, " records=");
        let bytes = sum_after(body, " bytes=");
        (records > 0 && is_broker(to)).then_some((
            Path {
                hop: Hop::Produce,
                from,
                to,
            },
            Amount { records, bytes },
        ))
    } else if let Some(body) = body.strip_prefix("FetchResponse [") {
        let bytes = sum_after(body, " bytes=");
        let hop = if is_broker(to) { Hop::Replicate } else { Hop::Consume };
        (bytes > 0 && is_broker(from)).then_some((Path { hop, from, to }, Amount { records: 0, bytes }))
    } else {
        None
    }
}

/// The sum of the numbers that follow each `key` in `s`.
fn sum_after(s: &str, key: &str) -> u64 {
    s.match_indices(key)
        .map(|(i, _)| {
            let digits = &s[i + key.len()..];
            let end = digits.find(|c: char| !c.is_ascii_digit()).unwrap_or(digits.len());
            digits[..end].parse::<u64>().unwrap_or(0)
        })
        .fold(0, u64::saturating_add)
}

/// The dots and what they stand for; fed from the trace, no browser API.
#[derive(Debug, Default)]
pub struct Flow {
    /// The trace's line count read up to.
    cursor: u64,
    /// Per path: what went along since its last dot, and when that was.
    pending: FlatMap<Path, (Amount, f64)>,
    pulses: VecDeque<Pulse>,
    next_id: u64,
    /// Clients with when they last moved records (real ms).
    producers: FlatMap<NodeId, f64>,
    consumers: FlatMap<NodeId, f64>,
}

impl Flow {
    /// Starts reading the trace from now on (what happened before is not drawn).
    pub fn new(sim: &Simulation) -> Self {
        Flow {
            cursor: sim.trace().count(),
            ..Flow::default()
        }
    }

    /// Reads the trace lines written since the last look.
    pub fn read(&mut self, sim: &Simulation, now_ms: f64) {
        let trace = sim.trace();
        let count = trace.count();
        if count < self.cursor {
            // Another simulation (a new cluster, the timeline): start over.
            *self = Flow::new(sim);
            return;
        }
        let new = ((count - self.cursor) as usize).min(LINES_PER_LOOK_MAX);
        self.cursor = count;
        if new == 0 {
            return;
        }
        let brokers = &sim.config().brokers;
        let is_broker = |id: NodeId| brokers.contains(&id);
        for line in trace.last_lines(new) {
            if !line.text.starts_with("recv ") {
                continue;
            }
            let Some((path, amount)) = parse_line(&line.text, line.node, is_broker) else {
                continue;
            };
            match path.hop {
                Hop::Produce => {
                    self.producers.insert(path.from, now_ms);
                }
                Hop::Consume => {
                    self.consumers.insert(path.to, now_ms);
                }
                Hop::Replicate => {}
            }
            let (sum, _) = self.pending.entry(path).or_insert((Amount::default(), f64::MIN));
            sum.records = sum.records.saturating_add(amount.records);
            sum.bytes = sum.bytes.saturating_add(amount.bytes);
        }
    }

    /// Sends off the dots that are due and drops those that arrived.
    pub fn emit(&mut self, now_ms: f64) {
        self.pulses.retain(|p| p.ends_ms() > now_ms);
        for (path, (amount, last)) in self.pending.iter_mut() {
            if (amount.records == 0 && amount.bytes == 0) || now_ms - *last < PULSE_INTERVAL_MS {
                continue;
            }
            self.next_id += 1;
            self.pulses.push_back(Pulse {
                id: self.next_id,
                path: *path,
                amount: std::mem::take(amount),
                born_ms: now_ms,
                delay_ms: if path.hop == Hop::Produce { 0.0 } else { HOP_MS },
            });
            *last = now_ms;
        }
        while self.pulses.len() > PULSES_MAX {
            self.pulses.pop_front();
        }
        self.pending
            .retain(|_, (a, last)| a.records > 0 || a.bytes > 0 || now_ms - *last < CLIENT_SHOWN_MS);
        self.producers.retain(|_, t| now_ms - *t < CLIENT_SHOWN_MS);
        self.consumers.retain(|_, t| now_ms - *t < CLIENT_SHOWN_MS);
    }

    #[cfg(test)]
    pub fn pulses(&self) -> impl Iterator<Item = &Pulse> {
        self.pulses.iter()
    }

    /// What the view draws now.
    pub fn snapshot(&self, brokers: &[NodeId]) -> FlowSnapshot {
        FlowSnapshot {
            brokers: brokers.to_vec(),
            producers: self.producers.keys().copied().collect(),
            consumers: self.consumers.keys().copied().collect(),
            paths: self.pending.keys().copied().collect(),
            pulses: self.pulses.iter().cloned().collect(),
        }
    }
}

/// Everything one drawing needs (equal snapshots are not redrawn).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FlowSnapshot {
    pub brokers: Vec<NodeId>,
    pub producers: Vec<NodeId>,
    pub consumers: Vec<NodeId>,
    /// Paths that carried records lately (drawn as faint lines).
    pub paths: Vec<Path>,
    pub pulses: Vec<Pulse>,
}

// ----- drawing -----

const W: f64 = 640.0;
const H: f64 = 210.0;
const CLIENT_X: [f64; 2] = [46.0, W - 46.0];

/// Where a node sits in the drawing: brokers on an ellipse in the middle
/// (so no line between two brokers passes through a third), producers in a
/// column on the left, consumers on the right.
struct Layout<'a> {
    snap: &'a FlowSnapshot,
}

impl Layout<'_> {
    fn broker(&self, id: NodeId) -> Option<(f64, f64)> {
        let n = self.snap.brokers.len();
        let i = self.snap.brokers.iter().position(|b| *b == id)?;
        if n == 1 {
            return Some((W / 2.0, H / 2.0));
        }
        // Clockwise from the top.
        let a = -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * i as f64 / n as f64;
        Some((W / 2.0 + 150.0 * a.cos(), H / 2.0 + 70.0 * a.sin()))
    }

    fn client(list: &[NodeId], id: NodeId, x: f64) -> (f64, f64) {
        let shown = list.len().min(CLIENTS_MAX);
        let i = list
            .iter()
            .position(|c| *c == id)
            .unwrap_or(0)
            .min(shown.saturating_sub(1));
        let step = H / (shown as f64 + 1.0);
        (x, step * (i as f64 + 1.0))
    }

    /// A path's two ends, moved apart sideways a little so that the two
    /// directions between two brokers do not overlap.
    fn ends(&self, p: &Path) -> Option<((f64, f64), (f64, f64))> {
        let (a, b) = match p.hop {
            Hop::Produce => (
                Layout::client(&self.snap.producers, p.from, CLIENT_X[0]),
                self.broker(p.to)?,
            ),
            Hop::Replicate => (self.broker(p.from)?, self.broker(p.to)?),
            Hop::Consume => (
                self.broker(p.from)?,
                Layout::client(&self.snap.consumers, p.to, CLIENT_X[1]),
            ),
        };
        if p.hop != Hop::Replicate {
            return Some((a, b));
        }
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len = (dx * dx + dy * dy).sqrt().max(1.0);
        let (ox, oy) = (-dy / len * 4.0, dx / len * 4.0);
        Some(((a.0 + ox, a.1 + oy), (b.0 + ox, b.1 + oy)))
    }
}

/// `1,240`.
pub fn group_digits(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A dot's label: `×N` records for a produce dot (none for one record), the
/// bytes for a fetch dot.
pub fn label(p: &Pulse) -> Option<String> {
    match p.path.hop {
        Hop::Produce => (p.amount.records > 1).then(|| format!("×{}", group_digits(p.amount.records))),
        Hop::Replicate | Hop::Consume => Some(if p.amount.bytes >= 10_000 {
            format!("{} KB", group_digits(p.amount.bytes / 1000))
        } else {
            format!("{} B", p.amount.bytes)
        }),
    }
}

struct Text {
    heading: &'static str,
    note: &'static str,
    idle: &'static str,
    producer: &'static str,
    consumer: &'static str,
}

const EN: Text = Text {
    heading: "Records on their way",
    note: "Dots move from producers to the partition's leader, then from the leader to its followers and to consumers, slowed down to be seen. At high rates a dot stands for many records (×N) or for the bytes a fetch carried.",
    idle: "No records are moving.",
    producer: "producer",
    consumer: "consumer",
};

const KO: Text = Text {
    heading: "이동 중인 레코드",
    note: "점은 프로듀서에서 파티션 리더로, 다시 리더에서 팔로워와 컨슈머로 이동합니다. 눈에 보이도록 느리게 그립니다. 처리량이 많으면 점 하나가 여러 레코드(×N) 또는 한 번의 fetch가 실어 나른 바이트를 나타냅니다.",
    idle: "이동 중인 레코드가 없습니다.",
    producer: "프로듀서",
    consumer: "컨슈머",
};

fn text(lang: Lang) -> &'static Text {
    lang.pick(&EN, &KO)
}

#[derive(Properties, PartialEq)]
pub struct FlowViewProps {
    pub lang: Lang,
    pub snapshot: Rc<FlowSnapshot>,
}

/// The drawing: brokers, recent clients, the paths records took lately and
/// the dots on them (keyed, so a dot's animation runs once from its start).
#[function_component]
pub fn FlowView(props: &FlowViewProps) -> Html {
    let tx = text(props.lang);
    let snap = &*props.snapshot;
    let layout = Layout { snap };
    let num = |v: f64| format!("{v:.1}");
    let lines = snap.paths.iter().filter_map(|p| {
        let ((x1, y1), (x2, y2)) = layout.ends(p)?;
        Some(html! {
            <line key={format!("{}-{}-{}", p.hop.word(), p.from, p.to)} class={classes!("flow-path", p.hop.word())}
                x1={num(x1)} y1={num(y1)} x2={num(x2)} y2={num(y2)} />
        })
    });
    let brokers = snap.brokers.iter().filter_map(|b| {
        let (x, y) = layout.broker(*b)?;
        Some(html! {
            <g key={format!("b{b}")} class="flow-node broker" data-testid="flow-broker" data-broker={b.to_string()}>
                <circle cx={num(x)} cy={num(y)} r="17" />
                <text x={num(x)} y={num(y + 4.5)} text-anchor="middle">{ b.to_string() }</text>
            </g>
        })
    });
    let client = |list: &[NodeId], x: f64, kind: &'static str, word: &'static str| {
        list.iter()
            .take(CLIENTS_MAX)
            .map(|c| {
                let (_, y) = Layout::client(list, *c, x);
                html! {
                    <g key={format!("{kind}{c}")} class={classes!("flow-node", kind)}>
                        <rect x={num(x - 40.0)} y={num(y - 13.0)} width="80" height="26" rx="5" />
                        <text x={num(x)} y={num(y - 1.0)} text-anchor="middle" class="kind">{ word }</text>
                        <text x={num(x)} y={num(y + 10.0)} text-anchor="middle">{ c.to_string() }</text>
                    </g>
                }
            })
            .collect::<Html>()
    };
    // The dots are HTML over the drawing, moved by transform animations,
    // which the compositor runs without repainting the page each frame (an
    // SVG element's animation would repaint the drawing every frame).
    let pulses = snap.pulses.iter().filter_map(|p| {
        let ((x1, y1), (x2, y2)) = layout.ends(&p.path)?;
        let style = format!(
            "--x0:{};--y0:{};--x1:{};--y1:{};--xm:{};--ym:{};animation-delay:{}ms;animation-duration:{}ms",
            num(x1),
            num(y1),
            num(x2),
            num(y2),
            num((x1 + x2) / 2.0),
            num((y1 + y2) / 2.0),
            p.delay_ms,
            HOP_MS
        );
        Some(html! {
            <span key={p.id} class={classes!("pulse", p.path.hop.word())} {style} data-testid="flow-pulse" data-pulse={p.id.to_string()}
                data-hop={p.path.hop.word()} data-from={p.path.from.to_string()} data-to={p.path.to.to_string()}
                data-records={p.amount.records.to_string()} data-bytes={p.amount.bytes.to_string()}>
                <span class="dot"></span>
                if let Some(l) = label(p) { <span class="count">{ l }</span> }
            </span>
        })
    });
    html! {
        <figure class="flow" data-testid="flow">
            <figcaption>
                <strong>{ tx.heading }</strong>
                if snap.pulses.is_empty() { { " " }<span class="muted small" data-testid="flow-idle">{ tx.idle }</span> }
            </figcaption>
            <div class="flow-stage" aria-hidden="true">
                <svg viewBox={format!("0 0 {W} {H}")} focusable="false">
                    <g class="flow-paths">{ for lines }</g>
                    <g class="flow-nodes">
                        { for brokers }
                        { client(&snap.producers, CLIENT_X[0], "producer", tx.producer) }
                        { client(&snap.consumers, CLIENT_X[1], "consumer", tx.consumer) }
                    </g>
                </svg>
                <div class="flow-pulses">{ for pulses }</div>
            </div>
            <p class="note small">{ tx.note }</p>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brokers(id: NodeId) -> bool {
        (1..=3).contains(&id)
    }

    #[test]
    fn produce_lines_count_records() {
        let line = "recv Produce 17 acks=-1 [orders-0 bytes=120 records=3 producer=5/0 seq=0, orders-2 bytes=80 records=2] from 10001";
        assert_eq!(
            parse_line(line, 2, brokers),
            Some((
                Path {
                    hop: Hop::Produce,
                    from: 10001,
                    to: 2
                },
                Amount { records: 5, bytes: 200 }
            ))
        );
        // A request with no records, or one that reached no broker, is no dot.
        assert_eq!(parse_line("recv Produce 3 acks=1 [] from 10001", 2, brokers), None);
        assert_eq!(parse_line(line, 10002, brokers), None);
    }

    #[test]
    fn fetch_lines_are_replication_or_consumption() {
        let line = "recv FetchResponse [orders-0 hw=4 bytes=300, orders-1 hw=0 bytes=0 NOT_LEADER_OR_FOLLOWER] from 1";
        assert_eq!(
            parse_line(line, 3, brokers),
            Some((
                Path {
                    hop: Hop::Replicate,
                    from: 1,
                    to: 3
                },
                Amount { records: 0, bytes: 300 }
            ))
        );
        assert_eq!(parse_line(line, 20000, brokers).unwrap().0.hop, Hop::Consume);
        // An empty fetch response carries nothing.
        assert_eq!(
            parse_line("recv FetchResponse [orders-0 hw=4 bytes=0] from 1", 3, brokers),
            None
        );
        for other in [
            "recv Fetch replica=3 [orders-0@4] from 3",
            "dropped Produce from 10001: node down",
            "recv FetchResponse [x bytes=12] from nobody",
            "recv MetadataFetchResponse epoch=1 leader=1000 records=5 hw=9 from 1000",
            "",
        ] {
            assert_eq!(parse_line(other, 3, brokers), None, "{other}");
        }
    }

    fn pulse_paths(f: &Flow) -> Vec<(Hop, NodeId, NodeId, u64)> {
        f.pulses()
            .map(|p| (p.path.hop, p.path.from, p.path.to, p.amount.records + p.amount.bytes))
            .collect()
    }

    fn feed(f: &mut Flow, path: Path, amount: Amount) {
        let (sum, _) = f.pending.entry(path).or_insert((Amount::default(), f64::MIN));
        sum.records += amount.records;
        sum.bytes += amount.bytes;
    }

    #[test]
    fn one_dot_per_path_per_interval_with_the_count() {
        let mut f = Flow::default();
        let produce = Path {
            hop: Hop::Produce,
            from: 10001,
            to: 1,
        };
        let replicate = Path {
            hop: Hop::Replicate,
            from: 1,
            to: 2,
        };
        feed(&mut f, produce, Amount { records: 1, bytes: 70 });
        f.emit(1_000.0);
        assert_eq!(pulse_paths(&f), [(Hop::Produce, 10001, 1, 71)]);
        // Within the interval: counted, not drawn.
        for _ in 0..1_240 {
            feed(&mut f, produce, Amount { records: 1, bytes: 0 });
        }
        feed(&mut f, replicate, Amount { records: 0, bytes: 500 });
        f.emit(1_100.0);
        assert_eq!(f.pulses().count(), 2, "the replication path's first dot goes at once");
        f.emit(1_000.0 + PULSE_INTERVAL_MS - 1.0);
        assert_eq!(f.pulses().count(), 2);
        let next = 1_000.0 + PULSE_INTERVAL_MS;
        f.emit(next);
        let last = f.pulses().last().unwrap();
        assert_eq!((last.path, last.amount.records), (produce, 1_240));
        assert_eq!(label(last).as_deref(), Some("×1,240"));
        // A follower's dot waits for the hop to the leader.
        let r = f.pulses().find(|p| p.path == replicate).unwrap();
        assert_eq!(r.delay_ms, HOP_MS);
        // Dots are gone once they arrived.
        f.emit(next + 2.0 * HOP_MS + 1.0);
        assert_eq!(f.pulses().count(), 0);
    }

    #[test]
    fn dots_are_bounded() {
        let mut f = Flow::default();
        for t in 0..100 {
            for to in 0..50 {
                feed(
                    &mut f,
                    Path {
                        hop: Hop::Replicate,
                        from: 1,
                        to,
                    },
                    Amount { records: 0, bytes: 1 },
                );
            }
            f.emit(f64::from(t) * 100.0);
            assert!(f.pulses().count() <= PULSES_MAX);
        }
        assert_eq!(f.pulses().count(), PULSES_MAX);
    }

    #[test]
    fn labels_and_digits() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1_000), "1,000");
        assert_eq!(group_digits(12_345_678), "12,345,678");
        let p = |hop, records, bytes| Pulse {
            id: 1,
            path: Path { hop, from: 1, to: 2 },
            amount: Amount { records, bytes },
            born_ms: 0.0,
            delay_ms: 0.0,
        };
        assert_eq!(label(&p(Hop::Produce, 1, 70)), None);
        assert_eq!(label(&p(Hop::Produce, 2, 70)).as_deref(), Some("×2"));
        assert_eq!(label(&p(Hop::Replicate, 0, 300)).as_deref(), Some("300 B"));
        assert_eq!(label(&p(Hop::Consume, 0, 1_234_567)).as_deref(), Some("1,234 KB"));
    }

    #[test]
    fn brokers_sit_apart() {
        let snap = FlowSnapshot {
            brokers: vec![1, 2, 3],
            ..FlowSnapshot::default()
        };
        let l = Layout { snap: &snap };
        let ps: Vec<_> = [1, 2, 3].iter().map(|b| l.broker(*b).unwrap()).collect();
        for (i, a) in ps.iter().enumerate() {
            for b in &ps[i + 1..] {
                assert!((a.0 - b.0).hypot(a.1 - b.1) > 60.0, "{a:?} {b:?}");
            }
        }
        assert!(l.broker(7).is_none());
    }
}

#[cfg(test)]
mod sim_tests {
    use super::*;
    use crate::playground::{Playground, ProducerForm, TopicForm};

    /// The dots of a real run: a producer at 5 records/s into one partition
    /// of RF 3, read from the trace as the page reads it.
    #[test]
    fn a_real_run_draws_produce_and_replication_dots() {
        let mut pg = Playground::new(3, 7);
        let mut flow = Flow::new(&pg.sim());
        pg.create_topic(&TopicForm {
            name: "orders".into(),
            partitions: "1".into(),
            replication_factor: "3".into(),
        })
        .unwrap();
        pg.run_for(2_000);
        let (partitions, _) = pg.partitions();
        let leader = partitions[0].leader;
        pg.start_producer(&ProducerForm {
            topic: "orders".into(),
            rate: "5".into(),
            ..ProducerForm::default()
        })
        .unwrap();
        let mut seen = Vec::new();
        for i in 0..40 {
            pg.run_for(100);
            let now = f64::from(i) * 100.0;
            flow.read(&pg.sim(), now);
            flow.emit(now);
            for p in flow.pulses() {
                if !seen.iter().any(|s: &Pulse| s.id == p.id) {
                    seen.push(p.clone());
                }
            }
        }
        let produced: u64 = seen
            .iter()
            .filter(|p| p.path.hop == Hop::Produce)
            .map(|p| p.amount.records)
            .sum();
        assert!(produced >= 15, "{produced} records in {seen:?}");
        assert!(seen
            .iter()
            .filter(|p| p.path.hop == Hop::Produce)
            .all(|p| p.path.to == leader));
        let followers: Vec<NodeId> = [1, 2, 3].into_iter().filter(|b| *b != leader).collect();
        for f in &followers {
            assert!(
                seen.iter().any(|p| p.path
                    == Path {
                        hop: Hop::Replicate,
                        from: leader,
                        to: *f
                    }),
                "no dot {leader} → {f} in {seen:?}"
            );
        }
    }
}
