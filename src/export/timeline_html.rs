//! The cooperation timeline as one self-contained HTML page: the chart of
//! [`timeline_svg`](super::timeline_svg) with zoom and an overview strip, a legend, a
//! detail panel for the selected event, and every event listed by year.
//!
//! Self-contained means: no network access, no external font, style sheet or script.
//! The page's Content-Security-Policy says so to the browser (`default-src 'none'`), and
//! allows exactly one script, the one in `timeline.js`, by its SHA-256 hash; a page whose
//! data smuggled in a script would have it blocked. Every string from the data is escaped.
//! Names are `<bdi>` and titles, offices and quotes carry `dir` (`rtl` for a source whose
//! language is written right to left, else `auto`), so Arabic runs right to left and stays
//! joined inside English text.

use super::timeline_svg::{
    escape, human_date, layout, legend_swatch, month_class, side_name, type_style, write_chart_body, Chart,
    ChartOptions, Extent, CHART_CSS, RIGHT_PAD,
};
use crate::query::{Contact, Timeline};
use std::fmt::Write as _;
use std::io::{self, Write};

const SCRIPT: &str = include_str!("timeline.js");

/// Events up to which the per-year lists start open; above, they start closed so that
/// the page opens on the chart and its overview.
const OPEN_LIST_LIMIT: usize = 200;

const PAGE_CSS: &str = "\
:root{color-scheme:light;}\
body{margin:0;font-family:\"DejaVu Sans\",\"Noto Sans\",\"Segoe UI\",Arial,sans-serif;color:#1f2933;background:#ffffff;font-size:14px;line-height:1.45;}\
header{padding:14px 20px 6px;}\
h1{font-size:20px;margin:0 0 4px;}\
.summary{margin:0;color:#52606d;}\
.note{margin:0;padding:0 20px 6px;color:#52606d;font-size:12px;}\
.bar-top{display:flex;flex-wrap:wrap;align-items:center;gap:8px 18px;padding:6px 20px;border-bottom:1px solid #d9e2ec;}\
.zoom button{font:inherit;padding:2px 10px;margin-right:4px;border:1px solid #9aa5b1;background:#f5f7fa;border-radius:4px;cursor:pointer;}\
.zoom span{color:#52606d;margin-left:4px;}\
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;margin:0;padding:0;list-style:none;}\
.legend li{display:flex;align-items:center;gap:5px;white-space:nowrap;}\
.legend .swatch{flex:none;}\
.legend .ext{display:inline-block;width:24px;height:10px;border-radius:3px;border:1.2px solid #52606d;}\
.legend .ext.uncertain{border-style:dashed;background:rgba(82,96,109,.14);}\
.legend .ext.duration{background:rgba(82,96,109,.45);}\
.legend .ext.link{width:0;height:16px;border:none;border-left:1.2px dotted #52606d;border-radius:0;}\
.overview-wrap{padding:6px 20px 0 220px;position:relative;}\
#overview{display:block;width:100%;height:26px;background:#f5f7fa;border:1px solid #d9e2ec;cursor:pointer;}\
#viewport{fill:#0072B2;fill-opacity:.12;stroke:#0072B2;stroke-width:1.5;vector-effect:non-scaling-stroke;}\
.overview-years{position:relative;height:16px;font-size:11px;color:#52606d;}\
.overview-years span{position:absolute;top:1px;white-space:nowrap;}\
.chart-wrap{display:flex;margin:8px 0 0;border-top:1px solid #d9e2ec;border-bottom:1px solid #d9e2ec;}\
.lane-labels{position:relative;flex:none;width:220px;background:#ffffff;border-right:1px solid #d9e2ec;}\
.lane-labels div{position:absolute;left:12px;right:8px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;}\
.lane-labels .side{font-weight:bold;}\
.lane-labels .group{font-size:11px;color:#334e68;text-transform:uppercase;letter-spacing:.04em;}\
.lane-labels .org{font-size:13px;}\
#scroll{flex:1;overflow-x:auto;overflow-y:hidden;}\
#chart{display:block;}\
.chart-svg .year-label.minor{display:none;}\
.chart-svg.all-years .year-label.minor{display:inline;}\
.chart-svg .event{cursor:pointer;outline:none;}\
.chart-svg .event:focus path.shape{stroke:#1f2933;stroke-width:2;}\
main{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:20px;padding:14px 20px 40px;}\
@media (max-width:1000px){main{grid-template-columns:minmax(0,1fr);}}\
#detail{position:sticky;top:8px;align-self:start;border:1px solid #d9e2ec;border-radius:6px;padding:10px 14px;background:#fbfcfd;max-height:90vh;overflow:auto;}\
#detail .hint{color:#52606d;margin:0;}\
#detail article.ev{border-top:none;padding-top:0;}\
#detail .show-on-chart{display:none;}\
h2{font-size:16px;margin:0 0 8px;}\
details{margin:0 0 10px;}\
summary{cursor:pointer;font-weight:bold;padding:2px 0;}\
summary .counts{font-weight:normal;color:#52606d;}\
article.ev{border-top:1px solid #e4e7eb;padding:8px 0 6px;}\
article.ev h3{font-size:14px;margin:0;display:flex;flex-wrap:wrap;align-items:center;gap:6px;}\
article.ev .key{font-size:11px;color:#7b8794;font-weight:normal;}\
article.ev .precision{font-size:11px;color:#52606d;font-weight:normal;}\
article.ev .title{margin:3px 0;}\
.who{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:4px 16px;}\
.who h4{margin:4px 0 2px;font-size:13px;color:#334e68;}\
.who ul{margin:0;padding:0 0 0 16px;}\
.role{color:#52606d;}\
.offices{font-size:12px;color:#52606d;}\
.domains{font-size:12px;color:#52606d;margin:4px 0;}\
.sources{margin:4px 0 0;padding:0;list-style:none;}\
blockquote{margin:4px 0;padding:6px 10px;border-inline-start:3px solid #9aa5b1;background:#f5f7fa;unicode-bidi:isolate;}\
blockquote:lang(ar){font-family:\"Noto Naskh Arabic\",\"Noto Sans Arabic\",\"DejaVu Sans\",\"Geeza Pro\",\"Segoe UI\",serif;font-size:15px;line-height:1.7;}\
.cite{font-size:12px;color:#52606d;margin:0;}\
.show-on-chart{font-size:12px;}\
";

/// Languages written right to left (primary subtags).
const RTL_LANGS: [&str; 10] = ["ar", "arc", "ckb", "dv", "fa", "he", "ps", "sd", "ur", "yi"];

/// A BCP 47 tag as given, if it looks like one (letters, digits, hyphens); else `None`,
/// so that a hostile `lang` never reaches an attribute.
fn lang_tag(lang: Option<&str>) -> Option<&str> {
    lang.filter(|l| !l.is_empty() && l.len() <= 35 && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
}

fn dir_of(lang: Option<&str>) -> &'static str {
    match lang.and_then(|l| l.split('-').next()) {
        Some(primary) if RTL_LANGS.contains(&primary.to_ascii_lowercase().as_str()) => "rtl",
        _ => "auto",
    }
}

/// A link only for http(s) URLs; anything else (`javascript:`, `data:`) stays text.
fn url_html(url: &str) -> String {
    let lower = url.trim_start().to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        format!(
            "<a href=\"{0}\" rel=\"noreferrer noopener\" target=\"_blank\" dir=\"ltr\">{0}</a>",
            escape(url)
        )
    } else {
        format!("<bdi>{}</bdi>", escape(url))
    }
}

/// The timeline as one self-contained HTML page.
pub fn timeline_html(t: &Timeline, opts: &ChartOptions, out: &mut dyn Write) -> io::Result<()> {
    let mut s = String::with_capacity(64 * 1024);
    let n = t.event_count();
    let title = format!("{} – {}: cooperation timeline", t.a.name, t.b.name);
    let chart = layout(t, opts);
    let _ = writeln!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\" dir=\"ltr\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{}'; img-src data:; base-uri 'none'; form-action 'none'\">\n<meta name=\"generator\" content=\"dipgraph {}\">\n<title>{}</title>\n<style>{PAGE_CSS}{CHART_CSS}</style>\n</head>\n<body>",
        base64(&sha256(SCRIPT.as_bytes())),
        env!("CARGO_PKG_VERSION"),
        escape(&title)
    );
    let span = match (&chart, first_last(t)) {
        (Some(_), Some((first, last))) if first == last => format!(", {first}"),
        (Some(_), Some((first, last))) => format!(", {first} to {last}"),
        _ => String::new(),
    };
    let _ = writeln!(
        s,
        "<header><h1><bdi>{}</bdi> – <bdi>{}</bdi>: cooperation timeline</h1><p class=\"summary\">{n} {}{}. Click a mark for who met whom, in which role and office, where, and on what source.</p></header>",
        escape(&t.a.name),
        escape(&t.b.name),
        if n == 1 { "contact" } else { "contacts" },
        escape(&span)
    );
    match &chart {
        None => {
            s.push_str("<main><p>No contacts match.</p></main>\n");
        }
        Some(chart) => {
            if !chart.labels {
                let _ = writeln!(
                    s,
                    "<p class=\"note\">With more than {} events the marks carry no names: point at a mark for them, or click it for everything.</p>",
                    super::timeline_svg::LABEL_LIMIT
                );
            }
            write_toolbar(chart, &mut s);
            write_overview(chart, &mut s);
            write_chart(chart, &mut s);
            s.push_str("<main>\n<section aria-labelledby=\"events-h\"><h2 id=\"events-h\">Events by year</h2><div id=\"events\">\n");
            write_events(chart, &mut s);
            s.push_str("</div></section>\n<aside id=\"detail\" aria-live=\"polite\"><p class=\"hint\">Select a mark on the chart, or “show on chart” below an event, to see it here.</p></aside>\n</main>\n");
        }
    }
    let _ = write!(s, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
    out.write_all(s.as_bytes())
}

/// The first and last period of the timeline, as stored ("2022-06", "2023").
fn first_last(t: &Timeline) -> Option<(String, String)> {
    Some((t.periods.first()?.period.clone(), t.periods.last()?.period.clone()))
}

fn write_toolbar(chart: &Chart, s: &mut String) {
    s.push_str("<div class=\"bar-top\"><div class=\"zoom\" role=\"group\" aria-label=\"Zoom\"><button type=\"button\" id=\"zoom-out\" title=\"Zoom out (-)\">−</button><button type=\"button\" id=\"zoom-in\" title=\"Zoom in (+)\">+</button><button type=\"button\" id=\"zoom-reset\" title=\"Back to 1× (0)\">Reset</button><span>zoom <span id=\"zoom-level\">1×</span></span></div><ul class=\"legend\" aria-label=\"Legend\">");
    for ty in &chart.types {
        let _ = write!(
            s,
            "<li>{}<span>{}</span></li>",
            legend_swatch(type_style(ty)),
            escape(&ty.replace('_', " "))
        );
    }
    for ext in [Extent::Point, Extent::Duration, Extent::Uncertain] {
        if !chart.extents.contains(&ext) {
            continue;
        }
        let (class, text) = match ext {
            Extent::Point => ("point", "shape alone: known to the day"),
            Extent::Duration => ("duration", "solid bar: from date to end date"),
            Extent::Uncertain => ("uncertain", "dashed bar: some time in that month or year"),
        };
        if ext == Extent::Point {
            let _ = write!(s, "<li><span>{text}</span></li>");
        } else {
            let _ = write!(s, "<li><span class=\"ext {class}\"></span><span>{text}</span></li>");
        }
    }
    s.push_str(
        "<li><span class=\"ext link\"></span><span>dotted line: one event, joining the sides</span></li></ul></div>\n",
    );
}

/// The overview: every event as a thin tick over the whole axis, the contacts per year,
/// and the part of the chart in view; a click there scrolls the chart.
fn write_overview(chart: &Chart, s: &mut String) {
    let days = chart.days;
    let _ = write!(
        s,
        "<div class=\"overview-wrap\"><svg id=\"overview\" viewBox=\"0 0 {days} 24\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"Overview of all contacts; click to scroll the chart\">"
    );
    let min_w = days / 600.0;
    for ev in &chart.events {
        let _ = write!(
            s,
            "<rect x=\"{:.2}\" y=\"3\" width=\"{:.2}\" height=\"18\" fill=\"{}\" fill-opacity=\"{}\"/>",
            ev.d0,
            ev.len.max(min_w),
            ev.style.colour,
            if ev.extent == Extent::Uncertain { "0.25" } else { "0.8" }
        );
    }
    let _ = write!(
        s,
        "<rect id=\"viewport\" x=\"0\" y=\"0.5\" width=\"{days}\" height=\"23\"/></svg><div class=\"overview-years\">"
    );
    // Contacts per year: the grouping that stays readable at any number of events.
    let mut per_year: Vec<(i32, usize)> = (chart.first_year..=chart.last_year).map(|y| (y, 0)).collect();
    for ev in &chart.events {
        let year = ev.event.contact.interval.0 / 10_000;
        if let Some(entry) = per_year.iter_mut().find(|(y, _)| *y as u32 == year) {
            entry.1 += 1;
        }
    }
    let years = per_year.len();
    let step = (years / 12).max(1);
    for (i, (year, count)) in per_year.iter().enumerate() {
        if i % step != 0 {
            continue;
        }
        let d = super::timeline_svg::day_number(*year as u32 * 10_000 + 101) - chart.day0;
        let _ = write!(
            s,
            "<span style=\"left:{:.3}%\">{year}: {count}</span>",
            d as f64 / days * 100.0
        );
    }
    s.push_str("</div></div>\n");
}

fn write_chart(chart: &Chart, s: &mut String) {
    let height = chart.height;
    s.push_str("<div class=\"chart-wrap\"><div class=\"lane-labels\" aria-hidden=\"true\">");
    for lane in &chart.lanes {
        // A side lane's label is the country; an organization lane's is the organization,
        // under its country's name on the first lane of each side.
        let (class, top) = match &lane.group {
            None => ("side", lane.y + 8.0),
            Some(group) => {
                if lane.first_of_side {
                    let _ = write!(
                        s,
                        "<div class=\"side group\" style=\"top:{:.1}px\"><bdi>{}</bdi></div>",
                        lane.y + 2.0,
                        escape(group)
                    );
                }
                ("org", lane.y + 17.0)
            }
        };
        let _ = write!(
            s,
            "<div class=\"{class}\" style=\"top:{top:.1}px\" title=\"{0}\"><bdi>{0}</bdi></div>",
            escape(&lane.label)
        );
    }
    s.push_str("</div><div id=\"scroll\">");
    let width = chart.plot_width() + RIGHT_PAD;
    let class = if chart.ppd * 365.25 >= 44.0 {
        format!("{} all-years", month_class(chart.px_per_month()))
    } else {
        month_class(chart.px_per_month()).to_string()
    };
    let _ = write!(
        s,
        "<svg id=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" class=\"{class}\" width=\"{width:.0}\" height=\"{height:.0}\" data-ppd=\"{}\" data-days=\"{}\" data-pad=\"{RIGHT_PAD}\" role=\"group\" aria-label=\"Timeline chart: one mark per event\">",
        chart.ppd, chart.days
    );
    write_chart_body(chart, 0.0, false, s);
    s.push_str("</svg></div></div>\n");
}

fn write_events(chart: &Chart, s: &mut String) {
    let open = chart.events.len() <= OPEN_LIST_LIMIT;
    let mut i = 0;
    while i < chart.events.len() {
        let year = chart.events[i].event.contact.interval.0 / 10_000;
        let end = chart.events[i..]
            .iter()
            .position(|e| e.event.contact.interval.0 / 10_000 != year)
            .map_or(chart.events.len(), |p| i + p);
        let mut by_type: Vec<(&str, usize)> = Vec::new();
        for ev in &chart.events[i..end] {
            let ty = ev.event.contact.event_type.as_str();
            match by_type.iter_mut().find(|(t, _)| *t == ty) {
                Some(entry) => entry.1 += 1,
                None => by_type.push((ty, 1)),
            }
        }
        let counts: Vec<String> = by_type
            .iter()
            .map(|(t, n)| format!("{} ({n})", t.replace('_', " ")))
            .collect();
        let _ = writeln!(
            s,
            "<details{}><summary>{year} <span class=\"counts\">— {} {}: {}</span></summary>",
            if open { " open" } else { "" },
            end - i,
            if end - i == 1 { "contact" } else { "contacts" },
            escape(&counts.join(", "))
        );
        for (k, ev) in chart.events[i..end].iter().enumerate() {
            write_article(chart.timeline, i + k, &ev.event.contact, ev.extent, s);
        }
        s.push_str("</details>\n");
        i = end;
    }
}

fn write_article(t: &Timeline, index: usize, c: &Contact, extent: Extent, s: &mut String) {
    let style = type_style(&c.event_type);
    let _ = write!(
        s,
        "<article class=\"ev\" id=\"e{index}\" data-event=\"{}\"><h3>{}<span class=\"date\">{}</span> <span class=\"type\">{}</span>",
        escape(&c.key),
        super::timeline_svg::legend_swatch(style),
        escape(&human_date(c)),
        escape(&c.event_type.replace('_', " "))
    );
    if let Some(l) = &c.location {
        let _ = write!(s, " <span class=\"place\">in <bdi>{}</bdi></span>", escape(&l.name));
    }
    if extent == Extent::Uncertain {
        s.push_str(" <span class=\"precision\">(date known only to the month or year)</span>");
    }
    let _ = write!(s, " <code class=\"key\">{}</code></h3>", escape(&c.key));
    if let Some(title) = &c.title {
        let _ = write!(s, "<p class=\"title\" dir=\"auto\">{}</p>", escape(title));
    }
    // Participants by side: A, B, then any other side, then those who stand for none.
    let mut sides: Vec<Option<&str>> = vec![Some(t.a.key.as_str()), Some(t.b.key.as_str())];
    for p in &c.participants {
        if !sides.contains(&p.side.as_deref()) {
            sides.push(p.side.as_deref());
        }
    }
    s.push_str("<div class=\"who\">");
    for side in sides {
        let ps: Vec<_> = c.participants.iter().filter(|p| p.side.as_deref() == side).collect();
        if ps.is_empty() {
            continue;
        }
        let heading = side.map_or("No side".to_string(), |k| side_name(t, k).to_string());
        let _ = write!(s, "<section><h4><bdi>{}</bdi></h4><ul>", escape(&heading));
        for p in ps {
            let _ = write!(
                s,
                "<li><bdi class=\"name\">{}</bdi> <span class=\"role\">({})</span>",
                escape(&p.name),
                escape(&p.role)
            );
            if !p.offices.is_empty() {
                s.push_str("<div class=\"offices\">");
                for (k, office) in p.offices.iter().enumerate() {
                    if k > 0 {
                        s.push_str("; ");
                    }
                    let _ = write!(s, "<bdi>{}</bdi>", escape(office));
                }
                s.push_str("</div>");
            }
            s.push_str("</li>");
        }
        s.push_str("</ul></section>");
    }
    s.push_str("</div>");
    if !c.domains.is_empty() {
        let _ = write!(s, "<p class=\"domains\">Domains: {}</p>", escape(&c.domains.join(", ")));
    }
    if !c.sources.is_empty() {
        s.push_str("<ul class=\"sources\">");
        for src in &c.sources {
            s.push_str("<li>");
            if let Some(q) = &src.quote {
                let lang = lang_tag(src.lang.as_deref());
                let lang_attr = lang.map(|l| format!(" lang=\"{l}\"")).unwrap_or_default();
                let _ = write!(
                    s,
                    "<blockquote{lang_attr} dir=\"{}\">{}</blockquote>",
                    dir_of(lang),
                    escape(q)
                );
            }
            let mut cite: Vec<String> = Vec::new();
            if let Some(doc) = &src.doc {
                cite.push(format!("<bdi>{}</bdi>", escape(doc)));
            }
            if let Some(url) = &src.url {
                cite.push(url_html(url));
            }
            if let Some(p) = &src.published {
                cite.push(format!("published {}", escape(p)));
            }
            if !cite.is_empty() {
                let _ = write!(s, "<p class=\"cite\">Source: {}</p>", cite.join(" · "));
            }
            s.push_str("</li>");
        }
        s.push_str("</ul>");
    }
    let _ = writeln!(
        s,
        "<a href=\"#m{index}\" class=\"show-on-chart\" data-index=\"{index}\">show on chart</a></article>"
    );
}

/// SHA-256 (FIPS 180-4), for the script's hash in the Content-Security-Policy.
fn sha256(data: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
        0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
        0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
        0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
        0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
        0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
        0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    ];
    let mut msg = data.to_vec();
    let bits = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bits.to_be_bytes());
    for block in msg.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16].wrapping_add(s0).wrapping_add(w[i - 7]).wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 32];
    for (chunk, word) in out.chunks_exact_mut(4).zip(h) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    out
}

/// Standard base64 with padding (RFC 4648), as CSP hash sources are written.
fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn sha256_matches_the_standard_vectors() {
        assert_eq!(
            hex(&sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        // Two blocks: 56 bytes of message force the length into a second block.
        assert_eq!(
            hex(&sha256(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
    }

    #[test]
    fn base64_pads_like_rfc_4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn only_http_links_become_links() {
        assert!(url_html("https://example.org/a?b=1&c=2").starts_with("<a href=\"https://example.org/a?b=1&amp;c=2\""));
        assert_eq!(url_html("javascript:alert(1)"), "<bdi>javascript:alert(1)</bdi>");
        assert_eq!(url_html("JaVaScRiPt:alert(1)"), "<bdi>JaVaScRiPt:alert(1)</bdi>");
    }

    #[test]
    fn quote_direction_follows_the_language() {
        assert_eq!(dir_of(lang_tag(Some("ar"))), "rtl");
        assert_eq!(dir_of(lang_tag(Some("ar-MA"))), "rtl");
        assert_eq!(dir_of(lang_tag(Some("de"))), "auto");
        assert_eq!(dir_of(lang_tag(None)), "auto");
        assert_eq!(lang_tag(Some("ar\" onclick=\"x")), None);
    }
}
