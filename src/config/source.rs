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
    /// Byte offset of the start of every line, so that a location costs a
    /// binary search, not a count of the newlines before it (every block
    /// of a file gets a location: counting made loading quadratic).
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: &str) -> Arc<SourceFile> {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Arc::new(SourceFile {
            name: name.into(),
            text: Arc::from(text),
            line_starts,
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
        // The last line starting at or before `start` (line 1 starts at 0).
        let line = self.line_starts.partition_point(|s| *s <= start);
        let line_start = self.line_starts[line - 1];
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
        // On a newline, at a line's start, at the very end.
        assert_eq!(f.location(2..3).line, 1);
        let l = f.location(3..4);
        assert_eq!((l.line, l.col), (2, 1));
        let l = f.location(11..11);
        assert_eq!((l.line, l.col), (3, 1));
        let l = f.location(500..600);
        assert_eq!((l.line, l.col, l.byte_range), (3, 1, (11, 11)));
    }

    #[test]
    fn many_lines_agree_with_counting() {
        let text: String = (0..200).map(|i| format!("a{i} = {i}\n")).collect();
        let f = SourceFile::new("m.hcl", &text);
        for start in (0..text.len()).step_by(7) {
            let l = f.location(start..start);
            let before = &text[..start];
            assert_eq!(l.line, before.matches('\n').count() + 1);
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            assert_eq!(l.col, start - line_start + 1);
        }
    }
}
