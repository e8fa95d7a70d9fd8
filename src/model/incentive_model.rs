//! The `incentive` model: OPPI's fee split (Eq. 7) on one path, and what a Sybil node gains
//! ([`crate::propagation::incentive`]). Deterministic: replicates repeat the same row.

use crate::propagation::incentive::{relayer_gain_bound, shares, sybil_gain};
use crate::schema::param::{Kind, ParamDef, ParamError, Value};
use crate::schema::{Cell, ColumnType as T, MetricDef};

pub(super) const INCENTIVE_VERSION: &str = "incentive-v1";

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

pub(super) static PARAMS: &[ParamDef] = &[
    ParamDef {
        key: "fee",
        column: "fee",
        kind: Kind::Float {
            min: 1e-9,
            max: 1e12,
        },
        default: "1",
        environment: false,
        doc: "total fee F to split along the path",
    },
    ParamDef {
        key: "c",
        column: "c",
        kind: Kind::Float {
            min: 1e-6,
            max: 0.999999,
        },
        default: "0.5",
        environment: false,
        doc: "the constant C of Eq. 7, in (0, 1): each relayer keeps C of what reaches it",
    },
    ParamDef {
        key: "path_len",
        column: "path_len",
        kind: Kind::Int { min: 1, max: 1000 },
        default: "5",
        environment: false,
        doc: "nodes on the propagation path, k; node k is the block owner",
    },
    ParamDef {
        key: "position",
        column: "sybil_position",
        kind: Kind::Int { min: 0, max: 1000 },
        default: "1",
        environment: false,
        doc: "position (1..=path_len) of the node that inserts Sybil identities; 0 or path_len: the block owner splitting itself",
    },
    ParamDef {
        key: "sybils",
        column: "sybils",
        kind: Kind::Int { min: 0, max: 1000 },
        default: "1",
        environment: false,
        doc: "identities the node inserts after itself (the path grows by this many)",
    },
];

pub(super) fn resolve(v: &[Value]) -> Result<IncentiveParams, ParamError> {
    let get = |key: &str| super::param(PARAMS, v, key);
    let path_len = get("path_len").as_int() as u32;
    let position = match get("position").as_int() as u32 {
        0 => path_len,
        x => x,
    };
    if position > path_len {
        return Err(ParamError {
            key: "position",
            allowed: format!("at most path_len = {path_len}"),
        });
    }
    Ok(IncentiveParams {
        fee: get("fee").as_float(),
        c: get("c").as_float(),
        path_len,
        position,
        sybils: get("sybils").as_int() as u32,
    })
}

pub(super) static METRICS: &[MetricDef] = &[
    metric!(
        "shares",
        T::ListF64,
        "fee",
        "f[1]_k ..= f[k]_k of Eq. 7, in path order."
    ),
    metric!("shares_sum", T::F64, "fee", "Their sum (F up to rounding)."),
    metric!(
        "owner_share",
        T::F64,
        "fee",
        "f[k]_k, the block owner's share."
    ),
    metric!(
        "node_share",
        T::F64,
        "fee",
        "The share of the node at sybil_position on the honest path."
    ),
    metric!(
        "sybil_total",
        T::F64,
        "fee",
        "What that node collects with its sybils + 1 identities on the longer path."
    ),
    metric!(
        "sybil_gain",
        T::F64,
        "",
        "sybil_total / node_share: 1 for the owner (Eq. 3 holds with equality), (1 - (1-C)^(s+1)) / C > 1 for a relayer."
    ),
    metric!(
        "relayer_gain_formula",
        T::F64,
        "",
        "(1 - (1-C)^(s+1)) / C, the closed form of a relayer's gain."
    ),
    metric!(
        "gain_limit",
        T::F64,
        "",
        "1 / C, what a relayer's gain tends to with many Sybils."
    ),
    metric!(
        "others_loss",
        T::F64,
        "fee",
        "What the honest nodes after the Sybil node lose together (sybil_total - node_share)."
    ),
    metric!(
        "eq5_ratio",
        T::F64,
        "",
        "f[k]_(k+1) / f[k]_k (Eq. 5 requires C)."
    ),
    metric!(
        "eq6_max_change",
        T::F64,
        "fee",
        "Largest change of a relayer's share when the path grows by one (Eq. 6; 0 up to rounding)."
    ),
];

pub(super) fn row(p: &IncentiveParams) -> Vec<Cell> {
    let f = shares(p.path_len, p.fee, p.c);
    let longer = shares(p.path_len + 1, p.fee, p.c);
    let k = p.path_len as usize;
    let node = f[p.position as usize - 1];
    let gain = sybil_gain(p.path_len, p.position, p.sybils, p.c);
    let eq6 = (0..k - 1)
        .map(|i| (longer[i] - f[i]).abs())
        .fold(0.0, f64::max);
    vec![
        Cell::LF(f.clone()),
        Cell::F(f.iter().sum()),
        Cell::F(f[k - 1]),
        Cell::F(node),
        Cell::F(node * gain),
        Cell::F(gain),
        Cell::F(relayer_gain_bound(p.sybils, p.c)),
        Cell::F(1.0 / p.c),
        Cell::F(node * gain - node),
        Cell::F(longer[k - 1] / f[k - 1]),
        Cell::F(eq6),
    ]
}
