//! The cooperation timeline as a chart: a time axis with year and month ticks, one lane per
//! side (or per organization within each side), and one mark per event. This module lays
//! the chart out and writes it as a standalone SVG; `timeline_html` embeds the same chart
//! in an interactive page.
//!
//! The renderers take a [`Timeline`], never a store. Every string from the data is escaped
//! (`&<>"'`, and characters that XML cannot carry become U+FFFD), so untrusted names,
//! titles and quotes stay text. Names and quotes may be Arabic: in SVG text and tooltips
//! each name is wrapped in U+2068 FIRST STRONG ISOLATE … U+2069 POP DIRECTIONAL ISOLATE,
//! the plain-text form of `dir="auto"`, so that it runs right to left inside a
//! left-to-right label without reordering its neighbours.
//!
//! Layout invariants:
//! - x is linear in days: day `d` (days since the axis start, 1 January of the first
//!   year) is at `d * ppd`. A point event sits at the middle of its day; a month- or
//!   year-precision event, or one with an end date, is a bar over its whole interval.
//! - Rows are packed at zoom 1 and stay free of overlaps at every larger zoom, because
//!   zooming in only moves marks apart; the HTML page therefore never zooms out below 1.
//! - A lane has at most [`MAX_ROWS`] rows; past that, marks share the row that frees up
//!   first, so 1,000 events on one day still make a bounded chart.

use crate::model::{PartialDate, Precision};
use crate::query::{ContactParticipant, Timeline, TimelineEvent};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{self, Write};

/// Which lanes the chart has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LaneMode {
    /// One lane per side: country A, then country B.
    #[default]
    Sides,
    /// Within each side, one lane per organization that took part (a person is drawn in
    /// the lanes of the organizations where it held an office at the event's date, or in a
    /// lane of its own if it held none).
    Organizations,
}

/// Options of the chart renderers.
#[derive(Debug, Clone, Copy, Default)]
pub struct ChartOptions {
    pub lanes: LaneMode,
}

/// Plot width at zoom 1 when the events are few.
const FIT_WIDTH: f64 = 1100.0;
/// Horizontal room per event at zoom 1: many events widen the plot rather than pile up.
const PX_PER_EVENT: f64 = 10.0;
/// No plot wider than this at zoom 1 (the HTML page zooms in from there).
const MAX_WIDTH: f64 = 40_000.0;
/// Mark labels (who, in which role) are drawn only up to this many events; above, the
/// chart shows marks alone and the tooltips and the detail panel carry the names.
pub(crate) const LABEL_LIMIT: usize = 150;
/// Rows per lane at most.
pub(crate) const MAX_ROWS: usize = 8;
const ROW_H: f64 = 22.0;
const LANE_PAD: f64 = 8.0;
pub(crate) const AXIS_H: f64 = 46.0;
/// Left gutter for lane labels in the standalone SVG (the HTML page has an HTML column).
const GUTTER: f64 = 230.0;
/// Room right of the plot, so that a label of the last event is not cut.
pub(crate) const RIGHT_PAD: f64 = 24.0;
/// Width of a point mark's shape.
const MARK: f64 = 12.0;
/// Characters of a mark label at most.
const LABEL_CHARS: usize = 34;
/// Estimated advance of one character at the label size (11px sans-serif).
const CHAR_W: f64 = 6.3;
/// Characters of a quote in a tooltip at most (the detail panel shows all of it).
const TOOLTIP_QUOTE_CHARS: usize = 280;

/// How an event's date is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Extent {
    /// Known to the day, one day long.
    Point,
    /// Known to the day at both ends, several days long: a solid bar.
    Duration,
    /// Known only to the month or the year (at either end): a dashed bar over the whole
    /// period, meaning "some time within", not "all along".
    Uncertain,
}

/// Shape and colour of an event type. Types outside the table get a circle in a colour
/// derived from the type's name, so a type keeps its colour from one export to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TypeStyle {
    pub shape: Shape,
    pub colour: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    Circle,
    Square,
    Diamond,
    TriangleUp,
    TriangleDown,
    Star,
    Plus,
    Ring,
    Hexagon,
}

/// Colour-blind-safe colours (Okabe–Ito, plus darker tones); shapes tell types apart too.
const TYPE_STYLES: [(&str, Shape, &str); 9] = [
    ("visit", Shape::Circle, "#0072B2"),
    ("meeting", Shape::Square, "#D55E00"),
    ("talks", Shape::Diamond, "#009E73"),
    ("committee_meeting", Shape::TriangleUp, "#CC79A7"),
    ("phone_call", Shape::TriangleDown, "#3A9AD9"),
    ("agreement", Shape::Star, "#B8860B"),
    ("training", Shape::Plus, "#6B4C9A"),
    ("appointment", Shape::Ring, "#555555"),
    ("statement", Shape::Hexagon, "#8C510A"),
];
const FALLBACK_COLOURS: [&str; 6] = ["#4D4D4D", "#1B7837", "#762A83", "#B2182B", "#2166AC", "#8C6D31"];

pub(crate) fn type_style(event_type: &str) -> TypeStyle {
    match TYPE_STYLES.iter().find(|(t, _, _)| *t == event_type) {
        Some(&(_, shape, colour)) => TypeStyle { shape, colour },
        None => {
            // FNV-1a: stable across runs and platforms, unlike the std hasher.
            let h = event_type
                .bytes()
                .fold(0x811c_9dc5u32, |h, b| (h ^ b as u32).wrapping_mul(0x0100_0193));
            TypeStyle {
                shape: Shape::Circle,
                colour: FALLBACK_COLOURS[h as usize % FALLBACK_COLOURS.len()],
            }
        }
    }
}

/// The SVG path of a shape of width [`MARK`], centred on (0, 0).
pub(crate) fn shape_path(shape: Shape) -> &'static str {
    match shape {
        Shape::Circle => "M-6,0a6,6 0 1,0 12,0a6,6 0 1,0 -12,0Z",
        Shape::Ring => "M-6,0a6,6 0 1,0 12,0a6,6 0 1,0 -12,0ZM-3,0a3,3 0 1,1 6,0a3,3 0 1,1 -6,0Z",
        Shape::Square => "M-5.5,-5.5H5.5V5.5H-5.5Z",
        Shape::Diamond => "M0,-7L7,0L0,7L-7,0Z",
        Shape::TriangleUp => "M0,-6.5L6.5,5.5H-6.5Z",
        Shape::TriangleDown => "M0,6.5L6.5,-5.5H-6.5Z",
        Shape::Star => "M0,-7L1.9,-2.3L6.7,-2.2L2.9,0.9L4.2,5.7L0,2.9L-4.2,5.7L-2.9,0.9L-6.7,-2.2L-1.9,-2.3Z",
        Shape::Plus => "M-2,-6.5H2V-2H6.5V2H2V6.5H-2V2H-6.5V-2H-2Z",
        Shape::Hexagon => "M-3.5,-6H3.5L7,0L3.5,6H-3.5L-7,0Z",
    }
}

/// `s` escaped for XML and HTML text and attribute values. Characters that XML 1.0 cannot
/// carry at all (C0 controls other than tab and newlines, U+FFFE, U+FFFF) become U+FFFD,
/// so that hostile input cannot make the SVG unparsable.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// `s` isolated for bidirectional text: the plain-text equivalent of `<bdi>`.
pub(crate) fn isolate(s: &str) -> String {
    format!("\u{2068}{s}\u{2069}")
}

/// At most `n` characters of `s`, with "…" when cut.
pub(crate) fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Days since 1970-01-01 of a `yyyymmdd` day (proleptic Gregorian).
pub(crate) fn day_number(day: u32) -> i64 {
    let (y, m, d) = ((day / 10_000) as i64, ((day / 100) % 100) as i64, (day % 100) as i64);
    // Howard Hinnant's days_from_civil: years start in March so that leap days come last.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn extent(c: &crate::query::Contact) -> Extent {
    let precision = |s: &str| s.parse::<PartialDate>().map(|d| d.precision()).ok();
    let start = precision(&c.date);
    let end = c.end_date.as_deref().map(precision);
    let exact = |p: Option<Precision>| p == Some(Precision::Day);
    match end {
        None if exact(start) => Extent::Point,
        Some(e) if exact(start) && exact(e) => {
            if c.interval.0 == c.interval.1 {
                Extent::Point
            } else {
                Extent::Duration
            }
        }
        _ => Extent::Uncertain,
    }
}

/// One lane: a side, or an organization (or a person without an office) within a side.
#[derive(Debug, Clone)]
pub(crate) struct Lane {
    /// The side's country key.
    pub side: String,
    /// Display label: the country's name, or the organization's.
    pub label: String,
    /// For organization lanes, the side's name (drawn as a group heading).
    pub group: Option<String>,
    /// Whether this lane starts a side's group.
    pub first_of_side: bool,
    pub rows: usize,
    /// Top of the lane, from the top of the chart.
    pub y: f64,
    pub height: f64,
}

/// An event's mark in one lane.
#[derive(Debug, Clone)]
pub(crate) struct LaneMark {
    pub lane: usize,
    pub row: usize,
    /// Who took part through this lane, shortened; empty when labels are off.
    pub label: String,
    /// Centre of the mark's row, from the top of the chart.
    pub y: f64,
}

/// All of one event's drawing.
#[derive(Debug, Clone)]
pub(crate) struct EventLayout<'t> {
    pub event: &'t TimelineEvent,
    /// Start, in days from the axis start.
    pub d0: f64,
    /// Length in days (1 for a point event).
    pub len: f64,
    pub extent: Extent,
    pub style: TypeStyle,
    pub marks: Vec<LaneMark>,
}

/// The laid-out chart.
#[derive(Debug, Clone)]
pub(crate) struct Chart<'t> {
    pub timeline: &'t Timeline,
    /// The first year on the axis; the axis starts on its 1 January.
    pub first_year: i32,
    /// The last year on the axis; the axis ends on its 31 December.
    pub last_year: i32,
    /// Day number of the axis start.
    pub day0: i64,
    /// Days on the axis.
    pub days: f64,
    /// Pixels per day at zoom 1.
    pub ppd: f64,
    pub lanes: Vec<Lane>,
    pub events: Vec<EventLayout<'t>>,
    /// Height of the plot: axis and lanes.
    pub height: f64,
    pub labels: bool,
    /// The event types that occur, known types in the order of [`TYPE_STYLES`].
    pub types: Vec<String>,
    /// Which extents occur (for the legend).
    pub extents: Vec<Extent>,
}

impl Chart<'_> {
    /// Width of the plot at zoom 1, without gutter.
    pub fn plot_width(&self) -> f64 {
        self.days * self.ppd
    }

    /// x of a day offset at zoom 1.
    pub fn x(&self, d: f64) -> f64 {
        d * self.ppd
    }

    /// Day offsets of each 1 January and of each month start on the axis:
    /// (offset, year, month 1..=12).
    pub fn month_starts(&self) -> Vec<(f64, i32, u32)> {
        let mut out = Vec::new();
        for y in self.first_year..=self.last_year {
            for m in 1..=12u32 {
                let d = day_number(y as u32 * 10_000 + m * 100 + 1) - self.day0;
                out.push((d as f64, y, m));
            }
        }
        out
    }

    /// Pixels per month at zoom 1.
    pub fn px_per_month(&self) -> f64 {
        self.ppd * 30.44
    }
}

/// Who of `side` took part in the event, each name with its role.
fn side_participants<'c>(c: &'c crate::query::Contact, side: &str) -> Vec<&'c ContactParticipant> {
    c.participants
        .iter()
        .filter(|p| p.side.as_deref() == Some(side))
        .collect()
}

/// A mark label: the first participant "Name (role)", and "+N" for the others.
fn label_of(ps: &[&ContactParticipant]) -> String {
    match ps.split_first() {
        None => String::new(),
        Some((p, rest)) => {
            let more = if rest.is_empty() {
                String::new()
            } else {
                format!(" +{}", rest.len())
            };
            let room = LABEL_CHARS.saturating_sub(p.role.chars().count() + 3 + more.chars().count());
            format!("{} ({}){more}", isolate(&shorten(&p.name, room.max(8))), p.role)
        }
    }
}

/// The width a label takes, estimated from its length (isolate marks take no room).
fn label_width(label: &str) -> f64 {
    let n = label.chars().filter(|c| !matches!(c, '\u{2068}' | '\u{2069}')).count();
    if n == 0 {
        0.0
    } else {
        n as f64 * CHAR_W + 8.0
    }
}

/// Lay the timeline out. `None` when it has no events (nothing to put on an axis).
pub(crate) fn layout<'t>(t: &'t Timeline, opts: &ChartOptions) -> Option<Chart<'t>> {
    let events: Vec<&TimelineEvent> = t.periods.iter().flat_map(|p| &p.events).collect();
    let first = events.iter().map(|e| e.contact.interval.0).min()?;
    let last = events.iter().map(|e| e.contact.interval.1).max()?;
    let (first_year, last_year) = ((first / 10_000) as i32, (last / 10_000) as i32);
    let day0 = day_number(first_year as u32 * 10_000 + 101);
    let days = (day_number(last_year as u32 * 10_000 + 1231) - day0 + 1) as f64;
    let width = (FIT_WIDTH.max(PX_PER_EVENT * events.len() as f64)).min(MAX_WIDTH);
    let ppd = width / days;
    let labels = events.len() <= LABEL_LIMIT;

    // Lanes, and for each event the lanes it touches with the participants drawn there.
    let sides = [(&t.a.key, &t.a.name), (&t.b.key, &t.b.name)];
    let mut lanes: Vec<Lane> = Vec::new();
    let mut lane_of: HashMap<(String, String), usize> = HashMap::new();
    let mut touches: Vec<Vec<(usize, Vec<&ContactParticipant>)>> = Vec::with_capacity(events.len());
    let actors: HashMap<&str, &crate::query::TimelineActor> = t.actors.iter().map(|a| (a.key.as_str(), a)).collect();
    // In organization mode lanes are made in order of first appearance, per side; build
    // per side so that all of A's lanes come before B's.
    let mut per_event: Vec<Vec<(String, String, String, &ContactParticipant)>> = Vec::with_capacity(events.len());
    for e in &events {
        let c = &e.contact;
        let mut hits = Vec::new();
        for (side, side_name) in sides {
            for p in side_participants(c, side) {
                match opts.lanes {
                    LaneMode::Sides => hits.push((side.clone(), side.clone(), side_name.clone(), p)),
                    LaneMode::Organizations => {
                        for (key, name) in organizations_of(p, c, &actors) {
                            hits.push((side.clone(), key, name, p));
                        }
                    }
                }
            }
        }
        per_event.push(hits);
    }
    for (side, side_name) in sides {
        let mut first_of_side = true;
        for hits in &per_event {
            for (s, key, name, _) in hits {
                if s != side || lane_of.contains_key(&(s.clone(), key.clone())) {
                    continue;
                }
                lane_of.insert((s.clone(), key.clone()), lanes.len());
                lanes.push(Lane {
                    side: s.clone(),
                    label: name.clone(),
                    group: (opts.lanes == LaneMode::Organizations).then(|| side_name.clone()),
                    first_of_side,
                    rows: 1,
                    y: 0.0,
                    height: 0.0,
                });
                first_of_side = false;
            }
        }
    }
    for hits in &per_event {
        let mut by_lane: Vec<(usize, Vec<&ContactParticipant>)> = Vec::new();
        for (s, key, _, p) in hits {
            let lane = lane_of[&(s.clone(), key.clone())];
            match by_lane.iter_mut().find(|(l, _)| *l == lane) {
                Some((_, ps)) => {
                    if !ps.iter().any(|q| q.key == p.key) {
                        ps.push(p)
                    }
                }
                None => by_lane.push((lane, vec![*p])),
            }
        }
        by_lane.sort_by_key(|(l, _)| *l);
        touches.push(by_lane);
    }

    // Pack rows per lane, greedily in date order.
    let mut row_ends: Vec<Vec<f64>> = vec![Vec::new(); lanes.len()];
    let mut laid: Vec<EventLayout> = Vec::with_capacity(events.len());
    let mut types: Vec<String> = Vec::new();
    let mut extents: Vec<Extent> = Vec::new();
    for (e, touched) in events.iter().zip(touches) {
        let c = &e.contact;
        let d0 = (day_number(c.interval.0) - day0) as f64;
        let len = (day_number(c.interval.1) - day_number(c.interval.0) + 1) as f64;
        let ext = extent(c);
        if !types.contains(&c.event_type) {
            types.push(c.event_type.clone());
        }
        if !extents.contains(&ext) {
            extents.push(ext);
        }
        let (x0, body) = match ext {
            Extent::Point => ((d0 + 0.5) * ppd - MARK / 2.0, MARK),
            _ => (d0 * ppd, (len * ppd).max(MARK)),
        };
        let mut marks = Vec::with_capacity(touched.len());
        for (lane, ps) in touched {
            let mut label = if labels { label_of(&ps) } else { String::new() };
            // A planned, cancelled or denied event says so beside its (hollow) mark,
            // whether or not marks carry names.
            if !c.status.is_reported() {
                label = match label.is_empty() {
                    true => c.status.to_string(),
                    false => format!("{} · {label}", c.status),
                };
            }
            let x1 = x0 + body.max(MARK + label_width(&label)) + 4.0;
            let ends = &mut row_ends[lane];
            let row = match ends.iter().position(|&end| end <= x0) {
                Some(r) => r,
                None if ends.len() < MAX_ROWS => {
                    ends.push(f64::MIN);
                    ends.len() - 1
                }
                None => {
                    // Full: share the row that frees up first.
                    let mut best = 0;
                    for (i, &end) in ends.iter().enumerate() {
                        if end < ends[best] {
                            best = i;
                        }
                    }
                    best
                }
            };
            ends[row] = ends[row].max(x1);
            marks.push(LaneMark {
                lane,
                row,
                label,
                y: 0.0,
            });
        }
        laid.push(EventLayout {
            event: e,
            d0,
            len,
            extent: ext,
            style: type_style(&c.event_type),
            marks,
        });
    }

    // The legend lists types in the table's order, then unknown ones by name.
    types.sort_by_key(|t| {
        let known = TYPE_STYLES.iter().position(|(name, _, _)| name == t);
        (known.unwrap_or(TYPE_STYLES.len()), t.clone())
    });
    let mut y = AXIS_H;
    for (lane, ends) in lanes.iter_mut().zip(&row_ends) {
        lane.rows = ends.len().max(1);
        lane.y = y;
        lane.height = lane.rows as f64 * ROW_H + 2.0 * LANE_PAD;
        y += lane.height;
    }
    for ev in &mut laid {
        for m in &mut ev.marks {
            let lane = &lanes[m.lane];
            m.y = lane.y + LANE_PAD + (m.row as f64 + 0.5) * ROW_H;
        }
    }
    Some(Chart {
        timeline: t,
        first_year,
        last_year,
        day0,
        days,
        ppd,
        lanes,
        events: laid,
        height: y,
        labels,
        types,
        extents,
    })
}

/// The lanes a participant is drawn in, in organization mode: (key, label) pairs.
fn organizations_of(
    p: &ContactParticipant,
    c: &crate::query::Contact,
    actors: &HashMap<&str, &crate::query::TimelineActor>,
) -> Vec<(String, String)> {
    if p.entity_type != "person" {
        return vec![(p.key.clone(), p.name.clone())];
    }
    let mut out: Vec<(String, String)> = Vec::new();
    if let Some(actor) = actors.get(p.key.as_str()) {
        for pos in &actor.positions {
            let span = crate::model::day_window(pos.since.as_ref(), pos.until.as_ref());
            if crate::model::overlaps(span, c.interval) && !out.iter().any(|(k, _)| *k == pos.organization.key) {
                out.push((pos.organization.key.clone(), pos.organization.name.clone()));
            }
        }
    }
    if out.is_empty() {
        out.push((p.key.clone(), p.name.clone()));
    }
    out
}

/// A human date range: "10 Jun 2022", "Jun 2022", "2023", or "… – …" with an end date.
pub(crate) fn human_date(c: &crate::query::Contact) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let one = |s: &str| match s.parse::<PartialDate>() {
        Ok(d) => match (d.month_part(), d.day_part()) {
            (Some(m), Some(day)) => format!("{day} {} {}", MONTHS[m as usize - 1], d.year_part()),
            (Some(m), None) => format!("{} {}", MONTHS[m as usize - 1], d.year_part()),
            _ => format!("{}", d.year_part()),
        },
        Err(_) => s.to_string(),
    };
    match &c.end_date {
        Some(end) => format!("{} – {}", one(&c.date), one(end)),
        None => one(&c.date),
    }
}

/// The name of a side key: A's or B's name, else the key itself.
pub(crate) fn side_name<'a>(t: &'a Timeline, key: &'a str) -> &'a str {
    if key == t.a.key {
        &t.a.name
    } else if key == t.b.key {
        &t.b.name
    } else {
        key
    }
}

/// The plain-text tooltip of an event: date, type, place, title, who (by side, with roles),
/// and each source's quote, shortened.
pub(crate) fn tooltip(t: &Timeline, e: &TimelineEvent) -> String {
    let c = &e.contact;
    let mut s = format!("{} · {}", human_date(c), c.event_type.replace('_', " "));
    if !c.status.is_reported() {
        let _ = write!(s, " · {}", c.status);
    }
    if let Some(l) = &c.location {
        let _ = write!(s, " · {}", isolate(&l.name));
    }
    if let Some(title) = &c.title {
        let _ = write!(s, "\n{}", isolate(title));
    }
    let mut sides: Vec<Option<&str>> = Vec::new();
    for p in &c.participants {
        if !sides.contains(&p.side.as_deref()) {
            sides.push(p.side.as_deref());
        }
    }
    for side in sides {
        let who: Vec<String> = c
            .participants
            .iter()
            .filter(|p| p.side.as_deref() == side)
            .map(|p| format!("{} ({})", isolate(&p.name), p.role))
            .collect();
        let heading = side.map_or("no side".to_string(), |k| isolate(side_name(t, k)));
        let _ = write!(s, "\n{heading}: {}", who.join("; "));
    }
    for src in &c.sources {
        let origin: Vec<&str> = [src.doc.as_deref(), src.url.as_deref(), src.published.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        let _ = write!(s, "\nSource: {}", origin.join(", "));
        if let Some(q) = &src.quote {
            let _ = write!(s, "\n{}", isolate(&shorten(q, TOOLTIP_QUOTE_CHARS)));
        }
    }
    s
}

/// Styles shared by the standalone SVG and the page. Class names: `.axis` ticks and
/// labels, `.lane` backgrounds, `.event` marks, `.bar` spans, `.uncertain` dashed spans.
pub(crate) const CHART_CSS: &str = "\
.chart-svg text{font-family:\"DejaVu Sans\",\"Noto Sans\",\"Segoe UI\",Arial,sans-serif;}\
.chart-svg .year-line{stroke:#9aa3ad;stroke-width:1;}\
.chart-svg .month-line{stroke:#e3e7eb;stroke-width:1;}\
.chart-svg .month-tick{stroke:#9aa3ad;stroke-width:1;}\
.chart-svg .year-label{font-size:13px;font-weight:bold;fill:#1f2933;}\
.chart-svg .month-label{font-size:10px;fill:#52606d;display:none;}\
.chart-svg.m-short .month-label.short,.chart-svg.m-long .month-label.long{display:inline;}\
.chart-svg .lane-bg{fill:#f7f9fb;}\
.chart-svg .lane-bg.odd{fill:#eef2f6;}\
.chart-svg .lane-sep{stroke:#7b8794;stroke-width:1.2;}\
.chart-svg .connector{stroke:#7b8794;stroke-width:1;stroke-dasharray:2 3;opacity:.7;}\
.chart-svg .bar{stroke-width:1.2;}\
.chart-svg .bar.uncertain{fill-opacity:.14;stroke-dasharray:4 3;}\
.chart-svg .bar.duration{fill-opacity:.45;}\
.chart-svg .mark-label{font-size:11px;fill:#1f2933;}\
.chart-svg .event:hover .mark-label,.chart-svg .event.selected .mark-label{font-weight:bold;}\
.chart-svg .event.selected .connector{stroke:#1f2933;stroke-dasharray:none;opacity:1;}\
.chart-svg .event.selected path.shape{stroke:#1f2933;stroke-width:2;}\
";

/// The chart body: axis, lanes and marks, positioned for zoom 1, with the plot starting at
/// `left`. Time-positioned groups carry `data-d` (and spans `data-len`) in days, which the
/// page's script uses to zoom. Lane labels are drawn only if `lane_labels`.
pub(crate) fn write_chart_body(chart: &Chart, left: f64, lane_labels: bool, out: &mut String) {
    let t = chart.timeline;
    // Lane backgrounds and separators.
    for (i, lane) in chart.lanes.iter().enumerate() {
        let odd = if i % 2 == 1 { " odd" } else { "" };
        let _ = write!(
            out,
            "<rect class=\"lane-bg{odd}\" data-side=\"{}\" x=\"0\" y=\"{:.1}\" width=\"100%\" height=\"{:.1}\"/>",
            escape(&lane.side),
            lane.y,
            lane.height
        );
        if lane.first_of_side && i > 0 {
            let _ = write!(
                out,
                "<line class=\"lane-sep\" x1=\"0\" x2=\"100%\" y1=\"{:.1}\" y2=\"{:.1}\"/>",
                lane.y, lane.y
            );
        }
        if lane_labels {
            // As on the page: the country, or the organization under its country's name.
            let top = match &lane.group {
                None => lane.y + LANE_PAD + 14.0,
                Some(group) => {
                    if lane.first_of_side {
                        let _ = write!(
                            out,
                            "<text class=\"lane-group\" x=\"8\" y=\"{:.1}\" font-size=\"10\" font-weight=\"bold\" fill=\"#334e68\">{}</text>",
                            lane.y + 12.0,
                            escape(&isolate(&group.to_uppercase()))
                        );
                    }
                    lane.y + 27.0
                }
            };
            let _ = write!(
                out,
                "<text class=\"lane-label\" x=\"8\" y=\"{top:.1}\" font-size=\"12\" font-weight=\"{}\" fill=\"#1f2933\">{}</text>",
                if lane.group.is_none() { "bold" } else { "normal" },
                escape(&isolate(&shorten(&lane.label, 30)))
            );
        }
    }
    let _ = write!(out, "<g class=\"plot\" transform=\"translate({left:.1},0)\">");
    // Axis: a grid line at each month start, a heavier one and the year at each 1 January,
    // and month names that the zoom level shows or hides.
    const SHORT: [&str; 12] = ["J", "F", "M", "A", "M", "J", "J", "A", "S", "O", "N", "D"];
    const LONG: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let ppy = chart.ppd * 365.25;
    let year_step = [1, 2, 5, 10, 20, 50, 100]
        .into_iter()
        .find(|s| ppy * *s as f64 >= 44.0)
        .unwrap_or(100);
    let months = chart.month_starts();
    let mut axis_end = months.iter().map(|m| m.0).fold(0.0, f64::max);
    axis_end = axis_end.max(chart.days);
    let _ = write!(out, "<g class=\"axis\">");
    for &(d, year, month) in &months {
        let _ = write!(out, "<g data-d=\"{d}\" transform=\"translate({:.1},0)\">", chart.x(d));
        if month == 1 {
            let _ = write!(
                out,
                "<line class=\"year-line\" x1=\"0\" x2=\"0\" y1=\"4\" y2=\"{:.1}\"/>",
                chart.height
            );
            let minor = if year % year_step == 0 { "" } else { " minor" };
            let _ = write!(out, "<text class=\"year-label{minor}\" x=\"4\" y=\"17\">{year}</text>");
        } else {
            let _ = write!(
                out,
                "<line class=\"month-line\" x1=\"0\" x2=\"0\" y1=\"{AXIS_H}\" y2=\"{:.1}\"/><line class=\"month-tick\" x1=\"0\" x2=\"0\" y1=\"26\" y2=\"{AXIS_H}\"/>",
                chart.height
            );
        }
        let m = month as usize - 1;
        let _ = write!(
            out,
            "<text class=\"month-label short\" x=\"3\" y=\"38\">{}</text><text class=\"month-label long\" x=\"3\" y=\"38\">{}</text></g>",
            SHORT[m], LONG[m]
        );
    }
    let _ = write!(
        out,
        "<g data-d=\"{axis_end}\" transform=\"translate({:.1},0)\"><line class=\"year-line\" x1=\"0\" x2=\"0\" y1=\"4\" y2=\"{:.1}\"/></g>",
        chart.x(axis_end),
        chart.height
    );
    let _ = write!(
        out,
        "<line class=\"year-line\" x1=\"{:.1}\" x2=\"100%\" y1=\"{AXIS_H}\" y2=\"{AXIS_H}\"/>",
        -left
    );
    out.push_str("</g>");

    // Events: one group per event, at its start; inside, a connector through the lanes it
    // touches and one mark per lane.
    for (i, ev) in chart.events.iter().enumerate() {
        let c = &ev.event.contact;
        let extent = match ev.extent {
            Extent::Point => "point",
            Extent::Duration => "duration",
            Extent::Uncertain => "uncertain",
        };
        let anchor = match ev.extent {
            Extent::Point => ev.d0 + 0.5,
            _ => ev.d0,
        };
        let len_attr = match ev.extent {
            Extent::Point => String::new(),
            _ => format!(" data-len=\"{}\"", ev.len),
        };
        // Reported events carry no status attribute, so that their marks stay as before.
        let status_attr = match c.status.is_reported() {
            true => String::new(),
            false => format!(" data-status=\"{}\"", c.status),
        };
        let _ = write!(
            out,
            "<g class=\"event {extent}\" id=\"m{i}\" data-event=\"{}\" data-type=\"{}\"{status_attr} data-index=\"{i}\" data-d=\"{anchor}\"{len_attr} transform=\"translate({:.1},0)\" tabindex=\"0\" role=\"button\" aria-label=\"{}\">",
            escape(&c.key),
            escape(&c.event_type),
            chart.x(anchor),
            escape(&format!("{} {} {}", c.date, c.event_type, c.key))
        );
        let _ = write!(out, "<title>{}</title>", escape(&tooltip(t, ev.event)));
        // The connector joins the shapes, which sit at the start of a bar.
        let cx = match ev.extent {
            Extent::Point => 0.0,
            _ => MARK / 2.0,
        };
        let ys: Vec<f64> = ev.marks.iter().map(|m| m.y).collect();
        if let (Some(top), Some(bottom)) = (ys.iter().cloned().reduce(f64::min), ys.iter().cloned().reduce(f64::max)) {
            if bottom > top {
                let _ = write!(
                    out,
                    "<line class=\"connector\" x1=\"{cx}\" x2=\"{cx}\" y1=\"{top:.1}\" y2=\"{bottom:.1}\"/>"
                );
            }
        }
        for m in &ev.marks {
            if ev.extent != Extent::Point {
                let _ = write!(
                    out,
                    "<rect class=\"bar {extent}\" x=\"0\" y=\"{:.1}\" width=\"{:.1}\" height=\"14\" rx=\"3\" fill=\"{}\" stroke=\"{}\"/>",
                    m.y - 7.0,
                    (ev.len * chart.ppd).max(2.0),
                    ev.style.colour,
                    ev.style.colour
                );
            }
            // Hollow: outlined in the type's colour, so that an event that did not take place
            // (or not yet) never looks like one that did.
            let (class, fill, stroke, width) = match c.status.is_reported() {
                true => ("shape", ev.style.colour, "#ffffff", 1),
                false => ("shape hollow", "#ffffff", ev.style.colour, 2),
            };
            let _ = write!(
                out,
                "<path class=\"{class}\" d=\"{}\" transform=\"translate({cx},{:.1})\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{width}\"/>",
                shape_path(ev.style.shape),
                m.y,
            );
            if !m.label.is_empty() {
                let _ = write!(
                    out,
                    "<text class=\"mark-label\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                    cx + MARK / 2.0 + 4.0,
                    m.y + 4.0,
                    escape(&m.label)
                );
            }
        }
        out.push_str("</g>");
    }
    out.push_str("</g>");
}

/// The `class` attribute of the chart's root: which month names fit at zoom 1.
pub(crate) fn month_class(px_per_month: f64) -> &'static str {
    if px_per_month >= 30.0 {
        "chart-svg m-long"
    } else if px_per_month >= 12.0 {
        "chart-svg m-short"
    } else {
        "chart-svg"
    }
}

/// A legend entry's shape as a small inline SVG.
pub(crate) fn legend_swatch(style: TypeStyle) -> String {
    format!(
        "<svg class=\"swatch\" width=\"16\" height=\"16\" viewBox=\"-8 -8 16 16\" aria-hidden=\"true\"><path d=\"{}\" fill=\"{}\"/></svg>",
        shape_path(style.shape),
        style.colour
    )
}

/// The timeline as one standalone SVG document: title, lane labels, the chart, a legend.
/// Marks have `<title>` tooltips with the participants, their roles, the place and the
/// source quotes. No script, no external reference.
pub fn timeline_svg(t: &Timeline, opts: &ChartOptions, out: &mut dyn Write) -> io::Result<()> {
    let mut s = String::new();
    let heading = format!(
        "{} – {}: cooperation timeline, {} {}",
        isolate(&t.a.name),
        isolate(&t.b.name),
        t.event_count(),
        if t.event_count() == 1 { "contact" } else { "contacts" }
    );
    let Some(chart) = layout(t, opts) else {
        let _ = writeln!(
            s,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"80\" viewBox=\"0 0 640 80\" class=\"chart-svg\"><style>{CHART_CSS}</style><text x=\"16\" y=\"30\" font-size=\"16\" font-weight=\"bold\">{}</text><text x=\"16\" y=\"56\" font-size=\"12\">No contacts match.</text></svg>",
            escape(&heading)
        );
        return out.write_all(s.as_bytes());
    };
    const TOP: f64 = 44.0;
    let legend_h = 56.0;
    let width = GUTTER + chart.plot_width() + RIGHT_PAD;
    let height = TOP + chart.height + legend_h;
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" class=\"{}\" role=\"img\" aria-label=\"{}\">",
        month_class(chart.px_per_month()),
        escape(&heading)
    );
    let _ = write!(s, "<title>{}</title><style>{CHART_CSS}</style>", escape(&heading));
    let _ = write!(
        s,
        "<rect x=\"0\" y=\"0\" width=\"{width:.0}\" height=\"{height:.0}\" fill=\"#ffffff\"/>"
    );
    let _ = write!(
        s,
        "<text x=\"12\" y=\"28\" font-size=\"18\" font-weight=\"bold\" fill=\"#1f2933\">{}</text>",
        escape(&heading)
    );
    let _ = write!(s, "<g transform=\"translate(0,{TOP})\">");
    write_chart_body(&chart, GUTTER, true, &mut s);
    s.push_str("</g>");
    // Legend: the types that occur, then how dates are drawn.
    let mut x = 12.0;
    let y = TOP + chart.height + 24.0;
    for ty in &chart.types {
        let style = type_style(ty);
        let label = ty.replace('_', " ");
        let _ = write!(
            s,
            "<path d=\"{}\" transform=\"translate({:.1},{y:.1})\" fill=\"{}\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" fill=\"#1f2933\">{}</text>",
            shape_path(style.shape),
            x + 6.0,
            style.colour,
            x + 16.0,
            y + 4.0,
            escape(&label)
        );
        x += 28.0 + label.chars().count() as f64 * 7.0;
    }
    let y2 = y + 22.0;
    let mut x2 = 12.0;
    for ext in [Extent::Point, Extent::Duration, Extent::Uncertain] {
        if !chart.extents.contains(&ext) {
            continue;
        }
        let (swatch, text) = match ext {
            Extent::Point => (
                format!("<path d=\"{}\" transform=\"translate({:.1},{y2:.1})\" fill=\"#52606d\"/>", shape_path(Shape::Circle), x2 + 6.0),
                "point: known to the day",
            ),
            Extent::Duration => (
                format!("<rect x=\"{x2:.1}\" y=\"{:.1}\" width=\"28\" height=\"12\" rx=\"3\" fill=\"#52606d\" fill-opacity=\".45\" stroke=\"#52606d\"/>", y2 - 6.0),
                "solid bar: from date to end date",
            ),
            Extent::Uncertain => (
                format!("<rect x=\"{x2:.1}\" y=\"{:.1}\" width=\"28\" height=\"12\" rx=\"3\" fill=\"#52606d\" fill-opacity=\".14\" stroke=\"#52606d\" stroke-dasharray=\"4 3\"/>", y2 - 6.0),
                "dashed bar: some time in that month or year",
            ),
        };
        let tx = x2 + if ext == Extent::Point { 16.0 } else { 34.0 };
        let _ = write!(
            s,
            "{swatch}<text x=\"{tx:.1}\" y=\"{:.1}\" font-size=\"12\" fill=\"#1f2933\">{text}</text>",
            y2 + 4.0
        );
        x2 = tx + text.chars().count() as f64 * 6.6 + 20.0;
    }
    let _ = write!(
        s,
        "<line x1=\"{x2:.1}\" x2=\"{x2:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" class=\"connector\" stroke=\"#7b8794\" stroke-dasharray=\"2 3\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" fill=\"#1f2933\">dotted line: one event, joining the sides' marks</text>",
        y2 - 8.0,
        y2 + 8.0,
        x2 + 8.0,
        y2 + 4.0
    );
    s.push_str("</svg>\n");
    out.write_all(s.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_are_consecutive_across_months_and_leap_years() {
        assert_eq!(day_number(19700101), 0);
        assert_eq!(day_number(20000229) + 1, day_number(20000301));
        assert_eq!(day_number(20230101) - day_number(20220101), 365);
        assert_eq!(day_number(20250101) - day_number(20240101), 366);
        assert_eq!(
            day_number(19000301) - day_number(19000228),
            1,
            "1900 is not a leap year"
        );
    }

    #[test]
    fn escape_keeps_text_as_data_and_xml_valid() {
        assert_eq!(
            escape("<script>\"x\" & 'y'</script>"),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;"
        );
        assert_eq!(escape("a\u{1}b\u{FFFF}\tc"), "a\u{FFFD}b\u{FFFD}\tc");
        assert_eq!(escape("حموشي"), "حموشي");
    }

    #[test]
    fn shorten_counts_characters_not_bytes() {
        assert_eq!(shorten("عبد اللطيف حموشي", 6), "عبد ا…");
        assert_eq!(shorten("abc", 3), "abc");
    }

    #[test]
    fn unknown_types_get_a_stable_style() {
        assert_eq!(type_style("visit").shape, Shape::Circle);
        assert_eq!(type_style("visit").colour, "#0072B2");
        let a = type_style("summit");
        assert_eq!(a, type_style("summit"));
        assert_eq!(a.shape, Shape::Circle);
        assert!(FALLBACK_COLOURS.contains(&a.colour));
    }
}
