//! Stable identifiers. Everything in a session is addressed by ID, never by its position in
//! a `Vec`: positions shift when tracks are deleted or reordered, IDs do not.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u32);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}#{}", stringify!($name), self.0)
            }
        }
    };
}

id_type!(
    /// Identifies a track.
    TrackId
);
id_type!(
    /// Identifies a bus.
    BusId
);
id_type!(
    /// Identifies a clip.
    ClipId
);
id_type!(
    /// Identifies an insert slot.
    InsertId
);
id_type!(
    /// Identifies a send.
    SendId
);
id_type!(
    /// Identifies an automation lane.
    LaneId
);
id_type!(
    /// Identifies a timeline marker.
    MarkerId
);

/// A channel strip: a track's, a bus's or the master's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum StripId {
    /// A track's strip.
    Track(TrackId),
    /// A bus's strip.
    Bus(BusId),
    /// The master strip.
    Master,
}

/// Where a track or bus sends its output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Output {
    /// The master strip.
    #[default]
    Master,
    /// A bus.
    Bus(BusId),
}
