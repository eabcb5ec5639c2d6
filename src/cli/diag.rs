//! Rendering diagnostics for the terminal with miette: the summary, the
//! file:line:col, the source line with the span underlined, and the detail.

use crate::model::{Diagnostic, Severity};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource, Report,
};

pub fn render(d: &Diagnostic, color: bool) -> String {
    let severity = match d.severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
    };
    let mut md = MietteDiagnostic::new(d.summary.clone()).with_severity(severity);
    if let Some(detail) = &d.detail {
        md = md.with_help(detail.clone());
    }
    let report = match &d.location {
        Some(loc) => {
            let (start, end) = loc.byte_range;
            let len = end
                .saturating_sub(start)
                .max(1)
                .min(loc.source.len().saturating_sub(start).max(1));
            md = md.with_label(LabeledSpan::at(start..start + len, "here"));
            Report::new(md)
                .with_source_code(NamedSource::new(loc.file.clone(), loc.source.to_string()))
        }
        None => Report::new(md),
    };
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let mut out = String::new();
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(100);
    if handler.render_report(&mut out, report.as_ref()).is_err() {
        out = d.to_string();
    }
    // miette shows line:col inside the snippet frame; print the plain
    // file:line:col first as well, for editors and CI logs to pick up.
    match &d.location {
        Some(loc) => format!("{loc}: {}\n{out}", label(d.severity)),
        None => out,
    }
}

fn label(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

pub fn render_all(ds: &[Diagnostic], color: bool) -> String {
    ds.iter()
        .map(|d| render(d, color))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Location;
    use std::sync::Arc;

    #[test]
    fn shows_file_line_col_and_source_line() {
        let source: Arc<str> = Arc::from("resource \"cdn_domain\" \"a\" {\n  nmae = \"x\"\n}\n");
        let d = Diagnostic::error("Unsupported argument")
            .with_detail("Did you mean \"name\"?")
            .at(Some(Location {
                file: "main.hcl".into(),
                line: 2,
                col: 3,
                byte_range: (30, 34),
                source,
            }));
        let text = render(&d, false);
        assert!(text.starts_with("main.hcl:2:3: error"), "{text}");
        assert!(text.contains("nmae = \"x\""), "{text}");
        assert!(text.contains("Did you mean \"name\"?"), "{text}");
        assert!(text.contains("main.hcl:2:3"), "{text}");
    }
}
