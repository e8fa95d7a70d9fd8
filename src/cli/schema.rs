//! `chainlab schema`: a model's parameter and column tables (those of its notes).

use super::*;

pub(super) fn schema(model: &str) -> Result<(), Failure> {
    let m = Model::from_name(model).ok_or_else(|| {
        let known: Vec<&str> = Model::all().map(|m| m.name()).collect();
        Failure::Usage(format!(
            "unknown model `{model}`; allowed: {}",
            known.join(", ")
        ))
    })?;
    let also = m
        .parent()
        .map(|p| format!(" (in addition to those of model `{p}`)"))
        .unwrap_or_default();
    outln!(
        "Parameters of model `{}`{also}:\n\n{}",
        m.name(),
        reference::params_markdown(m)
    );
    let besides = m
        .parent()
        .map(|p| format!(" (after the engine's columns and model `{p}`'s parameter columns)"))
        .unwrap_or_default();
    // A model without a parent lists every column, the engine's first; one with a parent
    // lists what it adds to its parent's.
    let columns = if m.parent_model().is_some() {
        reference::own_columns(m)
    } else {
        m.columns()
    };
    outln!(
        "Result columns{besides}:\n\n{}",
        reference::columns_markdown(&columns)
    );
    for d in m.details() {
        outln!(
            "Table of {}s (results/<experiment>.{}/plan=<hash>/part-NNNNN.parquet, one row per {}):\n\n{}",
            d.item,
            d.name,
            d.item,
            reference::columns_markdown(&d.columns(&m.columns()))
        );
    }
    Ok(())
}
