//! The playground's "copy embed code": the snippet that puts the current
//! scenario into a docs page as a `<kafka-playground>` widget.
//! (Being written: see the widget issue.)
