//! Sentences: split on Latin and Arabic sentence punctuation (. ! ? ؟ ۔ …) and at line
//! breaks, which end headlines, bylines and paragraphs that carry no final period.
//!
//! A period does not end a sentence after an initial or a listed abbreviation ("M.", "U.S.",
//! "Dr."), nor when the next word starts in lower case (a Latin sentence never does).

use super::normalize::{Kind, Tokens};

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
            if ends_sentence(c) && !is_abbreviation(tokens, i, abbreviations) {
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
}
