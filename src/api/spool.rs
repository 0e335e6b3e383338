//! The body of a streamed export, written by a blocking task that reads rows from the database.
//!
//! A data team's client may take minutes to read a large export. Reading the rows at its pace
//! would hold a pooled connection (and a database snapshot, which on SQLite keeps the WAL from
//! being checkpointed) for all that time, and a handful of slow clients would leave none for the
//! hot-loop requests. So the rows are read as fast as the database gives them: chunks go straight
//! to the response while the client keeps up; when it falls behind, what it has not taken yet
//! goes to an unnamed temporary file, forwarded from there as the client makes room. The writer
//! releases its connection as soon as the rows are read, and [`Spool::finish`] hands the file to
//! the body, which forwards the rest at the client's pace in short reads on the blocking pool (no
//! thread waits for the client). Memory stays bounded either way; disk is bounded by a
//! [`SpoolBudget`], for all exports together and for each one, and a file disappears when its
//! body is dropped.
//!
//! The body ends cleanly only after [`Spool::finish`]: a failure, a spool over its budget or a
//! writer that went away ends it with an error, so that the client sees a cut-short response
//! (the chunked encoding is not terminated) rather than a complete-looking one.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use actix_web::web::Bytes;
use futures_util::Stream;
use tokio::sync::mpsc::{self, error::TrySendError};
use tokio::sync::{OwnedSemaphorePermit, oneshot};

use crate::api::{self, AppState};
use crate::error::ApiError;

/// Chunks waiting in memory for the client before the rest goes to the temporary file.
const CHUNKS_IN_MEMORY: usize = 4;
/// Size of the pieces the temporary file is read back in.
const READ_BACK_BYTES: u64 = 64 * 1024;

/// Bytes an export gathers before it hands a chunk to the connection.
pub const STREAM_BUFFER: usize = 64 * 1024;

/// What must be left of the total budget for a new export to be admitted: two chunks.
const ROOM_FOR_AN_EXPORT: u64 = 2 * STREAM_BUFFER as u64;

/// How long an export waits for a slot before it is refused: its client is downloading a
/// table, not calling in a hot loop, so it waits longer than a request waits for a connection.
const EXPORT_SLOT_WAIT: Duration = Duration::from_secs(60);

type Item = Result<Bytes, io::Error>;

/// The disk that temporary files of exports may take: `total` bytes for all of them together,
/// `per_export` for one. Shared by the workers of a process.
#[derive(Debug)]
pub struct SpoolBudget {
    total: u64,
    per_export: u64,
    used: AtomicU64,
}

impl SpoolBudget {
    pub fn new(total: u64, per_export: u64) -> Self {
        Self {
            total,
            per_export,
            used: AtomicU64::new(0),
        }
    }

    /// Bytes all exports together may hold in temporary files.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Bytes held in temporary files now.
    pub fn used(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }

    /// Whether the total has no room left for a new export to fall behind by a couple of chunks.
    pub fn is_exhausted(&self) -> bool {
        self.used().saturating_add(ROOM_FOR_AN_EXPORT) > self.total
    }

    /// Takes `bytes` from the total, if they are left.
    fn claim(&self, bytes: u64) -> bool {
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(bytes).filter(|after| *after <= self.total)
            })
            .is_ok()
    }

    fn release(&self, bytes: u64) {
        self.used.fetch_sub(bytes, Ordering::AcqRel);
    }
}

/// The writing end, used from a blocking task.
pub struct Spool {
    sender: mpsc::Sender<Item>,
    overflow: Option<Overflow>,
    ending: oneshot::Sender<Ending>,
    budget: Arc<SpoolBudget>,
}

/// How the writer ended: with every byte written or with a failure, leaving the bytes the client
/// has not taken yet in the temporary file, if any.
enum Ending {
    Complete(Option<Overflow>),
    Failed(Option<Overflow>),
}

/// Why a chunk was not taken.
#[derive(Debug)]
pub enum PushError {
    /// The body is closed (the client went away): there is no point in reading further.
    BodyClosed,
    /// The client fell further behind than the budget allows, for this export or for all.
    SpoolFull,
    /// The temporary file could not be read back.
    ReadBack(io::Error),
}

/// One of the export slots (`api::export_slots`), waited for up to `EXPORT_SLOT_WAIT`. While the
/// temporary files of slow clients take the whole spool budget, an export is refused at once: it
/// could not fall behind by a single chunk, and a refusal now is better than a cut later.
pub async fn export_slot(state: &AppState) -> Result<OwnedSemaphorePermit, ApiError> {
    if state.spool_budget.is_exhausted() {
        return Err(ApiError::spool_full());
    }
    let waiting = Arc::clone(&state.export_slots).acquire_owned();
    match actix_web::rt::time::timeout(EXPORT_SLOT_WAIT, waiting).await {
        Ok(Ok(slot)) => Ok(slot),
        _ => Err(ApiError::exports_busy(api::export_slots(
            state.pool.max_size(),
        ))),
    }
}

/// Why an export stopped before its last byte.
pub enum Stop {
    BodyClosed,
    SpoolFull,
    Failed(String),
}

impl From<PushError> for Stop {
    fn from(error: PushError) -> Self {
        match error {
            PushError::BodyClosed => Stop::BodyClosed,
            PushError::SpoolFull => Stop::SpoolFull,
            PushError::ReadBack(e) => Stop::Failed(format!("reading back the spool: {e}")),
        }
    }
}

/// The body of an export that `write` produces on a blocking task, into a spool of `state`'s
/// budget, holding `slot` until it has read its rows. The body ends cut short when `write`
/// stops early: the headers are sent by then, so that is the only way left to say so.
pub fn export(
    state: &AppState,
    slot: OwnedSemaphorePermit,
    write: impl FnOnce(&mut Spool) -> Result<(), Stop> + Send + 'static,
) -> impl Stream<Item = Item> + 'static {
    let (mut spool, body) = spool(Arc::clone(&state.spool_budget));
    let span = tracing::Span::current();
    actix_web::rt::task::spawn_blocking(move || {
        let _request = span.enter();
        let written = write(&mut spool);
        drop(slot);
        match written {
            Ok(()) => spool.finish(),
            Err(Stop::BodyClosed) => {}
            Err(Stop::SpoolFull) => {
                tracing::warn!("export cut: its client fell behind by more than the spool allows");
                spool.fail();
            }
            Err(Stop::Failed(message)) => {
                tracing::error!(cause = %message, "export failed");
                spool.fail();
            }
        }
    });
    body
}

/// `io::Write` into a spool in chunks of `STREAM_BUFFER` bytes, for writers that know nothing of
/// spools (a CSV writer). A chunk the spool does not take fails the write, which stops the
/// writer; `finish` then says why.
pub struct SpoolWriter<'a> {
    spool: &'a mut Spool,
    buffer: Vec<u8>,
    stopped: Option<PushError>,
}

impl<'a> SpoolWriter<'a> {
    pub fn new(spool: &'a mut Spool) -> Self {
        Self {
            spool,
            buffer: Vec::with_capacity(STREAM_BUFFER * 2),
            stopped: None,
        }
    }

    /// Hands on what is left, or gives the push that stopped the writing.
    pub fn finish(mut self) -> Result<(), PushError> {
        if let Some(stopped) = self.stopped.take() {
            return Err(stopped);
        }
        if !self.buffer.is_empty() {
            self.spool
                .push(Bytes::from(std::mem::take(&mut self.buffer)))?;
        }
        Ok(())
    }
}

impl Write for SpoolWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if self.stopped.is_some() {
            return Err(io::Error::other("the export has stopped"));
        }
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= STREAM_BUFFER {
            let chunk = std::mem::replace(&mut self.buffer, Vec::with_capacity(STREAM_BUFFER * 2));
            if let Err(stopped) = self.spool.push(Bytes::from(chunk)) {
                self.stopped = Some(stopped);
                return Err(io::Error::other("the export has stopped"));
            }
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A spool whose temporary file takes its bytes from `budget`, and the response body it feeds.
pub fn spool(budget: Arc<SpoolBudget>) -> (Spool, impl Stream<Item = Item> + 'static) {
    let (sender, receiver) = mpsc::channel::<Item>(CHUNKS_IN_MEMORY);
    let (ending, ended) = oneshot::channel();
    let body = futures_util::stream::unfold(Body::Live { receiver, ended }, Body::next);
    (
        Spool {
            sender,
            overflow: None,
            ending,
            budget,
        },
        body,
    )
}

impl Spool {
    /// Passes a chunk on without waiting for the client, unless no temporary file can be written:
    /// then it waits, as a plain stream would.
    pub fn push(&mut self, chunk: Bytes) -> Result<(), PushError> {
        if self.sender.is_closed() {
            return Err(PushError::BodyClosed);
        }
        self.forward_overflow()?;
        if self.overflow.as_ref().is_none_or(Overflow::is_empty) {
            // A clone of `Bytes` shares the buffer; it keeps the chunk at hand if the channel is
            // full.
            match self.sender.try_send(Ok(chunk.clone())) {
                Ok(()) => return Ok(()),
                Err(TrySendError::Closed(_)) => return Err(PushError::BodyClosed),
                Err(TrySendError::Full(_)) => {}
            }
        }
        let appended = match &mut self.overflow {
            Some(overflow) => overflow.append(&chunk),
            None => Overflow::create(Arc::clone(&self.budget)).and_then(|mut overflow| {
                let appended = overflow.append(&chunk)?;
                self.overflow = Some(overflow);
                Ok(appended)
            }),
        };
        match appended {
            Ok(true) => Ok(()),
            Ok(false) => Err(PushError::SpoolFull),
            Err(e) => {
                tracing::warn!(cause = %e, "no temporary file for a slow client; waiting for the client instead");
                self.send_overflow_waiting()?;
                self.sender
                    .blocking_send(Ok(chunk))
                    .map_err(|_| PushError::BodyClosed)
            }
        }
    }

    /// Hands what is left in the temporary file to the body, which forwards it at the client's
    /// pace; returns at once. Call it after the database connection has been released.
    pub fn finish(mut self) {
        let _ = self.ending.send(Ending::Complete(self.overflow.take()));
    }

    /// Ends the body with an error after the bytes already written, so that the client sees a
    /// cut-short response rather than a complete-looking one; returns at once.
    pub fn fail(mut self) {
        let _ = self.ending.send(Ending::Failed(self.overflow.take()));
    }

    /// Moves as much of the temporary file into the body as the client has made room for.
    fn forward_overflow(&mut self) -> Result<(), PushError> {
        let Some(overflow) = &mut self.overflow else {
            return Ok(());
        };
        while !overflow.is_empty() {
            let permit = match self.sender.try_reserve() {
                Ok(permit) => permit,
                Err(TrySendError::Full(())) => return Ok(()),
                Err(TrySendError::Closed(())) => return Err(PushError::BodyClosed),
            };
            permit.send(Ok(overflow.next_piece().map_err(PushError::ReadBack)?));
        }
        Ok(())
    }

    /// Sends everything in the temporary file, oldest bytes first, waiting for the client: only
    /// when no more can be written to it.
    fn send_overflow_waiting(&mut self) -> Result<(), PushError> {
        let Some(overflow) = &mut self.overflow else {
            return Ok(());
        };
        while !overflow.is_empty() {
            let piece = overflow.next_piece().map_err(PushError::ReadBack)?;
            self.sender
                .blocking_send(Ok(piece))
                .map_err(|_| PushError::BodyClosed)?;
        }
        Ok(())
    }
}

/// The response body: the chunks passed on in memory, then what the writer left in the
/// temporary file, then an end that says whether the writer finished.
enum Body {
    Live {
        receiver: mpsc::Receiver<Item>,
        ended: oneshot::Receiver<Ending>,
    },
    Tail {
        overflow: Overflow,
        complete: bool,
    },
    /// Ends cleanly if the writer finished, with an error otherwise.
    End {
        complete: bool,
    },
    Done,
}

impl Body {
    async fn next(self) -> Option<(Item, Body)> {
        match self {
            Body::Live {
                mut receiver,
                ended,
            } => {
                if let Some(item) = receiver.recv().await {
                    return Some((item, Body::Live { receiver, ended }));
                }
                // The writer is gone; only its `finish` makes the end a clean one.
                let (overflow, complete) = match ended.await {
                    Ok(Ending::Complete(overflow)) => (overflow, true),
                    Ok(Ending::Failed(overflow)) => (overflow, false),
                    Err(_) => (None, false),
                };
                match overflow {
                    Some(overflow) => Body::tail(overflow, complete).await,
                    None => Body::End { complete }.end(),
                }
            }
            Body::Tail { overflow, complete } => Body::tail(overflow, complete).await,
            end @ Body::End { .. } => end.end(),
            Body::Done => None,
        }
    }

    fn end(self) -> Option<(Item, Body)> {
        match self {
            Body::End { complete: false } => Some((Err(cut_short()), Body::Done)),
            _ => None,
        }
    }

    /// The next piece of the temporary file, read on the blocking pool: one short read per
    /// piece, so that no thread of the pool waits for the client between pieces.
    async fn tail(mut overflow: Overflow, complete: bool) -> Option<(Item, Body)> {
        if overflow.is_empty() {
            // Dropping the file here gives its bytes back to the budget.
            return Body::End { complete }.end();
        }
        let read = actix_web::rt::task::spawn_blocking(move || {
            let piece = overflow.next_piece();
            (overflow, piece)
        })
        .await;
        match read {
            Ok((overflow, Ok(piece))) => Some((Ok(piece), Body::Tail { overflow, complete })),
            Ok((_, Err(e))) => {
                tracing::error!(cause = %e, "reading back the temporary file of an export failed");
                Some((Err(e), Body::Done))
            }
            Err(e) => Some((Err(io::Error::other(e)), Body::Done)),
        }
    }
}

/// What the client has not taken yet: bytes `sent..written` of a temporary file, whose bytes are
/// counted in the budget until it is dropped.
struct Overflow {
    file: File,
    sent: u64,
    written: u64,
    budget: Arc<SpoolBudget>,
}

impl Overflow {
    fn create(budget: Arc<SpoolBudget>) -> io::Result<Self> {
        Ok(Self {
            file: tempfile::tempfile()?,
            sent: 0,
            written: 0,
            budget,
        })
    }

    fn is_empty(&self) -> bool {
        self.sent == self.written
    }

    /// Appends `bytes`, or returns `false` when the budget has no room for them.
    fn append(&mut self, bytes: &[u8]) -> io::Result<bool> {
        let length = bytes.len() as u64;
        if self.written + length > self.budget.per_export || !self.budget.claim(length) {
            return Ok(false);
        }
        let written = self
            .file
            .seek(SeekFrom::Start(self.written))
            .and_then(|_| self.file.write_all(bytes));
        if let Err(e) = written {
            self.budget.release(length);
            return Err(e);
        }
        self.written += length;
        Ok(true)
    }

    /// The oldest bytes not sent yet, up to `READ_BACK_BYTES`; call only when not empty.
    fn next_piece(&mut self) -> io::Result<Bytes> {
        let length = READ_BACK_BYTES.min(self.written - self.sent);
        let mut piece = vec![0; usize::try_from(length).map_err(io::Error::other)?];
        self.file.seek(SeekFrom::Start(self.sent))?;
        self.file.read_exact(&mut piece)?;
        self.sent += length;
        Ok(Bytes::from(piece))
    }
}

impl Drop for Overflow {
    fn drop(&mut self) {
        self.budget.release(self.written);
    }
}

/// The error that ends a body cut short.
fn cut_short() -> io::Error {
    io::Error::other("the stream was cut short")
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use futures_util::StreamExt;

    use super::*;

    /// A budget no test reaches.
    fn roomy() -> Arc<SpoolBudget> {
        Arc::new(SpoolBudget::new(u64::MAX, u64::MAX))
    }

    /// Everything the body yields, read on this thread.
    fn read_all(body: impl Stream<Item = Item>) -> Result<Vec<u8>, io::Error> {
        let mut body = Box::pin(body);
        let mut bytes = Vec::new();
        actix_web::rt::System::new().block_on(async {
            while let Some(item) = body.next().await {
                bytes.extend_from_slice(&item?);
            }
            Ok(bytes)
        })
    }

    fn chunk(i: usize) -> Bytes {
        Bytes::from(format!("chunk {i:04} ").repeat(100))
    }

    fn pushed(spool: &mut Spool, i: usize) {
        if let Err(e) = spool.push(chunk(i)) {
            panic!("chunk {i} refused: {e:?}");
        }
    }

    /// Runs `finish` on another thread and says whether it returned within a few seconds.
    fn finishes_at_once(spool: Spool) -> bool {
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            spool.finish();
            let _ = done.send(());
        });
        finished.recv_timeout(Duration::from_secs(5)).is_ok()
    }

    #[test]
    fn a_client_that_does_not_read_holds_no_thread_once_the_rows_are_read() {
        let (mut spool, body) = spool(roomy());
        // Far more chunks than wait in memory: if a push waited for the client, this would hang.
        for i in 0..(CHUNKS_IN_MEMORY * 50) {
            pushed(&mut spool, i);
        }
        assert!(
            spool.overflow.as_ref().is_some_and(|o| !o.is_empty()),
            "the rest went to a temporary file"
        );
        // Nobody reads yet: finishing must not wait for the client.
        assert!(finishes_at_once(spool), "finish waited for the client");
        let expected: Vec<u8> = (0..(CHUNKS_IN_MEMORY * 50))
            .flat_map(|i| chunk(i).to_vec())
            .collect();
        assert_eq!(read_all(body).expect("a complete body"), expected);
    }

    #[test]
    fn a_client_that_falls_behind_and_catches_up_gets_every_byte_in_order() {
        let (mut spool, body) = spool(roomy());
        let mut body = Box::pin(body);
        let runtime = actix_web::rt::System::new();
        let mut read_items = |count: usize, into: &mut Vec<u8>| {
            for _ in 0..count {
                let item = runtime.block_on(body.next()).expect("an item");
                into.extend_from_slice(&item.expect("bytes"));
            }
        };
        let mut received = Vec::new();
        for i in 0..(CHUNKS_IN_MEMORY + 2) {
            pushed(&mut spool, i);
        }
        assert!(spool.overflow.as_ref().is_some_and(|o| !o.is_empty()));
        // The client takes what waited in memory; the next push forwards the file first, then
        // goes straight to the body again.
        read_items(CHUNKS_IN_MEMORY, &mut received);
        pushed(&mut spool, CHUNKS_IN_MEMORY + 2);
        assert!(spool.overflow.as_ref().is_some_and(Overflow::is_empty));
        read_items(2, &mut received);
        // Falling behind again, in rounds of more than fits in memory.
        let mut next = CHUNKS_IN_MEMORY + 3;
        for round in 0..10 {
            for _ in 0..(CHUNKS_IN_MEMORY + round) {
                pushed(&mut spool, next);
                next += 1;
            }
            read_items(3, &mut received);
        }
        spool.finish();
        let rest = runtime.block_on(body.collect::<Vec<_>>());
        for item in rest {
            received.extend_from_slice(&item.expect("bytes"));
        }
        let expected: Vec<u8> = (0..next).flat_map(|i| chunk(i).to_vec()).collect();
        assert_eq!(received, expected);
    }

    #[test]
    fn a_client_that_keeps_up_gets_the_chunks_from_memory() {
        let (mut spool, body) = spool(roomy());
        for i in 0..CHUNKS_IN_MEMORY {
            pushed(&mut spool, i);
        }
        assert!(spool.overflow.is_none());
        spool.finish();
        let expected: Vec<u8> = (0..CHUNKS_IN_MEMORY)
            .flat_map(|i| chunk(i).to_vec())
            .collect();
        assert_eq!(read_all(body).expect("a complete body"), expected);
    }

    #[test]
    fn a_client_that_left_stops_the_writer() {
        let (mut spool, body) = spool(roomy());
        drop(body);
        assert!(matches!(spool.push(chunk(0)), Err(PushError::BodyClosed)));
    }

    #[test]
    fn a_failure_cuts_the_body_short() {
        let (mut spool, body) = spool(roomy());
        pushed(&mut spool, 0);
        spool.fail();
        assert!(read_all(body).is_err());
    }

    #[test]
    fn a_writer_that_goes_away_without_finishing_cuts_the_body_short() {
        let (mut spool, body) = spool(roomy());
        for i in 0..(CHUNKS_IN_MEMORY * 3) {
            pushed(&mut spool, i);
        }
        drop(spool);
        assert!(read_all(body).is_err(), "a complete-looking body");
    }

    #[test]
    fn an_export_falls_behind_by_no_more_than_its_share_of_the_budget() {
        let chunk_bytes = chunk(0).len() as u64;
        let budget = Arc::new(SpoolBudget::new(u64::MAX, chunk_bytes * 3));
        let (mut spool, body) = spool(Arc::clone(&budget));
        for i in 0..(CHUNKS_IN_MEMORY + 3) {
            pushed(&mut spool, i);
        }
        assert!(matches!(spool.push(chunk(99)), Err(PushError::SpoolFull)));
        assert_eq!(budget.used(), chunk_bytes * 3);
        spool.fail();
        drop(body);
        assert_eq!(budget.used(), 0, "the file's bytes are given back");
    }

    #[test]
    fn exports_share_the_total_budget_and_get_it_back_when_their_bodies_go() {
        let chunk_bytes = chunk(0).len() as u64;
        let budget = Arc::new(SpoolBudget::new(chunk_bytes * 4, u64::MAX));
        let (mut first, first_body) = spool(Arc::clone(&budget));
        let (mut second, second_body) = spool(Arc::clone(&budget));
        for i in 0..(CHUNKS_IN_MEMORY + 3) {
            pushed(&mut first, i);
        }
        for i in 0..(CHUNKS_IN_MEMORY + 1) {
            pushed(&mut second, i);
        }
        assert_eq!(budget.used(), chunk_bytes * 4);
        assert!(matches!(second.push(chunk(99)), Err(PushError::SpoolFull)));
        // The first export's rows are all read; its file lives until its client has it all.
        first.finish();
        assert_eq!(budget.used(), chunk_bytes * 4);
        let first_bytes = read_all(first_body).expect("a complete body");
        assert_eq!(
            first_bytes.len() as u64,
            chunk_bytes * (CHUNKS_IN_MEMORY as u64 + 3)
        );
        assert_eq!(budget.used(), chunk_bytes);
        drop((second, second_body));
        assert_eq!(budget.used(), 0);
    }

    #[test]
    fn a_cut_body_still_gives_the_bytes_written_before_the_cut_then_an_error() {
        let chunk_bytes = chunk(0).len() as u64;
        let budget = Arc::new(SpoolBudget::new(u64::MAX, chunk_bytes * 2));
        let (mut spool, body) = spool(Arc::clone(&budget));
        for i in 0..(CHUNKS_IN_MEMORY + 2) {
            pushed(&mut spool, i);
        }
        assert!(matches!(spool.push(chunk(99)), Err(PushError::SpoolFull)));
        spool.fail();
        assert_eq!(
            budget.used(),
            chunk_bytes * 2,
            "kept until the client has it"
        );
        let mut body = Box::pin(body);
        let items = actix_web::rt::System::new().block_on(async {
            let mut items = Vec::new();
            while let Some(item) = body.next().await {
                items.push(item);
            }
            items
        });
        let (last, bytes) = items.split_last().expect("items");
        assert!(last.is_err(), "the body ends with an error");
        let received: Vec<u8> = bytes
            .iter()
            .flat_map(|item| item.as_ref().expect("bytes").to_vec())
            .collect();
        let expected: Vec<u8> = (0..(CHUNKS_IN_MEMORY + 2))
            .flat_map(|i| chunk(i).to_vec())
            .collect();
        assert_eq!(received, expected);
        assert_eq!(budget.used(), 0);
    }

    #[test]
    fn a_new_export_needs_room_for_a_couple_of_chunks() {
        let budget = SpoolBudget::new(1 << 20, 1 << 20);
        assert!(!budget.is_exhausted());
        assert!(budget.claim((1 << 20) - ROOM_FOR_AN_EXPORT));
        assert!(!budget.is_exhausted());
        assert!(budget.claim(1));
        assert!(budget.is_exhausted());
        assert!(!budget.claim(ROOM_FOR_AN_EXPORT), "beyond the total");
        budget.release(1);
        assert!(!budget.is_exhausted());
    }
}
