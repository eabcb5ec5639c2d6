//! TEMPORARY stand-in.
#[derive(Clone, Debug, Default)]
pub struct RetryPolicy;
