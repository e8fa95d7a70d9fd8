//! The `incentive` family: OPPI's fee split (Eq. 7) on one path, and what a Sybil node gains
//! (the OPPI paper, Section 5; core [`crate::propagation::incentive`]). Deterministic:
//! replicates repeat the same row.
#![doc = include_str!("README.md")]

mod figures;

use super::{Configured, Declaration, RunOutput, Workspace};
use crate::param_table;
use crate::propagation::incentive::{relayer_gain_bound, shares, sybil_gain};
use crate::rng::RunSeeds;
use crate::schema::param::{Kind, ParamError, Value};
use crate::schema::{Cell, ColumnType, Metric, metric_defs, metric_row};

/// Version of the family's semantics.
const VERSION: &str = "incentive-v1";

/// The split's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct IncentiveParams {
    /// Total fee F.
    pub fee: f64,
    /// The constant C.
    pub c: f64,
    /// Path length k (the owner is node k).
    pub path_len: u32,
    /// Position of the node that plays Sybils (k: the owner).
    pub position: u32,
    /// Extra identities it inserts.
    pub sybils: u32,
}

param_table! {
    /// The incentive parameters, typed.
    pub struct Values in PARAMS {
        fee: f64 {
            column: "fee",
            kind: Kind::Float {
            min: 1e-9,
            max: 1e12,
        },
            default: "1",
            environment: false,
            doc: "total fee F to split along the path",
        },
        c: f64 {
            column: "c",
            kind: Kind::Float {
            min: 1e-6,
            max: 0.999999,
        },
            default: "0.5",
            environment: false,
            doc: "the constant C of Eq. 7, in (0, 1): each relayer keeps C of what reaches it",
        },
        path_len: u32 {
            column: "path_len",
            kind: Kind::Int { min: 1, max: 1000 },
            default: "5",
            environment: false,
            doc: "nodes on the propagation path, k; node k is the block owner",
        },
        position: u32 {
            column: "sybil_position",
            kind: Kind::Int { min: 0, max: 1000 },
            default: "1",
            environment: false,
            doc: "position (1..=path_len) of the node that inserts Sybil identities; 0 or path_len: the block owner splitting itself",
        },
        sybils: u32 {
            column: "sybils",
            kind: Kind::Int { min: 0, max: 1000 },
            default: "1",
            environment: false,
            doc: "identities the node inserts after itself (the path grows by this many)",
        },
    }
}

fn resolve(v: &[Value]) -> Result<IncentiveParams, ParamError> {
    let p = Values::read(v);
    let path_len = p.path_len;
    let position = match p.position {
        0 => path_len,
        x => x,
    };
    if position > path_len {
        return Err(ParamError {
            key: key::position,
            allowed: format!("at most path_len = {path_len}"),
        });
    }
    Ok(IncentiveParams {
        fee: p.fee,
        c: p.c,
        path_len,
        position,
        sybils: p.sybils,
    })
}

/// What one split gives: the shares, those of the path one longer, and the Sybil node's.
pub struct IncentiveOutcome {
    p: IncentiveParams,
    f: Vec<f64>,
    longer: Vec<f64>,
    node: f64,
    gain: f64,
    eq6: f64,
}

fn split(p: &IncentiveParams) -> IncentiveOutcome {
    let f = shares(p.path_len, p.fee, p.c);
    let longer = shares(p.path_len + 1, p.fee, p.c);
    let k = p.path_len as usize;
    let node = f[p.position as usize - 1];
    let gain = sybil_gain(p.path_len, p.position, p.sybils, p.c);
    let eq6 = (0..k - 1)
        .map(|i| (longer[i] - f[i]).abs())
        .fold(0.0, f64::max);
    IncentiveOutcome {
        p: p.clone(),
        f,
        longer,
        node,
        gain,
        eq6,
    }
}

impl Configured for IncentiveParams {
    fn run(&self, _seeds: RunSeeds, _ws: &mut Workspace) -> RunOutput {
        RunOutput::ok(0, metric_row(&[METRICS], &split(self)))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// The metric columns, each with how it is read from the split.
static METRICS: &[Metric<IncentiveOutcome>] = &[
    Metric {
        name: "shares",
        label: "fee share per path node",
        ty: ColumnType::ListF64,
        unit: "fee",
        doc: "f[1]_k ..= f[k]_k of Eq. 7, in path order.",
        read: |o: &IncentiveOutcome| Cell::LF(o.f.clone()),
    },
    Metric {
        name: "shares_sum",
        label: "sum of the fee shares",
        ty: ColumnType::F64,
        unit: "fee",
        doc: "Their sum (F up to rounding).",
        read: |o: &IncentiveOutcome| Cell::F(o.f.iter().sum()),
    },
    Metric {
        name: "owner_share",
        label: "owner's fee share",
        ty: ColumnType::F64,
        unit: "fee",
        doc: "f[k]_k, the block owner's share.",
        read: |o: &IncentiveOutcome| Cell::F(o.f[o.f.len() - 1]),
    },
    Metric {
        name: "node_share",
        label: "relayer's fee share",
        ty: ColumnType::F64,
        unit: "fee",
        doc: "The share of the node at sybil_position on the honest path.",
        read: |o: &IncentiveOutcome| Cell::F(o.node),
    },
    Metric {
        name: "sybil_total",
        label: "Sybil identities' total share",
        ty: ColumnType::F64,
        unit: "fee",
        doc: "What that node collects with its sybils + 1 identities on the longer path.",
        read: |o: &IncentiveOutcome| Cell::F(o.node * o.gain),
    },
    Metric {
        name: "sybil_gain",
        label: "Sybil gain",
        ty: ColumnType::F64,
        unit: "",
        doc: "sybil_total / node_share: 1 for the owner (Eq. 3 holds with equality), (1 - (1-C)^(s+1)) / C > 1 for a relayer.",
        read: |o: &IncentiveOutcome| Cell::F(o.gain),
    },
    Metric {
        name: "relayer_gain_formula",
        label: "Sybil gain by formula",
        ty: ColumnType::F64,
        unit: "",
        doc: "(1 - (1-C)^(s+1)) / C, the closed form of a relayer's gain.",
        read: |o: &IncentiveOutcome| Cell::F(relayer_gain_bound(o.p.sybils, o.p.c)),
    },
    Metric {
        name: "gain_limit",
        label: "Sybil gain limit, 1/C",
        ty: ColumnType::F64,
        unit: "",
        doc: "1 / C, what a relayer's gain tends to with many Sybils.",
        read: |o: &IncentiveOutcome| Cell::F(1.0 / o.p.c),
    },
    Metric {
        name: "others_loss",
        label: "others' loss",
        ty: ColumnType::F64,
        unit: "fee",
        doc: "What the honest nodes after the Sybil node lose together (sybil_total - node_share).",
        read: |o: &IncentiveOutcome| Cell::F(o.node * o.gain - o.node),
    },
    Metric {
        name: "eq5_ratio",
        label: "Eq. 5 ratio",
        ty: ColumnType::F64,
        unit: "",
        doc: "f[k]_(k+1) / f[k]_k (Eq. 5 requires C).",
        read: |o: &IncentiveOutcome| Cell::F(o.longer[o.f.len() - 1] / o.f[o.f.len() - 1]),
    },
    Metric {
        name: "eq6_max_change",
        label: "Eq. 6 largest change",
        ty: ColumnType::F64,
        unit: "fee",
        doc: "Largest change of a relayer's share when the path grows by one (Eq. 6; 0 up to rounding).",
        read: |o: &IncentiveOutcome| Cell::F(o.eq6),
    },
];


/// The family, as the registry lists it.
pub static FAMILY: Declaration<IncentiveParams> = Declaration {
    name: "incentive",
    summary: "OPPI's fee split (Eq. 7) on one path and the gain of a Sybil node (the OPPI paper, Section 5).",
    notes: include_str!("README.md"),
    version: VERSION,
    params: || PARAMS,
    parent: None,
    metrics: || metric_defs(&[METRICS]),
    details: &[],
    replicates_share_environment: false,
    resolve,
    figures: Some(figures::incentive),
};
