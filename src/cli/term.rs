//! What the output may assume about the terminal: colour and width.
//!
//! Both apply only when standard output is a terminal. Piped or redirected output is
//! plain and full width, so that scripts and files get the same bytes whatever terminal
//! the command ran in. Colour also obeys NO_COLOR (<https://no-color.org>): set to any
//! non-empty value, it turns colour off even on a terminal.

use std::ffi::OsStr;
use std::io::IsTerminal;

pub use crate::export::report::TextStyle as Style;

/// The style for standard output, decided from the real terminal and environment.
pub fn stdout_style() -> Style {
    let tty = std::io::stdout().is_terminal();
    let queried = if tty {
        terminal_size::terminal_size_of(std::io::stdout()).map(|(w, _)| w.0 as usize)
    } else {
        None
    };
    Style {
        color: use_color(tty, std::env::var_os("NO_COLOR").as_deref()),
        width: table_width(tty, std::env::var_os("COLUMNS").as_deref(), queried),
    }
}

/// Whether to colour: only on a terminal, and never when NO_COLOR is set and non-empty.
pub fn use_color(stdout_is_terminal: bool, no_color: Option<&OsStr>) -> bool {
    stdout_is_terminal && no_color.is_none_or(|v| v.is_empty())
}

/// The width tables must fit: on a terminal, COLUMNS if it is a positive number (the user
/// or the shell chose it), else the size the terminal reports; when piped, none.
pub fn table_width(stdout_is_terminal: bool, columns: Option<&OsStr>, queried: Option<usize>) -> Option<usize> {
    if !stdout_is_terminal {
        return None;
    }
    columns
        .and_then(|c| c.to_str())
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c > 0)
        .or(queried)
        .filter(|&c| c > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        assert!(use_color(true, None));
        assert!(!use_color(false, None), "piped output is never coloured");
        assert!(!use_color(true, Some(OsStr::new("1"))));
        assert!(
            !use_color(true, Some(OsStr::new("0"))),
            "any non-empty value disables colour"
        );
        assert!(
            use_color(true, Some(OsStr::new(""))),
            "an empty NO_COLOR is ignored, as no-color.org says"
        );
        assert!(!use_color(false, Some(OsStr::new(""))));
    }

    #[test]
    fn width_only_on_a_terminal_and_columns_wins() {
        assert_eq!(table_width(false, Some(OsStr::new("80")), Some(120)), None);
        assert_eq!(table_width(true, Some(OsStr::new("80")), Some(120)), Some(80));
        assert_eq!(table_width(true, None, Some(120)), Some(120));
        assert_eq!(table_width(true, Some(OsStr::new("wide")), Some(120)), Some(120));
        assert_eq!(table_width(true, Some(OsStr::new("0")), None), None);
        assert_eq!(table_width(true, None, None), None);
    }
}
