//! The `cdnform { }` settings block: `max_destroy_percent` for the
//! mass-change guard and the state `backend "local"|"postgres" { }`.
//! Values are literal (functions allowed, no variables, locals or
//! resources): like Terraform's backend block, the settings must be known
//! to commands that never load variables (`state list`, `output`). The
//! connection string's secret comes from `PG_CONN_STR`.

use super::diagnostics::did_you_mean;
use super::eval::Scope;
use super::source::SourceFile;
use super::value::{Val, V};
use crate::model::{Diagnostic, Secret};
use hcl_edit::structure::Block;
use hcl_edit::Span;
use std::path::PathBuf;
use std::sync::Arc;

/// What the `cdnform` block sets; all optional.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// Refuse plans deleting or replacing more than this share (in percent)
    /// of the managed resources (and at least 3).
    pub max_destroy_percent: Option<u32>,
    pub backend: Option<BackendSettings>,
}

/// Where the state lives.
#[derive(Clone, Debug, PartialEq)]
pub enum BackendSettings {
    /// `backend "local" { path = "..." }`.
    Local { path: Option<PathBuf> },
    /// `backend "postgres" { conn_str, schema_name, workspace }`; without
    /// `conn_str` the `PG_CONN_STR` environment variable is used.
    Postgres {
        conn_str: Option<Secret>,
        schema_name: Option<String>,
        workspace: Option<String>,
    },
}

/// The declared `cdnform` block, evaluated once variables are known.
#[derive(Clone, Debug)]
pub struct SettingsDecl {
    pub file: Arc<SourceFile>,
    pub block: Block,
}

const SETTINGS_ARGS: &[&str] = &["max_destroy_percent"];
const BACKENDS: &[&str] = &["local", "postgres"];

impl SettingsDecl {
    pub fn evaluate(&self, diags: &mut Vec<Diagnostic>) -> Settings {
        let (vars, locals, resources) = Default::default();
        let scope = &Scope::new(&vars, &locals, &resources, None, "the cdnform block");
        let f = &self.file;
        let refs = super::references::refs_in_body(&self.block.body, &[]);
        if let Some(r) = refs.first() {
            diags.push(
                Diagnostic::error("Variables not allowed")
                    .with_detail("The cdnform block takes literal values only, like Terraform's backend block: commands such as `state list` read it without variables. Give a postgres connection string's secret in the PG_CONN_STR environment variable.")
                    .at(f.loc(r.span.clone())),
            );
            return Settings::default();
        }
        let mut err = |summary: &str, detail: String, at| {
            diags.push(Diagnostic::error(summary).with_detail(detail).at(at));
        };
        let mut out = Settings::default();
        for a in self.block.body.attributes() {
            let at = f.loc(a.value.span());
            match a.key.as_str() {
                "max_destroy_percent" => match scope.eval(&a.value, f).map(|v| v.val) {
                    Ok(Val::Num(n)) if n.fract() == 0.0 && (0.0..=100.0).contains(&n) => {
                        out.max_destroy_percent = Some(n as u32)
                    }
                    Ok(_) => err(
                        "Invalid max_destroy_percent",
                        "max_destroy_percent must be a whole number from 0 to 100.".into(),
                        at,
                    ),
                    Err(e) => diags_push(&mut err, e),
                },
                other => err(
                    "Unsupported argument",
                    format!(
                        "An argument named \"{other}\" is not expected in the cdnform block.{}",
                        did_you_mean(other, SETTINGS_ARGS.iter().copied())
                    ),
                    f.loc(a.key.span()),
                ),
            }
        }
        let mut backends = self.block.body.blocks();
        for b in backends.by_ref() {
            if b.ident.as_str() != "backend" {
                err(
                    "Unsupported block type",
                    format!(
                        "Blocks of type \"{}\" are not expected in the cdnform block; only backend.",
                        b.ident.as_str()
                    ),
                    f.loc(b.ident.span()),
                );
                continue;
            }
            if out.backend.is_some() {
                err(
                    "Duplicate backend",
                    "The cdnform block may hold one backend.".into(),
                    f.loc(b.ident.span()),
                );
                continue;
            }
            out.backend = backend(scope, f, b, &mut err);
        }
        out
    }
}

fn diags_push(
    err: &mut impl FnMut(&str, String, Option<crate::model::Location>),
    e: super::diagnostics::EvalError,
) {
    let d = *e.diag;
    err(&d.summary, d.detail.unwrap_or_default(), d.location);
}

fn backend(
    scope: &Scope,
    f: &SourceFile,
    b: &Block,
    err: &mut impl FnMut(&str, String, Option<crate::model::Location>),
) -> Option<BackendSettings> {
    let Some(kind) = b.labels.first().map(|l| l.as_str().to_string()) else {
        err(
            "Missing backend type",
            "Name the backend: backend \"local\" { } or backend \"postgres\" { }.".into(),
            f.loc(b.ident.span()),
        );
        return None;
    };
    let args: &[&str] = match kind.as_str() {
        "local" => &["path"],
        "postgres" => &["conn_str", "schema_name", "workspace"],
        other => {
            err(
                "Unknown backend",
                format!(
                    "There is no backend \"{other}\"; known: local, postgres.{}",
                    did_you_mean(other, BACKENDS.iter().copied())
                ),
                f.loc(b.labels[0].span()),
            );
            return None;
        }
    };
    let mut values: std::collections::BTreeMap<&str, V> = Default::default();
    let mut ok = true;
    for a in b.body.attributes() {
        let key = a.key.as_str();
        let Some(name) = args.iter().find(|n| **n == key) else {
            ok = false;
            err(
                "Unsupported argument",
                format!(
                    "An argument named \"{key}\" is not expected in a {kind} backend.{}",
                    did_you_mean(key, args.iter().copied())
                ),
                f.loc(a.key.span()),
            );
            continue;
        };
        match scope.eval(&a.value, f) {
            Ok(
                v @ V {
                    val: Val::Str(_), ..
                },
            ) => {
                values.insert(name, v);
            }
            Ok(_) => {
                ok = false;
                err(
                    "Incorrect attribute value type",
                    format!("{key} must be a string."),
                    f.loc(a.value.span()),
                );
            }
            Err(e) => {
                ok = false;
                diags_push(err, e);
            }
        }
    }
    let text = |k: &str| match values.get(k).map(|v| &v.val) {
        Some(Val::Str(s)) => Some(s.clone()),
        _ => None,
    };
    if !ok {
        return None;
    }
    Some(match kind.as_str() {
        "local" => BackendSettings::Local {
            path: text("path").map(PathBuf::from),
        },
        _ => BackendSettings::Postgres {
            conn_str: text("conn_str").map(Secret::new),
            schema_name: text("schema_name"),
            workspace: text("workspace"),
        },
    })
}

/// The `cdnform` block of the configuration in `dir` alone, for commands
/// that do not load the whole configuration (state, output, force-unlock).
/// No `*.hcl` files: the defaults.
pub fn read_settings(dir: &std::path::Path) -> Result<Settings, Vec<Diagnostic>> {
    let files = match super::parse::read_dir(dir) {
        Ok(files) => files,
        Err(d) if d.iter().any(|x| x.summary == "No configuration files") => {
            return Ok(Settings::default())
        }
        Err(d) => return Err(d),
    };
    let decl = files.iter().find_map(|file| {
        file.body
            .blocks()
            .find(|b| b.ident.as_str() == "cdnform")
            .map(|b| SettingsDecl {
                file: file.source.clone(),
                block: b.clone(),
            })
    });
    let mut diags = Vec::new();
    let settings = decl.map(|d| d.evaluate(&mut diags)).unwrap_or_default();
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    Ok(settings)
}
