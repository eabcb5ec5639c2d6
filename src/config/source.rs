//! One configuration file's text and the mapping from byte spans to
//! `model::Location` (1-based line, column in characters).

use crate::model::Location;
use std::ops::Range;
use std::sync::Arc;

/// A file as read: its display name and its whole text.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: Arc<str>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: &str) -> Arc<SourceFile> {
        Arc::new(SourceFile {
            name: name.into(),
            text: Arc::from(text),
        })
    }

    /// The location of `span` (clamped to the text).
    pub fn location(&self, span: Range<usize>) -> Location {
        let len = self.text.len();
        let mut start = span.start.min(len);
        while !self.text.is_char_boundary(start) {
            start -= 1;
        }
        let end = span.end.clamp(start, len);
        let before = &self.text[..start];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = self.text[line_start..start].chars().count() + 1;
        Location {
            file: self.name.clone(),
            line,
            col,
            byte_range: (start, end),
            source: self.text.clone(),
        }
    }

    /// Location of an optional span; `None` when the parser gave no span.
    pub fn loc(&self, span: Option<Range<usize>>) -> Option<Location> {
        span.map(|s| self.location(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_from_offsets() {
        let f = SourceFile::new("a.hcl", "ab\nçd = 1\n");
        let l = f.location(6..7);
        assert_eq!((l.line, l.col), (2, 3));
        assert_eq!(l.to_string(), "a.hcl:2:3");
        assert_eq!(l.source_line(), "çd = 1");
        let l = f.location(0..1);
        assert_eq!((l.line, l.col), (1, 1));
    }
}
