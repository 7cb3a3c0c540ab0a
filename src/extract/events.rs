//! Events: triggers, their arguments and roles, dates, modality, then coreference.
//!
//! For each trigger of a live sentence:
//! - modality: a negation just before it, a future or plan cue earlier in its clause (or a
//!   future adjective just after it), a future tense, or a date after publication mean it
//!   reports no event (noted as skipped);
//! - arguments: the parties (persons, organizations, countries) between the previous and the
//!   next trigger of the sentence, read by the trigger's voice and the language's word order
//!   (subject before the verb in French and English; in Arabic after it, unless a subject
//!   stands right before it), prepositions (to/إلى/à, in/ب/في, with/مع/avec, by/من قبل/par,
//!   the ل of استقبال X لـ Y) and the roles of data/lexicons/event_roles.tsv;
//! - "the two sides" and its kin stand for the people of the previous event;
//! - the date expression nearest after the trigger (or before it when no trigger precedes
//!   the date) in the sentence; cues "during", "on the sidelines of", "on this occasion", "the
//!   same day" link it to another event whose date and place it takes when it has none.
//!
//! Coreference: a trigger with "this/that" (هذه الزيارة), a definite noun with no parties of
//! its own, and a headline add their sentence to the event they refer to; talks held during a
//! visit or a call are part of it; two mentions of one type that agree on date, place and
//! principal participant are one event with both quotes. An event left without a date takes
//! the date of the event the narrative is at, else the publication date, and says so.

use super::dates::{self, Resolution, Strength};
use super::gazetteer::Ents;
use super::ner::{Found, Mention};
use super::normalize::is_arabic;
use super::resources::{CueKind, LocationRule, Tense, TitleKind, Voice};
use super::{Doc, Note, NoteKind, Offsets, What};
use crate::model::{EventStatus as Status, PartialDate};
use std::collections::BTreeSet;

/// How many candidate mentions back coreference looks for an antecedent: an article refers
/// back to events it reported recently, and the bound keeps a long text linear.
const WINDOW: usize = 40;

/// What the words around a trigger say about it.
#[derive(Debug, Clone, PartialEq)]
enum Modality {
    /// An event with this status; the reason is kept for non-reported ones.
    Status(Status, String),
    /// No event: plainly negated ("did not meet"), which is not an official denial.
    Skip(String),
}

/// An extracted event, before it becomes a record.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub etype: String,
    pub status: Status,
    /// Why the event is not `reported` (the cue that says so), for `props.status_basis`.
    pub status_basis: Option<String>,
    pub parts: Vec<(usize, String)>,
    pub location: Option<usize>,
    pub date: DateVal,
    /// (sentence, trigger tokens, rule) of every mention, in text order.
    pub sources: Vec<(usize, (usize, usize), String)>,
    pub domains: BTreeSet<String>,
    pub confidence: f64,
    /// Inferences worth telling the analyst (a host taken from a later sentence ...).
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DateVal {
    pub date: PartialDate,
    pub end: Option<PartialDate>,
    pub strength: Strength,
    pub basis: String,
}

/// How a party is introduced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    None,
    To,
    In,
    With,
    By,
    Of,
    From,
    /// Arabic ل attached: the recipient after استقبال, a destination, "of".
    Lam,
    /// Arabic ب attached: "in", "with".
    Bi,
}

#[derive(Debug, Clone, Copy)]
struct Party {
    ent: usize,
    /// Joined to the party before by an attached و ("المغرب والاتحاد الأوروبي").
    conj: bool,
    /// First token (of the title phrase that introduces the person, if any).
    pos: usize,
    end: usize,
    marker: Marker,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Link {
    /// Part of the event of that trigger ("during").
    Inside,
    /// Beside it, sharing date and place ("on the sidelines of").
    Beside,
}

#[derive(Debug, Clone)]
struct Cand {
    etype: String,
    sent: usize,
    trig: (usize, usize),
    voice: Voice,
    /// Reported in the present tense ("يستقبل", "reçoit"): the news of the day.
    present: bool,
    rule: String,
    anaphor: bool,
    /// A definite noun with no parties of its own: it refers back if there is an event to
    /// refer to, else it stands for a new one ("their Joint Commission").
    weak: bool,
    headline: bool,
    skipped: Option<String>,
    status: Status,
    status_basis: Option<String>,
    parts: Vec<(usize, String)>,
    loc: Option<usize>,
    date: Option<DateVal>,
    unresolved: Option<String>,
    /// (other candidate's trigger start, link)
    link: Option<(usize, Link)>,
    occasion: bool,
    same_time: bool,
    inferred: Vec<String>,
    sources: Vec<(usize, (usize, usize), String)>,
    alive: bool,
}

/// Assemble the events of a document.
pub(crate) fn assemble(
    doc: &Doc,
    found: &Found,
    ents: &Ents,
    published: Option<PartialDate>,
    notes: &mut Vec<Note>,
    off: &Offsets,
) -> Vec<Event> {
    let mut demonym_tok = vec![false; doc.toks.len()];
    let mut owner: Vec<Option<usize>> = vec![None; doc.toks.len()];
    for (i, m) in found.mentions.iter().enumerate() {
        if m.demonym {
            for t in &mut demonym_tok[m.a..m.b] {
                *t = true;
            }
        }
        if !m.nested {
            for t in &mut owner[m.a..m.b] {
                *t = Some(i);
            }
        }
    }
    let mut a = Assembler {
        doc,
        found,
        ents,
        published,
        notes,
        off,
        cands: Vec::new(),
        demonym_tok,
        owner,
        merged_into: Vec::new(),
        linked: Default::default(),
        by_person: Default::default(),
    };
    for (i, p) in found.positions.iter().enumerate() {
        a.by_person.entry(p.person).or_default().push(i);
    }
    for s in 0..doc.sents.len() {
        if doc.live[s] && !found.bylines.contains(&s) {
            a.sentence(s);
        }
    }
    a.link_and_merge();
    a.finish()
}

struct Assembler<'a, 'd> {
    doc: &'a Doc<'d>,
    found: &'a Found,
    ents: &'a Ents,
    published: Option<PartialDate>,
    notes: &'a mut Vec<Note>,
    off: &'a Offsets<'a>,
    cands: Vec<Cand>,
    /// Tokens inside a country adjective ("the *Spanish* Guardia Civil").
    demonym_tok: Vec<bool>,
    /// Token → the top-level mention covering it.
    owner: Vec<Option<usize>>,
    /// Candidate → the candidate it was merged into.
    merged_into: Vec<Option<usize>>,
    /// Event → the sentences of the events linked to it ("on the sidelines of", "during").
    linked: std::collections::HashMap<usize, Vec<usize>>,
    /// Person → indexes of their positions.
    by_person: std::collections::HashMap<usize, Vec<usize>>,
}

impl Assembler<'_, '_> {
    fn roles(&self, etype: &str) -> &super::resources::RoleDef {
        &self.doc.res.roles[etype]
    }

    fn is_person(&self, e: usize) -> bool {
        self.ents.is(e, "person")
    }

    fn is_actor(&self, e: usize) -> bool {
        self.ents.is(e, "person") || self.ents.is(e, "organization")
    }

    /// A place or country an event can happen in; a region without a country (the Sahel,
    /// the Mediterranean) is what talks are about, not where they are held.
    fn is_where(&self, e: usize) -> bool {
        (self.ents.is(e, "place") && self.ents.list[e].entity.country.is_some()) || self.ents.is(e, "country")
    }

    /// The parties of sentence `s`, in text order.
    fn parties(&self, s: usize) -> Vec<Party> {
        let doc = self.doc;
        let (lo, hi) = doc.sents[s].toks;
        let mut out: Vec<Party> = Vec::new();
        // Mentions and title phrases are sorted by first token: this sentence's are a range.
        let ms = &self.found.mentions;
        let first = ms.partition_point(|m| m.a < lo);
        let last = ms.partition_point(|m| m.a < hi);
        let ts = &self.found.titles;
        let titles = &ts[ts.partition_point(|t| t.a < lo)..ts.partition_point(|t| t.a < hi)];
        for (i, m) in ms.iter().enumerate().take(last).skip(first) {
            if m.b > hi || m.nested || m.demonym || self.found.consumed[i] || self.found.modifier[i] {
                continue;
            }
            // A title phrase that introduces this person: the party starts with the title.
            let title = titles
                .iter()
                .find(|t| t.name.is_some_and(|(a, b)| a <= m.a && m.b <= b));
            let pos = title.map_or(m.a, |t| t.chain.min(m.a));
            if self.reported_source(pos, m.b) {
                continue;
            }
            if self.possessive(m) {
                continue;
            }
            let conj = pos == m.a && m.prefix > 0 && doc.toks.view[doc.toks.toks[m.a].view.0..].starts_with('و');
            out.push(Party {
                ent: m.ent,
                conj,
                pos,
                end: m.b,
                marker: self.marker(pos, if pos == m.a { Some(m) } else { None }),
            });
        }
        // Offices named without a name, resolved to who holds them.
        for t in titles {
            if t.name.is_some() || t.chained || t.b > hi {
                continue;
            }
            if self.reported_source(t.a, t.b) {
                continue;
            }
            for &p in &t.persons {
                out.push(Party {
                    ent: p,
                    conj: false,
                    pos: t.a,
                    end: t.b,
                    marker: self.marker(t.a, None),
                });
            }
        }
        out.sort_by_key(|p| (p.pos, p.end));
        out.dedup_by(|x, y| x.ent == y.ent && x.pos == y.pos);
        out
    }

    /// "Spain's Council": the country only qualifies what follows.
    fn possessive(&self, m: &Mention) -> bool {
        let doc = self.doc;
        doc.toks.toks.get(m.b).is_some_and(|t| t.is_word())
            && doc.folded(m.b) == "s"
            && matches!(
                &doc.text[doc.toks.toks[m.b - 1].end..doc.toks.toks[m.b].start],
                "'" | "’"
            )
            && doc
                .toks
                .toks
                .get(m.b + 1)
                .is_none_or(|n| n.start > doc.toks.toks[m.b].end)
            && !is_arabic(doc.folded(m.a))
            && doc.lang == super::Lang::En
    }

    /// A source of the report, not a participant: "X said", "according to X", "قال X".
    fn reported_source(&self, a: usize, b: usize) -> bool {
        let doc = self.doc;
        let after = doc.cue_at(b, CueKind::ReportingAfter).is_some();
        let before = (a.saturating_sub(3)..a).any(|i| {
            doc.hits_at(i)
                .any(|h| h.what == What::Cue(CueKind::ReportingBefore) && h.b <= a && h.b + 3 > a)
        });
        after || before
    }

    fn marker(&self, pos: usize, m: Option<&Mention>) -> Marker {
        let doc = self.doc;
        if let Some(m) = m {
            if m.prefix == 0
                && m.a > 0
                && is_arabic(doc.folded(m.a))
                && doc.cue_at(m.a - 1, CueKind::PeopleOf).is_some()
            {
                return self.marker(m.a - 1, None);
            }
            if m.prefix > 0 {
                let t = &doc.toks.toks[m.a];
                let pre = &doc.toks.view[t.view.0..t.view.0 + m.prefix];
                let pre = pre.trim_start_matches(['و', 'ف']);
                match pre.chars().next() {
                    Some('ب') => return Marker::Bi,
                    Some('ل') => return Marker::Lam,
                    _ => {}
                }
            }
        }
        let mut k = pos;
        while k > 0 && (doc.cue_at(k - 1, CueKind::Article).is_some() || self.demonym_tok[k - 1]) {
            k -= 1;
        }
        for (kind, marker) in [
            (CueKind::PrepBy, Marker::By),
            (CueKind::PrepWith, Marker::With),
            (CueKind::PrepTo, Marker::To),
            (CueKind::PrepIn, Marker::In),
            (CueKind::PrepOf, Marker::Of),
            (CueKind::PrepFrom, Marker::From),
        ] {
            if let Some(h) = doc.cue_ending_at(k, kind) {
                // "with officials of the Guardia Civil": the organization stands where the
                // officials do.
                if marker == Marker::Of && h.a > 0 {
                    let mut w = h.a;
                    while w > 0 && doc.cue_at(w - 1, CueKind::Article).is_some() {
                        w -= 1;
                    }
                    if w > 0 && doc.cue_at(w - 1, CueKind::PeopleOf).is_some() {
                        return self.marker(w - 1, None);
                    }
                }
                return marker;
            }
        }
        Marker::None
    }

    // ---- one sentence ----------------------------------------------------------------

    fn sentence(&mut self, s: usize) {
        let doc = self.doc;
        let (lo, hi) = doc.sents[s].toks;
        // Triggers: the longest where they overlap, none inside a name.
        let mut trigs: Vec<(usize, usize, usize, bool)> = Vec::new();
        for i in lo..hi {
            for h in doc.hits_at(i) {
                if let What::Trigger(def) = h.what {
                    if h.b > hi {
                        continue;
                    }
                    let in_name = self.owner[h.a]
                        .map(|m| &self.found.mentions[m])
                        .is_some_and(|m| m.a <= h.a && h.b <= m.b && !(m.a == h.a && m.b == h.b));
                    if in_name {
                        continue;
                    }
                    trigs.push((h.a, h.b, def, h.suffix));
                }
            }
        }
        trigs.sort_by_key(|&(a, b, _, _)| (a, std::cmp::Reverse(b)));
        let mut kept: Vec<(usize, usize, usize, bool)> = Vec::new();
        for t in trigs {
            if kept.iter().any(|k| t.0 < k.1 && k.0 < t.1) {
                continue;
            }
            kept.push(t);
        }
        if kept.is_empty() {
            return;
        }
        let parties = self.parties(s);
        let dates = dates::find(doc, lo, hi);
        let dates: Vec<_> = dates.into_iter().filter(|d| !self.dateline(s, d.toks)).collect();
        // Each date goes to the nearest trigger before it, else to the first after it; a
        // trigger takes the nearest date after it, else the nearest before it.
        let mut date_of: Vec<Option<usize>> = vec![None; kept.len()];
        let mut dist: Vec<(bool, usize)> = vec![(true, usize::MAX); kept.len()];
        for (di, d) in dates.iter().enumerate() {
            let before = kept.iter().rposition(|t| t.1 <= d.toks.0);
            let target = before.or_else(|| kept.iter().position(|t| t.0 >= d.toks.1));
            if let Some(t) = target {
                let after = kept[t].1 <= d.toks.0;
                let gap = if after {
                    d.toks.0 - kept[t].1
                } else {
                    kept[t].0 - d.toks.1
                };
                let rank = (!after, gap);
                if rank < dist[t] {
                    dist[t] = rank;
                    date_of[t] = Some(di);
                }
            }
        }
        let first_cand = self.cands.len();
        let spans: Vec<(usize, usize)> = kept.iter().map(|t| (t.0, t.1)).collect();
        for (ti, &(a, b, def, suffix)) in kept.iter().enumerate() {
            let tdef = &doc.res.triggers[def];
            let scope_lo = if ti == 0 { lo } else { kept[ti - 1].1 };
            let scope_hi = kept.get(ti + 1).map_or(hi, |n| n.0);
            let rule = format!(
                "{}:{}:{:?}:\"{}\"",
                tdef.event_type,
                doc.lang.code(),
                tdef.voice,
                doc.original(a, b)
            )
            .to_lowercase();
            let mut c = Cand {
                etype: tdef.event_type.clone(),
                sent: s,
                trig: (a, b),
                voice: tdef.voice,
                present: tdef.tense == Tense::Present,
                rule,
                anaphor: tdef.tense == Tense::Anaphor,
                weak: false,
                headline: doc.headline[s],
                skipped: None,
                status: Status::Reported,
                status_basis: None,
                parts: Vec::new(),
                loc: None,
                date: None,
                unresolved: None,
                link: None,
                occasion: doc.cue_in(lo, hi, CueKind::Occasion).is_some(),
                same_time: doc.cue_in(lo, hi, CueKind::SameTime).is_some(),
                inferred: Vec::new(),
                sources: vec![(s, (a, b), String::new())],
                alive: true,
            };
            c.sources[0].2 = c.rule.clone();
            if !doc.res.roles.contains_key(&c.etype) {
                continue;
            }
            // Anaphora: "هذه الزيارة", "cette visite", "his visit" (زيارته).
            let noun = matches!(tdef.voice, Voice::Noun | Voice::ReceiveNoun);
            if (a > lo && doc.cue_ending_at(a, CueKind::Anaphor).is_some())
                || (a > lo + 1
                    && doc.cue_at(a - 1, CueKind::Article).is_some()
                    && doc.cue_ending_at(a - 1, CueKind::Anaphor).is_some())
                || (noun && suffix)
            {
                c.anaphor = true;
            }
            match self.modality(s, a, b, tdef.tense) {
                Modality::Skip(why) => c.skipped = Some(why),
                Modality::Status(st, why) => {
                    c.status = st;
                    c.status_basis = (st != Status::Reported).then_some(why);
                }
            }
            let in_scope: Vec<Party> = parties
                .iter()
                .copied()
                .filter(|p| p.pos >= scope_lo && p.pos < scope_hi)
                .collect();
            let before_all: Vec<Party> = parties.iter().copied().filter(|p| p.pos < a).collect();
            self.assign(
                &mut c,
                &in_scope,
                &before_all,
                scope_lo,
                scope_hi,
                suffix && !noun,
                &spans,
            );
            if noun && c.parts.is_empty() && self.definite(a) && !c.anaphor {
                // A definite noun with no parties of its own refers back ("the meeting", المباحثات).
                c.weak = true;
            }
            if let Some(di) = date_of[ti] {
                let d = &dates[di];
                let text = doc.original(d.toks.0, d.toks.1);
                match dates::resolve(&d.spec, self.published, text) {
                    Resolution::Resolved {
                        date,
                        end,
                        strength,
                        basis,
                    } => {
                        if let Some(p) = self.published {
                            if dates::is_future(date, p) && c.status == Status::Reported {
                                c.status = Status::Planned;
                                c.status_basis = Some(format!("dated {date}, after publication"));
                            }
                        }
                        c.date = Some(DateVal {
                            date,
                            end,
                            strength,
                            basis,
                        })
                    }
                    Resolution::Unresolved(m) => c.unresolved = Some(m),
                }
            }
            self.cands.push(c);
        }
        self.links(s, first_cand);
        // Undated events take the date of a dated event of the same sentence.
        let dated: Vec<(usize, DateVal)> = (first_cand..self.cands.len())
            .filter_map(|i| self.cands[i].date.clone().map(|d| (i, d)))
            .collect();
        for i in first_cand..self.cands.len() {
            if self.cands[i].date.is_none() && self.cands[i].unresolved.is_none() {
                if let Some((_, d)) = dated.iter().min_by_key(|(j, _)| j.abs_diff(i)) {
                    self.cands[i].date = Some(DateVal {
                        strength: Strength::Inherited,
                        basis: format!("same sentence as an event dated {}", d.date),
                        ..d.clone()
                    });
                }
            }
        }
    }

    /// Whether the noun at token `a` is definite: Arabic ال (after و ف ب ل), or a Latin
    /// article before it.
    fn definite(&self, a: usize) -> bool {
        let doc = self.doc;
        let f = doc.folded(a).trim_start_matches(['و', 'ف', 'ب']);
        if is_arabic(f) {
            return f.starts_with("ال") || f.starts_with("لل");
        }
        a > 0 && doc.cue_at(a - 1, CueKind::Article).is_some()
    }

    /// A date in a dateline ("RABAT, March 9 (Staff) -") dates the dispatch, not an event.
    fn dateline(&self, s: usize, toks: (usize, usize)) -> bool {
        let doc = self.doc;
        let lo = doc.sents[s].toks.0;
        toks.0 < lo + 4
            && (toks.1..(toks.1 + 5).min(doc.toks.len()))
                .any(|i| matches!(doc.toks.toks[i].punct(), Some('-' | '–' | '—')))
    }

    /// What the words around a trigger say: a plain negation just before it means no event;
    /// a denial earlier in the sentence, a cancellation in its clause, and a future tense or
    /// a future or plan cue earlier in its clause (or a future adjective just after it) give
    /// the event a status other than `reported`.
    fn modality(&self, s: usize, a: usize, b: usize, tense: Tense) -> Modality {
        let doc = self.doc;
        let (lo, hi) = doc.sents[s].toks;
        let quoted = |h: &super::Hit| doc.original(h.a, h.b).to_string();
        // An official denial before it in the sentence: "نفت السعودية أن يكون ... قد زار".
        if let Some(h) = (lo..a).rev().find_map(|i| doc.cue_at(i, CueKind::Deny)) {
            return Modality::Status(Status::Denied, format!("denied (\"{}\")", quoted(h)));
        }
        if let Some(h) = self.cancel_cue(lo, hi, a, b) {
            return Modality::Status(Status::Cancelled, format!("called off (\"{}\")", quoted(h)));
        }
        // A negation just before, without punctuation in between.
        for i in (a.saturating_sub(4).max(lo)..a).rev() {
            if doc.is_punct(i) {
                break;
            }
            if let Some(h) = doc.cue_at(i, CueKind::Negation) {
                return Modality::Skip(format!("negated (\"{}\")", quoted(h)));
            }
        }
        if tense == Tense::Future {
            return Modality::Status(Status::Planned, "future tense".into());
        }
        // A future or plan cue earlier in the clause.
        for i in (lo..a).rev() {
            if doc.cue_at(i, CueKind::Clause).is_some() {
                break;
            }
            for kind in [CueKind::Future, CueKind::Plan] {
                if let Some(h) = doc.cue_at(i, kind) {
                    if h.b <= a {
                        return Modality::Status(Status::Planned, format!("announced (\"{}\")", quoted(h)));
                    }
                }
            }
        }
        // "الزيارة المرتقبة", "la visite prévue".
        for i in b..(b + 2).min(hi) {
            if let Some(h) = doc.cue_at(i, CueKind::Future) {
                return Modality::Status(Status::Planned, format!("announced (\"{}\")", quoted(h)));
            }
        }
        Modality::Status(Status::Reported, String::new())
    }

    /// A cancellation cue in the trigger's clause: before it ("Pompeo cancels talks"), or
    /// within a few words after it with no other trigger between ("the visit, postponed").
    fn cancel_cue(&self, lo: usize, hi: usize, a: usize, b: usize) -> Option<&super::Hit> {
        let doc = self.doc;
        for i in (lo..a).rev() {
            if doc.cue_at(i, CueKind::Clause).is_some() {
                break;
            }
            if let Some(h) = doc.cue_at(i, CueKind::Cancel) {
                return Some(h);
            }
        }
        for i in b..(b + 8).min(hi) {
            if doc.cue_at(i, CueKind::Clause).is_some() || doc.hits_at(i).any(|h| matches!(h.what, What::Trigger(_))) {
                break;
            }
            if let Some(h) = doc.cue_at(i, CueKind::Cancel) {
                return Some(h);
            }
        }
        None
    }

    /// Arguments and roles of one trigger.
    #[allow(clippy::too_many_arguments)]
    fn assign(
        &self,
        c: &mut Cand,
        scope: &[Party],
        before_all: &[Party],
        lo: usize,
        hi: usize,
        object_pronoun: bool,
        triggers: &[(usize, usize)],
    ) {
        let doc = self.doc;
        let rd = self.roles(&c.etype).clone();
        let arabic = doc.lang == super::Lang::Ar;
        let (a, b) = c.trig;
        let after: Vec<Party> = scope.iter().copied().filter(|p| p.pos >= b).collect();
        let before: Vec<Party> = scope.iter().copied().filter(|p| p.pos < a).collect();
        let actor = |p: &Party| self.is_actor(p.ent);
        // An acting country: "Nigeria and Morocco signed", "وقع المغرب والاتحاد الأوروبي".
        let acting =
            |p: &Party| actor(p) || (rd.symmetric && self.ents.is(p.ent, "country") && p.marker == Marker::None);
        let mut agent: Vec<usize> = Vec::new();
        let mut patient: Vec<usize> = Vec::new();
        let mut comitative: Vec<usize> = Vec::new();
        let mut loc: Option<usize> = None;
        let clause_start = (lo..a)
            .rev()
            .find(|&i| doc.cue_at(i, CueKind::Clause).is_some())
            .unwrap_or(lo);
        // The subject before the trigger, with whoever is coordinated with it: a person in
        // the clause if there is one, else another acting party of the clause, else (a
        // pronoun subject) the nearest person before.
        let subject_before = |pool: &[Party]| -> Vec<usize> {
            let in_clause: Vec<usize> = (0..pool.len())
                .filter(|&i| pool[i].pos >= clause_start && acting(&pool[i]) && pool[i].marker == Marker::None)
                .collect();
            let pick = in_clause
                .iter()
                .rev()
                .find(|&&i| self.is_person(pool[i].ent))
                .or_else(|| in_clause.iter().rev().find(|&&i| actor(&pool[i])))
                .or_else(|| in_clause.last())
                .copied();
            match pick {
                Some(i) => self.coordinated_back(pool, i, rd.symmetric),
                None => pool
                    .iter()
                    .rev()
                    .find(|p| self.is_person(p.ent))
                    .map(|p| vec![p.ent])
                    .unwrap_or_default(),
            }
        };
        // Arabic: a subject standing right before the verb ("وكان الصفدي قد زار").
        let svo = |pool: &[Party]| -> Vec<usize> {
            let Some(i) = pool.iter().rposition(&acting) else {
                return Vec::new();
            };
            let p = &pool[i];
            let gap_ok = a - p.end <= 3
                && (p.end..a).all(|k| doc.toks.toks[k].punct().is_some() || doc.res.stopwords.contains(doc.folded(k)));
            if gap_ok && p.marker == Marker::None {
                self.coordinated_back(pool, i, rd.symmetric)
            } else {
                Vec::new()
            }
        };
        let both = self.both_sides(lo, hi, a, b, triggers);
        match c.voice {
            Voice::Active | Voice::Receive => {
                if arabic {
                    agent = svo(&before);
                    if agent.is_empty() {
                        if let Some(i) = after.iter().position(|p| acting(p) && p.marker == Marker::None) {
                            agent = self.coordinated_forward(&after, i, rd.symmetric);
                        }
                    }
                } else {
                    agent = subject_before(&before);
                    if agent.is_empty() {
                        agent = subject_before(before_all);
                    }
                }
                for p in &after {
                    if agent.contains(&p.ent) {
                        continue;
                    }
                    match p.marker {
                        Marker::None if actor(p) => patient.push(p.ent),
                        Marker::With if actor(p) => comitative.push(p.ent),
                        Marker::None | Marker::To | Marker::In | Marker::Bi | Marker::Lam if self.is_where(p.ent) => {
                            loc = loc.or(Some(p.ent));
                        }
                        _ => {}
                    }
                }
                if object_pronoun {
                    // استقبله: "received him", the person mentioned before.
                    if let Some(p) = before_all
                        .iter()
                        .rev()
                        .find(|p| self.is_person(p.ent) && !agent.contains(&p.ent))
                    {
                        patient.insert(0, p.ent);
                    }
                }
                if arabic && agent.is_empty() {
                    // A dropped subject: the person before.
                    if let Some(p) = before_all
                        .iter()
                        .rev()
                        .find(|p| self.is_person(p.ent) && !patient.contains(&p.ent))
                    {
                        agent.push(p.ent);
                    }
                }
                // Of several objects the first is the patient (the second is usually someone
                // replaced, or a complement).
                if patient.len() > 1 && !rd.symmetric {
                    patient.truncate(1);
                }
                if both.is_some() && agent.is_empty() {
                    agent.extend(self.previous_people(both == Some(true)));
                }
            }
            Voice::Passive | Voice::ReceivePassive => {
                if arabic {
                    if let Some(p) = after.iter().find(|p| actor(p) && p.marker == Marker::None) {
                        patient.push(p.ent);
                    }
                } else {
                    let subject = subject_before(&before);
                    patient = if subject.is_empty() {
                        subject_before(before_all)
                    } else {
                        subject
                    };
                }
                for p in &after {
                    match p.marker {
                        Marker::By if actor(p) => agent.push(p.ent),
                        Marker::With if actor(p) => comitative.push(p.ent),
                        Marker::To | Marker::In | Marker::Bi if self.is_where(p.ent) => loc = loc.or(Some(p.ent)),
                        _ => {}
                    }
                }
                if both.is_some() && patient.is_empty() {
                    patient.extend(self.previous_people(both == Some(true)));
                }
            }
            Voice::Noun | Voice::ReceiveNoun => {
                let receive = c.voice == Voice::ReceiveNoun;
                // The one who acts: "by X", "of X" (زيارة X, la visite ... de X), else the
                // subject before ("X made a visit", "قام X بزيارة").
                let by = after.iter().position(|p| p.marker == Marker::By && actor(p));
                let genitive = after.iter().position(|p| {
                    let arabic_genitive = arabic && p.marker == Marker::None && (receive || p.pos <= b + 4);
                    let latin_of = !arabic && p.marker == Marker::Of && self.is_person(p.ent);
                    actor(p) && (arabic_genitive || latin_of)
                });
                // Arabic drops the subject of "قام بها" and "الذي يقوم بزيارة": the
                // nearest person before, whatever introduces them.
                let antecedent = || {
                    before_all
                        .iter()
                        .rev()
                        .find(|p| self.is_person(p.ent) && p.marker != Marker::From)
                        .map(|p| p.ent)
                };
                if let Some(i) = by.or(genitive) {
                    agent = self.coordinated_forward(&after, i, rd.symmetric);
                } else if arabic {
                    agent.extend(antecedent());
                } else {
                    agent = subject_before(&before);
                    if agent.is_empty() {
                        agent = subject_before(before_all);
                    }
                }
                for p in &after {
                    if agent.contains(&p.ent) {
                        continue;
                    }
                    match p.marker {
                        Marker::Lam if receive && self.is_person(p.ent) => patient.push(p.ent),
                        Marker::With if actor(p) => comitative.push(p.ent),
                        Marker::To | Marker::Lam if actor(p) => patient.push(p.ent),
                        Marker::Of if actor(p) && c.etype == "training" => patient.push(p.ent),
                        Marker::None if actor(p) && rd.symmetric => patient.push(p.ent),
                        Marker::To | Marker::In | Marker::Bi | Marker::Lam if self.is_where(p.ent) => {
                            loc = loc.or(Some(p.ent))
                        }
                        _ => {}
                    }
                }
                if loc.is_none() {
                    loc = before
                        .iter()
                        .rev()
                        .find(|p| self.is_where(p.ent) && matches!(p.marker, Marker::In | Marker::Bi | Marker::To))
                        .map(|p| p.ent);
                }
                if both.is_some() && agent.is_empty() {
                    agent.extend(self.previous_people(both == Some(true)));
                }
            }
        }
        if loc.is_none() && c.etype != "appointment" {
            loc = scope
                .iter()
                .find(|p| {
                    self.ents.is(p.ent, "place")
                        && self.is_where(p.ent)
                        && matches!(p.marker, Marker::In | Marker::Bi | Marker::To)
                })
                .map(|p| p.ent);
        }
        // A visit's destination: the city rather than its country.
        if let Some(l) = loc {
            if self.ents.is(l, "country") {
                if let Some(city) = scope.iter().find(|p| {
                    self.ents.is(p.ent, "place")
                        && self.ents.side(p.ent) == Some(l)
                        && !matches!(p.marker, Marker::None | Marker::Of)
                }) {
                    loc = Some(city.ent);
                }
            }
        }
        if rd.symmetric {
            let mut all: Vec<usize> = Vec::new();
            for e in agent.iter().chain(&patient).chain(&comitative) {
                if !all.contains(e) {
                    all.push(*e);
                }
            }
            if let Some(orgs) = both {
                for e in self.previous_people(orgs) {
                    if !all.contains(&e) {
                        all.push(e);
                    }
                }
            }
            // "a call from X", "اتصالا هاتفيا من X": the other party.
            for p in after
                .iter()
                .filter(|p| p.marker == Marker::From && self.is_person(p.ent))
                .take(1)
            {
                if !all.contains(&p.ent) {
                    all.push(p.ent);
                }
            }
            if let Some(ch) = doc.cue_in(lo, hi, CueKind::Chair).map(|h| h.b) {
                // "sous la coprésidence du ministre X et de son homologue Y": whoever follows.
                for p in scope.iter().filter(|p| p.pos >= ch && actor(p)) {
                    if !all.contains(&p.ent) {
                        all.push(p.ent);
                    }
                }
            }
            if all.len() == 1 {
                // A pronoun subject ("حيث التقى الرئيس"): the person before.
                if let Some(p) = before_all
                    .iter()
                    .rev()
                    .find(|p| self.is_person(p.ent) && !all.contains(&p.ent))
                {
                    all.push(p.ent);
                }
            }
            let chair_from = doc.cue_in(lo, hi, CueKind::Chair).map(|h| h.a);
            for e in all {
                let pos = scope.iter().find(|p| p.ent == e).map(|p| p.pos);
                let role = match (chair_from, pos) {
                    (Some(ch), Some(p)) if p > ch && rd.agent == "member" => "chair".to_string(),
                    _ => rd.agent.clone(),
                };
                c.parts.push((e, role));
            }
        } else {
            let (agent_role, patient_role) = match c.voice {
                Voice::Receive | Voice::ReceivePassive | Voice::ReceiveNoun => (rd.patient.clone(), rd.agent.clone()),
                _ => (rd.agent.clone(), rd.patient.clone()),
            };
            for e in agent {
                c.parts.push((e, agent_role.clone()));
            }
            for e in patient {
                if !c.parts.iter().any(|(x, _)| *x == e) {
                    c.parts.push((e, patient_role.clone()));
                }
            }
            for e in comitative {
                if !c.parts.iter().any(|(x, _)| *x == e) {
                    c.parts.push((e, rd.comitative.clone()));
                }
            }
        }
        if rd.location == LocationRule::Place {
            c.loc = loc;
        }
    }

    /// Whether parties `p` and `q` (q after p) are joined by "and", "et", a comma or و.
    fn joined(&self, p: &Party, q: &Party) -> bool {
        let doc = self.doc;
        if q.pos < p.end {
            return false;
        }
        let between: Vec<usize> = (p.end..q.pos).collect();
        if between.is_empty() {
            return q.conj;
        }
        between.len() <= 2
            && between.iter().all(|&k| {
                matches!(doc.toks.toks[k].punct(), Some(',' | '،'))
                    || matches!(doc.folded(k), "and" | "et" | "و" | "the" | "le" | "la" | "l")
            })
    }

    /// Party `i` of `pool` and those before it joined to it ("X and Y", "X, Y et Z"), for a
    /// symmetric event type (an asymmetric one has one agent).
    fn coordinated_back(&self, pool: &[Party], i: usize, symmetric: bool) -> Vec<usize> {
        let mut out = vec![pool[i].ent];
        if !symmetric {
            return out;
        }
        let mut k = i;
        while k > 0 && self.joined(&pool[k - 1], &pool[k]) && pool[k - 1].marker == Marker::None {
            k -= 1;
            out.insert(0, pool[k].ent);
        }
        out
    }

    /// Party `i` of `pool` and those after it joined to it (symmetric event types only).
    fn coordinated_forward(&self, pool: &[Party], i: usize, symmetric: bool) -> Vec<usize> {
        let mut out = vec![pool[i].ent];
        if !symmetric {
            return out;
        }
        let mut k = i;
        while k + 1 < pool.len() && self.joined(&pool[k], &pool[k + 1]) && matches!(pool[k + 1].marker, Marker::None) {
            k += 1;
            if !out.contains(&pool[k].ent) {
                out.push(pool[k].ent);
            }
        }
        out
    }

    /// "the two sides" (Some(false)) or "the two agencies" (Some(true)) as the subject or
    /// object of the trigger at `a..b`: in its scope `lo..hi`, within four words of it, and
    /// nearer to it than to any other trigger of the sentence (`triggers`).
    fn both_sides(&self, lo: usize, hi: usize, a: usize, b: usize, triggers: &[(usize, usize)]) -> Option<bool> {
        let dist = |h: &super::Hit, (ta, tb): (usize, usize)| if h.b <= ta { ta - h.b } else { h.a.saturating_sub(tb) };
        let mine = |h: &&super::Hit| {
            let d = dist(h, (a, b));
            d <= 4 && triggers.iter().all(|&t| t == (a, b) || dist(h, t) >= d)
        };
        if self.doc.cue_in(lo, hi, CueKind::BothSidesOrgs).filter(mine).is_some() {
            return Some(true);
        }
        self.doc.cue_in(lo, hi, CueKind::BothSides).filter(mine).map(|_| false)
    }

    /// The people of the latest event with two or more of them; with `orgs`, the
    /// organizations those people head.
    fn previous_people(&self, orgs: bool) -> Vec<usize> {
        // "The two sides" refers to an event just reported: look a few mentions back.
        for c in self.cands.iter().rev().take(WINDOW) {
            if c.skipped.is_some() || c.anaphor || !c.alive {
                continue;
            }
            let persons: Vec<usize> = c.parts.iter().map(|p| p.0).filter(|&e| self.is_person(e)).collect();
            if persons.len() < 2 || persons.len() != c.parts.len() {
                continue;
            }
            if !orgs {
                return persons;
            }
            let affiliations: Vec<usize> = persons.iter().filter_map(|&p| self.affiliation(p)).collect();
            if affiliations.len() == persons.len() {
                return affiliations;
            }
        }
        Vec::new()
    }

    /// The organization a person heads or works for, as the article (else the store) says.
    fn affiliation(&self, person: usize) -> Option<usize> {
        self.positions_of(person)
            .filter(|p| p.org.is_some())
            .min_by_key(|p| (!p.from_text, p.kind != TitleKind::Head))
            .and_then(|p| p.org)
    }

    /// Container, sidelines, occasion links inside a sentence.
    fn links(&mut self, s: usize, first: usize) {
        let doc = self.doc;
        let (lo, hi) = doc.sents[s].toks;
        let cands: Vec<usize> = (first..self.cands.len()).collect();
        for i in lo..hi {
            for (kind, link) in [(CueKind::Container, Link::Inside), (CueKind::Sidelines, Link::Beside)] {
                let Some(h) = doc.cue_at(i, kind) else { continue };
                let pronoun = h.suffix
                    || matches!(
                        doc.folded(h.b.saturating_sub(1)),
                        "laquelle" | "duquel" | "lequel" | "خلاله" | "خلالها"
                    );
                let next = cands
                    .iter()
                    .copied()
                    .find(|&c| self.cands[c].trig.0 >= h.b && self.cands[c].trig.0 <= h.b + 3);
                let prev = cands.iter().copied().rev().find(|&c| self.cands[c].trig.1 <= h.a);
                let after_any = cands.iter().copied().find(|&c| self.cands[c].trig.0 >= h.b);
                let (container, inner) = if pronoun {
                    (prev, after_any)
                } else {
                    (
                        next,
                        prev.or_else(|| {
                            cands
                                .iter()
                                .copied()
                                .find(|&c| Some(c) != next && self.cands[c].trig.0 > h.b)
                        }),
                    )
                };
                if let (Some(outer), Some(inner)) = (container, inner) {
                    if outer != inner {
                        self.cands[inner].link = Some((outer, link));
                    }
                }
            }
        }
    }

    // ---- coreference -----------------------------------------------------------------

    /// Whether a mention of type `inner` can be part of an event of type `outer`
    /// (event_roles.tsv, column part_of).
    fn absorbs(&self, outer: &str, inner: &str) -> bool {
        self.doc
            .res
            .roles
            .get(inner)
            .is_some_and(|r| r.part_of.iter().any(|t| t == outer))
    }

    fn compatible(&self, x: &Cand, y: &Cand) -> bool {
        if x.status != y.status {
            return false;
        }
        if let (Some(a), Some(b)) = (&x.date, &y.date) {
            if a.strength >= Strength::Relative
                && b.strength >= Strength::Relative
                && !crate::model::overlaps(a.date.range(), b.date.range())
            {
                return false;
            }
        }
        if let (Some(a), Some(b)) = (x.loc, y.loc) {
            let contains = a == b || self.ents.side(a) == Some(b) || self.ents.side(b) == Some(a);
            if !contains {
                return false;
            }
        }
        for role in ["visitor", "appointee"] {
            let xs: BTreeSet<usize> = x.parts.iter().filter(|p| p.1 == role).map(|p| p.0).collect();
            let ys: BTreeSet<usize> = y.parts.iter().filter(|p| p.1 == role).map(|p| p.0).collect();
            if !xs.is_empty() && !ys.is_empty() && xs.is_disjoint(&ys) {
                return false;
            }
        }
        true
    }

    /// The principal participants: visitors, appointees, or everyone in a symmetric event.
    fn principals(&self, c: &Cand) -> BTreeSet<usize> {
        let main: BTreeSet<usize> = c
            .parts
            .iter()
            .filter(|p| p.1 == "visitor" || p.1 == "appointee")
            .map(|p| p.0)
            .collect();
        if !main.is_empty() {
            return main;
        }
        c.parts.iter().map(|p| p.0).collect()
    }

    fn merge(&mut self, into: usize, from: usize) {
        let f = self.cands[from].clone();
        let absorbed = f.etype != self.cands[into].etype;
        let t = &mut self.cands[into];
        for src in f.sources {
            if !t.sources.contains(&src) {
                t.sources.push(src);
            }
        }
        t.sources.sort_by_key(|s| (s.0, s.1));
        let visitors: Vec<usize> = t.parts.iter().filter(|p| p.1 == "visitor").map(|p| p.0).collect();
        let need_people = t.parts.len() < 2;
        for (e, role) in f.parts {
            if t.parts.iter().any(|p| p.0 == e) {
                continue;
            }
            if absorbed {
                // Talks held during a visit: the visitor's interlocutor is the host; talks
                // during a call: its participants.
                if t.etype == "visit" && !visitors.is_empty() && self.ents.is(e, "person") {
                    t.parts.push((e, "host".into()));
                    t.inferred.push("host: the visitor's interlocutor in the talks".into());
                } else if t.etype != "visit" && need_people {
                    t.parts.push((e, self.doc.res.roles[&t.etype].agent.clone()));
                }
            } else {
                t.parts.push((e, role));
            }
        }
        match (t.loc, f.loc) {
            (None, l) => t.loc = l,
            (Some(a), Some(b)) if self.ents.is(a, "country") && self.ents.is(b, "place") => t.loc = Some(b),
            _ => {}
        }
        let better = match (&t.date, &f.date) {
            (None, Some(_)) => true,
            (Some(a), Some(b)) => {
                b.strength > a.strength || (b.strength == a.strength && b.date.precision() > a.date.precision())
            }
            _ => false,
        };
        if better {
            t.date = f.date;
        }
        if t.unresolved.is_none() && t.date.is_none() {
            t.unresolved = f.unresolved;
        }
        t.inferred.extend(f.inferred);
        if t.link.is_none() {
            t.link = f.link.filter(|(o, _)| *o != into);
        }
        t.occasion |= f.occasion;
        t.same_time |= f.same_time;
        t.present |= f.present;
        self.cands[from].alive = false;
        if self.merged_into.len() < self.cands.len() {
            self.merged_into.resize(self.cands.len(), None);
        }
        self.merged_into[from] = Some(into);
    }

    fn link_and_merge(&mut self) {
        let n = self.cands.len();
        // Skipped triggers: noted, never events.
        for i in 0..n {
            if let Some(why) = self.cands[i].skipped.clone() {
                if !self.cands[i].anaphor && !self.cands[i].headline {
                    let (a, b) = self.cands[i].trig;
                    let sent = &self.doc.sents[self.cands[i].sent];
                    self.notes.push(Note {
                        kind: NoteKind::Skipped,
                        start: self.off.char_at(sent.start),
                        end: self.off.char_at(sent.end),
                        message: format!("{} \"{}\": {why}", self.cands[i].etype, self.doc.original(a, b)),
                    });
                }
                self.cands[i].alive = false;
            }
        }
        for i in 0..n {
            if !self.cands[i].alive {
                continue;
            }
            // Inside another event of this sentence.
            if let Some((outer, Link::Inside)) = self.cands[i].link {
                let absorbed = self.cands[outer].alive
                    && !self.cands[outer].anaphor
                    && self.absorbs(&self.cands[outer].etype, &self.cands[i].etype);
                if absorbed {
                    self.merge(outer, i);
                    continue;
                }
            }
            // Same-sentence talks inside a visit or a call, sharing a participant with it.
            if !self.roles(&self.cands[i].etype).part_of.is_empty() {
                let s = self.cands[i].sent;
                let parts: BTreeSet<usize> = self.cands[i].parts.iter().map(|p| p.0).collect();
                let host = self.sentence_cands(s).find(|&j| {
                    let cj = &self.cands[j];
                    j != i
                        && cj.alive
                        && !cj.anaphor
                        && self.absorbs(&cj.etype, &self.cands[i].etype)
                        && cj.parts.iter().any(|p| parts.contains(&p.0))
                });
                if let Some(j) = host {
                    self.merge(j, i);
                    continue;
                }
            }
        }
        // Anaphora, headlines, and mentions of one event.
        for i in 0..n {
            if !self.cands[i].alive {
                continue;
            }
            let ci = self.cands[i].clone();
            let refers = ci.anaphor || ci.headline || ci.weak;
            let antecedent = if ci.headline {
                (0..n)
                    .filter(|&j| j != i && self.cands[j].alive && !self.cands[j].headline && !self.cands[j].anaphor)
                    .find(|&j| {
                        let cj = &self.cands[j];
                        cj.etype == ci.etype
                            && self.compatible(cj, &ci)
                            && !self.principals(cj).is_disjoint(&self.principals(&ci))
                    })
            } else {
                (i.saturating_sub(WINDOW)..i).rev().find(|&j| {
                    let cj = &self.cands[j];
                    let both_weak = ci.weak && cj.weak;
                    cj.alive
                        && !cj.anaphor
                        && !cj.headline
                        && !both_weak
                        && (cj.etype == ci.etype || self.absorbs(&cj.etype, &ci.etype))
                        && (ci.anaphor || ci.weak || self.compatible(cj, &ci))
                })
            };
            if refers {
                if let Some(j) = antecedent {
                    let keep_parts = ci.anaphor && !ci.parts.is_empty() && self.compatible(&self.cands[j], &ci);
                    if !keep_parts {
                        self.cands[i].parts.clear();
                    }
                    if !ci.weak {
                        self.cands[i].date = None;
                        self.cands[i].loc = None;
                    }
                    self.merge(j, i);
                    continue;
                } else if !ci.weak {
                    self.cands[i].alive = false;
                    continue;
                }
            }
            // An earlier mention of the same event.
            let earlier = (i.saturating_sub(WINDOW)..i).rev().find(|&j| {
                let cj = &self.cands[j];
                if !cj.alive || cj.anaphor || cj.headline {
                    return false;
                }
                let same_type = cj.etype == ci.etype;
                let talks_in = self.absorbs(&cj.etype, &ci.etype)
                    && !ci.parts.is_empty()
                    && ci.parts.iter().all(|p| cj.parts.iter().any(|q| q.0 == p.0));
                if !(same_type || talks_in) || !self.compatible(cj, &ci) {
                    return false;
                }
                if talks_in {
                    return true;
                }
                let (pj, pi) = (self.principals(cj), self.principals(&ci));
                let shared = !pj.is_disjoint(&pi);
                (cj.sent == ci.sent && (shared || pi.is_empty()))
                    || (shared && (pj.is_subset(&pi) || pi.is_subset(&pj) || cj.parts.iter().any(|p| p.1 == "visitor")))
            });
            if let Some(j) = earlier {
                self.merge(j, i);
            }
        }
    }

    // ---- finishing -------------------------------------------------------------------

    fn finish(&mut self) -> Vec<Event> {
        let n = self.cands.len();
        // Dates and places from linked events: inside/beside, "on this occasion", "the same day".
        for i in 0..n {
            if !self.cands[i].alive {
                continue;
            }
            let target = if let Some((o, _)) = self.cands[i].link {
                Some(self.live_of(o))
            } else if self.cands[i].occasion || self.cands[i].same_time {
                (i.saturating_sub(WINDOW)..i)
                    .rev()
                    .find(|&j| self.cands[j].alive && self.cands[j].sent < self.cands[i].sent)
                    .map(|j| self.live_of(j))
            } else {
                None
            };
            if let Some(t) = target.filter(|&t| t != i) {
                let (date, loc) = (self.cands[t].date.clone(), self.cands[t].loc);
                let c = &mut self.cands[i];
                if c.date.as_ref().is_none_or(|d| d.strength < Strength::Relative) {
                    if let Some(d) = date {
                        c.date = Some(DateVal {
                            strength: Strength::Inherited,
                            basis: format!("the date of the related event ({})", d.date),
                            ..d
                        });
                    }
                }
                if c.loc.is_none() && !c.same_time {
                    c.loc = loc;
                }
            }
        }
        for (j, c) in self.cands.iter().enumerate() {
            if let Some((t, _)) = c
                .link
                .filter(|_| c.alive || self.merged_into.get(j).copied().flatten().is_some())
            {
                let target = self.live_of(t);
                self.linked.entry(target).or_default().push(c.sent);
            }
        }
        self.infer_roles();
        self.nested_locations();
        self.fold_trips();
        // Narrative time, else publication.
        let mut last_dated: Option<DateVal> = None;
        let order: Vec<usize> = {
            let mut o: Vec<usize> = (0..n).filter(|&i| self.cands[i].alive).collect();
            o.sort_by_key(|&i| self.cands[i].trig.0);
            o
        };
        for &i in &order {
            let c = &mut self.cands[i];
            match &c.date {
                Some(d) if d.strength >= Strength::Relative => last_dated = Some(d.clone()),
                Some(_) => {}
                None if c.unresolved.is_some() => {}
                None => {
                    if let (true, Some(p)) = (c.present, self.published) {
                        c.date = Some(DateVal {
                            date: p,
                            end: None,
                            strength: Strength::Publication,
                            basis: "publication date: the article reports the event in the present tense".into(),
                        });
                    } else if let Some(d) = &last_dated {
                        c.date = Some(DateVal {
                            strength: Strength::Inherited,
                            basis: format!("undated in its sentence; the narrative's date ({})", d.date),
                            ..d.clone()
                        });
                    } else if let Some(p) = self.published {
                        c.date = Some(DateVal {
                            date: p,
                            end: None,
                            strength: Strength::Publication,
                            basis: "publication date: the article reports the event as current news and gives no date"
                                .into(),
                        });
                    } else {
                        c.unresolved =
                            Some("the article gives no date and no publication date was given (--published)".into());
                    }
                }
            }
        }
        let mut out = Vec::new();
        for &i in &order {
            let c = self.cands[i].clone();
            if let Some(why) = self.invalid(&c) {
                if !c.parts.is_empty() || c.etype == "visit" {
                    let sent = &self.doc.sents[c.sent];
                    self.notes.push(Note {
                        kind: NoteKind::Skipped,
                        start: self.off.char_at(sent.start),
                        end: self.off.char_at(sent.end),
                        message: format!("{} \"{}\": {why}", c.etype, self.doc.original(c.trig.0, c.trig.1)),
                    });
                }
                continue;
            }
            let Some(date) = c.date.clone() else {
                let sent = &self.doc.sents[c.sent];
                self.notes.push(Note {
                    kind: NoteKind::UnresolvedDate,
                    start: self.off.char_at(sent.start),
                    end: self.off.char_at(sent.end),
                    message: format!(
                        "{} \"{}\" not written: {}",
                        c.etype,
                        self.doc.original(c.trig.0, c.trig.1),
                        c.unresolved.clone().unwrap_or_default()
                    ),
                });
                continue;
            };
            if let Some(p) = self.published {
                if dates::is_future(date.date, p) && c.status == Status::Reported {
                    continue;
                }
            }
            let domains = self.domains(&c);
            let mut confidence: f64 = match date.strength {
                Strength::Explicit => 0.9,
                Strength::Relative => 0.8,
                Strength::Inherited => 0.7,
                Strength::Publication => 0.6,
            };
            if !c.inferred.is_empty() {
                confidence -= 0.1;
            }
            if c.sources.len() > 1 {
                confidence += 0.05;
            }
            out.push(Event {
                etype: c.etype.clone(),
                status: c.status,
                status_basis: c.status_basis.clone(),
                parts: c.parts.clone(),
                location: c.loc,
                date,
                sources: c.sources.clone(),
                domains,
                confidence: (confidence.clamp(0.3, 0.95) * 100.0).round() / 100.0,
                notes: c.inferred.clone(),
            });
        }
        out
    }

    /// One trip is one event (the annotation rule of the press corpora): the meetings and
    /// talks a visitor holds on a visit fold into the visit, talks during a call into the
    /// call, and two mentions of one meeting (a "meeting" and the "talks" of the same
    /// people) are one. Which type folds into which is event_roles.tsv's `part_of`. Dates,
    /// places and statuses must agree ([`Self::compatible`]), and who takes part must nest:
    /// a meeting folds into a visit only when a visitor is in it, and otherwise only when
    /// the people of one are among the people of the other, so that the audiences a host
    /// grants to several visitors stay apart.
    fn fold_trips(&mut self) {
        let n = self.cands.len();
        for i in 0..n {
            if !self.cands[i].alive || self.cands[i].parts.is_empty() {
                continue;
            }
            let found = (i.saturating_sub(WINDOW)..i).rev().find_map(|j| {
                let (cj, ci) = (&self.cands[j], &self.cands[i]);
                if !cj.alive || !self.compatible(cj, ci) {
                    return None;
                }
                let outer = self.outer_of(j, i)?;
                let inner = if outer == i { j } else { i };
                self.folds(&self.cands[outer], &self.cands[inner])
                    .then_some((outer, inner))
            });
            if let Some((into, from)) = found {
                self.merge(into, from);
            }
        }
    }

    /// Of two mentions that may be one event, the one the other folds into: the type the
    /// other is `part_of`, else the earlier of two of one type that is part of others.
    fn outer_of(&self, j: usize, i: usize) -> Option<usize> {
        let (tj, ti) = (&self.cands[j].etype, &self.cands[i].etype);
        if self.absorbs(tj, ti) {
            Some(j)
        } else if self.absorbs(ti, tj) {
            Some(i)
        } else if tj == ti && !self.roles(tj).part_of.is_empty() {
            Some(j)
        } else {
            None
        }
    }

    /// Whether `inner` is part of `outer` by who takes part (see [`Self::fold_trips`]).
    fn folds(&self, outer: &Cand, inner: &Cand) -> bool {
        let po: BTreeSet<usize> = outer.parts.iter().map(|p| p.0).collect();
        let pi: BTreeSet<usize> = inner.parts.iter().map(|p| p.0).collect();
        let visitors: BTreeSet<usize> = outer.parts.iter().filter(|p| p.1 == "visitor").map(|p| p.0).collect();
        if !visitors.is_empty() {
            return !visitors.is_disjoint(&pi);
        }
        !po.is_disjoint(&pi) && (pi.is_subset(&po) || po.is_subset(&pi))
    }

    /// An event with no place named takes the place inside a participant's name, as in
    /// "مكتب ضابط الاتصال بسفارة جمهورية ألمانيا الاتحادية بالرباط" (an office in Rabat).
    fn nested_locations(&mut self) {
        for i in 0..self.cands.len() {
            let c = &self.cands[i];
            if !c.alive || c.loc.is_some() || self.roles(&c.etype).location != LocationRule::Place {
                continue;
            }
            let sentences: BTreeSet<usize> = c.sources.iter().map(|s| s.0).collect();
            let parts: BTreeSet<usize> = c.parts.iter().map(|p| p.0).collect();
            let ms = &self.found.mentions;
            let place = sentences.iter().find_map(|&s| {
                let (lo, hi) = self.doc.sents[s].toks;
                let range = &ms[ms.partition_point(|m| m.a < lo)..ms.partition_point(|m| m.a < hi)];
                range
                    .iter()
                    .filter(|m| !m.nested && parts.contains(&m.ent))
                    .find_map(|outer| {
                        range
                            .iter()
                            .find(|m| m.nested && outer.a <= m.a && m.b <= outer.b && self.ents.is(m.ent, "place"))
                            .map(|m| m.ent)
                    })
            });
            self.cands[i].loc = place;
        }
    }

    /// The offices a person holds, as the article or the store says.
    fn positions_of(&self, person: usize) -> impl Iterator<Item = &super::ner::Position> {
        self.by_person
            .get(&person)
            .into_iter()
            .flatten()
            .map(|&i| &self.found.positions[i])
    }

    /// The candidates of sentence `s` (candidates are made in sentence order).
    fn sentence_cands(&self, s: usize) -> std::ops::Range<usize> {
        let lo = self.cands.partition_point(|c| c.sent < s);
        let hi = self.cands.partition_point(|c| c.sent <= s);
        lo..hi
    }

    /// The live candidate `i` was merged into (itself if alive).
    fn live_of(&self, mut i: usize) -> usize {
        while let Some(j) = self.merged_into.get(i).copied().flatten() {
            i = j;
        }
        i
    }

    /// Hosts, delegations, appointers and heads that the sentences around an event supply.
    fn infer_roles(&mut self) {
        let n = self.cands.len();
        for i in 0..n {
            if !self.cands[i].alive {
                continue;
            }
            let etype = self.cands[i].etype.clone();
            if etype == "visit" {
                self.infer_visit(i);
            }
            if etype == "appointment" {
                let c = &self.cands[i];
                let appointee = c.parts.iter().find(|p| p.1 == "appointee").map(|p| p.0);
                let has_appointer = c.parts.iter().any(|p| p.1 == "appointer");
                if let (Some(p), false) = (appointee, has_appointer) {
                    // Nobody named: the state of the office ("nommé ambassadeur de France",
                    // "الدبلوماسي الألماني"), else the appointee's state, appoints.
                    let (s, (_, b)) = (c.sent, c.trig);
                    let hi = self.doc.sents[s].toks.1;
                    let office = self
                        .found
                        .titles
                        .iter()
                        .filter(|t| t.a >= b && t.a < hi)
                        .find_map(|t| t.country.or_else(|| t.orgs.first().and_then(|&o| self.ents.side(o))));
                    let state = office.or_else(|| self.person_side(p));
                    if let Some(s) = state {
                        let c = &mut self.cands[i];
                        c.parts.push((s, "appointer".into()));
                        c.inferred
                            .push("appointer: the appointee's state (no appointer named)".into());
                    }
                }
                let c = &self.cands[i];
                let appointer = c.parts.iter().find(|p| p.1 == "appointer").map(|p| p.0);
                if let Some(a) = appointer {
                    let side = if self.ents.is(a, "country") {
                        Some(a)
                    } else {
                        self.person_side(a)
                    };
                    self.cands[i].loc = side;
                }
            }
            // An organization whose head takes part is represented by the head.
            let persons: Vec<usize> = self.cands[i]
                .parts
                .iter()
                .filter(|p| self.is_person(p.0))
                .map(|p| p.0)
                .collect();
            let heads: BTreeSet<usize> = persons.iter().filter_map(|&p| self.affiliations(p)).flatten().collect();
            self.cands[i]
                .parts
                .retain(|(e, role)| role == "delegation" || !heads.contains(e));
        }
    }

    fn affiliations(&self, person: usize) -> Option<Vec<usize>> {
        let v: Vec<usize> = self.positions_of(person).filter_map(|p| p.org).collect();
        (!v.is_empty()).then_some(v)
    }

    /// A person's country: their own, else their office's.
    fn person_side(&self, p: usize) -> Option<usize> {
        self.ents.side(p).or_else(|| {
            self.positions_of(p)
                .find_map(|x| x.country.or_else(|| x.org.and_then(|o| self.ents.side(o))))
        })
    }

    fn infer_visit(&mut self, i: usize) {
        let c = self.cands[i].clone();
        let visitors: Vec<usize> = c.parts.iter().filter(|p| p.1 == "visitor").map(|p| p.0).collect();
        let Some(&visitor) = visitors.first() else { return };
        let visitor_side = self.person_side(visitor);
        let dest_side = c.loc.and_then(|l| self.ents.side(l));
        // Host: a person of the destination's side named in a sentence about this visit
        // ("وخلال تلك الزيارة، شدد حموشي") or in an event beside it.
        if !c.parts.iter().any(|p| p.1 == "host") {
            if let Some(dest) = dest_side {
                let mut sentences: BTreeSet<usize> = c.sources.iter().map(|s| s.0).collect();
                if let Some(beside) = self.linked.get(&i) {
                    sentences.extend(beside.iter().copied());
                }
                let mut host = None;
                for s in sentences {
                    // Someone who takes part in another event of that sentence (a meeting
                    // during the visit) is that event's participant, not the host.
                    let busy: BTreeSet<usize> = self
                        .sentence_cands(s)
                        .filter(|&j| j != i && self.cands[j].alive)
                        .flat_map(|j| self.cands[j].parts.iter().map(|p| p.0))
                        .collect();
                    for p in self.parties(s) {
                        if self.is_person(p.ent)
                            && p.ent != visitor
                            && !busy.contains(&p.ent)
                            && self.person_side(p.ent) == Some(dest)
                            && visitor_side != Some(dest)
                        {
                            host = host.or(Some(p.ent));
                        }
                    }
                }
                if let Some(h) = host {
                    let c = &mut self.cands[i];
                    c.parts.push((h, "host".into()));
                    c.inferred
                        .push("host: a person of the destination named in a sentence about this visit".into());
                }
            }
        }
        // Delegation: the visitor's organization, when a sentence mentions a delegation.
        let delegation = c.sources.iter().any(|s| {
            let (lo, hi) = self.doc.sents[s.0].toks;
            self.doc.cue_in(lo, hi, CueKind::Delegation).is_some()
        });
        if delegation {
            let mentioned: BTreeSet<usize> = self.found.mentions.iter().map(|m| m.ent).collect();
            if let Some(org) = self.affiliation(visitor).filter(|o| mentioned.contains(o)) {
                if !self.cands[i].parts.iter().any(|p| p.0 == org) {
                    self.cands[i].parts.push((org, "delegation".into()));
                }
            }
        }
    }

    fn invalid(&self, c: &Cand) -> Option<&'static str> {
        let rd = self.roles(&c.etype);
        if c.parts.is_empty() {
            return Some("no participants");
        }
        if rd.symmetric && c.parts.len() < 2 {
            return Some("one participant only");
        }
        match c.etype.as_str() {
            "visit" if !c.parts.iter().any(|p| p.1 == "visitor") => Some("no visitor"),
            "appointment" if !c.parts.iter().any(|p| p.1 == "appointee") => Some("no appointee"),
            _ => None,
        }
    }

    fn domains(&self, c: &Cand) -> BTreeSet<String> {
        let doc = self.doc;
        let mut out = BTreeSet::new();
        for s in c.sources.iter().map(|s| s.0).collect::<BTreeSet<_>>() {
            let (lo, hi) = doc.sents[s].toks;
            for i in lo..hi {
                for h in doc.hits_at(i) {
                    if let What::Domain(d) = h.what {
                        out.insert(doc.res.domains[d].domain.clone());
                    }
                }
            }
        }
        for (e, _) in &c.parts {
            let mut sectors: Vec<String> = self.ents.list[*e].entity.sector.iter().cloned().collect();
            for p in self.positions_of(*e) {
                if let Some(s) = p.org.and_then(|o| self.ents.list[o].entity.sector.clone()) {
                    sectors.push(s);
                }
            }
            for s in sectors {
                if let Some(ds) = doc.res.sector_domains.get(&s) {
                    out.extend(ds.iter().cloned());
                }
            }
        }
        out
    }
}
