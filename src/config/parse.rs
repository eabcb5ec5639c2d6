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
    fn duplicate_argument() {
        let d = parse_source("x.hcl", "r {\n  a = 1\n  a = 2\n}\n")
            .unwrap_err()
            .remove(0);
        assert_eq!(d.summary, "Duplicate argument");
        assert!(d.detail.unwrap().contains("\"a\""));
        assert_eq!(d.location.unwrap().to_string(), "x.hcl:3:3");
    }
}
