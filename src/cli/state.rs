//! `cdnform state list | show ADDR | pull | push FILE | rm ADDR... | mv`: views of the state
//! as loaded (snapshot plus any replayed journal), and forgetting resources
//! (under the lock, as a new serial).

use crate::cli::args::StateCommand;
use crate::cli::error::CliError;
use crate::cli::output::Output;
use crate::model::Address;
use crate::state::{JournalOp, LockRequest};

pub fn run(command: StateCommand, out: &Output) -> Result<i32, CliError> {
    match command {
        StateCommand::List(args) => {
            let loaded = crate::cli::backend::open_here(&args.state)?.load()?;
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
            let loaded = crate::cli::backend::open_here(&state.state)?.load()?;
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
        StateCommand::Pull(args) => {
            let loaded = crate::cli::backend::open_here(&args.state)?.load()?;
            for w in &loaded.warnings {
                out.warning(w);
            }
            out.line(&serde_json::to_string_pretty(&loaded.state).expect("state serialises"));
            Ok(0)
        }
        StateCommand::Mv { from, to, state } => {
            let parse = |a: &str| {
                a.parse::<Address>()
                    .map_err(|e| CliError::user(format!("{e}")))
            };
            let (from, to) = (parse(&from)?, parse(&to)?);
            let backend = crate::cli::backend::open_here(&state.state)?;
            let _lock = backend.lock(
                &LockRequest {
                    operation: "state mv".into(),
                },
                state.lock_timeout,
            )?;
            let mut current = backend.load()?.state;
            if current.get(&to).is_some() {
                return Err(CliError::user(format!(
                    "{to} is already in the state; nothing was moved"
                )));
            }
            let mut moved = current.get(&from).cloned().ok_or_else(|| {
                CliError::user(format!(
                    "no resource {from} in the state; nothing was moved"
                ))
            })?;
            if moved.address.resource_type != to.resource_type {
                return Err(CliError::user(format!(
                    "cannot move a {} to a {}",
                    moved.address.resource_type, to.resource_type
                )));
            }
            moved.address = to.clone();
            current.apply(&JournalOp::Remove {
                address: from.clone(),
            });
            current.apply(&JournalOp::Upsert { resource: moved });
            backend.persist(&mut current)?;
            out.line(&format!("Moved {from} to {to}."));
            Ok(0)
        }
        StateCommand::Push { file, force, state } => {
            let bytes = std::fs::read(&file)
                .map_err(|e| CliError::user(format!("cannot read {}: {e}", file.display())))?;
            // FILE is the input here, not a state to restore from its backup.
            let mut pushed = crate::state::parse_snapshot(&bytes, &file).map_err(|e| match e {
                crate::state::StateError::Corrupt { detail, .. } => CliError::user(format!(
                    "refusing to push: {} is not a valid state: {detail}. Nothing was written.",
                    file.display()
                )),
                other => other.into(),
            })?;
            let backend = crate::cli::backend::open_here(&state.state)?;
            let _lock = backend.lock(&LockRequest::new("state push"), state.lock_timeout)?;
            let loaded = backend.load()?;
            if loaded.exists {
                let current = &loaded.state;
                if current.lineage != pushed.lineage {
                    return Err(CliError::user(format!(
                        "refusing to push: {} has lineage {} but the current state has lineage {}; \
                         they are different states, not versions of one. Nothing was written.",
                        file.display(),
                        pushed.lineage,
                        current.lineage
                    )));
                }
                if pushed.serial < current.serial && !force {
                    return Err(CliError::user(format!(
                        "refusing to push: {} has serial {}, older than the current state's {}; \
                         someone wrote the state since it was pulled. Pull again, or pass -force to \
                         overwrite. Nothing was written.",
                        file.display(),
                        pushed.serial,
                        current.serial
                    )));
                }
                pushed.serial = pushed.serial.max(current.serial);
            }
            backend.persist(&mut pushed)?;
            out.line(&format!(
                "Pushed {} as serial {} ({} resources).",
                file.display(),
                pushed.serial,
                pushed.resources.len()
            ));
            Ok(0)
        }
        StateCommand::Rm { addresses, state } => {
            let backend = crate::cli::backend::open_here(&state.state)?;
            let _lock = backend.lock(
                &LockRequest {
                    operation: "state rm".into(),
                },
                state.lock_timeout,
            )?;
            let mut current = backend.load()?.state;
            let mut gone = Vec::new();
            for a in &addresses {
                let address: Address = a.parse().map_err(|e| CliError::user(format!("{e}")))?;
                if current.get(&address).is_none() {
                    return Err(CliError::user(format!(
                        "no resource {address} in the state; nothing was removed"
                    )));
                }
                gone.push(address);
            }
            for address in &gone {
                current.apply(&JournalOp::Remove {
                    address: address.clone(),
                });
            }
            backend.persist(&mut current)?;
            for address in &gone {
                out.line(&format!(
                    "Removed {address} from the state (the vendor's domain is untouched)."
                ));
            }
            Ok(0)
        }
    }
}
