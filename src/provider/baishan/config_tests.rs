//! Mapping tests (filled below).
