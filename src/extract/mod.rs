//! Extraction: news articles in Arabic, French and English → interchange records (entities,
//! `holds_position` relations, events with the sentences that report them).
//!
//! The pipeline is deterministic and explainable; everything it knows about language comes
//! from data files under `data/` (see [`resources`]) so that an analyst adds a trigger word,
//! an alias or a title without touching Rust:
//!
//! 1. [`html`]: HTML is reduced to its text, with a map back to source offsets.
//! 2. [`normalize`]: tokens and the folded view that every lexicon is matched against.
//! 3. [`sentences`]: sentences; page furniture (related links, comment forms) and bylines
//!    are set aside.
//! 4. [`gazetteer`]: the store's entities, data/ gazetteers, countries and demonyms.
//! 5. `ner`: titles that introduce people ("the Director General of X, NAME"), given names,
//!    Latin-script organization names, embassies; surnames referring back to full names.
//! 6. `events`: triggers, their arguments and roles, dates ([`dates`]), modality
//!    (negation, future, plans), domains; then coreference inside the document.
//! 7. `output`: records with provenance, validated and written by the caller through
//!    `Store::import_records`, the one write path.
//!
//! Extraction sits beside ingest in the data flow: it uses model, vocab and ingest, and reads
//! what the store knows only through [`KnownSource`], which the store implements.

pub mod dates;
pub mod eval;
mod events;
pub mod gazetteer;
pub mod html;
pub mod matcher;
pub mod merge;
mod ner;
pub mod normalize;
mod output;
pub mod resolve;
pub mod resources;
pub mod sentences;

pub use resources::{DataError, Lang, Resources};

use crate::ingest::LookupError;
use crate::model::{Entity, PartialDate, Record, Relation};
use dates::Atom;
use matcher::{Affix, Case, Matcher, Phrase};
use normalize::Tokens;
use resources::{CueKind, DateWord};
use sentences::Sentence;

/// What the store knows that extraction uses: its entities (names and aliases for the
/// gazetteer, keys to avoid) and its `holds_position` relations (who heads what).
#[derive(Debug, Clone, Default)]
pub struct Known {
    pub entities: Vec<Entity>,
    pub positions: Vec<Relation>,
}

/// A source of [`Known`]: the store implements it (src/store/gazetteer_source.rs), so that
/// extraction never depends on the store.
pub trait KnownSource {
    fn known(&self) -> Result<Known, LookupError>;
}

/// How to read one article.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The language; `None` detects it from the script and common words.
    pub lang: Option<Lang>,
    /// The publication date, against which relative dates are resolved.
    pub published: Option<PartialDate>,
    /// Where the article was published, for `sources[].url`.
    pub url: Option<String>,
    /// Treat the input as HTML (`None`: detect from its first bytes).
    pub html: Option<bool>,
}

/// Something the analyst should know about an extraction.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Note {
    pub kind: NoteKind,
    /// Character offsets `[start, end)` in the source the note is about.
    pub start: usize,
    pub end: usize,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// A relative date with no publication date to count from: the event is not written.
    UnresolvedDate,
    /// A name close to a known entity's, below the threshold for taking it to be the same.
    NearMiss,
    /// A name resolved to a known entity by its consonant skeleton.
    Resolved,
    /// A trigger that reports no event: negated, future, planned.
    Skipped,
}

/// The result of reading one article.
#[derive(Debug, Clone)]
pub struct Extraction {
    /// The document id: the file name without its last extension.
    pub doc: String,
    pub lang: Lang,
    /// Entities (new ones in full; known ones only to add a spelling), relations, events.
    pub records: Vec<Record>,
    /// Keys of the entities the article names (by name, acronym or, for countries, adjective).
    pub mentioned: Vec<String>,
    pub notes: Vec<Note>,
}

/// Read one article.
///
/// Arguments: the file's text, the document id, options, what the store knows, the data.
/// Returns: the records to validate and write, and notes for the analyst.
/// Complexity: linear in the text (Aho-Corasick passes), plus building automata over the
/// known names.
pub fn extract(source: &str, doc_id: &str, opts: &Options, known: &Known, res: &Resources) -> Extraction {
    let is_html = opts.html.unwrap_or_else(|| html::looks_like_html(source));
    let plain = is_html.then(|| html::to_plain(source));
    let text: &str = plain.as_ref().map_or(source, |p| p.text.as_str());
    let lang = opts.lang.unwrap_or_else(|| detect_lang(text));
    let doc = Doc::new(res, lang, text);
    let offsets = Offsets::new(source, plain.as_ref().map(|p| p.source_byte.as_slice()));
    let mut notes = Vec::new();
    let mut ents = ner::entity_table(known, res);
    let found = ner::recognize(&doc, &mut ents, known, &mut notes, &offsets);
    let events = events::assemble(&doc, &found, &ents, opts.published, &mut notes, &offsets);
    let (records, mentioned) = output::records(&doc, &found, &mut ents, &events, doc_id, opts, &offsets);
    notes.sort_by_key(|n| (n.start, n.end));
    Extraction {
        doc: doc_id.to_string(),
        lang,
        records,
        mentioned,
        notes,
    }
}

/// Arabic if Arabic letters outnumber Latin ones; else French or English by common words.
pub fn detect_lang(text: &str) -> Lang {
    let sample: String = text.chars().take(20_000).collect();
    let arabic = sample.chars().filter(|c| ('\u{0600}'..='\u{06FF}').contains(c)).count();
    let latin = sample.chars().filter(|c| c.is_ascii_alphabetic()).count();
    if arabic > latin {
        return Lang::Ar;
    }
    let (mut fr, mut en) = (0, 0);
    for w in sample.split(|c: char| !c.is_alphabetic()) {
        match w.to_lowercase().as_str() {
            "le" | "la" | "les" | "des" | "du" | "et" | "est" | "une" | "dans" | "pour" | "avec" | "par" | "sur"
            | "qui" => fr += 1,
            "the" | "and" | "of" | "to" | "is" | "was" | "with" | "for" | "by" | "on" | "that" | "his" | "her" => {
                en += 1
            }
            _ => {}
        }
    }
    if fr > en {
        Lang::Fr
    } else {
        Lang::En
    }
}

/// Byte offsets of the plain text → character offsets of the source file.
pub(crate) struct Offsets<'s> {
    source: &'s str,
    map: Option<&'s [usize]>,
    /// Characters before every 4096th byte of the source.
    blocks: Vec<usize>,
}

impl<'s> Offsets<'s> {
    fn new(source: &'s str, map: Option<&'s [usize]>) -> Offsets<'s> {
        let mut blocks = Vec::with_capacity(source.len() / 4096 + 1);
        let mut chars = 0usize;
        let bytes = source.as_bytes();
        for chunk in bytes.chunks(4096) {
            blocks.push(chars);
            chars += chunk.iter().filter(|&&b| (b & 0xC0) != 0x80).count();
        }
        Offsets { source, map, blocks }
    }

    /// The character offset in the source of byte `b` of the plain text.
    pub fn char_at(&self, b: usize) -> usize {
        let sb = match self.map {
            Some(m) => m[b.min(m.len() - 1)],
            None => b,
        }
        .min(self.source.len());
        let block = sb / 4096;
        let base = self.blocks.get(block).copied().unwrap_or(0);
        base + self.source.as_bytes()[block * 4096..sb]
            .iter()
            .filter(|&&x| (x & 0xC0) != 0x80)
            .count()
    }
}

/// What a lexicon hit is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum What {
    Trigger(usize),
    Cue(CueKind),
    Title(usize),
    Date(DateWord),
    Domain(usize),
}

/// A lexicon phrase found over tokens `a..b`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Hit {
    pub a: usize,
    pub b: usize,
    pub suffix: bool,
    pub what: What,
}

/// A tokenized article with its sentences and lexicon hits.
pub(crate) struct Doc<'r> {
    pub res: &'r Resources,
    pub lang: Lang,
    pub text: &'r str,
    pub toks: Tokens,
    pub sents: Vec<Sentence>,
    /// Token → sentence.
    pub sent_of: Vec<usize>,
    /// The sentence is article text (not page furniture, not a byline).
    pub live: Vec<bool>,
    /// The sentence is a headline (the lines before the first sentence that ends in punctuation).
    pub headline: Vec<bool>,
    pub hits: Vec<Hit>,
    /// Hits by first token.
    pub starts: Vec<Vec<u32>>,
    pub date_atoms: Vec<Option<Atom>>,
}

impl<'r> Doc<'r> {
    fn new(res: &'r Resources, lang: Lang, text: &'r str) -> Doc<'r> {
        let toks = Tokens::new(text);
        let abbr = |w: &str| res.abbreviations.contains(w);
        let sents = sentences::split(&toks, &abbr);
        let mut sent_of = vec![0usize; toks.len()];
        for (s, sent) in sents.iter().enumerate() {
            for t in &mut sent_of[sent.toks.0..sent.toks.1] {
                *t = s;
            }
        }
        let hits = lexicon_hits(res, lang, &toks, text);
        let mut starts = vec![Vec::new(); toks.len()];
        for (i, h) in hits.iter().enumerate() {
            starts[h.a].push(i as u32);
        }
        let mut date_atoms: Vec<Option<Atom>> = vec![None; toks.len()];
        // Longest date phrase first, so that "من السنة الماضية" outranks "السنة الماضية".
        let mut by_len: Vec<&Hit> = hits.iter().filter(|h| matches!(h.what, What::Date(_))).collect();
        by_len.sort_by_key(|h| std::cmp::Reverse(h.b - h.a));
        for h in by_len {
            if date_atoms[h.a..h.b].iter().any(Option::is_some) {
                continue;
            }
            if let What::Date(w) = h.what {
                date_atoms[h.a] = Some(Atom::Word(w));
                for a in &mut date_atoms[h.a + 1..h.b] {
                    *a = Some(Atom::Continue);
                }
            }
        }
        let mut doc = Doc {
            res,
            lang,
            text,
            toks,
            live: vec![true; sents.len()],
            headline: vec![false; sents.len()],
            sents,
            sent_of,
            hits,
            starts,
            date_atoms,
        };
        doc.mark_furniture();
        doc
    }

    /// Page furniture: from a line that starts with a `boilerplate_cut` cue to the end, and
    /// lines that start with a `boilerplate_line` cue. Headlines: the lines before the first
    /// sentence that ends in sentence punctuation.
    fn mark_furniture(&mut self) {
        for s in sentences::stamped(&self.toks, &self.sents, &self.res.date_tokens) {
            self.live[s] = false;
        }
        let mut cut = false;
        let mut body_started = false;
        for s in 0..self.sents.len() {
            let sent = &self.sents[s];
            let first = sent.toks.0;
            if sent.line_start {
                if self.cue_at(first, CueKind::BoilerplateCut).is_some() {
                    cut = true;
                }
                if self.cue_at(first, CueKind::BoilerplateLine).is_some() {
                    self.live[s] = false;
                }
            }
            if cut {
                self.live[s] = false;
            }
            let last = sent.toks.1 - 1;
            let ends = self.toks.toks[last]
                .punct()
                .is_some_and(|c| matches!(c, '.' | '!' | '?' | '؟' | '…' | '"' | '”' | '»'));
            if !body_started && !ends && sent.line_start {
                self.headline[s] = true;
            }
            if ends {
                body_started = true;
            }
        }
    }

    /// The hits that start at token `i`.
    pub fn hits_at(&self, i: usize) -> impl Iterator<Item = &Hit> {
        self.starts
            .get(i)
            .into_iter()
            .flatten()
            .map(move |&h| &self.hits[h as usize])
    }

    /// A cue of `kind` starting at token `i`.
    pub fn cue_at(&self, i: usize, kind: CueKind) -> Option<&Hit> {
        self.hits_at(i).find(|h| h.what == What::Cue(kind))
    }

    /// A cue of `kind` ending right before token `i` (at `i - 1`).
    pub fn cue_ending_at(&self, i: usize, kind: CueKind) -> Option<&Hit> {
        let lo = i.saturating_sub(6);
        (lo..i)
            .rev()
            .find_map(|a| self.hits_at(a).find(|h| h.b == i && h.what == What::Cue(kind)))
    }

    /// Whether a cue of `kind` starts anywhere in `a..b`.
    pub fn cue_in(&self, a: usize, b: usize, kind: CueKind) -> Option<&Hit> {
        (a..b.min(self.toks.len())).find_map(|i| self.cue_at(i, kind))
    }

    /// The original text of tokens `a..b`.
    pub fn original(&self, a: usize, b: usize) -> &'r str {
        self.toks.original(self.text, a, b)
    }

    pub fn folded(&self, i: usize) -> &str {
        self.toks.folded(i)
    }

    pub fn is_punct(&self, i: usize) -> bool {
        self.toks.toks.get(i).is_some_and(|t| t.punct().is_some())
    }

    pub fn is_comma(&self, i: usize) -> bool {
        self.toks
            .toks
            .get(i)
            .is_some_and(|t| matches!(t.punct(), Some(',' | '،')))
    }
}

/// Match every lexicon of `lang` (triggers, cues, titles, date words, domain keywords).
fn lexicon_hits(res: &Resources, lang: Lang, toks: &Tokens, text: &str) -> Vec<Hit> {
    let mut phrases: Vec<Phrase> = Vec::new();
    let mut whats: Vec<What> = Vec::new();
    let word = Affix {
        article: true,
        pronoun: true,
        ..Affix::default()
    };
    let plain = Affix {
        pronoun: true,
        ..Affix::default()
    };
    let mut add = |folded: &str, affix: Affix, case: Case, what: What| {
        phrases.push(Phrase {
            folded: folded.to_string(),
            affix,
            case,
        });
        whats.push(what);
    };
    for (i, t) in res.triggers.iter().enumerate() {
        if t.langs.has(lang) {
            add(&t.form, word, Case::Any, What::Trigger(i));
        }
    }
    for c in &res.cues {
        if c.langs.has(lang) {
            add(&c.form, plain, Case::Any, What::Cue(c.kind));
        }
    }
    for (i, t) in res.titles.iter().enumerate() {
        if t.langs.has(lang) {
            add(
                &t.form,
                Affix {
                    article: true,
                    ..Affix::default()
                },
                Case::Any,
                What::Title(i),
            );
        }
    }
    for d in &res.dates {
        if d.langs.has(lang) {
            let case = if d.capital { Case::Upper } else { Case::Any };
            add(&d.form, Affix::default(), case, What::Date(d.word));
        }
    }
    for (i, d) in res.domains.iter().enumerate() {
        if d.langs.has(lang) {
            add(
                &d.form,
                Affix {
                    article: true,
                    open_end: d.prefix,
                    ..Affix::default()
                },
                Case::Any,
                What::Domain(i),
            );
        }
    }
    let matcher = Matcher::new(phrases);
    let mut hits: Vec<Hit> = Vec::new();
    for f in matcher.find(toks, text) {
        let what = whats[f.pid];
        let mut b = f.b;
        if let What::Trigger(i) = what {
            // A gapped trigger: each further part within three words of the last.
            let mut ok = true;
            for part in &res.triggers[i].rest {
                let found = (b..(b + 4).min(toks.len())).find(|&j| {
                    let w = toks.folded(j);
                    w == part
                        || w.strip_prefix("ال").is_some_and(|r| r == part)
                        || w.strip_prefix('و').is_some_and(|r| r == part)
                });
                match found {
                    Some(j) => b = j + 1,
                    None => {
                        ok = false;
                        break;
                    }
                }
            }
            if !ok {
                continue;
            }
        }
        hits.push(Hit {
            a: f.a,
            b,
            suffix: f.suffix,
            what,
        });
    }
    hits.sort_by_key(|h| (h.a, h.b));
    hits.dedup_by(|x, y| x.a == y.a && x.b == y.b && x.what == y.what);
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_is_detected_from_script_and_common_words() {
        assert_eq!(detect_lang("بحث المغرب وألمانيا سبل تعزيز التعاون"), Lang::Ar);
        assert_eq!(
            detect_lang("Le ministre a été reçu par son homologue dans la capitale."),
            Lang::Fr
        );
        assert_eq!(
            detect_lang("The minister was received by his counterpart in the capital."),
            Lang::En
        );
    }

    #[test]
    fn offsets_count_characters_of_the_source() {
        let source = "<p>é<b>x</b>ليس</p>";
        let plain = html::to_plain(source);
        let off = Offsets::new(source, Some(&plain.source_byte));
        let x = plain.text.find('x').unwrap();
        assert_eq!(off.char_at(x), 7, "the x is the 8th character of the markup");
        let text = "ab ليس cd";
        let off = Offsets::new(text, None);
        assert_eq!(off.char_at(text.find('c').unwrap()), 7);
    }

    #[test]
    fn an_english_report_becomes_an_event_with_its_sentence() {
        let res = Resources::load(None).unwrap();
        let text = "Headline\n\nMoroccan Foreign Minister Nasser Bourita received his Spanish counterpart \
                    Jose Manuel Albares in Rabat on 2 February 2023. He will visit Madrid next week.\n";
        let x = extract(text, "t", &Options::default(), &Known::default(), &res);
        let events: Vec<&crate::model::Event> = x
            .records
            .iter()
            .filter_map(|r| match r {
                Record::Event(e) => Some(e),
                _ => None,
            })
            .collect();
        assert_eq!(events.len(), 1, "the future visit is no event");
        let e = events[0];
        assert_eq!(
            (e.event_type.as_str(), e.date.to_string()),
            ("visit", "2023-02-02".to_string())
        );
        assert_eq!(e.location.as_deref(), Some("place:rabat"));
        let roles: Vec<(&str, &str)> = e
            .participants
            .iter()
            .map(|p| (p.entity.as_str(), p.role.as_str()))
            .collect();
        assert_eq!(
            roles,
            [
                ("person:nasser-bourita", "host"),
                ("person:jose-manuel-albares", "visitor")
            ]
        );
        assert!(e.sources[0]
            .quote
            .as_deref()
            .unwrap()
            .starts_with("Moroccan Foreign Minister"));
        assert!(x.notes.iter().any(|n| n.kind == NoteKind::Skipped));
    }
}
