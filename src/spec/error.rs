//! The spec parser's error: what kind of mistake, and where (file, line, key, value), with
//! what is allowed. Its `Display` is the message `chainlab` prints.

use std::fmt;
use std::path::PathBuf;

/// What kind of mistake a [`SpecError`] reports, for callers (and tests) that act on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SpecErrorKind {
    /// The file cannot be read.
    Unreadable,
    /// Not TOML, a value of the wrong TOML type, or a key the file format does not have.
    Syntax,
    /// A parameter the model does not have, or a case that does not exist.
    UnknownKey,
    /// A model the registry does not have.
    UnknownModel,
    /// A value outside what its key allows (range, choice, unit, the shape of an axis).
    Value,
    /// A combination of values the model refuses (its cross-parameter checks).
    Combination,
    /// A run that could never finish within its budget or the machine (the cost checks).
    Cost,
    /// Runs that would share an identity, or a key set in two places.
    Duplicate,
    /// A plan with no runs, or with more than the engine holds.
    Size,
    /// A name or a text the results cannot carry (characters, length).
    Text,
}

/// What is wrong with an experiment file.
#[derive(Debug, Clone, PartialEq)]
pub struct SpecError {
    /// What kind of mistake it is.
    pub kind: SpecErrorKind,
    /// The file.
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// The key (dotted path), when the error concerns one.
    pub key: Option<String>,
    /// The offending value as written, when there is one.
    pub value: Option<String>,
    /// What is wrong, or what is allowed.
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        write!(f, ": ")?;
        match (&self.key, &self.value) {
            (Some(k), Some(v)) => write!(f, "`{k}` = {v}: ")?,
            (Some(k), None) => write!(f, "`{k}`: ")?,
            _ => {}
        }
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for SpecError {}
