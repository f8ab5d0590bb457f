//! Evaluating targets × policies across rayon's worker threads.

use std::cell::OnceCell;

use rayon::prelude::*;
use tallyman_dockerfile::model;

use super::evaluate::{self, Instance, Outcome, Target};
use super::{Engine, Policy, SessionPool};

/// A loaded policy with the settings (a JSON document) it runs with.
#[derive(Debug, Clone)]
pub struct ConfiguredPolicy {
    pub policy: Policy,
    pub settings: String,
}

impl ConfiguredPolicy {
    pub fn new(policy: Policy, settings: impl Into<String>) -> ConfiguredPolicy {
        ConfiguredPolicy {
            policy,
            settings: settings.into(),
        }
    }
}

/// Evaluates targets with a set of policies on one thread, keeping one live
/// instance per policy between targets (when `limits.reuse-instances` is on).
///
/// Use one per worker, e.g. with rayon's `map_init`, so that a scan can parse
/// and evaluate each file in one pass without holding every model at once.
pub struct Session<'a> {
    engine: &'a Engine,
    policies: &'a [ConfiguredPolicy],
    instances: Vec<Option<Instance>>,
    /// Some policy takes the encoded model and `limits.encoded-input` is on.
    encodes: bool,
}

impl<'a> Session<'a> {
    pub(crate) fn new(engine: &'a Engine, policies: &'a [ConfiguredPolicy]) -> Session<'a> {
        Session {
            engine,
            policies,
            instances: policies.iter().map(|_| None).collect(),
            encodes: engine.limits().encoded_input
                && policies
                    .iter()
                    .any(|configured| configured.policy.takes_encoded_input()),
        }
    }

    /// The policies this session evaluates, in order.
    pub fn policies(&self) -> &'a [ConfiguredPolicy] {
        self.policies
    }

    /// Evaluates every policy on a Dockerfile; one outcome per policy, in order.
    pub fn check_dockerfile(&mut self, dockerfile: &model::Dockerfile) -> Vec<Outcome> {
        let all = vec![true; self.policies.len()];
        self.check_dockerfile_with(dockerfile, &all)
            .into_iter()
            .flatten()
            .collect()
    }

    /// Evaluates the policies whose entry in `wanted` is true (the others'
    /// results are known already, e.g. cached); one entry per policy, in
    /// order, `None` for those not wanted.
    pub fn check_dockerfile_with(
        &mut self,
        dockerfile: &model::Dockerfile,
        wanted: &[bool],
    ) -> Vec<Option<Outcome>> {
        let encoded = self.encode(dockerfile);
        self.check_some(
            Target::Dockerfile {
                model: dockerfile,
                typed: &OnceCell::new(),
                encoded: encoded.as_deref(),
            },
            wanted,
        )
    }

    /// Evaluates every policy on an image; one outcome per policy, in order.
    pub fn check_image(&mut self, image: &model::Image) -> Vec<Outcome> {
        let encoded = self.encode(image);
        self.check(Target::Image {
            model: image,
            typed: &OnceCell::new(),
            encoded: encoded.as_deref(),
        })
    }

    /// The model postcard-encoded once for every policy that takes it that
    /// way, or `None` when none does. The model mirrors its WIT twin field
    /// for field, so it encodes to the bytes the twin would, without the
    /// copy (`convert` tests this on real Dockerfiles). Encoding our own
    /// in-memory types cannot fail short of running out of memory; if it
    /// ever did, the policies get the typed record instead.
    fn encode<T: serde::Serialize>(&self, model: &T) -> Option<Vec<u8>> {
        if !self.encodes {
            return None;
        }
        postcard::to_allocvec(model).ok()
    }

    fn check(&mut self, target: Target<'_>) -> Vec<Outcome> {
        let all = vec![true; self.policies.len()];
        self.check_some(target, &all)
            .into_iter()
            .flatten()
            .collect()
    }

    fn check_some(&mut self, target: Target<'_>, wanted: &[bool]) -> Vec<Option<Outcome>> {
        self.policies
            .iter()
            .zip(self.instances.iter_mut())
            .enumerate()
            .map(|(i, (configured, slot))| {
                wanted.get(i).copied().unwrap_or(false).then(|| {
                    let policy = &configured.policy;
                    let applies = match target {
                        Target::Dockerfile { .. } => policy.checks_dockerfiles(),
                        Target::Image { .. } => policy.checks_images(),
                    };
                    if !applies {
                        // No rule of the policy concerns this kind of target.
                        return Outcome::cached(policy.clone(), Vec::new());
                    }
                    evaluate::evaluate(self.engine, policy, &configured.settings, slot, target)
                })
            })
            .collect()
    }
}

impl Engine {
    /// Evaluates every policy on every Dockerfile in parallel. The result has
    /// one entry per Dockerfile, in order, each with one outcome per policy.
    pub fn check_dockerfiles(
        &self,
        policies: &[ConfiguredPolicy],
        dockerfiles: &[model::Dockerfile],
    ) -> Vec<Vec<Outcome>> {
        let sessions = SessionPool::new(self, policies);
        dockerfiles
            .par_iter()
            .map_init(
                || sessions.take(),
                |session, dockerfile| session.check_dockerfile(dockerfile),
            )
            .collect()
    }

    /// Evaluates every policy on every image in parallel, like [`Engine::check_dockerfiles`].
    pub fn check_images(
        &self,
        policies: &[ConfiguredPolicy],
        images: &[model::Image],
    ) -> Vec<Vec<Outcome>> {
        let sessions = SessionPool::new(self, policies);
        images
            .par_iter()
            .map_init(
                || sessions.take(),
                |session, image| session.check_image(image),
            )
            .collect()
    }
}
