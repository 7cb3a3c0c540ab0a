//! From clap's types to the library's options: each conversion once, and tested here, so
//! that a command's only work is to call the library with what these return.

use super::export::ExportSelector;
use super::ingest::LangArg;
use super::{exit, ContactArgs, Failure, LanesArg, TimelineFormat, WindowArgs};
use crate::export::timeline_svg::{ChartOptions, LaneMode};
use crate::extract::Lang;
use crate::model::{DayRange, PartialDate};
use crate::query::{ContactFilter, DateWindow, NeighborsOptions, PathOptions, Selector, StatusFilter};

impl ContactArgs {
    /// The contact filter these options ask for.
    pub fn filter(&self) -> Result<ContactFilter, Failure> {
        let window = DateWindow::parse(self.since.as_deref(), self.until.as_deref())?;
        Ok(ContactFilter {
            domains: self.domains.clone(),
            types: self.types.clone(),
            since: window.since,
            until: window.until,
            statuses: StatusFilter::from_option(self.status.as_deref())?,
        })
    }
}

impl WindowArgs {
    /// The days that `--since` and `--until` leave to a traversal.
    pub fn days(&self) -> Result<DayRange, Failure> {
        Ok(DateWindow::parse(self.since.as_deref(), self.until.as_deref())?.days())
    }
}

impl LangArg {
    /// The language to read articles in; `None` detects it.
    pub fn lang(self) -> Option<Lang> {
        match self {
            LangArg::Ar => Some(Lang::Ar),
            LangArg::Fr => Some(Lang::Fr),
            LangArg::En => Some(Lang::En),
            LangArg::Auto => None,
        }
    }
}

/// `--published DATE`.
pub fn published(value: Option<&str>) -> Result<Option<PartialDate>, Failure> {
    value
        .map(|p| {
            p.parse::<PartialDate>()
                .map_err(|e| Failure::new(exit::USAGE, format!("--published: {e}")))
        })
        .transpose()
}

/// The chart options of `timeline --format F [--lanes L]`: lanes apply to the charts only.
pub fn chart(format: TimelineFormat, lanes: Option<LanesArg>) -> Result<ChartOptions, Failure> {
    let lanes = match lanes {
        Some(_) if matches!(format, TimelineFormat::Text | TimelineFormat::Json) => {
            return Err(Failure::new(exit::USAGE, "--lanes applies to --format html and svg"));
        }
        None | Some(LanesArg::Sides) => LaneMode::Sides,
        Some(LanesArg::Organizations) => LaneMode::Organizations,
    };
    Ok(ChartOptions { lanes })
}

/// `path --max-hops K --through TYPES [window]`: `any` among the types allows every type.
pub fn path(max_hops: Option<u32>, through: Vec<String>, window: &WindowArgs) -> Result<PathOptions, Failure> {
    let through = if through.iter().any(|t| t == "any") {
        Vec::new()
    } else {
        through
    };
    Ok(PathOptions {
        max_hops,
        through,
        window: window.days()?,
    })
}

/// `neighbors NAME --hops K [window]`.
pub fn neighbors(hops: u32, window: &WindowArgs) -> Result<NeighborsOptions, Failure> {
    Ok(NeighborsOptions {
        hops,
        window: window.days()?,
    })
}

/// The query an `export` selects.
pub fn selector(s: &ExportSelector) -> Result<Selector, Failure> {
    Ok(match s {
        ExportSelector::Contacts { filter } => Selector::Contacts {
            a: filter.a.clone(),
            b: filter.b.clone(),
            filter: filter.filter()?,
        },
        ExportSelector::Neighbors { name, hops, window } => Selector::Neighbors {
            name: name.clone(),
            opts: neighbors(*hops, window)?,
        },
        ExportSelector::Entity { name } => Selector::Entity { name: name.clone() },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use crate::model::{Day, EventStatus};
    use clap::Parser;

    fn parse(args: &[&str]) -> Command {
        let mut argv = vec!["dipgraph"];
        argv.extend_from_slice(args);
        Cli::try_parse_from(argv).expect("the command line parses").command
    }

    fn date(s: &str) -> PartialDate {
        s.parse().unwrap()
    }

    #[test]
    fn contact_options_become_the_filter() {
        let Command::Contacts { filter, .. } = parse(&[
            "contacts",
            "MAR",
            "DEU",
            "--domain",
            "security",
            "--domain",
            "economy",
            "--type",
            "visit",
            "--since",
            "2022",
            "--until",
            "2023-05",
            "--status",
            "reported,planned",
        ]) else {
            panic!("not contacts")
        };
        let f = filter.filter().unwrap();
        assert_eq!(f.domains, ["security", "economy"]);
        assert_eq!(f.types, ["visit"]);
        assert_eq!((f.since, f.until), (Some(date("2022")), Some(date("2023-05"))));
        assert_eq!(f.window(), (20220101, 20230531));
        assert!(f.statuses.contains(EventStatus::Planned));
        assert!(!f.statuses.contains(EventStatus::Cancelled));
    }

    #[test]
    fn absent_options_give_the_library_defaults() {
        let Command::Contacts { filter, .. } = parse(&["contacts", "MAR", "DEU"]) else {
            panic!("not contacts")
        };
        let f = filter.filter().unwrap();
        assert_eq!((f.since, f.until), (None, None));
        assert_eq!(f.statuses, StatusFilter::default());
        assert_eq!(f.window(), (0, Day::MAX));
        let Command::Neighbors { hops, window, .. } = parse(&["neighbors", "X"]) else {
            panic!("not neighbors")
        };
        let n = neighbors(hops, &window).unwrap();
        assert_eq!((n.hops, n.window), (1, (0, Day::MAX)));
    }

    #[test]
    fn a_bad_or_inverted_window_is_a_usage_error_naming_the_option() {
        for (since, until, says) in [
            (Some("2022-13"), None, "--since"),
            (None, Some("soon"), "--until"),
            (Some("2023"), Some("2022-12"), "--until 2022-12 is before --since 2023"),
        ] {
            let w = WindowArgs {
                since: since.map(str::to_string),
                until: until.map(str::to_string),
            };
            let e = w.days().unwrap_err();
            assert_eq!(e.code, exit::USAGE, "{}", e.message);
            assert!(e.message.contains(says), "{}", e.message);
        }
    }

    #[test]
    fn a_window_widens_each_bound_to_its_precision() {
        let w = WindowArgs {
            since: Some("2022-02".into()),
            until: Some("2022".into()),
        };
        assert_eq!(w.days().unwrap(), (20220201, 20221231));
    }

    #[test]
    fn path_options_take_any_as_every_type() {
        let Command::Path {
            max_hops,
            through,
            window,
            ..
        } = parse(&["path", "A", "B", "--through", "person,any", "--max-hops", "4"])
        else {
            panic!("not path")
        };
        let p = path(max_hops, through, &window).unwrap();
        assert!(p.through.is_empty());
        assert_eq!(p.max_hops, Some(4));
        let Command::Path { through, window, .. } = parse(&["path", "A", "B", "--until", "2020"]) else {
            panic!("not path")
        };
        let p = path(None, through, &window).unwrap();
        assert_eq!(p.through, ["person"]);
        assert_eq!(p.window, (0, 20201231));
    }

    #[test]
    fn lanes_apply_to_charts_only() {
        assert_eq!(chart(TimelineFormat::Html, None).unwrap().lanes, LaneMode::Sides);
        assert_eq!(
            chart(TimelineFormat::Svg, Some(LanesArg::Organizations)).unwrap().lanes,
            LaneMode::Organizations
        );
        let e = chart(TimelineFormat::Text, Some(LanesArg::Sides)).unwrap_err();
        assert_eq!(e.code, exit::USAGE);
    }

    #[test]
    fn languages_and_the_publication_date() {
        assert_eq!(LangArg::Ar.lang(), Some(Lang::Ar));
        assert_eq!(LangArg::Fr.lang(), Some(Lang::Fr));
        assert_eq!(LangArg::En.lang(), Some(Lang::En));
        assert_eq!(LangArg::Auto.lang(), None);
        assert_eq!(published(Some("2024-03-02")).unwrap(), Some(date("2024-03-02")));
        assert_eq!(published(None).unwrap(), None);
        assert_eq!(published(Some("March")).unwrap_err().code, exit::USAGE);
    }

    #[test]
    fn export_selectors_carry_the_same_options_as_the_queries() {
        let Command::Export(args) = parse(&["export", "neighbors", "X", "--hops", "2", "--since", "2021"]) else {
            panic!("not export")
        };
        match selector(args.selector.as_ref().unwrap()).unwrap() {
            Selector::Neighbors { name, opts } => {
                assert_eq!(name, "X");
                assert_eq!((opts.hops, opts.window), (2, (20210101, Day::MAX)));
            }
            other => panic!("{other:?}"),
        }
        let Command::Export(args) = parse(&["export", "contacts", "MAR", "DEU", "--type", "visit"]) else {
            panic!("not export")
        };
        match selector(args.selector.as_ref().unwrap()).unwrap() {
            Selector::Contacts { a, b, filter } => {
                assert_eq!((a.as_str(), b.as_str()), ("MAR", "DEU"));
                assert_eq!(filter.types, ["visit"]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn engines_convert_both_ways() {
        use crate::cli::EngineArg;
        use crate::store::Engine;
        for e in [Engine::Redb, Engine::Sled] {
            assert_eq!(Engine::from(EngineArg::from(e)), e);
        }
        let cli = Cli::try_parse_from(["dipgraph", "--engine", "sled", "stats"]).unwrap();
        assert_eq!(Engine::from(cli.engine), Engine::Sled);
    }
}
