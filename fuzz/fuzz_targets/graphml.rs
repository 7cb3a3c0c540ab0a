//! The GraphML reader, with the built-in ontology: anything may be refused (with a
//! `FILE:LINE: FIELD: what` error); nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn vocab() -> &'static dipgraph::vocab::Vocab {
    static VOCAB: OnceLock<dipgraph::vocab::Vocab> = OnceLock::new();
    VOCAB.get_or_init(|| dipgraph::vocab::Vocab::embedded().expect("the built-in ontology loads"))
}

fuzz_target!(|data: &[u8]| {
    dipgraph::ingest::read_graphml(data, "fuzz.graphml", vocab(), &mut |_| {});
});
