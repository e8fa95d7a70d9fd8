//! Grouped box plots: one box per (category, group), over categorical or numeric positions,
//! with a legend of the groups.

use super::*;

/// Draws grouped box plots (values at or below zero on a log y axis sit on its floor; the
/// legend counts them).
pub(super) fn boxes<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &BoxChart,
    st: Style,
) -> Result<(), String> {
    let e = |x: &dyn std::fmt::Display| x.to_string();
    let ys = c.boxes.iter().flat_map(|b| [b.2.min, b.2.max]);
    let Some((y0, y1)) = span(ys, c.log_y) else {
        return Err("nothing to draw (no finite values)".into());
    };
    let n = c.categories.len().max(1);
    let (x0, x1, log_x, place) = placement(c);
    let desc = desc_font(root, st, &c.x_label, &c.y_label)?;
    let mut builder = ChartBuilder::on(root);
    builder
        .margin(st.u(10.0))
        .margin_right(st.u(14.0))
        .x_label_area_size(st.u(50.0))
        .y_label_area_size(st.u(80.0));
    let categorical = |x: &f64| {
        let i = x.round();
        if (x - i).abs() < 1e-6 && i >= 0.0 {
            c.categories.get(i as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    let numeric = axis_ticks(log_x, x0, x1);
    let y_ticks = axis_ticks(c.log_y, y0, y1);
    // Category names fit their slot of the axis (the font shrinks to at most 9 px at screen
    // scale, 2.5 pt at column size printed, rather than overlap).
    let mut ticks = st.f(14.0);
    if c.positions.is_none() {
        let slot = (root.dim_in_pixel().0 as i32 - st.px(124.0)) / n as i32;
        for name in &c.categories {
            ticks = ticks.min(fit(root, name, slot * 85 / 100, st.f(14.0), st.f(9.0))?);
        }
    }
    // Categories: one label per category; numbers: plotters' own ticks, except on a log
    // axis, where the values themselves are ([`placed_labels`]).
    let own_labels = log_x && c.positions.is_some();
    let x_labels = [[10, 0], [n, n]][usize::from(c.positions.is_none())][usize::from(own_labels)];
    let value_labels = placed_labels(root, c, &numeric, ticks, own_labels, (x0, x1), st)?;
    let label = |x: &f64| {
        if own_labels {
            String::new()
        } else if c.positions.is_some() {
            numeric(x)
        } else {
            categorical(x)
        }
    };
    macro_rules! draw {
        ($chart:expr) => {{
            let mut chart = $chart.map_err(|x| e(&x))?;
            chart
                .configure_mesh()
                .disable_x_mesh()
                .x_labels(x_labels)
                .x_desc(c.x_label.as_str())
                .y_desc(c.y_label.as_str())
                .axis_desc_style((FONT, desc))
                .label_style((FONT, st.f(14.0)))
                .x_label_style((FONT, ticks))
                .x_label_formatter(&label)
                .y_label_formatter(&y_ticks)
                .light_line_style(RGBColor(235, 235, 235))
                .draw()
                .map_err(|x| e(&x))?;
            let style =
                TextStyle::from((FONT, ticks).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
            chart
                .draw_series(value_labels.iter().map(|(x, text)| {
                    EmptyElement::at((*x, y0))
                        + Text::new(text.clone(), (0, st.px(6.0)), style.clone())
                }))
                .map_err(|x| e(&x))?;
            let ok = |y: f64| y.is_finite() && (!c.log_y || y > 0.0);
            for g in 0..c.groups.len() {
                let col = colour(g);
                // On a log axis, values at or below zero sit on the axis floor.
                let floor = |v: f64| if c.log_y { v.max(y0) } else { v };
                let clamp = |s: Stats| Stats {
                    min: floor(s.min),
                    q1: floor(s.q1),
                    median: floor(s.median),
                    q3: floor(s.q3),
                    max: floor(s.max),
                    mean: floor(s.mean),
                    n: s.n,
                };
                let mine = || {
                    c.boxes
                        .iter()
                        .zip(&place)
                        .filter(move |(b, _)| {
                            b.1 == g && b.2.max.is_finite() && b.2.min.is_finite()
                        })
                        .map(move |(b, &p)| (p, clamp(b.2)))
                        .filter(move |b| ok(b.1.max))
                };
                let fill = col.mix(0.3).filled();
                chart
                    .draw_series(
                        mine()
                            .map(|((xl, _, xr), s)| Rectangle::new([(xl, s.q1), (xr, s.q3)], fill)),
                    )
                    .map_err(|x| e(&x))?;
                let stroke = col.stroke_width(st.u(2.0));
                for ((xl, x, xr), s) in mine() {
                    // Whisker caps half as wide as the box.
                    let (cl, cr) = ((xl + x) / 2.0, (x + xr) / 2.0);
                    let (cl, cr) = if log_x {
                        ((xl * x).sqrt(), (x * xr).sqrt())
                    } else {
                        (cl, cr)
                    };
                    let shapes = [
                        vec![(xl, s.q1), (xr, s.q1), (xr, s.q3), (xl, s.q3), (xl, s.q1)],
                        vec![(xl, s.median), (xr, s.median)],
                        vec![(x, s.q3), (x, s.max)],
                        vec![(x, s.q1), (x, s.min)],
                        vec![(cl, s.max), (cr, s.max)],
                        vec![(cl, s.min), (cr, s.min)],
                    ];
                    chart
                        .draw_series(shapes.into_iter().map(|p| PathElement::new(p, stroke)))
                        .map_err(|x| e(&x))?;
                    if ok(s.mean) {
                        chart
                            .draw_series(std::iter::once(Cross::new(
                                (x, s.mean),
                                st.px(4.0),
                                BLACK.stroke_width(st.u(1.0)),
                            )))
                            .map_err(|x| e(&x))?;
                    }
                }
            }
        }};
    }
    on_axes!(draw, builder, log_x, c.log_y, x0..x1, y0..y1);
    Ok(())
}

/// The numeric categories' labels on a log x axis (none unless `log_x`), left to right, each
/// kept only when it clears the previous kept one by a space's width (the first is always
/// kept): every label is one of the values, and no two overlap. Plotters' decade ticks would
/// leave small values unlabelled and crowd 50..100.
fn placed_labels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &BoxChart,
    label: &dyn Fn(&f64) -> String,
    size: f64,
    log_x: bool,
    (x0, x1): (f64, f64),
    st: Style,
) -> Result<Vec<(f64, String)>, String> {
    let Some((values, _)) = c.positions.as_ref().filter(|_| log_x) else {
        return Ok(Vec::new());
    };
    // The plotting area's width in pixels, as the chart builder lays it out (the y label
    // area and the margins taken off).
    let width = f64::from(root.dim_in_pixel().0) - f64::from(st.u(80.0) + st.u(10.0) + st.u(14.0));
    let frac = |x: f64| {
        if log_x {
            (x / x0).log10() / (x1 / x0).log10()
        } else {
            (x - x0) / (x1 - x0)
        }
    };
    let font = TextStyle::from((FONT, size).into_font());
    let gap = f64::from(st.u(6.0));
    let mut out = Vec::new();
    let mut right = f64::NEG_INFINITY;
    for &x in values {
        let text = label(&x);
        let w = f64::from(
            root.estimate_text_size(&text, &font)
                .map_err(|e| e.to_string())?
                .0,
        );
        let centre = frac(x) * width;
        if centre - w / 2.0 >= right + gap {
            right = centre + w / 2.0;
            out.push((x, text));
        }
    }
    Ok(out)
}

/// Where each box goes: the x axis's range and scale (log or not), and (left, middle, right)
/// in x coordinates per box of `c.boxes`.
#[allow(clippy::type_complexity)]
fn placement(c: &BoxChart) -> (f64, f64, bool, Vec<(f64, f64, f64)>) {
    let n = c.categories.len().max(1);
    let groups = c.groups.len().max(1);
    match &c.positions {
        None => {
            // Each category is one unit wide; its groups share 80 % of it. With at most n
            // labels over a range n wide, plotters' ticks fall on the integers.
            let slot = 0.8 / groups as f64;
            let half = slot * 0.35;
            let at = |cat: usize, group: usize| cat as f64 - 0.4 + slot * (group as f64 + 0.5);
            let place = c
                .boxes
                .iter()
                .map(|&(cat, g, _)| {
                    let x = at(cat, g);
                    (x - half, x, x + half)
                })
                .collect();
            (-0.5, n as f64 - 0.5, false, place)
        }
        Some((values, log)) => {
            // In the axis's own coordinate (log10 of the value on a log axis), in units of
            // the values' span: the groups of a category share 80 % of the narrowest gap
            // between values (at most 15 % of the span a group), and the axis reaches far
            // enough past the end values to hold their groups.
            let log = *log;
            let t = |x: f64| if log { x.log10() } else { x };
            let inv = |u: f64| if log { 10f64.powf(u) } else { u };
            let (tl, th) = (t(values[0]), t(values[values.len() - 1]));
            let span = if th > tl { th - tl } else { 1.0 };
            let gap = values
                .windows(2)
                .map(|w| (t(w[1]) - t(w[0])) / span)
                .fold(1.0f64, f64::min);
            let slot = (0.8 * gap / groups as f64).min(0.15);
            let half = slot * 0.35;
            let pad = slot * groups as f64 / 2.0 + 0.06;
            let (x0, x1) = (inv(tl - pad * span), inv(th + pad * span));
            let place = c
                .boxes
                .iter()
                .map(|&(cat, g, _)| {
                    let off = (g as f64 - (groups as f64 - 1.0) / 2.0) * slot;
                    let at = |f: f64| inv(t(values[cat]) + f * span);
                    (at(off - half), at(off), at(off + half))
                })
                .collect();
            (x0, x1, log, place)
        }
    }
}
