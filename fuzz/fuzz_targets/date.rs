//! The partial-date parser. A date it accepts prints back as the same text, covers a
//! non-empty interval of real days, and parses again to itself.
#![no_main]

use dipgraph::model::PartialDate;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(date) = text.parse::<PartialDate>() else { return };
    assert_eq!(date.to_string(), text, "a date prints back as its text");
    assert!(date.start() <= date.end(), "{text}: interval is reversed");
    assert_eq!(date.to_string().parse::<PartialDate>().ok(), Some(date));
});
