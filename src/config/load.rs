//! Loading a directory: collecting the top-level blocks of every file,
//! resolving variables, checking references, providers and cycles, then
//! validating every resource by evaluating it with all other resources'
//! attributes unknown.

use super::cycles::find_cycles;
use super::diagnostics::{
    dedup, did_you_mean, undeclared_local, undeclared_resource, undeclared_var,
};
use super::eval::{LocalDecl, Scope};
use super::expand::{expansion, Expansion};
use super::imports::{resolve_imports, ImportDecl};
use super::locate::header_span;
use super::meta::{depends_on, lifecycle, resolve_provider, ProviderDecl};
use super::outputs::{declare_output, OutputDecl};
use super::parse::{read_dir, ParsedFile};
use super::references::{refs_in_body, refs_in_expr, RefKind, StaticRef};
use super::schema_check::{eval_block, Collected};
use super::schema_paths::schema_lookup;
use super::settings::{Settings, SettingsDecl};
use super::source::SourceFile;
use super::variables::{declare, resolve, VariableDecl};
use super::{Config, ProviderConfig, ResourceDecl, VarInputs};
use crate::model::schema::{provider_schema, resource_schema, PROVIDERS, RESOURCE_TYPES};
use crate::model::{Address, DesiredResource, Diagnostic, Location};
use hcl_edit::structure::Block;
use hcl_edit::Span;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

/// Arguments of a resource block that are not schema attributes.
pub const RESOURCE_META: &[&str] = &["provider", "depends_on", "for_each", "count", "lifecycle"];
const BLOCK_TYPES: &[&str] = &[
    "provider", "variable", "locals", "resource", "output", "import", "cdnform",
];

/// Load every `*.hcl` file of `dir` (sorted by name). `Err` holds every
/// error found, plus the warnings.
pub fn load_dir(dir: &Path, inputs: &VarInputs) -> Result<Config, Vec<Diagnostic>> {
    load_files(read_dir(dir)?, inputs)
}

#[derive(Default)]
struct Loader {
    diags: Vec<Diagnostic>,
    variables: BTreeMap<String, VariableDecl>,
    locals: BTreeMap<String, LocalDecl>,
    providers: Vec<ProviderDecl>,
    resources: BTreeMap<Address, ResourceDecl>,
    settings: Option<SettingsDecl>,
    imports: Vec<ImportDecl>,
    outputs: BTreeMap<String, OutputDecl>,
}

pub fn load_files(files: Vec<ParsedFile>, inputs: &VarInputs) -> Result<Config, Vec<Diagnostic>> {
    let mut l = Loader::default();
    for file in &files {
        for s in file.body.iter() {
            match s {
                hcl_edit::structure::Structure::Attribute(a) => l.err(
                    "Unsupported argument",
                    format!("An argument named \"{}\" is not expected at the top level; use blocks (provider, variable, locals, resource).", a.key.as_str()),
                    file.source.loc(a.key.span()),
                ),
                hcl_edit::structure::Structure::Block(b) => l.block(&file.source, b),
            }
        }
    }
    let vars = resolve(&l.variables, inputs, &mut l.diags);
    let addresses: BTreeSet<Address> = l.resources.keys().cloned().collect();
    let local_deps = l.check_locals(&addresses);
    let expansions = l.expansions(&vars, &addresses);
    let mut declared = Vec::new();
    for (address, decl) in &l.resources {
        let f = &decl.file;
        let mut deps = BTreeSet::new();
        for r in refs_in_body(&decl.block.body, RESOURCE_META) {
            if let Some(e) = l.undeclared(&r, f, &addresses) {
                l.diags.push(e);
            }
            match r.kind {
                RefKind::Resource(a) if addresses.contains(&a) => {
                    deps.insert(a);
                }
                RefKind::Local(n) => deps.extend(local_deps.get(&n).into_iter().flatten().cloned()),
                _ => {}
            }
        }
        deps.extend(depends_on(f, &decl.block, &addresses, &mut l.diags));
        let provider = resolve_provider(f, &decl.block, &l.providers, &mut l.diags);
        let lifecycle = lifecycle(f, &decl.block, &address.resource_type, &mut l.diags);
        declared.push(DesiredResource {
            address: address.clone(),
            provider: provider.unwrap_or_else(|| crate::model::ProviderAddr::new("", None)),
            depends_on: deps.into_iter().collect(),
            location: f.loc(header_span(&decl.block)),
            lifecycle,
            import_id: None,
        });
    }
    l.check_resource_cycles(&declared);
    let instances = |a: &Address| {
        expansions
            .get(a)
            .map(|e| e.instances(a))
            .unwrap_or_default()
    };
    // Every instance depends on every instance of what its block refers to.
    let mut desired: Vec<DesiredResource> = declared
        .iter()
        .flat_map(|r| {
            let deps: Vec<Address> = r.depends_on.iter().flat_map(instances).collect();
            instances(&r.address)
                .into_iter()
                .map(move |address| DesiredResource {
                    address,
                    depends_on: deps.clone(),
                    ..r.clone()
                })
        })
        .collect();
    if !l.imports.is_empty() {
        let scope = Scope::new(&vars, &l.locals, &addresses, None, "an import block");
        resolve_imports(&l.imports, &scope, &expansions, &mut desired, &mut l.diags);
    }
    let mut config = Config {
        files: files.iter().map(|f| f.source.clone()).collect(),
        providers: Vec::new(),
        resources: desired,
        decls: std::mem::take(&mut l.resources),
        addresses,
        expansions,
        vars,
        locals: std::mem::take(&mut l.locals),
        settings: Settings::default(),
        outputs: std::mem::take(&mut l.outputs),
        warnings: Vec::new(),
    };
    if !l.diags.iter().any(Diagnostic::is_error) {
        config.providers = l.provider_settings(&config);
        if let Some(decl) = &l.settings {
            config.settings = decl.evaluate(&mut l.diags);
        }
        for name in config.outputs.keys() {
            if let Err(errors) = config.output_value(name, &schema_lookup) {
                l.diags.extend(
                    errors
                        .into_iter()
                        .filter(|e| !e.after_apply)
                        .map(Diagnostic::from),
                );
            }
        }
        for r in &config.resources {
            let (_, errors) = config.evaluate_resource(&r.address, &schema_lookup);
            l.diags.extend(
                errors
                    .into_iter()
                    .filter(|e| !e.after_apply)
                    .map(Diagnostic::from),
            );
        }
    }
    let diags = dedup(l.diags);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    config.warnings = diags;
    Ok(config)
}

impl Loader {
    fn err(&mut self, summary: &str, detail: String, at: Option<Location>) {
        self.diags
            .push(Diagnostic::error(summary).with_detail(detail).at(at));
    }

    /// Check a block's label count; `false` if wrong (already reported).
    fn labels(&mut self, f: &SourceFile, b: &Block, want: usize, what: &str) -> bool {
        if b.labels.len() == want {
            return true;
        }
        let at = b.labels.get(want).and_then(|l| l.span()).or(b.ident.span());
        self.err(
            "Wrong number of labels",
            format!(
                "A {} block needs {want} label(s) ({what}), found {}.",
                b.ident.as_str(),
                b.labels.len()
            ),
            f.loc(at),
        );
        false
    }

    fn block(&mut self, f: &Arc<SourceFile>, b: &Block) {
        let header = f.loc(header_span(b));
        match b.ident.as_str() {
            "variable" => {
                if !self.labels(f, b, 1, "the variable name") {
                    return;
                }
                let name = b.labels[0].as_str().to_string();
                if let Some(first) = self.variables.get(&name) {
                    let first = first
                        .location
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default();
                    return self.err(
                        "Duplicate variable declaration",
                        format!("A variable named \"{name}\" was already declared at {first}."),
                        header,
                    );
                }
                let decl = declare(b, f, header, &mut self.diags);
                self.variables.insert(name, decl);
            }
            "locals" => {
                if !self.labels(f, b, 0, "none") {
                    return;
                }
                for inner in b.body.blocks() {
                    self.err(
                        "Unsupported block type",
                        "A locals block holds only name = value assignments.".into(),
                        f.loc(inner.ident.span()),
                    );
                }
                for a in b.body.attributes() {
                    let name = a.key.as_str().to_string();
                    if let Some(first) = self.locals.get(&name) {
                        let first = first
                            .file
                            .loc(first.span.clone())
                            .map(|l| l.to_string())
                            .unwrap_or_default();
                        self.err(
                            "Duplicate local value",
                            format!(
                                "A local value named \"{name}\" was already defined at {first}."
                            ),
                            f.loc(a.key.span()),
                        );
                        continue;
                    }
                    self.locals.insert(
                        name,
                        LocalDecl {
                            file: f.clone(),
                            expr: a.value.clone(),
                            span: a.span(),
                        },
                    );
                }
            }
            "provider" => {
                if !self.labels(f, b, 1, "the vendor name") {
                    return;
                }
                let vendor = b.labels[0].as_str();
                if provider_schema(vendor).is_none() {
                    let known: Vec<&str> = PROVIDERS.iter().map(|p| p.vendor).collect();
                    return self.err(
                        "Unknown provider",
                        format!(
                            "There is no provider \"{vendor}\"; known providers: {}.{}",
                            known.join(", "),
                            did_you_mean(vendor, known.iter().copied())
                        ),
                        f.loc(b.labels[0].span()),
                    );
                }
                let Some(decl) = ProviderDecl::new(f, b, &mut self.diags) else {
                    return;
                };
                if let Some(first) = self.providers.iter().find(|p| p.addr == decl.addr) {
                    let first = first
                        .file
                        .loc(header_span(&first.block))
                        .map(|l| l.to_string())
                        .unwrap_or_default();
                    return self.err("Duplicate provider configuration", format!("A provider configuration \"{}\" was already declared at {first}; give one of them a different alias.", decl.addr), header);
                }
                self.providers.push(decl);
            }
            "output" => {
                if !self.labels(f, b, 1, "the output name") {
                    return;
                }
                let decl = declare_output(f, b, &mut self.diags);
                if let Some(first) = self.outputs.get(&decl.name) {
                    let first = first
                        .file
                        .loc(header_span(&first.block))
                        .map(|l| l.to_string())
                        .unwrap_or_default();
                    return self.err(
                        "Duplicate output",
                        format!(
                            "An output named \"{}\" was already declared at {first}.",
                            decl.name
                        ),
                        header,
                    );
                }
                self.outputs.insert(decl.name.clone(), decl);
            }
            "import" => {
                if self.labels(f, b, 0, "none") {
                    self.imports.push(ImportDecl {
                        file: f.clone(),
                        block: b.clone(),
                    });
                }
            }
            "cdnform" => {
                if !self.labels(f, b, 0, "none") {
                    return;
                }
                if let Some(first) = &self.settings {
                    let first = first
                        .file
                        .loc(header_span(&first.block))
                        .map(|l| l.to_string())
                        .unwrap_or_default();
                    return self.err(
                        "Duplicate cdnform block",
                        format!("A cdnform settings block was already declared at {first}."),
                        header,
                    );
                }
                self.settings = Some(SettingsDecl {
                    file: f.clone(),
                    block: b.clone(),
                });
            }
            "resource" => {
                if !self.labels(f, b, 2, "the resource type and name") {
                    return;
                }
                let (ty, name) = (b.labels[0].as_str(), b.labels[1].as_str());
                if resource_schema(ty).is_none() {
                    let types = RESOURCE_TYPES.iter().map(|t| t.type_name);
                    return self.err(
                        "Unsupported resource type",
                        format!(
                            "The resource type \"{ty}\" is not supported.{}",
                            did_you_mean(ty, types)
                        ),
                        f.loc(b.labels[0].span()),
                    );
                }
                let address = Address::new(ty, name);
                if address.to_string().parse::<Address>().is_err() {
                    return self.err("Invalid resource name", format!("\"{name}\" is not a valid name: use letters, digits, underscores and hyphens, not starting with a digit."), f.loc(b.labels[1].span()));
                }
                if let Some(first) = self.resources.get(&address) {
                    let first = first
                        .file
                        .loc(header_span(&first.block))
                        .map(|l| l.to_string())
                        .unwrap_or_default();
                    return self.err(
                        "Duplicate resource",
                        format!(
                            "A {ty} resource named \"{name}\" was already declared at {first}."
                        ),
                        header,
                    );
                }
                self.resources.insert(
                    address,
                    ResourceDecl {
                        file: f.clone(),
                        block: b.clone(),
                    },
                );
            }
            other => self.err(
                "Unsupported block type",
                format!(
                    "Blocks of type \"{other}\" are not expected here.{}",
                    did_you_mean(other, BLOCK_TYPES.iter().copied())
                ),
                f.loc(b.ident.span()),
            ),
        }
    }

    /// Report a static reference to something undeclared.
    fn undeclared(
        &self,
        r: &StaticRef,
        f: &SourceFile,
        addresses: &BTreeSet<Address>,
    ) -> Option<Diagnostic> {
        let at = f.loc(r.span.clone());
        let e = match &r.kind {
            RefKind::Var(n) if !self.variables.contains_key(n) => {
                undeclared_var(n, self.variables.keys().map(String::as_str), at)
            }
            RefKind::Local(n) if !self.locals.contains_key(n) => {
                undeclared_local(n, self.locals.keys().map(String::as_str), at)
            }
            RefKind::Resource(a) if !addresses.contains(a) => {
                let names = addresses
                    .iter()
                    .filter(|x| x.resource_type == a.resource_type)
                    .map(|x| x.name.as_str());
                undeclared_resource(&a.resource_type, &a.name, names, at)
            }
            _ => return None,
        };
        Some(*e.diag)
    }

    /// Check locals' references and cycles; returns, per local, the
    /// resources it refers to directly or through other locals.
    fn check_locals(
        &mut self,
        addresses: &BTreeSet<Address>,
    ) -> BTreeMap<String, BTreeSet<Address>> {
        let mut graph: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut direct: BTreeMap<String, BTreeSet<Address>> = BTreeMap::new();
        let mut found = Vec::new();
        for (name, decl) in &self.locals {
            let edges = graph.entry(format!("local.{name}")).or_default();
            for r in refs_in_expr(&decl.expr) {
                found.extend(self.undeclared(&r, &decl.file, addresses));
                match r.kind {
                    RefKind::Local(n) if self.locals.contains_key(&n) => {
                        edges.push(format!("local.{n}"))
                    }
                    RefKind::Resource(a) if addresses.contains(&a) => {
                        direct.entry(name.clone()).or_default().insert(a);
                    }
                    _ => {}
                }
            }
        }
        self.diags.extend(found);
        for cycle in find_cycles(&graph) {
            let first = cycle[0].trim_start_matches("local.");
            let at = self
                .locals
                .get(first)
                .and_then(|d| d.file.loc(d.span.clone()));
            self.err(
                "Cycle in local values",
                format!(
                    "The local values refer to each other: {}.",
                    cycle.join(" -> ")
                ),
                at,
            );
        }
        // Transitive closure (cycles are errors, so a visited set suffices).
        let mut out = BTreeMap::new();
        for name in self.locals.keys() {
            let mut seen = BTreeSet::new();
            let mut todo = vec![format!("local.{name}")];
            let mut res = BTreeSet::new();
            while let Some(n) = todo.pop() {
                if !seen.insert(n.clone()) {
                    continue;
                }
                res.extend(
                    direct
                        .get(n.trim_start_matches("local."))
                        .into_iter()
                        .flatten()
                        .cloned(),
                );
                todo.extend(graph.get(&n).into_iter().flatten().cloned());
            }
            out.insert(name.clone(), res);
        }
        out
    }

    fn check_resource_cycles(&mut self, desired: &[DesiredResource]) {
        let graph: BTreeMap<String, Vec<String>> = desired
            .iter()
            .map(|r| {
                (
                    r.address.to_string(),
                    r.depends_on.iter().map(ToString::to_string).collect(),
                )
            })
            .collect();
        for cycle in find_cycles(&graph) {
            let at = desired
                .iter()
                .find(|r| r.address.to_string() == cycle[0])
                .and_then(|r| r.location.clone());
            self.err(
                "Cycle between resources",
                format!(
                    "The resources depend on each other: {}.",
                    cycle.join(" -> ")
                ),
                at,
            );
        }
    }

    /// Each resource's `for_each`/`count` (variables and locals only). A
    /// resource whose expansion is in error gets no instances.
    fn expansions(
        &mut self,
        vars: &BTreeMap<String, super::value::V>,
        addresses: &BTreeSet<Address>,
    ) -> BTreeMap<Address, Expansion> {
        let scope = Scope::new(vars, &self.locals, addresses, None, "for_each or count");
        let mut out = BTreeMap::new();
        for (address, decl) in &self.resources {
            if let Some(e) = expansion(&scope, &decl.file, &decl.block, &mut self.diags) {
                out.insert(address.clone(), e);
            }
        }
        out
    }

    /// Evaluate every provider block's settings (variables and locals only).
    fn provider_settings(&mut self, config: &Config) -> Vec<ProviderConfig> {
        let scope = Scope::new(
            &config.vars,
            &config.locals,
            &config.addresses,
            None,
            "a provider configuration",
        );
        let mut out = Vec::new();
        for p in &self.providers {
            let schema = provider_schema(&p.addr.vendor).expect("checked at declaration");
            let mut c = Collected::default();
            let settings = eval_block(
                &scope,
                &p.file,
                &p.block,
                schema.block,
                &["alias"],
                "",
                &mut c,
            );
            self.diags
                .extend(c.errors.into_iter().map(Diagnostic::from));
            out.push(ProviderConfig {
                addr: p.addr.clone(),
                settings,
                location: p.file.loc(header_span(&p.block)),
            });
        }
        out
    }
}
