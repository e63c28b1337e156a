//! Source strings as text with their web addresses as links.
//!
//! Sources are free text (`"USGS MCS 2026, https://pubs.usgs.gov/…; github.com/x/y"`). Tokens that
//! start with `http://` or `https://`, or look like a bare web address (`host.tld/path` with a
//! known top-level domain), or a DOI (`10.1234/…`, `doi:10.…`), become links; everything else
//! stays text. Only http(s) links are ever produced.

use maud::{Markup, html};

const TLDS: &[&str] = &[
    "com", "org", "net", "gov", "edu", "int", "io", "eu", "info", "uk", "de", "fr", "mn", "cn",
    "jp", "au", "ca", "kr", "ru", "ch", "be", "nl", "it", "es", "se", "no", "fi", "us", "co", "in",
    "br",
];

/// A piece of a source string.
#[derive(Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    Link { text: &'a str, href: String },
}

/// Splits a source string into text and links.
pub fn pieces(s: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    let bytes = s.as_bytes();
    while i < s.len() {
        // Start of a token: at the beginning or after whitespace.
        if i == 0 || bytes[i - 1].is_ascii_whitespace() || bytes[i - 1] == b'(' {
            let end = s[i..].find(char::is_whitespace).map_or(s.len(), |e| i + e);
            let token = trim_trailing(&s[i..end]);
            if let Some(href) = href_of(token) {
                if text_start < i {
                    out.push(Piece::Text(&s[text_start..i]));
                }
                out.push(Piece::Link { text: token, href });
                i += token.len();
                text_start = i;
                continue;
            }
        }
        i += s[i..].chars().next().map_or(1, char::len_utf8);
    }
    if text_start < s.len() {
        out.push(Piece::Text(&s[text_start..]));
    }
    out
}

fn trim_trailing(t: &str) -> &str {
    let mut t = t;
    loop {
        let trimmed = t.trim_end_matches(['.', ',', ';', ':', '\'', '"', '!', '?']);
        let trimmed = if trimmed.ends_with(')') && !trimmed.contains('(') {
            &trimmed[..trimmed.len() - 1]
        } else {
            trimmed
        };
        if trimmed.len() == t.len() {
            return t;
        }
        t = trimmed;
    }
}

fn href_of(token: &str) -> Option<String> {
    let lower = token.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        return (token.len() > 8 && token.is_ascii()).then(|| token.to_string());
    }
    if let Some(doi) = lower.strip_prefix("doi:") {
        return is_doi(doi.trim()).then(|| format!("https://doi.org/{}", &token[4..].trim()));
    }
    if is_doi(token) {
        return Some(format!("https://doi.org/{token}"));
    }
    if !token.is_ascii() || token.contains('@') {
        return None;
    }
    let host = token.split('/').next().unwrap_or("");
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 || labels.iter().any(|l| l.is_empty()) {
        return None;
    }
    if !host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    {
        return None;
    }
    let tld = labels[labels.len() - 1].to_ascii_lowercase();
    if !TLDS.contains(&tld.as_str()) || !labels[0].chars().any(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    Some(format!("https://{token}"))
}

fn is_doi(s: &str) -> bool {
    s.starts_with("10.")
        && s.contains('/')
        && s.len() > 7
        && s.is_ascii()
        && !s.contains(char::is_whitespace)
}

/// A source string with its addresses as links (opened in a new tab, no referrer).
pub fn linked(s: &str) -> Markup {
    html! {
        @for p in pieces(s) {
            @match p {
                Piece::Text(t) => (t),
                Piece::Link { text, href } => a href=(href) rel="noopener noreferrer" target="_blank" { (text) },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Piece, pieces};

    fn hrefs(s: &str) -> Vec<String> {
        pieces(s)
            .into_iter()
            .filter_map(|p| match p {
                Piece::Link { href, .. } => Some(href),
                Piece::Text(_) => None,
            })
            .collect()
    }

    #[test]
    fn full_urls_and_bare_hosts_become_links() {
        let s = "USGS MCS 2026, https://pubs.usgs.gov/periodicals/mcs2026/x.pdf (transcribed in github.com/a/b)";
        assert_eq!(
            hrefs(s),
            vec![
                "https://pubs.usgs.gov/periodicals/mcs2026/x.pdf",
                "https://github.com/a/b"
            ]
        );
    }

    #[test]
    fn trailing_punctuation_is_not_part_of_a_link() {
        assert_eq!(
            hrefs("see reingex.com/en/x.shtml; and more."),
            vec!["https://reingex.com/en/x.shtml"]
        );
        assert_eq!(
            hrefs("(https://example.org/a)."),
            vec!["https://example.org/a"]
        );
    }

    #[test]
    fn dois_link_to_doi_org() {
        assert_eq!(
            hrefs("doi:10.1000/xyz123"),
            vec!["https://doi.org/10.1000/xyz123"]
        );
        assert_eq!(
            hrefs("DOI 10.2760/386650"),
            vec!["https://doi.org/10.2760/386650"]
        );
    }

    #[test]
    fn plain_text_stays_text() {
        assert!(hrefs("e.g. 2.5 per cent, Ltd. analyst assumption").is_empty());
        assert!(hrefs("javascript:alert(1)").is_empty());
        assert_eq!(pieces("plain"), vec![Piece::Text("plain")]);
    }

    #[test]
    fn text_around_links_is_kept() {
        let p = pieces("a https://x.org b");
        assert_eq!(p.len(), 3);
        assert_eq!(p[0], Piece::Text("a "));
        assert_eq!(p[2], Piece::Text(" b"));
    }
}
