//! Measured quality: precision, recall and F1 of extraction against hand-annotated articles.
//!
//! A gold directory holds, per article, `NAME.gold.json`:
//!
//! ```json
//! {"article": "ar-01.ar.txt", "lang": "ar", "published": "2023-01-19",
//!  "entities": [{"key": "person:bourita", "type": "person", "names": ["Nasser Bourita", "ناصر بوريطة"]}],
//!  "events": [{"type": "visit", "date": "2023-01-18", "location": "place:rabat",
//!              "participants": [{"entity": "person:albares", "role": "visitor"}]}]}
//! ```
//!
//! `article` is a path relative to the gold file. Each article is extracted as if into an
//! empty store (only data/ is known), so the figures do not depend on any store.
//!
//! Matching rules:
//! - An extracted entity matches a gold entity of the same type when one of its names
//!   (name or alias) folds ([`fold_name`]) to one of the gold names, or, for people, when
//!   the two names' consonant skeletons are at least [`super::resolve::SAME`] alike. Each
//!   entity matches at most one. Entity scores count the entities the article mentions.
//! - An extracted event matches a gold event when the type is the same, the date is the same
//!   at the gold date's precision (an extracted 2022-06-10 matches gold 2022-06; an extracted
//!   2022-06 does not match gold 2022-06-10), and the participant sets are the same after
//!   mapping extracted entities to gold ones. Roles and locations are reported, not scored.

use super::resolve::SAME;
use super::{extract, Known, Lang, Options, Resources};
use crate::model::{fold_name, PartialDate, Precision, Record};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
pub struct Gold {
    pub article: String,
    pub lang: Option<String>,
    pub published: Option<String>,
    #[serde(default)]
    pub entities: Vec<GoldEntity>,
    #[serde(default)]
    pub events: Vec<GoldEvent>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GoldEntity {
    pub key: String,
    #[serde(rename = "type")]
    pub entity_type: String,
    pub names: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GoldEvent {
    #[serde(rename = "type")]
    pub event_type: String,
    pub date: String,
    pub location: Option<String>,
    pub participants: Vec<GoldParticipant>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GoldParticipant {
    pub entity: String,
    pub role: String,
}

/// True and false positives and false negatives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub tp: usize,
    pub fp: usize,
    #[serde(rename = "fn")]
    pub fn_: usize,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }

    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    fn add(&mut self, o: Counts) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

/// The evaluation of one article.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleScore {
    pub gold: String,
    pub entities: Counts,
    pub events: Counts,
    /// Matched events whose roles or location differ from the gold's.
    pub role_or_location_differences: usize,
    pub missed_entities: Vec<String>,
    pub spurious_entities: Vec<String>,
    pub missed_events: Vec<String>,
    pub spurious_events: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub articles: Vec<ArticleScore>,
    pub entities: Counts,
    pub events: Counts,
}

/// Evaluate every `*.gold.json` of `dir`, in name order.
pub fn evaluate(dir: &Path, res: &Resources) -> Result<Report, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".gold.json"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("{}: no *.gold.json files", dir.display()));
    }
    let mut report = Report {
        articles: Vec::new(),
        entities: Counts::default(),
        events: Counts::default(),
    };
    for f in files {
        let name = f.display().to_string();
        let text = std::fs::read_to_string(&f).map_err(|e| format!("{name}: {e}"))?;
        let gold: Gold = serde_json::from_str(&text).map_err(|e| format!("{name}: {e}"))?;
        let article = f.parent().unwrap_or(Path::new(".")).join(&gold.article);
        let source = std::fs::read_to_string(&article).map_err(|e| format!("{}: {e}", article.display()))?;
        let published = match &gold.published {
            Some(p) => Some(
                p.parse::<PartialDate>()
                    .map_err(|e| format!("{name}: published: {e}"))?,
            ),
            None => None,
        };
        let opts = Options {
            lang: gold.lang.as_deref().and_then(Lang::parse),
            published,
            url: None,
            html: None,
        };
        let stem = Path::new(&gold.article)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let x = extract(&source, &stem, &opts, &Known::default(), res);
        let score = score(&name, &gold, &x.records, &x.mentioned, res);
        report.entities.add(score.entities);
        report.events.add(score.events);
        report.articles.push(score);
    }
    Ok(report)
}

struct SysEntity {
    key: String,
    etype: String,
    names: Vec<String>,
}

/// Score one article's records against its gold.
pub fn score(name: &str, gold: &Gold, records: &[Record], mentioned: &[String], res: &Resources) -> ArticleScore {
    let sys: Vec<SysEntity> = records
        .iter()
        .filter_map(|r| match r {
            Record::Entity(e) => Some(SysEntity {
                key: e.key.clone(),
                etype: e.entity_type.clone(),
                names: std::iter::once(e.name.clone())
                    .chain(e.aliases.iter().cloned())
                    .collect(),
            }),
            _ => None,
        })
        .collect();
    let matches = |s: &SysEntity, g: &GoldEntity, fuzzy: bool| -> bool {
        if s.etype != g.entity_type {
            return false;
        }
        let gf: BTreeSet<String> = g.names.iter().map(|n| fold_name(n)).collect();
        if s.names.iter().any(|n| gf.contains(&fold_name(n))) || s.key == g.key {
            return true;
        }
        fuzzy
            && s.etype == "person"
            && s.names
                .iter()
                .any(|a| g.names.iter().any(|b| res.skeleton.similarity(a, b) >= SAME))
    };
    // sys key → gold key: mentioned entities first, exact names before skeletons.
    let mut map: BTreeMap<String, String> = BTreeMap::new();
    let mut used: BTreeSet<String> = BTreeSet::new();
    let order: Vec<&SysEntity> = sys
        .iter()
        .filter(|s| mentioned.contains(&s.key))
        .chain(sys.iter().filter(|s| !mentioned.contains(&s.key)))
        .collect();
    for fuzzy in [false, true] {
        for s in &order {
            if map.contains_key(&s.key) {
                continue;
            }
            if let Some(g) = gold
                .entities
                .iter()
                .find(|g| !used.contains(&g.key) && matches(s, g, fuzzy))
            {
                map.insert(s.key.clone(), g.key.clone());
                used.insert(g.key.clone());
            }
        }
    }
    let mut entities = Counts::default();
    let mut spurious_entities = Vec::new();
    for k in mentioned {
        match map.get(k) {
            Some(_) => entities.tp += 1,
            None => {
                entities.fp += 1;
                spurious_entities.push(k.clone());
            }
        }
    }
    let matched_gold: BTreeSet<&String> = mentioned.iter().filter_map(|k| map.get(k)).collect();
    let missed_entities: Vec<String> = gold
        .entities
        .iter()
        .filter(|g| !matched_gold.contains(&g.key))
        .map(|g| g.key.clone())
        .collect();
    entities.fn_ = missed_entities.len();

    // Events.
    let sys_events: Vec<&crate::model::Event> = records
        .iter()
        .filter_map(|r| match r {
            Record::Event(e) => Some(e),
            _ => None,
        })
        .collect();
    let mapped = |k: &str| map.get(k).cloned().unwrap_or_else(|| format!("sys:{k}"));
    let mut events = Counts::default();
    let mut gold_used = vec![false; gold.events.len()];
    let mut spurious_events = Vec::new();
    let mut differences = 0;
    for e in &sys_events {
        let parts: BTreeSet<String> = e.participants.iter().map(|p| mapped(&p.entity)).collect();
        let hit = gold.events.iter().enumerate().find(|(i, g)| {
            !gold_used[*i]
                && g.event_type == e.event_type
                && same_date(&e.date, &g.date)
                && g.participants.iter().map(|p| p.entity.clone()).collect::<BTreeSet<_>>() == parts
        });
        match hit {
            Some((i, g)) => {
                gold_used[i] = true;
                events.tp += 1;
                let roles: BTreeSet<(String, String)> = e
                    .participants
                    .iter()
                    .map(|p| (mapped(&p.entity), p.role.clone()))
                    .collect();
                let groles: BTreeSet<(String, String)> = g
                    .participants
                    .iter()
                    .map(|p| (p.entity.clone(), p.role.clone()))
                    .collect();
                let loc_ok = g.location.is_none() || e.location.as_deref().map(mapped) == g.location;
                if roles != groles || !loc_ok {
                    differences += 1;
                }
            }
            None => {
                events.fp += 1;
                spurious_events.push(describe(&e.event_type, &e.date.to_string(), parts.iter()));
            }
        }
    }
    let mut missed_events = Vec::new();
    for (i, g) in gold.events.iter().enumerate() {
        if !gold_used[i] {
            events.fn_ += 1;
            missed_events.push(describe(
                &g.event_type,
                &g.date,
                g.participants.iter().map(|p| &p.entity),
            ));
        }
    }
    ArticleScore {
        gold: name.to_string(),
        entities,
        events,
        role_or_location_differences: differences,
        missed_entities,
        spurious_entities,
        missed_events,
        spurious_events,
    }
}

fn describe<'a>(t: &str, date: &str, parts: impl Iterator<Item = &'a String>) -> String {
    format!("{t} {date} [{}]", parts.cloned().collect::<Vec<_>>().join(", "))
}

/// The extracted date, cut to the gold date's precision, is the gold date.
fn same_date(sys: &PartialDate, gold: &str) -> bool {
    let Ok(g) = gold.parse::<PartialDate>() else {
        return false;
    };
    if sys.precision() < g.precision() {
        return false;
    }
    let cut = match g.precision() {
        Precision::Year => PartialDate::year(sys.year_part()),
        Precision::Month => sys.month_part().and_then(|m| PartialDate::month(sys.year_part(), m)),
        Precision::Day => Some(*sys),
    };
    cut == Some(g)
}

impl Report {
    /// A table: one line per article, then the totals.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!(
            "{:<48} {:>14} {:>14}\n",
            "article", "entities tp/fp/fn", "events tp/fp/fn"
        ));
        for a in &self.articles {
            let name = Path::new(&a.gold)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            out.push_str(&format!(
                "{:<48} {:>17} {:>15}\n",
                name,
                format!("{}/{}/{}", a.entities.tp, a.entities.fp, a.entities.fn_),
                format!("{}/{}/{}", a.events.tp, a.events.fp, a.events.fn_)
            ));
            for m in &a.missed_events {
                out.push_str(&format!("    missed event:   {m}\n"));
            }
            for m in &a.spurious_events {
                out.push_str(&format!("    spurious event: {m}\n"));
            }
            if !a.missed_entities.is_empty() {
                out.push_str(&format!("    missed entities:   {}\n", a.missed_entities.join(", ")));
            }
            if !a.spurious_entities.is_empty() {
                out.push_str(&format!("    spurious entities: {}\n", a.spurious_entities.join(", ")));
            }
        }
        let line = |what: &str, c: &Counts| {
            format!(
                "{what}: precision {:.3}  recall {:.3}  F1 {:.3}  (tp {}, fp {}, fn {})\n",
                c.precision(),
                c.recall(),
                c.f1(),
                c.tp,
                c.fp,
                c.fn_
            )
        };
        out.push('\n');
        out.push_str(&line("entities", &self.entities));
        out.push_str(&line("events  ", &self.events));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_match_at_the_gold_precision() {
        let d = |s: &str| s.parse::<PartialDate>().unwrap();
        assert!(same_date(&d("2022-06-10"), "2022-06"));
        assert!(same_date(&d("2022-06-10"), "2022"));
        assert!(!same_date(&d("2022-06"), "2022-06-10"));
        assert!(!same_date(&d("2022-07-01"), "2022-06"));
        let c = Counts { tp: 8, fp: 2, fn_: 2 };
        assert!((c.f1() - 0.8).abs() < 1e-9);
    }
}
