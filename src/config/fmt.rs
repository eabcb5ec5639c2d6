//! `cdnform fmt`: canonical layout in the manner of `terraform fmt`. Lines
//! are re-indented by bracket nesting (2 spaces per level, the way
//! hclwrite counts: one level per line that opens brackets), `=` gets one
//! space each side and is aligned within a run of consecutive single-line
//! attributes at the same level, block headers get single spaces,
//! trailing whitespace goes, blank lines collapse to one, and the file
//! ends with one newline. Comments stay where they are; heredoc bodies and
//! `/* */` comment bodies are kept verbatim.

use super::parse::parse_source;
use crate::model::Diagnostic;

/// Format `src`; a file that does not parse is returned as its syntax
/// error, never reformatted.
pub fn format_source(src: &str, file_name: &str) -> Result<String, Vec<Diagnostic>> {
    parse_source(file_name, src)?;
    let mut lexer = Lexer::default();
    let mut indents: Vec<i32> = Vec::new();
    let mut lines: Vec<Line> = Vec::new();
    for raw in src.lines() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if lexer.heredoc.is_some() || lexer.in_comment {
            let ended_heredoc = lexer.heredoc.as_deref().is_some_and(|t| raw.trim() == t);
            if ended_heredoc {
                lexer.heredoc = None;
                // The closing marker is code: indent it like its opener.
                lines.push(Line::other(indents.len(), raw.trim()));
                continue;
            }
            if lexer.in_comment {
                lexer.in_comment = !raw.contains("*/");
                lines.push(Line::Verbatim(raw.trim_end().to_string()));
            } else {
                // Heredoc text is a string value: kept byte for byte.
                lines.push(Line::Verbatim(raw.to_string()));
            }
            continue;
        }
        let text = raw.trim();
        if text.is_empty() {
            lines.push(Line::Blank);
            continue;
        }
        let net = lexer.scan(text);
        let level = if net > 0 {
            let l = indents.len();
            indents.push(net);
            l
        } else {
            let mut closed = -net;
            while closed > 0 {
                let Some(top) = indents.last_mut() else { break };
                if closed >= *top {
                    closed -= *top;
                    indents.pop();
                } else {
                    *top -= closed;
                    closed = 0;
                }
            }
            indents.len()
        };
        let single_line = net == 0 && lexer.heredoc.is_none() && !lexer.in_comment;
        lines.push(match attribute(text) {
            Some((key, rest)) => Line::Attr {
                level,
                key: key.to_string(),
                rest: rest.to_string(),
                single_line,
            },
            None => Line::other(
                level,
                &block_header(text).unwrap_or_else(|| text.to_string()),
            ),
        });
    }
    Ok(render(&lines))
}

enum Line {
    Blank,
    Verbatim(String),
    Other {
        level: usize,
        text: String,
    },
    Attr {
        level: usize,
        key: String,
        rest: String,
        single_line: bool,
    },
}

impl Line {
    fn other(level: usize, text: &str) -> Line {
        Line::Other {
            level,
            text: text.to_string(),
        }
    }
}

fn render(lines: &[Line]) -> String {
    // Width of the key column for each attribute line.
    let mut widths = vec![0; lines.len()];
    let mut i = 0;
    while i < lines.len() {
        let Line::Attr {
            level,
            single_line: true,
            ..
        } = &lines[i]
        else {
            i += 1;
            continue;
        };
        let mut j = i;
        let mut width = 0;
        while let Some(Line::Attr {
            level: l,
            key,
            single_line: true,
            ..
        }) = lines.get(j)
        {
            if l != level {
                break;
            }
            width = width.max(key.chars().count());
            j += 1;
        }
        widths[i..j].iter_mut().for_each(|w| *w = width);
        i = j;
    }
    let mut out = String::new();
    let mut blank_pending = false;
    for (line, width) in lines.iter().zip(widths) {
        let text = match line {
            Line::Blank => {
                blank_pending = !out.is_empty();
                continue;
            }
            Line::Verbatim(s) => s.clone(),
            Line::Other { level, text } => format!("{}{}", "  ".repeat(*level), text.trim_end()),
            Line::Attr {
                level, key, rest, ..
            } => {
                let pad = width.saturating_sub(key.chars().count());
                format!("{}{key}{} = {rest}", "  ".repeat(*level), " ".repeat(pad))
                    .trim_end()
                    .to_string()
            }
        };
        if blank_pending {
            out.push('\n');
            blank_pending = false;
        }
        out.push_str(&text);
        out.push('\n');
    }
    out
}

/// `key = rest` (not `==`), for an identifier key.
fn attribute(text: &str) -> Option<(&str, &str)> {
    let key_len = ident_len(text)?;
    let after = text[key_len..].trim_start();
    let rest = after.strip_prefix('=')?;
    if rest.starts_with('=') {
        return None;
    }
    Some((&text[..key_len], rest.trim()))
}

fn ident_len(text: &str) -> Option<usize> {
    let first = text.chars().next()?;
    if !(first.is_alphabetic() || first == '_') {
        return None;
    }
    Some(
        text.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(text.len()),
    )
}

/// `resource   "a"  "b"{` -> `resource "a" "b" {` (also `{}`); `None` for
/// anything that is not a plain block header.
fn block_header(text: &str) -> Option<String> {
    let mut tokens = Vec::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        if let Some(n) = ident_len(rest) {
            tokens.push(&rest[..n]);
            rest = &rest[n..];
        } else if rest.starts_with('"') {
            let end = rest[1..].find('"')? + 2;
            let s = &rest[..end];
            if s.contains('\\') || s.contains("${") {
                return None;
            }
            tokens.push(s);
            rest = &rest[end..];
        } else {
            break;
        }
    }
    let brace = match rest.trim_end() {
        "{" => "{",
        "{}" => "{}",
        _ => return None,
    };
    if tokens.is_empty() {
        return None;
    }
    Some(format!("{} {brace}", tokens.join(" ")))
}

/// Bracket and string state carried from line to line.
#[derive(Default)]
struct Lexer {
    /// Inside quoted strings and their interpolations (`Some(depth)`).
    stack: Vec<Option<i32>>,
    heredoc: Option<String>,
    in_comment: bool,
}

impl Lexer {
    /// Scan one trimmed line; returns its net bracket change in code.
    fn scan(&mut self, text: &str) -> i32 {
        let b = text.as_bytes();
        let mut net = 0;
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            match self.stack.last().copied() {
                Some(None) => match c {
                    b'\\' => i += 1,
                    b'"' => {
                        self.stack.pop();
                    }
                    b'$' | b'%' if b.get(i + 1) == Some(&b'{') => {
                        self.stack.push(Some(0));
                        i += 1;
                    }
                    _ => {}
                },
                Some(Some(depth)) => match c {
                    b'"' => self.stack.push(None),
                    b'{' => *self.stack.last_mut().unwrap() = Some(depth + 1),
                    b'}' if depth == 0 => {
                        self.stack.pop();
                    }
                    b'}' => *self.stack.last_mut().unwrap() = Some(depth - 1),
                    _ => {}
                },
                None => match c {
                    b'"' => self.stack.push(None),
                    b'#' => break,
                    b'/' if b.get(i + 1) == Some(&b'/') => break,
                    b'/' if b.get(i + 1) == Some(&b'*') => match text[i + 2..].find("*/") {
                        Some(end) => i += end + 3,
                        None => {
                            self.in_comment = true;
                            break;
                        }
                    },
                    b'<' if b.get(i + 1) == Some(&b'<') => {
                        let marker = text[i + 2..].trim_start_matches('-');
                        if let Some(n) = ident_len(marker) {
                            self.heredoc = Some(marker[..n].to_string());
                            break;
                        }
                    }
                    b'{' | b'[' | b'(' => net += 1,
                    b'}' | b']' | b')' => net -= 1,
                    _ => {}
                },
            }
            i += 1;
        }
        net
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_indents_and_collapses() {
        let src = "# top comment\n\n\n\nresource   \"cdn_domain\"  \"a\"{\nname=\"a.example.com\"   \n    cdn_type =   \"web\" # trailing\n\n\n  origin {\n  type = \"ip\"\n      address=\"192.0.2.1\"\n  port = 8080\n  }\n  tags = {\n  a = 1\n  }\n}\n\n\n";
        let want = "# top comment\n\nresource \"cdn_domain\" \"a\" {\n  name     = \"a.example.com\"\n  cdn_type = \"web\" # trailing\n\n  origin {\n    type    = \"ip\"\n    address = \"192.0.2.1\"\n    port    = 8080\n  }\n  tags = {\n    a = 1\n  }\n}\n";
        let got = format_source(src, "t.hcl").unwrap();
        assert_eq!(got, want);
        assert_eq!(format_source(&got, "t.hcl").unwrap(), got, "idempotent");
    }

    #[test]
    fn keeps_heredocs_strings_and_comments() {
        let src = "locals {\nx = <<EOT\n  keep   this  \n{ not a bracket\nEOT\ny = \"{ ${var.a} }\" // c\n/* block\n   comment */\nz = [\n1,\n2,\n]\n}\n";
        let want = "locals {\n  x = <<EOT\n  keep   this  \n{ not a bracket\n  EOT\n  y = \"{ ${var.a} }\" // c\n  /* block\n   comment */\n  z = [\n    1,\n    2,\n  ]\n}\n";
        let got = format_source(src, "t.hcl").unwrap();
        assert_eq!(got, want);
        assert_eq!(format_source(&got, "t.hcl").unwrap(), got);
        assert!(hcl_edit::parser::parse_body(&got).is_ok());
    }

    #[test]
    fn syntax_error_is_reported_not_formatted() {
        let d = format_source("a = \n", "bad.hcl").unwrap_err();
        assert_eq!(d[0].summary, "Syntax error");
        assert_eq!(d[0].location.as_ref().unwrap().to_string(), "bad.hcl:1:5");
    }

    #[test]
    fn fixtures_are_formatted() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/config/valid");
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let src = std::fs::read_to_string(&p).unwrap();
            assert_eq!(
                format_source(&src, "f.hcl").unwrap(),
                src,
                "{}",
                p.display()
            );
        }
    }
}
