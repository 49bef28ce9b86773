//! What Kafka's tools share: `CommandLineUtils` (usage errors on stderr, exit
//! 1), the admin client's connection behaviour (a timeout when no listed broker
//! answers), log4j's ERROR lines and topic include lists.

use kafkaplay_cluster::metadata::MetadataImage;
use kafkaplay_cluster::{Ms, NodeId};

use crate::output::Output;
use crate::tool::Exit;
use crate::world::{Flavour, World, DEFAULT_API_TIMEOUT_MS};

use super::jopt::{Parsed, Parser};

/// `AppInfoParser.getVersion()` of the emulated distribution.
pub fn version(flavour: Flavour) -> &'static str {
    match flavour {
        Flavour::Confluent => "7.7.1-ce",
        Flavour::Apache => "4.0.0",
    }
}

/// `CommandLineUtils.printUsageAndExit`: the message and the usage on stderr, exit 1.
pub fn usage_and_exit(out: &mut Output, parser: &Parser, message: &str) -> Exit {
    out.errln(message);
    out.err(parser.help());
    Exit::Code(1)
}

/// Parses `args`; on a jopt-simple error prints what a tool's `main` prints for an
/// uncaught exception (message, then the exception line) and exits 1.
pub fn parse_or_exit(out: &mut Output, parser: &Parser, args: &[String]) -> Result<Parsed, Exit> {
    parser.parse(args).map_err(|message| {
        let class = exception_class_of_jopt(&message);
        uncaught(out, class, &message)
    })
}

fn exception_class_of_jopt(message: &str) -> &'static str {
    if message.ends_with("is not a recognized option") {
        "joptsimple.UnrecognizedOptionException"
    } else if message.ends_with("requires an argument") {
        "joptsimple.OptionMissingRequiredArgumentException"
    } else {
        "joptsimple.OptionArgumentConversionException"
    }
}

/// A tool's `main` catching an exception: the message, then the stack trace's
/// first line (the simulated JVM has no frames to show), exit 1.
pub fn uncaught(out: &mut Output, class: &str, message: &str) -> Exit {
    out.errln(message);
    out.errln(format!("{class}: {message}"));
    Exit::Code(1)
}

/// `CommandLineUtils.maybePrintHelpOrVersion`: `None` when neither applies.
pub fn help_or_version(world: &World, out: &mut Output, parser: &Parser, parsed: &Parsed, help: &str) -> Option<Exit> {
    if parsed.arg_count == 0 || parsed.has("help") {
        return Some(usage_and_exit(out, parser, help));
    }
    if parsed.has("version") {
        out.outln(version(world.flavour));
        return Some(Exit::Code(0));
    }
    None
}

/// The admin client connecting to `--bootstrap-server`: `true` when a listed
/// broker is up. Otherwise the client keeps trying for `default.api.timeout.ms`
/// of simulated time, which this runs, and the caller reports
/// [`node_assignment_timeout`].
pub fn connect(world: &mut World, bootstrap: &str) -> bool {
    connect_within(world, bootstrap, DEFAULT_API_TIMEOUT_MS)
}

/// [`connect`] for a tool that sets its own `default.api.timeout.ms`.
pub fn connect_within(world: &mut World, bootstrap: &str, timeout_ms: Ms) -> bool {
    if world.reachable(bootstrap) {
        return true;
    }
    world.sim.run_for(timeout_ms);
    false
}

/// `KafkaAdminClient`'s error when no node answered a call in time.
pub fn node_assignment_timeout(call: &str) -> String {
    format!("Timed out waiting for a node assignment. Call: {call}")
}

/// The class of the exception behind a node-assignment timeout.
pub const TIMEOUT_EXCEPTION: &str = "org.apache.kafka.common.errors.TimeoutException";

/// The broker a client given `bootstrap` talks to: the first listed one that is up.
pub fn bootstrap_broker(world: &World, bootstrap: &str) -> Option<NodeId> {
    world
        .resolve_bootstrap(bootstrap)
        .into_iter()
        .find(|b| world.sim.is_up(*b))
}

/// The metadata a client sees in a Metadata response from `bootstrap`. There is
/// no Metadata request for tools in the simulation yet, so this reads the
/// answering broker's metadata image after one network round trip.
pub fn metadata_via(world: &mut World, bootstrap: &str) -> Option<MetadataImage> {
    let round_trip = 2 * world.sim.config().network_delay_ms;
    world.sim.run_for(round_trip);
    let broker = bootstrap_broker(world, bootstrap)?;
    world.sim.broker(broker).map(|b| b.image().clone())
}

/// log4j's `[%d] %p %m (%c)%n` as Kafka's tools-log4j.properties prints to stderr.
pub fn log_line(now_ms: Ms, level: &str, message: &str, logger: &str) -> String {
    format!("[{}] {level} {message} ({logger})\n", log4j_time(now_ms))
}

/// `yyyy-MM-dd HH:mm:ss,SSS` in UTC.
pub fn log4j_time(now_ms: Ms) -> String {
    let (date, ms_of_day) = (now_ms.div_euclid(86_400_000), now_ms.rem_euclid(86_400_000));
    let (y, m, d) = civil_from_days(date);
    let s = ms_of_day / 1000;
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02},{:03}",
        s / 3600,
        s / 60 % 60,
        s % 60,
        ms_of_day % 1000
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// A proleptic Gregorian date to days since 1970-01-01 (H. Hinnant's
/// `days_from_civil`, the inverse of [`civil_from_days`]).
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `TopicFilter.IncludeList`: commas are alternatives, spaces and surrounding
/// quotes are dropped, and a topic must match the whole pattern.
pub struct IncludeList {
    pub regex: String,
    matcher: Matcher,
}

/// A pattern without regex syntax (`orders`, `test-topic`: letters, digits,
/// `_` and `-`, which a regex outside brackets matches as itself) is compared
/// as text: the same answers, and the regex engine is not needed for the
/// usual `--topic <name>` (the docs widget keeps it out of its start-up
/// module, web/build/split-widget.mjs).
enum Matcher {
    Exact,
    Regex(regex_lite::Regex),
}

impl IncludeList {
    /// Or `"<regex> is an invalid regex."`.
    pub fn new(raw: &str) -> Result<IncludeList, String> {
        let regex = raw
            .trim()
            .replace(',', "|")
            .replace(' ', "")
            .trim_start_matches(['"', '\''])
            .trim_end_matches(['"', '\''])
            .to_string();
        if regex.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return Ok(IncludeList {
                regex,
                matcher: Matcher::Exact,
            });
        }
        match regex_lite::Regex::new(&format!("^(?:{regex})$")) {
            Ok(re) => Ok(IncludeList {
                regex,
                matcher: Matcher::Regex(re),
            }),
            Err(_) => Err(format!("{regex} is an invalid regex.")),
        }
    }

    pub fn is_topic_allowed(&self, topic: &str, exclude_internal: bool) -> bool {
        let matches = match &self.matcher {
            Matcher::Exact => topic == self.regex,
            Matcher::Regex(re) => re.is_match(topic),
        };
        matches && !(is_internal(topic) && exclude_internal)
    }
}

/// `Topic.isInternal`.
pub fn is_internal(topic: &str) -> bool {
    topic == "__consumer_offsets" || topic == "__transaction_state"
}

/// Java's `Properties` from `k=v` strings (`CommandLineUtils.parseKeyValueArgs`).
pub fn key_values(args: &[String]) -> Vec<(String, String)> {
    args.iter()
        .map(|a| match a.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (a.clone(), String::new()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log4j_time_is_utc() {
        assert_eq!(log4j_time(1_700_000_000_000), "2023-11-14 22:13:20,000");
        assert_eq!(log4j_time(0), "1970-01-01 00:00:00,000");
        assert_eq!(log4j_time(951_782_400_123), "2000-02-29 00:00:00,123");
    }

    #[test]
    fn include_list_matches_whole_names() {
        let l = IncludeList::new("test_topic_0.,other").unwrap();
        assert!(l.is_topic_allowed("test_topic_02", false));
        assert!(l.is_topic_allowed("other", false));
        assert!(!l.is_topic_allowed("other2", false));
        assert!(IncludeList::new("__consumer_offsets")
            .unwrap()
            .is_topic_allowed("__consumer_offsets", false));
        assert!(!IncludeList::new("__consumer_offsets")
            .unwrap()
            .is_topic_allowed("__consumer_offsets", true));
        assert_eq!(IncludeList::new("a(").err().unwrap(), "a( is an invalid regex.");
    }

    #[test]
    fn a_plain_name_is_compared_as_text_with_the_regex_answers() {
        let names = [
            "orders",
            "orders2",
            "my-orders",
            "test-topic",
            "test_topic",
            "Orders",
            "",
            "order",
        ];
        for pattern in [
            "orders",
            "test-topic",
            "test_topic",
            "",
            "\"orders\"",
            " orders ",
            "my-orders",
        ] {
            let exact = IncludeList::new(pattern).unwrap();
            assert!(matches!(exact.matcher, Matcher::Exact), "{pattern:?}");
            let re = regex_lite::Regex::new(&format!("^(?:{})$", exact.regex)).unwrap();
            for name in names {
                assert_eq!(
                    exact.is_topic_allowed(name, false),
                    re.is_match(name),
                    "{pattern:?} on {name:?}"
                );
            }
        }
        // A dot is regex syntax: any character, as Kafka matches it.
        let dotted = IncludeList::new("my.topic").unwrap();
        assert!(matches!(dotted.matcher, Matcher::Regex(_)));
        assert!(dotted.is_topic_allowed("my-topic", false));
    }
}

/// Java's `String.format("%.Nf", x)`: the shortest decimal that reads back as
/// `x` (`FloatingDecimal`), rounded half-up to `decimals` places; `Infinity`
/// and `NaN` as Java spells them.
pub fn java_fixed(x: f64, decimals: usize) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let shortest = format!("{}", x.abs());
    let (int_part, frac_part) = shortest.split_once('.').unwrap_or((&shortest, ""));
    let mut digits: Vec<u8> = int_part.bytes().chain(frac_part.bytes()).map(|b| b - b'0').collect();
    let int_len = int_part.len();
    let keep = int_len + decimals;
    let round_up = digits.get(keep).is_some_and(|d| *d >= 5);
    digits.resize(keep, 0);
    if round_up {
        let mut i = keep;
        loop {
            if i == 0 {
                digits.insert(0, 1);
                break;
            }
            i -= 1;
            if digits[i] == 9 {
                digits[i] = 0;
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    let int_digits = digits.len() - decimals;
    let mut s: String = digits[..int_digits].iter().map(|d| char::from(b'0' + d)).collect();
    if decimals > 0 {
        s.push('.');
        s.extend(digits[int_digits..].iter().map(|d| char::from(b'0' + d)));
    }
    let negative = x < 0.0 && s.bytes().any(|b| b.is_ascii_digit() && b != b'0');
    if negative || (x < 0.0 && x != 0.0) {
        s.insert(0, '-');
    }
    s
}

/// `java.util.SplittableRandom` (SplitMix64), for tools that seed it.
pub struct SplittableRandom {
    seed: u64,
}

impl SplittableRandom {
    const GOLDEN_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

    pub fn new(seed: i64) -> Self {
        SplittableRandom { seed: seed as u64 }
    }

    fn next_seed(&mut self) -> u64 {
        self.seed = self.seed.wrapping_add(Self::GOLDEN_GAMMA);
        self.seed
    }

    fn mix32(z: u64) -> i32 {
        let z = (z ^ (z >> 33)).wrapping_mul(0x62a9_d9ed_7997_05f5);
        ((z ^ (z >> 28)).wrapping_mul(0xcb24_d0a5_c88c_35b3) >> 32) as i32
    }

    /// `nextInt(bound)` for `bound > 0`.
    pub fn next_int(&mut self, bound: i32) -> i32 {
        let mut r = Self::mix32(self.next_seed());
        let m = bound - 1;
        if bound & m == 0 {
            return r & m;
        }
        let mut u = ((r as u32) >> 1) as i32;
        loop {
            r = u % bound;
            if u.wrapping_add(m).wrapping_sub(r) >= 0 {
                return r;
            }
            u = ((Self::mix32(self.next_seed()) as u32) >> 1) as i32;
        }
    }
}

#[cfg(test)]
mod java_tests {
    use super::*;

    #[test]
    fn fixed_rounds_half_up_from_the_shortest_decimal() {
        assert_eq!(java_fixed(1.005, 2), "1.01");
        assert_eq!(java_fixed(0.125, 2), "0.13");
        assert_eq!(java_fixed(2.0, 1), "2.0");
        assert_eq!(java_fixed(9.96, 1), "10.0");
        assert_eq!(java_fixed(1234.56789, 4), "1234.5679");
        assert_eq!(java_fixed(-0.04, 1), "-0.0");
        assert_eq!(java_fixed(f64::INFINITY, 1), "Infinity");
        assert_eq!(java_fixed(f64::NAN, 2), "NaN");
        assert_eq!(java_fixed(1e-7, 2), "0.00");
    }

    #[test]
    fn splittable_random_is_javas() {
        // Payload letters as ProducerPerformance draws them: deterministic, A..Z.
        let mut r = SplittableRandom::new(0);
        // What jshell prints for `new SplittableRandom(0)` and `nextInt(26) + 65`.
        let s: String = (0..20).map(|_| char::from((r.next_int(26) + 65) as u8)).collect();
        assert_eq!(s, "YQHHNEBSEPDNSEIFGAMS");
    }
}

/// `String.hashCode()`: over UTF-16 code units, wrapping.
pub fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)))
}

/// The iteration order of a `java.util.HashMap<String, _>` (or `HashSet`)
/// filled with `keys` in this order, created with `initial_capacity` (`None`:
/// the default 16). Kafka's tools print several results in this order.
pub fn java_hash_order(keys: &[String], initial_capacity: Option<usize>) -> Vec<String> {
    java_hash_order_by(keys, initial_capacity, |k| java_string_hash(k))
}

/// `TopicPartition.hashCode()`.
pub fn topic_partition_hash(tp: &kafkaplay_cluster::TopicPartition) -> i32 {
    31i32
        .wrapping_add(tp.partition)
        .wrapping_mul(31)
        .wrapping_add(java_string_hash(&tp.topic))
}

/// [`java_hash_order`] for any key with its Java `hashCode()`. Buckets that
/// Java would turn into trees (8+ collisions) are not modelled.
pub fn java_hash_order_by<T: Clone + PartialEq>(
    keys: &[T],
    initial_capacity: Option<usize>,
    hash: impl Fn(&T) -> i32,
) -> Vec<T> {
    let mut capacity = match initial_capacity {
        // tableSizeFor
        Some(n) => n.max(1).next_power_of_two(),
        None => 16,
    };
    let index = |k: &T, cap: usize| {
        let h = hash(k);
        ((h ^ ((h as u32) >> 16) as i32) as u32 as usize) & (cap - 1)
    };
    let mut buckets: Vec<Vec<T>> = vec![Vec::new(); capacity];
    let mut size = 0;
    for k in keys {
        let b = index(k, capacity);
        if buckets[b].contains(k) {
            continue;
        }
        buckets[b].push(k.clone());
        size += 1;
        if size as f64 > capacity as f64 * 0.75 {
            capacity *= 2;
            let mut grown: Vec<Vec<T>> = vec![Vec::new(); capacity];
            for k in buckets.into_iter().flatten() {
                let b = index(&k, capacity);
                grown[b].push(k);
            }
            buckets = grown;
        }
    }
    buckets.into_iter().flatten().collect()
}

#[cfg(test)]
mod hash_order_tests {
    use super::*;

    fn order(keys: &[&str], cap: Option<usize>) -> String {
        let mut k: Vec<String> = keys.iter().map(|s| s.to_string()).collect();
        k.sort();
        java_hash_order(&k, cap).join(",")
    }

    #[test]
    fn matches_the_jdk() {
        // What jshell prints for HashMaps filled with these sorted names.
        assert_eq!(
            order(&["test_topic_01", "test_topic_02"], Some(2)),
            "test_topic_01,test_topic_02"
        );
        assert_eq!(
            order(&["a", "b", "c", "orders", "orders-eu", "audit", "zeta"], Some(7)),
            "zeta,a,b,c,audit,orders,orders-eu"
        );
        let ten = [
            "__consumer_offsets",
            "t",
            "plain",
            "tuned",
            "orders",
            "x1",
            "x2",
            "x3",
            "x4",
            "x5",
        ];
        assert_eq!(
            order(&ten, Some(10)),
            "t,tuned,plain,x1,orders,x2,x3,x4,x5,__consumer_offsets"
        );
        assert_eq!(
            order(&ten, None),
            "t,tuned,plain,x1,orders,x2,x3,x4,x5,__consumer_offsets"
        );
        // HashMaps of TopicPartitions (jshell, with TopicPartition's hashCode).
        let tps = |t: &str, n: i32| -> String {
            let keys: Vec<kafkaplay_cluster::TopicPartition> =
                (0..n).map(|p| kafkaplay_cluster::TopicPartition::new(t, p)).collect();
            java_hash_order_by(&keys, None, topic_partition_hash)
                .iter()
                .map(|tp| tp.to_string())
                .collect::<Vec<_>>()
                .join(",")
        };
        assert_eq!(tps("t", 12), "t-5,t-4,t-3,t-2,t-1,t-0,t-11,t-10,t-9,t-8,t-7,t-6");
        assert_eq!(tps("orders", 12), "orders-7,orders-8,orders-9,orders-10,orders-11,orders-0,orders-1,orders-2,orders-3,orders-4,orders-5,orders-6");
        assert_eq!(java_string_hash("test_topic_01"), {
            let mut h: i32 = 0;
            for b in "test_topic_01".bytes() {
                h = h.wrapping_mul(31).wrapping_add(i32::from(b));
            }
            h
        });
    }
}

/// `consumer.close()`: commits (with auto-commit), leaves the group and
/// returns once the consumer is done, for at most `default.api.timeout.ms`.
pub fn close_consumer(world: &mut World, consumer: NodeId) {
    world.sim.close_consumer(consumer);
    world
        .sim
        .run_until_condition(DEFAULT_API_TIMEOUT_MS, |s| s.consumer(consumer).is_none());
}
