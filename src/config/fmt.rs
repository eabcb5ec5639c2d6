//! placeholder for format_source
use crate::model::Diagnostic;
pub fn format_source(src: &str, _file_name: &str) -> Result<String, Vec<Diagnostic>> {
    Ok(src.to_string())
}
