public import Blobs
public import Foundation
import NIOConcurrencyHelpers

/// A blob store that stops working after a number of writers, as a full disk or a lost object store
/// does mid-intake: the first `writersBeforeFailure` writers go to the wrapped store, later ones throw.
public final class FailingBlobStore: BlobStore {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String { "the blob store failed (injected by the test)" }
    }

    let wrapped: any BlobStore
    let writersBeforeFailure: Int
    let writers = NIOLockedValueBox(0)

    public init(wrapping wrapped: any BlobStore, writersBeforeFailure: Int) {
        self.wrapped = wrapped
        self.writersBeforeFailure = writersBeforeFailure
    }

    /// Starts counting writers again.
    public func reset() { writers.withLockedValue { $0 = 0 } }

    public func makeWriter() throws -> any BlobWriter {
        let index = writers.withLockedValue { count in
            count += 1
            return count
        }
        guard index <= writersBeforeFailure else { throw Failure() }
        return try wrapped.makeWriter()
    }

    public func localFile(for path: String) async throws -> URL { try await wrapped.localFile(for: path) }
    public func exists(_ path: String) async throws -> Bool { try await wrapped.exists(path) }
    public func read(_ path: String) async throws -> Data { try await wrapped.read(path) }
}
