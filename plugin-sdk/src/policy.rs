//! The [`Policy`] trait and the glue that exports it as the `policy` world.

use std::marker::PhantomData;

use serde::de::DeserializeOwned;

use crate::model::{Dockerfile, Finding, Image, PolicyInfo};
use crate::rule::Rule;

/// A policy: a pure function of (input, settings) to findings.
///
/// Implement it on a unit struct and export it with [`export_policy!`].
/// Every finding a policy returns must name one of the rules listed in
/// [`info`](Policy::info); the host rejects the output otherwise.
pub trait Policy {
    /// The policy's settings, deserialised from the JSON document the host
    /// passes (`{}` when the user gave none). Use
    /// `#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]`
    /// so that a typo is an error naming the key; [`NoSettings`](crate::NoSettings)
    /// for a policy without settings.
    type Settings: DeserializeOwned;

    /// The policy's name, version, description and rules. Must not depend on
    /// input.
    fn info() -> PolicyMeta;

    /// Checks what deserialisation cannot: ranges, patterns, combinations.
    /// The error names the key and the reason. Unknown keys and wrong types
    /// are already reported (by [`settings::parse`](crate::settings::parse))
    /// before this is called.
    fn validate_settings(settings: &Self::Settings) -> Result<(), String> {
        let _ = settings;
        Ok(())
    }

    /// Evaluates a Dockerfile.
    fn check_dockerfile(dockerfile: &Dockerfile, settings: &Self::Settings) -> Vec<Finding>;

    /// Evaluates an image's metadata. Most policies are about Dockerfiles
    /// only: the default reports nothing.
    fn check_image(image: &Image, settings: &Self::Settings) -> Vec<Finding> {
        let _ = (image, settings);
        Vec::new()
    }
}

/// What [`Policy::info`] returns: the policy's identity and its rules.
#[derive(Debug, Clone, Copy)]
pub struct PolicyMeta {
    /// Short, lower case, kebab-case (`base-image`).
    pub name: &'static str,
    /// Semver; usually `env!("CARGO_PKG_VERSION")`.
    pub version: &'static str,
    pub description: &'static str,
    /// Every rule the policy may report, declared with
    /// [`declare_rule!`](crate::declare_rule).
    pub rules: &'static [&'static Rule],
}

impl PolicyMeta {
    /// The WIT `policy-info` record, rule documentation split into
    /// description and help.
    pub fn to_policy_info(&self) -> PolicyInfo {
        PolicyInfo {
            name: self.name.to_string(),
            version: self.version.to_string(),
            description: self.description.to_string(),
            rules: self.rules.iter().map(|rule| rule.info()).collect(),
        }
    }

    /// The declared rule with this id.
    pub fn rule(&self, id: &str) -> Option<&'static Rule> {
        self.rules.iter().copied().find(|rule| rule.id == id)
    }
}

/// Runs `validate-settings` for `P`: parse, then the policy's own checks.
pub(crate) fn validate_settings<P: Policy>(json: &str) -> Result<(), String> {
    let settings = crate::settings::parse::<P::Settings>(json)?;
    P::validate_settings(&settings)
}

/// Runs `check-dockerfile` for `P`.
pub(crate) fn check_dockerfile<P: Policy>(dockerfile: &Dockerfile, json: &str) -> Vec<Finding> {
    match crate::settings::parse::<P::Settings>(json) {
        Ok(settings) => P::check_dockerfile(dockerfile, &settings),
        Err(error) => {
            settings_rejected::<P>(&error);
            Vec::new()
        }
    }
}

/// Runs `check-image` for `P`.
pub(crate) fn check_image<P: Policy>(image: &Image, json: &str) -> Vec<Finding> {
    match crate::settings::parse::<P::Settings>(json) {
        Ok(settings) => P::check_image(image, &settings),
        Err(error) => {
            settings_rejected::<P>(&error);
            Vec::new()
        }
    }
}

/// The host validates settings before any check, so this happens only when a
/// host skips that step. There is no error channel in `check-*`: say why in
/// the log (which the host keeps with the evaluation) rather than trap.
fn settings_rejected<P: Policy>(error: &str) {
    crate::log::warn(&format!(
        "policy {}: settings rejected, nothing checked: {error}",
        P::info().name
    ));
}

/// The type [`export_policy!`] hands to the generated export glue.
#[doc(hidden)]
pub struct Exported<P>(PhantomData<P>);

impl<P: Policy> crate::bindings::Guest for Exported<P> {
    fn metadata() -> PolicyInfo {
        P::info().to_policy_info()
    }

    fn validate_settings(settings: String) -> Result<(), String> {
        validate_settings::<P>(&settings)
    }

    fn check_dockerfile(dockerfile: Dockerfile, settings: String) -> Vec<Finding> {
        check_dockerfile::<P>(&dockerfile, &settings)
    }

    fn check_image(image: Image, settings: String) -> Vec<Finding> {
        check_image::<P>(&image, &settings)
    }
}

impl<P: Policy> crate::bindings::exports::tallyman::policy::encoded::Guest for Exported<P> {
    fn check_dockerfile(dockerfile: Vec<u8>, settings: String) -> Vec<Finding> {
        with_decoded(&dockerfile, |model| check_dockerfile::<P>(model, &settings))
    }

    fn check_image(image: Vec<u8>, settings: String) -> Vec<Finding> {
        with_decoded(&image, |model| check_image::<P>(model, &settings))
    }
}

/// Decodes a model the host encoded (see the `policy-encoded` world) and
/// lends it to `check`.
///
/// The bytes come from the host that checked this component's exports
/// against the same WIT, so a failure means the two disagree on the model:
/// trapping makes the host report a `trap` naming the reason, where an
/// empty result would pass for "no findings".
fn with_decoded<T: serde::de::DeserializeOwned, R>(bytes: &[u8], check: impl FnOnce(&T) -> R) -> R {
    let decode = || match postcard::from_bytes(bytes) {
        Ok(model) => model,
        Err(error) => panic!("the host's encoded model does not match this SDK's WIT: {error}"),
    };
    #[cfg(all(target_arch = "wasm32", feature = "model-arena"))]
    return crate::arena::with_decoded(decode, check);
    #[cfg(not(all(target_arch = "wasm32", feature = "model-arena")))]
    return check(&decode());
}

/// Exports a [`Policy`] implementation as the component's `policy` world.
///
/// Use it once, in the policy crate's `lib.rs`, which is built as a
/// `cdylib` for `wasm32-wasip2`:
///
/// ```ignore
/// tallyman_sdk::export_policy!(MyPolicy);
/// ```
///
/// On other targets it expands to nothing, so the same crate is unit-tested
/// natively with [`testing`](crate::testing).
#[macro_export]
macro_rules! export_policy {
    ($policy:ty) => {
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            type __TallymanExportedPolicy = $crate::__private::Exported<$policy>;
            $crate::bindings::__export_policy_world!(
                __TallymanExportedPolicy with_types_in $crate::bindings
            );
        };
    };
}
