//! Native benchmark run: `cargo run --release -p kafkaplay-bench`.

fn main() {
    #[cfg(not(target_arch = "wasm32"))]
    {
        let start = std::time::Instant::now();
        let now_ms = move || start.elapsed().as_secs_f64() * 1000.0;
        for m in kafkaplay_bench::run_all(&now_ms, 3) {
            println!("{}", m.line("native"));
        }
    }
}
