//! Issue 8: the timeline drawn as HTML and SVG, checked as files and in headless Chromium.
//!
//! The browser is Debian's `chromium` (installed by .ci/setup-chromium.sh). Chromium is
//! started with `--dump-dom`, which prints the DOM after the page's script has run, and
//! with `--enable-logging=stderr --v=0`, which prints every console message, whatever
//! its level, as a line containing `:CONSOLE`. The page writes nothing to the console, so
//! any such line is a failure: an uncaught exception, a blocked script (a stale CSP hash),
//! or a blocked network request (the page's CSP forbids every fetch). A control page
//! with a deliberate error checks that such lines really show up.

use crate::util::{dipgraph, repo, run, Run, TestStore, SAMPLE};
use std::path::Path;
use std::process::Command;

fn sample_store() -> TestStore {
    let s = TestStore::new("redb");
    s.import(&repo(SAMPLE)).ok();
    s
}

/// The DOM after load and the console lines of one page.
struct Page {
    dom: String,
    console: Vec<String>,
}

fn chromium() -> &'static str {
    let found = Command::new("chromium").arg("--version").output();
    match found {
        Ok(out) if out.status.success() => "chromium",
        _ => panic!(
            "chromium is not installed: run .ci/setup-chromium.sh (as root) to install Debian's chromium for the browser tests"
        ),
    }
}

fn load(file: &Path) -> Page {
    let profile = tempfile::tempdir().expect("profile dir");
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("file://{}", file.display()))
        .output()
        .expect("chromium runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "chromium failed: {stderr}");
    Page {
        dom: String::from_utf8_lossy(&out.stdout).into_owned(),
        console: stderr
            .lines()
            .filter(|l| l.contains(":CONSOLE"))
            .map(String::from)
            .collect(),
    }
}

/// Event marks in a chart: `<g class="event …">` elements.
fn marks(doc: &str) -> usize {
    doc.matches("<g class=\"event ").count()
}

fn timeline_json(s: &TestStore, a: &str, b: &str) -> serde_json::Value {
    serde_json::from_str(&s.run(&["timeline", a, b, "--format", "json"]).ok().stdout).expect("timeline json")
}

fn events_of(t: &serde_json::Value) -> Vec<&serde_json::Value> {
    t["periods"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["events"].as_array().unwrap())
        .collect()
}

#[test]
fn issue_8_html_timeline_in_chromium_has_one_mark_per_event_the_arabic_quote_and_no_console_output() {
    let s = sample_store();
    let t = timeline_json(&s, "MAR", "DEU");
    let events = events_of(&t);
    let file = s.dir.path().join("ma-de.html");
    let r = s
        .run(&[
            "timeline",
            "MAR",
            "DEU",
            "--format",
            "html",
            "-o",
            file.to_str().unwrap(),
        ])
        .ok();
    assert!(r.stdout.is_empty(), "with -o nothing goes to stdout");

    let page = load(&file);
    assert!(page.console.is_empty(), "console output:\n{}", page.console.join("\n"));
    assert!(
        page.dom.contains("data-ready=\"1\""),
        "the page's script did not run (is its CSP hash stale?)"
    );
    assert_eq!(marks(&page.dom), events.len());
    assert_eq!(events.len(), 4);
    let quote = events[0]["sources"][0]["quote"].as_str().unwrap();
    assert!(quote.starts_with("كما سبق أن عقدت لجنة أمنية مشتركة"), "{quote}");
    assert!(page.dom.contains(quote), "the Arabic quote is not in the DOM");
    assert!(
        page.dom.contains("<blockquote lang=\"ar\" dir=\"rtl\">كما سبق"),
        "Arabic quotes run right to left"
    );
    for e in &events {
        let key = e["key"].as_str().unwrap();
        assert!(page.dom.contains(&format!("data-event=\"{key}\"")), "no mark for {key}");
    }
}

#[test]
fn issue_8_console_detection_sees_errors_and_blocked_requests() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.html");
    std::fs::write(
        &file,
        "<!DOCTYPE html><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'\"><img src=\"http://example.invalid/x.png\"><script>console.error('boom'); missing();</script>",
    )
    .unwrap();
    let page = load(&file);
    let all = page.console.join("\n");
    assert!(all.contains("boom"), "{all}");
    assert!(all.contains("missing is not defined"), "{all}");
    assert!(all.contains("violates the following Content Security Policy"), "{all}");
}

#[test]
fn issue_8_hostile_names_and_quotes_stay_text_in_html_and_svg() {
    let s = sample_store();
    let hostile = s.file(
        "hostile.jsonl",
        concat!(
            r#"{"kind":"entity","key":"person:x","type":"person","name":"<img src=x onerror=console.error('pwned')>","country":"DEU"}"#,
            "\n",
            r#"{"kind":"event","key":"ev:hostile","type":"meeting","date":"2024-02-03","title":"</script><script>console.error('title')</script>","participants":[{"entity":"person:x","role":"participant"},{"entity":"person:hammouchi","role":"participant"}],"sources":[{"doc":"\"><svg onload=console.error('doc')>","url":"javascript:console.error('url')","quote":"«حموشي» & <b>bold</b> \u0001","lang":"ar\" onmouseover=\"x"}]}"#,
            "\n"
        ),
    );
    s.import(&hostile).ok();
    let html = s.dir.path().join("hostile.html");
    s.run(&[
        "timeline",
        "MAR",
        "DEU",
        "--format",
        "html",
        "-o",
        html.to_str().unwrap(),
    ])
    .ok();
    let page = load(&html);
    assert!(page.console.is_empty(), "console output:\n{}", page.console.join("\n"));
    assert_eq!(marks(&page.dom), 5);
    assert!(page.dom.contains("&lt;img src=x onerror=console.error('pwned')&gt;"));
    assert!(!page.dom.contains("<img src=\"x\""));
    assert!(
        !page.dom.contains("href=\"javascript:"),
        "only http(s) URLs become links"
    );
    assert!(!page.dom.contains("onmouseover"), "a hostile lang is dropped");

    let svg = s.run(&["timeline", "MAR", "DEU", "--format", "svg"]).ok().stdout;
    well_formed(&svg);
    assert_eq!(marks(&svg), 5);
    assert!(svg.contains("&lt;img src=x"));
    assert!(!svg.contains('\u{1}'), "a control character would make the XML invalid");
}

/// Parse the whole document: a malformed SVG is an error.
#[track_caller]
fn well_formed(xml: &str) {
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed XML at {}: {e}", reader.buffer_position()),
        }
    }
}

#[test]
fn issue_8_svg_timeline_is_one_standalone_file_with_tooltips() {
    let s = sample_store();
    let r = s.run(&["timeline", "Morocco", "Germany", "--format", "svg"]).ok();
    let svg = &r.stdout;
    well_formed(svg);
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert_eq!(marks(svg), 4);
    assert!(!svg.contains("<script"), "the SVG has no script");
    assert!(!svg.contains("href="), "the SVG refers to nothing outside itself");
    // Tooltips: who (with roles, names isolated for bidi), where, and the quote.
    assert!(
        svg.contains("Germany\u{2069}: \u{2068}Dieter Romann\u{2069} (visitor)"),
        "{svg}"
    );
    assert!(svg.contains(" · \u{2068}Rabat\u{2069}"));
    assert!(svg.contains("\u{2068}وتم استئناف التعاون"));
    // Month- and year-precision events are spans; day events are points.
    assert_eq!(svg.matches("<g class=\"event uncertain\"").count(), 2);
    assert_eq!(svg.matches("<g class=\"event point\"").count(), 2);
    for legend in ["committee meeting", "meeting", "visit", "dashed bar"] {
        assert!(svg.contains(&format!(">{legend}")), "legend lacks {legend}");
    }

    let org = s
        .run(&["timeline", "MAR", "DEU", "--format", "svg", "--lanes", "organizations"])
        .ok()
        .stdout;
    well_formed(&org);
    for lane in ["German Federal Police", "General Directorate of Nation…", "MOROCCO"] {
        assert!(
            org.contains(&format!("\u{2068}{lane}\u{2069}</text>")),
            "no lane {lane}"
        );
    }
}

#[test]
fn issue_8_output_file_is_atomic_and_readable_and_lanes_need_a_chart() {
    let s = sample_store();
    let file = s.dir.path().join("t.html");
    std::fs::write(&file, "old").unwrap();
    s.run(&[
        "timeline",
        "MAR",
        "DEU",
        "--format",
        "html",
        "--output",
        file.to_str().unwrap(),
    ])
    .ok();
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("default-src 'none'"), "the CSP forbids every fetch");
    let text = s.dir.path().join("t.txt");
    s.run(&["timeline", "MAR", "DEU", "-o", text.to_str().unwrap()]).ok();
    assert!(std::fs::read_to_string(&text)
        .unwrap()
        .starts_with("Morocco – Germany: 4 contacts"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&text).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode, 0o644,
            "a new report is readable by others, unlike the temporary file"
        );
    }
    // A directory that does not exist: an error, and nothing left behind.
    let bad = s.dir.path().join("no/such/dir/t.svg");
    s.run(&["timeline", "MAR", "DEU", "--format", "svg", "-o", bad.to_str().unwrap()])
        .fails_with(4);
    let r: Run = s
        .run(&["timeline", "MAR", "DEU", "--lanes", "organizations"])
        .fails_with(2);
    assert!(
        r.stderr.contains("--lanes applies to --format html and svg"),
        "{}",
        r.stderr
    );
}

#[test]
fn issue_8_a_thousand_events_stay_bounded_and_load_without_errors() {
    let s = sample_store();
    let types = ["visit", "meeting", "talks", "committee_meeting", "phone_call"];
    let roles = [
        ("visitor", "host"),
        ("participant", "participant"),
        ("participant", "participant"),
        ("member", "member"),
        ("participant", "participant"),
    ];
    let mut lines = String::new();
    for i in 0..1000u32 {
        let k = (i % 5) as usize;
        // Spread over eleven years, with every 7th event known only to the month and every
        // 50th only to the year; many share a day, as summits do.
        let (y, m, d) = (2014 + i % 11, 1 + (i * 7) % 12, 1 + (i % 9) * 3);
        let date = if i % 50 == 0 {
            format!("{y}")
        } else if i % 7 == 0 {
            format!("{y}-{m:02}")
        } else {
            format!("{y}-{m:02}-{d:02}")
        };
        lines.push_str(&format!(
            r#"{{"kind":"event","key":"ev:n{i}","type":"{}","date":"{date}","participants":[{{"entity":"person:romann","role":"{}"}},{{"entity":"person:hammouchi","role":"{}"}}],"sources":[{{"doc":"synthetic","quote":"اجتماع رقم {i}","lang":"ar"}}]}}"#,
            types[k], roles[k].0, roles[k].1
        ));
        lines.push('\n');
    }
    let f = s.file("many.jsonl", lines);
    s.import(&f).ok();
    let n = events_of(&timeline_json(&s, "MAR", "DEU")).len();
    assert_eq!(n, 1004);

    let svg = s.run(&["timeline", "MAR", "DEU", "--format", "svg"]).ok().stdout;
    well_formed(&svg);
    assert_eq!(marks(&svg), n);
    // Rows per lane are capped, so the chart's height does not grow with the events.
    let height: f64 = svg
        .split("height=\"")
        .nth(1)
        .and_then(|h| h.split('"').next())
        .and_then(|h| h.parse().ok())
        .expect("svg height");
    assert!(height <= 600.0, "the chart is {height}px high");

    let html = s.dir.path().join("many.html");
    dipgraph_html(&s, &html);
    let page = load(&html);
    assert!(page.console.is_empty(), "console output:\n{}", page.console.join("\n"));
    assert_eq!(marks(&page.dom), n);
    assert!(page.dom.contains("data-ready=\"1\""));
    // Grouped by year, and the groups start closed at this size.
    assert_eq!(page.dom.matches("<details>").count(), 11);
    assert!(page.dom.contains("2014: "), "the overview counts contacts per year");
}

fn dipgraph_html(s: &TestStore, file: &Path) {
    run(dipgraph()
        .current_dir(repo(""))
        .arg("--db")
        .arg(&s.path)
        .args(["timeline", "MAR", "DEU", "--format", "html", "-o"])
        .arg(file))
    .ok();
}
