//! The store's value codec on hostile bytes (a damaged or forged store file): decoding
//! must fail with a message, never allocate what a length prefix claims, never panic.
#![no_main]

use dipgraph::model::{Entity, Event, Relation};
use dipgraph::store::codec;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = codec::decode::<Entity>(data);
    let _ = codec::decode::<Relation>(data);
    let _ = codec::decode::<Event>(data);
});
