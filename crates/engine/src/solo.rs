//! In-place solo: which strips a solo silences.
//!
//! When anything is soloed, a strip stays audible if it is soloed itself, if a soloed strip
//! feeds it (so the buses and returns a soloed track reaches keep sounding), if it feeds a
//! soloed bus (soloing a bus brings up what plays into it), or if it is a solo-safe bus.
//! Everything else is muted by the solo.

use std::collections::{HashMap, HashSet};

use stemdesk_session::{Output, Session, StripId};

/// The strips silenced by solo (empty when nothing is soloed).
pub fn solo_muted(session: &Session) -> HashSet<StripId> {
    let mut feeds: HashMap<StripId, Vec<StripId>> = HashMap::new();
    let mut soloed = Vec::new();
    for (id, strip) in session.mixer_strips() {
        let mut to: Vec<StripId> = strip.sends.iter().map(|s| StripId::Bus(s.target)).collect();
        if let Output::Bus(b) = strip.output {
            to.push(StripId::Bus(b));
        }
        feeds.insert(id, to);
        if strip.solo {
            soloed.push(id);
        }
    }
    if soloed.is_empty() {
        return HashSet::new();
    }
    let mut fed_by: HashMap<StripId, Vec<StripId>> = HashMap::new();
    for (from, tos) in &feeds {
        for to in tos {
            fed_by.entry(*to).or_default().push(*from);
        }
    }
    let mut audible: HashSet<StripId> = HashSet::new();
    reach(&soloed, &feeds, &mut audible);
    let soloed_buses: Vec<StripId> = soloed
        .iter()
        .copied()
        .filter(|s| matches!(s, StripId::Bus(_)))
        .collect();
    reach(&soloed_buses, &fed_by, &mut audible);
    let safe: Vec<StripId> = session
        .buses
        .iter()
        .filter(|b| b.solo_safe)
        .map(|b| StripId::Bus(b.id))
        .collect();
    reach(&safe, &feeds, &mut audible);
    feeds
        .keys()
        .copied()
        .filter(|s| !audible.contains(s))
        .collect()
}

/// Adds to `audible` everything reachable from `from` along `edges` (`from` included).
/// Uses its own visited set: a start node already audible must still be expanded.
fn reach(from: &[StripId], edges: &HashMap<StripId, Vec<StripId>>, audible: &mut HashSet<StripId>) {
    let mut visited: HashSet<StripId> = HashSet::new();
    let mut stack: Vec<StripId> = from.to_vec();
    while let Some(s) = stack.pop() {
        if visited.insert(s) {
            audible.insert(s);
            stack.extend(edges.get(&s).into_iter().flatten().copied());
        }
    }
}
