//! The body of a streamed export, written by a blocking task that reads rows from the database.
//!
//! A data team's client may take minutes to read a large export. Reading the rows at its pace
//! would hold a pooled connection (and a database snapshot, which on SQLite keeps the WAL from
//! being checkpointed) for all that time, and a handful of slow clients would leave none for the
//! hot-loop requests. So the rows are read as fast as the database gives them: chunks go straight
//! to the response while the client keeps up; once it falls behind, the rest of the export goes
//! to an unnamed temporary file. The writer releases its connection as soon as the rows are read,
//! and [`Spool::finish`] then feeds the file to the client at its own pace. Memory stays bounded
//! either way; disk holds at most one export's bytes per slow client, and the file disappears
//! when it is closed.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};

use actix_web::web::Bytes;
use futures_util::Stream;
use tokio::sync::mpsc::{self, error::TrySendError};

/// Chunks waiting in memory for the client before the rest goes to the temporary file.
const CHUNKS_IN_MEMORY: usize = 4;
/// Size of the pieces the temporary file is read back in.
const READ_BACK_BYTES: usize = 64 * 1024;

type Item = Result<Bytes, io::Error>;

/// The writing end, used from a blocking task.
pub struct Spool {
    sender: mpsc::Sender<Item>,
    overflow: Option<File>,
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
        if let Some(file) = &mut self.overflow {
            match file.write_all(&chunk) {
                Ok(()) => return Ok(()),
                Err(e) => {
                    tracing::warn!(cause = %e, "temporary file for a slow client failed; waiting for the client instead");
                    self.send_overflow()?;
                    return self.send_waiting(chunk);
                }
            }
        }
        // A clone of `Bytes` shares the buffer; it keeps the chunk at hand if the channel is full.
        match self.sender.try_send(Ok(chunk.clone())) {
            Ok(()) => Ok(()),
            Err(TrySendError::Closed(_)) => Err(BodyClosed),
            Err(TrySendError::Full(_)) => {
                match tempfile::tempfile()
                    .and_then(|mut file| file.write_all(&chunk).map(|()| file))
                {
                    Ok(file) => {
                        self.overflow = Some(file);
                        Ok(())
                    }
                    Err(e) => {
                        tracing::warn!(cause = %e, "no temporary file for a slow client; waiting for the client instead");
                        self.send_waiting(chunk)
                    }
                }
            }
        }
    }

    /// Sends what went to the temporary file, at the client's pace. Call it after the database
    /// connection has been released.
    pub fn finish(mut self) {
        let _ = self.send_overflow();
    }

    /// Ends the body with an error, so that the client sees a cut-short response rather than a
    /// complete-looking one.
    pub fn fail(self) {
        let _ = self
            .sender
            .blocking_send(Err(io::Error::other("the stream was cut short")));
    }

    fn send_waiting(&self, chunk: Bytes) -> Result<(), BodyClosed> {
        self.sender.blocking_send(Ok(chunk)).map_err(|_| BodyClosed)
    }

    /// Empties the temporary file into the body, oldest bytes first.
    fn send_overflow(&mut self) -> Result<(), BodyClosed> {
        let Some(mut file) = self.overflow.take() else {
            return Ok(());
        };
        if let Err(e) = file.seek(SeekFrom::Start(0)) {
            return self.fail_reading_back(e);
        }
        loop {
            let mut piece = Vec::with_capacity(READ_BACK_BYTES);
            match (&mut file)
                .take(READ_BACK_BYTES as u64)
                .read_to_end(&mut piece)
            {
                Ok(0) => return Ok(()),
                Ok(_) => self.send_waiting(Bytes::from(piece))?,
                Err(e) => return self.fail_reading_back(e),
            }
        }
    }

    /// The bytes in the file cannot reach the client: the body is cut short.
    fn fail_reading_back(&self, e: io::Error) -> Result<(), BodyClosed> {
        tracing::error!(cause = %e, "reading back the temporary file of an export failed");
        let _ = self
            .sender
            .blocking_send(Err(io::Error::other("the stream was cut short")));
        Err(BodyClosed)
    }
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
            spool.overflow.is_some(),
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
