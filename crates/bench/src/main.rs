//! Native benchmark run: `cargo run --release -p kafkaplay-bench [log|cluster|groups|scale|create]`
//! (every group when no argument is given; `scale` is the cluster group's
//! scale case alone, `create` only its first create, for profiling).

#[cfg(not(target_arch = "wasm32"))]
mod counting {
    //! A global allocator that counts the bytes live on the heap, for the
    //! memory-per-replica measurement.
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

    pub struct Counting;

    static LIVE: AtomicUsize = AtomicUsize::new(0);

    pub fn live_bytes() -> u64 {
        LIVE.load(Relaxed) as u64
    }

    // SAFETY: every call is forwarded to `System`; only a counter is added.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let p = System.alloc(layout);
            if !p.is_null() {
                LIVE.fetch_add(layout.size(), Relaxed);
            }
            p
        }
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            let p = System.alloc_zeroed(layout);
            if !p.is_null() {
                LIVE.fetch_add(layout.size(), Relaxed);
            }
            p
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            System.dealloc(ptr, layout);
            LIVE.fetch_sub(layout.size(), Relaxed);
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let p = System.realloc(ptr, layout, new_size);
            if !p.is_null() {
                LIVE.fetch_add(new_size, Relaxed);
                LIVE.fetch_sub(layout.size(), Relaxed);
            }
            p
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
#[global_allocator]
static ALLOCATOR: counting::Counting = counting::Counting;

fn main() {
    #[cfg(not(target_arch = "wasm32"))]
    {
        let only = std::env::args().nth(1);
        let run = |group: &str| only.as_deref().is_none_or(|o| o == group);
        let start = std::time::Instant::now();
        let now_ms = move || start.elapsed().as_secs_f64() * 1000.0;
        if run("log") {
            for m in kafkaplay_bench::run_all(&now_ms, 3) {
                println!("{}", m.line("native"));
            }
        }
        if run("cluster") || only.as_deref() == Some("scale") {
            // The scale case first, as in wasm, so that its memory baseline
            // comes before the other cluster's allocations.
            let live = || Some(counting::live_bytes());
            for m in kafkaplay_bench::cluster::scale(&now_ms, &live) {
                println!("{}", m.line("native"));
            }
        }
        if only.as_deref() == Some("create") {
            println!("create: {:.2} ms", kafkaplay_bench::cluster::create_once(&now_ms));
        }
        if run("cluster") {
            for m in kafkaplay_bench::cluster::speed(&now_ms, 2.0) {
                println!("{}", m.line("native"));
            }
        }
        if run("cluster") || only.as_deref() == Some("image") {
            for m in kafkaplay_bench::cluster::image(&now_ms) {
                println!("{}", m.line("native"));
            }
        }
        if run("groups") {
            for m in kafkaplay_bench::groups::consume(&now_ms) {
                println!("{}", m.line("native"));
            }
            for m in kafkaplay_bench::groups::rebalance(&now_ms) {
                println!("{}", m.line("native"));
            }
        }
    }
}
