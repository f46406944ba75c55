//! A bump allocator for the Wasm module.
//!
//! Shopify instantiates the module for one run and throws it away, so memory is never worth
//! freeing: a bump allocation is a few instructions where dlmalloc's malloc and free cost
//! hundreds, and Shopify meters instructions. A run allocates a few hundred kilobytes at most
//! (200 lines), far inside the 10,000 kB memory limit; function-runner reports the peak.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;

const PAGE: usize = 65_536;

/// Hands out memory from the end of the module's linear memory and never takes it back.
pub struct BumpAllocator {
    /// Next free byte and end of the memory this allocator has grown; 0 before the first
    /// allocation.
    next: Cell<usize>,
    end: Cell<usize>,
}

impl BumpAllocator {
    /// An allocator that has grown no memory yet.
    pub const fn new() -> Self {
        Self { next: Cell::new(0), end: Cell::new(0) }
    }
}

// SAFETY: a Function module runs on one thread; wasm32-unknown-unknown has no threads.
unsafe impl Sync for BumpAllocator {}

// SAFETY: `alloc` returns blocks aligned as asked that do not overlap any live block, since
// `next` only moves forward, or null when memory cannot grow; freeing is a no-op.
unsafe impl GlobalAlloc for BumpAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        loop {
            let start = self.next.get().next_multiple_of(layout.align());
            if let Some(end) = start.checked_add(layout.size())
                && start != 0
                && end <= self.end.get()
            {
                self.next.set(end);
                return start as *mut u8;
            }
            // Enough fresh pages for the block at any alignment; the next pass takes it.
            let Some(pages) = layout.size().checked_add(layout.align()).map(|bytes| bytes.div_ceil(PAGE))
            else {
                return std::ptr::null_mut();
            };
            let previous = core::arch::wasm32::memory_grow(0, pages);
            if previous == usize::MAX {
                return std::ptr::null_mut();
            }
            let base = previous * PAGE;
            // Only this allocator grows memory, so pages follow the last ones, except the first
            // time, when they follow the module's static data and stack.
            if base != self.end.get() {
                self.next.set(base);
            }
            self.end.set(base + pages * PAGE);
        }
    }

    unsafe fn dealloc(&self, _pointer: *mut u8, _layout: Layout) {}

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // The last block grows in place; any other is copied to a new one.
        if pointer as usize + layout.size() == self.next.get() && new_size >= layout.size() {
            let end = pointer as usize + new_size;
            if end <= self.end.get() {
                self.next.set(end);
                return pointer;
            }
        }
        // SAFETY: `new_size` with the old alignment is a valid layout, as GlobalAlloc requires of
        // callers; the old block stays valid for the copy because nothing is ever freed.
        unsafe {
            let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
            let new_pointer = self.alloc(new_layout);
            if !new_pointer.is_null() {
                std::ptr::copy_nonoverlapping(pointer, new_pointer, layout.size().min(new_size));
            }
            new_pointer
        }
    }
}
