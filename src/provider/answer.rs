//! Answer bodies that are not what the API sends: an empty body, an HTML
//! page from something in between (a proxy, a captive portal), or JSON that
//! breaks off. Each vendor's client says which, in its "unreadable answer".

use serde_json::Value;

/// Why `text` is not an API answer, if it is an empty body or an HTML page.
pub fn not_an_answer(text: &str) -> Option<&'static str> {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    let head: String = t.chars().take(15).collect::<String>().to_ascii_lowercase();
    if t.is_empty() {
        Some("empty body")
    } else if head.starts_with("<!doctype html") || head.starts_with("<html") {
        Some("an HTML page, not an API answer")
    } else {
        None
    }
}

/// Parse a JSON answer body, or say why it is not one.
pub fn parse_json(text: &str) -> Result<Value, String> {
    if let Some(why) = not_an_answer(text) {
        return Err(why.to_string());
    }
    serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| format!("malformed JSON: {e}"))
}

/// The message of an error answer that carries none of its own: the status
/// with its reason phrase and, when the body was not an API answer at all,
/// what it was (`HTTP 502 Bad Gateway, answered with an HTML page, not an
/// API answer`: a proxy's error page, not the vendor's).
pub fn no_error_message(status: u16, unreadable: Option<&str>) -> String {
    let head = match reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
    {
        Some(reason) => format!("HTTP {status} {reason}"),
        None => format!("HTTP {status}"),
    };
    match unreadable {
        Some(why) => format!("{head}, answered with {why}"),
        None => format!("{head} without an error message"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_that_are_not_answers() {
        assert_eq!(parse_json(" \n").unwrap_err(), "empty body");
        assert_eq!(
            parse_json("<!DOCTYPE html>\n<html><body>502</body></html>").unwrap_err(),
            "an HTML page, not an API answer"
        );
        assert_eq!(
            parse_json("<HTML><BODY>Welcome</BODY></HTML>").unwrap_err(),
            "an HTML page, not an API answer"
        );
        assert!(parse_json("{\"code\": ")
            .unwrap_err()
            .starts_with("malformed JSON: EOF while parsing"));
        assert_eq!(parse_json("{\"code\": 0}").unwrap()["code"], 0);
        assert_eq!(not_an_answer("<?xml version=\"1.0\"?><A/>"), None);
    }

    #[test]
    fn error_answers_without_a_message_say_what_came() {
        assert_eq!(
            no_error_message(502, Some("an HTML page, not an API answer")),
            "HTTP 502 Bad Gateway, answered with an HTML page, not an API answer"
        );
        assert_eq!(
            no_error_message(503, None),
            "HTTP 503 Service Unavailable without an error message"
        );
        assert_eq!(
            no_error_message(599, None),
            "HTTP 599 without an error message"
        );
    }
}
