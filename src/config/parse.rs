//! Reading the `*.hcl` files of a directory and parsing them with
//! hcl-edit, turning parse errors into located diagnostics.

use super::source::SourceFile;
use crate::model::Diagnostic;
use hcl_edit::structure::Body;
use std::path::Path;
use std::sync::Arc;

/// A parsed file: its text and its syntax tree (with spans).
#[derive(Clone, Debug)]
pub struct ParsedFile {
    pub source: Arc<SourceFile>,
    pub body: Body,
}

/// Parse one file's text.
/// Parse one file's text; `Err` holds its syntax error.
pub fn parse_source(name: &str, text: &str) -> Result<ParsedFile, Vec<Diagnostic>> {
    let source = SourceFile::new(name, text);
    match hcl_edit::parser::parse_body(text) {
        Ok(body) => Ok(ParsedFile { source, body }),
        Err(e) => Err(vec![syntax_error(&source, &e)]),
    }
}

fn syntax_error(source: &SourceFile, e: &hcl_edit::parser::Error) -> Diagnostic {
    let offset = e.location().offset();
    // The parser reads an unclosed string on into the next lines and fails
    // wherever the text stops making sense; point at where it opened.
    match unclosed(&source.text) {
        Some(Unclosed::String(open)) if open <= offset => {
            return Diagnostic::error("Unterminated string")
                .with_detail(
                    "This string has no closing quote before the end of its line; a quoted \
                     string must end on the line where it starts (use a heredoc, <<EOT, for \
                     text over several lines)."
                        .to_string(),
                )
                .at(Some(source.location(open..open + 1)))
        }
        Some(Unclosed::Template(open)) if open <= offset => {
            return Diagnostic::error("Unterminated template sequence")
                .with_detail(
                    "This \"${\" has no closing \"}\" before the end of its line.".to_string(),
                )
                .at(Some(source.location(open..open + 2)))
        }
        _ => {}
    }
    let end = source.text[offset.min(source.text.len())..]
        .find(|c: char| c.is_whitespace())
        .map_or(source.text.len(), |i| offset + i.max(1));
    let loc = source.location(offset..end);
    if e.message().contains("redefined attribute") {
        let key: String = source.text[loc.byte_range.0..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        return Diagnostic::error("Duplicate argument")
            .with_detail(format!("The argument \"{key}\" was already set in this block; each argument may be set only once."))
            .at(Some(loc));
    }
    Diagnostic::error("Syntax error")
        .with_detail(e.message().to_string())
        .at(Some(loc))
}

/// Where the first quoted string that reaches the end of its line opened
/// (HCL strings cannot span lines).
#[derive(Debug, PartialEq)]
enum Unclosed {
    /// The byte offset of its opening quote.
    String(usize),
    /// It was opened inside a `${` (at this byte offset) left unclosed.
    Template(usize),
}

/// Finds the first `Unclosed` string, following comments, heredocs and
/// strings nested in `${...}` / `%{...}`.
fn unclosed(text: &str) -> Option<Unclosed> {
    let b = text.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    // The offsets of the open strings, innermost last, and for each open
    // template sequence its offset and the depth of the `{` nested in it.
    let mut strings: Vec<usize> = Vec::new();
    let mut templates: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if strings.len() > templates.len() {
            match c {
                b'\\' => i += 1,
                b'"' => {
                    strings.pop();
                }
                b'\n' => {
                    return Some(match templates.last() {
                        Some((open, _)) => Unclosed::Template(*open),
                        None => Unclosed::String(strings.last().copied()?),
                    })
                }
                b'$' | b'%' if at(i + 1) == c => i += 1,
                b'$' | b'%' if at(i + 1) == b'{' => {
                    templates.push((i, 0));
                    i += 1;
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        match c {
            b'#' => i = text[i..].find('\n').map_or(b.len(), |n| i + n) - 1,
            b'/' if at(i + 1) == b'/' => i = text[i..].find('\n').map_or(b.len(), |n| i + n) - 1,
            b'/' if at(i + 1) == b'*' => {
                i = text[i + 2..].find("*/").map_or(b.len(), |n| i + 2 + n + 1)
            }
            b'"' => strings.push(i),
            b'{' => {
                if let Some((_, depth)) = templates.last_mut() {
                    *depth += 1;
                }
            }
            b'}' => match templates.last_mut() {
                Some((_, 0)) => {
                    templates.pop();
                }
                Some((_, depth)) => *depth -= 1,
                None => {}
            },
            b'<' if at(i + 1) == b'<' && templates.is_empty() => {
                let rest = &text[i + 2..];
                let marker: String = rest
                    .trim_start_matches('-')
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let Some(eol) = rest.find('\n').filter(|_| !marker.is_empty()) else {
                    i += 1;
                    continue;
                };
                // Skip to the end of the line that holds only the marker.
                let mut end = b.len();
                let mut pos = i + 2 + eol + 1;
                for line in text[pos..].split_inclusive('\n') {
                    pos += line.len();
                    if line.trim() == marker {
                        end = pos;
                        break;
                    }
                }
                i = end - 1;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Every `*.hcl` file of `dir`, sorted by name. Errors: unreadable
/// directory or files, and syntax errors (all files are tried).
pub fn read_dir(dir: &Path) -> Result<Vec<ParsedFile>, Vec<Diagnostic>> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        vec![Diagnostic::error("Cannot read configuration directory")
            .with_detail(format!("{}: {e}", dir.display()))]
    })?;
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "hcl"))
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(vec![Diagnostic::error("No configuration files")
            .with_detail(format!(
                "{} contains no *.hcl files.",
                dir.display()
            ))]);
    }
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        match read_file(&p) {
            Ok(f) => files.push(f),
            Err(d) => errors.extend(d),
        }
    }
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(errors)
    }
}

pub fn read_file(path: &Path) -> Result<ParsedFile, Vec<Diagnostic>> {
    // `./main.hcl` reads better as `main.hcl` (the usual case: the working directory).
    let name = path.strip_prefix(".").unwrap_or(path).display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        vec![Diagnostic::error("Cannot read file").with_detail(format!("{name}: {e}"))]
    })?;
    parse_source(&name, &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_error_is_located() {
        let d = parse_source("x.hcl", "a = 1\nb = \n")
            .unwrap_err()
            .remove(0);
        assert_eq!(d.summary, "Syntax error");
        assert_eq!(d.location.unwrap().to_string(), "x.hcl:2:5");
    }

    #[test]
    fn unterminated_string_points_at_its_opening_quote() {
        let text = "r \"x\" {\n  name = \"a.example.com\n  b = \"ip\"\n}\n";
        let d = parse_source("x.hcl", text).unwrap_err().remove(0);
        assert_eq!(d.summary, "Unterminated string");
        assert_eq!(d.location.unwrap().to_string(), "x.hcl:2:10");
        // Other errors are not blamed on strings that are closed.
        let d = parse_source("x.hcl", "a = \"x\"\nb = \n")
            .unwrap_err()
            .remove(0);
        assert_eq!(d.summary, "Syntax error");
    }

    #[test]
    fn strings_followed_through_comments_heredocs_and_templates() {
        let closed = [
            "a = \"${lookup(m, \"k\")}\" # \"\n",
            "a = \"$${x\" // \"\n/* \"\n */ b = \"%{ if true }\\\"{}%{ endif }\"\n",
            "a = <<EOT\n\"\nEOT\nb = <<-X\n  \"\n  X\nc = \"d\"\n",
            "a = { b = \"c\" }\n",
        ];
        for t in closed {
            assert_eq!(unclosed(t), None, "{t}");
        }
        assert_eq!(
            unclosed("a = \"x\"\nb = \"${c}\n"),
            Some(Unclosed::String(12))
        );
        assert_eq!(
            unclosed("a = \"www.${local.zone\"\n"),
            Some(Unclosed::Template(9))
        );
    }

    #[test]
    fn duplicate_argument() {
        let d = parse_source("x.hcl", "r {\n  a = 1\n  a = 2\n}\n")
            .unwrap_err()
            .remove(0);
        assert_eq!(d.summary, "Duplicate argument");
        assert!(d.detail.unwrap().contains("\"a\""));
        assert_eq!(d.location.unwrap().to_string(), "x.hcl:3:3");
    }
}
