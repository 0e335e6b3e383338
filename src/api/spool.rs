//! The body of a streamed export, written by a blocking task that reads rows from the database.
//!
//! A data team's client may take minutes to read a large export. Reading the rows at its pace
//! would hold a pooled connection (and a database snapshot, which on SQLite keeps the WAL from
//! being checkpointed) for all that time, and a handful of slow clients would leave none for the
//! hot-loop requests. So the rows are read as fast as the database gives them: chunks go straight
//! to the response while the client keeps up; when it falls behind, what it has not taken yet
//! goes to an unnamed temporary file, forwarded from there as the client makes room. The writer
//! releases its connection as soon as the rows are read, and [`Spool::finish`] then sends the
//! rest at the client's pace. Memory stays bounded either way; disk holds at most one export's
//! bytes per slow client, and the file disappears when it is closed.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};

use actix_web::web::Bytes;
use futures_util::Stream;
use tokio::sync::mpsc::{self, error::TrySendError};

/// Chunks waiting in memory for the client before the rest goes to the temporary file.
const CHUNKS_IN_MEMORY: usize = 4;
/// Size of the pieces the temporary file is read back in.
const READ_BACK_BYTES: u64 = 64 * 1024;

type Item = Result<Bytes, io::Error>;

/// The writing end, used from a blocking task.
pub struct Spool {
    sender: mpsc::Sender<Item>,
    overflow: Option<Overflow>,
}

/// The body is closed (the client went away, or the body was cut short after a failure): there
/// is no point in reading further.
#[derive(Debug, PartialEq, Eq)]
pub struct BodyClosed;

/// A spool and the response body it feeds.
pub fn spool() -> (Spool, impl Stream<Item = Item> + 'static) {
    let (sender, receiver) = mpsc::channel::<Item>(CHUNKS_IN_MEMORY);
    let body = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|item| (item, receiver))
    });
    (
        Spool {
            sender,
            overflow: None,
        },
        body,
    )
}

impl Spool {
    /// Passes a chunk on without waiting for the client, unless no temporary file can be written:
    /// then it waits, as a plain stream would.
    pub fn push(&mut self, chunk: Bytes) -> Result<(), BodyClosed> {
        if self.sender.is_closed() {
            return Err(BodyClosed);
        }
        self.forward_overflow()?;
        if self.overflow.as_ref().is_none_or(Overflow::is_empty) {
            // A clone of `Bytes` shares the buffer; it keeps the chunk at hand if the channel is
            // full.
            match self.sender.try_send(Ok(chunk.clone())) {
                Ok(()) => return Ok(()),
                Err(TrySendError::Closed(_)) => return Err(BodyClosed),
                Err(TrySendError::Full(_)) => {}
            }
        }
        let appended = match &mut self.overflow {
            Some(overflow) => overflow.append(&chunk),
            None => Overflow::create().and_then(|mut overflow| {
                overflow.append(&chunk)?;
                self.overflow = Some(overflow);
                Ok(())
            }),
        };
        if let Err(e) = appended {
            tracing::warn!(cause = %e, "no temporary file for a slow client; waiting for the client instead");
            self.send_overflow_waiting()?;
            return self.sender.blocking_send(Ok(chunk)).map_err(|_| BodyClosed);
        }
        Ok(())
    }

    /// Sends what is left in the temporary file, at the client's pace. Call it after the
    /// database connection has been released.
    pub fn finish(mut self) {
        let _ = self.send_overflow_waiting();
    }

    /// Ends the body with an error, so that the client sees a cut-short response rather than a
    /// complete-looking one.
    pub fn fail(self) {
        cut_short(&self.sender);
    }

    /// Moves as much of the temporary file into the body as the client has made room for.
    fn forward_overflow(&mut self) -> Result<(), BodyClosed> {
        let Some(overflow) = &mut self.overflow else {
            return Ok(());
        };
        while !overflow.is_empty() {
            let permit = match self.sender.try_reserve() {
                Ok(permit) => permit,
                Err(TrySendError::Full(())) => return Ok(()),
                Err(TrySendError::Closed(())) => return Err(BodyClosed),
            };
            match overflow.next_piece() {
                Ok(piece) => permit.send(Ok(piece)),
                Err(e) => {
                    drop(permit);
                    return Err(reading_back_failed(&self.sender, e));
                }
            }
        }
        Ok(())
    }

    /// Sends everything in the temporary file, oldest bytes first, waiting for the client.
    fn send_overflow_waiting(&mut self) -> Result<(), BodyClosed> {
        let Some(overflow) = &mut self.overflow else {
            return Ok(());
        };
        while !overflow.is_empty() {
            match overflow.next_piece() {
                Ok(piece) => self
                    .sender
                    .blocking_send(Ok(piece))
                    .map_err(|_| BodyClosed)?,
                Err(e) => return Err(reading_back_failed(&self.sender, e)),
            }
        }
        Ok(())
    }
}

/// What the client has not taken yet: bytes `sent..written` of a temporary file.
struct Overflow {
    file: File,
    sent: u64,
    written: u64,
}

impl Overflow {
    fn create() -> io::Result<Self> {
        Ok(Self {
            file: tempfile::tempfile()?,
            sent: 0,
            written: 0,
        })
    }

    fn is_empty(&self) -> bool {
        self.sent == self.written
    }

    fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.file.seek(SeekFrom::Start(self.written))?;
        self.file.write_all(bytes)?;
        self.written += bytes.len() as u64;
        Ok(())
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

/// Ends the body with an error.
fn cut_short(sender: &mpsc::Sender<Item>) {
    let _ = sender.blocking_send(Err(io::Error::other("the stream was cut short")));
}

/// The bytes in the temporary file cannot reach the client: the body is cut short.
fn reading_back_failed(sender: &mpsc::Sender<Item>, e: io::Error) -> BodyClosed {
    tracing::error!(cause = %e, "reading back the temporary file of an export failed");
    cut_short(sender);
    BodyClosed
}

#[cfg(test)]
mod tests {
    use futures_util::StreamExt;

    use super::*;

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

    #[test]
    fn a_client_that_does_not_read_never_holds_the_writer_up() {
        let (mut spool, body) = spool();
        // Far more chunks than wait in memory: if a push waited for the client, this would hang.
        for i in 0..(CHUNKS_IN_MEMORY * 50) {
            spool.push(chunk(i)).expect("the client is still there");
        }
        assert!(
            spool.overflow.as_ref().is_some_and(|o| !o.is_empty()),
            "the rest went to a temporary file"
        );
        let writer = std::thread::spawn(move || spool.finish());
        let expected: Vec<u8> = (0..(CHUNKS_IN_MEMORY * 50))
            .flat_map(|i| chunk(i).to_vec())
            .collect();
        assert_eq!(read_all(body).expect("a complete body"), expected);
        writer.join().expect("the writer finished");
    }

    #[test]
    fn a_client_that_falls_behind_and_catches_up_gets_every_byte_in_order() {
        let (mut spool, body) = spool();
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
            spool.push(chunk(i)).expect("the client is still there");
        }
        assert!(spool.overflow.as_ref().is_some_and(|o| !o.is_empty()));
        // The client takes what waited in memory; the next push forwards the file first, then
        // goes straight to the body again.
        read_items(CHUNKS_IN_MEMORY, &mut received);
        spool
            .push(chunk(CHUNKS_IN_MEMORY + 2))
            .expect("the client is still there");
        assert!(spool.overflow.as_ref().is_some_and(Overflow::is_empty));
        read_items(2, &mut received);
        // Falling behind again, in rounds of more than fits in memory.
        let mut next = CHUNKS_IN_MEMORY + 3;
        for round in 0..10 {
            for _ in 0..(CHUNKS_IN_MEMORY + round) {
                spool.push(chunk(next)).expect("the client is still there");
                next += 1;
            }
            read_items(3, &mut received);
        }
        let writer = std::thread::spawn(move || spool.finish());
        while let Some(item) = runtime.block_on(body.next()) {
            received.extend_from_slice(&item.expect("bytes"));
        }
        writer.join().expect("the writer finished");
        let expected: Vec<u8> = (0..next).flat_map(|i| chunk(i).to_vec()).collect();
        assert_eq!(received, expected);
    }

    #[test]
    fn a_client_that_keeps_up_gets_the_chunks_from_memory() {
        let (mut spool, body) = spool();
        for i in 0..CHUNKS_IN_MEMORY {
            spool.push(chunk(i)).expect("the client is still there");
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
        let (mut spool, body) = spool();
        drop(body);
        assert_eq!(spool.push(chunk(0)), Err(BodyClosed));
    }

    #[test]
    fn a_failure_cuts_the_body_short() {
        let (mut spool, body) = spool();
        spool.push(chunk(0)).expect("the client is still there");
        let writer = std::thread::spawn(move || spool.fail());
        assert!(read_all(body).is_err());
        writer.join().expect("the writer finished");
    }
}
