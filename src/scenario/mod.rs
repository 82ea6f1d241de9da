//! Layer 4: the documented scenario / permalink format, presets and validation.
