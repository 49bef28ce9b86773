//! Counting passed and failed tests from the output of cargo's test harness
//! (libtest and wasm-bindgen-test-runner print the same line) and of
//! `node --test --test-reporter=tap`.

use std::fmt;
use std::ops::AddAssign;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TestCounts {
    pub passed: u64,
    pub failed: u64,
}

impl AddAssign for TestCounts {
    fn add_assign(&mut self, other: Self) {
        self.passed += other.passed;
        self.failed += other.failed;
    }
}

/// The summary line `cargo xtask test` ends with: `N passed, N failed`.
impl fmt::Display for TestCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} passed, {} failed", self.passed, self.failed)
    }
}

/// Sums every `test result: ok. X passed; Y failed; ...` (or `FAILED.`) line.
pub fn parse_cargo(output: &str) -> TestCounts {
    let mut total = TestCounts::default();
    for line in output.lines() {
        let Some(rest) = line.trim().strip_prefix("test result: ") else {
            continue;
        };
        let Some((_verdict, counts)) = rest.split_once(". ") else {
            continue;
        };
        for part in counts.split(';') {
            let mut words = part.split_whitespace();
            let (Some(number), Some(kind)) = (words.next(), words.next()) else {
                continue;
            };
            let Ok(number) = number.parse::<u64>() else {
                continue;
            };
            match kind {
                "passed" => total.passed += number,
                "failed" => total.failed += number,
                _ => {}
            }
        }
    }
    total
}

/// Reads the `# pass X` and `# fail Y` lines of node's TAP reporter.
pub fn parse_node_tap(output: &str) -> TestCounts {
    let mut total = TestCounts::default();
    for line in output.lines() {
        let line = line.trim();
        if let Some(n) = line.strip_prefix("# pass ").and_then(|n| n.trim().parse::<u64>().ok()) {
            total.passed += n;
        } else if let Some(n) = line.strip_prefix("# fail ").and_then(|n| n.trim().parse::<u64>().ok()) {
            total.failed += n;
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_every_cargo_test_binary() {
        let output = "\
running 3 tests
test a ... ok
test result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s

running 2 tests
test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s

running 0 tests
test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s
";
        assert_eq!(parse_cargo(output), TestCounts { passed: 4, failed: 1 });
    }

    #[test]
    fn reads_wasm_bindgen_test_runner_output() {
        let output = "\
Running headless tests in Chrome on `http://127.0.0.1:38011/`
running 5 tests
test result: ok. 5 passed; 0 failed; 0 ignored; 0 filtered out; finished in 0.21s
";
        assert_eq!(parse_cargo(output), TestCounts { passed: 5, failed: 0 });
    }

    #[test]
    fn ignores_lines_that_only_mention_results() {
        assert_eq!(
            parse_cargo("printing test result: maybe\ntest result: ok\n"),
            TestCounts::default()
        );
    }

    #[test]
    fn reads_node_tap_summary() {
        let output = "\
TAP version 13
# Subtest: page loads
ok 1 - page loads
1..1
# tests 3
# suites 0
# pass 2
# fail 1
# cancelled 0
";
        assert_eq!(parse_node_tap(output), TestCounts { passed: 2, failed: 1 });
    }

    #[test]
    fn summary_line_format() {
        let mut total = TestCounts { passed: 10, failed: 0 };
        total += TestCounts { passed: 2, failed: 3 };
        assert_eq!(total.to_string(), "12 passed, 3 failed");
    }
}
