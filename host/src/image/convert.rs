//! Filling the model's image record from a manifest's facts and its config.

use std::collections::BTreeMap;

use tallyman_dockerfile::model::{
    self, HistoryEntry, ImageConfig, ImageHealthcheck, ImageLayer, KeyValue,
};

use super::platform::PlatformSpec;
use super::spec::{self, ImageConfigFile};

/// What a reader learned besides the config.
pub struct ImageFacts {
    pub reference: String,
    pub manifest_digest: String,
    pub layers: Vec<ImageLayer>,
    pub annotations: BTreeMap<String, String>,
}

fn key_values(map: Option<&BTreeMap<String, String>>) -> Vec<KeyValue> {
    map.into_iter()
        .flatten()
        .map(|(key, value)| KeyValue {
            key: key.clone(),
            value: value.clone(),
        })
        .collect()
}

/// `KEY=value` entries of `Env`; an entry without `=` is a key with an empty value.
fn env_entries(env: Option<&Vec<String>>) -> Vec<KeyValue> {
    env.into_iter()
        .flatten()
        .map(|entry| match entry.split_once('=') {
            Some((key, value)) => KeyValue {
                key: key.to_string(),
                value: value.to_string(),
            },
            None => KeyValue {
                key: entry.clone(),
                value: String::new(),
            },
        })
        .collect()
}

fn keys(map: Option<&BTreeMap<String, serde_json::Value>>) -> Vec<String> {
    map.into_iter()
        .flatten()
        .map(|(key, _)| key.clone())
        .collect()
}

fn run_config(config: Option<&spec::RunConfig>) -> ImageConfig {
    let Some(config) = config else {
        return ImageConfig::default();
    };
    ImageConfig {
        user: config.user.clone().unwrap_or_default(),
        env: env_entries(config.env.as_ref()),
        entrypoint: config.entrypoint.clone(),
        cmd: config.cmd.clone(),
        working_dir: config.working_dir.clone().unwrap_or_default(),
        exposed_ports: keys(config.exposed_ports.as_ref()),
        labels: key_values(config.labels.as_ref()),
        healthcheck: config.healthcheck.as_ref().map(|check| ImageHealthcheck {
            test: check.test.clone().unwrap_or_default(),
            interval_ns: check.interval,
            timeout_ns: check.timeout,
            start_period_ns: check.start_period,
            retries: check.retries,
        }),
        volumes: keys(config.volumes.as_ref()),
        stop_signal: config.stop_signal.clone(),
    }
}

/// The model of an image.
pub fn image(
    facts: ImageFacts,
    config: &ImageConfigFile,
    requested: &PlatformSpec,
    evaluated_on: &str,
) -> model::Image {
    model::Image {
        reference: facts.reference,
        manifest_digest: facts.manifest_digest,
        platform: model::Platform {
            os: config.os.clone(),
            architecture: config.architecture.clone(),
            variant: config.variant.clone(),
        },
        requested_platform: requested.to_model(),
        config: run_config(config.config.as_ref()),
        history: config
            .history
            .iter()
            .map(|entry| HistoryEntry {
                created: entry.created.clone(),
                created_by: entry.created_by.clone().unwrap_or_default(),
                empty_layer: entry.empty_layer.unwrap_or(false),
                comment: entry.comment.clone(),
            })
            .collect(),
        layers: facts.layers,
        annotations: key_values(Some(&facts.annotations)),
        created: config.created.clone(),
        evaluated_on: evaluated_on.to_string(),
    }
}

/// The model's layers from a manifest's layer descriptors.
pub fn layers(descriptors: &[spec::Descriptor]) -> Vec<ImageLayer> {
    descriptors
        .iter()
        .map(|layer| ImageLayer {
            digest: layer.digest.clone(),
            size: layer.size,
            media_type: layer.media_type.clone(),
        })
        .collect()
}
