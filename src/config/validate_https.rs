//! Checks of headers, `https` and `compression`: header names are RFC 7230
//! tokens and appear once per list, values have no line breaks; a
//! certificate is a vendor id or a PEM pair (the private key is never
//! quoted); compression sizes and content types are sane.

use super::validate::Ctx;

pub fn check(c: &mut Ctx) {
    headers(c, "/response_headers", "response_header");
    headers(c, "/origin_request_headers", "origin_request_header");
    https(c);
    compression(c);
}

/// RFC 7230 `tchar`.
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
}

fn headers(c: &mut Ctx, list: &str, block: &str) {
    let mut names = Vec::new();
    for i in 0..c.len_at(list) {
        let name_ptr = format!("{list}/{i}/name");
        if let Some(name) = c.str_at(&name_ptr) {
            if is_token(name) {
                let shown = c.show(&name_ptr, name);
                names.push((name_ptr, name.to_ascii_lowercase(), shown));
            } else {
                let detail = format!(
                    "{} is not a valid header name: use letters, digits and !#$%&'*+-.^_`|~, without spaces or colons.",
                    c.show(&name_ptr, name)
                );
                c.push(name_ptr, "Invalid header name", detail);
            }
        }
        let value_ptr = format!("{list}/{i}/value");
        if let Some(value) = c.str_at(&value_ptr) {
            if value.contains(['\r', '\n']) {
                c.push(
                    value_ptr,
                    "Invalid header value",
                    "A header value cannot contain a line break (CR or LF).".into(),
                );
            }
        }
    }
    c.duplicates(names, "Duplicate header", |s| {
        format!("The header {s} is already set by an earlier {block} block (header names are case-insensitive).")
    });
}

fn https(c: &mut Ctx) {
    let cert = "/https/certificate";
    if c.known(cert).is_none() {
        return;
    }
    let id = c.is_set(cert, "id");
    let public = c.is_set(cert, "public_pem");
    let private = c.is_set(cert, "private_pem");
    let (public_ptr, private_ptr) = (format!("{cert}/public_pem"), format!("{cert}/private_pem"));
    if id && (public || private) {
        c.push(
            format!("{cert}/id"),
            "Conflicting certificate sources",
            "Set either id (a certificate the vendor holds) or public_pem and private_pem (a certificate to upload), not both.".into(),
        );
    } else if !id && !public && !private {
        c.push(
            cert.into(),
            "Missing certificate",
            "A certificate needs either id (a certificate the vendor holds) or public_pem and private_pem (a certificate to upload).".into(),
        );
    } else if private && !public {
        c.push(
            private_ptr.clone(),
            "Missing certificate chain",
            "private_pem is set without public_pem: a private key without its certificate.".into(),
        );
    } else if public && !private {
        c.push(
            public_ptr.clone(),
            "Missing private key",
            "public_pem is set without private_pem: a certificate without its private key.".into(),
        );
    }
    if let Some(pem) = c.str_at(&public_ptr) {
        if pem.contains("PRIVATE KEY-----") {
            c.push(
                public_ptr,
                "Invalid certificate",
                "public_pem holds a private key; put the key in private_pem and the certificate chain here.".into(),
            );
        } else if !pem.contains("-----BEGIN CERTIFICATE-----") {
            c.push(
                public_ptr,
                "Invalid certificate",
                "public_pem must be a PEM certificate chain (-----BEGIN CERTIFICATE----- ...)."
                    .into(),
            );
        }
    }
    // Never quoted, not even in part: the key is write-only.
    if let Some(key) = c.str_at(&private_ptr) {
        if !key.contains("PRIVATE KEY-----") {
            c.push(
                private_ptr,
                "Invalid private key",
                "private_pem must be a PEM private key (-----BEGIN PRIVATE KEY----- ...); the value is not shown.".into(),
            );
        }
    }
}

fn compression(c: &mut Ctx) {
    let size_ptr = "/compression/min_size";
    if let Some(n) = c.num_at(size_ptr) {
        if n < 0.0 || n.fract() != 0.0 {
            let detail = format!(
                "min_size is a number of bytes: a whole number of 0 or more, but got {}.",
                c.show(size_ptr, &n.to_string()).trim_matches('"')
            );
            c.push(size_ptr.into(), "Invalid size", detail);
        }
    }
    let mut types = Vec::new();
    for (p, t) in c.strings("/compression/content_types") {
        let ok = t
            .split_once('/')
            .is_some_and(|(ty, sub)| is_token(ty) && is_token(sub));
        if ok {
            let shown = c.show(&p, t);
            types.push((p, t.to_ascii_lowercase(), shown));
        } else {
            let detail = format!(
                "{} is not a content type like \"text/html\" (type/subtype).",
                c.show(&p, t)
            );
            c.push(p, "Invalid content type", detail);
        }
    }
    c.duplicates(types, "Duplicate list entry", |s| {
        format!("The content type {s} is already in this list.")
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        assert!(is_token("X-Cache-Status"));
        assert!(is_token("a!#$%&'*+-.^_`|~9"));
        assert!(!is_token("X Cache"));
        assert!(!is_token("X:Cache"));
        assert!(!is_token(""));
    }
}
