//! People named only by their office: "le ministre nigérien de la Défense", "the Egyptian
//! foreign minister", "نظيره السعودي".
//!
//! Runs after every name-introducing stage and after [`Recognizer::resolve_title_references`]:
//! a title phrase still without a person, whose office has a country (a demonym, "of X", or
//! its organization's side), stands for someone. That is the one person of that country the
//! article named before with an office of the same kind, if there is exactly one (the
//! narrative refers back: "the Italian minister"); otherwise a person of their own, named by
//! the phrase as written and marked `props.unnamed`. Such a person becomes a record only if an
//! event takes them as a participant (the output keeps what events need).

use super::{Position, Recognizer};
use crate::extract::resources::TitleKind;
use crate::model::PropValue;
use std::collections::BTreeSet;

impl Recognizer<'_, '_> {
    pub(super) fn office_holders(&mut self) {
        for ti in 0..self.titles.len() {
            let tp = &self.titles[ti];
            if !tp.persons.is_empty() || tp.chained || tp.name.is_some() {
                continue;
            }
            let kind = self.res().titles[tp.def].kind;
            if !matches!(
                kind,
                TitleKind::Minister
                    | TitleKind::Leader
                    | TitleKind::Head
                    | TitleKind::Ambassador
                    | TitleKind::Counterpart
            ) {
                continue;
            }
            let Some(country) = tp.country.or_else(|| tp.orgs.first().and_then(|&o| self.ents.side(o))) else {
                continue;
            };
            // A bare "President"/"Director" with only a country is too vague to be a person
            // of its own unless it is a minister, a leader, an ambassador or a counterpart.
            if kind == TitleKind::Head && tp.orgs.is_empty() {
                continue;
            }
            let person = match self.named_holder(country, kind, tp.a) {
                Some(p) => p,
                None => self.unnamed_holder(ti, country, kind),
            };
            self.titles[ti].persons = vec![person];
        }
    }

    /// The one named person of `country` mentioned before token `before` whose office is of
    /// `kind` (for a counterpart: any office), if there is exactly one.
    fn named_holder(&self, country: usize, kind: TitleKind, before: usize) -> Option<usize> {
        let with_office: BTreeSet<usize> = self
            .positions
            .iter()
            .filter(|p| p.from_text && (kind == TitleKind::Counterpart || p.kind == kind))
            .filter(|p| p.country == Some(country) || self.ents.side(p.person) == Some(country))
            .map(|p| p.person)
            .collect();
        let named: BTreeSet<usize> = self
            .mentions
            .iter()
            .filter(|m| !m.dead && m.a < before && with_office.contains(&m.ent))
            .map(|m| m.ent)
            .collect();
        let mut holders = named.into_iter();
        match (holders.next(), holders.next()) {
            (Some(p), None) => Some(p),
            _ => None,
        }
    }

    fn unnamed_holder(&mut self, ti: usize, country: usize, kind: TitleKind) -> usize {
        let tp = self.titles[ti].clone();
        let def = &self.res().titles[tp.def];
        let surface = self.surface(tp.a, tp.b, 0);
        let sector = def
            .sector
            .clone()
            .or_else(|| tp.orgs.first().and_then(|&o| self.ents.list[o].entity.sector.clone()));
        let person = self.person(&surface, Some(country), sector, tp.a, tp.b);
        let ent = &mut self.ents.list[person].entity;
        ent.props.insert("unnamed".into(), PropValue::Bool(true));
        if kind != TitleKind::Counterpart && def.title != "-" {
            self.positions.push(Position {
                person,
                org: tp.orgs.first().copied(),
                country: Some(country),
                title: def.title.clone(),
                kind,
                from_text: true,
            });
        }
        person
    }
}
