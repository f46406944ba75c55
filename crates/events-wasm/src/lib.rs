//! The pixel's entry point into the normaliser. Strings in, strings out: the exported API has no
//! 64-bit integers (they would cross into JavaScript as `BigInt`), and JSON keeps the glue small.
//! Built `no_std` with its own allocator and panic handler, so neither `core::fmt` nor a general
//! allocator lands in the module: the pixel's budget is 40 KB.

#![cfg_attr(all(target_arch = "wasm32", not(test)), no_std)]

extern crate alloc;

use alloc::string::String;

use events::{Outcome, normalize_text};
use wasm_bindgen::prelude::wasm_bindgen;

/// Normalises one pixel event given as JSON. Answers `{"event": {…}}`, `{"ignored": "why"}` or
/// `{"error": "why"}`.
#[wasm_bindgen]
pub fn normalize(event: &str) -> String {
    let mut out = String::new();
    match normalize_text(event) {
        Ok(Outcome::Event(event)) => {
            out.push_str("{\"event\":");
            out.push_str(&event.to_json());
        }
        Ok(Outcome::Ignored(reason)) => {
            out.push_str("{\"ignored\":");
            events::json::write_string(&mut out, reason);
        }
        Err(error) => {
            out.push_str("{\"error\":");
            events::json::write_string(&mut out, &error.message());
        }
    }
    out.push('}');
    out
}

#[cfg(all(target_arch = "wasm32", not(test)))]
mod runtime {
    use core::alloc::{GlobalAlloc, Layout};
    use core::arch::wasm32;
    use core::cell::Cell;

    const PAGE: usize = 65_536;

    /// A bump allocator that starts over whenever nothing is allocated. Each call into the module
    /// frees everything it allocated once JavaScript has copied the answer out, so memory is reused
    /// from one event to the next and never fragments.
    struct Arena {
        start: Cell<usize>,
        next: Cell<usize>,
        live: Cell<usize>,
    }

    // SAFETY: the module runs on one thread, the pixel's worker (wasm32-unknown-unknown has no
    // threads), so the cells are never reached from two threads.
    unsafe impl Sync for Arena {}

    // SAFETY: `alloc` returns blocks aligned as asked, each past the last and past the memory the
    // module had when it first allocated, so no two live blocks overlap; or null when memory
    // cannot grow. Space is handed out again only when `live` says every block has been freed.
    unsafe impl GlobalAlloc for Arena {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            if self.start.get() == 0 {
                let end = wasm32::memory_size(0) * PAGE;
                self.start.set(end);
                self.next.set(end);
            }
            let at = (self.next.get() + layout.align() - 1) & !(layout.align() - 1);
            let Some(end) = at.checked_add(layout.size()) else { return core::ptr::null_mut() };
            let available = wasm32::memory_size(0) * PAGE;
            if end > available && wasm32::memory_grow(0, (end - available).div_ceil(PAGE)) == usize::MAX {
                return core::ptr::null_mut();
            }
            self.next.set(end);
            self.live.set(self.live.get() + 1);
            at as *mut u8
        }

        unsafe fn dealloc(&self, _pointer: *mut u8, _layout: Layout) {
            let live = self.live.get().saturating_sub(1);
            self.live.set(live);
            if live == 0 {
                self.next.set(self.start.get());
            }
        }
    }

    #[global_allocator]
    static ARENA: Arena = Arena { start: Cell::new(0), next: Cell::new(0), live: Cell::new(0) };

    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
        // The normaliser returns errors rather than panicking; this only ends the call.
        wasm32::unreachable()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_outcome_has_its_own_key() {
        let page = r#"{"name":"page_viewed","id":"e1","clientId":"c1","timestamp":"2026-11-20T10:00:00Z","data":{}}"#;
        assert!(normalize(page).starts_with(r#"{"event":{"kind":"page_view""#));
        let alert = r#"{"name":"alert_displayed","id":"e2","clientId":"c1","timestamp":"t","data":{}}"#;
        assert!(normalize(alert).starts_with(r#"{"ignored":"#));
        assert_eq!(normalize("nope"), r#"{"error":"not JSON (at byte 0)"}"#);
    }
}
