//! `tallyman scan`: discovery, reading, evaluation and reporting, streamed
//! target by target so that memory stays flat however many files there are.

pub mod pragmas;
