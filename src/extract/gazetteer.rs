//! Gazetteer matching: the store's entities and aliases, the data gazetteer
//! (organizations, places), the ISO countries and their adjectives and demonyms, all folded
//! and matched at once with Aho-Corasick, with the attached Arabic prefixes و ب ل ال ك.
//!
//! Where names overlap the longest wins ("المديرية العامة للأمن الوطني" over "الأمن
//! الوطني"); places inside a longer name are kept as nested mentions ("… بالرباط" inside an
//! embassy's name says where the embassy is). A name that several entities share is given
//! to the one from the store, else to the one whose country the article mentions.

use super::matcher::{lam_variant, Affix, Case, Matcher, Phrase};
use super::resources::Resources;
use crate::model::{fold_name, Entity};
use std::collections::HashMap;

/// Where an entity of the extraction comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Origin {
    /// Found in the text; the extraction creates it.
    New,
    /// From data/ (gazetteer, countries): created in the store when first used.
    Data,
    /// Already in the store.
    Store,
}

/// An entity the extraction knows: from the store, from data/, or found in the text.
#[derive(Debug, Clone)]
pub struct Ent {
    pub entity: Entity,
    pub origin: Origin,
    /// Spellings found in the text that the entity does not have yet (new aliases).
    pub new_names: Vec<String>,
}

/// The entity table: one entry per key.
#[derive(Debug, Clone, Default)]
pub struct Ents {
    pub list: Vec<Ent>,
    by_key: HashMap<String, usize>,
}

impl Ents {
    /// Add an entity, or unite its names with the entry of the same key (the higher origin
    /// keeps its name and fields).
    pub fn add(&mut self, e: Entity, origin: Origin) -> usize {
        if let Some(&i) = self.by_key.get(&e.key) {
            let cur = &mut self.list[i];
            if origin > cur.origin {
                let old = std::mem::replace(&mut cur.entity, e);
                cur.origin = origin;
                for n in std::iter::once(old.name).chain(old.aliases) {
                    if n != cur.entity.name && !cur.entity.aliases.contains(&n) {
                        cur.entity.aliases.push(n);
                    }
                }
            } else {
                for n in std::iter::once(e.name).chain(e.aliases) {
                    if n != cur.entity.name && !cur.entity.aliases.contains(&n) {
                        cur.entity.aliases.push(n);
                    }
                }
                if cur.entity.country.is_none() {
                    cur.entity.country = e.country;
                }
                if cur.entity.sector.is_none() {
                    cur.entity.sector = e.sector;
                }
            }
            return i;
        }
        self.by_key.insert(e.key.clone(), self.list.len());
        self.list.push(Ent {
            entity: e,
            origin,
            new_names: Vec::new(),
        });
        self.list.len() - 1
    }

    pub fn get(&self, key: &str) -> Option<usize> {
        self.by_key.get(key).copied()
    }

    pub fn has_key(&self, key: &str) -> bool {
        self.by_key.contains_key(key)
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn etype(&self, i: usize) -> &str {
        &self.list[i].entity.entity_type
    }

    pub fn is(&self, i: usize, t: &str) -> bool {
        self.list[i].entity.entity_type == t
    }

    /// The country an entity stands for: itself for a country, else its `country`.
    pub fn side(&self, i: usize) -> Option<usize> {
        if self.is(i, "country") {
            return Some(i);
        }
        self.list[i].entity.country.as_deref().and_then(|k| self.get(k))
    }

    /// Every name and alias of entity `i`.
    pub fn names(&self, i: usize) -> impl Iterator<Item = &String> {
        let e = &self.list[i].entity;
        std::iter::once(&e.name).chain(e.aliases.iter())
    }
}

/// What a gazetteer phrase refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameRef {
    Ent(usize),
    /// An adjective or demonym of this country entity.
    Demonym(usize),
    /// A template organization (index into Resources::templates).
    Template(usize),
}

/// The gazetteer automaton and what each phrase refers to.
pub struct Gazetteer {
    pub matcher: Matcher,
    pub refs: Vec<Vec<NameRef>>,
}

/// Build the gazetteer over every entity of `ents` (store, data), the demonyms and the
/// templates.
pub fn build(ents: &Ents, res: &Resources) -> Gazetteer {
    let mut index: HashMap<(String, Affix), usize> = HashMap::new();
    let mut phrases: Vec<Phrase> = Vec::new();
    let mut refs: Vec<Vec<NameRef>> = Vec::new();
    let mut add = |original: &str, folded: String, affix: Affix, r: NameRef| {
        if folded.chars().count() < 2 || res.not_names.contains(&folded) {
            return;
        }
        let case = Case::of(original);
        let mut push = |folded: String, affix: Affix| {
            let slot = *index.entry((folded.clone(), affix)).or_insert_with(|| {
                phrases.push(Phrase { folded, affix, case });
                refs.push(Vec::new());
                phrases.len() - 1
            });
            // The strictest case rule of any name wins: "US" stays an acronym even if
            // another entity is written "us".
            if case != Case::Any && phrases[slot].case == Case::Any {
                phrases[slot].case = case;
            }
            if !refs[slot].contains(&r) {
                refs[slot].push(r);
            }
        };
        if let Some(v) = lam_variant(&folded) {
            push(v, Affix { lam: true, ..affix });
        }
        push(folded, affix);
    };
    for i in 0..ents.len() {
        for n in ents.names(i) {
            add(n, fold_name(n), Affix::default(), NameRef::Ent(i));
        }
    }
    let adjective = Affix {
        article: true,
        ..Affix::default()
    };
    for (country, form) in &res.demonyms {
        if let Some(c) = ents.get(country) {
            // Demonyms are stored folded; an English one is capitalized in the text.
            let original = if form.is_ascii() && res.demonym_capitalized.contains(form) {
                "Xx"
            } else {
                "x"
            };
            add(original, form.clone(), adjective, NameRef::Demonym(c));
        }
    }
    for (t, e) in res.templates.iter().enumerate() {
        for n in std::iter::once(&e.name).chain(&e.aliases) {
            if n.contains('{') {
                continue;
            }
            add(n, fold_name(n), Affix::default(), NameRef::Template(t));
        }
    }
    Gazetteer {
        matcher: Matcher::new(phrases),
        refs,
    }
}
