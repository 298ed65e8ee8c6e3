//! A number control made from a parameter's table entry: its range, its unit in the text,
//! typed input in the same words ("-6 dB", "2.5k", "L30", "-inf").

use stemdesk_dsp::ParamSpec;

/// A drag value over `spec`'s range that shows and reads `spec`'s unit.
pub fn spec_value<'a>(
    value: &'a mut f32,
    spec: &'static ParamSpec,
    speed: f64,
) -> egui::DragValue<'a> {
    egui::DragValue::new(value)
        .range(spec.min..=spec.max)
        .speed(speed)
        .custom_formatter(move |v, _| spec.format(v as f32))
        .custom_parser(move |t| spec.parse(t).map(f64::from))
}
