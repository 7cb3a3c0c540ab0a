//! HTML to plain text: tags dropped, scripts, styles and page furniture (head, navigation,
//! header, footer, asides, forms) dropped with their content, block elements turned into line
//! breaks, character references decoded.
//!
//! Every byte of the plain text remembers the byte of the source it came from, so that the
//! offsets the extractor reports point into the file as it was read.

/// Plain text and, for each of its bytes (plus one past the end), the source byte it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plain {
    pub text: String,
    pub source_byte: Vec<usize>,
}

/// Elements whose content is never article text.
const SKIPPED: &[&str] = &[
    "script", "style", "head", "nav", "header", "footer", "aside", "form", "noscript", "iframe", "svg", "template",
    "button", "select",
];

/// Elements that start a new line of text.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "tr",
    "td",
    "th",
    "table",
    "article",
    "section",
    "blockquote",
    "dd",
    "dt",
    "dl",
    "figcaption",
    "figure",
    "main",
    "body",
    "html",
    "hr",
    "pre",
];

/// Whether `text` looks like an HTML document rather than plain text.
pub fn looks_like_html(text: &str) -> bool {
    let head = text.trim_start_matches('\u{feff}').trim_start();
    let lower: String = head.chars().take(15).collect::<String>().to_ascii_lowercase();
    lower.starts_with("<!doctype html") || lower.starts_with("<html") || lower.starts_with("<!--")
}

/// Convert an HTML document to plain text.
pub fn to_plain(src: &str) -> Plain {
    let bytes = src.as_bytes();
    let mut text = String::with_capacity(src.len() / 2);
    let mut map: Vec<usize> = Vec::with_capacity(src.len() / 2);
    let mut skip_until: Option<String> = None;
    let mut i = 0usize;
    let newline = |text: &mut String, map: &mut Vec<usize>, at: usize| {
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
            map.push(at);
        }
    };
    while i < bytes.len() {
        if bytes[i] == b'<' {
            if src[i..].starts_with("<!--") {
                i = src[i..].find("-->").map_or(bytes.len(), |e| i + e + 3);
                continue;
            }
            let Some(close) = src[i..].find('>') else {
                break;
            };
            let tag = &src[i + 1..i + close];
            let end_tag = tag.starts_with('/');
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            let self_closing = tag.ends_with('/');
            let at = i;
            i += close + 1;
            if let Some(until) = &skip_until {
                if end_tag && name == *until {
                    skip_until = None;
                }
                continue;
            }
            if !end_tag && !self_closing && SKIPPED.contains(&name.as_str()) {
                skip_until = Some(name);
                continue;
            }
            if BLOCKS.contains(&name.as_str()) {
                newline(&mut text, &mut map, at);
            }
            continue;
        }
        let c = src[i..].chars().next().unwrap_or(' ');
        let len = c.len_utf8();
        if skip_until.is_some() {
            i += len;
            continue;
        }
        if c == '&' {
            if let Some((decoded, used)) = entity(&src[i..]) {
                let start = text.len();
                text.push(decoded);
                map.extend(std::iter::repeat_n(i, text.len() - start));
                i += used;
                continue;
            }
        }
        // Runs of white space inside HTML are one space; line breaks come from elements.
        if c.is_whitespace() {
            if !text.is_empty() && !text.ends_with([' ', '\n']) {
                text.push(' ');
                map.push(i);
            }
            i += len;
            continue;
        }
        let start = text.len();
        text.push(c);
        map.extend((0..text.len() - start).map(|k| i + k));
        i += len;
    }
    map.push(src.len());
    Plain { text, source_byte: map }
}

/// Decode the character reference at the start of `s`: the character and the bytes used.
fn entity(s: &str) -> Option<(char, usize)> {
    // A reference is at most 12 bytes; cut there, or earlier at a character boundary.
    let mut cut = s.len().min(12);
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    let end = s[..cut].find(';')?;
    let body = &s[1..end];
    let c = if let Some(num) = body.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        char::from_u32(code)?
    } else {
        match body {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "nbsp" => ' ',
            "copy" => '©',
            "mdash" => '—',
            "ndash" => '–',
            "laquo" => '«',
            "raquo" => '»',
            "rsquo" => '’',
            "lsquo" => '‘',
            "rdquo" => '”',
            "ldquo" => '“',
            "hellip" => '…',
            "eacute" => 'é',
            "egrave" => 'è',
            "ecirc" => 'ê',
            "agrave" => 'à',
            "acirc" => 'â',
            "ccedil" => 'ç',
            "ocirc" => 'ô',
            "icirc" => 'î',
            "iuml" => 'ï',
            "ucirc" => 'û',
            "ugrave" => 'ù',
            "ouml" => 'ö',
            "uuml" => 'ü',
            "auml" => 'ä',
            "szlig" => 'ß',
            "Eacute" => 'É',
            _ => return None,
        }
    };
    Some((c, end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_tags_scripts_and_furniture_and_maps_offsets() {
        let src = "<html><head><title>T</title><script>var x=\"<p>\";</script></head>\
                   <body><nav>Menu</nav><p>M<sup>me</sup> Verlinden &amp; co</p><p>r&eacute;serv&#233;</p>\
                   <footer>&copy; x</footer></body></html>";
        let p = to_plain(src);
        assert_eq!(p.text, "Mme Verlinden & co\nréservé\n");
        let v = p.text.find("Verlinden").unwrap();
        assert_eq!(&src[p.source_byte[v]..p.source_byte[v] + 9], "Verlinden");
        let amp = p.text.find('&').unwrap();
        assert!(src[p.source_byte[amp]..].starts_with("&amp;"));
        assert_eq!(p.source_byte.len(), p.text.len() + 1);
        assert!(looks_like_html("  <!DOCTYPE html><html>") && !looks_like_html("plain < text"));
    }
}
