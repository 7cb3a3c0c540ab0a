//! Query results as text, tables, CSV and JSON Lines. Renderers take the query's plain
//! data, never a store, and write in the order the query returned.

use crate::query::{Contact, EntityReport, Neighborhood, Path, SearchHit, Timeline};
use std::io::{self, Write};

/// Guard a CSV cell against spreadsheet formula execution: a cell beginning with `=`, `+`,
/// `-`, `@`, tab or carriage return gets a leading apostrophe.
pub fn guard_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

fn participant_line(c: &Contact) -> String {
    c.participants
        .iter()
        .map(|p| match &p.side {
            Some(side) => format!("{} ({side}, {})", p.name, p.role),
            None => format!("{} ({})", p.name, p.role),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// How a text renderer may style its output. The caller decides from the terminal
/// (`cli::term`): renderers never look at the environment themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TextStyle {
    /// Bold and colour headings with ANSI escapes.
    pub color: bool,
    /// Fit tables to this many columns.
    pub width: Option<usize>,
}

const BOLD: &str = "\x1b[1m";
const HEADING: &str = "\x1b[1;34m";
const RESET: &str = "\x1b[0m";

/// The narrowest the participants column gets when a table is fitted to the terminal.
const MIN_PARTICIPANTS: usize = 12;

/// `cell` cut to `width` characters, ending in "…" when cut.
fn fit(cell: &str, width: usize) -> String {
    if cell.chars().count() <= width {
        cell.to_string()
    } else {
        let mut s: String = cell.chars().take(width.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// Contacts as an aligned table.
pub fn contacts_table(contacts: &[Contact], out: &mut dyn Write) -> io::Result<()> {
    contacts_table_styled(contacts, &TextStyle::default(), out)
}

/// Contacts as an aligned table; with a width, the participants column is cut with "…"
/// so that every row fits (the key, last, stays whole); with colour, the header is bold.
pub fn contacts_table_styled(contacts: &[Contact], style: &TextStyle, out: &mut dyn Write) -> io::Result<()> {
    let rows: Vec<[String; 5]> = contacts
        .iter()
        .map(|c| {
            [
                c.date.clone(),
                c.event_type.clone(),
                c.location.as_ref().map(|l| l.name.clone()).unwrap_or_default(),
                participant_line(c),
                c.key.clone(),
            ]
        })
        .collect();
    let header = ["date", "type", "location", "participants (side, role)", "key"];
    let mut widths = header.map(|h| h.chars().count());
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    if let Some(limit) = style.width {
        // Each column but the last is followed by two spaces.
        let total = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
        if total > limit {
            widths[3] = widths[3].saturating_sub(total - limit).max(MIN_PARTICIPANTS);
        }
    }
    let line = |cells: [&str; 5], out: &mut dyn Write, bold: bool| -> io::Result<()> {
        let mut text = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                let cell = fit(cell, w);
                text.push_str(&cell);
                text.extend(std::iter::repeat_n(' ', w - cell.chars().count() + 2));
            }
        }
        if bold {
            writeln!(out, "{BOLD}{}{RESET}", text.trim_end())
        } else {
            writeln!(out, "{}", text.trim_end())
        }
    };
    line(header, out, style.color)?;
    for r in &rows {
        line([&r[0], &r[1], &r[2], &r[3], &r[4]], out, false)?;
    }
    writeln!(out, "{} contacts", contacts.len())
}

/// Contacts as CSV, one row per event.
pub fn contacts_csv(contacts: &[Contact], out: &mut dyn Write) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "key",
        "type",
        "date",
        "end_date",
        "title",
        "location",
        "domains",
        "participants",
        "sources",
    ])?;
    for c in contacts {
        let sources: Vec<String> = c
            .sources
            .iter()
            .filter_map(|s| s.url.clone().or_else(|| s.doc.clone()))
            .collect();
        let cells = [
            c.key.clone(),
            c.event_type.clone(),
            c.date.clone(),
            c.end_date.clone().unwrap_or_default(),
            c.title.clone().unwrap_or_default(),
            c.location.as_ref().map(|l| l.key.clone()).unwrap_or_default(),
            c.domains.join(";"),
            participant_line(c),
            sources.join(" "),
        ];
        w.write_record(cells.iter().map(|c| guard_cell(c).into_owned()))?;
    }
    w.flush()
}

/// A serde_json error as an I/O error, keeping the kind of an underlying I/O failure (so
/// that a closed pipe stays recognisable).
fn json_io(e: serde_json::Error) -> io::Error {
    match e.io_error_kind() {
        Some(kind) => io::Error::from(kind),
        None => io::Error::other(e),
    }
}

/// Any serializable value as pretty JSON with a final newline.
pub fn json<T: serde::Serialize + ?Sized>(value: &T, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(json_io)?;
    writeln!(out)
}

/// One compact JSON object per line.
pub fn ndjson<T: serde::Serialize>(items: &[T], out: &mut dyn Write) -> io::Result<()> {
    for item in items {
        serde_json::to_writer(&mut *out, item).map_err(json_io)?;
        writeln!(out)?;
    }
    Ok(())
}

/// The timeline as text: grouped by year, then month; who met whom, where, in which role
/// and office, and the source.
pub fn timeline_text(t: &Timeline, out: &mut dyn Write) -> io::Result<()> {
    timeline_text_styled(t, &TextStyle::default(), out)
}

/// [`timeline_text`], with the year and month headings in colour if `style.color`.
pub fn timeline_text_styled(t: &Timeline, style: &TextStyle, out: &mut dyn Write) -> io::Result<()> {
    let (heading, bold, reset) = if style.color {
        (HEADING, BOLD, RESET)
    } else {
        ("", "", "")
    };
    let n = t.event_count();
    writeln!(
        out,
        "{} – {}: {} {}",
        t.a.name,
        t.b.name,
        n,
        if n == 1 { "contact" } else { "contacts" }
    )?;
    let mut year = String::new();
    for p in &t.periods {
        if p.period[..4] != year {
            year = p.period[..4].to_string();
            writeln!(out, "\n{heading}{year}{reset}")?;
        }
        if p.period.len() > 4 {
            writeln!(out, "  {bold}{}{reset}", p.period)?;
        }
        for e in &p.events {
            let c = &e.contact;
            let date = match &c.end_date {
                Some(end) => format!("{}..{end}", c.date),
                None => c.date.clone(),
            };
            let place = c
                .location
                .as_ref()
                .map(|l| format!(" in {}", l.name))
                .unwrap_or_default();
            // A hollow mark and the status set apart the events that did not take place.
            let status = match c.status.is_reported() {
                true => String::new(),
                false => format!("○ {} ", c.status),
            };
            writeln!(out, "    {date}  {status}{}{place}  [{}]", c.event_type, c.key)?;
            if let Some(title) = &c.title {
                writeln!(out, "      {title}")?;
            }
            for p in &c.participants {
                let side = p.side.as_deref().map(|s| format!(" [{s}]")).unwrap_or_default();
                let office = if p.offices.is_empty() {
                    String::new()
                } else {
                    format!(" — {}", p.offices.join("; "))
                };
                writeln!(out, "      {} ({}){side}{office}", p.name, p.role)?;
            }
            if !c.domains.is_empty() {
                writeln!(out, "      domains: {}", c.domains.join(", "))?;
            }
            for s in &c.sources {
                let origin: Vec<&str> = [s.url.as_deref(), s.doc.as_deref(), s.published.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect();
                match &s.quote {
                    Some(q) => writeln!(out, "      source: {} — «{q}»", origin.join(", "))?,
                    None => writeln!(out, "      source: {}", origin.join(", "))?,
                }
            }
        }
    }
    Ok(())
}

pub fn entity_text(e: &EntityReport, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{} [{}] ({})", e.name, e.key, e.entity_type)?;
    if !e.aliases.is_empty() {
        writeln!(out, "  aliases: {}", e.aliases.join(" | "))?;
    }
    if let Some(side) = &e.side {
        writeln!(out, "  side: {side}")?;
    }
    if let Some(sector) = &e.sector {
        writeln!(out, "  sector: {sector}")?;
    }
    if !e.positions.is_empty() {
        writeln!(out, "  positions:")?;
        for p in &e.positions {
            let span = format!(
                "{}..{}",
                p.since.map(|d| d.to_string()).unwrap_or_default(),
                p.until.map(|d| d.to_string()).unwrap_or_default()
            );
            let title = p.title.as_deref().map(|t| format!("{t}, ")).unwrap_or_default();
            writeln!(
                out,
                "    {span:<23} {title}{} [{}]",
                p.organization_name, p.organization
            )?;
        }
    }
    if !e.relations.is_empty() {
        writeln!(out, "  relations:")?;
        for r in &e.relations {
            let arrow = if r.direction == "out" { "→" } else { "←" };
            writeln!(out, "    {} {arrow} {}", r.relation_type, r.other)?;
        }
    }
    writeln!(out, "  events: {}", e.events.len())?;
    for ev in &e.events {
        let title = ev.title.as_deref().map(|t| format!("  {t}")).unwrap_or_default();
        writeln!(
            out,
            "    {:<10}  {:<17} {:<10} [{}]{title}",
            ev.date, ev.event_type, ev.role, ev.key
        )?;
    }
    Ok(())
}

pub fn search_text(hits: &[SearchHit], out: &mut dyn Write) -> io::Result<()> {
    for h in hits {
        writeln!(
            out,
            "{:<8} {} [{}] ({})  matched: {}",
            h.rank, h.name, h.key, h.entity_type, h.matched
        )?;
    }
    if hits.is_empty() {
        writeln!(out, "no matches")?;
    }
    Ok(())
}

pub fn neighbors_text(n: &Neighborhood, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}: {} nodes, {} edges", n.center, n.nodes.len(), n.edges.len())?;
    for d in &n.details {
        match &d.name {
            Some(name) => writeln!(out, "  {} {} {} ({})", d.hops, d.key, name, d.node_type)?,
            None => writeln!(out, "  {} {} ({})", d.hops, d.key, d.node_type)?,
        }
    }
    Ok(())
}

pub fn path_text(p: &Path, out: &mut dyn Write) -> io::Result<()> {
    match p.length {
        None => writeln!(out, "no path"),
        Some(len) => {
            writeln!(out, "length {len}")?;
            for s in &p.steps {
                writeln!(
                    out,
                    "  {} ({}) — {} {} [{}] — {} ({})",
                    s.from, s.from_role, s.date, s.event_type, s.event, s.to, s.to_role
                )?;
                if let Some(src) = &s.source {
                    writeln!(out, "      source: {src}")?;
                }
            }
            Ok(())
        }
    }
}
