//! The JSON Lines reader: one line through `parse_line` (its fast serde path, then the
//! precise path for anything the fast one declines), and the whole input through
//! `read_jsonl` with a small line limit, so that the over-long-line path runs too.
//! Anything may be refused; nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Line 1 accepts a byte-order mark, any other line refuses it: both paths.
    let _ = dipgraph::ingest::parse_line(data, 1);
    let _ = dipgraph::ingest::parse_line(data, 2);
    let mut lines = 0usize;
    dipgraph::ingest::read_jsonl(data, "fuzz.jsonl", 4096, &mut |_| lines += 1);
});
