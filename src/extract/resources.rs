//! The data the extractor runs on: lexicons, gazetteers and patterns under `data/`.
//!
//! Every file is embedded in the binary at build time, so dipgraph extracts from any
//! directory. `DIPGRAPH_DATA=DIR` overrides them file by file: `DIR/lexicons/triggers.tsv`,
//! if it exists, replaces the embedded `data/lexicons/triggers.tsv`, and so on; a file absent
//! from DIR keeps its embedded version. An analyst adds a trigger word, an alias or a title
//! by editing these files, without touching Rust. docs/extraction.md describes every format.
//!
//! Tab-separated files: one entry per line, columns separated by one tab; blank lines and
//! lines starting with `#` are ignored. A `lang` column holds `ar`, `fr`, `en` or `*` (any).
//! Forms are folded with [`fold_name`] when loaded, so they may be written with or without
//! diacritics, in any case.

use crate::ingest::parse_line;
use crate::model::{fold_name, Entity, Record};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The data files, by path relative to `data/`, with their embedded content.
pub const FILES: &[(&str, &str)] = &[
    (
        "lexicons/triggers.tsv",
        include_str!("../../data/lexicons/triggers.tsv"),
    ),
    (
        "lexicons/event_roles.tsv",
        include_str!("../../data/lexicons/event_roles.tsv"),
    ),
    ("lexicons/cues.tsv", include_str!("../../data/lexicons/cues.tsv")),
    ("lexicons/titles.tsv", include_str!("../../data/lexicons/titles.tsv")),
    ("lexicons/dates.tsv", include_str!("../../data/lexicons/dates.tsv")),
    ("lexicons/domains.tsv", include_str!("../../data/lexicons/domains.tsv")),
    (
        "lexicons/demonyms.tsv",
        include_str!("../../data/lexicons/demonyms.tsv"),
    ),
    ("lexicons/names.tsv", include_str!("../../data/lexicons/names.tsv")),
    (
        "lexicons/skeleton.tsv",
        include_str!("../../data/lexicons/skeleton.tsv"),
    ),
    (
        "lexicons/gazetteer.jsonl",
        include_str!("../../data/lexicons/gazetteer.jsonl"),
    ),
    (
        "countries/countries.jsonl",
        include_str!("../../data/countries/countries.jsonl"),
    ),
];

/// A language of the text; lexicon entries carry one, or apply to all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lang {
    Ar,
    Fr,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "ar" => Some(Lang::Ar),
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Ar => "ar",
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    pub const ALL: [Lang; 3] = [Lang::Ar, Lang::Fr, Lang::En];
}

/// Languages an entry applies to: one, or all (`*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Langs(Option<Lang>);

impl Langs {
    pub fn has(self, lang: Lang) -> bool {
        self.0.is_none_or(|l| l == lang)
    }
}

/// How a trigger's arguments are arranged around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Voice {
    /// The subject acts: "X visited Y", "زار X Y".
    Active,
    /// The subject receives: "X received Y", "استقبل X Y" (X hosts, Y visits).
    Receive,
    /// The subject undergoes: "Y was appointed by X", "تم تعيين Y".
    Passive,
    /// "Y was received by X": Y visits, X hosts.
    ReceivePassive,
    /// A noun: "the visit of X to Y", "زيارة X".
    Noun,
    /// "استقبال X لـ Y", "the reception of Y by X": X hosts.
    ReceiveNoun,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tense {
    Past,
    Present,
    Future,
    /// Nouns carry no tense.
    None,
    /// The word only refers back to an event already reported ("the session").
    Anaphor,
}

#[derive(Debug, Clone)]
pub struct TriggerDef {
    pub event_type: String,
    pub langs: Langs,
    /// The (first part of the) form, folded.
    pub form: String,
    /// Further parts of a gapped form ("لجنة … مشتركة"), each within three words of the last.
    pub rest: Vec<String>,
    pub voice: Voice,
    pub tense: Tense,
}

/// The roles that an event type's agent, patient and comitative ("with X") arguments take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleDef {
    pub agent: String,
    pub patient: String,
    pub comitative: String,
    /// Role of every party when the event is symmetric (agent and patient roles equal).
    pub symmetric: bool,
    /// Where the event's location comes from.
    pub location: LocationRule,
    /// Event types that a mention of this type in the same sentence is part of.
    pub part_of: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocationRule {
    /// A place or country named as where it happened.
    Place,
    /// The appointer's country: an appointment happens where the appointer is.
    AgentCountry,
    /// None (a phone call happens nowhere in particular).
    None,
}

/// Kinds of cue words (cues.tsv).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CueKind {
    /// "not", "لم": the event did not happen.
    Negation,
    /// "will", "سوف": it has not happened yet.
    Future,
    /// "plans to", "من المقرر": announced, not reported.
    Plan,
    /// "cancelled", "postponed", "ألغى": the event was called off (status `cancelled`).
    Cancel,
    /// "denied", "نفت", "démenti": an official denial that the event took place (status
    /// `denied`).
    Deny,
    /// "during", "خلال": the event before the cue is part of the event after it.
    Container,
    /// "on the sidelines of", "على هامش": a separate event that shares the other's date and place.
    Sidelines,
    /// "this", "that", "هذه": the trigger after it refers back to an event already reported.
    Anaphor,
    /// "on this occasion", "بهذه المناسبة": same date and place as the previous event.
    Occasion,
    /// "the same day": the date of the previous event.
    SameTime,
    /// "the two sides", "الجانبان": the persons of the previous event.
    BothSides,
    /// "the two agencies": the organizations of the previous event's persons.
    BothSidesOrgs,
    /// "delegation", "وفد": the visitor came with a delegation of their organization.
    Delegation,
    /// "chaired by", "برئاسة": the parties after it chair the committee.
    Chair,
    /// Words that open a new clause ("where", "حيث"): a subject is not looked for across them.
    Clause,
    /// "X said": the party just before is the source, not a participant.
    ReportingAfter,
    /// "according to X", "قال X": the party just after is the source, not a participant.
    ReportingBefore,
    /// The start of page furniture ("Related articles", "مقالات ذات صلة"): the rest is dropped.
    BoilerplateCut,
    /// A line of page furniture ("Advertisement"): that line is dropped.
    BoilerplateLine,
    /// Prepositions, by what they mark.
    PrepTo,
    PrepIn,
    PrepWith,
    PrepBy,
    PrepOf,
    PrepFrom,
    /// Articles and determiners skipped between a preposition and its noun.
    Article,
    /// Head nouns of organization names ("Ministry", "Council", "Commission").
    OrgHead,
    /// "embassy", "سفارة": `embassy of <country> in <place>` makes an organization.
    Embassy,
    /// "officials", "مسؤولي": "officials of X" stands for X.
    PeopleOf,
}

impl CueKind {
    fn parse(s: &str) -> Option<CueKind> {
        Some(match s {
            "negation" => CueKind::Negation,
            "future" => CueKind::Future,
            "plan" => CueKind::Plan,
            "cancel" => CueKind::Cancel,
            "deny" => CueKind::Deny,
            "container" => CueKind::Container,
            "sidelines" => CueKind::Sidelines,
            "anaphor" => CueKind::Anaphor,
            "occasion" => CueKind::Occasion,
            "same_time" => CueKind::SameTime,
            "both_sides" => CueKind::BothSides,
            "both_sides_orgs" => CueKind::BothSidesOrgs,
            "reporting_after" => CueKind::ReportingAfter,
            "reporting_before" => CueKind::ReportingBefore,
            "delegation" => CueKind::Delegation,
            "chair" => CueKind::Chair,
            "clause" => CueKind::Clause,
            "boilerplate_cut" => CueKind::BoilerplateCut,
            "boilerplate_line" => CueKind::BoilerplateLine,
            "prep_to" => CueKind::PrepTo,
            "prep_in" => CueKind::PrepIn,
            "prep_with" => CueKind::PrepWith,
            "prep_by" => CueKind::PrepBy,
            "prep_of" => CueKind::PrepOf,
            "prep_from" => CueKind::PrepFrom,
            "article" => CueKind::Article,
            "org_head" => CueKind::OrgHead,
            "embassy" => CueKind::Embassy,
            "people_of" => CueKind::PeopleOf,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone)]
pub struct CueDef {
    pub kind: CueKind,
    pub langs: Langs,
    pub form: String,
}

/// What a title says about the person who bears it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TitleKind {
    /// Heads an organization named after it: "Director General of X", "رئيس X".
    Head,
    /// A minister; the portfolio may follow ("وزير الصناعة والتجارة").
    Minister,
    /// Head of state or government: "President", "Prime Minister", "King".
    Leader,
    /// An ambassador: "of X" is the sending state, "to/in Y" the receiving one.
    Ambassador,
    /// Any other office or description: "diplomat", "official", "General".
    Office,
    /// A courtesy title before a name: "M.", "Mr", "السيد", "الشيخ".
    Honorific,
    /// "his counterpart", "نظيره": same office, the other side.
    Counterpart,
}

#[derive(Debug, Clone)]
pub struct TitleDef {
    pub langs: Langs,
    pub form: String,
    pub kind: TitleKind,
    /// The office in English, for `holds_position.title`.
    pub title: String,
    pub sector: Option<String>,
}

/// Date words (dates.tsv).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateWord {
    Month(u8),
    /// ISO weekday, Monday = 1.
    Weekday(u8),
    /// A day, month, week or year counted from publication ("yesterday" = Day(-1)).
    Relative(Unit, i32),
    /// "last", "الماضي", "dernier": the latest such month before publication.
    Last,
    /// "next", "المقبل", "prochain": a future one.
    Next,
    /// "this", "الجاري": the month of publication.
    This,
    /// "of last year", "من السنة الماضية": the month in the year before publication.
    LastYear,
    /// "in", "عام", "en": a four-digit number after it is a year.
    YearCue,
    /// A word that may sit inside a date expression ("شهر", "on the").
    Filler,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Day,
    Week,
    Month,
    Year,
}

#[derive(Debug, Clone)]
pub struct DateDef {
    pub langs: Langs,
    pub form: String,
    pub word: DateWord,
    /// Written with a capital in the data (English months and weekdays): the text must too.
    pub capital: bool,
}

/// What a date word read token by token is (dates.tsv kinds `range_to` ... `hijri_era`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatePart {
    /// "au", "to", "إلى": the end of a range follows.
    To,
    /// "et", "and", "و": a second day of a range, or a second date, follows.
    And,
    /// "entre", "between", "du": a range opens, so "et" joins two full dates.
    From,
    /// "الموافق": the same day in the other calendar follows.
    Equivalent,
    /// "هـ", "للهجرة": the date before it is Hijri.
    HijriEra,
}

/// The calendar a suffix or marker puts a number in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    /// No calendar said: an ordinal ("16th", "1er") or a bare number.
    Unsaid,
    Hijri,
    Gregorian,
}

/// Date words that dates.rs and sentences.rs read token by token instead of through the phrase
/// matcher, so that they never count as lexicon words elsewhere: رجب and رمضان are Hijri months
/// and given names, "and" and "du" sit inside names of bodies and people.
#[derive(Debug, Clone, Default)]
pub struct DateTokens {
    /// Folded single words.
    pub words: HashMap<String, DatePart>,
    /// Hijri month names as folded token sequences, with their number.
    pub hijri_months: Vec<(Vec<String>, u8)>,
    /// Attached before a number: the و of "و10".
    pub prefixes: Vec<String>,
    /// Attached after a number: "th" of "16th", "م" of "2016م", "هـ" of "1437هـ".
    pub suffixes: Vec<(String, Era)>,
    /// A relative time stamp of page furniture: "منذ" / "il y a" before a unit, "ago" after.
    pub stamp_before: Vec<Vec<String>>,
    pub stamp_after: Vec<Vec<String>>,
    pub stamp_units: HashSet<String>,
}

impl DateTokens {
    /// Take one dates.tsv row if its kind is read token by token; `Ok(false)` if it is not.
    fn add(&mut self, kind: &str, form: &str, value: &str) -> Result<bool, String> {
        let words = || form.split(' ').map(str::to_string).collect::<Vec<_>>();
        let part = match kind {
            "range_to" => Some(DatePart::To),
            "range_and" => Some(DatePart::And),
            "range_from" => Some(DatePart::From),
            "equivalent" => Some(DatePart::Equivalent),
            "hijri_era" => Some(DatePart::HijriEra),
            _ => None,
        };
        if let Some(part) = part {
            if form.contains(' ') {
                return Err(format!("a {kind} form is one word"));
            }
            self.words.insert(form.to_string(), part);
            return Ok(true);
        }
        match kind {
            "hijri_month" => {
                let m = value.parse::<u8>().ok().filter(|m| (1..=12).contains(m));
                self.hijri_months.push((words(), m.ok_or("hijri_month must be 1..12")?));
            }
            "number_prefix" => self.prefixes.push(form.to_string()),
            "number_suffix" => {
                let era = match value {
                    "ordinal" => Era::Unsaid,
                    "hijri" => Era::Hijri,
                    "gregorian" => Era::Gregorian,
                    v => return Err(format!("number_suffix value is ordinal, hijri or gregorian, not {v}")),
                };
                self.suffixes.push((form.to_string(), era));
            }
            "stamp_before" => self.stamp_before.push(words()),
            "stamp_after" => self.stamp_after.push(words()),
            "stamp_unit" => {
                self.stamp_units.insert(form.to_string());
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}

#[derive(Debug, Clone)]
pub struct DomainDef {
    pub domain: String,
    pub langs: Langs,
    pub form: String,
    /// The form is a word start: "أمن*" matches الأمني, الأمنية ...
    pub prefix: bool,
}

/// An error in a data file, naming the file and line.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct DataError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// Everything loaded from the data files.
#[derive(Debug, Clone)]
pub struct Resources {
    pub triggers: Vec<TriggerDef>,
    pub roles: BTreeMap<String, RoleDef>,
    pub cues: Vec<CueDef>,
    pub titles: Vec<TitleDef>,
    pub dates: Vec<DateDef>,
    /// Date words read token by token (ranges, Hijri months, number affixes, time stamps).
    pub date_tokens: DateTokens,
    pub domains: Vec<DomainDef>,
    /// Domains an event gets from a participant's sector.
    pub sector_domains: BTreeMap<String, Vec<String>>,
    /// Gazetteer entities (organizations, places, extra aliases) and the ISO countries, one
    /// per key, sorted by key; a key in both has its aliases united.
    pub entities: Vec<Entity>,
    /// Organizations that every country has ("Ministry of Foreign Affairs"): key and name
    /// contain `{iso3}` and `{country}`, filled in from the context of each mention.
    pub templates: Vec<Entity>,
    /// (country key, folded adjective or demonym), e.g. ("DEU", "الماني").
    pub demonyms: Vec<(String, String)>,
    /// Folded demonyms written with a capital in the data ("Moroccan"): the text must too.
    pub demonym_capitalized: HashSet<String>,
    pub given_names: HashSet<String>,
    /// Words that cannot be part of a person's name.
    pub stopwords: HashSet<String>,
    /// Lower-case words inside Latin names: bin, de, van, al.
    pub particles: HashSet<String>,
    /// Words after which a period does not end a sentence.
    pub abbreviations: HashSet<String>,
    /// Folded aliases never matched in running text (a country's name that is also a common
    /// word, such as مالي "financial").
    pub not_names: HashSet<String>,
    /// Grapheme → consonant class, for cross-script name matching (skeleton.tsv).
    pub skeleton: super::resolve::Skeleton,
    /// Where each file came from: "embedded" or the override path.
    pub origins: Vec<(String, String)>,
}

impl Resources {
    /// The data in force: the embedded files, each overridden by `DIPGRAPH_DATA/<path>` when
    /// that variable is set and the file exists. Loaded once per process.
    pub fn current() -> Result<&'static Resources, DataError> {
        static CURRENT: OnceLock<Result<Resources, DataError>> = OnceLock::new();
        CURRENT
            .get_or_init(|| Resources::load(std::env::var_os("DIPGRAPH_DATA").map(PathBuf::from).as_deref()))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Load the embedded files, overridden file by file from `dir` if given.
    pub fn load(dir: Option<&Path>) -> Result<Resources, DataError> {
        let mut texts: HashMap<&str, (String, String)> = HashMap::new();
        for (path, embedded) in FILES {
            let over = dir.map(|d| d.join(path)).filter(|p| p.is_file());
            let entry = match over {
                Some(p) => {
                    let text = std::fs::read_to_string(&p).map_err(|e| DataError {
                        file: p.display().to_string(),
                        line: 0,
                        message: e.to_string(),
                    })?;
                    (text, p.display().to_string())
                }
                None => (embedded.to_string(), format!("data/{path} (embedded)")),
            };
            texts.insert(path, entry);
        }
        let get = |p: &str| -> (&str, &str) {
            let (t, n) = &texts[p];
            (t.as_str(), n.as_str())
        };
        let mut r = Resources {
            triggers: Vec::new(),
            roles: BTreeMap::new(),
            cues: Vec::new(),
            titles: Vec::new(),
            dates: Vec::new(),
            date_tokens: DateTokens::default(),
            domains: Vec::new(),
            sector_domains: BTreeMap::new(),
            entities: Vec::new(),
            templates: Vec::new(),
            demonyms: Vec::new(),
            demonym_capitalized: HashSet::new(),
            given_names: HashSet::new(),
            stopwords: HashSet::new(),
            particles: HashSet::new(),
            abbreviations: HashSet::new(),
            not_names: HashSet::new(),
            skeleton: Default::default(),
            origins: FILES.iter().map(|(p, _)| (p.to_string(), texts[p].1.clone())).collect(),
        };
        let (t, n) = get("lexicons/triggers.tsv");
        for (line, cols) in rows(t, n, 5)? {
            let bad = |m: String| err(n, line, m);
            let mut parts = Vec::new();
            for p in cols[2].split(['…']).flat_map(|p| p.split("...")) {
                parts.push(folded(p, n, line)?);
            }
            let form = parts.remove(0);
            r.triggers.push(TriggerDef {
                event_type: cols[0].to_string(),
                langs: langs(cols[1]).ok_or_else(|| bad(format!("unknown language {}", cols[1])))?,
                form,
                rest: parts,
                voice: match cols[3] {
                    "active" => Voice::Active,
                    "receive" => Voice::Receive,
                    "passive" => Voice::Passive,
                    "receive_passive" => Voice::ReceivePassive,
                    "noun" => Voice::Noun,
                    "receive_noun" => Voice::ReceiveNoun,
                    v => return Err(bad(format!("unknown voice {v}"))),
                },
                tense: match cols[4] {
                    "past" => Tense::Past,
                    "present" => Tense::Present,
                    "future" => Tense::Future,
                    "none" => Tense::None,
                    "anaphor" => Tense::Anaphor,
                    v => return Err(bad(format!("unknown tense {v}"))),
                },
            });
        }
        let (t, n) = get("lexicons/event_roles.tsv");
        for (line, cols) in rows(t, n, 6)? {
            let location = match cols[4] {
                "place" => LocationRule::Place,
                "agent_country" => LocationRule::AgentCountry,
                "none" => LocationRule::None,
                l => return Err(err(n, line, format!("unknown location rule {l}"))),
            };
            r.roles.insert(
                cols[0].to_string(),
                RoleDef {
                    agent: cols[1].to_string(),
                    patient: cols[2].to_string(),
                    comitative: cols[3].to_string(),
                    symmetric: cols[1] == cols[2],
                    location,
                    part_of: cols[5]
                        .split(',')
                        .filter(|t| *t != "-")
                        .map(|t| t.trim().to_string())
                        .collect(),
                },
            );
        }
        let (t, n) = get("lexicons/cues.tsv");
        for (line, cols) in rows(t, n, 3)? {
            r.cues.push(CueDef {
                kind: CueKind::parse(cols[0]).ok_or_else(|| err(n, line, format!("unknown cue kind {}", cols[0])))?,
                langs: langs(cols[1]).ok_or_else(|| err(n, line, format!("unknown language {}", cols[1])))?,
                form: folded(cols[2], n, line)?,
            });
        }
        let (t, n) = get("lexicons/titles.tsv");
        for (line, cols) in rows(t, n, 5)? {
            r.titles.push(TitleDef {
                langs: langs(cols[0]).ok_or_else(|| err(n, line, format!("unknown language {}", cols[0])))?,
                form: folded(cols[1], n, line)?,
                kind: match cols[2] {
                    "head" => TitleKind::Head,
                    "minister" => TitleKind::Minister,
                    "leader" => TitleKind::Leader,
                    "ambassador" => TitleKind::Ambassador,
                    "office" => TitleKind::Office,
                    "honorific" => TitleKind::Honorific,
                    "counterpart" => TitleKind::Counterpart,
                    k => return Err(err(n, line, format!("unknown title kind {k}"))),
                },
                title: cols[3].to_string(),
                sector: (cols[4] != "-").then(|| cols[4].to_string()),
            });
        }
        let (t, n) = get("lexicons/dates.tsv");
        for (line, cols) in rows(t, n, 4)? {
            let bad = |m: String| err(n, line, m);
            let form = folded(cols[2], n, line)?;
            if r.date_tokens.add(cols[0], &form, cols[3]).map_err(bad)? {
                continue;
            }
            let num = |s: &str, max: u8| s.parse::<u8>().ok().filter(|v| (1..=max).contains(v));
            let word = match cols[0] {
                "month" => DateWord::Month(num(cols[3], 12).ok_or_else(|| bad("month must be 1..12".into()))?),
                "weekday" => DateWord::Weekday(num(cols[3], 7).ok_or_else(|| bad("weekday must be 1..7".into()))?),
                "relative" => {
                    let (unit, count) = cols[3]
                        .split_once(':')
                        .ok_or_else(|| bad("relative value is UNIT:COUNT".into()))?;
                    let unit = match unit {
                        "day" => Unit::Day,
                        "week" => Unit::Week,
                        "month" => Unit::Month,
                        "year" => Unit::Year,
                        u => return Err(bad(format!("unknown unit {u}"))),
                    };
                    DateWord::Relative(unit, count.parse().map_err(|_| bad(format!("bad count {count}")))?)
                }
                "last" => DateWord::Last,
                "next" => DateWord::Next,
                "this" => DateWord::This,
                "last_year" => DateWord::LastYear,
                "year_cue" => DateWord::YearCue,
                "filler" => DateWord::Filler,
                k => return Err(bad(format!("unknown date word kind {k}"))),
            };
            r.dates.push(DateDef {
                langs: langs(cols[1]).ok_or_else(|| bad(format!("unknown language {}", cols[1])))?,
                form,
                word,
                capital: cols[2].chars().next().is_some_and(char::is_uppercase),
            });
        }
        let (t, n) = get("lexicons/domains.tsv");
        for (line, cols) in rows(t, n, 3)? {
            if cols[1] == "sector" {
                r.sector_domains.insert(
                    cols[0].to_string(),
                    cols[2].split(',').map(|d| d.trim().to_string()).collect(),
                );
                continue;
            }
            let prefix = cols[2].ends_with('*');
            r.domains.push(DomainDef {
                domain: cols[0].to_string(),
                langs: langs(cols[1]).ok_or_else(|| err(n, line, format!("unknown language {}", cols[1])))?,
                form: folded(cols[2].trim_end_matches('*'), n, line)?,
                prefix,
            });
        }
        let (t, n) = get("lexicons/demonyms.tsv");
        for (line, cols) in rows(t, n, 3)? {
            for form in cols[2].split(',') {
                let form = form.trim();
                if !form.is_empty() {
                    let f = folded(form, n, line)?;
                    if form.chars().next().is_some_and(char::is_uppercase) {
                        r.demonym_capitalized.insert(f.clone());
                    }
                    r.demonyms.push((cols[0].to_string(), f));
                }
            }
        }
        let (t, n) = get("lexicons/names.tsv");
        for (line, cols) in rows(t, n, 3)? {
            let f = folded(cols[2], n, line)?;
            match cols[0] {
                "given" => r.given_names.insert(f),
                "stop" => r.stopwords.insert(f),
                "particle" => r.particles.insert(f),
                "abbreviation" => r.abbreviations.insert(f),
                "not_a_name" => r.not_names.insert(f),
                k => return Err(err(n, line, format!("unknown kind {k}"))),
            };
        }
        let (t, n) = get("lexicons/skeleton.tsv");
        r.skeleton = super::resolve::Skeleton::parse(rows(t, n, 3)?, n)?;
        // Countries first, then the gazetteer, which may add aliases to a country.
        let mut by_key: BTreeMap<String, Entity> = BTreeMap::new();
        for file in ["countries/countries.jsonl", "lexicons/gazetteer.jsonl"] {
            let (t, n) = get(file);
            for (i, raw) in t.lines().enumerate() {
                let e = match parse_line(raw.as_bytes(), i + 1) {
                    Ok(None) => continue,
                    Ok(Some(Record::Entity(e))) => e,
                    Ok(Some(_)) => return Err(err(n, i + 1, "only entity records belong here".into())),
                    Err(errs) => {
                        let m = errs
                            .into_iter()
                            .map(|(f, m)| f.map_or(m.clone(), |f| format!("{f}: {m}")))
                            .collect::<Vec<_>>()
                            .join("; ");
                        return Err(err(n, i + 1, m));
                    }
                };
                if e.key.contains("{iso3}") {
                    r.templates.push(e);
                    continue;
                }
                match by_key.get_mut(&e.key) {
                    Some(prev) => crate::ingest::merge_entity(
                        prev,
                        Entity {
                            name: prev.name.clone(),
                            ..e
                        },
                    ),
                    None => {
                        by_key.insert(e.key.clone(), e);
                    }
                }
            }
        }
        r.entities = by_key.into_values().collect();
        Ok(r)
    }
}

fn err(file: &str, line: usize, message: String) -> DataError {
    DataError {
        file: file.to_string(),
        line,
        message,
    }
}

fn langs(s: &str) -> Option<Langs> {
    if s == "*" {
        return Some(Langs(None));
    }
    Lang::parse(s).map(|l| Langs(Some(l)))
}

fn folded(s: &str, file: &str, line: usize) -> Result<String, DataError> {
    let f = fold_name(s);
    if f.is_empty() {
        return Err(err(file, line, format!("\"{s}\" has no letters or digits")));
    }
    Ok(f)
}

/// The data lines of a tab-separated file, each with its line number and exactly `n` columns.
pub fn rows<'t>(text: &'t str, file: &str, n: usize) -> Result<Vec<(usize, Vec<&'t str>)>, DataError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').map(str::trim).collect();
        if cols.len() != n {
            return Err(err(
                file,
                i + 1,
                format!("expected {n} tab-separated columns, found {}", cols.len()),
            ));
        }
        out.push((i + 1, cols));
    }
    Ok(out)
}
