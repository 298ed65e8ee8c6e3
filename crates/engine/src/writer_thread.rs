//! The bounce's file writer on a thread of its own: dithering, packing to 24-bit or FLAC
//! and the writes to disk then run beside the render instead of after each block of it.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use stemdesk_media::{MediaError, MixWriter};

use crate::render::RenderError;

/// Blocks queued for the writer before the render waits for it (each a render block of
/// interleaved stereo: 16 x 16384 frames is 2 MB).
const QUEUE_BLOCKS: usize = 16;

/// A [`MixWriter`] fed blocks from the render thread. Dropping it without
/// [`WriterThread::finish`] waits for the thread, whose writer then removes its temporary
/// file (a cancelled bounce leaves nothing behind, even when the process exits next).
pub(crate) struct WriterThread {
    tx: Option<SyncSender<Vec<f32>>>,
    /// Buffers the thread is done with, for the next blocks (no allocation per block).
    spare: Receiver<Vec<f32>>,
    handle: Option<JoinHandle<Result<MixWriter, MediaError>>>,
}

impl WriterThread {
    /// Moves `writer` onto a new thread.
    pub(crate) fn spawn(mut writer: MixWriter) -> Result<Self, RenderError> {
        let (tx, rx) = sync_channel::<Vec<f32>>(QUEUE_BLOCKS);
        let (spare_tx, spare) = sync_channel::<Vec<f32>>(QUEUE_BLOCKS + 2);
        let handle = std::thread::Builder::new()
            .name("stemdesk-writer".into())
            .spawn(move || {
                for block in rx {
                    writer.write_interleaved(&block)?;
                    // The render may have stopped taking spares; that is fine.
                    let _ = spare_tx.try_send(block);
                }
                Ok(writer)
            })
            .map_err(|e| RenderError::Writer(format!("cannot start its thread: {e}")))?;
        Ok(Self {
            tx: Some(tx),
            spare,
            handle: Some(handle),
        })
    }

    /// Queues `samples` (interleaved stereo) for the file. A write that failed (a full
    /// disk, say) is reported here, a few blocks after the fact, or by `finish`.
    pub(crate) fn write(&mut self, samples: &[f32]) -> Result<(), RenderError> {
        let mut block = self.spare.try_recv().unwrap_or_default();
        block.clear();
        block.extend_from_slice(samples);
        let sent = self.tx.as_ref().is_some_and(|tx| tx.send(block).is_ok());
        if sent {
            Ok(())
        } else {
            // The thread has stopped: only an error stops it early.
            Err(self
                .join()
                .err()
                .unwrap_or_else(|| RenderError::Writer("its thread stopped".into())))
        }
    }

    /// Waits for every queued block to be written and hands the writer back (to finalise).
    pub(crate) fn finish(mut self) -> Result<MixWriter, RenderError> {
        self.join()
    }

    fn join(&mut self) -> Result<MixWriter, RenderError> {
        self.tx = None;
        match self.handle.take().map(JoinHandle::join) {
            Some(Ok(result)) => result.map_err(RenderError::from),
            Some(Err(_)) => Err(RenderError::Writer("its thread panicked".into())),
            None => Err(RenderError::Writer("its thread already stopped".into())),
        }
    }
}

impl Drop for WriterThread {
    fn drop(&mut self) {
        self.tx = None;
        if let Some(handle) = self.handle.take() {
            // Its writer is dropped there, which removes the temporary file.
            let _ = handle.join();
        }
    }
}
