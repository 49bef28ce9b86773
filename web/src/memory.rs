//! The page's allocator: Rust's own wasm allocator (the `dlmalloc` crate,
//! which std uses on `wasm32-unknown-unknown`), with one change: the wasm
//! memory grows in large steps instead of by what each allocation lacks.
//!
//! Why: Chromium's V8 counts a wasm memory's size toward the heap limits
//! that start a major garbage collection of the page's JavaScript heap. A
//! running producer makes the memory grow steadily (the logs keep every
//! record: with `kafka-producer-perf-test` at 10,000 records/s on RF 3, about
//! 12 MB a second), and grown 64 KiB at a time, it crossed V8's limit about
//! once a second: a major collection every second, 5 to 9 ms of the main
//! thread in the frame it fell in (BENCHMARKS.md, *the page*). Grown in steps
//! proportional to its size, it crosses the limit once per step.
//!
//! The steps follow Emscripten's default (`MEMORY_GROWTH_GEOMETRIC_STEP`,
//! `MEMORY_GROWTH_GEOMETRIC_CAP`): a share of the current size with a cap, so
//! the memory that is grown but not yet used stays bounded. Pages grown but
//! not yet written are not backed by physical memory; they count only
//! toward the 4 GiB a wasm32 memory can address. When a large step cannot be
//! had (near that limit), the memory grows by what was asked, as before.

/// The step, as a share of the current size (Emscripten: 0.2).
const STEP_DIVISOR: usize = 2;
/// The step's cap (Emscripten: 96 MiB).
const STEP_CAP: usize = 96 << 20;
/// A wasm page.
const PAGE: usize = 64 << 10;

/// How many pages to grow a memory of `current` pages by, when an
/// allocation needs `needed` more: at least `needed`, and at least a step.
pub fn growth_pages(current: usize, needed: usize) -> usize {
    let step = (current * PAGE / STEP_DIVISOR).min(STEP_CAP) / PAGE;
    needed.max(step)
}

#[cfg(target_arch = "wasm32")]
mod wasm {
    use core::alloc::{GlobalAlloc, Layout};
    use core::arch::wasm32;
    use core::cell::UnsafeCell;
    use core::ptr;

    use dlmalloc::{Allocator, Dlmalloc};

    use super::{growth_pages, PAGE};

    /// The system half of dlmalloc: `memory.grow` in steps.
    struct SteppedGrowth;

    // SAFETY: the same contract as dlmalloc's own wasm `System` (which this
    // follows, but for the size): a region handed out is fresh memory
    // nobody else uses, zeroed, and never taken back.
    unsafe impl Allocator for SteppedGrowth {
        fn alloc(&self, size: usize) -> (*mut u8, usize, u32) {
            let needed = size.div_ceil(PAGE);
            let wanted = growth_pages(wasm32::memory_size(0), needed);
            let (prev, pages) = match wasm32::memory_grow(0, wanted) {
                usize::MAX if wanted > needed => (wasm32::memory_grow(0, needed), needed),
                prev => (prev, wanted),
            };
            if prev == usize::MAX {
                return (ptr::null_mut(), 0, 0);
            }
            let base = prev * PAGE;
            let size = pages * PAGE;
            // As in dlmalloc's `System`: a region that ends at the top of the
            // address space is handed out a little short, so no pointer
            // wraps around to 0.
            if base.wrapping_add(size) == 0 {
                return (base as *mut u8, size - 16, 0);
            }
            (base as *mut u8, size, 0)
        }

        fn remap(&self, _ptr: *mut u8, _old: usize, _new: usize, _can_move: bool) -> *mut u8 {
            ptr::null_mut()
        }

        fn free_part(&self, _ptr: *mut u8, _old: usize, _new: usize) -> bool {
            false
        }

        fn free(&self, _ptr: *mut u8, _size: usize) -> bool {
            false
        }

        fn can_release_part(&self, _flags: u32) -> bool {
            false
        }

        fn allocates_zeros(&self) -> bool {
            true
        }

        fn page_size(&self) -> usize {
            PAGE
        }
    }

    /// dlmalloc over [`SteppedGrowth`], as the global allocator.
    pub struct SteppedDlmalloc(UnsafeCell<Dlmalloc<SteppedGrowth>>);

    // SAFETY: the page's wasm has one thread (built without the `atomics`
    // feature), so no two calls ever overlap.
    unsafe impl Sync for SteppedDlmalloc {}

    #[global_allocator]
    static ALLOCATOR: SteppedDlmalloc = SteppedDlmalloc(UnsafeCell::new(Dlmalloc::new_with_allocator(SteppedGrowth)));

    // SAFETY: each call forwards to dlmalloc with the caller's guarantees;
    // one thread, so the `&mut` is never aliased.
    unsafe impl GlobalAlloc for SteppedDlmalloc {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            unsafe { (*self.0.get()).malloc(layout.size(), layout.align()) }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            unsafe { (*self.0.get()).free(ptr, layout.size(), layout.align()) }
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            unsafe { (*self.0.get()).calloc(layout.size(), layout.align()) }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            unsafe { (*self.0.get()).realloc(ptr, layout.size(), layout.align(), new_size) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memory_grows_by_a_share_of_its_size_with_a_cap_and_never_by_less_than_needed() {
        // A 1.7 MB memory (27 pages) that lacks one page grows by 13.
        assert_eq!(growth_pages(27, 1), 13);
        // 100 MiB grows by 50 MiB.
        assert_eq!(growth_pages(1600, 1), 800);
        // 1 GiB grows by the cap, 96 MiB.
        assert_eq!(growth_pages(16384, 1), 1536);
        // A large allocation gets what it needs.
        assert_eq!(growth_pages(27, 5000), 5000);
        assert_eq!(growth_pages(16384, 5000), 5000);
        // An empty memory grows by what is needed.
        assert_eq!(growth_pages(0, 2), 2);
    }
}
