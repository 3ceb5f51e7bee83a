//! Host–device copies through two page-locked staging buffers, so that copying a chunk
//! between the caller's (pageable) memory and a staging buffer overlaps the DMA of the other
//! chunk and the kernels that consume or produce the data.
//!
//! A staging buffer is reused only after the host has waited for the last copy that read or
//! wrote it (an event per buffer); uploads and downloads run on the copy stream.

use rayon::prelude::*;

use super::gpu::{DevPtr, Event, Gpu, PinnedBuf, Stream};
use crate::KernelError;

/// Bytes per staging buffer (two of them per device).
pub(crate) const STAGING_BYTES: usize = 32 << 20;

/// The staging buffers of one device, with the event of each buffer's last copy.
pub(crate) struct Staging {
    bufs: [PinnedBuf; 2],
    last: [Option<Event>; 2],
    next: usize,
}

/// A host memcpy of a large chunk, split over the rayon pool (one thread copies ~10 GB/s).
fn copy_parallel(dst: &mut [u8], src: &[u8]) {
    const PIECE: usize = 1 << 20;
    dst.par_chunks_mut(PIECE)
        .zip(src.par_chunks(PIECE))
        .for_each(|(d, s)| d.copy_from_slice(s));
}

impl Staging {
    pub(crate) fn new(gpu: &Gpu) -> Result<Self, KernelError> {
        let first = gpu.pinned(STAGING_BYTES)?;
        let second = match gpu.pinned(STAGING_BYTES) {
            Ok(b) => b,
            Err(e) => {
                gpu.free_pinned(first);
                return Err(e);
            }
        };
        Ok(Self {
            bufs: [first, second],
            last: [None, None],
            next: 0,
        })
    }

    /// Frees the buffers (after waiting for their last copies).
    pub(crate) fn release(self, gpu: &Gpu) {
        for event in self.last.iter().flatten() {
            if let Err(e) = gpu.sync_event(event) {
                tracing::warn!("waiting for a staging copy failed: {e}");
            }
        }
        let [a, b] = self.bufs;
        gpu.free_pinned(a);
        gpu.free_pinned(b);
    }

    /// The next staging buffer, once its last copy has finished.
    fn take(&mut self, gpu: &Gpu) -> Result<usize, KernelError> {
        let slot = self.next;
        self.next ^= 1;
        if let Some(event) = self.last[slot].take() {
            gpu.sync_event(&event)?;
        }
        Ok(slot)
    }

    /// Copies `src` to device address `dst` on the copy stream in chunks of at most
    /// [`STAGING_BYTES`] (a multiple of `unit` bytes). After each chunk is queued, calls
    /// `queued(offset, len, event)` with the chunk's byte range and an event after its copy,
    /// so the caller can start kernels on it.
    pub(crate) fn upload(
        &mut self,
        gpu: &Gpu,
        dst: DevPtr,
        src: &[u8],
        unit: usize,
        mut queued: impl FnMut(usize, usize, &Event) -> Result<(), KernelError>,
    ) -> Result<(), KernelError> {
        // Device memory comes from the stream-ordered allocator on the compute stream: the copy
        // stream may touch it only after the allocation, in stream order.
        let allocated = gpu.record(Stream::Compute)?;
        gpu.wait(Stream::Copy, &allocated)?;
        let chunk = (STAGING_BYTES / unit.max(1)) * unit.max(1);
        for (k, part) in src.chunks(chunk.max(1)).enumerate() {
            let slot = self.take(gpu)?;
            let buf = &mut self.bufs[slot].as_mut_slice()[..part.len()];
            copy_parallel(buf, part);
            let offset = k * chunk;
            gpu.upload(dst + offset as u64, buf, Stream::Copy)?;
            let event = gpu.record(Stream::Copy)?;
            queued(offset, part.len(), &event)?;
            self.last[slot] = Some(event);
        }
        Ok(())
    }

    /// Copies device memory at `src` into `dst` once the work before `after` is done, on the
    /// copy stream, copying each chunk out of its staging buffer while the next one transfers.
    /// Returns when `dst` holds the data.
    pub(crate) fn download(
        &mut self,
        gpu: &Gpu,
        dst: &mut [u8],
        src: DevPtr,
        after: &Event,
    ) -> Result<(), KernelError> {
        gpu.wait(Stream::Copy, after)?;
        let chunk = STAGING_BYTES;
        let total = dst.len();
        let mut pending: Option<(usize, usize, usize)> = None; // (slot, offset, len)
        let mut offset = 0;
        loop {
            // Queue the next chunk before copying out the previous one.
            let queued = if offset < total {
                let len = chunk.min(total - offset);
                let slot = self.take(gpu)?;
                let buf = &mut self.bufs[slot].as_mut_slice()[..len];
                gpu.download_async(buf, src + offset as u64, Stream::Copy)?;
                self.last[slot] = Some(gpu.record(Stream::Copy)?);
                let q = (slot, offset, len);
                offset += len;
                Some(q)
            } else {
                None
            };
            if let Some((slot, at, len)) = pending {
                if let Some(event) = self.last[slot].take() {
                    gpu.sync_event(&event)?;
                }
                copy_parallel(&mut dst[at..at + len], &self.bufs[slot].as_slice()[..len]);
            }
            if queued.is_none() {
                return Ok(());
            }
            pending = queued;
        }
    }
}
