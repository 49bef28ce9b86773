//! The learner's Docker workflow against the real simulation: compose up,
//! `docker ps`, stop/kill/start/pause mapped to the cluster's faults, `docker
//! exec` into a broker, and what the filesystem shows there (its config, its
//! log directories with Kafka's segment files). Plus `kafkaplay` commands.

mod support_shell;

use kafkaplay_cluster::{snapshot, TopicPartition};
use kafkaplay_shell::{tools, Flavour, Shell};
use support_shell::{ok, run, shell, shell_with, started_world};

/// `docker ps`' NAMES column, top to bottom.
fn names_column(table: &str) -> Vec<String> {
    table
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().last().unwrap_or("").to_string())
        .collect()
}

#[test]
fn compose_up_starts_the_containers() {
    let mut sh = Shell::before_compose_up(started_world(3, 7, Flavour::Confluent));
    assert!(!sh.world().sim.is_up(1));
    assert_eq!(
        ok(&mut sh, "docker ps"),
        "CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n"
    );
    let up = ok(&mut sh, "docker-compose up -d");
    assert_eq!(
        up,
        "[+] Running 5/5\n \
         ✔ Network learner_default  Created                   0.1s\n \
         ✔ Container controller     Started                   0.5s\n \
         ✔ Container broker1        Started                   0.5s\n \
         ✔ Container broker2        Started                   0.5s\n \
         ✔ Container broker3        Started                   0.5s\n"
    );
    for id in [1000, 1, 2, 3] {
        assert!(sh.world().sim.is_up(id), "node {id}");
    }
    // Compose reads the file in the working directory.
    ok(&mut sh, "cd /tmp");
    let r = run(&mut sh, "docker compose ps");
    assert_eq!(
        (r.stderr.as_str(), r.status),
        ("no configuration file provided: not found\n", 1)
    );
    assert_eq!(run(&mut sh, "docker compose -f ~/docker-compose.yml ps").status, 0);
    ok(&mut sh, "cd");
    // Up again: nothing to do.
    let again = ok(&mut sh, "docker compose up -d");
    assert!(
        again.starts_with("[+] Running 4/4\n ✔ Container controller  Running"),
        "{again}"
    );
    ok(&mut sh, "sleep 5");
    let ps = ok(&mut sh, "docker ps");
    assert_eq!(names_column(&ps), vec!["broker3", "broker2", "broker1", "controller"]);
    assert!(
        ps.contains("confluentinc/cp-kafka:7.8.0   \"/etc/confluent/dock…\"   5 seconds ago   Up 5 seconds"),
        "{ps}"
    );
    assert!(ps.contains("0.0.0.0:9092->9092/tcp"));
    // The brokers register with the new controller.
    let registered = sh.world_mut().sim.run_until_condition(30_000, |s| {
        s.metadata().is_some_and(|m| m.unfenced_brokers().len() == 3)
    });
    assert!(registered);
}

#[test]
fn docker_kill_is_a_kill_and_ps_shows_it_exited() {
    let mut sh = shell();
    let r = run(&mut sh, "docker kill broker2");
    assert_eq!((r.stdout.as_str(), r.status), ("broker2\n", 0));
    assert!(!sh.world().sim.is_up(2));
    ok(&mut sh, "sleep 3");
    let ps = ok(&mut sh, "docker ps");
    assert_eq!(names_column(&ps), vec!["broker3", "broker1", "controller"]);
    let all = ok(&mut sh, "docker ps -a");
    let line = all.lines().find(|l| l.ends_with("broker2")).unwrap();
    assert!(line.contains("Exited (137) 3 seconds ago"), "{line}");
    let r = run(&mut sh, "docker kill broker2");
    assert!(
        r.stderr
            .starts_with("Error response from daemon: cannot kill container: broker2: container "),
        "{}",
        r.stderr
    );
    assert_eq!(r.status, 1);
    assert_eq!(ok(&mut sh, "docker start broker2"), "broker2\n");
    assert!(sh.world().sim.is_up(2));
    assert!(ok(&mut sh, "docker ps").contains("Up Less than a second"));
}

#[test]
fn docker_stop_is_a_controlled_shutdown() {
    let mut sh = shell();
    ok(&mut sh, "kafkaplay sample t 10");
    let leaders_on_1 = |sh: &Shell| {
        snapshot::partitions(&sh.world().sim)
            .iter()
            .filter(|p| p.leader == 1)
            .count()
    };
    assert!(leaders_on_1(&sh) > 0);
    assert_eq!(ok(&mut sh, "docker stop broker1"), "broker1\n");
    assert!(!sh.world().sim.is_up(1));
    // Leadership moved away before the broker went down.
    assert_eq!(leaders_on_1(&sh), 0);
    let all = ok(&mut sh, "docker ps -a");
    assert!(
        all.lines()
            .any(|l| l.ends_with("broker1") && l.contains("Exited (143)")),
        "{all}"
    );
    assert_eq!(ok(&mut sh, "docker restart broker1"), "broker1\n");
    assert!(sh.world().sim.is_up(1));
}

#[test]
fn docker_pause_and_unpause() {
    let mut sh = shell();
    assert_eq!(ok(&mut sh, "docker pause broker3"), "broker3\n");
    assert!(sh.world().sim.is_paused(3));
    assert!(ok(&mut sh, "docker ps").contains("(Paused)"));
    let r = run(&mut sh, "docker exec -it broker3 bash");
    assert!(
        r.stderr.contains("is paused, unpause the container before exec"),
        "{}",
        r.stderr
    );
    assert_eq!(ok(&mut sh, "docker unpause broker3"), "broker3\n");
    assert!(!sh.world().sim.is_paused(3));
    let r = run(&mut sh, "docker unpause broker3");
    assert!(r.stderr.contains("is not paused"));
}

#[test]
fn unknown_containers_and_commands() {
    let mut sh = shell();
    let r = run(&mut sh, "docker stop kafka9");
    assert_eq!(
        (r.stderr.as_str(), r.status),
        ("Error response from daemon: No such container: kafka9\n", 1)
    );
    let r = run(&mut sh, "docker fly");
    assert_eq!(
        r.stderr,
        "docker: 'fly' is not a docker command.\nSee 'docker --help'\n"
    );
}

#[test]
fn exec_enters_the_broker_and_exit_leaves() {
    let mut sh = shell();
    assert_eq!(sh.prompt(), "learner@kafkaplay:~$ ");
    ok(&mut sh, "docker exec -it broker2 bash");
    assert_eq!(sh.prompt(), "[appuser@broker2 ~]$ ");
    assert_eq!(sh.world().host, Some(2));
    assert_eq!(
        ok(&mut sh, "hostname; whoami; pwd"),
        "broker2\nappuser\n/home/appuser\n"
    );
    assert_eq!(ok(&mut sh, "env | grep KAFKA_NODE_ID"), "KAFKA_NODE_ID=2\n");
    // No Docker inside the container.
    assert_eq!(run(&mut sh, "docker ps").status, 127);
    // Files are per machine.
    ok(&mut sh, "echo inside > /tmp/x");
    assert_eq!(run(&mut sh, "exit").stderr, "exit\n");
    assert_eq!(sh.world().host, None);
    assert_eq!(sh.prompt(), "learner@kafkaplay:~$ ");
    assert_eq!(run(&mut sh, "cat /tmp/x").status, 1);
    // One command without entering.
    assert_eq!(ok(&mut sh, "docker exec broker3 hostname"), "broker3\n");
    assert_eq!(sh.world().host, None);
    assert_eq!(ok(&mut sh, "docker exec broker2 cat /tmp/x"), "inside\n");
    assert_eq!(ok(&mut sh, "docker exec broker2 printenv KAFKA_NODE_ID"), "2\n");
    ok(&mut sh, "docker exec broker2 cd /var");
    assert_eq!(run(&mut sh, "docker exec broker2 exit 5").status, 5);
    assert_eq!(ok(&mut sh, "pwd"), "/home/learner\n");
    assert!(!sh.has_exited());
    ok(&mut sh, "docker kill broker1");
    let r = run(&mut sh, "docker exec -it broker1 bash");
    assert!(r.stderr.ends_with("is not running\n"), "{}", r.stderr);
    // Ctrl+D at the container prompt leaves it too.
    ok(&mut sh, "docker exec -it broker2 bash");
    sh.eof();
    assert_eq!(sh.world().host, None);
    assert!(!sh.has_exited());
}

#[test]
fn the_broker_shows_its_tools_and_config() {
    let mut sh = shell();
    ok(&mut sh, "docker exec -it broker1 bash");
    let listed = run(&mut sh, "ls /bin | grep kafka").stdout;
    let expected: String = tools::names().iter().map(|t| format!("{t}\n")).collect();
    assert_eq!(listed, expected);
    let config = ok(&mut sh, "cat /etc/kafka/server.properties");
    for line in [
        "process.roles=broker",
        "node.id=1",
        "controller.quorum.voters=1000@controller:9093",
        "listeners=PLAINTEXT://broker1:29092,PLAINTEXT_HOST://0.0.0.0:9092",
        "advertised.listeners=PLAINTEXT://broker1:29092,PLAINTEXT_HOST://localhost:9092",
        "log.dirs=/var/lib/kafka/data",
        "num.partitions=1",
        "default.replication.factor=1",
        "min.insync.replicas=1",
        "unclean.leader.election.enable=false",
    ] {
        assert!(config.lines().any(|l| l == line), "missing {line} in\n{config}");
    }
    assert_eq!(ok(&mut sh, "grep node.id /etc/kafka/server.properties"), "node.id=1\n");
    let r = run(&mut sh, "echo x > /etc/kafka/server.properties");
    assert_eq!(r.stderr, "bash: /etc/kafka/server.properties: Permission denied\n");
}

#[test]
fn apache_image_has_sh_tools_under_opt_kafka() {
    let mut sh = shell_with(3, Flavour::Apache);
    ok(&mut sh, "docker exec -it broker1 bash");
    assert_eq!(sh.prompt(), "broker1:/$ ");
    let listed = run(&mut sh, "ls /opt/kafka/bin | grep kafka").stdout;
    let expected: String = tools::names().iter().map(|t| format!("{t}.sh\n")).collect();
    assert_eq!(listed, expected);
    assert!(ok(&mut sh, "cat /opt/kafka/config/server.properties").contains("node.id=1\n"));
    assert_eq!(run(&mut sh, "ls /bin | grep kafka").stdout, "");
}

#[test]
fn log_dirs_list_the_brokers_replicas_with_kafkas_files() {
    let mut sh = shell();
    ok(&mut sh, "kafkaplay sample orders 40");
    ok(&mut sh, "docker exec -it broker2 bash");
    let listed = ok(&mut sh, "ls -1 /var/lib/kafka/data | grep -v meta.properties");
    let meta = ok(&mut sh, "cat /var/lib/kafka/data/meta.properties");
    assert!(
        meta.starts_with("#\n#Tue Nov 14 22:13:20 UTC 2023\ncluster.id="),
        "{meta}"
    );
    assert!(meta.ends_with("\nnode.id=2\nversion=1\n"), "{meta}");
    let compose = sh.world().read_file("/home/learner/docker-compose.yml");
    assert_eq!(compose, None, "the learner's files are not in the container");
    let mut expected: Vec<String> = snapshot::partitions(&sh.world().sim)
        .into_iter()
        .filter(|p| p.replicas.contains(&2))
        .map(|p| p.tp.to_string())
        .collect();
    expected.sort();
    assert!(!expected.is_empty());
    assert_eq!(listed.lines().collect::<Vec<_>>(), expected);

    assert_eq!(
        ok(&mut sh, "ls -1 /var/lib/kafka/data/orders-0"),
        "00000000000000000000.index\n00000000000000000000.log\n00000000000000000000.timeindex\nleader-epoch-checkpoint\npartition.metadata\n"
    );
    let tp = TopicPartition::new("orders", 0);
    let log = sh.world().sim.broker(2).unwrap().log(&tp).unwrap();
    let exported = log.export_files();
    let segment = &exported
        .iter()
        .find(|f| f.name == "00000000000000000000.log")
        .unwrap()
        .bytes;
    assert!(!segment.is_empty());
    // What kafka-dump-log reads, by absolute and by relative path.
    assert_eq!(
        sh.world()
            .read_file("/var/lib/kafka/data/orders-0/00000000000000000000.log")
            .as_ref(),
        Some(segment)
    );
    ok(&mut sh, "cd /var/lib/kafka/data/orders-0");
    assert_eq!(sh.prompt(), "[appuser@broker2 orders-0]$ ");
    assert_eq!(sh.world().read_file("00000000000000000000.log").as_ref(), Some(segment));
    // A record batch: magic byte 2 at offset 16.
    assert_eq!(segment[16], 2);
    assert_eq!(ok(&mut sh, "ls *.log"), "00000000000000000000.log\n");
    assert_eq!(
        ok(&mut sh, "echo /var/lib/kafka/data/orders-*/*.log"),
        "/var/lib/kafka/data/orders-0/00000000000000000000.log /var/lib/kafka/data/orders-1/00000000000000000000.log /var/lib/kafka/data/orders-2/00000000000000000000.log\n"
    );
    assert_eq!(
        ok(&mut sh, "echo ../orders-?/leader-*"),
        "../orders-0/leader-epoch-checkpoint ../orders-1/leader-epoch-checkpoint ../orders-2/leader-epoch-checkpoint\n"
    );
    let checkpoint = ok(&mut sh, "cat leader-epoch-checkpoint");
    assert!(checkpoint.starts_with("0\n1\n0 0\n"), "{checkpoint}");
    assert!(ok(&mut sh, "cat partition.metadata").starts_with("version: 0\ntopic_id: "));
    let long = ok(&mut sh, "ls -l 00000000000000000000.log");
    assert!(long.contains(&format!(" {} ", segment.len())), "{long}");
}

#[test]
fn docker_logs_show_the_nodes_events() {
    let mut sh = shell();
    ok(&mut sh, "kafkaplay sample t 5");
    let logs = ok(&mut sh, "docker logs broker1");
    assert!(
        logs.lines().next().unwrap().starts_with("[2023-11-14 22:13:20,"),
        "{logs}"
    );
    assert!(logs.contains("started (kafka.server.KafkaRaftServer)"));
    assert!(logs.contains("role t-"));
    assert_eq!(ok(&mut sh, "docker logs --tail 2 broker1").lines().count(), 2);
    assert!(ok(&mut sh, "docker logs controller").contains("controller-elected"));
}

#[test]
fn compose_down_removes_everything_and_up_starts_fresh() {
    let mut sh = shell();
    ok(&mut sh, "kafkaplay sample t 5");
    let down = ok(&mut sh, "docker compose down");
    assert!(down.starts_with("[+] Running 5/5\n ✔ Container broker3"), "{down}");
    assert!(
        down.ends_with(" ✔ Network learner_default  Removed                   0.1s\n"),
        "{down}"
    );
    assert!(!sh.world().sim.is_up(1));
    ok(&mut sh, "docker compose up -d");
    sh.world_mut().sim.run_until_condition(30_000, |s| {
        s.metadata().is_some_and(|m| m.unfenced_brokers().len() == 3)
    });
    assert!(sh.world().sim.metadata().unwrap().topic("t").is_none());
}

#[test]
fn kafkaplay_network_faults_and_status() {
    let mut sh = shell();
    let r = run(&mut sh, "kafkaplay partition broker1 / broker2,broker3,controller");
    assert_eq!(r.stdout, "network partitioned: broker1 / broker2,broker3,controller\n");
    // Cut off from the controller, broker 1 is fenced after its session times out.
    ok(&mut sh, "sleep 15");
    let image = sh.world().sim.metadata().unwrap();
    assert!(!image.is_alive(1));
    let status = ok(&mut sh, "kafkaplay status");
    assert!(
        status.contains("broker1      id 1     up      broker (fenced)"),
        "{status}"
    );
    assert!(status.contains("network: partitioned: broker1 / broker2,broker3,controller"));
    assert_eq!(
        ok(&mut sh, "kafkaplay heal"),
        "network healed: no partitions, no slow links\n"
    );
    ok(&mut sh, "sleep 15");
    assert!(sh.world().sim.metadata().unwrap().is_alive(1));
    assert_eq!(
        ok(&mut sh, "kafkaplay slow 2 250"),
        "broker2: every link now has 250 ms of extra delay each way\n"
    );
    assert_eq!(ok(&mut sh, "kafkaplay seed"), "7\n");
    assert_eq!(run(&mut sh, "kafkaplay partition 1").status, 2);
    assert_eq!(run(&mut sh, "kafkaplay slow broker9 10").status, 2);
    assert!(ok(&mut sh, "kafkaplay --help").contains("export-compose"));
    assert_eq!(run(&mut sh, "kafkaplay nope").status, 2);
}

#[test]
fn export_compose_recreates_the_cluster_on_real_kafka() {
    let mut sh = shell();
    ok(&mut sh, "kafkaplay sample orders 0");
    assert_eq!(
        ok(&mut sh, "kafkaplay export-compose real"),
        "wrote real/docker-compose.yml\nwrote real/create-topics.sh\n"
    );
    let compose = ok(&mut sh, "cat real/docker-compose.yml");
    assert!(
        compose.starts_with("services:\n  controller:\n    image: confluentinc/cp-kafka:7.8.0\n"),
        "{compose}"
    );
    for needle in [
        "KAFKA_PROCESS_ROLES: 'controller'",
        "KAFKA_NODE_ID: '3'",
        "KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://broker2:29092,PLAINTEXT_HOST://localhost:9093'",
        "      - \"9094:9094\"",
    ] {
        assert!(compose.contains(needle), "missing {needle}");
    }
    let image = sh.world().sim.metadata().unwrap();
    let topic = image.topic("orders").unwrap();
    let assignment: Vec<String> = topic
        .partitions
        .values()
        .map(|p| p.replicas.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(":"))
        .collect();
    let script = ok(&mut sh, "cat real/create-topics.sh");
    assert!(
        script.contains(&format!(
            "docker exec broker1 kafka-topics --bootstrap-server broker1:29092 --create --topic orders --replica-assignment {}\n",
            assignment.join(",")
        )),
        "{script}"
    );
    assert!(!script.contains("__consumer_offsets"));
    // The learner's home holds the playground's own compose file.
    assert_eq!(ok(&mut sh, "cat docker-compose.yml"), compose);
}
