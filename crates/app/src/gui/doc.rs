//! The open document: the session with its undo history, where it lives, its decoded media
//! and waveform peaks, and which media are offline.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use stemdesk_engine::{SourceAudio, SourceMap, load_sources, open_sources_in_place};
use stemdesk_media::PeakCache;
use stemdesk_session::{
    Change, Edit, EditError, Gesture, History, Session, relative_to, resolve_media,
};

/// Sample rate of a new, empty session.
pub const DEFAULT_RATE_HZ: u32 = 48_000;

/// A session being edited.
pub struct Document {
    history: History,
    /// Where the session is saved (`None` = never saved).
    pub path: Option<PathBuf>,
    /// Folder media paths are relative to.
    pub base_dir: PathBuf,
    /// The history revision last saved (or opened): the title shows unsaved changes
    /// against it. `None` when no state of this history was saved (a recovered session).
    saved_revision: Option<u64>,
    /// Decoded media by resolved path.
    pub sources: SourceMap,
    /// Waveform peaks by resolved path.
    pub peaks: HashMap<PathBuf, Arc<PeakCache>>,
    /// Resolved paths of media that are missing or unreadable (their clips are offline).
    pub offline: BTreeSet<PathBuf>,
    /// Messages about media problems, for the status bar.
    pub problems: Vec<String>,
}

impl Document {
    /// An empty, untitled session.
    pub fn empty(base_dir: PathBuf) -> Self {
        let session = Session::new(DEFAULT_RATE_HZ);
        Self {
            history: History::new(session),
            path: None,
            base_dir,
            saved_revision: Some(0),
            sources: SourceMap::new(),
            peaks: HashMap::new(),
            offline: BTreeSet::new(),
            problems: Vec::new(),
        }
    }

    /// Opens a session file with the media that play in place (WAV at the session rate:
    /// only their headers are read); returns it with the media still to decode into the
    /// cache, which the caller loads in the background (their clips are silent until
    /// then). Missing media leave clips offline. Waveform peaks are not computed here.
    pub fn open(path: &Path) -> anyhow::Result<(Self, Vec<PathBuf>)> {
        let loaded = stemdesk_session::load(path)?;
        let open = open_sources_in_place(&loaded);
        let offline = crate::cli::unavailable_media(&loaded, &open.problems);
        let messages = crate::cli::media_messages(&loaded, &open.problems, Vec::new());
        let doc = Self {
            history: History::new(loaded.session),
            path: Some(path.to_path_buf()),
            base_dir: loaded.base_dir,
            saved_revision: Some(0),
            sources: open.sources,
            peaks: HashMap::new(),
            offline,
            problems: messages,
        };
        Ok((doc, open.to_decode))
    }

    /// Opens a session file and every one of its media, decoding what must be decoded
    /// and computing all waveform peaks before returning (tests, tools).
    pub fn open_and_wait(path: &Path) -> anyhow::Result<Self> {
        let loaded = stemdesk_session::load(path)?;
        let (sources, problems, warnings) = load_sources(&loaded);
        let offline = crate::cli::unavailable_media(&loaded, &problems);
        let messages = crate::cli::media_messages(&loaded, &problems, warnings);
        let peaks = peaks_for(&sources);
        Ok(Self {
            history: History::new(loaded.session),
            path: Some(path.to_path_buf()),
            base_dir: loaded.base_dir,
            saved_revision: Some(0),
            sources,
            peaks,
            offline,
            problems: messages,
        })
    }

    /// The current session.
    pub fn session(&self) -> &Session {
        self.history.session()
    }

    /// Replaces the session wholesale (recovery): a new history, marked unsaved.
    pub fn replace_session(&mut self, session: Session) {
        self.history = History::new(session);
        self.saved_revision = None;
    }

    /// Applies an edit as its own undo step (or part of `gesture`); says what changed.
    pub fn apply(&mut self, edit: &Edit, gesture: Option<Gesture>) -> Result<Change, EditError> {
        self.history.apply_in_gesture(edit, gesture)
    }

    /// A new gesture: the edits made with it form one undo step.
    pub fn gesture(&mut self) -> Gesture {
        self.history.gesture()
    }

    /// Undoes one step; what changed (empty if there was nothing to undo).
    pub fn undo(&mut self) -> Vec<Change> {
        self.history.undo()
    }

    /// Redoes one step; what changed.
    pub fn redo(&mut self) -> Vec<Change> {
        self.history.redo()
    }

    /// Whether undo / redo are possible.
    pub fn can_undo_redo(&self) -> (bool, bool) {
        (self.history.can_undo(), self.history.can_redo())
    }

    /// Unsaved changes?
    pub fn is_dirty(&self) -> bool {
        self.saved_revision != Some(self.history.revision())
    }

    /// Display name: the file name, or "Untitled".
    pub fn name(&self) -> String {
        self.path.as_ref().and_then(|p| p.file_stem()).map_or_else(
            || "Untitled".to_owned(),
            |s| s.to_string_lossy().into_owned(),
        )
    }

    /// Window title: name, a dot when there are unsaved changes.
    pub fn title(&self) -> String {
        let dirty = if self.is_dirty() { " ●" } else { "" };
        format!("{}{dirty} — Stemdesk", self.name())
    }

    /// Saves to `path` (atomic). Saving into another folder rewrites the media paths to be
    /// relative to it; undo history is kept only when the folder is unchanged.
    pub fn save_to(&mut self, path: &Path) -> anyhow::Result<()> {
        let new_base = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let new_base = std::path::absolute(&new_base).unwrap_or(new_base);
        let old_base = std::path::absolute(&self.base_dir).unwrap_or(self.base_dir.clone());
        if new_base != old_base {
            let mut rebased = self.session().clone();
            for track in &mut rebased.tracks {
                for clip in &mut track.clips {
                    let abs = resolve_media(&old_base, &clip.source);
                    clip.source = relative_to(&new_base, &abs);
                }
            }
            stemdesk_session::save(&rebased, path)
                .with_context(|| format!("cannot save {}", path.display()))?;
            self.history = History::new(rebased);
            self.saved_revision = Some(self.history.revision());
            self.base_dir = new_base;
        } else {
            stemdesk_session::save(self.session(), path)
                .with_context(|| format!("cannot save {}", path.display()))?;
            self.saved_revision = Some(self.history.revision());
        }
        self.path = Some(path.to_path_buf());
        Ok(())
    }

    /// Adds decoded media (import or relink) and its peaks.
    pub fn add_source(
        &mut self,
        resolved: PathBuf,
        audio: Arc<SourceAudio>,
        peaks: Arc<PeakCache>,
    ) {
        // Keys are normalised paths, as `resolve` gives them.
        let resolved = stemdesk_session::normalize_path(&resolved);
        self.offline.remove(&resolved);
        self.sources.insert(resolved.clone(), audio);
        self.peaks.insert(resolved, peaks);
    }

    /// Adds a source still being decoded (it plays what is decoded; its waveform comes
    /// when the whole file is there, with [`Document::add_source`]).
    pub fn add_early_source(&mut self, resolved: PathBuf, audio: Arc<SourceAudio>) {
        let resolved = stemdesk_session::normalize_path(&resolved);
        self.offline.remove(&resolved);
        self.sources.insert(resolved, audio);
    }

    /// Marks the media at `resolved` offline (its clips play silence and show as offline),
    /// dropping a source of it that plays what was decoded so far. Returns whether one was
    /// playing (the graph then needs rebuilding).
    pub fn take_offline(&mut self, resolved: &Path) -> bool {
        let resolved = stemdesk_session::normalize_path(resolved);
        self.peaks.remove(&resolved);
        self.offline.insert(resolved.clone());
        self.sources.remove(&resolved).is_some()
    }

    /// The resolved path of a clip's media.
    pub fn resolve(&self, source: &Path) -> PathBuf {
        resolve_media(&self.base_dir, source)
    }

    /// The path to store for media at `absolute` (relative to the session folder).
    pub fn media_path(&self, absolute: &Path) -> PathBuf {
        let base = std::path::absolute(&self.base_dir).unwrap_or(self.base_dir.clone());
        relative_to(&base, absolute)
    }
}

/// Peaks for every source (a source that cannot be read has none: its clips show no
/// waveform).
pub fn peaks_for(sources: &SourceMap) -> HashMap<PathBuf, Arc<PeakCache>> {
    sources
        .iter()
        .filter_map(|(p, a)| Some((p.clone(), Arc::new(a.peaks().ok()?))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_whose_loading_failed_goes_offline_and_stops_playing() {
        let mut doc = Document::empty(PathBuf::from("/tmp/session"));
        let path = doc.resolve(Path::new("audio/gtr.flac"));
        let early = Arc::new(SourceAudio::new(vec![vec![0.1; 100], vec![0.1; 100]]));
        doc.add_early_source(path.clone(), early);
        assert!(doc.sources.contains_key(&path));
        assert!(doc.take_offline(&path), "it was playing");
        assert!(!doc.sources.contains_key(&path));
        assert!(doc.offline.contains(&path));
        assert!(!doc.take_offline(&path), "nothing playing any more");
    }
}
