//! Matching folded phrases against the view with Aho-Corasick, at word boundaries.
//!
//! A phrase matches when it starts at the start of a token (or after an allowed attached
//! Arabic prefix: و ف, then ب ل ك, then the article ال when the phrase allows it, with ل + ال
//! contracted to لل) and ends at the end of a token (or before an allowed Arabic pronoun
//! suffix). Every occurrence is found, overlapping ones included; callers choose among them.

use super::normalize::{is_arabic, Tokens};
use aho_corasick::{AhoCorasick, MatchKind};

/// What a phrase allows around it in Arabic script.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Affix {
    /// The article ال may be attached (adjectives, nouns of the lexicons).
    pub article: bool,
    /// An object or possessive pronoun may be attached at the end (ه ها هم هما).
    pub pronoun: bool,
    /// The phrase is the contracted form of a name that starts with ال ("الرباط" written
    /// "للرباط" after ل): it matches only right after a prefix ending in ل.
    pub lam: bool,
    /// The phrase is the start of a word: anything may follow it in the token ("أمن*").
    pub open_end: bool,
}

/// What the Latin-script text must look like for the phrase to match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    Any,
    /// The first letter is upper case (a proper name written with a capital, "Morocco").
    Upper,
    /// Every token is upper case ("US", "U.S.", "DGST"): never the word "us".
    Acronym,
}

impl Case {
    /// The case rule a phrase written as `original` in a data file imposes on the text.
    pub fn of(original: &str) -> Case {
        let letters: Vec<char> = original.chars().filter(|c| c.is_alphabetic()).collect();
        match letters.first() {
            Some(c) if c.is_uppercase() && !is_arabic(&c.to_string()) => {
                if letters.len() <= 6 && letters.iter().all(|c| c.is_uppercase()) {
                    Case::Acronym
                } else {
                    Case::Upper
                }
            }
            _ => Case::Any,
        }
    }
}

/// A phrase to look for.
#[derive(Debug, Clone)]
pub struct Phrase {
    pub folded: String,
    pub affix: Affix,
    pub case: Case,
}

/// One occurrence: phrase `pid` over tokens `a..b`, with an attached prefix of `prefix`
/// bytes on token `a` and, if `suffix`, a pronoun attached to token `b - 1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    pub pid: usize,
    pub a: usize,
    pub b: usize,
    pub prefix: usize,
    pub suffix: bool,
}

/// An automaton over a set of phrases.
#[derive(Debug, Clone)]
pub struct Matcher {
    ac: Option<AhoCorasick>,
    pub phrases: Vec<Phrase>,
}

const PRONOUNS: [&str; 5] = ["ه", "ها", "هم", "هما", "هن"];

impl Matcher {
    pub fn new(phrases: Vec<Phrase>) -> Matcher {
        let ac = if phrases.is_empty() {
            None
        } else {
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .build(phrases.iter().map(|p| p.folded.as_str()))
                .ok()
        };
        Matcher { ac, phrases }
    }

    /// Every occurrence in the view of `tokens`, in order of end position.
    pub fn find(&self, tokens: &Tokens, text: &str) -> Vec<Found> {
        let Some(ac) = &self.ac else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for m in ac.find_overlapping_iter(tokens.view.as_str()) {
            let p = &self.phrases[m.pattern().as_usize()];
            let (s, e) = (m.start(), m.end());
            let (Some(a), Some(last)) = (tokens.token_at(s), tokens.token_at(e - 1)) else {
                continue;
            };
            let ta = &tokens.toks[a];
            let tl = &tokens.toks[last];
            // Start: the token's start, or after an allowed prefix.
            let prefix = s - ta.view.0;
            if prefix > 0 {
                let pre = &tokens.view[ta.view.0..s];
                if !is_arabic(pre) || !prefix_ok(pre, p.affix) {
                    continue;
                }
            } else if p.affix.lam {
                continue;
            }
            // End: the token's end, or before an allowed pronoun.
            let mut suffix = false;
            if e != tl.view.1 && !p.affix.open_end {
                let rest = &tokens.view[e..tl.view.1];
                if !(p.affix.pronoun && PRONOUNS.contains(&rest)) {
                    continue;
                }
                suffix = true;
            }
            let ok = match p.case {
                Case::Any => true,
                Case::Upper => ta.upper || ta.caps,
                Case::Acronym => (a..=last).all(|i| {
                    let t = &tokens.toks[i];
                    !t.is_word() || text[t.start..t.end].chars().all(|c| !c.is_lowercase())
                }),
            };
            if ok {
                out.push(Found {
                    pid: m.pattern().as_usize(),
                    a,
                    b: last + 1,
                    prefix,
                    suffix,
                });
            }
        }
        out
    }
}

/// Whether `pre` (folded, Arabic) is an allowed attached prefix.
fn prefix_ok(pre: &str, affix: Affix) -> bool {
    let mut rest = pre;
    if let Some(r) = rest.strip_prefix(['و', 'ف']) {
        rest = r;
    }
    if affix.lam {
        return rest == "ل";
    }
    let mut prep = None;
    if let Some(c) = rest.chars().next().filter(|c| matches!(c, 'ب' | 'ل' | 'ك')) {
        prep = Some(c);
        rest = &rest[c.len_utf8()..];
    }
    if rest.is_empty() {
        return true;
    }
    affix.article && (rest == "ال" || (prep == Some('ل') && rest == "ل"))
}

/// The contracted form of an Arabic phrase that starts with the article: "الرباط" is written
/// "للرباط" after the preposition ل; the variant without the alef matches after that ل.
pub fn lam_variant(folded: &str) -> Option<String> {
    folded
        .strip_prefix("ال")
        .filter(|r| r.chars().count() >= 2)
        .map(|r| format!("ل{r}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phrase(s: &str, affix: Affix) -> Phrase {
        Phrase {
            folded: crate::model::fold_name(s),
            affix,
            case: Case::of(s),
        }
    }

    #[test]
    fn arabic_prefixes_suffixes_and_contraction() {
        let text = "زار بالرباط وللرباط والألماني واستقبله الرباطي US us";
        let t = Tokens::new(text);
        let name = Affix::default();
        let adj = Affix {
            article: true,
            ..Affix::default()
        };
        let verb = Affix {
            article: true,
            pronoun: true,
            ..Affix::default()
        };
        let m = Matcher::new(vec![
            phrase("الرباط", name),
            Phrase {
                folded: lam_variant("الرباط").unwrap(),
                affix: Affix { lam: true, ..name },
                case: Case::Any,
            },
            phrase("ألماني", adj),
            phrase("استقبل", verb),
            phrase("US", name),
        ]);
        let found: Vec<(usize, usize)> = m.find(&t, text).iter().map(|f| (f.pid, f.a)).collect();
        assert_eq!(found, [(0, 1), (1, 2), (2, 3), (3, 4), (4, 6)]);
        assert_eq!(Case::of("DGST"), Case::Acronym);
        assert_eq!(Case::of("Morocco"), Case::Upper);
        assert_eq!(Case::of("ministère de l'Intérieur"), Case::Any);
    }
}
