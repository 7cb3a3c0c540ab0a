//! The article extractor on any text, read as plain text and as HTML, with the embedded
//! lexicons and nothing known from a store: it may find nothing; it may not panic.
#![no_main]

use dipgraph::extract::{extract, Known, Options, Resources};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn resources() -> &'static Resources {
    static RES: OnceLock<Resources> = OnceLock::new();
    RES.get_or_init(|| Resources::load(None).expect("the embedded lexicons load"))
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let known = Known::default();
    for html in [false, true] {
        let opts = Options {
            html: Some(html),
            published: "2024-05-10".parse().ok(),
            ..Options::default()
        };
        let _ = extract(&text, "fuzz", &opts, &known, resources());
    }
});
