//! Interchange v1's bilateral rule: which countries an entity stands for, and which sectors
//! it works in, at a date. The store applies it when it writes the dyad index
//! (`store::apply`) and the graph when it reads sides and sectors (`graph::facts`); both
//! call these functions, so that the two cannot drift apart.

use super::{overlaps, DayRange, Entity};
use std::collections::BTreeSet;

impl Entity {
    /// The country this entity stands for whatever the date: a country stands for itself,
    /// any other entity for its `country` field. `None`: it stands for the countries of the
    /// positions it holds at the date (see [`standing_at`]). This is also the side that a
    /// position in this entity gives its holder.
    pub fn own_side(&self) -> Option<&str> {
        if self.entity_type == "country" {
            Some(&self.key)
        } else {
            self.country.as_deref()
        }
    }
}

/// What an entity stands for during `at`, for sides and sectors alike: its own value when
/// it has one, else the values of the positions it holds whose interval overlaps `at`.
///
/// `own` is [`Entity::own_side`] (or the entity's `sector`); `positions` are its positions'
/// intervals, each with the value the position gives (the organization's own side, or its
/// sector), if any.
pub fn standing_at<T: Ord>(
    own: Option<T>,
    positions: impl IntoIterator<Item = (DayRange, Option<T>)>,
    at: DayRange,
) -> BTreeSet<T> {
    match own {
        Some(v) => [v].into(),
        None => positions
            .into_iter()
            .filter(|(held, _)| overlaps(*held, at))
            .filter_map(|(_, v)| v)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(key: &str, entity_type: &str, country: Option<&str>) -> Entity {
        Entity {
            key: key.into(),
            entity_type: entity_type.into(),
            name: key.into(),
            aliases: vec![],
            country: country.map(str::to_string),
            sector: None,
            props: Default::default(),
        }
    }

    #[test]
    fn a_country_stands_for_itself_and_others_for_their_country() {
        assert_eq!(entity("MAR", "country", None).own_side(), Some("MAR"));
        assert_eq!(entity("MAR", "country", Some("DEU")).own_side(), Some("MAR"));
        assert_eq!(entity("org:bpol", "organization", Some("DEU")).own_side(), Some("DEU"));
        assert_eq!(entity("person:x", "person", None).own_side(), None);
    }

    #[test]
    fn without_an_own_value_the_positions_held_at_the_date_decide() {
        let positions = [
            ((20200101, 20211231), Some("DEU")),
            ((20220101, 20221231), Some("MAR")),
            ((20220601, 20220630), None),
        ];
        assert_eq!(standing_at(None, positions, (20220610, 20220610)), ["MAR"].into());
        assert_eq!(
            standing_at(None, positions, (20211201, 20220131)),
            ["DEU", "MAR"].into()
        );
        assert!(standing_at(None, positions, (20230101, 20231231)).is_empty());
        assert_eq!(
            standing_at(Some("FRA"), positions, (20220610, 20220610)),
            ["FRA"].into()
        );
    }
}
