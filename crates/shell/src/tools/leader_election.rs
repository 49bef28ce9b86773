//! `kafka-leader-election`: Kafka's `LeaderElectionCommand`, an ElectLeaders
//! admin request to the controller.

use kafkaplay_cluster::protocol::{AdminRequest, AdminResponse};
use kafkaplay_cluster::{KafkaError, TopicPartition};

use crate::output::Output;
use crate::tool::{Exit, Invocation};
use crate::world::World;

use super::common::{
    connect_within, help_or_version, java_hash_order_by, parse_or_exit, topic_partition_hash, uncaught,
};
use super::jopt::{Parsed, Parser};
use super::json::Json;

/// `run(Duration.ofMillis(30000), args)`: the admin client's `default.api.timeout.ms`.
const TIMEOUT_MS: i64 = 30_000;
const FAILED: &str = "org.apache.kafka.server.common.AdminCommandFailedException";
const OPERATION: &str = "org.apache.kafka.server.common.AdminOperationException";

pub fn parser() -> Parser {
    let mut p = Parser::new();
    p.arg(
        "bootstrap-server",
        "A hostname and port for the broker to connect to, in the form host:port. Multiple comma separated URLs can \
         be given. REQUIRED.",
        "host:port",
        "String",
    )
    .arg(
        "admin.config",
        "Configuration properties files to pass to the admin client",
        "config file",
        "String",
    )
    .arg(
        "path-to-json-file",
        "The JSON file with the list  of partition for which leader elections should be performed. This is an \
         example format. \n{\"partitions\":\n\t[{\"topic\": \"foo\", \"partition\": 1},\n\t {\"topic\": \"foobar\", \
         \"partition\": 2}]\n}\nNot allowed if --all-topic-partitions or --topic flags are specified.",
        "Path to JSON file",
        "String",
    )
    .arg(
        "topic",
        "Name of topic for which to perform an election. Not allowed if --path-to-json-file or --all-topic-partitions \
         is specified.",
        "topic name",
        "String",
    )
    .arg(
        "partition",
        "Partition id for which to perform an election. REQUIRED if --topic is specified.",
        "partition id",
        "Integer",
    )
    .flag(
        "all-topic-partitions",
        "Perform election on all of the eligible topic partitions based on the type of election (see the \
         --election-type flag). Not allowed if --topic or --path-to-json-file is specified.",
    )
    .arg(
        "election-type",
        "Type of election to attempt. Possible values are \"preferred\" for preferred leader election or \"unclean\" \
         for unclean leader election. If preferred election is selection, the election is only performed if the \
         current leader is not the preferred leader for the topic partition. If unclean election is selected, the \
         election is only performed if there are no leader for the topic partition. REQUIRED.",
        "election type",
        "[PREFERRED,UNCLEAN]",
    );
    p
}

/// `LeaderElectionCommandOptions.validate`.
fn validate(o: &Parsed) -> Result<(), String> {
    let missing: Vec<&str> = ["bootstrap-server", "election-type"]
        .into_iter()
        .filter(|x| !o.has(x))
        .collect();
    if !missing.is_empty() {
        return Err(format!("Missing required option(s): {}", missing.join(", ")));
    }
    let exclusive = ["topic", "all-topic-partitions", "path-to-json-file"];
    if exclusive.iter().filter(|x| o.has(x)).count() != 1 {
        return Err(format!(
            "One and only one of the following options is required: {}",
            exclusive.join(", ")
        ));
    }
    if o.has("topic") && !o.has("partition") {
        return Err("Missing required option(s): partition".to_string());
    }
    if !o.has("topic") && o.has("partition") {
        return Err("Option partition is only allowed if topic is used".to_string());
    }
    Ok(())
}

/// `parseReplicaElectionData`.
fn partitions_from_file(world: &World, path: &str) -> Result<Vec<TopicPartition>, (String, String)> {
    let bytes = world
        .read_file(path)
        .ok_or_else(|| ("java.nio.file.NoSuchFileException".to_string(), path.to_string()))?;
    let text = String::from_utf8_lossy(&bytes);
    let json = Json::parse(&text).map_err(|_| (OPERATION.to_string(), "Replica election data is empty".to_string()))?;
    let list = json.get("partitions").ok_or_else(|| {
        (
            OPERATION.to_string(),
            "Replica election data is missing \"partitions\" field".to_string(),
        )
    })?;
    let mut out: Vec<TopicPartition> = Vec::new();
    let mapping = |what: &str| {
        (
            "com.fasterxml.jackson.databind.JsonMappingException".to_string(),
            format!("Expected {what}"),
        )
    };
    for item in list.as_array().ok_or_else(|| mapping("an array of partitions"))? {
        let topic = item
            .get("topic")
            .and_then(Json::as_str)
            .ok_or_else(|| mapping("a string topic"))?;
        let partition = item
            .get("partition")
            .and_then(Json::as_i32)
            .ok_or_else(|| mapping("an int partition"))?;
        out.push(TopicPartition::new(topic, partition));
    }
    let mut duplicates: Vec<String> = out
        .iter()
        .filter(|tp| out.iter().filter(|x| x == tp).count() > 1)
        .map(|tp| tp.to_string())
        .collect();
    duplicates.sort();
    duplicates.dedup();
    if !duplicates.is_empty() {
        return Err((
            OPERATION.to_string(),
            format!(
                "Replica election data contains duplicate partitions: [{}]",
                duplicates.join(", ")
            ),
        ));
    }
    out.sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
    out.dedup();
    Ok(out)
}

pub fn run(inv: Invocation<'_>) -> Exit {
    let Invocation { world, args, out, .. } = inv;
    let parser = parser();
    let o = match parse_or_exit(out, &parser, args) {
        Ok(o) => o,
        Err(exit) => return exit,
    };
    if let Some(exit) = help_or_version(
        world,
        out,
        &parser,
        &o,
        "This tool attempts to elect a new leader for a set of topic partitions. The type of elections supported are \
         preferred replicas and unclean replicas.",
    ) {
        return exit;
    }
    if let Err(message) = validate(&o) {
        return uncaught(out, FAILED, &message);
    }
    let preferred = o
        .value("election-type")
        .is_some_and(|t| t.eq_ignore_ascii_case("preferred"));
    let kind = if preferred { "PREFERRED" } else { "UNCLEAN" };
    let partitions = if let Some(path) = o.value("path-to-json-file") {
        match partitions_from_file(world, &path) {
            Ok(p) => Some(p),
            Err((class, message)) => return uncaught(out, &class, &message),
        }
    } else if let (Some(topic), Some(p)) = (o.value("topic"), o.number("partition")) {
        Some(vec![TopicPartition::new(&topic, p as i32)])
    } else {
        None
    };
    let bootstrap = o.value("bootstrap-server").unwrap_or_default();
    let response = if connect_within(world, &bootstrap, TIMEOUT_MS) {
        world.admin_call(AdminRequest::ElectLeaders { preferred, partitions }, TIMEOUT_MS)
    } else {
        None
    };
    let Some(AdminResponse::ElectLeaders(results)) = response else {
        let message = "Timeout waiting for election results";
        out.outln(message);
        return uncaught(out, FAILED, message);
    };
    report(out, kind, results)
}

/// One partition's election result.
type Elected = Result<(), (KafkaError, String)>;

fn report(out: &mut Output, kind: &str, mut results: Vec<(TopicPartition, Elected)>) -> Exit {
    results.sort_by(|a, b| (&a.0.topic, a.0.partition).cmp(&(&b.0.topic, b.0.partition)));
    // `succeeded` and `noop` are HashSet<TopicPartition>s: Java's order.
    let names = |f: &dyn Fn(&Elected) -> bool| -> Vec<String> {
        let tps: Vec<TopicPartition> = results.iter().filter(|(_, r)| f(r)).map(|(tp, _)| tp.clone()).collect();
        java_hash_order_by(&tps, None, topic_partition_hash)
            .iter()
            .map(|tp| tp.to_string())
            .collect()
    };
    let succeeded = names(&|r| r.is_ok());
    let noop = names(&|r| matches!(r, Err((KafkaError::ElectionNotNeeded, _))));
    if !succeeded.is_empty() {
        out.outln(format!(
            "Successfully completed leader election ({kind}) for partitions {}",
            succeeded.join(", ")
        ));
    }
    if !noop.is_empty() {
        out.outln(format!(
            "Valid replica already elected for partitions {}",
            noop.join(", ")
        ));
    }
    let failed: Vec<_> = results
        .iter()
        .filter_map(|(tp, r)| match r {
            Err((e, m)) if *e != KafkaError::ElectionNotNeeded => Some((tp, e, m)),
            _ => None,
        })
        .collect();
    if failed.is_empty() {
        return Exit::Code(0);
    }
    // A HashMap<TopicPartition, Throwable>: Java's order.
    let keys: Vec<TopicPartition> = failed.iter().map(|(tp, _, _)| (*tp).clone()).collect();
    let failed: Vec<_> = java_hash_order_by(&keys, None, topic_partition_hash)
        .into_iter()
        .filter_map(|tp| failed.iter().find(|(t, _, _)| **t == tp).copied())
        .collect();
    for (tp, e, m) in &failed {
        out.outln(format!(
            "Error completing leader election ({kind}) for partition: {tp}: {}: {m}",
            e.exception_class()
        ));
    }
    uncaught(
        out,
        FAILED,
        &format!("{} replica(s) could not be elected", failed.len()),
    )
}
