//! Normalization for matching: the text is cut into tokens, and every word token is folded
//! with [`fold_char`] (NFKC-compatible decomposition, case and accents removed, Arabic
//! diacritics and tatweel dropped, alef/hamza unified, alef maqsura → ya, taa marbuta → ha),
//! with Arabic-Indic digits read as ASCII digits.
//!
//! The folded tokens are joined by single spaces into one string, the *view*, which is what
//! lexicons and gazetteers are matched against. Every token keeps the byte range it came from
//! in the original text, so any match in the view maps back to original offsets.
//!
//! Invariants: tokens are in text order and do not overlap; `view[t.view.0..t.view.1]` is the
//! folded form of token `t`; tokens are separated in the view by exactly one space; a
//! punctuation token's view is the punctuation character itself, so no folded name (which
//! never contains punctuation) can match across it.

use crate::model::fold_char;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Letters, possibly with digits.
    Word,
    /// Digits only (after folding Arabic-Indic digits).
    Number,
    /// One punctuation character that separates words (comma, period, quote, dash ...).
    Punct(char),
}

#[derive(Debug, Clone)]
pub struct Token {
    /// Byte range in the text.
    pub start: usize,
    pub end: usize,
    /// Byte range in the view.
    pub view: (usize, usize),
    pub kind: Kind,
    /// The first letter is upper case in the text.
    pub upper: bool,
    /// Every letter is upper case and there are at least two (an acronym or a dateline).
    pub caps: bool,
    /// A line break lies between this token and the previous one.
    pub newline_before: bool,
}

impl Token {
    pub fn is_word(&self) -> bool {
        matches!(self.kind, Kind::Word)
    }

    pub fn punct(&self) -> Option<char> {
        match self.kind {
            Kind::Punct(c) => Some(c),
            _ => None,
        }
    }
}

/// A tokenized text and its folded view.
#[derive(Debug, Clone, Default)]
pub struct Tokens {
    pub toks: Vec<Token>,
    pub view: String,
    /// For each byte of the view, the token it belongs to (`u32::MAX` for separators).
    tok_at: Vec<u32>,
}

/// Characters that join the letters around them into one name without being punctuation of
/// the sentence: apostrophes (d'Allemagne, O'Neill). They end a word but make no token.
fn is_soft(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ' | '`' | '‘')
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '‐' | '‑')
}

fn ascii_digit(c: char) -> char {
    match c {
        '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
        '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
        _ => c,
    }
}

impl Tokens {
    pub fn new(text: &str) -> Tokens {
        let mut toks: Vec<Token> = Vec::with_capacity(text.len() / 5);
        let mut view = String::with_capacity(text.len());
        let mut cur: Option<Token> = None;
        let mut all_digits = true;
        let mut letters = 0usize;
        let mut lower_seen = false;
        let mut newline = false;
        let mut prev_char: Option<char> = None;
        let mut chars = text.char_indices().peekable();
        while let Some((i, raw)) = chars.next() {
            let c = ascii_digit(raw);
            let next = chars.peek().map(|&(_, n)| n);
            let mut word_chars = 0usize;
            let mut separator = false;
            fold_char(c, |f| match f {
                Some(fc) => {
                    if cur.is_none() {
                        if !view.is_empty() {
                            view.push(' ');
                        }
                        cur = Some(Token {
                            start: i,
                            end: i,
                            view: (view.len(), view.len()),
                            kind: Kind::Word,
                            upper: raw.is_uppercase(),
                            caps: false,
                            newline_before: std::mem::take(&mut newline),
                        });
                        all_digits = true;
                        letters = 0;
                        lower_seen = false;
                    }
                    view.push(fc);
                    word_chars += 1;
                    if !fc.is_ascii_digit() {
                        all_digits = false;
                    }
                }
                None => separator = true,
            });
            if word_chars > 0 {
                if raw.is_alphabetic() {
                    letters += 1;
                    lower_seen |= raw.is_lowercase();
                }
                if let Some(t) = cur.as_mut() {
                    t.end = i + raw.len_utf8();
                }
            } else if !separator {
                // A diacritic or tatweel: part of the word it follows.
                if let Some(t) = cur.as_mut() {
                    t.end = i + raw.len_utf8();
                }
            }
            if separator && word_chars == 0 {
                if let Some(t) = cur.take() {
                    toks.push(finish_token(t, view.len(), all_digits, letters, lower_seen));
                }
                if raw == '\n' || raw == '\r' || raw == '\u{2029}' {
                    newline = true;
                }
                let prev_alnum = prev_char.is_some_and(|p| p.is_alphanumeric());
                let next_alnum = next.is_some_and(|n| n.is_alphanumeric());
                // "U.S." and "Grande-Marlaska": a period between single letters and a hyphen
                // inside a word join, like an apostrophe, instead of separating.
                let abbrev_dot = raw == '.'
                    && prev_alnum
                    && next.is_some_and(|n| n.is_alphabetic())
                    && toks.last().is_some_and(|t| t.view.1 - t.view.0 == 1);
                let soft = is_soft(raw) || (is_hyphen(raw) && prev_alnum && next_alnum) || abbrev_dot;
                if !raw.is_whitespace() && !soft {
                    if !view.is_empty() {
                        view.push(' ');
                    }
                    let v0 = view.len();
                    view.push(raw);
                    toks.push(Token {
                        start: i,
                        end: i + raw.len_utf8(),
                        view: (v0, view.len()),
                        kind: Kind::Punct(raw),
                        upper: false,
                        caps: false,
                        newline_before: std::mem::take(&mut newline),
                    });
                }
            }
            prev_char = Some(raw);
        }
        if let Some(t) = cur.take() {
            toks.push(finish_token(t, view.len(), all_digits, letters, lower_seen));
        }
        let mut tok_at = vec![u32::MAX; view.len() + 1];
        for (n, t) in toks.iter().enumerate() {
            for b in &mut tok_at[t.view.0..t.view.1] {
                *b = n as u32;
            }
        }
        Tokens { toks, view, tok_at }
    }

    pub fn len(&self) -> usize {
        self.toks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.toks.is_empty()
    }

    /// The folded form of token `i`.
    pub fn folded(&self, i: usize) -> &str {
        let t = &self.toks[i];
        &self.view[t.view.0..t.view.1]
    }

    /// The token that view byte `b` belongs to, if any.
    pub fn token_at(&self, b: usize) -> Option<usize> {
        self.tok_at
            .get(b)
            .copied()
            .filter(|&t| t != u32::MAX)
            .map(|t| t as usize)
    }

    /// The folded text of tokens `a..b`, joined by spaces.
    pub fn folded_span(&self, a: usize, b: usize) -> &str {
        if a >= b {
            return "";
        }
        &self.view[self.toks[a].view.0..self.toks[b - 1].view.1]
    }

    /// The original text of tokens `a..b`.
    pub fn original<'t>(&self, text: &'t str, a: usize, b: usize) -> &'t str {
        if a >= b {
            return "";
        }
        &text[self.toks[a].start..self.toks[b - 1].end]
    }
}

/// Whether a folded word is written in Arabic script.
pub fn is_arabic(word: &str) -> bool {
    word.chars()
        .next()
        .is_some_and(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
}

/// A token whose last character has been read: its view ends at `view_end`, it is a number
/// if all its characters were digits, and all-caps if it has two letters or more and no
/// lowercase one.
fn finish_token(mut t: Token, view_end: usize, all_digits: bool, letters: usize, lower_seen: bool) -> Token {
    t.view.1 = view_end;
    if all_digits {
        t.kind = Kind::Number;
    }
    t.caps = letters >= 2 && !lower_seen;
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn view_folds_and_maps_back() {
        let text = "استقبل المديرُ العام، عبد اللطيف حمّوشي بالرباط.";
        let t = Tokens::new(text);
        assert_eq!(t.view, "استقبل المدير العام ، عبد اللطيف حموشي بالرباط .");
        let i = t
            .toks
            .iter()
            .position(|x| &t.view[x.view.0..x.view.1] == "حموشي")
            .unwrap();
        assert_eq!(&text[t.toks[i].start..t.toks[i].end], "حمّوشي");
        assert_eq!(t.token_at(t.toks[i].view.0 + 2), Some(i));
    }

    #[test]
    fn latin_apostrophes_hyphens_and_abbreviations() {
        let t = Tokens::new("L'ambassade d'Allemagne, U.S. envoy Grande-Marlaska ١٠ juin - fin");
        assert_eq!(
            t.view,
            "l ambassade d allemagne , u s . envoy grande marlaska 10 juin - fin"
        );
        assert!(t.toks[0].upper && !t.toks[1].upper);
        assert_eq!(t.toks.iter().filter(|x| x.kind == Kind::Number).count(), 1);
    }

    #[test]
    fn tatweel_and_harakat_stay_inside_the_word() {
        let t = Tokens::new("عبـــد  اللَّطيف\nX");
        assert_eq!(t.view, "عبد اللطيف x");
        assert!(t.toks[2].newline_before && !t.toks[1].newline_before);
        assert!(!t.toks[2].caps, "one letter is not an acronym");
    }
}
