//! Alibaba error answers: code, message and HTTP status, as the seeds' error tables give them.
//!
//! Messages are copied from the seeds' tables (`alibaba-cdn-error-codes-and-calling.md` and the
//! per-action "Specific Error Codes" of the 2014-11-11 reference). Where a code is not in the
//! seeds the message is MODELLED and says so beside it.

use super::ApiVersion;

/// One error answer. Rendered by `response::error` with `RequestId` and `HostId`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl AliError {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        AliError {
            status,
            code: code.to_string(),
            message: message.into(),
        }
    }

    pub fn missing_parameter(name: &str) -> Self {
        Self::new(
            400,
            "MissingParameter",
            format!(
                "The input parameter {name} that is mandatory for processing this request is not supplied."
            ),
        )
    }

    /// The generic `InvalidParameter` of the seeds: "The specified value of parameter <name> is not valid."
    pub fn invalid_value(name: &str) -> Self {
        Self::new(
            400,
            "InvalidParameter",
            format!("The specified value of parameter {name} is not valid."),
        )
    }

    pub fn invalid_domain_format() -> Self {
        Self::new(
            400,
            "InvalidParameter",
            "The specified parameter DomainName format is error.",
        )
    }

    pub fn invalid_source() -> Self {
        Self::new(
            400,
            "InvalidParameter",
            "The specified Source is not valid.",
        )
    }

    pub fn invalid_ip() -> Self {
        Self::new(
            400,
            "InvalidParameter",
            "The specified parameter IP format is error.",
        )
    }

    pub fn source_equals_domain() -> Self {
        Self::new(
            400,
            "InvalidParameter",
            "Source name can not equal to domain name",
        )
    }

    pub fn unsupported_operation() -> Self {
        Self::new(
            400,
            "UnsupportedOperation",
            "The specified action is not supported.",
        )
    }

    pub fn no_such_version() -> Self {
        Self::new(
            400,
            "NoSuchVersion",
            "The specified version does not exist.",
        )
    }

    pub fn signature_does_not_match() -> Self {
        Self::new(
            403,
            "SignatureDoesNotMatch",
            "The signature we calculated does not match the one you provided. Please refer to the API reference about authentication for details.",
        )
    }

    pub fn access_key_not_found() -> Self {
        Self::new(
            404,
            "InvalidAccessKeyId.NotFound",
            "The Access Key ID provided does not exist in our records.",
        )
    }

    pub fn nonce_used() -> Self {
        Self::new(
            400,
            "SignatureNonceUsed",
            "The request signature nonce has been used.",
        )
    }

    /// MODELLED: the seeds require a UTC `TimeStamp` but print no error for a stale one. We
    /// answer 400 `InvalidTimeStamp.Expired` (the code Alibaba's gateway is known to use) when
    /// the timestamp is more than 15 minutes away from the server clock.
    pub fn timestamp_expired() -> Self {
        Self::new(
            400,
            "InvalidTimeStamp.Expired",
            "Specified time stamp or date value is expired.",
        )
    }

    /// MODELLED like `timestamp_expired`: a timestamp that is not `YYYY-MM-DDThh:mm:ssZ`.
    pub fn timestamp_format() -> Self {
        Self::new(
            400,
            "InvalidTimeStamp.Format",
            "Specified time stamp or date value is not well formatted.",
        )
    }

    pub fn domain_already_exist() -> Self {
        Self::new(
            400,
            "DomainAlreadyExist",
            "This domain name is exist already",
        )
    }

    pub fn domain_over_limit() -> Self {
        Self::new(
            403,
            "DomainOverLimit",
            "The Number of Domain is over the limit",
        )
    }

    /// The missing-domain code depends on the version: the 2014-11-11 reference says
    /// `DomainNotExist`; 2018-05-10 answers `InvalidDomain.NotFound` (API-NOTES). The 2018
    /// message is MODELLED.
    pub fn domain_not_found(version: ApiVersion) -> Self {
        match version {
            ApiVersion::V2014_11_11 => {
                Self::new(404, "DomainNotExist", "This domain name is not exist")
            }
            ApiVersion::V2018_05_10 => Self::new(
                404,
                "InvalidDomain.NotFound",
                "The domain provided does not belong to you.",
            ),
        }
    }

    pub fn service_busy() -> Self {
        Self::new(
            503,
            "ServiceBusy",
            "The specified Domain is configuring, please retry later",
        )
    }

    /// MODELLED: a function name that is not in the function table (BatchSetCdnDomainConfig's
    /// `Functions`, DescribeCdnDomainConfigs' `FunctionNames`).
    pub fn invalid_function(name: &str) -> Self {
        Self::new(
            400,
            "InvalidParameter",
            format!("The specified function name {name} is not valid."),
        )
    }

    /// MODELLED: an argument of a function that is unknown, missing or has a bad value;
    /// `problem` says which.
    pub fn invalid_function_arg(function: &str, arg: &str, problem: &str) -> Self {
        Self::new(
            400,
            "InvalidParameter",
            format!("The specified argument {arg} of function {function} is {problem}."),
        )
    }

    /// MODELLED: a ConfigId that is not one of the domain's configurations.
    pub fn invalid_config_id(id: &str) -> Self {
        Self::new(
            400,
            "InvalidParameter",
            format!("The specified ConfigId {id} is not valid."),
        )
    }

    /// Past a per-account call limit (2014 seed, `RefreshObjectCaches`: 503; API-NOTES).
    pub fn throttling() -> Self {
        Self::new(
            503,
            "Throttling",
            "Request was denied due to request throttling.",
        )
    }

    /// A refresh or push that would go past today's quota (2014 seed, `RefreshObjectCaches`
    /// and `PushObjectCache`).
    pub fn quota_exceeded_refresh() -> Self {
        Self::new(400, "QuotaExceeded.Refresh", "exceed the prescribed limits")
    }

    /// A path whose domain is stopped (2014 seed, `RefreshObjectCaches`, `PushObjectCache`).
    pub fn domain_offline() -> Self {
        Self::new(400, "InvalidDomain.Offline", "Specified domain is offline.")
    }

    /// A path whose domain is still configuring (same tables).
    pub fn domain_configuring() -> Self {
        Self::new(
            400,
            "InvalidDomain.Configuring",
            "Specified domain is configuring.",
        )
    }

    /// An object path that does not fit its `ObjectType` (same tables).
    pub fn object_type_mismatch() -> Self {
        Self::new(
            400,
            "InvalidParameter.Mismatch",
            "Specified object path does not match the specified object type.",
        )
    }

    /// The common error of a temporarily failing server (Alibaba's common error codes:
    /// `ServiceUnavailable`, HTTP 503).
    pub fn service_unavailable() -> Self {
        Self::new(
            503,
            "ServiceUnavailable",
            "The request has failed due to a temporary failure of the server.",
        )
    }

    pub fn internal_error() -> Self {
        Self::new(
            500,
            "InternalError",
            "The request processing has failed due to some unknown error, exception or failure.",
        )
    }
}
