//! `format=svg`: an answer drawn as a line chart (title, periods along the bottom, values up the
//! side in their unit, a legend, and a footer naming the sources and their licences), for a page
//! or a notebook to embed with one URL. Drawn with plotters' SVG backend, which writes text as
//! SVG text: no font is read at build or run time.

use plotters::prelude::*;

use super::envelope::Meta;

/// Pixels.
const WIDTH: u32 = 960;
const HEIGHT: u32 = 540;
const FOOTER: u32 = 44;
/// Characters of footer text on one line.
const FOOTER_WIDTH: usize = 150;

/// Line colours that stay apart from each other and readable on white.
const COLOURS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(23, 190, 207),
];

/// A chart of values by period.
pub struct Chart {
    pub title: String,
    /// What the values are in, as the side axis says it (`USD per hour`).
    pub unit: String,
    /// The periods along the bottom, oldest first.
    pub periods: Vec<String>,
    pub lines: Vec<Line>,
    /// The sources and licences of the values.
    pub footer: String,
}

/// One named line: a value per period, `None` where there is none (the line breaks there).
pub struct Line {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

impl Chart {
    /// A chart whose footer names the sources and licences of `meta`.
    pub fn new(title: String, meta: &Meta, periods: Vec<String>, lines: Vec<Line>) -> Self {
        let mut sources: Vec<String> = meta
            .sources
            .iter()
            .map(|s| format!("{} ({})", s.publisher, s.licence))
            .collect();
        sources.dedup();
        Self {
            title,
            unit: meta.unit.clone().unwrap_or_default(),
            periods,
            lines,
            footer: format!("Source: {}. Trilateral.", sources.join("; ")),
        }
    }

    /// The chart as an SVG document.
    pub fn svg(&self) -> Result<String, String> {
        let mut svg = String::new();
        self.draw(&mut svg).map_err(|e| e.to_string())?;
        Ok(svg)
    }

    fn draw(&self, svg: &mut String) -> Result<(), Box<dyn std::error::Error + '_>> {
        let root = SVGBackend::with_string(svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)?;
        let (plot, footer) = root.split_vertically(HEIGHT - FOOTER);
        let (low, high) = self.value_range();
        let last = self.periods.len().saturating_sub(1).max(1) as f64;
        let mut chart = ChartBuilder::on(&plot)
            .caption(&self.title, ("sans-serif", 22))
            .margin(16)
            .x_label_area_size(44)
            .y_label_area_size(90)
            .build_cartesian_2d(0f64..last, low..high)?;
        let label = |x: &f64| {
            let index = x.round();
            let on_period = (x - index).abs() < 1e-6 && index >= 0.0;
            on_period
                .then(|| self.periods.get(index as usize).cloned())
                .flatten()
                .unwrap_or_default()
        };
        chart
            .configure_mesh()
            .x_labels(self.periods.len().clamp(2, 12))
            .x_label_formatter(&label)
            .x_desc("Period")
            .y_desc(self.unit.as_str())
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        for (index, line) in self.lines.iter().enumerate() {
            let colour = COLOURS[index % COLOURS.len()].to_rgba();
            let style = colour.stroke_width(2);
            let mut labelled = false;
            for run in runs(&line.values) {
                let drawn = chart.draw_series(LineSeries::new(run, style).point_size(2))?;
                if !labelled {
                    drawn.label(line.name.as_str()).legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
                    });
                    labelled = true;
                }
            }
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .draw()?;
        let small = ("sans-serif", 12).into_font().color(&BLACK.mix(0.7));
        for (row, text) in wrap(&self.footer, FOOTER_WIDTH).iter().take(2).enumerate() {
            footer.draw_text(text, &small, (16, 6 + 16 * row as i32))?;
        }
        root.present()?;
        Ok(())
    }

    /// The range of the side axis: every value, zero, and a margin above and below.
    fn value_range(&self) -> (f64, f64) {
        let values = self.lines.iter().flat_map(|l| l.values.iter().flatten());
        let (low, high) = values.fold((0.0_f64, 0.0_f64), |(low, high), v| {
            (low.min(*v), high.max(*v))
        });
        let margin = ((high - low) * 0.08).max(1e-9);
        (if low < 0.0 { low - margin } else { 0.0 }, high + margin)
    }
}

/// `text` in lines of at most about `width` characters, broken between words.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split(' ') {
        match lines.last_mut() {
            Some(line) if line.len() + 1 + word.len() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    lines
}

/// The unbroken runs of a line: consecutive periods with values, as (position, value) points.
fn runs(values: &[Option<f64>]) -> Vec<Vec<(f64, f64)>> {
    let mut runs = vec![Vec::new()];
    for (position, value) in values.iter().enumerate() {
        match value {
            Some(value) => runs
                .last_mut()
                .into_iter()
                .for_each(|run| run.push((position as f64, *value))),
            None => runs.push(Vec::new()),
        }
    }
    runs.retain(|run| !run.is_empty());
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn footers_wrap_between_words() {
        assert_eq!(wrap("aa bb cc dd", 5), vec!["aa bb", "cc dd"]);
        assert_eq!(wrap("a", 5), vec!["a"]);
    }

    #[test]
    fn a_line_breaks_where_a_value_is_missing() {
        let runs = runs(&[Some(1.0), Some(2.0), None, Some(4.0), None, None]);
        assert_eq!(runs, vec![vec![(0.0, 1.0), (1.0, 2.0)], vec![(3.0, 4.0)]]);
    }

    #[test]
    fn a_chart_names_its_title_unit_lines_periods_and_sources() {
        let chart = Chart {
            title: "Minimum wage <general>".into(),
            unit: "USD per hour".into(),
            periods: vec!["2018".into(), "2019".into(), "2020".into()],
            lines: vec![
                Line {
                    name: "Mexico".into(),
                    values: vec![Some(0.6), Some(0.7), None],
                },
                Line {
                    name: "United States".into(),
                    values: vec![Some(7.25), Some(7.25), Some(7.25)],
                },
            ],
            footer: "Source: CONASAMI (public domain).".into(),
        };
        let svg = chart.svg().expect("an SVG");
        assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
        for text in [
            "Minimum wage &lt;general&gt;",
            "USD per hour",
            "Mexico",
            "United States",
            "2019",
            "CONASAMI",
        ] {
            assert!(svg.contains(text), "{text} missing");
        }
    }
}
