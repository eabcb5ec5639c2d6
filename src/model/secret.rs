//! A string that never shows itself in `Debug`, `Display` or serde output.

use std::fmt;

/// A credential. Read it with [`Secret::expose`] at the one place that signs
/// a request; everywhere else it prints as `******`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("******")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("******")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_is_redacted() {
        let s = Secret::new("testsecret");
        assert_eq!(format!("{s:?}"), "******");
        assert_eq!(format!("{s}"), "******");
        assert_eq!(s.expose(), "testsecret");
    }
}
