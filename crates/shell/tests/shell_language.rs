//! The shell language as a learner types it: quoting, expansion, lists and exit
//! codes, pipes through the coreutils, redirections, heredocs typed over
//! several lines, foreground jobs fed from the terminal, history and
//! completion.

mod support_shell;

use kafkaplay_shell::Stream;
use support_shell::{ok, run, shell};

#[test]
fn quotes_keep_spaces_and_escapes() {
    let mut sh = shell();
    assert_eq!(ok(&mut sh, r#"echo 'a  b' "c  d" e\ \ f"#), "a  b c  d e  f\n");
    assert_eq!(
        ok(&mut sh, r#"echo "it's" 'say "hi"' \$HOME"#),
        "it's say \"hi\" $HOME\n"
    );
    assert_eq!(ok(&mut sh, "echo one   two # a comment"), "one two\n");
    assert_eq!(ok(&mut sh, "echo -n x; echo y"), "xy\n");
    assert_eq!(ok(&mut sh, r"echo -e 'a\tb'"), "a\tb\n");
}

#[test]
fn variables_expand_as_in_the_seed_notes() {
    let mut sh = shell();
    ok(&mut sh, "export host=localhost");
    ok(&mut sh, "port=9092");
    assert_eq!(ok(&mut sh, "echo ${host}:${port}"), "localhost:9092\n");
    assert_eq!(ok(&mut sh, "echo \"$host:$port\""), "localhost:9092\n");
    // Only exported variables reach `env`.
    let env = ok(&mut sh, "env");
    assert!(env.contains("host=localhost\n"));
    assert!(!env.contains("port=9092"));
    assert_eq!(ok(&mut sh, "echo [$nothing] ${nothing:-default}"), "[] default\n");
    // Unquoted expansions split into fields, quoted ones do not.
    ok(&mut sh, "x='a b'");
    assert_eq!(ok(&mut sh, "printf '<%s>' $x; echo"), "<a><b>\n");
    assert_eq!(ok(&mut sh, "printf '<%s>' \"$x\"; echo"), "<a b>\n");
    assert_eq!(ok(&mut sh, "echo $(echo nested) ~"), "nested /home/learner\n");
}

#[test]
fn exit_status_and_lists() {
    let mut sh = shell();
    assert_eq!(ok(&mut sh, "false; echo $?"), "1\n");
    assert_eq!(ok(&mut sh, "true && echo yes || echo no"), "yes\n");
    assert_eq!(ok(&mut sh, "false && echo yes || echo no"), "no\n");
    assert_eq!(ok(&mut sh, "false && echo skipped; echo $?"), "1\n");
    let r = run(&mut sh, "foo --bar");
    assert_eq!(r.stderr, "bash: foo: command not found\n");
    assert_eq!(r.status, 127);
    assert_eq!(ok(&mut sh, "foo 2>/dev/null; echo $?"), "127\n");
    let r = run(&mut sh, "fake-fail");
    assert_eq!(
        (r.stdout.as_str(), r.stderr.as_str(), r.status),
        ("partial\n", "boom\n", 3)
    );
    assert_eq!(ok(&mut sh, "! false && echo negated"), "negated\n");
}

#[test]
fn syntax_errors_are_bash_messages_with_status_2() {
    let mut sh = shell();
    let r = run(&mut sh, "| grep x");
    assert_eq!(r.stderr, "bash: syntax error near unexpected token `|'\n");
    assert_eq!(r.status, 2);
    let r = run(&mut sh, "echo a;; echo b");
    assert_eq!(r.stderr, "bash: syntax error near unexpected token `;;'\n");
}

#[test]
fn pipes_through_coreutils() {
    let mut sh = shell();
    assert_eq!(ok(&mut sh, r"printf 'a\nb\nc\n' | grep -v b | wc -l"), "2\n");
    assert_eq!(
        ok(&mut sh, r"printf 'Kafka\nkafka\nzoo\n' | grep -i KAFKA"),
        "Kafka\nkafka\n"
    );
    assert_eq!(ok(&mut sh, r"printf 'a1\nb22\nc\n' | grep -E '[0-9]+'"), "a1\nb22\n");
    assert_eq!(ok(&mut sh, r"printf 'x\ny\nx\n' | grep -c x"), "2\n");
    assert_eq!(ok(&mut sh, "seq 1 20 | head -n 3"), "1\n2\n3\n");
    assert_eq!(ok(&mut sh, "seq 1 20 | head -2"), "1\n2\n");
    assert_eq!(ok(&mut sh, "seq 1 20 | tail -n 2"), "19\n20\n");
    assert_eq!(ok(&mut sh, "seq 1 20 | tail -1"), "20\n");
    assert_eq!(ok(&mut sh, "printf '10\\n9\\n100\\n' | sort"), "10\n100\n9\n");
    assert_eq!(ok(&mut sh, "printf '10\\n9\\n100\\n' | sort -n"), "9\n10\n100\n");
    assert_eq!(ok(&mut sh, "printf '10\\n9\\n100\\n' | sort -rn"), "100\n10\n9\n");
    assert_eq!(ok(&mut sh, "echo a b c | wc -w"), "3\n");
    assert_eq!(ok(&mut sh, "echo hello | wc"), "      1       1       6\n");
    assert_eq!(ok(&mut sh, "printf 'a\\na\\nb\\n' | uniq -c"), "      2 a\n      1 b\n");
    // grep's status: 1 when nothing matched.
    assert_eq!(run(&mut sh, "echo x | grep y").status, 1);
}

#[test]
fn printf_formats() {
    let mut sh = shell();
    assert_eq!(
        ok(&mut sh, r"printf '%s:%s\n' key1 value1 key2 value2"),
        "key1:value1\nkey2:value2\n"
    );
    assert_eq!(
        ok(&mut sh, r"printf '%5d|%-4s|%05.1f\n' 42 ab 3.14159"),
        "   42|ab  |003.1\n"
    );
    assert_eq!(ok(&mut sh, r"printf 'a\tb%%\n'"), "a\tb%\n");
    assert_eq!(ok(&mut sh, "printf '%99999999999s|%.99999999f' x 1 | wc -c"), "8195\n");
}

#[test]
fn redirections_write_the_virtual_filesystem() {
    let mut sh = shell();
    ok(&mut sh, "echo first > notes.txt");
    ok(&mut sh, "echo second >> notes.txt");
    assert_eq!(ok(&mut sh, "cat notes.txt"), "first\nsecond\n");
    assert_eq!(
        sh.world().read_file("/home/learner/notes.txt").as_deref(),
        Some(&b"first\nsecond\n"[..])
    );
    ok(&mut sh, "echo replaced > notes.txt");
    assert_eq!(ok(&mut sh, "cat < notes.txt"), "replaced\n");
    // stderr into the file too, in order.
    run(&mut sh, "fake-fail > both.txt 2>&1");
    assert_eq!(ok(&mut sh, "cat both.txt"), "partial\nboom\n");
    // 2>&1 before a pipe sends stderr down the pipe.
    assert_eq!(ok(&mut sh, "fake-fail 2>&1 | grep boom"), "boom\n");
    let r = run(&mut sh, "fake-fail 2>/dev/null");
    assert_eq!((r.stdout.as_str(), r.stderr.as_str()), ("partial\n", ""));
    let r = run(&mut sh, "cat missing.txt");
    assert_eq!(r.stderr, "cat: missing.txt: No such file or directory\n");
    assert_eq!(r.status, 1);
    let r = run(&mut sh, "seq 1 100000 > big; for i in {1..20}; do cat big >> big; done");
    assert_eq!(r.stderr.lines().next(), Some("bash: /home/learner/big: File too large"));
    ok(&mut sh, "rm big");
    let r = run(&mut sh, "echo x > /nodir/f");
    assert_eq!(r.stderr, "bash: /nodir/f: No such file or directory\n");
    assert_eq!(r.status, 1);
    assert_eq!(ok(&mut sh, "ls"), "both.txt  docker-compose.yml  notes.txt\n");
    assert_eq!(ok(&mut sh, "ls | head -1"), "both.txt\n");
}

#[test]
fn heredoc_typed_over_several_lines() {
    let mut sh = shell();
    ok(&mut sh, "export who=world");
    assert_eq!(sh.submit("cat <<EOF | grep -v skip").chunks, vec![]);
    assert_eq!(sh.prompt(), "> ");
    sh.submit("hello $who");
    sh.submit("skip me");
    let out = sh.submit("EOF");
    assert_eq!(out.stdout(), "hello world\n");
    assert_eq!(sh.prompt(), "learner@kafkaplay:~$ ");
    // A quoted delimiter keeps the body as typed; the whole text is one history entry.
    assert_eq!(ok(&mut sh, "cat <<'EOF'\n$who\nEOF"), "$who\n");
    assert_eq!(sh.history().last().map(String::as_str), Some("cat <<'EOF'\n$who\nEOF"));
    // An open quote continues on the next line.
    sh.submit("echo 'a");
    assert_eq!(sh.submit("b'").stdout(), "a\nb\n");
}

#[test]
fn piped_input_reaches_a_tool_and_its_job_finishes() {
    let mut sh = shell();
    assert_eq!(
        ok(&mut sh, r"printf 'k1:v1\nk2:v2\n' | fake-lines"),
        "got: k1:v1\ngot: k2:v2\n"
    );
    assert_eq!(ok(&mut sh, "echo hi | fake-lines && echo done"), "got: hi\ndone\n");
    assert_eq!(
        ok(&mut sh, "cat <<EOF | fake-lines\none\ntwo\nEOF"),
        "got: one\ngot: two\n"
    );
    ok(&mut sh, "echo from-file > in.txt");
    assert_eq!(ok(&mut sh, "fake-lines < in.txt"), "got: from-file\n");
    assert_eq!(run(&mut sh, "echo x | fake-lines 4").status, 4);
    assert!(!sh.job_running());
}

#[test]
fn terminal_job_gets_typed_lines_until_ctrl_d() {
    let mut sh = shell();
    let out = sh.submit("fake-lines && echo after");
    assert!(out.chunks.is_empty());
    assert!(sh.job_running());
    assert_eq!(sh.prompt(), ">");
    assert_eq!(sh.submit("hello world").stdout(), "got: hello world\n");
    // Lines typed while a job runs are not shell history.
    assert!(!sh.history().iter().any(|h| h == "hello world"));
    let out = sh.eof();
    assert_eq!(out.stdout(), "after\n");
    assert!(!sh.job_running());
    assert_eq!(sh.last_status(), 0);
}

#[test]
fn ctrl_c_stops_a_job_and_the_rest_of_its_list() {
    let mut sh = shell();
    sh.submit("fake-ticker; echo never");
    let start = sh.world().sim.now();
    let out = sh.tick(2_500);
    assert_eq!(out.stdout(), "tick 1\ntick 2\n");
    assert_eq!(sh.world().sim.now() - start, 2_500);
    assert_eq!(sh.prompt(), "");
    let out = sh.interrupt();
    assert_eq!(out.chunks, vec![(Stream::Stderr, "stopped\n".to_string())]);
    assert_eq!(sh.last_status(), 130);
    assert!(!sh.job_running());
    assert_eq!(ok(&mut sh, "echo next"), "next\n");
}

#[test]
fn a_job_that_exits_by_itself_lets_the_list_go_on() {
    let mut sh = shell();
    sh.submit("fake-ticker 2 && echo finished");
    let out = sh.tick(5_000);
    assert_eq!(out.stdout(), "tick 1\ntick 2\nfinished\n");
    assert!(!sh.job_running());
}

#[test]
fn a_job_at_the_prompt_streams_through_grep_and_head() {
    let mut sh = shell();
    sh.submit("fake-ticker | head -n 2");
    assert!(sh.job_running());
    assert_eq!(sh.tick(5_000).stdout(), "tick 1\ntick 2\n");
    // Like the console consumer, the job does not notice that head is done.
    assert!(sh.job_running());
    assert_eq!(sh.interrupt().stderr(), "stopped\n");
    assert_eq!(sh.last_status(), 130);

    sh.submit("fake-ticker 12 | grep 1 | head -3 && echo found");
    assert_eq!(sh.tick(20_000).stdout(), "tick 1\ntick 10\ntick 11\nfound\n");
    sh.submit("fake-ticker 2 | grep 7 || echo none");
    assert_eq!(sh.tick(3_000).stdout(), "none\n");
}

#[test]
fn a_job_that_cannot_stream_is_bounded() {
    let mut sh = shell();
    let r = run(&mut sh, "fake-ticker | wc -l");
    assert_eq!(r.stdout, "120\n");
    assert!(
        r.stderr.contains("still running after 120 s of simulated time"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("stopped\n"));
    assert_eq!(ok(&mut sh, "fake-ticker 3 | sort -r"), "tick 3\ntick 2\ntick 1\n");
    // In a command substitution nothing stays in the foreground.
    assert_eq!(ok(&mut sh, "echo $(fake-ticker 2 | head -1)"), "tick 1\n");
}

#[test]
fn sleep_advances_simulated_time() {
    let mut sh = shell();
    let before = sh.world().sim.now();
    ok(&mut sh, "sleep 2");
    ok(&mut sh, "sleep 0.5");
    ok(&mut sh, "kafkaplay advance 1m");
    assert_eq!(sh.world().sim.now() - before, 62_500);
    assert_eq!(run(&mut sh, "sleep soon").status, 1);
}

#[test]
fn cd_pwd_ls_and_mkdir() {
    let mut sh = shell();
    assert_eq!(ok(&mut sh, "pwd"), "/home/learner\n");
    ok(&mut sh, "mkdir work && cd work");
    assert_eq!(ok(&mut sh, "pwd"), "/home/learner/work\n");
    assert_eq!(sh.prompt(), "learner@kafkaplay:~/work$ ");
    ok(&mut sh, "echo x > a.txt; cd ..");
    assert_eq!(ok(&mut sh, "ls work"), "a.txt\n");
    assert_eq!(ok(&mut sh, "cat work/../work/a.txt"), "x\n");
    let r = run(&mut sh, "cd nowhere");
    assert_eq!(
        (r.stderr.as_str(), r.status),
        ("bash: cd: nowhere: No such file or directory\n", 1)
    );
    let r = run(&mut sh, "ls nowhere");
    assert_eq!(
        (r.stderr.as_str(), r.status),
        ("ls: cannot access 'nowhere': No such file or directory\n", 2)
    );
    ok(&mut sh, "cd");
    assert_eq!(ok(&mut sh, "echo *.yml"), "docker-compose.yml\n");
    assert_eq!(ok(&mut sh, "echo *.none"), "*.none\n");
}

#[test]
fn subshells_keep_their_changes() {
    let mut sh = shell();
    assert_eq!(ok(&mut sh, "echo $(cd /tmp; pwd) $(exit 4; echo no)"), "/tmp\n");
    assert_eq!(ok(&mut sh, "pwd"), "/home/learner\n");
    assert!(!sh.has_exited());
    ok(&mut sh, "cd /tmp | cat");
    run(&mut sh, "exit 1 | cat");
    assert!(!sh.has_exited());
    assert_eq!(ok(&mut sh, "pwd"), "/home/learner\n");
    ok(&mut sh, "docker exec -it broker1 bash | cat");
    assert_eq!(sh.world().host, None);
}

#[test]
fn bash_runs_commands_and_scripts() {
    let mut sh = shell();
    assert_eq!(ok(&mut sh, "bash -c 'echo hi; exit 3'; echo $?"), "hi\n3\n");
    ok(
        &mut sh,
        "cat > job.sh <<'EOF'\nset -e\necho start\nfalse || echo tested\nfalse\necho never\nEOF",
    );
    let r = run(&mut sh, "sh job.sh");
    assert_eq!((r.stdout.as_str(), r.status), ("start\ntested\n", 1));
    assert_eq!(ok(&mut sh, "./job.sh | head -1"), "start\n");
    assert_eq!(
        run(&mut sh, "sh missing.sh").stderr,
        "sh: missing.sh: No such file or directory\n"
    );
    ok(&mut sh, "bash");
    ok(&mut sh, "exit");
    assert!(!sh.has_exited());
    assert_eq!(ok(&mut sh, "echo still here"), "still here\n");
}

#[test]
fn history_lists_what_was_typed() {
    let mut sh = shell();
    sh.submit("echo one");
    sh.submit("   ");
    sh.submit("echo two");
    assert_eq!(
        ok(&mut sh, "history"),
        "    1  echo one\n    2  echo two\n    3  history\n"
    );
    sh.set_history(vec!["kafka-topics --list".to_string()]);
    assert_eq!(ok(&mut sh, "history 1"), "    2  history 1\n");
}

#[test]
fn clear_help_and_exit() {
    let mut sh = shell();
    assert_eq!(ok(&mut sh, "clear"), "\x1b[H\x1b[2J\x1b[3J");
    let help = ok(&mut sh, "help");
    assert!(help.contains("docker compose up -d"));
    assert!(help.contains("kafkaplay status"));
    let r = run(&mut sh, "exit 3");
    assert_eq!(r.stderr, "exit\n");
    assert!(sh.has_exited());
    assert_eq!(sh.last_status(), 3);
}

#[test]
fn completion_of_commands_flags_topics_and_paths() {
    let mut sh = shell();
    let c = sh.complete("ech", 3);
    assert_eq!((c.start, c.end, c.candidates.clone()), (0, 3, vec!["echo".to_string()]));
    let line = "kafka-topics --bootstrap-server localhost:9092 --cr";
    let c = sh.complete(line, line.len());
    assert_eq!(c.candidates, vec!["--create".to_string()]);
    assert_eq!(c.start, line.len() - 4);
    let line = "kafka-topics --bootstrap-server local";
    assert_eq!(
        sh.complete(line, line.len()).candidates,
        vec!["localhost:9092", "localhost:9093", "localhost:9094"]
    );
    ok(&mut sh, "kafkaplay sample orders 0");
    ok(&mut sh, "kafkaplay sample payments 0");
    let line = "kafka-console-consumer --topic ";
    assert_eq!(sh.complete(line, line.len()).candidates, vec!["orders", "payments"]);
    let line = "kafka-console-consumer --topic or";
    assert_eq!(sh.complete(line, line.len()).candidates, vec!["orders"]);
    assert_eq!(sh.complete("cat dock", 8).candidates, vec!["docker-compose.yml"]);
    assert_eq!(sh.complete("docker st", 9).candidates, vec!["start", "stop"]);
    assert_eq!(
        sh.complete("docker stop broker", 18).candidates,
        vec!["broker1", "broker2", "broker3"]
    );
    assert_eq!(sh.complete("kafkaplay st", 12).candidates, vec!["status"]);
    assert_eq!(sh.complete("ls /var/l", 9).candidates, Vec::<String>::new());
    assert_eq!(sh.complete("echo x | gr", 11).candidates, vec!["grep"]);
    // A cursor inside a multi-byte character does not panic.
    let _ = sh.complete("echo é", 6);
}

#[test]
fn same_commands_same_output() {
    let script = "kafkaplay sample t 30\ndocker kill broker2\nsleep 15\nkafkaplay status\ndocker ps -a\ndocker logs broker1 | tail -5\nls /home/learner";
    let a = shell().run_script(script);
    let b = shell().run_script(script);
    assert_eq!(a, b);
    assert!(a.stdout().contains("broker2      id 2     down"), "{}", a.stdout());
}

#[test]
fn completion_of_consumer_groups() {
    use kafkaplay_cluster::config::ConsumerConfig;
    use kafkaplay_cluster::consumer::ConsumerApp;
    let mut sh = shell();
    ok(&mut sh, "kafkaplay sample orders 5");
    let sim = &mut sh.world_mut().sim;
    let c = sim.add_consumer(ConsumerConfig::group("billing"), ConsumerApp::default());
    sim.subscribe(c, &["orders"]);
    sim.run_for(10_000);
    let line = "kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group ";
    assert_eq!(sh.complete(line, line.len()).candidates, vec!["billing"]);
}

#[test]
fn for_loops_and_brace_expansion_generate_messages() {
    let mut sh = shell();
    assert_eq!(
        ok(&mut sh, "echo {1..3} msg-{a,b} {5..1..2} {x..z}"),
        "1 2 3 msg-a msg-b 5 3 1 x y z\n"
    );
    assert_eq!(ok(&mut sh, "echo '{1..3}' {1..x} {}"), "{1..3} {1..x} {}\n");
    assert_eq!(
        ok(
            &mut sh,
            "for i in {1..3}; do echo \"key$i:message $i\"; done | fake-lines"
        ),
        "got: key1:message 1\ngot: key2:message 2\ngot: key3:message 3\n"
    );
    assert_eq!(ok(&mut sh, "for i in $(seq 1 100); do echo $i; done | wc -l"), "100\n");
    ok(&mut sh, "for f in a b; do echo $f >> loop.txt; done");
    assert_eq!(ok(&mut sh, "cat loop.txt; echo $f"), "a\nb\nb\n");
    // Typed over several lines, as in a terminal.
    sh.submit("for t in x y");
    assert_eq!(sh.prompt(), "> ");
    sh.submit("do");
    sh.submit("  echo \"<$t>\"");
    assert_eq!(sh.submit("done").stdout(), "<x>\n<y>\n");
    assert_eq!(ok(&mut sh, "for i in; do echo never; done; echo $?"), "0\n");
    assert_eq!(run(&mut sh, "for i in 1 2; do false; done").status, 1);
    let r = run(&mut sh, "for i in {1..1000}; do for j in {1..1000}; do :; done; done");
    assert_eq!(
        r.stderr,
        "kafkaplay: loop stopped: more than 100000 iterations in one command line\n"
    );
    assert_eq!(r.status, 1);
}
