//! Dates in the text: absolute ("10 يونيو 2022", "14 décembre 2022", "April 24 and 25,
//! 2023", "10/06/2022"), partial ("May 2022", "كانون الثاني 2023", "in 2019") and relative
//! ("yesterday", "الشهر الماضي", "le 3 mars dernier", "شهر ماي من السنة الماضية", "on
//! Tuesday"), with month names from the Maghreb (ماي، يوليوز، غشت، شتنبر ...), the Levant
//! (كانون الثاني، شباط، آذار ...), Egypt (مايو، يوليو، أغسطس) and Algeria/Tunisia (جانفي،
//! جوان، جويلية ...), all from data/lexicons/dates.tsv.
//!
//! Relative dates are resolved against the publication date and never guessed without one:
//! they stay [`Resolution::Unresolved`]. A resolved date keeps the precision the text gives,
//! and never more than the publication date allows ("yesterday" in an article published in
//! "2023" is "2023").

use super::normalize::{Kind, Tokens};
use super::resources::{DateWord, Unit};
use crate::model::{PartialDate, Precision};

/// What a date expression says, before resolution.
#[derive(Debug, Clone, PartialEq)]
pub enum Spec {
    /// A calendar date with its year: "10 June 2022", "May 2022", "2019"; the end of a
    /// range ("6 and 7 November 2022") when there is one.
    Absolute(PartialDate, Option<PartialDate>),
    /// A day and/or month without a year, with its modifier ("15 جويلية الماضي", "in May").
    Floating {
        month: u8,
        day: Option<u8>,
        end_day: Option<u8>,
        modifier: Option<DateWord>,
    },
    /// Counted from publication ("yesterday", "last month").
    Relative(Unit, i32),
    /// A weekday ("on Tuesday", "يوم الجمعة الماضي"), possibly "last".
    Weekday(u8, bool),
}

/// A date expression found in the text: tokens `toks.0..toks.1`.
#[derive(Debug, Clone, PartialEq)]
pub struct DateExpr {
    pub toks: (usize, usize),
    pub spec: Spec,
}

/// How sure a date is, for choosing between the dates that two mentions of one event give.
/// Explicit beats relative beats inherited beats publication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Strength {
    /// The publication date, for an event the text does not date.
    Publication,
    /// Taken from a related event (same sentence, same occasion, the narrative so far).
    Inherited,
    /// Resolved from a relative expression.
    Relative,
    /// Written in full in the text.
    Explicit,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Resolution {
    Resolved {
        date: PartialDate,
        end: Option<PartialDate>,
        strength: Strength,
        basis: String,
    },
    /// Relative, and there is no publication date to count from.
    Unresolved(String),
}

/// One token's part in a date expression.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Atom {
    Word(DateWord),
    /// A date word spanning several tokens continues at this token.
    Continue,
}

/// Find the date expressions among tokens `a..b`. `atoms[i]` says what token `i` is in the
/// date lexicon (month, weekday, modifier, relative phrase, year cue, filler), if anything.
pub fn find(tokens: &Tokens, a: usize, b: usize, atoms: &[Option<Atom>]) -> Vec<DateExpr> {
    let mut out = Vec::new();
    let mut i = a;
    while i < b {
        let starts = matches!(atoms[i], Some(Atom::Word(w)) if w != DateWord::Filler) || number(tokens, i).is_some();
        if !starts {
            i += 1;
            continue;
        }
        // Extend over atoms, numbers, connectors and fillers.
        let mut j = i;
        let mut last_real = i;
        while j < b {
            let t = &tokens.toks[j];
            let real = matches!(atoms[j], Some(Atom::Word(w)) if w != DateWord::Filler)
                || matches!(atoms[j], Some(Atom::Continue))
                || number(tokens, j).is_some();
            let glue = matches!(atoms[j], Some(Atom::Word(DateWord::Filler)))
                || matches!(t.kind, Kind::Punct(',' | '-' | '/' | '–' | '،'))
                || matches!(
                    tokens.folded(j),
                    "and" | "et" | "و" | "to" | "au" | "a" | "الى" | "du" | "from" | "من"
                );
            if real {
                last_real = j;
            } else if !glue || j > last_real + 2 {
                break;
            }
            j += 1;
        }
        if let Some(spec) = interpret(tokens, i, last_real + 1, atoms) {
            out.push(DateExpr {
                toks: (i, last_real + 1),
                spec,
            });
        }
        i = last_real + 1;
    }
    out
}

/// The number a token stands for, reading "و2" (and 2) as 2.
fn number(tokens: &Tokens, i: usize) -> Option<u32> {
    let f = tokens.folded(i);
    let digits = match tokens.toks[i].kind {
        Kind::Number => f,
        Kind::Word => f
            .strip_prefix('و')
            .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))?,
        Kind::Punct(_) => return None,
    };
    if digits.len() > 4 {
        return None;
    }
    digits.parse().ok()
}

fn interpret(tokens: &Tokens, a: usize, b: usize, atoms: &[Option<Atom>]) -> Option<Spec> {
    let mut days: Vec<u8> = Vec::new();
    let mut numeric: Vec<u32> = Vec::new();
    let mut slashes = 0;
    let mut year: Option<u16> = None;
    let mut month: Option<u8> = None;
    let mut weekday: Option<u8> = None;
    let mut modifier: Option<DateWord> = None;
    let mut relative: Option<(Unit, i32)> = None;
    let mut year_cue = false;
    for (i, atom) in atoms.iter().enumerate().take(b).skip(a) {
        if tokens.toks[i].punct() == Some('/') {
            slashes += 1;
        }
        if let Some(n) = number(tokens, i) {
            numeric.push(n);
            match n {
                1..=31 => days.push(n as u8),
                1000..=2999 => year = year.or(Some(n as u16)),
                _ => {}
            }
            continue;
        }
        match *atom {
            Some(Atom::Word(DateWord::Month(m))) => month = month.or(Some(m)),
            Some(Atom::Word(DateWord::Weekday(w))) => weekday = Some(w),
            // "of last year" outranks "last".
            Some(Atom::Word(w @ (DateWord::Last | DateWord::Next | DateWord::This | DateWord::LastYear)))
                if modifier != Some(DateWord::LastYear) =>
            {
                modifier = Some(w);
            }
            Some(Atom::Word(DateWord::Relative(u, n))) => relative = Some((u, n)),
            Some(Atom::Word(DateWord::YearCue)) => year_cue = true,
            _ => {}
        }
    }
    // dd/mm/yyyy
    if slashes == 2 && numeric.len() == 3 && month.is_none() {
        let (d, m, y) = (numeric[0], numeric[1], numeric[2]);
        return PartialDate::day(y as u16, m as u8, d as u8).map(|p| Spec::Absolute(p, None));
    }
    if let (Some((u, n)), None) = (relative, month) {
        return Some(Spec::Relative(u, n));
    }
    if let Some(m) = month {
        let day = days.first().copied();
        let end_day = days.get(1).copied().filter(|e| day.is_some_and(|d| *e > d));
        if let Some(y) = year {
            let start = match day {
                Some(d) => PartialDate::day(y, m, d)?,
                None => PartialDate::month(y, m)?,
            };
            let end = end_day.and_then(|e| PartialDate::day(y, m, e));
            return Some(Spec::Absolute(start, end));
        }
        return Some(Spec::Floating {
            month: m,
            day,
            end_day,
            modifier,
        });
    }
    if let Some(w) = weekday {
        return Some(Spec::Weekday(w, modifier == Some(DateWord::Last)));
    }
    if let (Some(y), true) = (year, year_cue) {
        return PartialDate::year(y).map(|p| Spec::Absolute(p, None));
    }
    None
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// The civil date of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// ISO weekday (Monday = 1) of a day count.
fn weekday_of(days: i64) -> u8 {
    ((days + 3).rem_euclid(7) + 1) as u8
}

fn date_of_days(z: i64) -> Option<PartialDate> {
    let (y, m, d) = civil_from_days(z);
    PartialDate::day(u16::try_from(y).ok()?, m as u8, d as u8)
}

/// `date` cut down to at most `precision`.
fn at_most(date: PartialDate, precision: Precision) -> PartialDate {
    let y = date.year_part();
    match (precision.min(date.precision()), date.month_part(), date.day_part()) {
        (Precision::Day, Some(m), Some(d)) => PartialDate::day(y, m, d).unwrap_or(date),
        (Precision::Month | Precision::Day, Some(m), _) => PartialDate::month(y, m).unwrap_or(date),
        _ => PartialDate::year(y).unwrap_or(date),
    }
}

/// Resolve a date expression against the publication date, if there is one. `text` is the
/// expression as written, for the basis reported with the date.
pub fn resolve(spec: &Spec, published: Option<PartialDate>, text: &str) -> Resolution {
    let relative = |date: PartialDate, end: Option<PartialDate>, how: &str| Resolution::Resolved {
        date,
        end,
        strength: Strength::Relative,
        basis: format!("article: \"{text}\" ({how}), counted from the publication date"),
    };
    let Spec::Absolute(date, end) = spec else {
        let Some(p) = published else {
            return Resolution::Unresolved(format!(
                "\"{text}\" is relative to the publication date, which was not given (--published)"
            ));
        };
        return match spec {
            Spec::Absolute(..) => unreachable!("handled above"),
            Spec::Relative(unit, n) => resolve_relative(p, *unit, *n)
                .map(|d| relative(d, None, "relative"))
                .unwrap_or_else(|| Resolution::Unresolved(format!("\"{text}\" is out of range"))),
            Spec::Weekday(w, strictly_before) => {
                let d = match (p.month_part(), p.day_part()) {
                    (Some(m), Some(day)) => {
                        let today = days_from_civil(p.year_part() as i64, m as u32, day as u32);
                        let mut back = (weekday_of(today) as i64 - *w as i64).rem_euclid(7);
                        if back == 0 && *strictly_before {
                            back = 7;
                        }
                        date_of_days(today - back)
                    }
                    // Without the publication day the weekday narrows nothing down.
                    _ => Some(p),
                };
                d.map(|d| relative(d, None, "the latest such weekday"))
                    .unwrap_or_else(|| Resolution::Unresolved(format!("\"{text}\" is out of range")))
            }
            Spec::Floating {
                month,
                day,
                end_day,
                modifier,
            } => {
                let py = p.year_part();
                let pm = p.month_part();
                let year = match modifier {
                    Some(DateWord::LastYear) => py.saturating_sub(1),
                    Some(DateWord::This) => py,
                    Some(DateWord::Next) => match pm {
                        Some(m) if *month <= m => py + 1,
                        _ => py,
                    },
                    // "last June": the latest June before the publication month. Published
                    // in a year only, the month of publication is unknown: the previous
                    // year is taken, a convention that docs/extraction.md states.
                    Some(DateWord::Last) => match pm {
                        Some(m)
                            if *month < m
                                || (*month == m && day.is_some_and(|d| p.day_part().is_some_and(|pd| d < pd))) =>
                        {
                            py
                        }
                        _ => py.saturating_sub(1),
                    },
                    // No modifier: a reported event, so the latest such date not after publication.
                    _ => match (pm, p.day_part()) {
                        (Some(m), _) if *month > m => py.saturating_sub(1),
                        (Some(m), Some(pd)) if *month == m && day.is_some_and(|d| d > pd) => py.saturating_sub(1),
                        _ => py,
                    },
                };
                let date = match day {
                    Some(d) => PartialDate::day(year, *month, *d),
                    None => PartialDate::month(year, *month),
                };
                let end = end_day.and_then(|e| PartialDate::day(year, *month, e));
                match date {
                    Some(d) => relative(d, end, "month named without a year"),
                    None => Resolution::Unresolved(format!("\"{text}\" names no real date")),
                }
            }
        };
    };
    Resolution::Resolved {
        date: *date,
        end: *end,
        strength: Strength::Explicit,
        basis: format!("article: \"{text}\""),
    }
}

fn resolve_relative(p: PartialDate, unit: Unit, n: i32) -> Option<PartialDate> {
    let py = p.year_part() as i32;
    match unit {
        Unit::Year => PartialDate::year(u16::try_from(py + n).ok()?),
        Unit::Month => match p.month_part() {
            Some(m) => {
                let total = py * 12 + (m as i32 - 1) + n;
                PartialDate::month(
                    u16::try_from(total.div_euclid(12)).ok()?,
                    (total.rem_euclid(12) + 1) as u8,
                )
            }
            None => Some(p),
        },
        Unit::Day | Unit::Week => match (p.month_part(), p.day_part()) {
            (Some(m), Some(d)) => {
                let k = if unit == Unit::Week { 7 * n as i64 } else { n as i64 };
                let z = days_from_civil(py as i64, m as u32, d as u32) + k;
                let date = date_of_days(z)?;
                // A week is not a date: its month is the best the text gives.
                Some(if unit == Unit::Week {
                    at_most(date, Precision::Month)
                } else {
                    date
                })
            }
            // The publication date is not known to the day: keep what is known of it.
            _ => Some(p),
        },
    }
}

/// Whether `date` starts after the end of `published` (an announced, future event).
pub fn is_future(date: PartialDate, published: PartialDate) -> bool {
    date.start() > published.end()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> PartialDate {
        s.parse().unwrap()
    }

    fn res(spec: Spec, published: &str) -> String {
        match resolve(&spec, Some(p(published)), "x") {
            Resolution::Resolved { date, end, .. } => match end {
                Some(e) => format!("{date}..{e}"),
                None => date.to_string(),
            },
            Resolution::Unresolved(m) => m,
        }
    }

    #[test]
    fn civil_day_arithmetic_round_trips() {
        for (y, m, d) in [(1970, 1, 1), (2000, 2, 29), (2023, 12, 31), (1999, 3, 1)] {
            assert_eq!(civil_from_days(days_from_civil(y, m, d)), (y, m, d));
        }
        assert_eq!(weekday_of(days_from_civil(2023, 1, 18)), 3, "a Wednesday");
    }

    #[test]
    fn relative_dates_resolve_against_publication() {
        assert_eq!(res(Spec::Relative(Unit::Day, -1), "2023-01-19"), "2023-01-18");
        assert_eq!(res(Spec::Relative(Unit::Month, -1), "2023-01-19"), "2022-12");
        assert_eq!(
            res(Spec::Relative(Unit::Month, -1), "2023"),
            "2023",
            "no more precise than publication"
        );
        assert_eq!(res(Spec::Weekday(5, true), "2022-12-18"), "2022-12-16");
        assert_eq!(res(Spec::Weekday(4, false), "2022-01-20"), "2022-01-20", "same day");
        let floating = |month, day, modifier| Spec::Floating {
            month,
            day,
            end_day: None,
            modifier,
        };
        // شهر ماي من السنة الماضية, published 2023.
        assert_eq!(res(floating(5, None, Some(DateWord::LastYear)), "2023"), "2022-05");
        // شهر يونيو الماضي, published in 2023 (month unknown): the previous year.
        assert_eq!(res(floating(6, None, Some(DateWord::Last)), "2023"), "2022-06");
        assert_eq!(res(floating(6, None, Some(DateWord::Last)), "2023-09-01"), "2023-06");
        assert_eq!(
            res(floating(3, Some(3), Some(DateWord::Last)), "2023-03-10"),
            "2023-03-03"
        );
        assert_eq!(
            res(floating(5, None, None), "2022-03-09"),
            "2021-05",
            "in May, before March"
        );
        assert_eq!(res(floating(11, Some(14), None), "2024-02-02"), "2023-11-14");
        assert!(matches!(
            resolve(&Spec::Relative(Unit::Day, -1), None, "أمس"),
            Resolution::Unresolved(_)
        ));
        assert!(is_future(p("2023-02"), p("2023-01-19")));
    }
}
