//! Sentences: split on Latin and Arabic sentence punctuation (. ! ? ؟ ۔ …) and at line
//! breaks, which end headlines, bylines and paragraphs that carry no final period.
//!
//! A period does not end a sentence after an initial or a listed abbreviation ("M.", "U.S.",
//! "Dr."), nor when the next word starts in lower case (a Latin sentence never does).

use super::normalize::{Kind, Tokens};
use super::resources::DateTokens;

/// A sentence: tokens `toks.0..toks.1`, text bytes `start..end` (from its first to its last
/// token, so the quote carries no surrounding white space).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    pub toks: (usize, usize),
    pub start: usize,
    pub end: usize,
    /// The sentence begins a line of the text.
    pub line_start: bool,
}

fn ends_sentence(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '؟' | '۔' | '…')
}

/// Closing quotes and brackets that belong to the sentence they follow.
fn closes(c: char) -> bool {
    matches!(c, '"' | '”' | '»' | ')' | '’' | '\'' | ']')
}

/// Split `tokens` into sentences. `abbreviations` are folded words after which a period is
/// not a sentence end.
pub fn split(tokens: &Tokens, abbreviations: &dyn Fn(&str) -> bool) -> Vec<Sentence> {
    let toks = &tokens.toks;
    let mut out = Vec::new();
    let mut begin = 0usize;
    let push = |out: &mut Vec<Sentence>, a: usize, b: usize| {
        if a < b {
            out.push(Sentence {
                toks: (a, b),
                start: toks[a].start,
                end: toks[b - 1].end,
                line_start: a == 0 || toks[a].newline_before,
            });
        }
    };
    let mut i = 0usize;
    while i < toks.len() {
        if i > begin && toks[i].newline_before {
            push(&mut out, begin, i);
            begin = i;
        }
        if let Kind::Punct(c) = toks[i].kind {
            if ends_sentence(c) && !is_abbreviation(tokens, i, abbreviations) && !between_digits(tokens, i) {
                let mut j = i + 1;
                while j < toks.len()
                    && !toks[j].newline_before
                    && (toks[j].punct().is_some_and(|p| ends_sentence(p) || closes(p)))
                {
                    j += 1;
                }
                push(&mut out, begin, j);
                begin = j;
                i = j;
                continue;
            }
        }
        i += 1;
    }
    push(&mut out, begin, toks.len());
    out
}

/// Whether the punctuation at token `i` sits between two numbers it touches: "12.03.2021",
/// "3.5", which no sentence ends inside.
fn between_digits(tokens: &Tokens, i: usize) -> bool {
    let toks = &tokens.toks;
    let (Some(prev), Some(next)) = (i.checked_sub(1).map(|p| &toks[p]), toks.get(i + 1)) else {
        return false;
    };
    prev.kind == Kind::Number && next.kind == Kind::Number && prev.end == toks[i].start && toks[i].end == next.start
}

/// The longest number of tokens of a line that a time stamp makes page furniture.
const STAMP_LINE: usize = 30;

/// Sentences that are page furniture for a relative time stamp ("منذ 3 أسابيع", "il y a 2
/// jours", "3 hours ago"): a whole short line without final punctuation that has one, as in
/// lists of other articles, and the unpunctuated line before it, the title it stamps.
pub fn stamped(tokens: &Tokens, sents: &[Sentence], lex: &DateTokens) -> Vec<usize> {
    let whole_line = |s: usize| {
        let sent = &sents[s];
        sent.line_start
            && sents.get(s + 1).is_none_or(|n| n.line_start)
            && sent.toks.1 - sent.toks.0 <= STAMP_LINE
            && !tokens.toks[sent.toks.1 - 1].punct().is_some_and(ends_sentence)
    };
    let mut out = Vec::new();
    for (s, sent) in sents.iter().enumerate() {
        if whole_line(s) && has_stamp(tokens, sent.toks, lex) {
            if s > 0 && whole_line(s - 1) && out.last() != Some(&(s - 1)) {
                out.push(s - 1);
            }
            out.push(s);
        }
    }
    out
}

/// Whether tokens `a..b` hold a time stamp: a "before" cue and, within three tokens after it,
/// a unit ("منذ 3 أسابيع", "il y a deux jours"), or a unit right before an "after" cue ("3 hours ago").
fn has_stamp(tokens: &Tokens, (a, b): (usize, usize), lex: &DateTokens) -> bool {
    let at = |i: usize, words: &[String]| {
        i + words.len() <= b && words.iter().enumerate().all(|(k, w)| tokens.folded(i + k) == w)
    };
    let unit = |i: usize| i < b && lex.stamp_units.contains(tokens.folded(i));
    (a..b).any(|i| {
        lex.stamp_before
            .iter()
            .any(|w| at(i, w) && (i + w.len()..i + w.len() + 3).any(unit))
            || (unit(i) && lex.stamp_after.iter().any(|w| at(i + 1, w)))
    })
}

/// Whether the period at token `i` belongs to an abbreviation rather than ending a sentence.
fn is_abbreviation(tokens: &Tokens, i: usize, abbreviations: &dyn Fn(&str) -> bool) -> bool {
    if tokens.toks[i].punct() != Some('.') || i == 0 {
        return false;
    }
    let prev = &tokens.toks[i - 1];
    if prev.end != tokens.toks[i].start || !prev.is_word() {
        return false;
    }
    let word = tokens.folded(i - 1);
    let next_lower = tokens.toks.get(i + 1).is_some_and(|n| {
        n.is_word() && !n.upper && !n.newline_before && !super::normalize::is_arabic(tokens.folded(i + 1))
    });
    let initial = word.chars().count() == 1 && prev.upper;
    initial || abbreviations(word) || next_lower
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        let t = Tokens::new(text);
        let abbr = |w: &str| w == "mr";
        split(&t, &abbr)
            .iter()
            .map(|s| text[s.start..s.end].to_string())
            .collect()
    }

    #[test]
    fn splits_latin_and_arabic() {
        assert_eq!(
            texts("Mr. Smith met U.S. envoys. M. Darmanin left! Then «quoted.» Next"),
            [
                "Mr. Smith met U.S. envoys.",
                "M. Darmanin left!",
                "Then «quoted.»",
                "Next"
            ]
        );
        assert_eq!(
            texts("العنوان\nبحث الوزيران الأمر. هل انتهى؟ نعم"),
            ["العنوان", "بحث الوزيران الأمر.", "هل انتهى؟", "نعم"]
        );
    }

    #[test]
    fn a_period_between_digits_ends_no_sentence() {
        assert_eq!(
            texts("Signé le 12.03.2021 à Rabat. Fin"),
            ["Signé le 12.03.2021 à Rabat.", "Fin"]
        );
    }

    fn stamped_lines(text: &str) -> Vec<String> {
        let res = crate::extract::resources::Resources::load(None).unwrap();
        let t = Tokens::new(text);
        let sents = split(&t, &|_| false);
        stamped(&t, &sents, &res.date_tokens)
            .into_iter()
            .map(|s| text[sents[s].start..sents[s].end].to_string())
            .collect()
    }

    #[test]
    fn time_stamped_lines_are_furniture_with_their_title() {
        let text = "استقبل الوزير السفير أمس.\nوزير يستقبل نظيره\nمنذ 3 أسابيع\nLe ministre reçu il y a 2 jours\nTalks held 3 hours ago";
        assert_eq!(
            stamped_lines(text),
            [
                "وزير يستقبل نظيره",
                "منذ 3 أسابيع",
                "Le ministre reçu il y a 2 jours",
                "Talks held 3 hours ago"
            ]
        );
        assert!(
            stamped_lines("Il y a deux jours, le ministre a reçu son homologue.").is_empty(),
            "a sentence of the article is no stamp"
        );
    }
}
