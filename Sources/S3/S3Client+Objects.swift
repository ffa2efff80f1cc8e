public import Crypto
public import Foundation
public import NIOCore
import NIOHTTP1

extension S3Client {
    // MARK: Single objects

    /// Stores `body` under `key` in one `PUT`, declaring its SHA-256 (`x-amz-checksum-sha256`, base64) so that
    /// the store refuses bytes that do not match, and signing the same hash as the payload.
    /// - Parameter checksumSHA256: the body's SHA-256 when the caller has it already (nil: computed here).
    public func putObject(
        key: String,
        body: ByteBuffer,
        checksumSHA256: SHA256Digest? = nil,
        contentType: String? = nil
    ) async throws(S3Error) -> S3PutResult {
        let digest = checksumSHA256 ?? Self.sha256(body)
        var headers: [(name: String, value: String)] = [
            (name: "x-amz-checksum-sha256", value: Data(digest).base64EncodedString()),
            (name: "x-amz-sdk-checksum-algorithm", value: "SHA256"),
        ]
        if let contentType { headers.append((name: "content-type", value: contentType)) }
        let answer = try await send(
            .PUT,
            storeKey: storeKey(key),
            headers: headers,
            body: body,
            payloadHash: SigV4Signer.hex(digest),
            operation: "PUT object"
        )
        return S3PutResult(etag: Self.etag(answer.headers), checksumSHA256: answer.headers.first(name: "x-amz-checksum-sha256"))
    }

    /// Stores bytes held in memory; see `putObject(key:body:checksumSHA256:contentType:)`.
    public func putObject(key: String, data: Data, checksumSHA256: SHA256Digest? = nil) async throws(S3Error) -> S3PutResult {
        try await putObject(key: key, body: ByteBuffer(bytes: data), checksumSHA256: checksumSHA256)
    }

    /// Reads an object, or the bytes `range` of it (inclusive, as HTTP's `Range: bytes=a-b`; the store answers
    /// 206). Objects larger than `maximumBytes` are refused: read them by ranges.
    public func getObject(key: String, range: ClosedRange<Int64>? = nil, maximumBytes: Int = 64 << 20) async throws(S3Error) -> ByteBuffer {
        var headers: [(name: String, value: String)] = []
        if let range { headers.append((name: "range", value: "bytes=\(range.lowerBound)-\(range.upperBound)")) }
        let answer = try await send(.GET, storeKey: storeKey(key), headers: headers, operation: "GET object", answerLimit: maximumBytes)
        guard let range, answer.status == 200 else { return answer.body }
        // A store that ignores Range sends the whole object with 200: cut the range out of it.
        let start = Int(clamping: range.lowerBound)
        let length = min(Int(clamping: range.upperBound) + 1, answer.body.readableBytes) - start
        guard start <= answer.body.readableBytes, length >= 0 else { return ByteBuffer() }
        return answer.body.getSlice(at: answer.body.readerIndex + start, length: length) ?? ByteBuffer()
    }

    /// The object's size (and ETag, and with `checksumMode` its stored SHA-256 checksum), or nil when there is
    /// no such object. (A missing bucket answers `HEAD` with a bare 404 too: `checkBucket()` at start-up tells
    /// the two apart.)
    public func headObject(key: String, checksumMode: Bool = false) async throws(S3Error) -> S3ObjectHead? {
        let headers: [(name: String, value: String)] = checksumMode ? [(name: "x-amz-checksum-mode", value: "ENABLED")] : []
        let answer: Response
        do { answer = try await send(.HEAD, storeKey: storeKey(key), headers: headers, operation: "HEAD object") } catch {
            if error.status == 404 { return nil }
            throw error
        }
        guard let size = answer.headers.first(name: "content-length").flatMap({ Int64($0) }) else {
            throw S3Error(.malformedAnswer, "HEAD answered without a Content-Length", operation: "HEAD object")
        }
        return S3ObjectHead(size: size, etag: Self.etag(answer.headers), checksumSHA256: answer.headers.first(name: "x-amz-checksum-sha256"))
    }

    /// Deletes an object; deleting one that is not there succeeds (S3 answers 204 either way), deleting in a
    /// bucket that is not there does not.
    public func deleteObject(key: String) async throws(S3Error) {
        do { _ = try await send(.DELETE, storeKey: storeKey(key), operation: "DELETE object") } catch {
            if error.status == 404, error.code != "NoSuchBucket" { return }
            throw error
        }
    }

    /// The ETag header without its quotes.
    static func etag(_ headers: HTTPHeaders) -> String? {
        headers.first(name: "etag").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
    }
}
