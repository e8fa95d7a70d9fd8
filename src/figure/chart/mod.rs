//! Chart descriptions (what to draw: line charts over a numeric axis, grouped box plots over
//! categories) and their rendering to SVG and PNG with plotters. Text is set in an embedded
//! DejaVu Sans subset (`DejaVuSans-subset.ttf`, licence in `FONT-LICENSE.txt`), so a PNG looks
//! the same on a machine without fonts. Rendering is deterministic: the same chart gives the
//! same bytes.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::fmt::Write as _;

/// The size of a figure: a journal's one-column or two-column (page-wide) figure at 300 dpi,
/// or a wide one for screens and slides. Text is sized for the figure as printed: at column
/// and page size, tick labels are 7 pt and axis titles 8.5 pt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Size {
    /// 3.5 x 2.5 in (1050 x 760 pixels at 300 dpi), a one-column figure.
    Column,
    /// 7.2 x 3 in (2150 x 900 pixels at 300 dpi), a two-column figure.
    Page,
    /// 1120 x 620 pixels, for screens.
    Screen,
}

impl Size {
    /// Every size, as `--size` spells them.
    pub const NAMES: [&'static str; 3] = ["column", "page", "screen"];

    /// Parses `column`, `page` or `screen`.
    pub fn parse(s: &str) -> Result<Size, String> {
        match s {
            "column" => Ok(Size::Column),
            "page" => Ok(Size::Page),
            "screen" => Ok(Size::Screen),
            other => Err(format!(
                "--size: unknown size `{other}` (allowed: column, a one-column figure; page, a two-column one; screen)"
            )),
        }
    }

    /// Pixels (width, height).
    pub fn pixels(self) -> (u32, u32) {
        self.style().dims
    }

    fn style(self) -> Style {
        match self {
            Size::Column => Style {
                dims: (1050, 760),
                k: 2.0,
            },
            Size::Page => Style {
                dims: (2150, 900),
                k: 2.0,
            },
            Size::Screen => Style {
                dims: (1120, 620),
                k: 1.0,
            },
        }
    }
}

/// A size's canvas and the factor every length designed for the screen size is scaled by.
#[derive(Clone, Copy, Debug)]
struct Style {
    dims: (u32, u32),
    k: f64,
}

impl Style {
    /// A length in pixels.
    fn px(&self, v: f64) -> i32 {
        (v * self.k).round() as i32
    }
    /// A length in pixels, unsigned.
    fn u(&self, v: f64) -> u32 {
        (v * self.k).round() as u32
    }
    /// A font size.
    fn f(&self, v: f64) -> f64 {
        v * self.k
    }
}

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    /// Portable Network Graphics (RGB, 8 bits).
    Png,
    /// Scalable Vector Graphics.
    Svg,
}

impl Format {
    /// The file extension.
    pub fn ext(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Svg => "svg",
        }
    }

    /// Parses a comma-separated list such as `png,svg` (sorted, without repeats).
    pub fn parse_list(s: &str) -> Result<Vec<Format>, String> {
        let mut out = Vec::new();
        for part in s.split(',').map(str::trim) {
            out.push(match part {
                "png" => Format::Png,
                "svg" => Format::Svg,
                other => {
                    return Err(format!(
                        "--format: unknown format `{other}` (allowed: png, svg, or both as `png,svg`)"
                    ));
                }
            });
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }
}

/// Five-number summary and mean of a sample (quartiles by linear interpolation between
/// order statistics, numpy's default).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stats {
    /// Smallest value.
    pub min: f64,
    /// First quartile.
    pub q1: f64,
    /// Median.
    pub median: f64,
    /// Third quartile.
    pub q3: f64,
    /// Largest value.
    pub max: f64,
    /// Arithmetic mean.
    pub mean: f64,
    /// Sample size.
    pub n: usize,
}

impl Stats {
    /// The summary of the finite values of `values`; `None` when there are none.
    pub fn of(values: &[f64]) -> Option<Stats> {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return None;
        }
        v.sort_unstable_by(f64::total_cmp);
        let q = |p: f64| {
            let rank = p * (v.len() - 1) as f64;
            let lo = rank.floor() as usize;
            let hi = (lo + 1).min(v.len() - 1);
            v[lo] + (v[hi] - v[lo]) * (rank - lo as f64)
        };
        Some(Stats {
            min: v[0],
            q1: q(0.25),
            median: q(0.5),
            q3: q(0.75),
            max: v[v.len() - 1],
            mean: v.iter().sum::<f64>() / v.len() as f64,
            n: v.len(),
        })
    }
}

/// One line of a line chart: its label and a summary per x, in ascending x.
#[derive(Clone, Debug)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// (x, summary of the replicates at x).
    pub points: Vec<(f64, Stats)>,
}

/// Lines through the means; where a point has replicates, a small box plot beside it.
#[derive(Clone, Debug)]
pub struct LineChart {
    /// Title.
    pub title: String,
    /// X axis description, with unit.
    pub x_label: String,
    /// Y axis description, with unit.
    pub y_label: String,
    /// Log10 x axis.
    pub log_x: bool,
    /// Log10 y axis.
    pub log_y: bool,
    /// The lines.
    pub series: Vec<Series>,
}

/// Box plots of groups side by side within categories: box from q1 to q3, bar at the median,
/// whiskers to min and max, a diamond at the mean.
#[derive(Clone, Debug)]
pub struct BoxChart {
    /// Title.
    pub title: String,
    /// X axis description.
    pub x_label: String,
    /// Y axis description, with unit.
    pub y_label: String,
    /// Log10 y axis.
    pub log_y: bool,
    /// Category names, left to right.
    pub categories: Vec<String>,
    /// Where the categories are the values of one numeric parameter: those values, and
    /// whether the x axis is log10. The boxes then sit at their values on a numeric axis.
    pub positions: Option<(Vec<f64>, bool)>,
    /// Group names (legend), in order within a category.
    pub groups: Vec<String>,
    /// (category index, group index, summary).
    pub boxes: Vec<(usize, usize, Stats)>,
}

impl BoxChart {
    /// On a log10 y axis (its title saying so) when every value is positive and they span a
    /// factor of 20 or more, so that no category is squashed at the bottom of a linear axis.
    pub fn log_when_spread(mut self) -> BoxChart {
        let lo = self
            .boxes
            .iter()
            .map(|b| b.2.min)
            .fold(f64::INFINITY, f64::min);
        let hi = self
            .boxes
            .iter()
            .map(|b| b.2.max)
            .fold(f64::NEG_INFINITY, f64::max);
        if !self.log_y && lo > 0.0 && hi / lo >= 20.0 {
            self.log_y = true;
            self.y_label = format!("{} (log10)", self.y_label);
        }
        self
    }
}

/// A chart to draw.
#[derive(Clone, Debug)]
pub enum Chart {
    /// Line chart.
    Lines(LineChart),
    /// Grouped box plots.
    Boxes(BoxChart),
}

impl Chart {
    /// The numbers the chart draws, as CSV (one row per point or box, with its replicate
    /// count and five-number summary), so that a reader can check any point of the figure.
    pub fn table_csv(&self) -> String {
        let quote = |s: &str| {
            if s.contains([',', '"', '\n']) {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s.to_string()
            }
        };
        let stats = |st: &Stats| {
            format!(
                "{},{},{},{},{},{},{}",
                st.n, st.mean, st.min, st.q1, st.median, st.q3, st.max
            )
        };
        let mut out = String::new();
        match self {
            Chart::Lines(c) => {
                out.push_str("series,x,n,mean,min,q1,median,q3,max\n");
                for s in &c.series {
                    for (x, st) in &s.points {
                        out.push_str(&format!("{},{x},{}\n", quote(&s.label), stats(st)));
                    }
                }
            }
            Chart::Boxes(c) => {
                out.push_str("category,group,n,mean,min,q1,median,q3,max\n");
                for (ci, gi, st) in &c.boxes {
                    out.push_str(&format!(
                        "{},{},{}\n",
                        quote(&c.categories[*ci]),
                        quote(&c.groups[*gi]),
                        stats(st)
                    ));
                }
            }
        }
        out
    }

    /// The legend labels, in order.
    pub fn labels(&self) -> Vec<&str> {
        match self {
            Chart::Lines(c) => c.series.iter().map(|s| s.label.as_str()).collect(),
            Chart::Boxes(c) => c.groups.iter().map(String::as_str).collect(),
        }
    }
}

/// Colours of the series and groups, in order: Okabe and Ito's colour-blind-safe palette
/// (yellow last, as it is faint on white).
const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(230, 159, 0),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
    RGBColor(240, 228, 66),
];

fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// The dash of series `i`'s line: solid, dashed or dotted, so that lines differ in more than
/// colour.
fn dash(i: usize) -> Option<(u32, u32)> {
    match i % 3 {
        0 => None,
        1 => Some((12, 6)),
        _ => Some((3, 5)),
    }
}

/// The marker shape of series `i` (circle, square, triangle, cross, ring, by `i`) of
/// half-size `r` at `xy`, outlines `sw` wide, drawn by `$draw` (a chart's `draw_series` of
/// one element, or a drawing area's `draw`).
macro_rules! marker {
    ($draw:ident, $xy:expr, $i:expr, $col:expr, $r:expr, $sw:expr) => {{
        let (xy, col, r, sw) = ($xy, $col, $r, $sw);
        match $i % 5 {
            0 => $draw!(Circle::new(xy, r, col.filled())),
            1 => $draw!(EmptyElement::at(xy) + Rectangle::new([(-r, -r), (r, r)], col.filled())),
            2 => $draw!(TriangleMarker::new(xy, r + r / 4, col.filled())),
            3 => $draw!(Cross::new(xy, r, col.stroke_width(sw))),
            _ => $draw!(Circle::new(xy, r, col.stroke_width(sw))),
        }
    }};
}

/// Builds `$builder`'s chart over the ranges `$x` and `$y`, each linear or log10 as `$log_x`
/// and `$log_y` say, and draws on it with the macro `$draw` (the coordinate types differ, so
/// each combination is its own arm).
macro_rules! on_axes {
    ($draw:ident, $builder:expr, $log_x:expr, $log_y:expr, $x:expr, $y:expr) => {
        match ($log_x, $log_y) {
            (true, true) => $draw!($builder.build_cartesian_2d(($x).log_scale(), ($y).log_scale())),
            (true, false) => $draw!($builder.build_cartesian_2d(($x).log_scale(), $y)),
            (false, true) => $draw!($builder.build_cartesian_2d($x, ($y).log_scale())),
            (false, false) => $draw!($builder.build_cartesian_2d($x, $y)),
        }
    };
}

mod boxes;
mod lines;

use boxes::boxes;
use lines::lines;

/// Tick labels of one axis, in one format: on a log axis that reaches below 10^-3 or to 10^6,
/// every label is written as a power of ten ("1e-4"), else as a plain number.
fn axis_ticks(log: bool, lo: f64, hi: f64) -> impl Fn(&f64) -> String {
    let sci = log && (lo < 1e-3 || hi >= 1e6);
    move |v: &f64| {
        if sci && v.abs() >= 1e-300 {
            format!("{v:.0e}")
        } else {
            tick(*v)
        }
    }
}

const FONT: &str = "sans-serif";

fn register_font() -> Result<(), String> {
    static DONE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let ok = *DONE.get_or_init(|| {
        plotters::style::register_font(
            FONT,
            FontStyle::Normal,
            include_bytes!("../DejaVuSans-subset.ttf"),
        )
        .is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err("the embedded font could not be loaded".into())
    }
}

/// Renders `chart` in `format` at `size`: the file's bytes.
pub fn render(chart: &Chart, format: Format, size: Size) -> Result<Vec<u8>, String> {
    register_font()?;
    let st = size.style();
    let (w, h) = st.dims;
    match format {
        Format::Svg => {
            let mut s = String::new();
            {
                let root = SVGBackend::with_string(&mut s, st.dims).into_drawing_area();
                paint(&root, chart, st)?;
                root.present().map_err(|e| e.to_string())?;
            }
            Ok(s.into_bytes())
        }
        Format::Png => {
            let mut buf = vec![0u8; (w * h * 3) as usize];
            {
                let root = BitMapBackend::with_buffer(&mut buf, st.dims).into_drawing_area();
                paint(&root, chart, st)?;
                root.present().map_err(|e| e.to_string())?;
            }
            let mut out = Vec::new();
            let mut enc = png::Encoder::new(&mut out, w, h);
            enc.set_color(png::ColorType::Rgb);
            enc.set_depth(png::BitDepth::Eight);
            // 300 dots per inch (11 811 per metre), so that a page layout places the figure at
            // its printed size.
            enc.set_pixel_dims(Some(png::PixelDimensions {
                xppu: 11_811,
                yppu: 11_811,
                unit: png::Unit::Meter,
            }));
            let mut writer = enc.write_header().map_err(|e| e.to_string())?;
            writer.write_image_data(&buf).map_err(|e| e.to_string())?;
            writer.finish().map_err(|e| e.to_string())?;
            Ok(out)
        }
    }
}

/// The largest font size from `start` down to `min` (in steps of 5 %) at which `text` is at
/// most `width` pixels wide.
fn fit<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    width: i32,
    start: f64,
    min: f64,
) -> Result<f64, String> {
    let mut size = start;
    while size > min {
        let (w, _) = area
            .estimate_text_size(text, &(FONT, size).into_font().into())
            .map_err(|x| x.to_string())?;
        if w as i32 <= width {
            break;
        }
        size = (size * 0.95).max(min);
    }
    Ok(size)
}

/// The axis titles' font: the largest, up to 17 px at screen scale, at which the y title fits
/// the plot's height and the x title its width.
fn desc_font<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    st: Style,
    x_label: &str,
    y_label: &str,
) -> Result<f64, String> {
    let (w, h) = root.dim_in_pixel();
    let y = fit(
        root,
        y_label,
        h as i32 - st.px(70.0),
        st.f(17.0),
        st.f(10.0),
    )?;
    let x = fit(
        root,
        x_label,
        w as i32 - st.px(100.0),
        st.f(17.0),
        st.f(10.0),
    )?;
    Ok(x.min(y))
}

/// One legend entry: a series (its line, dash and marker), a box group (its swatch), or a
/// grey note.
enum Entry<'a> {
    Line(usize, &'a str),
    Swatch(usize, &'a str),
    Note(String),
}

/// Draws the title, the legend as a strip of entries under it (wrapped over as many rows as
/// they need, so the legend never hides data and the plot gets the whole width), then the
/// chart.
fn paint<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart,
    st: Style,
) -> Result<(), String> {
    let e = |x: &dyn std::fmt::Display| x.to_string();
    root.fill(&WHITE).map_err(|x| e(&x))?;
    let width = st.dims.0 as i32 - 2 * st.px(12.0);
    // The title's font shrinks until the title fits the width.
    let title = match chart {
        Chart::Lines(c) => c.title.as_str(),
        Chart::Boxes(c) => c.title.as_str(),
    };
    let title_size = fit(root, title, width, st.f(20.0), st.f(11.0))?;
    let area = root
        .titled(title, (FONT, title_size).into_font().color(&BLACK))
        .map_err(|x| e(&x))?;
    let (labels, boxes_legend) = (chart.labels(), matches!(chart, Chart::Boxes(_)));
    let floored = match chart {
        Chart::Lines(c) if c.log_y => c
            .series
            .iter()
            .flat_map(|s| &s.points)
            .filter(|p| p.1.min <= 0.0)
            .count(),
        Chart::Boxes(c) if c.log_y => c.boxes.iter().filter(|b| b.2.min <= 0.0).count(),
        _ => 0,
    };
    // A series or group without a name has no legend entry (one box group whose meaning
    // the y axis gives).
    let mut entries: Vec<Entry> = labels
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.is_empty())
        .map(|(i, l)| {
            if boxes_legend {
                Entry::Swatch(i, l)
            } else {
                Entry::Line(i, l)
            }
        })
        .collect();
    if floored > 0 {
        entries.push(Entry::Note(format!(
            "{floored} with values <= 0, drawn on the log axis floor"
        )));
    }
    // Lay the entries out in rows.
    let font = (FONT, st.f(13.5)).into_font();
    let (key_w, gap, row_h) = (st.px(30.0), st.px(18.0), st.px(20.0));
    let mut at = Vec::with_capacity(entries.len());
    let (mut x, mut row) = (0, 0);
    for entry in &entries {
        let text = match entry {
            Entry::Line(_, t) | Entry::Swatch(_, t) => t.to_string(),
            Entry::Note(t) => t.clone(),
        };
        let (tw, _) = root
            .estimate_text_size(&text, &font.clone().into())
            .map_err(|x| e(&x))?;
        let key = if matches!(entry, Entry::Note(_)) {
            0
        } else {
            key_w + st.px(6.0)
        };
        let w = key + tw as i32;
        if x > 0 && x + w > width {
            (x, row) = (0, row + 1);
        }
        at.push((x, row, text));
        x += w + gap;
    }
    let rows = if entries.is_empty() { 0 } else { row + 1 };
    let strip = (rows * row_h + st.px(6.0)) as u32;
    let (legend, plot) = area.split_vertically(strip);
    let left = (st.dims.0 as i32 - width) / 2;
    for (entry, (x, row, text)) in entries.iter().zip(at) {
        let (x, y) = (left + x, row * row_h + row_h / 2);
        let text_x = match *entry {
            Entry::Swatch(i, _) => {
                let col = colour(i);
                let r = [(x, y - st.px(7.0)), (x + key_w, y + st.px(7.0))];
                legend
                    .draw(&Rectangle::new(r, col.mix(0.3).filled()))
                    .map_err(|x| e(&x))?;
                legend
                    .draw(&Rectangle::new(r, col.stroke_width(st.u(2.0))))
                    .map_err(|x| e(&x))?;
                x + key_w + st.px(6.0)
            }
            Entry::Line(i, _) => {
                let col = colour(i);
                let seg = vec![(x, y), (x + key_w, y)];
                let style = col.stroke_width(st.u(3.0));
                match dash(i) {
                    None => legend
                        .draw(&PathElement::new(seg, style))
                        .map_err(|x| e(&x))?,
                    Some((len, gap)) => legend
                        .draw(&DashedPathElement::new(
                            seg,
                            st.u(len as f64),
                            st.u(gap as f64),
                            style,
                        ))
                        .map_err(|x| e(&x))?,
                }
                macro_rules! put {
                    ($el:expr) => {
                        legend.draw(&$el).map_err(|x| e(&x))?
                    };
                }
                marker!(put, (x + key_w / 2, y), i, col, st.px(5.0), st.u(2.0));
                x + key_w + st.px(6.0)
            }
            Entry::Note(_) => x,
        };
        let colour = if matches!(entry, Entry::Note(_)) {
            RGBColor(90, 90, 90)
        } else {
            BLACK
        };
        legend
            .draw(&Text::new(
                text,
                (text_x, y),
                font.color(&colour).pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(|x| e(&x))?;
    }
    match chart {
        Chart::Lines(c) => lines(&plot, c, st),
        Chart::Boxes(c) => boxes(&plot, c, st),
    }
}

/// The range of positive (log) or all values, widened so that nothing sits on the frame.
fn span(values: impl Iterator<Item = f64>, log: bool) -> Option<(f64, f64)> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite() && (!log || *v > 0.0)) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        return None;
    }
    Some(if log {
        // From a whole decade, so that the bottom carries a labelled tick; up to a whole
        // decade too, unless that wastes most of it.
        let down = 10f64.powf(lo.log10().floor());
        let mut up = 10f64.powf(hi.log10().ceil());
        if up / hi > 3.0 {
            up = hi * 1.5;
        }
        // Nudged outwards: plotters labels the decades strictly inside the range.
        (down * 0.9999, up * 1.0001)
    } else {
        // From zero when the data are near it, else around the data; one value gets a tenth
        // of itself either side (0 gets 0 to 1).
        let (a, b) = if lo == hi {
            let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
            (lo - pad, hi + pad)
        } else {
            let pad = (hi - lo) * 0.08;
            let from_zero = lo >= 0.0 && lo < (hi - lo) * 0.5;
            (if from_zero { 0.0 } else { lo - pad }, hi + pad)
        };
        // Bounded quantities stay in their bounds: non-negative data never get a negative
        // axis, and data within [0, 1] (probabilities, Gini coefficients, shares) an axis
        // within [0, 1].
        let a = if lo >= 0.0 { a.max(0.0) } else { a };
        let b = if lo >= 0.0 && hi <= 1.0 {
            b.min(1.0)
        } else {
            b
        };
        (a, b)
    })
}

/// A tick label: plain numbers, without noise digits.
pub fn tick(v: f64) -> String {
    let a = v.abs();
    // Below 1e-12 a tick is zero plus rounding noise of the axis arithmetic.
    if a < 1e-12 {
        "0".into()
    } else if !(1e-3..1e6).contains(&a) {
        format!("{v:.0e}")
    } else if a >= 100.0 || (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        let mut s = String::new();
        let digits = (2 - a.log10().floor() as i32).clamp(1, 6) as usize;
        let _ = write!(s, "{v:.digits$}");
        if s.contains('.') {
            let t = s.trim_end_matches('0').trim_end_matches('.').len();
            s.truncate(t);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_are_numpy_quartiles() {
        let s = Stats::of(&[4.0, 1.0, f64::NAN, 3.0, 2.0]).unwrap();
        assert_eq!(
            (s.min, s.q1, s.median, s.q3, s.max),
            (1.0, 1.75, 2.5, 3.25, 4.0)
        );
        assert_eq!((s.mean, s.n), (2.5, 4));
        assert!(Stats::of(&[f64::NAN]).is_none());
        let one = Stats::of(&[7.0]).unwrap();
        assert_eq!((one.q1, one.median, one.q3), (7.0, 7.0, 7.0));
    }

    #[test]
    fn a_log_axis_labels_in_one_format() {
        // Below 10^-3 every label of the axis is a power of ten...
        let f = axis_ticks(true, 1e-5, 0.2);
        assert_eq!(
            (f(&1e-4), f(&0.001), f(&0.1)),
            ("1e-4".into(), "1e-3".into(), "1e-1".into())
        );
        // ...above it, every label is plain; a linear axis is always plain.
        let g = axis_ticks(true, 10.0, 2e4);
        assert_eq!((g(&10.0), g(&1000.0)), ("10".into(), "1000".into()));
        assert_eq!(axis_ticks(false, 1e-5, 0.2)(&0.001), "0.001");
        // Series differ in more than colour: every pair among the first 15 differs in colour,
        // dash or marker.
        for i in 0..15 {
            for j in i + 1..15 {
                assert!(
                    colour(i) != colour(j) || dash(i) != dash(j) || i % 5 != j % 5,
                    "{i} {j}"
                );
            }
        }
    }

    /// A Gini coefficient, a probability or a share never gets an axis outside [0, 1], nor a
    /// count a negative one, whatever the spread (one value, all equal, near a bound).
    #[test]
    fn bounded_quantities_keep_their_axis_in_bounds() {
        let s = |v: &[f64]| span(v.iter().copied(), false).unwrap();
        let (a, b) = s(&[0.2, 0.2]);
        assert!(
            (a - 0.18).abs() < 1e-12 && (b - 0.22).abs() < 1e-12,
            "{a} {b}"
        );
        assert_eq!(s(&[0.0]), (0.0, 1.0));
        assert_eq!(s(&[1.0, 1.0]), (0.9, 1.0));
        let (a, b) = s(&[0.3, 0.98]);
        assert!((0.0..0.3).contains(&a) && b == 1.0, "{a} {b}");
        let (a, b) = s(&[0.01, 0.02, 0.9]);
        assert!(a == 0.0 && b <= 1.0 && b > 0.9, "{a} {b}");
        let (a, _) = s(&[3.0, 40.0]);
        assert_eq!(a, 0.0);
        let (a, b) = s(&[-2.0, 2.0]);
        assert!(a < -2.0 && b > 2.0);
        assert_eq!(s(&[5.0, 5.0]), (4.5, 5.5));
    }

    #[test]
    fn ticks_read_cleanly() {
        assert_eq!(tick(1000.0), "1000");
        assert_eq!(tick(0.25), "0.25");
        assert_eq!(tick(2.5), "2.5");
        assert_eq!(tick(0.1 + 0.2), "0.3");
        assert_eq!(tick(1e7), "1e7");
        assert_eq!(tick(0.0), "0");
        assert_eq!(tick(-1e-17), "0");
    }

    #[test]
    fn formats_parse_and_refuse_unknown_names() {
        assert_eq!(
            Format::parse_list("svg,png,svg").unwrap(),
            vec![Format::Png, Format::Svg]
        );
        let err = Format::parse_list("png,pdf").unwrap_err();
        assert!(err.contains("`pdf`") && err.contains("png, svg"), "{err}");
    }

    #[test]
    fn both_formats_render_labelled_identical_bytes() {
        let s = |v: &[f64]| Stats::of(v).unwrap();
        let chart = Chart::Boxes(BoxChart {
            title: "delays".into(),
            x_label: "case".into(),
            y_label: "seconds".into(),
            log_y: true,
            categories: vec!["a".into(), "b".into()],
            positions: None,
            groups: vec!["agreement".into(), "update".into()],
            boxes: vec![
                (0, 0, s(&[0.1, 0.2, 0.3])),
                (0, 1, s(&[1.0, 2.0])),
                (1, 1, s(&[3.0])),
            ],
        });
        for size in [Size::Column, Size::Page, Size::Screen] {
            let svg = String::from_utf8(render(&chart, Format::Svg, size).unwrap()).unwrap();
            assert!(svg.starts_with("<svg") && svg.contains("agreement") && svg.contains("update"));
            let (w, h) = size.pixels();
            assert!(svg.contains(&format!("width=\"{w}\"")), "{size:?}");
            let png = render(&chart, Format::Png, size).unwrap();
            assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
            let info = png::Decoder::new(std::io::Cursor::new(&png))
                .read_info()
                .unwrap()
                .info()
                .clone();
            assert_eq!((info.width, info.height), (w, h));
            // 300 dpi recorded, so a layout program places it at its printed size.
            let dims = info.pixel_dims.unwrap();
            assert_eq!((dims.xppu, dims.unit), (11_811, png::Unit::Meter));
            assert_eq!(png, render(&chart, Format::Png, size).unwrap());
        }
        // Column and page figures are 3.5 and 7.2 inches wide at 300 dpi.
        assert_eq!(Size::Column.pixels().0, 1050);
        assert_eq!(Size::Page.pixels().0, 2150);
        assert!(Size::parse("poster").unwrap_err().contains("column"));
    }

    /// On a log x axis of numeric categories (a sweep over nodes 4..128) the labels are the
    /// values themselves, the small ones included, and no two overlap: each label's x in the
    /// SVG clears the previous one by more than their half-widths (about 0.6 em a character).
    #[test]
    fn log_axis_labels_are_the_values_and_never_overlap() {
        let values = [
            4.0, 8.0, 16.0, 32.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0, 128.0,
        ];
        let names: Vec<String> = values.iter().map(|v| tick(*v)).collect();
        let chart = Chart::Boxes(BoxChart {
            title: "t".into(),
            x_label: "nodes".into(),
            y_label: "y".into(),
            log_y: false,
            categories: names.clone(),
            positions: Some((values.to_vec(), true)),
            groups: vec!["g".into()],
            boxes: (0..values.len())
                .map(|i| (i, 0, Stats::of(&[1000.5, 1000.5 + i as f64]).unwrap()))
                .collect(),
        });
        let svg = String::from_utf8(render(&chart, Format::Svg, Size::Screen).unwrap()).unwrap();
        // (x, font size, text) of every text element (plotters writes the text on its own
        // line after the element's tag).
        let lines: Vec<&str> = svg.lines().collect();
        let attr = |tag: &str, name: &str| -> Option<f64> {
            let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
            tag[at..].split('"').next()?.parse().ok()
        };
        let mut labels: Vec<(f64, f64, String)> = Vec::new();
        for w in lines.windows(2) {
            if w[0].starts_with("<text") && !w[1].starts_with('<') {
                let (Some(x), Some(size)) = (attr(w[0], "x"), attr(w[0], "font-size")) else {
                    continue;
                };
                if names.contains(&w[1].to_string()) {
                    labels.push((x, size, w[1].to_string()));
                }
            }
        }
        labels.sort_by(|a, b| a.0.total_cmp(&b.0));
        let shown: Vec<&str> = labels.iter().map(|l| l.2.as_str()).collect();
        assert!(shown.contains(&"4") && shown.contains(&"8"), "{shown:?}");
        for p in labels.windows(2) {
            let half = |l: &(f64, f64, String)| 0.3 * l.1 * l.2.len() as f64;
            assert!(p[1].0 - p[0].0 > half(&p[0]) + half(&p[1]), "{p:?}");
        }
        // Distinct labels, in the values' order.
        let mut sorted = shown.clone();
        sorted.dedup();
        assert_eq!(sorted.len(), shown.len(), "{shown:?}");
    }

    #[test]
    fn numeric_categories_sit_at_their_values() {
        let s = |v: &[f64]| Stats::of(v).unwrap();
        let chart = |positions| {
            Chart::Boxes(BoxChart {
                title: "t".into(),
                x_label: "x".into(),
                y_label: "y".into(),
                log_y: false,
                categories: vec!["1".into(), "2".into(), "10".into()],
                positions,
                groups: vec!["g".into()],
                boxes: vec![
                    (0, 0, s(&[100.0, 200.0])),
                    (1, 0, s(&[200.0, 300.0])),
                    (2, 0, s(&[300.0, 400.0])),
                ],
            })
        };
        // The texts of an SVG (plotters writes each on its own line).
        let texts = |c| {
            let svg = String::from_utf8(render(&c, Format::Svg, Size::Screen).unwrap()).unwrap();
            svg.lines()
                .map(str::to_string)
                .filter(|l| !l.starts_with('<'))
                .collect::<Vec<_>>()
        };
        // On a numeric axis the ticks are plotters' round numbers between the values (6, 8),
        // not only the three categories.
        let numeric = texts(chart(Some((vec![1.0, 2.0, 10.0], false))));
        let categorical = texts(chart(None));
        assert!(numeric.iter().any(|t| t == "8"), "{numeric:?}");
        assert!(!categorical.iter().any(|t| t == "8"), "{categorical:?}");
        assert!(categorical.iter().any(|t| t == "10"));
    }
}
