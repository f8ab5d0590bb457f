use tallyman_sdk::{Finding, Image};

use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags an image with more layers than the `max-layers` setting (40 by
    /// default). Only layers that hold files count: history entries that
    /// change only metadata (`ENV`, `LABEL`, ...) add none.
    ///
    /// ## Why is this bad?
    /// Every layer is a separate download, decompression and overlay mount:
    /// pulls get slower, and overlay filesystems have a hard limit (127 on
    /// overlay2). Many layers usually mean files written in one `RUN` and
    /// deleted in another, which keeps them in the image.
    ///
    /// ## Example
    /// One `RUN` (one layer) per step:
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update
    /// RUN apt-get install -y curl
    /// RUN apt-get install -y git
    /// RUN rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Fix
    /// Join related steps, copy artifacts from a builder stage into a small
    /// final stage, or raise `max-layers` if the layers are deliberate (they
    /// help caching):
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y curl git \
    ///  && rm -rf /var/lib/apt/lists/*
    /// ```
    pub const IMG003 = {
        id: "IMG003",
        title: "Too many layers",
        severity: Low,
        tags: ["target:image", "efficiency"],
        equivalents: [],
    };
}

/// `max-layers` when not set.
pub const DEFAULT_MAX_LAYERS: u32 = 40;

pub fn check(image: &Image, settings: &Settings, findings: &mut Vec<Finding>) {
    let max = settings.max_layers.unwrap_or(DEFAULT_MAX_LAYERS);
    let count = image.layers.len();
    if u32::try_from(count).is_ok_and(|n| n <= max) {
        return;
    }
    findings.push(
        Finding::new(&IMG003)
            .message(format!("the image has {count} layers, more than the {max} allowed"))
            .fix("join related `RUN` steps and copy artifacts into a small final stage, or raise `max-layers`"),
    );
}
