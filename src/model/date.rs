//! Partial dates: a year, a month or a day, and nothing more precise than the source said.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// How much of a date is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Precision {
    Year,
    Month,
    Day,
}

/// A calendar date known to a year, a month or a day: `2022`, `2022-05`, `2022-05-10`.
///
/// Invariant: `month` is `Some` iff precision is at least Month, `day` is `Some` iff it is
/// Day, and the parts form a real Gregorian date (years 0001..=9999). The text form is kept
/// exactly: "2022-05" never becomes 2022-05-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PartialDate {
    year: u16,
    month: Option<u8>,
    day: Option<u8>,
}

/// A reason a date string is not a valid partial date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("invalid date \"{0}\": expected YYYY, YYYY-MM or YYYY-MM-DD")]
    Syntax(String),
    #[error("invalid date \"{0}\": month {1} is not 01..12")]
    Month(String, u32),
    #[error("invalid date \"{0}\": day {1} does not exist in that month")]
    Day(String, u32),
    #[error("invalid date \"{0}\": year 0000 is not allowed")]
    Year(String),
}

/// A closed interval of days `(first, last)`, each as `yyyymmdd`; used for overlap tests.
pub type DayRange = (Day, Day);

/// A day as a sortable integer `yyyymmdd`.
pub type Day = u32;

pub fn is_leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

pub fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl PartialDate {
    pub fn year(year: u16) -> Option<Self> {
        (1..=9999).contains(&year).then_some(PartialDate {
            year,
            month: None,
            day: None,
        })
    }

    pub fn month(year: u16, month: u8) -> Option<Self> {
        ((1..=9999).contains(&year) && (1..=12).contains(&month)).then_some(PartialDate {
            year,
            month: Some(month),
            day: None,
        })
    }

    pub fn day(year: u16, month: u8, day: u8) -> Option<Self> {
        let ok =
            (1..=9999).contains(&year) && (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
        ok.then_some(PartialDate {
            year,
            month: Some(month),
            day: Some(day),
        })
    }

    pub fn precision(&self) -> Precision {
        match (self.month, self.day) {
            (None, _) => Precision::Year,
            (Some(_), None) => Precision::Month,
            (Some(_), Some(_)) => Precision::Day,
        }
    }

    pub fn year_part(&self) -> u16 {
        self.year
    }

    pub fn month_part(&self) -> Option<u8> {
        self.month
    }

    pub fn day_part(&self) -> Option<u8> {
        self.day
    }

    /// The first day the date covers, as `yyyymmdd` ("2022-05" starts at 20220501).
    pub fn start(&self) -> Day {
        let m = self.month.unwrap_or(1);
        let d = self.day.unwrap_or(1);
        self.year as u32 * 10_000 + m as u32 * 100 + d as u32
    }

    /// The last day the date covers, as `yyyymmdd` ("2022-05" ends at 20220531).
    pub fn end(&self) -> Day {
        let m = self.month.unwrap_or(12);
        let d = self.day.unwrap_or_else(|| days_in_month(self.year, m));
        self.year as u32 * 10_000 + m as u32 * 100 + d as u32
    }

    /// `[start, end]` widened to the date's precision.
    pub fn range(&self) -> DayRange {
        (self.start(), self.end())
    }
}

/// The days from `since` to `until`, each bound widened to its precision and open where it
/// is absent: `since 2022, until 2023-05` is `[20220101, 20230531]`. The one rule for
/// date windows: query filters, relation intervals and the positions held at a date.
pub fn day_window(since: Option<&PartialDate>, until: Option<&PartialDate>) -> DayRange {
    (since.map_or(0, |d| d.start()), until.map_or(Day::MAX, |d| d.end()))
}

/// `[date.start, end_date.end]`, or the date's own range when there is no end date.
pub fn interval(date: &PartialDate, end_date: Option<&PartialDate>) -> DayRange {
    (date.start(), end_date.map_or(date.end(), |e| e.end()))
}

/// Whether two closed day intervals share at least one day. An inverted interval
/// (end before start) is empty and overlaps nothing.
pub fn overlaps(a: DayRange, b: DayRange) -> bool {
    a.0 <= a.1 && b.0 <= b.1 && a.0 <= b.1 && b.0 <= a.1
}

impl FromStr for PartialDate {
    type Err = DateError;

    fn from_str(s: &str) -> Result<Self, DateError> {
        let syntax = || DateError::Syntax(s.to_string());
        let bytes = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| -> Result<u32, DateError> {
            let part = bytes.get(r).ok_or_else(syntax)?;
            if !part.iter().all(u8::is_ascii_digit) {
                return Err(syntax());
            }
            Ok(part.iter().fold(0u32, |n, b| n * 10 + (b - b'0') as u32))
        };
        let year = match bytes.len() {
            4 | 7 | 10 => digits(0..4)?,
            _ => return Err(syntax()),
        };
        if year == 0 {
            return Err(DateError::Year(s.to_string()));
        }
        let year = year as u16;
        if bytes.len() == 4 {
            return Ok(PartialDate {
                year,
                month: None,
                day: None,
            });
        }
        if bytes[4] != b'-' {
            return Err(syntax());
        }
        let month = digits(5..7)?;
        if !(1..=12).contains(&month) {
            return Err(DateError::Month(s.to_string(), month));
        }
        if bytes.len() == 7 {
            return Ok(PartialDate {
                year,
                month: Some(month as u8),
                day: None,
            });
        }
        if bytes[7] != b'-' {
            return Err(syntax());
        }
        let day = digits(8..10)?;
        PartialDate::day(year, month as u8, day.min(255) as u8).ok_or_else(|| DateError::Day(s.to_string(), day))
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

/// Dates order by their first day, then the more precise first (so "2022-01-01" sorts
/// before "2022-01", which sorts before "2022"), which is a total order consistent with Eq.
impl Ord for PartialDate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.start()
            .cmp(&other.start())
            .then_with(|| other.precision().cmp(&self.precision()))
    }
}

impl PartialOrd for PartialDate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl serde::Serialize for PartialDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for PartialDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> PartialDate {
        s.parse().unwrap()
    }

    #[test]
    fn parses_and_keeps_precision() {
        for s in ["2022", "2022-05", "2022-06-10", "2024-02-29", "0001"] {
            assert_eq!(d(s).to_string(), s);
        }
        assert_eq!(d("2022-05").precision(), Precision::Month);
        assert_eq!(d("2022-05").range(), (20220501, 20220531));
        assert_eq!(d("2022").range(), (20220101, 20221231));
        assert_eq!(d("2023-02").end(), 20230228);
        assert_eq!(d("2024-02").end(), 20240229);
    }

    #[test]
    fn rejects_invalid_dates() {
        assert_eq!(
            "2022-13-40".parse::<PartialDate>(),
            Err(DateError::Month("2022-13-40".into(), 13))
        );
        assert_eq!(
            "2022-02-30".parse::<PartialDate>(),
            Err(DateError::Day("2022-02-30".into(), 30))
        );
        assert_eq!(
            "2023-02-29".parse::<PartialDate>(),
            Err(DateError::Day("2023-02-29".into(), 29))
        );
        for s in [
            "",
            "22",
            "2022-5",
            "2022/05",
            "2022-05-1",
            "２０２２",
            "2022-05-10T00:00",
            "-2022",
            "2022-00",
        ] {
            assert!(s.parse::<PartialDate>().is_err(), "{s}");
        }
        assert!(matches!("0000".parse::<PartialDate>(), Err(DateError::Year(_))));
    }

    #[test]
    fn orders_by_start_then_precision() {
        let mut v = [d("2022"), d("2022-01"), d("2021-12-31"), d("2022-01-01")];
        v.sort();
        let s: Vec<String> = v.iter().map(|x| x.to_string()).collect();
        assert_eq!(s, ["2021-12-31", "2022-01-01", "2022-01", "2022"]);
    }

    #[test]
    fn overlap_widens_to_precision() {
        assert!(overlaps(d("2022-05").range(), d("2022-05-31").range()));
        assert!(!overlaps(d("2021").range(), (20220101, u32::MAX)));
        assert!(overlaps(
            interval(&d("2021-12-30"), Some(&d("2022-01-02"))),
            (20220101, u32::MAX)
        ));
    }
}
