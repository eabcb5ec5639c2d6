//! `cdnform import ADDR VENDOR_ID`: adopt a domain that already exists on the
//! account into the state under a resource block the configuration declares;
//! the next plan then shows only the real differences.

use crate::cli::args::ImportArgs;
use crate::cli::error::CliError;
use crate::cli::generate::{resource_block, resource_name};
use crate::cli::output::Output;
use crate::cli::session::Session;
use crate::model::schema::CDN_DOMAIN;
use crate::model::ProviderAddr;
use crate::model::{Address, Desired};
use crate::plan::refresh::read_resource;
use crate::state::{JournalOp, ResourceState};
use std::collections::BTreeSet;

pub async fn run(args: ImportArgs, out: &Output) -> Result<i32, CliError> {
    if args.all {
        return run_all(args, out).await;
    }
    let (Some(address), Some(id)) = (&args.address, &args.id) else {
        return Err(CliError::user("import needs ADDR and NAME, or -all"));
    };
    let address: Address = address
        .parse()
        .map_err(|e| CliError::user(format!("{e}")))?;
    let id = id.clone();
    if address.resource_type != "cdn_domain" {
        return Err(CliError::user(format!(
            "only cdn_domain resources can be imported; {address} is a {} (a task, not an object on the account)",
            address.resource_type
        )));
    }
    let session = Session::open(&args.run, "import", out).await?;
    let decl = session
        .config
        .resources()
        .iter()
        .find(|r| r.address == address)
        .cloned()
        .ok_or_else(|| {
            CliError::user(format!(
                "{address} is not declared in the configuration: add its resource block first, then import into it"
            ))
        })?;
    if session.state.get(&address).is_some() {
        return Err(CliError::user(format!(
            "{address} is already in the state; `cdnform state rm {address}` first to import another domain into it"
        )));
    }
    let provider = session
        .providers
        .set
        .get(&decl.provider)
        .ok_or_else(|| {
            CliError::user(format!(
                "{address}: no provider configuration named {:?}",
                decl.provider.to_string()
            ))
        })?
        .clone();
    let live = read_resource(provider.as_ref(), &address.resource_type, &id)
        .await
        .map_err(|e| CliError::runtime(format!("importing {address}: {e}")))?
        .ok_or_else(|| {
            CliError::user(format!(
                "there is no domain {:?} on provider \"{}\"",
                id, decl.provider
            ))
        })?;
    let mut state = session.state.clone();
    state.apply(&JournalOp::Upsert {
        resource: ResourceState {
            address: address.clone(),
            provider: decl.provider.clone(),
            vendor_id: id.clone(),
            attributes: live,
            dependencies: decl.depends_on.clone(),
            protected: decl.lifecycle.prevent_destroy,
        },
    });
    session.backend.persist(&mut state)?;
    out.line(&format!(
        "Import successful: {address} now manages {} on \"{}\". Run `cdnform plan` to see how it differs from the configuration.",
        id, decl.provider
    ));
    Ok(0)
}

/// `import -all -provider NAME -generate-config FILE`: every domain of the
/// account that the state does not manage yet, written as HCL to FILE and
/// adopted into the state, so the next plan is empty.
async fn run_all(args: ImportArgs, out: &Output) -> Result<i32, CliError> {
    let provider_addr: ProviderAddr = args
        .provider
        .as_deref()
        .unwrap_or_default()
        .parse()
        .map_err(|e| CliError::user(format!("{e}")))?;
    let file = args
        .generate_config
        .clone()
        .expect("clap requires -generate-config with -all");
    if file.exists() {
        return Err(CliError::user(format!(
            "{} already exists; cdnform never overwrites it: choose another file",
            file.display()
        )));
    }
    let session = Session::open(&args.run, "import", out).await?;
    let provider = session
        .providers
        .set
        .get(&provider_addr)
        .ok_or_else(|| {
            CliError::user(format!(
                "no provider configuration named \"{provider_addr}\""
            ))
        })?
        .clone();
    let listed = provider.list_domains().await.map_err(|e| {
        CliError::runtime(format!(
            "listing the domains of provider \"{provider_addr}\": {e}"
        ))
    })?;
    let managed: BTreeSet<&str> = session
        .state
        .resources
        .iter()
        .filter(|r| r.provider == provider_addr)
        .map(|r| r.vendor_id.as_str())
        .collect();
    let mut taken: BTreeSet<String> = session
        .config
        .resources()
        .iter()
        .map(|r| r.address.name.clone())
        .chain(
            session
                .state
                .resources
                .iter()
                .map(|r| r.address.name.clone()),
        )
        .collect();
    let mut state = session.state.clone();
    let mut text = format!(
        "# Generated by `cdnform import -all -provider {provider_addr}`: the domains found on the account.\n"
    );
    let mut count = 0;
    for d in listed.iter().filter(|d| !managed.contains(d.name.as_str())) {
        let Some(live) = read_resource(provider.as_ref(), "cdn_domain", &d.name)
            .await
            .map_err(|e| CliError::runtime(format!("reading {}: {e}", d.name)))?
        else {
            continue; // deleted while we listed
        };
        let name = resource_name(&d.name, &mut taken);
        text.push('\n');
        text.push_str(&resource_block(
            CDN_DOMAIN.block,
            &name,
            &provider_addr,
            &live,
        ));
        state.apply(&JournalOp::Upsert {
            resource: ResourceState {
                address: Address::new("cdn_domain", name),
                provider: provider_addr.clone(),
                vendor_id: d.name.clone(),
                attributes: live,
                dependencies: Vec::new(),
                protected: false,
            },
        });
        count += 1;
    }
    if count == 0 {
        out.line(&format!(
            "Every domain of \"{provider_addr}\" is already managed; nothing to import."
        ));
        return Ok(0);
    }
    std::fs::write(&file, text)
        .map_err(|e| CliError::runtime(format!("cannot write {}: {e}", file.display())))?;
    session.backend.persist(&mut state)?;
    out.line(&format!(
        "Imported {count} domain(s) from \"{provider_addr}\" and wrote their configuration to {}.",
        file.display()
    ));
    Ok(0)
}
