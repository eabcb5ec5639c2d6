//! `cdnform state list` and `cdnform state show ADDR`: read-only views of the
//! state as loaded (snapshot plus any replayed journal).

use crate::cli::args::StateCommand;
use crate::cli::error::CliError;
use crate::cli::output::Output;
use crate::model::Address;
use crate::state::{LocalBackend, StateBackend};

pub fn run(command: StateCommand, out: &Output) -> Result<i32, CliError> {
    match command {
        StateCommand::List(args) => {
            let loaded = LocalBackend::new(args.state).load()?;
            for w in &loaded.warnings {
                out.warning(w);
            }
            for r in &loaded.state.resources {
                out.line(&r.address.to_string());
            }
            Ok(0)
        }
        StateCommand::Show { address, state } => {
            let address: Address = address
                .parse()
                .map_err(|e| CliError::user(format!("{e}")))?;
            let loaded = LocalBackend::new(state.state).load()?;
            let r = loaded
                .state
                .get(&address)
                .ok_or_else(|| CliError::user(format!("no resource {address} in the state")))?;
            out.line(&format!("# {address}:"));
            out.line(&format!(
                "# provider = {}, vendor id = {}",
                r.provider, r.vendor_id
            ));
            out.line(&serde_json::to_string_pretty(&r.attributes).expect("JSON values serialise"));
            Ok(0)
        }
    }
}
