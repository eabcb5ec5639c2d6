//! `cdnform import ADDR VENDOR_ID`: adopt a domain that already exists on the
//! account into the state under a resource block the configuration declares;
//! the next plan then shows only the real differences.

use crate::cli::args::ImportArgs;
use crate::cli::error::CliError;
use crate::cli::output::Output;
use crate::cli::session::Session;
use crate::model::{Address, Desired};
use crate::plan::refresh::read_resource;
use crate::state::{JournalOp, ResourceState};

pub async fn run(args: ImportArgs, out: &Output) -> Result<i32, CliError> {
    let address: Address = args
        .address
        .parse()
        .map_err(|e| CliError::user(format!("{e}")))?;
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
    let live = read_resource(provider.as_ref(), &address.resource_type, &args.id)
        .await
        .map_err(|e| CliError::runtime(format!("importing {address}: {e}")))?
        .ok_or_else(|| {
            CliError::user(format!(
                "there is no domain {:?} on provider \"{}\"",
                args.id, decl.provider
            ))
        })?;
    let mut state = session.state.clone();
    state.apply(&JournalOp::Upsert {
        resource: ResourceState {
            address: address.clone(),
            provider: decl.provider.clone(),
            vendor_id: args.id.clone(),
            attributes: live,
            dependencies: decl.depends_on.clone(),
        },
    });
    session.backend.persist(&mut state)?;
    out.line(&format!(
        "Import successful: {address} now manages {} on \"{}\". Run `cdnform plan` to see how it differs from the configuration.",
        args.id, decl.provider
    ));
    Ok(0)
}
