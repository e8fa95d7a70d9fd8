//! Line charts: series of points (mean, with min and max whiskers) over a numeric x axis,
//! linear or log10 on each axis, with a legend that counts points at or below a log floor.

use super::*;

/// Draws a line chart (values at or below zero on a log y axis sit on its floor; the legend
/// counts them).
pub(super) fn lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &LineChart,
    st: Style,
) -> Result<(), String> {
    let e = |x: &dyn std::fmt::Display| x.to_string();
    let Some(Layout {
        x0,
        x1,
        y0,
        y1,
        step,
        half,
    }) = layout(c)
    else {
        return Err("nothing to draw (no finite values)".into());
    };
    let shift = |x: f64, frac: f64| {
        if c.log_x {
            x * (x1 / x0).powf(frac)
        } else {
            x + frac * (x1 - x0)
        }
    };
    let desc = desc_font(root, st, &c.x_label, &c.y_label)?;
    let mut builder = ChartBuilder::on(root);
    builder
        .margin(st.u(10.0))
        .margin_right(st.u(14.0))
        .x_label_area_size(st.u(50.0))
        .y_label_area_size(st.u(80.0));
    macro_rules! draw {
        ($chart:expr) => {{
            let mut chart = $chart.map_err(|x| e(&x))?;
            chart
                .configure_mesh()
                .x_desc(c.x_label.as_str())
                .y_desc(c.y_label.as_str())
                .axis_desc_style((FONT, desc))
                .label_style((FONT, st.f(14.0)))
                .x_label_formatter(&axis_ticks(c.log_x, x0, x1))
                .y_label_formatter(&axis_ticks(c.log_y, y0, y1))
                .light_line_style(RGBColor(235, 235, 235))
                .draw()
                .map_err(|x| e(&x))?;
            let ok = |y: f64| y.is_finite() && (!c.log_y || y > 0.0);
            for (i, s) in c.series.iter().enumerate() {
                let col = colour(i);
                // A line that coincides with a later one (flood and SPT share their
                // delays) is drawn wider, so that it still shows at the edges.
                let same = |a: &Series, b: &Series| {
                    a.points.len() == b.points.len()
                        && a.points.iter().zip(&b.points).all(|(p, q)| {
                            p.0 == q.0 && (p.1.mean - q.1.mean).abs() <= 1e-9 * p.1.mean.abs()
                        })
                };
                let wide = c.series[i + 1..].iter().any(|t| same(s, t));
                let width = st.u(if wide { 6.0 } else { 2.0 });
                let style = ShapeStyle::from(col).stroke_width(width);
                let pts = || {
                    s.points
                        .iter()
                        .filter(|p| ok(p.1.mean))
                        .map(|p| (p.0, p.1.mean))
                };
                match dash(i) {
                    None => chart
                        .draw_series(LineSeries::new(pts(), style))
                        .map(|_| ())
                        .map_err(|x| e(&x))?,
                    Some((len, gap)) => chart
                        .draw_series(DashedLineSeries::new(
                            pts(),
                            st.u(len as f64),
                            st.u(gap as f64),
                            style,
                        ))
                        .map(|_| ())
                        .map_err(|x| e(&x))?,
                }
                // A series drawn under a later coincident one gets a larger marker.
                let r = st.px(if wide { 7.0 } else { 4.0 });
                for xy in pts() {
                    macro_rules! put {
                        ($el:expr) => {
                            chart
                                .draw_series(std::iter::once($el))
                                .map(|_| ())
                                .map_err(|x| e(&x))?
                        };
                    }
                    marker!(put, xy, i, col, r, st.u(2.0));
                }
                // Where a point has replicates: a small box plot beside it (quartiles,
                // median bar, min-max whiskers), shifted sideways per series so that the
                // series at one x do not hide each other.
                let off = (i as f64 - (c.series.len() as f64 - 1.0) / 2.0) * step;
                let floor = |v: f64| if c.log_y { v.max(y0) } else { v };
                for p in s.points.iter().filter(|p| p.1.n > 1 && ok(p.1.max)) {
                    let q = p.1;
                    let (xl, xm, xr) = (
                        shift(p.0, off - half),
                        shift(p.0, off),
                        shift(p.0, off + half),
                    );
                    let (lo, q1, md, q3, hi) = (
                        floor(q.min),
                        floor(q.q1),
                        floor(q.median),
                        floor(q.q3),
                        q.max,
                    );
                    let thin = col.stroke_width(st.u(1.0));
                    let shapes = [
                        vec![(xl, q1), (xr, q1), (xr, q3), (xl, q3), (xl, q1)],
                        vec![(xl, md), (xr, md)],
                        vec![(xm, q3), (xm, hi)],
                        vec![(xm, q1), (xm, lo)],
                    ];
                    chart
                        .draw_series(std::iter::once(Rectangle::new(
                            [(xl, q1), (xr, q3)],
                            col.mix(0.25).filled(),
                        )))
                        .map_err(|x| e(&x))?;
                    chart
                        .draw_series(shapes.into_iter().map(|v| PathElement::new(v, thin)))
                        .map_err(|x| e(&x))?;
                }
            }
        }};
    }
    on_axes!(draw, builder, c.log_x, c.log_y, x0..x1, y0..y1);
    Ok(())
}

/// The axes' ranges and the replicate boxes' slots of a line chart.
struct Layout {
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
    /// The sideways step between series' boxes, as a fraction of the axis width.
    step: f64,
    /// Half a box's width, likewise.
    half: f64,
}

/// The layout of `c`, or `None` when it has no finite value to draw.
fn layout(c: &LineChart) -> Option<Layout> {
    let xs = c.series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let ys = c
        .series
        .iter()
        .flat_map(|s| s.points.iter().flat_map(|p| [p.1.min, p.1.max, p.1.mean]));
    let (Some((mut x0, mut x1)), Some((y0, y1))) = (span(xs.clone(), c.log_x), span(ys, c.log_y))
    else {
        return None;
    };
    // Lines start at the first x and end at the last, with a little room.
    let (lo, hi) = xs
        .clone()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x), b.max(x))
        });
    // 6 % of the span each side: room for the replicate boxes beside the end points.
    if lo < hi {
        if c.log_x {
            let f = (hi / lo).powf(0.06);
            (x0, x1) = (lo / f, hi * f);
        } else {
            let pad = (hi - lo) * 0.06;
            (x0, x1) = (lo - pad, hi + pad);
        }
    }
    // Sideways offsets of the replicate boxes, in fractions of the axis width: a slot per
    // series within 60 % of the narrowest gap between x values (at most 1.2 % a slot).
    let to_frac = |x: f64| {
        if c.log_x {
            (x / x0).log10() / (x1 / x0).log10()
        } else {
            (x - x0) / (x1 - x0)
        }
    };
    let mut xs_sorted: Vec<f64> = xs.collect();
    xs_sorted.sort_unstable_by(f64::total_cmp);
    xs_sorted.dedup();
    let gap = xs_sorted
        .windows(2)
        .map(|w| to_frac(w[1]) - to_frac(w[0]))
        .fold(1.0f64, f64::min);
    let step = (0.6 * gap / c.series.len().max(1) as f64).min(0.02);
    let half = step * 0.35;
    Some(Layout {
        x0,
        x1,
        y0,
        y1,
        step,
        half,
    })
}
